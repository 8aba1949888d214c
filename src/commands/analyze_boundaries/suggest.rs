//! `--suggest`: domain boundaries proposed from the code itself. The folders
//! of business code (every folder not in a shared library or the data layer)
//! are the nodes; imports between their files and, when the history is read,
//! their change coupling are the edges; Louvain modularity groups them, and
//! each group becomes a `[domains]` entry of folder prefixes. Pure.
//!
//! Both layers are normalised to a total weight of 1 before they are added,
//! so a repository with many imports and few commits (or the reverse) is
//! still grouped by both.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::graph::{NO_FOLDER, WalkedFile};
use crate::repo::communities::{self, Graph};
use crate::repo::domains::{Role, names};

/// The folders in the suggestion's graph, and each walked file's folder.
#[derive(Debug, Default)]
pub struct Folders {
    /// Folder paths relative to the root, sorted; a folder's id is its place.
    pub paths: Vec<String>,
    /// Per walked file: its folder's id, or [`NO_FOLDER`] when its domain
    /// stays as configured (a shared library or the data layer).
    pub of_file: Vec<u32>,
    /// Folders holding files of the kept domains: no entry may swallow them.
    pub kept: Vec<String>,
}

/// The nodes: the folders of every file not in a shared or data domain.
#[must_use]
pub fn folders(files: &[WalkedFile], names: &[String], roles: &BTreeMap<String, Role>) -> Folders {
    let kept = |domain: Option<usize>| {
        domain.is_some_and(|d| {
            matches!(
                roles.get(&names[d]).copied().unwrap_or_default(),
                Role::Shared | Role::Data
            )
        })
    };
    let paths: BTreeSet<&str> = files
        .iter()
        .filter(|f| !kept(f.domain))
        .map(|f| folder_of(&f.path))
        .collect();
    let paths: Vec<String> = paths.into_iter().map(str::to_owned).collect();
    let ids = ids_by_path(&paths);
    let of_file = files
        .iter()
        .map(|f| {
            if kept(f.domain) {
                NO_FOLDER
            } else {
                ids[folder_of(&f.path)]
            }
        })
        .collect();
    let kept: BTreeSet<&str> = files
        .iter()
        .filter(|f| kept(f.domain))
        .map(|f| folder_of(&f.path))
        .collect();
    Folders {
        paths,
        of_file,
        kept: kept.into_iter().map(str::to_owned).collect(),
    }
}

/// Folder path → its id (its place in the sorted list).
fn ids_by_path(paths: &[String]) -> FxHashMap<&str, u32> {
    paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), u32::try_from(i).unwrap_or(NO_FOLDER)))
        .collect()
}

fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// The proposal and how it differs from the map in use.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// What the edges are: `imports`, or `imports and change coupling`.
    pub weights: &'static str,
    /// Folders grouped.
    pub folders: usize,
    /// Modularity of the proposal, and of the map in use on the same graph.
    pub modularity: f64,
    pub configured_modularity: f64,
    /// The proposed business domains: name → folder prefixes.
    pub domains: BTreeMap<String, Vec<String>>,
    /// Shared libraries and the data layer, kept as configured.
    pub kept: BTreeMap<String, Vec<String>>,
    /// Code lines the proposal puts in another domain than the map in use.
    pub moved_lines: usize,
    pub lines: usize,
    /// Where they go, largest first.
    pub moves: Vec<Move>,
}

/// Lines under a proposed prefix that the map in use puts elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    pub path: String,
    pub lines: usize,
    /// The domain in the map in use, `None` for unassigned code.
    pub from: Option<String>,
    pub to: String,
}

/// What the suggestion is made from.
pub struct Parts<'a> {
    pub files: &'a [WalkedFile],
    pub names: &'a [String],
    pub domain_paths: &'a BTreeMap<String, Vec<String>>,
    pub roles: &'a BTreeMap<String, Role>,
    pub folders: &'a Folders,
    pub imports: &'a FxHashMap<(u32, u32), usize>,
    /// Folder co-change weights from the history, by folder path.
    pub cochange: Option<&'a BTreeMap<(String, String), f64>>,
}

/// Groups the folders and writes the proposal.
#[must_use]
pub fn suggest(parts: &Parts<'_>) -> Suggestion {
    let nodes = parts.folders.paths.len();
    let (graph, weights) = weighted_graph(parts);
    let found = communities::louvain(&graph);
    let mut membership = found.membership;
    attach_isolated(&graph, &parts.folders.paths, &mut membership);
    let census = Census::new(parts, nodes);
    let names = community_names(&membership, &census, &parts.folders.paths);
    let entries = prefixes(&parts.folders.paths, &membership, parts.folders);
    let mut domains: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (prefix, community) in &entries {
        domains
            .entry(names[*community as usize].clone())
            .or_default()
            .push(prefix.clone());
    }
    let kept = parts
        .domain_paths
        .iter()
        .filter(|(name, _)| {
            matches!(
                parts.roles.get(*name).copied().unwrap_or_default(),
                Role::Shared | Role::Data
            )
        })
        .map(|(name, paths)| (name.clone(), paths.clone()))
        .collect();
    let moves = moves(&entries, &names, &census, &parts.folders.paths);
    Suggestion {
        weights,
        folders: nodes,
        modularity: round(graph.modularity(&membership)),
        configured_modularity: round(graph.modularity(&census.configured_membership())),
        domains,
        kept,
        moved_lines: moves.iter().map(|m| m.lines).sum(),
        lines: census.lines.iter().sum(),
        moves,
    }
}

fn round(q: f64) -> f64 {
    (q * 1000.0).round() / 1000.0
}

/// Imports and co-changes, each layer scaled to a total weight of 1.
fn weighted_graph(parts: &Parts<'_>) -> (Graph, &'static str) {
    #[allow(clippy::cast_precision_loss)] // import counts are far below 2^52
    let import_total = parts.imports.values().sum::<usize>() as f64;
    let mut edges: Vec<(u32, u32, f64)> = parts
        .imports
        .iter()
        .map(|(&(a, b), &n)| {
            #[allow(clippy::cast_precision_loss)]
            let w = n as f64 / import_total;
            (a, b, w)
        })
        .collect();
    let mut weights = "imports";
    if let Some(cochange) = parts.cochange {
        let ids = ids_by_path(&parts.folders.paths);
        let known: Vec<(u32, u32, f64)> = cochange
            .iter()
            .filter_map(|((a, b), w)| Some((*ids.get(a.as_str())?, *ids.get(b.as_str())?, *w)))
            .collect();
        let total: f64 = known.iter().map(|(_, _, w)| w).sum();
        if total > 0.0 {
            weights = "imports and change coupling";
            edges.extend(known.into_iter().map(|(a, b, w)| (a, b, w / total)));
        }
    }
    (Graph::new(parts.folders.paths.len(), edges), weights)
}

/// A folder with no edge at all goes with the closest enclosing folder's
/// largest group (by folders), so that it is not a domain of its own.
fn attach_isolated(graph: &Graph, paths: &[String], membership: &mut [u32]) {
    let isolated: Vec<bool> = (0..paths.len()).map(|n| graph.is_isolated(n)).collect();
    let mut under: FxHashMap<&str, BTreeMap<u32, usize>> = FxHashMap::default();
    for (n, path) in paths.iter().enumerate() {
        if !isolated[n] {
            for prefix in ancestors(path) {
                *under
                    .entry(prefix)
                    .or_default()
                    .entry(membership[n])
                    .or_default() += 1;
            }
        }
    }
    for (n, path) in paths.iter().enumerate() {
        if !isolated[n] {
            continue;
        }
        let group = ancestors(path).find_map(|prefix| {
            let counts = under.get(prefix)?;
            // The largest group; the lowest number on a tie.
            counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(c, _)| *c)
        });
        if let Some(group) = group {
            membership[n] = group;
        }
    }
}

/// `a/b/c`, `a/b`, `a`, then `` (the root).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(path);
    std::iter::from_fn(move || {
        let current = next?;
        next = if current.is_empty() {
            None
        } else {
            Some(folder_of(current))
        };
        Some(current)
    })
}

/// Code lines per folder, and per folder by the domain of the map in use.
struct Census {
    lines: Vec<usize>,
    /// Per folder: domain name (None = unassigned) → lines.
    by_domain: Vec<BTreeMap<Option<String>, usize>>,
}

impl Census {
    fn new(parts: &Parts<'_>, nodes: usize) -> Self {
        let mut census = Census {
            lines: vec![0; nodes],
            by_domain: vec![BTreeMap::new(); nodes],
        };
        for (file, &folder) in parts.files.iter().zip(&parts.folders.of_file) {
            if folder == NO_FOLDER {
                continue;
            }
            let domain = file.domain.map(|d| parts.names[d].clone());
            let code = usize::try_from(file.lines.code).unwrap_or(usize::MAX);
            census.lines[folder as usize] += code;
            *census.by_domain[folder as usize].entry(domain).or_default() += code;
        }
        census
    }

    /// The map in use as a partition: a folder goes with the domain holding
    /// most of its lines; unassigned folders stay alone.
    fn configured_membership(&self) -> Vec<u32> {
        let mut numbers: BTreeMap<&str, u32> = BTreeMap::new();
        let alone = u32::try_from(self.lines.len()).unwrap_or(NO_FOLDER);
        (0..self.lines.len())
            .map(|n| match self.main_domain(n) {
                Some(name) => {
                    let next = alone + u32::try_from(numbers.len()).unwrap_or(0);
                    *numbers.entry(name).or_insert(next)
                }
                None => u32::try_from(n).unwrap_or(NO_FOLDER),
            })
            .collect()
    }

    fn main_domain(&self, folder: usize) -> Option<&str> {
        self.by_domain[folder]
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .and_then(|(name, _)| name.as_deref())
    }
}

/// A name per group: the domain of the map in use that holds at least half
/// of its lines (largest share first, each name once), else a name from its
/// largest folder.
fn community_names(membership: &[u32], census: &Census, paths: &[String]) -> Vec<String> {
    let groups = membership
        .iter()
        .map(|&c| c as usize + 1)
        .max()
        .unwrap_or(0);
    let mut totals = vec![0usize; groups];
    let mut shares: BTreeMap<(u32, &str), usize> = BTreeMap::new();
    for (n, &c) in membership.iter().enumerate() {
        totals[c as usize] += census.lines[n];
        for (name, lines) in &census.by_domain[n] {
            if let Some(name) = name {
                *shares.entry((c, name.as_str())).or_default() += lines;
            }
        }
    }
    let mut ranked: Vec<((u32, &str), usize)> = shares
        .into_iter()
        .filter(|((c, _), lines)| lines * 2 >= totals[*c as usize])
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut names: Vec<Option<String>> = vec![None; groups];
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for ((c, name), _) in ranked {
        if names[c as usize].is_none() && !taken.contains(name) {
            names[c as usize] = Some(name.to_owned());
            taken.insert(name.to_owned());
        }
    }
    (0..groups)
        .map(|c| {
            names[c].clone().unwrap_or_else(|| {
                let base = folder_name(membership, census, paths, c);
                let mut name = base.clone();
                let mut n = 2;
                while taken.contains(&name) {
                    name = format!("{base}-{n}");
                    n += 1;
                }
                taken.insert(name.clone());
                name
            })
        })
        .collect()
}

/// A domain-like name from the group's folders, largest first: the last
/// segment of a path that names a domain (`src`, `lib`, `[id]` do not).
fn folder_name(membership: &[u32], census: &Census, paths: &[String], group: usize) -> String {
    let mut mine: Vec<usize> = (0..paths.len())
        .filter(|&n| membership[n] as usize == group)
        .collect();
    mine.sort_by(|&a, &b| {
        census.lines[b]
            .cmp(&census.lines[a])
            .then_with(|| a.cmp(&b))
    });
    mine.iter()
        .find_map(|&n| {
            paths[n]
                .rsplit('/')
                .find(|segment| names::key(segment).is_some())
                .map(names::display)
        })
        .unwrap_or_else(|| format!("group-{}", group + 1))
}

/// Folder prefixes per group, as few as the most-specific-wins map allows:
/// a folder whose whole subtree is one group is one entry; a mixed folder
/// with files of its own is an entry for its own group, deeper entries
/// taking their subtrees back.
fn prefixes(paths: &[String], membership: &[u32], folders: &Folders) -> Vec<(String, u32)> {
    // Every ancestor's state: the one group under it, or mixed (several,
    // or files of a kept domain).
    let mut state: BTreeMap<&str, Option<u32>> = BTreeMap::new();
    for (n, path) in paths.iter().enumerate() {
        for prefix in ancestors(path) {
            state
                .entry(prefix)
                .and_modify(|s| {
                    if *s != Some(membership[n]) {
                        *s = None;
                    }
                })
                .or_insert(Some(membership[n]));
        }
    }
    for path in &folders.kept {
        for prefix in ancestors(path) {
            state.insert(prefix, None);
        }
    }
    let own: FxHashMap<&str, u32> = paths
        .iter()
        .enumerate()
        .map(|(n, p)| (p.as_str(), membership[n]))
        .collect();
    let mut entries: Vec<(String, u32)> = Vec::new();
    let mut emitted: FxHashMap<&str, u32> = FxHashMap::default();
    // Shallow prefixes first, so each sees what its ancestors emitted.
    let mut order: Vec<&str> = state.keys().copied().collect();
    order.sort_by_key(|p| (depth(p), *p));
    for prefix in order {
        let inherited = ancestors(prefix)
            .skip(1)
            .find_map(|a| emitted.get(a).copied());
        let wanted = match state[prefix] {
            Some(group) => Some(group),
            None => own.get(prefix).copied(),
        };
        if let Some(group) = wanted
            && inherited != Some(group)
        {
            emitted.insert(prefix, group);
            let shown = if prefix.is_empty() { "." } else { prefix };
            entries.push((shown.to_owned(), group));
        }
    }
    entries.sort();
    entries
}

fn depth(path: &str) -> usize {
    if path.is_empty() {
        0
    } else {
        path.matches('/').count() + 1
    }
}

/// Per proposed entry, the lines the map in use puts in another domain.
fn moves(
    entries: &[(String, u32)],
    names: &[String],
    census: &Census,
    paths: &[String],
) -> Vec<Move> {
    let entry_of: FxHashMap<&str, (usize, u32)> = entries
        .iter()
        .enumerate()
        .map(|(i, (p, c))| (if p == "." { "" } else { p.as_str() }, (i, *c)))
        .collect();
    let mut lines: BTreeMap<(usize, Option<&str>), usize> = BTreeMap::new();
    for (n, path) in paths.iter().enumerate() {
        let Some((entry, group)) = ancestors(path).find_map(|a| entry_of.get(a).copied()) else {
            continue;
        };
        for (domain, count) in &census.by_domain[n] {
            if domain.as_deref() != Some(names[group as usize].as_str()) && *count > 0 {
                *lines.entry((entry, domain.as_deref())).or_default() += count;
            }
        }
    }
    let mut out: Vec<Move> = lines
        .into_iter()
        .map(|((entry, from), lines)| Move {
            path: entries[entry].0.clone(),
            lines,
            from: from.map(str::to_owned),
            to: names[entries[entry].1 as usize].clone(),
        })
        .collect();
    out.sort_by(|a, b| b.lines.cmp(&a.lines).then_with(|| a.path.cmp(&b.path)));
    out
}

impl Suggestion {
    /// The proposal as a `[domains]` table to paste into skillsctl.toml.
    #[must_use]
    pub fn toml(&self) -> String {
        let mut table = toml_edit::Table::new();
        for (name, paths) in self.domains.iter().chain(&self.kept) {
            let array: toml_edit::Array = paths.iter().map(String::as_str).collect();
            table.insert(name, toml_edit::value(array));
        }
        let mut doc = toml_edit::DocumentMut::new();
        doc.insert("domains", toml_edit::Item::Table(table));
        doc.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::loc::{Language, LineCounts};

    fn file(path: &str, domain: Option<usize>, code: u64) -> WalkedFile {
        WalkedFile {
            path: path.to_owned(),
            language: Language::TypeScript,
            domain,
            lines: LineCounts {
                code,
                ..LineCounts::default()
            },
            imports: Vec::new(),
            parse_failed: false,
            models: BTreeSet::new(),
        }
    }

    /// A folder with files of one group whose subfolder is another group is
    /// an entry of its own, the subfolder a longer one; a folder with no
    /// edges joins its enclosing folder's group; the kept library is left out.
    #[test]
    fn mixed_folders_isolated_folders_and_kept_libraries() {
        let names = vec!["app".to_owned(), "ui".to_owned()];
        let mut roles = BTreeMap::new();
        roles.insert("ui".to_owned(), Role::Shared);
        let files = vec![
            file("app/page.ts", Some(0), 10),
            file("app/checkout/cart.ts", Some(0), 10),
            file("app/billing/pay.ts", Some(0), 40),
            file("app/billing/tax/vat.ts", Some(0), 5),
            file("app/billing/old/legacy.ts", Some(0), 3),
            file("app/ui/button.ts", Some(1), 50),
        ];
        let folders = folders(&files, &names, &roles);
        assert_eq!(
            folders.paths,
            [
                "app",
                "app/billing",
                "app/billing/old",
                "app/billing/tax",
                "app/checkout"
            ]
        );
        assert_eq!(folders.of_file[5], NO_FOLDER);
        assert_eq!(folders.kept, ["app/ui"]);
        // app–checkout and billing–tax import each other; old has no edge.
        let imports: FxHashMap<(u32, u32), usize> =
            [((0, 4), 3), ((1, 3), 3), ((0, 0), 1), ((1, 1), 1)]
                .into_iter()
                .collect();
        let mut domain_paths = BTreeMap::new();
        domain_paths.insert("app".to_owned(), vec!["app".to_owned()]);
        domain_paths.insert("ui".to_owned(), vec!["app/ui".to_owned()]);
        let s = suggest(&Parts {
            files: &files,
            names: &names,
            domain_paths: &domain_paths,
            roles: &roles,
            folders: &folders,
            imports: &imports,
            cochange: None,
        });
        // billing holds 48 of app's 68 lines, so its group is `app`; the
        // other is named from its largest folder that names a domain.
        assert_eq!(s.domains["app"], ["app/billing"]);
        assert_eq!(s.domains["checkout"], ["app"]);
        assert_eq!(s.domains.len(), 2);
        assert_eq!(s.kept["ui"], ["app/ui"]);
        assert_eq!(s.moved_lines, 20);
        assert_eq!(s.lines, 68);
        assert_eq!(
            s.moves,
            [Move {
                path: "app".into(),
                lines: 20,
                from: Some("app".into()),
                to: "checkout".into()
            }]
        );
    }

    #[test]
    fn change_coupling_joins_folders_no_import_links() {
        let names = vec!["a".to_owned(), "b".to_owned()];
        let roles = BTreeMap::new();
        let files = vec![
            file("a/x.ts", Some(0), 10),
            file("b/y.ts", Some(1), 10),
            file("c/z.ts", None, 10),
            file("d/w.ts", None, 10),
        ];
        let folders = folders(&files, &names, &roles);
        let imports: FxHashMap<(u32, u32), usize> = [((0, 1), 5)].into_iter().collect();
        let mut cochange = BTreeMap::new();
        cochange.insert(("c".to_owned(), "d".to_owned()), 4.0);
        cochange.insert(("gone".to_owned(), "c".to_owned()), 9.0);
        let s = suggest(&Parts {
            files: &files,
            names: &names,
            domain_paths: &BTreeMap::new(),
            roles: &roles,
            folders: &folders,
            imports: &imports,
            cochange: Some(&cochange),
        });
        assert_eq!(s.weights, "imports and change coupling");
        assert_eq!(s.domains.len(), 2, "{:?}", s.domains);
        let ab = s
            .domains
            .values()
            .find(|p| p.contains(&"a".to_owned()))
            .unwrap();
        assert_eq!(ab, &["a", "b"]);
        let cd = s
            .domains
            .values()
            .find(|p| p.contains(&"c".to_owned()))
            .unwrap();
        assert_eq!(cd, &["c", "d"]);
        // Two equal halves, each all inside: 2 · (1/2 − 1/4).
        assert!((s.modularity - 0.5).abs() < 1e-12);
    }
}
