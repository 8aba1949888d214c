//! The gateway file `init` writes beside skillsctl.toml when there is none:
//! the guide's §3.1 starting point, every detected domain internal at its API
//! prefix (from its Next.js route folder, else `/api/v1/<domain>`). Pure.

use std::fmt::Write as _;

use crate::repo::RepoLayout;

/// The name `init` gives it, relative to the config file.
pub const FILE_NAME: &str = "gateway.toml";

/// The text of `gateway.toml` for `layout`, the monolith at `app_url`.
#[must_use]
pub fn render(layout: &RepoLayout, app_url: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# The API gateway (hybrid-backend guide §3.1): which service serves which path\n# prefix. Every domain starts internal (the monolith serves it); extracting one\n# makes it external, and `skillsctl rollout` then moves its traffic step by step.\n# Change it with `skillsctl update-gateway-config` (comments are kept).\n"
    );
    let _ = writeln!(out, "[monolith]\nurls = [{}]", quote(app_url));
    let mut prefixes: Vec<String> = Vec::new();
    for (name, folders) in &layout.domains {
        // Apps, shared libraries and the data layer serve no API prefix of their own.
        if layout
            .domain_roles
            .get(name)
            .is_some_and(|r| *r != crate::repo::domains::Role::Domain)
        {
            continue;
        }
        let service = service_name(name);
        let prefix = folders
            .iter()
            .find_map(|f| {
                f.split_once("/app/api/")
                    .map(|(_, rest)| format!("/api/{}", rest.trim_end_matches('/')))
            })
            .filter(|p| !p.contains('['))
            .unwrap_or_else(|| format!("/api/v1/{service}"));
        // A prefix routed twice, or a name that is no service name, is left for a person.
        if service.is_empty() || prefixes.contains(&prefix) {
            continue;
        }
        let _ = writeln!(
            out,
            "\n[[route]]\nservice = {}\nprefix = {}\nmode = \"internal\"",
            quote(&service),
            quote(&prefix)
        );
        prefixes.push(prefix);
    }
    out
}

/// `integrations/github` → `github`; lowercase kebab-case.
fn service_name(domain: &str) -> String {
    let last = domain.rsplit('/').next().unwrap_or(domain);
    let mut name = String::new();
    for c in last.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    name.trim_end_matches('-').to_owned()
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_become_internal_routes_at_their_api_prefix() {
        let mut layout = RepoLayout::default();
        layout.domains.insert(
            "skills".into(),
            vec![
                "packages/backend-core/src/services/skills".into(),
                "packages/app/src/app/api/v1/skills".into(),
            ],
        );
        layout
            .domains
            .insert("Report_Builder".into(), vec!["src/report".into()]);
        let text = render(&layout, "http://localhost:3000");
        let gateway = crate::gateway::parse(&text, "gateway.toml", &|_| None).unwrap();
        let prefixes: Vec<(&str, &str)> = gateway
            .routes
            .iter()
            .map(|r| (r.service.as_str(), r.prefix.as_str()))
            .collect();
        assert_eq!(
            prefixes,
            [
                ("report-builder", "/api/v1/report-builder"),
                ("skills", "/api/v1/skills")
            ]
        );
        assert!(
            gateway
                .routes
                .iter()
                .all(|r| r.mode == crate::gateway::Mode::Internal)
        );
    }
}
