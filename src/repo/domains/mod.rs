//! The domain map: which folders belong to which business domain. One map serves
//! every command that reasons per domain (init writes it, analysis reads it).
//!
//! [`detect`] finds vertical slices merged by name across layers ([`names`])
//! and classifies workspace packages by [`roles`]; [`DomainMap`] answers which
//! domain a file belongs to, the most specific folder or glob winning.

pub mod detect;
pub mod names;
pub mod roles;

use std::collections::BTreeMap;
use std::path::Path;

pub use detect::Detected;
pub use roles::Role;

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

/// Domains, their roles and where each was found: see [`detect::detect`]; a
/// single Rust crate's top-level modules are its domains.
#[must_use]
pub fn detect(root: &Path, packages: &[Package], prisma_schema: Option<&str>) -> Detected {
    if packages.is_empty() && root.join("Cargo.toml").is_file() {
        return rust_modules(root);
    }
    detect::detect(root, packages, prisma_schema)
}

/// A single Rust crate: its top-level modules are the domains.
fn rust_modules(root: &Path) -> Detected {
    let mut found = Detected::default();
    let Ok(entries) = std::fs::read_dir(root.join("src")) else {
        return found;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let module = if is_dir {
            Some(file.as_str())
        } else {
            file.strip_suffix(".rs")
                .filter(|m| !matches!(*m, "main" | "lib" | "mod"))
        };
        let (Some(module), Some(path)) = (module, relative(root, &entry.path())) else {
            continue;
        };
        if module.starts_with('.') {
            continue;
        }
        found
            .domains
            .entry(module.to_owned())
            .or_default()
            .push(path);
        found.roles.insert(module.to_owned(), Role::Domain);
        found.found.insert(
            module.to_owned(),
            "a top-level module of the crate".to_owned(),
        );
    }
    for folders in found.domains.values_mut() {
        folders.sort();
    }
    found
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
                let rule = if clean == "." || clean.is_empty() {
                    // The root package: everything no other rule claims.
                    Rule::Glob(glob::Pattern::new("**").expect("a valid glob"))
                } else if is_glob {
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
