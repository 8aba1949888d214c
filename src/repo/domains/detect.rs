//! Finding the domains a team would name, in a tree nobody configured.
//!
//! Real codebases keep one business domain in vertical slices across layers:
//! `src/features/<d>`, `services/<d>`, `server-only/<d>`, `trpc/routers/<d>.ts`,
//! `server/<d>-router`, `app/api/<d>`, `components/<d>`. Detection walks each
//! workspace package's folders (not its files), collects the entries of layer
//! folders, and merges them by [`names::key`] across layers and packages.
//! A slice becomes a domain when it sits in a layer that holds domains
//! (services, features, modules, routers, …) or shows up in two layers.
//! What no slice claims stays with its workspace package, classified by
//! [`roles::classify`], so that every line of a package belongs somewhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::names;
use super::roles::{self, Role};
use crate::repo::{Package, SKIPPED_DIRS, relative};

/// Layer folders whose entries are domains.
const ANCHORS: &[&str] = &[
    "services",
    "features",
    "modules",
    "domains",
    "server-only",
    "routers",
    "controllers",
    "use-cases",
    "usecases",
    "slices",
    "contexts",
    "actions",
];

/// Layer folders whose entries join a domain found elsewhere.
const JOINERS: &[&str] = &[
    "components",
    "hooks",
    "lib",
    "server",
    "utils",
    "ui",
    "swr",
    "emails",
    "templates",
    "stores",
    "jobs",
    "schemas",
    "validators",
    "queries",
    "views",
    "screens",
    "app",
    "pages",
];

/// How deep below a package detection looks for layer folders.
const MAX_DEPTH: usize = 7;

/// What detection found: the map, each domain's role, and where it was found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detected {
    /// Domain name → folders or files, relative to the root, sorted.
    pub domains: BTreeMap<String, Vec<String>>,
    pub roles: BTreeMap<String, Role>,
    /// Domain name → one line on where it was found (init writes it as a comment).
    pub found: BTreeMap<String, String>,
}

/// What kind of layer folder an entry sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Anchor,
    /// Next.js API routes: a domain of their own only when nothing else is found.
    ApiRoutes,
    Joiner,
}

/// One entry of a layer folder.
#[derive(Debug, Clone)]
struct Slice {
    key: String,
    display: String,
    path: String,
    /// The layer folder's name (`services`, `server-only`, `api`, …).
    layer: String,
    kind: Layer,
}

/// Domains of the npm workspace `packages` (or of the root as one package).
#[must_use]
pub fn detect(root: &Path, packages: &[Package], prisma_schema: Option<&str>) -> Detected {
    let mut slices = Vec::new();
    for package in packages.iter().filter(|p| p.kind == "npm") {
        let dir = root.join(&package.path);
        let own = package.path.rsplit('/').next().unwrap_or("");
        let (role, _) = roles::classify(package, prisma_schema);
        // A package that is itself a layer folder (`packages/features`).
        let layer =
            (role == Role::Domain && ANCHORS.contains(&own)).then_some((own, Layer::Anchor));
        let mut scanner = Scanner {
            root,
            // A shared library's components are its own, not a domain's UI.
            joiners: matches!(role, Role::Domain | Role::App),
            slices: Vec::new(),
        };
        scanner.scan(&dir, layer, 0);
        slices.append(&mut scanner.slices);
    }
    if packages.is_empty() {
        let mut scanner = Scanner {
            root,
            joiners: true,
            slices: Vec::new(),
        };
        scanner.scan(root, None, 0);
        slices.append(&mut scanner.slices);
    }
    let mut detected = Detected::default();
    let anchored = slices.iter().any(|s| s.kind == Layer::Anchor);
    for (name, group) in group_slices(slices) {
        let layers: BTreeSet<&str> = group.iter().map(|s| s.layer.as_str()).collect();
        let accepted = group.iter().any(|s| s.kind == Layer::Anchor)
            || layers.len() >= 2
            || (!anchored && group.iter().any(|s| s.kind == Layer::ApiRoutes));
        if !accepted {
            continue;
        }
        let mut folders: Vec<String> = group.iter().map(|s| s.path.clone()).collect();
        folders.sort();
        folders.dedup();
        let layer_list: Vec<&str> = layers.into_iter().collect();
        detected.found.insert(
            name.clone(),
            format!(
                "vertical slice in {} layer{}: {}",
                layer_list.len(),
                if layer_list.len() == 1 { "" } else { "s" },
                layer_list.join(", ")
            ),
        );
        detected.roles.insert(name.clone(), Role::Domain);
        detected.domains.insert(name, folders);
    }
    add_packages(&mut detected, packages, prisma_schema);
    add_schema_folder(&mut detected, packages, prisma_schema);
    detected
}

/// A Prisma schema inside an app or at the root: its folder is the data layer,
/// so that the app's own role stays `app`.
fn add_schema_folder(detected: &mut Detected, packages: &[Package], prisma_schema: Option<&str>) {
    let Some(schema) = prisma_schema else {
        return;
    };
    let owned_by_data_package = packages.iter().any(|p| {
        p.path != "."
            && schema.starts_with(&format!("{}/", p.path))
            && roles::classify(p, prisma_schema).0 == Role::Data
            && !p.next_app
    });
    let folder = schema.rsplit_once('/').map_or(".", |(dir, _)| dir);
    if owned_by_data_package || folder == "." || detected.domains.contains_key("database") {
        return;
    }
    detected
        .domains
        .insert("database".to_owned(), vec![folder.to_owned()]);
    detected.roles.insert("database".to_owned(), Role::Data);
    detected.found.insert(
        "database".to_owned(),
        format!("data layer: the Prisma schema in {folder}"),
    );
}

/// Every package is a domain too: what no slice claims stays with it.
fn add_packages(detected: &mut Detected, packages: &[Package], prisma_schema: Option<&str>) {
    let mut short_names: BTreeMap<String, usize> = BTreeMap::new();
    for package in packages {
        *short_names.entry(roles::short_name(package)).or_default() += 1;
    }
    for package in packages {
        let (role, why) = roles::classify(package, prisma_schema);
        let short = roles::short_name(package);
        let label = package.name.clone().unwrap_or_else(|| package.path.clone());
        let mut name = if short_names[&short] > 1 {
            package.path.replace('/', "-")
        } else {
            short
        };
        if let Some(folders) = detected.domains.get_mut(&name) {
            if role == Role::Domain {
                // A domain package that shares its name with slices elsewhere.
                folders.push(package.path.clone());
                folders.sort();
                continue;
            }
            name = format!("{name}-package");
        }
        detected.found.insert(
            name.clone(),
            format!("workspace package {label}, {}: {why}", role.label()),
        );
        detected.roles.insert(name.clone(), role);
        detected.domains.insert(name, vec![package.path.clone()]);
    }
}

/// Groups slices by key; each group is named by its most common written form.
fn group_slices(slices: Vec<Slice>) -> BTreeMap<String, Vec<Slice>> {
    let mut by_key: BTreeMap<String, Vec<Slice>> = BTreeMap::new();
    for slice in slices {
        by_key.entry(slice.key.clone()).or_default().push(slice);
    }
    by_key
        .into_values()
        .map(|group| {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for s in &group {
                *counts.entry(s.display.as_str()).or_default() += 1;
            }
            let name = counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.len().cmp(&a.0.len())))
                .map(|(n, _)| (*n).to_owned())
                .unwrap_or_default();
            (name, group)
        })
        .collect()
}

/// The layer a folder named `name` is, if any.
fn layer_of(name: &str, in_next_app: bool, under_app_or_pages: bool) -> Option<Layer> {
    if name == "api" {
        // `app/api/<d>` are routes; `lib/api/<d>` is server logic per domain.
        return Some(if under_app_or_pages {
            Layer::ApiRoutes
        } else {
            Layer::Anchor
        });
    }
    if ANCHORS.contains(&name) {
        return Some(Layer::Anchor);
    }
    if matches!(name, "app" | "pages") && !in_next_app {
        return None;
    }
    JOINERS.contains(&name).then_some(Layer::Joiner)
}

/// The folder walk of one package.
struct Scanner<'r> {
    root: &'r Path,
    /// Whether joiner layers count (not in shared libraries or the data layer).
    joiners: bool,
    slices: Vec<Slice>,
}

impl Scanner<'_> {
    /// Walks the folders under `dir`; `layer` is set when `dir` is a layer folder.
    fn scan(&mut self, dir: &Path, layer: Option<(&str, Layer)>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let layer = layer.filter(|(_, kind)| self.joiners || *kind != Layer::Joiner);
        let parent_is_app_or_pages = matches!(
            dir.file_name().and_then(|n| n.to_str()),
            Some("app" | "pages")
        );
        for (name, path, is_dir) in entries(dir) {
            if !is_dir && !is_code_file(&name) {
                continue;
            }
            if is_router_name(&name) {
                if let Some(key) = names::key(&name) {
                    self.push(key, &name, &path, "router".to_owned(), Layer::Anchor);
                }
                continue;
            }
            if let Some((layer_name, kind)) = layer {
                // Route groups, dynamic segments, hostnames, versions, `ee/` stay in the layer.
                if is_dir && is_layer_passthrough(&name) {
                    self.scan(&path, Some((layer_name, kind)), depth + 1);
                    continue;
                }
                if let Some(key) = names::key(&name).filter(|_| !is_test_name(&name)) {
                    self.push(key, &name, &path, layer_label(layer_name, kind), kind);
                    continue;
                }
            }
            if is_dir {
                let next =
                    layer_of(&name, true, parent_is_app_or_pages).map(|k| (name.as_str(), k));
                self.scan(&path, next, depth + 1);
            }
        }
    }

    fn push(&mut self, key: String, name: &str, path: &Path, layer: String, kind: Layer) {
        if let Some(rel) = relative(self.root, path) {
            self.slices.push(Slice {
                key,
                display: names::display(name),
                path: rel,
                layer,
                kind,
            });
        }
    }
}

/// A folder's entries (name, path, is a folder), hidden and skipped folders left out, sorted.
fn entries(dir: &Path) -> Vec<(String, std::path::PathBuf, bool)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, std::path::PathBuf, bool)> = entries
        .flatten()
        .filter_map(|e| {
            let is_dir = e.file_type().ok()?.is_dir();
            let name = e.file_name().to_string_lossy().into_owned();
            Some((name, e.path(), is_dir))
        })
        .filter(|(name, _, is_dir)| {
            !(name.starts_with('.') || (*is_dir && SKIPPED_DIRS.contains(&name.as_str())))
        })
        .collect();
    found.sort();
    found
}

/// `server/document-router/` or `team.router.ts`: a domain's slice wherever it sits.
fn is_router_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    name.contains(".router.")
        || stem.ends_with("-router")
        || (stem.ends_with("Router") && stem.len() > "Router".len())
}

fn layer_label(layer: &str, kind: Layer) -> String {
    match kind {
        Layer::ApiRoutes => "api routes".to_owned(),
        _ if layer == "app" || layer == "pages" => "app pages".to_owned(),
        _ => layer.to_owned(),
    }
}

fn is_layer_passthrough(name: &str) -> bool {
    crate::repo::next_routes::is_route_group(name)
        || name.starts_with('[')
        || name.contains('.')
        || matches!(name, "ee" | "integrations" | "management")
        || (name.len() > 1
            && name.starts_with('v')
            && name[1..].bytes().all(|b| b.is_ascii_digit()))
}

fn is_test_name(name: &str) -> bool {
    name.contains(".test.") || name.contains(".spec.") || name.starts_with("__")
}

fn is_code_file(name: &str) -> bool {
    [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"]
        .iter()
        .any(|ext| name.ends_with(ext))
        && !name.ends_with(".d.ts")
}
