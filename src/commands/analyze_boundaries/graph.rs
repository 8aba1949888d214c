//! The import graph between domains: every walked file's imports resolved on
//! all cores (one [`TreeResolver`] per thread over a shared [`FileIndex`]),
//! summed per domain pair, with the edges that cross a domain's boundary and
//! the packages each domain imports. Pure apart from the resolvers' lookups.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::imports::{self, EdgeKind, FileIndex, RawImport, Resolved, Target, TreeResolver};
use super::loc::{Language, LineCounts};
use super::rust;
use crate::repo::domains::DomainMap;

/// What the walk learned about one file.
pub struct WalkedFile {
    /// Relative to the analysed root, with `/`.
    pub path: String,
    pub language: Language,
    /// Index into [`DomainMap::names`]; `None` for shared/unassigned files.
    pub domain: Option<usize>,
    pub lines: LineCounts,
    pub imports: Vec<RawImport>,
    pub parse_failed: bool,
    pub models: BTreeSet<String>,
}

/// Where a crossing edge leads.
#[derive(Debug, Clone)]
pub enum EdgeTarget {
    File(u32),
    Path(String),
}

/// One import whose two ends are in different domains.
#[derive(Debug, Clone)]
pub struct Crossing {
    /// The importing file, by its index in the walked files.
    pub file: u32,
    pub line: usize,
    pub kind: EdgeKind,
    pub target: EdgeTarget,
    pub from: usize,
    pub to: usize,
}

/// The domain graph of one tree.
#[derive(Debug, Default)]
pub struct DomainGraph {
    /// (from, to) → edge kind → imports, domains by index.
    pub edges: BTreeMap<(usize, usize), BTreeMap<EdgeKind, usize>>,
    /// Every crossing edge, in file order and line order within a file (each
    /// file's imports come in line order).
    pub crossings: Vec<Crossing>,
    /// Per domain: packages it imports (npm names, `node:` built-ins excluded).
    pub packages: Vec<BTreeSet<String>>,
}

/// How Rust paths resolve: the root and the workspace's crates.
pub struct RustWorkspace<'a> {
    pub root: &'a Path,
    /// Crate name with `_` → its `src` folder, relative to the root.
    pub crates: &'a [(String, PathBuf)],
}

/// Resolves the imports of `files` (sorted by path) on `threads` threads.
#[must_use]
pub fn build(
    files: &[WalkedFile],
    map: &DomainMap,
    resolver: &imports::ImportResolver,
    rust_workspace: &RustWorkspace<'_>,
    threads: usize,
) -> DomainGraph {
    let index = FileIndex::new(files.iter().map(|f| f.path.as_str()));
    let domains = map.names().len();
    let chunk = files.len().div_ceil(threads.max(1)).max(1);
    let partials: Vec<DomainGraph> = std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                let index = &index;
                scope.spawn(move || {
                    let offset = u32::try_from(n * chunk).unwrap_or(u32::MAX);
                    resolve_part(
                        part,
                        offset,
                        files,
                        index,
                        map,
                        resolver,
                        rust_workspace,
                        domains,
                    )
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut graph = DomainGraph {
        packages: vec![BTreeSet::new(); domains],
        ..DomainGraph::default()
    };
    // Parts are contiguous and joined in order, so crossings stay in file order.
    for part in partials {
        for (pair, kinds) in part.edges {
            let sum = graph.edges.entry(pair).or_default();
            for (kind, n) in kinds {
                *sum.entry(kind).or_default() += n;
            }
        }
        graph.crossings.extend(part.crossings);
        for (all, mine) in graph.packages.iter_mut().zip(part.packages) {
            all.extend(mine);
        }
    }
    graph
}

#[allow(clippy::too_many_arguments)] // one thread's share of `build`
fn resolve_part(
    part: &[WalkedFile],
    offset: u32,
    files: &[WalkedFile],
    index: &FileIndex<'_>,
    map: &DomainMap,
    resolver: &imports::ImportResolver,
    rust_workspace: &RustWorkspace<'_>,
    domains: usize,
) -> DomainGraph {
    let mut tree = TreeResolver::new(resolver, index);
    let mut edges: FxHashMap<(usize, usize, EdgeKind), usize> = FxHashMap::default();
    let mut crossings = Vec::new();
    let mut packages = vec![BTreeSet::new(); domains];
    for (file, n) in part.iter().zip(offset..) {
        let Some(from) = file.domain else {
            continue;
        };
        for import in &file.imports {
            let destination = if file.language == Language::Rust {
                let target = rust::resolve(
                    rust_workspace.root,
                    &file.path,
                    &import.specifier,
                    rust_workspace.crates,
                );
                Resolved::from_target(target, index)
            } else {
                tree.resolve(&file.path, &import.specifier)
            };
            let (to, target) = match destination {
                Resolved::File(found) => (files[found as usize].domain, EdgeTarget::File(found)),
                Resolved::Other(Target::Internal(path)) => {
                    (map.index_of(&path), EdgeTarget::Path(path))
                }
                Resolved::Other(Target::External(package)) => {
                    if !package.starts_with("node:") && !package.starts_with("std:") {
                        packages[from].insert(package);
                    }
                    continue;
                }
                Resolved::Other(Target::Unresolved) => continue,
            };
            let Some(to) = to.filter(|&to| to != from) else {
                continue;
            };
            *edges.entry((from, to, import.kind)).or_default() += 1;
            crossings.push(Crossing {
                file: n,
                line: import.line,
                kind: import.kind,
                target,
                from,
                to,
            });
        }
    }
    let mut grouped: BTreeMap<(usize, usize), BTreeMap<EdgeKind, usize>> = BTreeMap::new();
    for ((from, to, kind), n) in edges {
        *grouped
            .entry((from, to))
            .or_default()
            .entry(kind)
            .or_default() += n;
    }
    DomainGraph {
        edges: grouped,
        crossings,
        packages,
    }
}
