//! Turns a detected repository layout into the text of a commented
//! `skillsctl.toml`. Pure: the caller writes the file.

use std::fmt::Write as _;

use crate::repo::RepoLayout;
use crate::repo::compose::{ComposeService, ServiceKind};

/// What the person running `init` answered (or the defaults).
#[derive(Debug, Clone)]
pub struct Answers {
    /// Where the app listens, for the health target: `http://localhost:3000`.
    pub app_url: String,
}

impl Answers {
    /// The defaults, using the compose app's published port when there is one.
    #[must_use]
    pub fn defaults(layout: &RepoLayout) -> Self {
        let port = services(layout)
            .find(|s| s.kind == ServiceKind::App)
            .and_then(|s| s.host_port)
            .unwrap_or(3000);
        Answers {
            app_url: format!("http://localhost:{port}"),
        }
    }
}

fn services(layout: &RepoLayout) -> impl Iterator<Item = &ComposeService> {
    layout.compose.iter().flat_map(|f| &f.services)
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
    let one_line = format!("[{}]", quoted.join(", "));
    if one_line.len() <= 88 {
        one_line
    } else {
        let mut block = String::from("[\n");
        for q in &quoted {
            let _ = writeln!(block, "    {q},");
        }
        block.push(']');
        block
    }
}

/// A bare key when TOML allows one, a quoted key otherwise.
fn key(name: &str) -> String {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        name.to_owned()
    } else {
        quote(name)
    }
}

/// The database URL for a compose service, without any password: the password
/// belongs in `DATABASE_URL`, which the written value reads first.
fn database_url(service: &ComposeService) -> Option<String> {
    let (scheme, default_port) = match service.kind {
        ServiceKind::Postgres => ("postgresql", 5432),
        ServiceKind::Mysql => ("mysql", 3306),
        _ => return None,
    };
    let port = service.host_port.unwrap_or(default_port);
    let user = service.user.clone().unwrap_or_else(|| {
        if service.kind == ServiceKind::Postgres {
            "postgres".into()
        } else {
            "root".into()
        }
    });
    let db = service.database.clone().unwrap_or_default();
    Some(format!(
        "${{DATABASE_URL:-{scheme}://{user}@localhost:{port}/{db}}}"
    ))
}

/// The config text for `layout`.
#[must_use]
pub fn render(layout: &RepoLayout, answers: &Answers) -> String {
    let mut out = String::new();
    project_section(&mut out, layout);
    workspace_section(&mut out, layout);
    domains_section(&mut out, layout);
    let urls = Urls::of(layout);
    database_section(&mut out, layout, &urls);
    redis_section(&mut out, &urls);
    health_section(&mut out, layout, answers, &urls);
    out
}

/// The database and Redis URLs derived from compose services, with the service names.
struct Urls<'a> {
    database: Option<(String, &'a ComposeService)>,
    redis: Option<(String, &'a ComposeService)>,
}

impl<'a> Urls<'a> {
    fn of(layout: &'a RepoLayout) -> Self {
        let database = services(layout)
            .find(|s| matches!(s.kind, ServiceKind::Postgres | ServiceKind::Mysql))
            .and_then(|s| database_url(s).map(|url| (url, s)));
        let redis = services(layout)
            .find(|s| s.kind == ServiceKind::Redis)
            .map(|s| {
                (
                    format!(
                        "${{REDIS_URL:-redis://localhost:{}}}",
                        s.host_port.unwrap_or(6379)
                    ),
                    s,
                )
            });
        Urls { database, redis }
    }
}

fn project_section(w: &mut String, layout: &RepoLayout) {
    let _ = writeln!(w, "# skillsctl configuration, written by `skillsctl init`.");
    let _ = writeln!(
        w,
        "# Every key is described in the README (\"Configuration\"). Strings may read the"
    );
    let _ = writeln!(
        w,
        "# environment with ${{VAR}} or ${{VAR:-default}}: keep passwords there, not here."
    );
    let _ = writeln!(
        w,
        "# Precedence: flags > SKILLSCTL_* environment > this file > defaults."
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "[project]");
    match &layout.name {
        Some(name) => {
            let _ = writeln!(w, "# From the root package.json.");
            let _ = writeln!(w, "name = {}", quote(name));
        }
        None => {
            let _ = writeln!(w, "# name = \"my-platform\"");
        }
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "[output]");
    let _ = writeln!(w, "# format = \"table\"   # or \"json\"");
    let _ = writeln!(w, "# color = \"auto\"     # or \"always\", \"never\"");
    let _ = writeln!(w);
}

fn workspace_section(w: &mut String, layout: &RepoLayout) {
    let _ = writeln!(w, "[workspace]");
    let packages: Vec<String> = layout.packages.iter().map(|p| p.path.clone()).collect();
    let origin = if layout.workspace_patterns.is_empty() {
        "none declared".to_owned()
    } else {
        format!("from {}", layout.workspace_patterns.join(", "))
    };
    let _ = writeln!(w, "# Workspace packages ({origin}).");
    let _ = writeln!(w, "packages = {}", list(&packages));
    let apps: Vec<String> = layout
        .packages
        .iter()
        .filter(|p| p.next_app)
        .map(|p| p.path.clone())
        .collect();
    let routes: usize = layout.packages.iter().map(|p| p.api_routes.len()).sum();
    let _ = writeln!(
        w,
        "# Next.js apps serving API routes ({routes} route files found)."
    );
    let _ = writeln!(w, "next_apps = {}", list(&apps));
    let _ = writeln!(w);
}

fn domains_section(w: &mut String, layout: &RepoLayout) {
    let _ = writeln!(w, "[domains]");
    let _ = writeln!(
        w,
        "# Business domains and the folders (or globs) that belong to each. Detected from"
    );
    let _ = writeln!(
        w,
        "# vertical slices (services/, features/, modules/, server-only/, *-router, app/api/…)"
    );
    let _ = writeln!(
        w,
        "# merged by name across layers, and the workspace packages that hold the rest."
    );
    let _ = writeln!(
        w,
        "# The most specific folder wins; edit to match how you think of them."
    );
    for (name, folders) in &layout.domains {
        if let Some(found) = layout.domain_found.get(name) {
            let _ = writeln!(w, "# {name}: {found}");
        }
        let _ = writeln!(w, "{} = {}", key(name), list(folders));
    }
    let _ = writeln!(w);
    let roles: Vec<_> = layout
        .domain_roles
        .iter()
        .filter(|(_, role)| **role != crate::repo::domains::Role::Domain)
        .collect();
    if !roles.is_empty() {
        let _ = writeln!(w, "[roles]");
        let _ = writeln!(
            w,
            "# Apps, shared libraries and the data layer are never recommended for extraction."
        );
        for (name, role) in roles {
            let value = serde_json::to_value(role).ok();
            let value = value.as_ref().and_then(|v| v.as_str()).unwrap_or("domain");
            let _ = writeln!(w, "{} = {}", key(name), quote(value));
        }
        let _ = writeln!(w);
    }
}

fn database_section(w: &mut String, layout: &RepoLayout, urls: &Urls<'_>) {
    let _ = writeln!(w, "[database]");
    if let Some((url, service)) = &urls.database {
        let _ = writeln!(
            w,
            "# The `{}` service of the compose file; DATABASE_URL wins when set.",
            service.name
        );
        let _ = writeln!(w, "url = {}", quote(url));
    } else {
        let _ = writeln!(
            w,
            "# url = \"${{DATABASE_URL:-postgresql://postgres@localhost:5432/app}}\""
        );
    }
    if let Some(migrations) = layout.migrations.first() {
        let layout_name = match migrations.layout {
            crate::config::MigrationLayout::Prisma => "prisma",
            crate::config::MigrationLayout::Sqlx => "sqlx",
        };
        let _ = writeln!(w, "# {} migrations found.", migrations.count);
        let _ = writeln!(w, "layout = {}", quote(layout_name));
        let _ = writeln!(w, "migrations = {}", quote(&migrations.path));
    }
    if let Some(prisma) = &layout.prisma {
        let kind = if prisma.multi_file { " folder" } else { "" };
        let _ = writeln!(
            w,
            "# Prisma schema{kind} with {} models.",
            prisma.models.len()
        );
        let _ = writeln!(w, "schema = {}", quote(&prisma.path));
    }
    let _ = writeln!(w);
}

fn redis_section(w: &mut String, urls: &Urls<'_>) {
    let _ = writeln!(w, "[redis]");
    if let Some((url, service)) = &urls.redis {
        let _ = writeln!(
            w,
            "# The `{}` service of the compose file; REDIS_URL wins when set.",
            service.name
        );
        let _ = writeln!(w, "url = {}", quote(url));
    } else {
        let _ = writeln!(w, "# url = \"${{REDIS_URL:-redis://localhost:6379}}\"");
    }
    let _ = writeln!(w);
}

fn health_section(w: &mut String, layout: &RepoLayout, answers: &Answers, urls: &Urls<'_>) {
    let _ = writeln!(w, "[health]");
    let _ = writeln!(
        w,
        "# Per-target timeout; targets below are checked together by `skillsctl health-check`."
    );
    let _ = writeln!(w, "timeout = \"5s\"");
    let mut target = |name: &str, url: &str, comment: Option<String>| {
        let _ = writeln!(w);
        let _ = writeln!(w, "[[health.targets]]");
        if let Some(comment) = comment {
            let _ = writeln!(w, "# {comment}");
        }
        let _ = writeln!(w, "name = {}", quote(name));
        let _ = writeln!(w, "url = {}", quote(url));
    };
    if let Some(route) = layout.health_route() {
        let url = format!("{}{route}", answers.app_url.trim_end_matches('/'));
        target(
            "app",
            &url,
            Some(format!("The app's health route ({route}).")),
        );
    }
    for (url, service) in [&urls.database, &urls.redis].into_iter().flatten() {
        target(&service.name, url, None);
    }
}
