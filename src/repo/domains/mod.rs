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
    /// Glob rules: (index into `names`, pattern, specificity), most specific
    /// first (longest pattern, then the lower index).
    globs: Vec<(usize, glob::Pattern, usize)>,
    /// Folder (or file) rules by their path: (specificity, index). A path's
    /// longest ancestor here is its most specific folder rule, found with a
    /// lookup per ancestor instead of a comparison per rule.
    folders: rustc_hash::FxHashMap<String, (usize, usize)>,
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
        let mut globs = Vec::new();
        let mut folders = rustc_hash::FxHashMap::default();
        for (index, rule, specificity) in rules {
            match rule {
                Rule::Glob(pattern) => globs.push((index, pattern, specificity)),
                // Sorted: the first of two domains naming one folder wins.
                Rule::Folder(folder) => {
                    folders.entry(folder).or_insert((specificity, index));
                }
            }
        }
        Ok(DomainMap {
            names,
            globs,
            folders,
        })
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
        let folder = self.folder_rule_of(path);
        // Globs are kept most specific first: one that matches before the
        // folder rule's place in that order wins.
        self.globs
            .iter()
            .take_while(|(index, _, specificity)| {
                folder.is_none_or(|(f_spec, f_index)| (*specificity, f_index) > (f_spec, *index))
            })
            .find(|(_, pattern, _)| pattern.matches_with(path, options))
            .map(|(index, _, _)| *index)
            .or(folder.map(|(_, index)| index))
    }

    /// The most specific folder rule of `path`: the path itself (a file
    /// rule), else its longest ancestor folder with a rule.
    fn folder_rule_of(&self, path: &str) -> Option<(usize, usize)> {
        if self.folders.is_empty() {
            return None;
        }
        let mut candidate = path;
        loop {
            if let Some(&rule) = self.folders.get(candidate) {
                return Some(rule);
            }
            candidate = &candidate[..candidate.rfind('/')?];
        }
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

    /// The indexed lookup gives what the plain rule order gives: the longest
    /// pattern that matches, the lower domain on a tie, globs and folders mixed.
    #[test]
    fn lookup_by_ancestor_equals_the_first_match_in_rule_order() {
        let rules: &[(&str, &[&str])] = &[
            ("a", &["src", "src/x/**/*.ts"]),
            ("b", &["src/x", "src/x/y/z.ts", "lib/*"]),
            ("c", &["src/x/y", "**/*.test.ts", "lib"]),
            ("d", &["src/x/*", "src/x/y/z.ts", "."]),
        ];
        let domains: BTreeMap<String, Vec<String>> = rules
            .iter()
            .map(|(n, p)| ((*n).to_owned(), p.iter().map(|s| (*s).to_owned()).collect()))
            .collect();
        let map = DomainMap::new(&domains).unwrap();
        // The reference: every (pattern, domain) sorted longest first, lower domain first.
        let mut ordered: Vec<(usize, usize, &str)> = Vec::new();
        for (index, (_, patterns)) in rules.iter().enumerate() {
            ordered.extend(patterns.iter().map(|p| (p.len(), index, *p)));
        }
        ordered.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let reference = |path: &str| {
            ordered
                .iter()
                .find(|(_, _, p)| {
                    if *p == "." {
                        true
                    } else if p.contains('*') {
                        glob::Pattern::new(p).unwrap().matches(path)
                    } else {
                        path.strip_prefix(p)
                            .is_some_and(|r| r.is_empty() || r.starts_with('/'))
                    }
                })
                .map(|(_, index, _)| rules[*index].0)
        };
        for path in [
            "src/a.ts",
            "src/x/b.ts",
            "src/x/y/z.ts",
            "src/x/y/w.ts",
            "src/x/y/q/r.ts",
            "src/x/y/a.test.ts",
            "lib/u.ts",
            "lib/u/v.ts",
            "other/a.ts",
            "srcx/a.ts",
        ] {
            assert_eq!(map.domain_of(path), reference(path), "{path}");
        }
    }
}
