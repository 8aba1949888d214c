//! The domain map: which folders belong to which business domain. One map serves
//! every command that reasons per domain (init writes it, analysis reads it).
//!
//! Detected, in order: service folders `<package>/src/services/<name>` (and
//! `services/integrations/<name>`), then Next.js API route folders
//! `app/api/(v1/)<name>` joined to the domain of the same name; without either,
//! each workspace package is a domain.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Package, relative};

/// Where the domains in effect came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapSource {
    /// `[domains]` in skillsctl.toml.
    Config,
    /// Found in the tree by [`detect`].
    Detected,
}

/// The domains in effect: `[domains]` from the config when it names any, else
/// the detected ones. Every command that reasons per domain asks this.
#[must_use]
pub fn effective<'a>(
    configured: &'a BTreeMap<String, Vec<String>>,
    detected: &'a BTreeMap<String, Vec<String>>,
) -> (&'a BTreeMap<String, Vec<String>>, MapSource) {
    if configured.is_empty() {
        (detected, MapSource::Detected)
    } else {
        (configured, MapSource::Config)
    }
}

/// Route folders that are infrastructure, not a domain.
const NOT_DOMAINS: &[&str] = &["health", "healthz", "readyz", "livez", "middleware"];

/// Domain name → folders (relative to `root`), each list sorted.
#[must_use]
pub fn detect(root: &Path, packages: &[Package]) -> BTreeMap<String, Vec<String>> {
    let mut domains: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in packages.iter().filter(|p| p.kind == "npm") {
        for services_dir in ["src/services", "services"] {
            let dir = root.join(&package.path).join(services_dir);
            for (name, path) in subdirs(&dir) {
                if name == "integrations" {
                    for (inner, inner_path) in subdirs(&path) {
                        push(&mut domains, &inner, relative(root, &inner_path));
                    }
                } else {
                    push(&mut domains, &name, relative(root, &path));
                }
            }
        }
    }
    for package in packages.iter().filter(|p| p.next_app) {
        for route in &package.api_routes {
            let Some((name, folder)) = route_domain(&route.file) else {
                continue;
            };
            push(&mut domains, &name, Some(folder));
        }
    }
    if domains.is_empty() && packages.is_empty() {
        // A single Rust crate: its top-level modules are the domains.
        for (name, path) in subdirs(&root.join("src")) {
            push(&mut domains, &name, relative(root, &path));
        }
        if let Ok(entries) = std::fs::read_dir(root.join("src")) {
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                if let Some(module) = file
                    .strip_suffix(".rs")
                    .filter(|m| !matches!(*m, "main" | "lib" | "mod"))
                {
                    push(&mut domains, module, relative(root, &entry.path()));
                }
            }
        }
    }
    if domains.is_empty() {
        for package in packages {
            let name = package
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&package.path)
                .to_owned();
            push(&mut domains, &name, Some(package.path.clone()));
        }
    }
    for folders in domains.values_mut() {
        folders.sort();
        folders.dedup();
    }
    domains
}

/// The domain a route file belongs to and the folder that holds the domain's routes:
/// `packages/app/src/app/api/v1/skills/[id]/route.ts` → (`skills`, `…/api/v1/skills`).
fn route_domain(file: &str) -> Option<(String, String)> {
    let api = file
        .find("/api/")
        .map(|i| i + "/api/".len())
        .or_else(|| file.starts_with("api/").then_some(4))?;
    let mut consumed = api;
    let mut segments = file[api..].split('/').filter(|s| !s.is_empty()).peekable();
    let mut take = |s: &str| consumed += s.len() + 1;
    let mut first = segments.next()?;
    // Route groups `(admin)` are not part of the URL or the domain.
    while super::next_routes::is_route_group(first) {
        take(first);
        first = segments.next()?;
    }
    if is_version(first) {
        take(first);
        first = segments.next()?;
    }
    if first == "integrations" {
        take(first);
        first = segments.next()?;
    }
    // A route file directly under api/ (`api/route.ts`, `pages/api/hello.ts`).
    let name = first.split('.').next()?;
    if segments.peek().is_none() && (first.contains('.')) {
        if name == "route" || name == "index" || NOT_DOMAINS.contains(&name) {
            return None;
        }
        return Some((name.to_owned(), file[..consumed + first.len()].to_owned()));
    }
    if NOT_DOMAINS.contains(&name) || name.starts_with('[') {
        return None;
    }
    Some((name.to_owned(), file[..consumed + first.len()].to_owned()))
}

fn is_version(segment: &str) -> bool {
    segment.len() > 1
        && segment.starts_with('v')
        && segment[1..].bytes().all(|b| b.is_ascii_digit())
}

fn push(domains: &mut BTreeMap<String, Vec<String>>, name: &str, folder: Option<String>) {
    if let Some(folder) = folder {
        domains.entry(name.to_owned()).or_default().push(folder);
    }
}

fn subdirs(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut found: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .filter(|(name, _)| !name.starts_with('.') && !name.starts_with("__"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::route_domain;

    #[test]
    fn routes_map_to_domains_and_their_folders() {
        assert_eq!(
            route_domain("packages/app/src/app/api/v1/skills/[id]/route.ts"),
            Some(("skills".into(), "packages/app/src/app/api/v1/skills".into()))
        );
        assert_eq!(
            route_domain("packages/app/src/app/api/v1/integrations/github/route.ts"),
            Some((
                "github".into(),
                "packages/app/src/app/api/v1/integrations/github".into()
            ))
        );
        assert_eq!(
            route_domain("app/api/(admin)/categories/route.ts"),
            Some(("categories".into(), "app/api/(admin)/categories".into()))
        );
        assert_eq!(
            route_domain("packages/app/src/app/api/health/route.ts"),
            None
        );
        assert_eq!(
            route_domain("web/pages/api/users.ts"),
            Some(("users".into(), "web/pages/api/users.ts".into()))
        );
    }
}

/// Which domain a repository file belongs to, from `[domains]` (folders or globs)
/// or the detected map. The most specific match wins.
#[derive(Debug, Clone, Default)]
pub struct DomainMap {
    /// The domain names, sorted; a domain's index is its place here.
    names: Vec<String>,
    /// (index into `names`, folder prefix or glob, specificity)
    rules: Vec<(usize, Rule, usize)>,
}

/// A `[domains]` entry that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("domains.{domain}: `{pattern}` is not a valid glob ({message})")]
    BadGlob {
        domain: String,
        pattern: String,
        message: String,
    },
}

#[derive(Debug, Clone)]
enum Rule {
    Folder(String),
    Glob(glob::Pattern),
}

impl DomainMap {
    /// Builds the map; a pattern with `*`, `?` or `[` is a glob, anything else a folder or file.
    pub fn new(domains: &BTreeMap<String, Vec<String>>) -> Result<Self, DomainError> {
        // BTreeMap keys come sorted and distinct.
        let names: Vec<String> = domains.keys().cloned().collect();
        let mut rules = Vec::new();
        for (index, (name, patterns)) in domains.iter().enumerate() {
            for pattern in patterns {
                let clean = pattern.trim_start_matches("./").trim_end_matches('/');
                let is_glob = clean.contains(['*', '?'])
                    || (clean.contains('[') && !clean.contains("/[") && !clean.ends_with(']'));
                let rule = if is_glob {
                    Rule::Glob(glob::Pattern::new(clean).map_err(|e| DomainError::BadGlob {
                        domain: name.clone(),
                        pattern: pattern.clone(),
                        message: e.to_string(),
                    })?)
                } else {
                    Rule::Folder(clean.to_owned())
                };
                rules.push((index, rule, clean.len()));
            }
        }
        rules.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        Ok(DomainMap { names, rules })
    }

    /// The domain of a path relative to the repository root (with `/`).
    #[must_use]
    pub fn domain_of(&self, path: &str) -> Option<&str> {
        self.index_of(path).map(|index| self.names[index].as_str())
    }

    /// The domain of a path as its index into [`DomainMap::names`].
    #[must_use]
    pub fn index_of(&self, path: &str) -> Option<usize> {
        let options = glob::MatchOptions {
            require_literal_separator: false,
            ..glob::MatchOptions::new()
        };
        // Rules are kept most specific first, so the first match wins.
        self.rules
            .iter()
            .find(|(_, rule, _)| match rule {
                Rule::Folder(folder) => path
                    .strip_prefix(folder.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
                Rule::Glob(pattern) => pattern.matches_with(path, options),
            })
            .map(|(index, _, _)| *index)
    }

    /// The domain names, sorted.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

#[cfg(test)]
mod map_tests {
    use super::*;

    #[test]
    fn the_config_wins_when_it_names_domains() {
        let mut configured = BTreeMap::new();
        let mut detected = BTreeMap::new();
        detected.insert("api".to_owned(), vec!["app/api".to_owned()]);
        assert_eq!(
            effective(&configured, &detected),
            (&detected, MapSource::Detected)
        );
        configured.insert("skills".to_owned(), vec!["src/skills".to_owned()]);
        assert_eq!(
            effective(&configured, &detected),
            (&configured, MapSource::Config)
        );
    }

    #[test]
    fn most_specific_rule_wins_and_dynamic_route_folders_are_not_globs() {
        let mut domains = BTreeMap::new();
        domains.insert("core".to_owned(), vec!["packages/backend-core".to_owned()]);
        domains.insert(
            "skills".to_owned(),
            vec![
                "packages/backend-core/src/services/skills".to_owned(),
                "packages/app/src/app/api/v1/skills".to_owned(),
            ],
        );
        domains.insert(
            "ui".to_owned(),
            vec!["packages/design-system/**/*.tsx".to_owned()],
        );
        let map = DomainMap::new(&domains).unwrap();
        assert_eq!(
            map.domain_of("packages/backend-core/src/services/skills/a.ts"),
            Some("skills")
        );
        assert_eq!(
            map.domain_of("packages/backend-core/src/lib/cache.ts"),
            Some("core")
        );
        assert_eq!(
            map.domain_of("packages/app/src/app/api/v1/skills/[id]/route.ts"),
            Some("skills")
        );
        assert_eq!(
            map.domain_of("packages/design-system/src/Button.tsx"),
            Some("ui")
        );
        assert_eq!(map.domain_of("packages/backend-core-extra/x.ts"), None);
    }
}
