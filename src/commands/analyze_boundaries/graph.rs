//! The import graph between domains: every walked file's imports resolved on
//! all cores (one [`TreeResolver`] per thread over a shared [`FileIndex`]),
//! summed per domain pair, with the edges that cross a domain's boundary and
//! the packages each domain imports. Pure apart from the resolvers' lookups.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::repo::domains::DomainMap;
use crate::repo::imports::{
    self, EdgeKind, FileIndex, RawImport, Resolved, Target, TreeResolver, rust,
};
use crate::repo::loc::{Language, LineCounts};
use crate::repo::signals;

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
    /// Imports of domain files that lead to no file of the repository, by reason.
    pub unresolved: BTreeMap<&'static str, usize>,
    /// Imports that name a workspace package (or its scope), and of those the
    /// ones that led nowhere.
    pub workspace_imports: usize,
    pub workspace_unresolved: usize,
    /// Per domain: test files in it, plus test files elsewhere importing it.
    pub test_files: Vec<usize>,
    /// Per domain: the first logger, metrics or tracing module or package
    /// it imports.
    pub monitoring: Vec<Option<String>>,
    /// With `--suggest`: (folder, folder) → imports between their files
    /// (smaller id first; a folder with itself for imports inside it).
    pub folder_edges: FxHashMap<(u32, u32), usize>,
}

/// How Rust paths resolve: the root and the workspace's crates.
pub struct RustWorkspace<'a> {
    pub root: &'a Path,
    /// Crate name with `_` → its `src` folder, relative to the root.
    pub crates: &'a [(String, PathBuf)],
}

/// Files handed to a resolving thread at a time: small enough that the
/// threads finish together, large enough that taking work costs nothing.
const CHUNK_FILES: usize = 128;

/// Resolves the imports of `files` (sorted by path) on `threads` threads, the
/// calling thread among them. Threads take chunks of files as they go, so a
/// thread with costly files does not leave the others waiting.
#[must_use]
pub fn build(
    files: &[WalkedFile],
    map: &DomainMap,
    resolver: &imports::ImportResolver,
    rust_workspace: &RustWorkspace<'_>,
    folders: Option<&[u32]>,
    threads: usize,
) -> DomainGraph {
    let index = FileIndex::new(files.iter().map(|f| f.path.as_str()));
    resolver.walked(files.iter().map(|f| f.path.as_str()));
    let domains = map.names().len();
    let next_chunk = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut tree = TreeResolver::new(resolver, &index);
        let mut share = Share::new(domains);
        loop {
            let chunk = next_chunk.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let start = chunk * CHUNK_FILES;
            if start >= files.len() {
                break;
            }
            let end = (start + CHUNK_FILES).min(files.len());
            let crossings = resolve_chunk(
                start..end,
                &Ends {
                    files,
                    index: &index,
                    map,
                    rust_workspace,
                    folders,
                },
                &mut tree,
                &mut share,
            );
            share.crossings.push((chunk, crossings));
        }
        share
    };
    let shares: Vec<Share> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.max(1)).map(|_| scope.spawn(work)).collect();
        let mut shares = vec![work()];
        shares.extend(helpers.into_iter().map(|helper| {
            helper
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }));
        shares
    });
    let mut graph = DomainGraph {
        packages: vec![BTreeSet::new(); domains],
        test_files: vec![0; domains],
        ..DomainGraph::default()
    };
    let mut monitoring: Vec<Option<(usize, String)>> = vec![None; domains];
    let mut chunks = Vec::new();
    for share in shares {
        for ((from, to, kind), n) in share.edges {
            *graph
                .edges
                .entry((from, to))
                .or_default()
                .entry(kind)
                .or_default() += n;
        }
        for (all, mine) in graph.packages.iter_mut().zip(share.packages) {
            all.extend(mine);
        }
        for (pair, n) in share.folder_edges {
            *graph.folder_edges.entry(pair).or_default() += n;
        }
        for (reason, n) in share.unresolved {
            *graph.unresolved.entry(reason).or_default() += n;
        }
        graph.workspace_imports += share.workspace_imports;
        graph.workspace_unresolved += share.workspace_unresolved;
        for (all, mine) in graph.test_files.iter_mut().zip(share.test_files) {
            *all += mine;
        }
        // The first in file order, whichever thread found it.
        for (all, mine) in monitoring.iter_mut().zip(share.monitoring) {
            if let Some((n, found)) = mine
                && all.as_ref().is_none_or(|(m, _)| n < *m)
            {
                *all = Some((n, found));
            }
        }
        chunks.extend(share.crossings);
    }
    graph.monitoring = monitoring
        .into_iter()
        .map(|first| first.map(|(_, found)| found))
        .collect();
    // Chunks in file order keep the crossings in file order.
    chunks.sort_unstable_by_key(|(chunk, _)| *chunk);
    graph.crossings = chunks.into_iter().flat_map(|(_, c)| c).collect();
    graph
}

/// What one resolving thread gathered.
struct Share {
    edges: FxHashMap<(usize, usize, EdgeKind), usize>,
    packages: Vec<BTreeSet<String>>,
    unresolved: BTreeMap<&'static str, usize>,
    workspace_imports: usize,
    workspace_unresolved: usize,
    /// Crossing edges by chunk number.
    crossings: Vec<(usize, Vec<Crossing>)>,
    test_files: Vec<usize>,
    /// (importing file's index, what it imports) per domain.
    monitoring: Vec<Option<(usize, String)>>,
    folder_edges: FxHashMap<(u32, u32), usize>,
}

impl Share {
    fn new(domains: usize) -> Self {
        Share {
            edges: FxHashMap::default(),
            packages: vec![BTreeSet::new(); domains],
            unresolved: BTreeMap::new(),
            workspace_imports: 0,
            workspace_unresolved: 0,
            crossings: Vec::new(),
            test_files: vec![0; domains],
            monitoring: vec![None; domains],
            folder_edges: FxHashMap::default(),
        }
    }

    /// An import from file `from` to file `to`, for `--suggest`'s folder graph.
    fn folder_edge(&mut self, folders: Option<&[u32]>, from: usize, to: u32) {
        if let Some(folders) = folders {
            let (a, b) = (folders[from], folders[to as usize]);
            if a != NO_FOLDER && b != NO_FOLDER {
                *self.folder_edges.entry((a.min(b), a.max(b))).or_default() += 1;
            }
        }
    }
}

/// A file outside `--suggest`'s folder graph.
pub const NO_FOLDER: u32 = u32::MAX;

/// What resolution looks up: the walked files and where their imports may lead.
struct Ends<'a> {
    files: &'a [WalkedFile],
    index: &'a FileIndex<'a>,
    map: &'a DomainMap,
    rust_workspace: &'a RustWorkspace<'a>,
    /// Per file: its folder in `--suggest`'s graph, or [`NO_FOLDER`].
    folders: Option<&'a [u32]>,
}

/// Resolves the imports of `files[range]`, adding to `share`'s edge counts
/// and packages; returns the chunk's crossing edges in file order.
fn resolve_chunk(
    range: std::ops::Range<usize>,
    ends: &Ends<'_>,
    tree: &mut TreeResolver<'_>,
    share: &mut Share,
) -> Vec<Crossing> {
    let Ends {
        files,
        index,
        map,
        rust_workspace,
        folders,
    } = *ends;
    let mut crossings = Vec::new();
    for n in range {
        let file = &files[n];
        let is_test = signals::is_test_path(&file.path);
        let Some(from) = file.domain else {
            let in_folders = folders.is_some_and(|f| f[n] != NO_FOLDER);
            if is_test || in_folders {
                unassigned_file(n, ends, is_test, tree, share);
            }
            continue;
        };
        share.test_files[from] += usize::from(is_test);
        let folder = imports::folder_of(&file.path);
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
                tree.resolve(&file.path, folder, &import.specifier)
            };
            let workspace = file.language != Language::Rust
                && !import.specifier.starts_with('.')
                && tree.resolver().looks_like_workspace(&import.specifier);
            share.workspace_imports += usize::from(workspace);
            if share.monitoring[from].is_none() {
                let monitoring = match &destination {
                    Resolved::File(found) => Some(&files[*found as usize].path)
                        .filter(|p| signals::is_monitoring_path(p)),
                    Resolved::Other(Target::External(package)) => {
                        Some(package).filter(|p| signals::is_monitoring_package(p))
                    }
                    Resolved::Other(_) => None,
                };
                share.monitoring[from] = monitoring.map(|m| (n, m.clone()));
            }
            let (to, target) = match destination {
                Resolved::File(found) => {
                    share.folder_edge(folders, n, found);
                    (files[found as usize].domain, EdgeTarget::File(found))
                }
                Resolved::Other(Target::Internal(path)) => {
                    (map.index_of(&path), EdgeTarget::Path(path))
                }
                Resolved::Other(Target::External(_)) if workspace => {
                    share.workspace_unresolved += 1;
                    *share
                        .unresolved
                        .entry("unknown workspace name or subpath")
                        .or_default() += 1;
                    continue;
                }
                Resolved::Other(Target::External(package)) => {
                    if !package.starts_with("node:") && !package.starts_with("std:") {
                        share.packages[from].insert(package);
                    }
                    *share.unresolved.entry("external package").or_default() += 1;
                    continue;
                }
                Resolved::Other(Target::Unresolved) => {
                    let reason =
                        if import.specifier.starts_with('.') || import.specifier.starts_with('/') {
                            "missing file"
                        } else if workspace {
                            share.workspace_unresolved += 1;
                            "unknown workspace name or subpath"
                        } else {
                            "unresolved alias"
                        };
                    *share.unresolved.entry(reason).or_default() += 1;
                    continue;
                }
            };
            let Some(to) = to.filter(|&to| to != from) else {
                continue;
            };
            *share.edges.entry((from, to, import.kind)).or_default() += 1;
            crossings.push(Crossing {
                file: u32::try_from(n).unwrap_or(u32::MAX),
                line: import.line,
                kind: import.kind,
                target,
                from,
                to,
            });
        }
    }
    crossings
}

/// A file outside every domain: a test file counts once for each domain it
/// imports, and its imports join `--suggest`'s folder graph.
fn unassigned_file(
    n: usize,
    ends: &Ends<'_>,
    is_test: bool,
    tree: &mut TreeResolver<'_>,
    share: &mut Share,
) {
    let file = &ends.files[n];
    if file.language == Language::Rust {
        return;
    }
    let folder = imports::folder_of(&file.path);
    let mut tested = BTreeSet::new();
    for import in &file.imports {
        if let Resolved::File(found) = tree.resolve(&file.path, folder, &import.specifier) {
            share.folder_edge(ends.folders, n, found);
            if let Some(domain) = ends.files[found as usize].domain
                && is_test
            {
                tested.insert(domain);
            }
        }
    }
    for domain in tested {
        share.test_files[domain] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Enough files for many chunks on several threads: the edges still come
    /// out summed, and the crossings in file and line order.
    #[test]
    fn chunks_on_threads_keep_file_order() {
        let root = tempfile::tempdir().unwrap();
        let mut domains = BTreeMap::new();
        domains.insert("a".to_owned(), vec!["a".to_owned()]);
        domains.insert("b".to_owned(), vec!["b".to_owned()]);
        let map = DomainMap::new(&domains).unwrap();
        let import = |specifier: &str, line| RawImport {
            specifier: specifier.into(),
            kind: EdgeKind::Static,
            line,
            span: None,
        };
        let mut files: Vec<WalkedFile> = (0..700)
            .map(|n| {
                let (path, imports) = if n % 2 == 0 {
                    let target = format!("../b/f{:03}", n + 1);
                    (
                        format!("a/f{n:03}.ts"),
                        vec![import(&target, 1), import(&target, 7)],
                    )
                } else {
                    (format!("b/f{n:03}.ts"), vec![import("./local", 2)])
                };
                WalkedFile {
                    domain: map.index_of(&path),
                    path,
                    language: Language::TypeScript,
                    lines: LineCounts::default(),
                    imports,
                    parse_failed: false,
                    models: BTreeSet::new(),
                }
            })
            .collect();
        files.sort_by(|x, y| x.path.cmp(&y.path));
        let resolver = imports::ImportResolver::new(root.path(), Vec::new());
        let workspace = RustWorkspace {
            root: root.path(),
            crates: &[],
        };
        for threads in [1, 3] {
            let graph = build(&files, &map, &resolver, &workspace, None, threads);
            assert_eq!(graph.edges[&(0, 1)][&EdgeKind::Static], 700);
            assert_eq!(graph.crossings.len(), 700);
            let order: Vec<(u32, usize)> =
                graph.crossings.iter().map(|c| (c.file, c.line)).collect();
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(order, sorted, "{threads} threads");
            let first = &graph.crossings[0];
            assert!(
                matches!(first.target, EdgeTarget::File(f) if files[f as usize].path == "b/f001.ts")
            );
        }
    }
}
