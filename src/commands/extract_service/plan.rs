//! The whole extraction as one change set in memory: the scaffolded package,
//! the moved files with their imports rewritten, the wiring (workspace,
//! compose, tsconfig paths, gateway entry) and EXTRACTION.md. Nothing is
//! written here; the glue shows it, asks, and applies it all or nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::checklist::{self, Evidence};
use super::gather::{self, Walked};
use super::moves::{self, MovePlan, NewPackage};
use super::report::{ExtractReport, SharedModel};
use super::wiring;
use crate::adapters::fs::ChangeSet;
use crate::exit::UsageError;
use crate::gateway::{self, edit};
use crate::repo::models::Models;
use crate::repo::{self, RepoLayout};
use crate::scaffold::{self, Template, Variable, values::Given};

/// The answers file in each generated package.
pub const ANSWERS: &str = ".skillsctl-answers.toml";
/// What the template rendered, the base of `--update`'s three-way merge.
pub const BASE: &str = ".skillsctl-base.json";

/// What the user asked for.
pub struct Request<'a> {
    pub root: &'a Path,
    pub layout: &'a RepoLayout,
    pub name: &'a str,
    pub template: &'a Template,
    pub given: &'a [Given],
    /// Folders or files to move (relative to the root); empty for a scaffold.
    pub roots: &'a [String],
    pub copy: bool,
    pub force: bool,
    pub package_dir: &'a str,
    /// The gateway file (relative to the root) and its text.
    pub gateway: Option<(String, String)>,
    /// analyze-boundaries' JSON report.
    pub boundaries: Option<&'a serde_json::Value>,
    pub independent_deploys: Option<bool>,
    pub domains: &'a BTreeMap<String, Vec<String>>,
}

/// The plan: the change set and what it shows.
pub struct Built {
    pub set: ChangeSet,
    pub report: ExtractReport,
}

/// Builds the plan; `ask` puts a template variable's question on a terminal.
pub fn build(
    req: &Request<'_>,
    ask: &mut dyn FnMut(&Variable) -> Option<String>,
) -> anyhow::Result<Built> {
    let models = Models::from_schema(&repo::schema_texts(req.root, req.layout));
    let walked = gather::walk(req.root, req.roots, &models);
    let moved = destinations(req, &walked)?;
    let resolved = gather::resolve(req.root, req.layout, &walked);
    let scope = scope_of(req.layout);
    let package_name = if scope.is_empty() {
        req.name.to_owned()
    } else {
        format!("{scope}/{}", req.name)
    };
    let src = format!("{}/src", req.package_dir);
    let mut move_plan = moves::plan(
        &resolved,
        &moved,
        &NewPackage {
            name: &package_name,
            src: &src,
        },
    );
    if req.copy {
        // The originals stay: the monolith keeps importing them.
        move_plan.incoming.clear();
        move_plan.edits.retain(|path, _| moved.contains_key(path));
    }
    let uses = Uses::of(&walked, &moved, &move_plan);
    let prefix = req
        .gateway
        .as_ref()
        .and_then(|(_, text)| gateway::parse(text, "gateway.toml", &|_| None).ok())
        .and_then(|g| g.route(req.name).map(|r| r.prefix.clone()))
        .unwrap_or_else(|| format!("/api/v1/{}", req.name));
    let moved_dirs = moved_dirs(req);
    let builtins = serde_json::json!({
        "name": req.name,
        "name_snake": req.name.replace('-', "_"),
        "name_pascal": pascal(req.name),
        "scope": scope,
        "package_name": package_name,
        "api_prefix": prefix,
        "uses_database": uses.database,
        "uses_redis": uses.redis,
        "moved_dirs": moved_dirs,
        "in_cargo_workspace": !req.layout.cargo_members.is_empty(),
    });
    let values = scaffold::values::resolve(req.template, req.given, &["scope", "api_prefix"], ask)?;
    let mut context = builtins;
    for (key, value) in &values {
        context[key] = serde_json::Value::String(value.clone());
    }
    for key in ["scope", "api_prefix"] {
        if let Some(g) = req.given.iter().rev().find(|g| g.key == key) {
            context[key] = serde_json::Value::String(g.value.clone());
        }
    }
    let rendered = scaffold::render::render(req.template, &context)?;
    let mut set = ChangeSet::new(req.root);
    scaffold_files(&mut set, req, &rendered, &context)?;
    move_files(&mut set, req, &moved, &move_plan)?;
    let port = context["port"].as_str().unwrap_or("4001").to_owned();
    let mut warnings = wire(&mut set, req, &package_name, &port, &uses, &move_plan)?;
    let gateway_entry = register(&mut set, req, &prefix, &port)?;
    warnings.extend(root_dir_warnings(req.root, &move_plan));
    let shared = shared_models(&walked, &moved, req.domains);
    let evidence = evidence(
        req,
        &walked,
        &moved,
        &rendered,
        gateway_entry,
        &move_plan,
        &shared,
    );
    set.write(
        &format!("{}/EXTRACTION.md", req.package_dir),
        checklist::render(&evidence),
    )?;
    let report = ExtractReport {
        service: req.name.to_owned(),
        template: req.template.name.clone(),
        package: req.package_dir.to_owned(),
        status: "planned".into(),
        changes: set.preview(),
        moved_files: moved.len(),
        rewritten_imports: move_plan.edits.values().map(Vec::len).sum(),
        outgoing: move_plan.outgoing,
        incoming: move_plan.incoming,
        shared_models: shared,
        packages: move_plan.packages.into_iter().collect(),
        conflicts: Vec::new(),
        warnings,
        diff: None,
        next: next_steps(req, &port),
    };
    Ok(Built { set, report })
}

/// Where each moved file goes: `<package>/src/services/<root's name>/…`.
fn destinations(req: &Request<'_>, walked: &[Walked]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut moved = BTreeMap::new();
    for root in req.roots {
        let root = root.trim_end_matches('/');
        let base = root.rsplit('/').next().unwrap_or(root);
        let mut found = 0;
        for file in walked.iter().filter(|f| gather::within(&f.path, root)) {
            let rest = file.path[root.len()..].trim_start_matches('/');
            let to = if rest.is_empty() {
                format!("{}/src/services/{base}", req.package_dir)
            } else {
                format!("{}/src/services/{base}/{rest}", req.package_dir)
            };
            moved.insert(file.path.clone(), to);
            found += 1;
        }
        if found == 0 {
            return Err(UsageError::new(format!("{root}: no files to move there")).into());
        }
    }
    Ok(moved)
}

fn moved_dirs(req: &Request<'_>) -> Vec<String> {
    req.roots
        .iter()
        .map(|root| {
            let root = root.trim_end_matches('/');
            let base = root.rsplit('/').next().unwrap_or(root);
            format!("src/services/{base}")
        })
        .collect()
}

/// What the moved code talks to, so the health endpoint checks it.
struct Uses {
    database: bool,
    redis: bool,
}

impl Uses {
    fn of(walked: &[Walked], moved: &BTreeMap<String, String>, plan: &MovePlan) -> Uses {
        let models: BTreeSet<String> = walked
            .iter()
            .filter(|f| moved.contains_key(&f.path))
            .flat_map(|f| f.models.iter().cloned())
            .collect();
        let touches = |words: &[&str]| {
            plan.packages
                .iter()
                .any(|p| words.iter().any(|w| p.contains(w)))
                || plan
                    .outgoing
                    .iter()
                    .any(|c| words.iter().any(|w| c.target.contains(w)))
        };
        Uses {
            database: !models.is_empty() || touches(&["prisma", "database", "/db", "pg"]),
            redis: touches(&["redis", "cache"]),
        }
    }
}

/// The npm scope most workspace packages share (`@skills-eval`), else none.
fn scope_of(layout: &RepoLayout) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for name in layout.packages.iter().filter_map(|p| p.name.as_deref()) {
        if let Some((scope, _)) = name.split_once('/')
            && scope.starts_with('@')
        {
            *counts.entry(scope).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(s, _)| s.to_owned())
        .unwrap_or_default()
}

fn pascal(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The rendered package, its answers and the base for `--update`.
fn scaffold_files(
    set: &mut ChangeSet,
    req: &Request<'_>,
    rendered: &[scaffold::render::RenderedFile],
    context: &serde_json::Value,
) -> anyhow::Result<()> {
    for file in rendered {
        let path = format!("{}/{}", req.package_dir, file.path);
        if req.force {
            set.write(&path, file.bytes.clone())?;
        } else {
            set.create(&path, file.bytes.clone())?;
        }
    }
    let answers = answers_text(req.template, context)?;
    set.write(&format!("{}/{ANSWERS}", req.package_dir), answers)?;
    set.write(&format!("{}/{BASE}", req.package_dir), base_text(rendered))?;
    Ok(())
}

/// `.skillsctl-answers.toml`: the template and every value it was rendered with.
pub fn answers_text(template: &Template, context: &serde_json::Value) -> anyhow::Result<String> {
    #[derive(serde::Serialize)]
    struct Answers<'a> {
        template: &'a str,
        source: &'a str,
        values: &'a serde_json::Value,
    }
    let body = toml::to_string(&Answers {
        template: &template.name,
        source: &template.source,
        values: context,
    })?;
    Ok(format!(
        "# Written by skillsctl extract-service: the template and the values this package was made from.\n\
         # `skillsctl extract-service <name> --update` renders the template again with them and merges.\n{body}"
    ))
}

/// `.skillsctl-base.json`: path → what the template rendered.
#[must_use]
pub fn base_text(rendered: &[scaffold::render::RenderedFile]) -> String {
    let map: BTreeMap<&str, String> = rendered
        .iter()
        .map(|f| {
            (
                f.path.as_str(),
                String::from_utf8_lossy(&f.bytes).into_owned(),
            )
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&map).unwrap_or_default();
    text.push('\n');
    text
}

/// The moves (or copies) and every rewritten import.
fn move_files(
    set: &mut ChangeSet,
    req: &Request<'_>,
    moved: &BTreeMap<String, String>,
    plan: &MovePlan,
) -> anyhow::Result<()> {
    for (from, to) in moved {
        let text = set.read(from)?.map(<[u8]>::to_vec).unwrap_or_default();
        let contents = match plan.edits.get(from) {
            Some(edits) => moves::apply_edits(&String::from_utf8_lossy(&text), edits).into_bytes(),
            None => text,
        };
        if req.copy {
            set.create(to, contents)?;
        } else {
            set.rename(from, to, Some(contents))?;
        }
    }
    for (path, edits) in plan.edits.iter().filter(|(p, _)| !moved.contains_key(*p)) {
        let text = set.read(path)?.map(<[u8]>::to_vec).unwrap_or_default();
        set.replace(
            path,
            moves::apply_edits(&String::from_utf8_lossy(&text), edits),
        )?;
    }
    Ok(())
}

/// The workspace, compose and tsconfig edits; warnings for what it could not do.
fn wire(
    set: &mut ChangeSet,
    req: &Request<'_>,
    package_name: &str,
    port: &str,
    uses: &Uses,
    plan: &MovePlan,
) -> anyhow::Result<Vec<String>> {
    let mut warnings = Vec::new();
    let layout = req.layout;
    let dir = req.package_dir;
    let is_cargo = req
        .template
        .files
        .iter()
        .any(|f| f.path.starts_with("Cargo.toml"));
    if is_cargo {
        if let Some(text) = read_text(set, "Cargo.toml")?
            && text.contains("[workspace]")
            && !wiring::covered(&layout.cargo_members, dir)
        {
            set.replace("Cargo.toml", wiring::cargo_workspace(&text, dir)?)?;
        }
    } else if !wiring::covered(&layout.workspace_patterns, dir) {
        if let Some(text) = read_text(set, "pnpm-workspace.yaml")? {
            set.replace("pnpm-workspace.yaml", wiring::pnpm_workspace(&text, dir)?)?;
        } else if let Some(text) = read_text(set, "package.json")? {
            set.replace("package.json", wiring::package_json_workspace(&text, dir)?)?;
        } else {
            warnings.push(format!(
                "no workspace to add {dir} to (no package.json or pnpm-workspace.yaml at the root)"
            ));
        }
    }
    let compose_file = layout
        .compose
        .iter()
        .find(|c| c.path.contains("dev"))
        .or_else(|| layout.compose.first());
    if let Some(compose) = compose_file
        && let Some(text) = read_text(set, &compose.path)?
    {
        let service = wiring::ComposeService {
            name: req.name,
            dir,
            port,
            uses_database: uses.database,
            uses_redis: uses.redis,
        };
        match wiring::compose(&text, &compose.path, &service)? {
            Some(new_text) => set.replace(&compose.path, new_text)?,
            None => warnings.push(format!(
                "{} has a service `{}` already: left as it is",
                compose.path, req.name
            )),
        }
    }
    if !plan.incoming.is_empty() {
        tsconfig_paths(set, req, package_name)?;
    }
    Ok(warnings)
}

/// `paths` for the new package in each tsconfig that maps workspace packages.
fn tsconfig_paths(
    set: &mut ChangeSet,
    req: &Request<'_>,
    package_name: &str,
) -> anyhow::Result<()> {
    let names: Vec<String> = req
        .layout
        .packages
        .iter()
        .filter_map(|p| p.name.clone())
        .collect();
    let mut candidates = vec!["tsconfig.json".to_owned(), "tsconfig.base.json".to_owned()];
    candidates.extend(
        req.layout
            .packages
            .iter()
            .map(|p| format!("{}/tsconfig.json", p.path)),
    );
    for path in candidates {
        let Some(text) = read_text(set, &path)? else {
            continue;
        };
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let base_url = base_url(&text);
        let base = match (dir.is_empty(), base_url.as_deref()) {
            (_, None | Some(".")) => dir.to_owned(),
            (true, Some(b)) => b.trim_start_matches("./").to_owned(),
            (false, Some(b)) => format!("{dir}/{}", b.trim_start_matches("./")),
        };
        let from = if base.is_empty() {
            "x".to_owned()
        } else {
            format!("{base}/x")
        };
        let target = moves::relative(&from, &format!("{}/src", req.package_dir));
        let target = target.strip_prefix("./").unwrap_or(&target);
        if let Some(new_text) = wiring::tsconfig_paths(&text, &names, package_name, target) {
            set.replace(&path, new_text)?;
        }
    }
    Ok(())
}

fn base_url(text: &str) -> Option<String> {
    let at = text.find("\"baseUrl\"")?;
    let rest = &text[at + "\"baseUrl\"".len()..];
    let value = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    Some(value[..value.find('"')?].to_owned())
}

fn read_text(set: &mut ChangeSet, path: &str) -> anyhow::Result<Option<String>> {
    Ok(set
        .read(path)?
        .map(|b| String::from_utf8_lossy(b).into_owned()))
}

/// The gateway entry: external at weight 0, so no traffic moves yet.
fn register(
    set: &mut ChangeSet,
    req: &Request<'_>,
    prefix: &str,
    port: &str,
) -> anyhow::Result<Option<String>> {
    let Some((file, text)) = &req.gateway else {
        return Ok(None);
    };
    let url = format!("http://localhost:{port}");
    let parsed = gateway::parse(text, file, &|n| std::env::var(n).ok())?;
    let changes = match parsed.route(req.name) {
        Some(route) if route.mode == gateway::Mode::External => {
            return Ok(Some(format!(
                "{prefix} → {} (weight {}), already external",
                route.urls.join(", "),
                route.weight
            )));
        }
        Some(_) => vec![
            edit::Change::External(vec![url.clone()]),
            edit::Change::Weight(0),
        ],
        None => vec![edit::Change::Add {
            prefix: prefix.to_owned(),
            urls: vec![url.clone()],
            weight: 0,
        }],
    };
    let (new_text, fields) = edit::apply(text, req.name, &changes)?;
    gateway::parse(&new_text, file, &|n| std::env::var(n).ok())?;
    gateway::apply::plan_into(set, file, text, &new_text, &fields, &[])?;
    Ok(Some(format!(
        "{prefix} → {url}, external, weight 0 ({file})"
    )))
}

/// A monolith package with `rootDir` cannot type-check source outside it.
fn root_dir_warnings(root: &Path, plan: &MovePlan) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for c in &plan.incoming {
        let mut dir = Path::new(&c.file).parent();
        while let Some(d) = dir {
            let tsconfig = root.join(d).join("tsconfig.json");
            if let Ok(text) = std::fs::read_to_string(&tsconfig) {
                if text.contains("\"rootDir\"") && seen.insert(c.file.clone()) {
                    out.push(format!(
                        "{}:{} imports the moved code and {}/tsconfig.json sets rootDir: TypeScript reports TS6059 there until the call goes to the service over HTTP",
                        c.file,
                        c.line,
                        d.display()
                    ));
                }
                break;
            }
            dir = d.parent();
        }
    }
    out
}

/// The models the moved code uses, and which domains also use them.
fn shared_models(
    walked: &[Walked],
    moved: &BTreeMap<String, String>,
    domains: &BTreeMap<String, Vec<String>>,
) -> Vec<SharedModel> {
    let mine: BTreeSet<&String> = walked
        .iter()
        .filter(|f| moved.contains_key(&f.path))
        .flat_map(|f| &f.models)
        .collect();
    mine.into_iter()
        .map(|model| {
            let users: BTreeSet<String> = walked
                .iter()
                .filter(|f| !moved.contains_key(&f.path) && f.models.contains(model))
                .map(|f| {
                    domains
                        .iter()
                        .find(|(_, roots)| roots.iter().any(|r| gather::within(&f.path, r)))
                        .map_or_else(|| "shared code".to_owned(), |(d, _)| d.clone())
                })
                .collect();
            SharedModel {
                model: model.clone(),
                also_used_by: users.into_iter().collect(),
            }
        })
        .collect()
}

fn evidence<'a>(
    req: &'a Request<'a>,
    walked: &[Walked],
    moved: &BTreeMap<String, String>,
    rendered: &[scaffold::render::RenderedFile],
    gateway: Option<String>,
    plan: &'a MovePlan,
    shared: &[SharedModel],
) -> Evidence<'a> {
    let is_test = |p: &str| crate::repo::signals::is_test_path(p);
    let mut tests: Vec<String> = moved.values().filter(|p| is_test(p)).cloned().collect();
    tests.extend(
        rendered
            .iter()
            .filter(|f| is_test(&f.path))
            .map(|f| format!("{}/{}", req.package_dir, f.path)),
    );
    let health = rendered
        .iter()
        .find(|f| f.path.contains("health"))
        .map(|f| format!("GET /health ({}/{})", req.package_dir, f.path));
    let factor = |name: &str| -> Option<(String, bool)> {
        let domain = req.boundaries?["domains"]
            .as_array()?
            .iter()
            .find(|d| d["name"] == req.name)?;
        let f = domain["factors"]
            .as_array()?
            .iter()
            .find(|f| f["name"] == name)?;
        Some((f["value"].as_str()?.to_owned(), f["verdict"] == "extract"))
    };
    Evidence {
        service: req.name,
        package: req.package_dir,
        code_lines: walked
            .iter()
            .filter(|f| moved.contains_key(&f.path))
            .map(|f| f.code_lines)
            .sum(),
        moved_files: moved.len(),
        tests,
        health,
        gateway,
        traffic: factor("traffic"),
        team: factor("team"),
        independent_deploys: req
            .independent_deploys
            .or_else(|| factor("deployment").map(|(_, extract)| extract)),
        outgoing: &plan.outgoing,
        incoming: &plan.incoming,
        models: shared
            .iter()
            .map(|m| (m.model.clone(), m.also_used_by.clone()))
            .collect(),
        packages: plan.packages.iter().cloned().collect(),
    }
}

fn next_steps(req: &Request<'_>, port: &str) -> Vec<String> {
    vec![
        format!(
            "cd {} && npm install --workspaces=false && npm test",
            req.package_dir
        ),
        format!(
            "skillsctl health-check {}=http://localhost:{port}/health",
            req.name
        ),
        format!(
            "skillsctl smoke {}/smoke.toml --base-url http://localhost:{port}",
            req.package_dir
        ),
        format!("skillsctl rollout {} --steps 10,25,50,100", req.name),
    ]
}
