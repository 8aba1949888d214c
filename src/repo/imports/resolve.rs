//! Where an import leads: tsconfig `paths`/`baseUrl`/`extends` and
//! package.json `exports` through oxc_resolver, workspace package names, and a
//! fast path from the index of walked files for relative imports and aliases.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::links::WorkspaceLinks;

/// Where an import leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file in the repository, relative to the root.
    Internal(String),
    /// An npm package (name only) or a Node built-in (`node:fs`).
    External(String),
    Unresolved,
}

/// Resolves specifiers like TypeScript and bundlers do.
pub struct ImportResolver {
    resolver: oxc_resolver::ResolverGeneric<WorkspaceLinks>,
    /// Shared with the resolver's file system: see [`ImportResolver::walked`].
    walked: super::links::WalkedFiles,
    root: PathBuf,
    workspace: Vec<WorkspacePackage>,
    /// The root package.json's `name`: a package may import itself by it.
    root_name: Option<String>,
    /// Whether a `node_modules` is in a folder above the root.
    node_modules_above_root: bool,
}

/// A workspace package, for imports of its name when no node_modules link
/// exists (a fresh clone, CI before `npm ci`): its folder, and its
/// package.json `exports` as (subpath or `*` pattern, target) pairs, with
/// `main`/`types`/`src/index.ts` as `.` when it has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspacePackage {
    pub name: String,
    /// Absolute.
    pub dir: PathBuf,
    pub exports: Vec<(String, String)>,
}

impl WorkspacePackage {
    /// Where `subpath` (`.` or `./x/y`) leads, as the package's exports say.
    fn target(&self, subpath: &str) -> Option<String> {
        for (pattern, target) in &self.exports {
            if pattern == subpath {
                return Some(target.clone());
            }
            if let Some((before, after)) = pattern.split_once('*')
                && let Some(middle) = subpath
                    .strip_prefix(before)
                    .and_then(|rest| rest.strip_suffix(after))
            {
                return Some(target.replacen('*', middle, 1));
            }
        }
        // No `exports`: any file of the package by its path.
        (self.exports.iter().all(|(p, _)| p == ".") && subpath != ".").then(|| subpath.to_owned())
    }

    /// The file `subpath` names: the target itself, with an extension, as a
    /// folder's index, or, for a build output that a fresh clone lacks
    /// (`./dist/x.js`), the source beside it (`./src/x.ts`).
    fn resolve(&self, subpath: &str) -> Option<PathBuf> {
        let target = self.target(subpath)?;
        let mut candidates = vec![target.clone()];
        for built in ["dist/", "build/", "lib/"] {
            if target.contains(built) {
                candidates.push(target.replacen(built, "src/", 1));
            }
            // `dist/src/x` built from the package's own tree (rootDir at the package).
            if let Some(rest) = target.trim_start_matches("./").strip_prefix(built) {
                candidates.push(format!("./{rest}"));
            }
        }
        if !target.starts_with("./src/") && self.exports.iter().all(|(p, _)| p == ".") {
            candidates.push(format!("./src/{}", target.trim_start_matches("./")));
        }
        for candidate in candidates {
            let base = self.dir.join(candidate.trim_start_matches("./"));
            let stem = base.to_string_lossy();
            let stem = stem
                .strip_suffix(".d.ts")
                .or_else(|| stem.strip_suffix(".js"))
                .or_else(|| stem.strip_suffix(".mjs"))
                .or_else(|| stem.strip_suffix(".cjs"))
                .unwrap_or(&stem)
                .to_owned();
            for suffix in CANDIDATE_SUFFIXES {
                let path = if suffix.is_empty() {
                    base.clone()
                } else {
                    PathBuf::from(format!("{stem}{suffix}"))
                };
                if path.is_file() {
                    return Some(path);
                }
            }
        }
        None
    }
}

const NODE_BUILTINS: &[&str] = &[
    "assert",
    "buffer",
    "child_process",
    "crypto",
    "dns",
    "events",
    "fs",
    "http",
    "https",
    "net",
    "os",
    "path",
    "process",
    "querystring",
    "readline",
    "stream",
    "string_decoder",
    "timers",
    "tls",
    "url",
    "util",
    "worker_threads",
    "zlib",
];

impl ImportResolver {
    #[must_use]
    pub fn new(root: &Path, workspace: Vec<WorkspacePackage>) -> Self {
        let options = oxc_resolver::ResolveOptions {
            tsconfig: Some(oxc_resolver::TsconfigDiscovery::Auto),
            extensions: [
                ".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".json",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
            extension_alias: vec![(
                ".js".into(),
                vec![".ts".into(), ".tsx".into(), ".js".into()],
            )],
            condition_names: ["types", "import", "require", "node", "default"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            main_fields: ["types", "module", "main"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            ..oxc_resolver::ResolveOptions::default()
        };
        let links = WorkspaceLinks::new(
            root,
            workspace.iter().map(|p| (p.name.as_str(), p.dir.as_path())),
        );
        let walked = links.walked.clone();
        let root_name = std::fs::read_to_string(root.join("package.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|manifest| manifest.get("name")?.as_str().map(str::to_owned));
        let node_modules_above_root = root
            .ancestors()
            .skip(1)
            .any(|dir| std::fs::symlink_metadata(dir.join("node_modules")).is_ok());
        ImportResolver {
            resolver: oxc_resolver::ResolverGeneric::new_with_file_system(links, options),
            walked,
            root: root.to_path_buf(),
            workspace,
            root_name,
            node_modules_above_root,
        }
    }

    /// Tells the resolver which files the walk read (relative to the root),
    /// so that it asks the system nothing about paths inside them. Once per
    /// resolver; a second call changes nothing.
    pub fn walked(&self, paths: impl IntoIterator<Item = impl AsRef<str>>) {
        let files = paths
            .into_iter()
            .map(|path| self.root.join(path.as_ref()))
            .collect();
        let _ = self.walked.set(files);
    }

    /// Whether a bare specifier names a workspace package, or one in a
    /// workspace package's npm scope (`@x/…` when `@x/ui` is one). No
    /// allocation: it runs for every bare import of the tree.
    #[must_use]
    pub fn looks_like_workspace(&self, specifier: &str) -> bool {
        let scope = specifier
            .starts_with('@')
            .then(|| specifier.split('/').next().unwrap_or(specifier));
        self.workspace.iter().any(|p| {
            let named = specifier == p.name
                || specifier
                    .strip_prefix(p.name.as_str())
                    .is_some_and(|rest| rest.starts_with('/'));
            named
                || scope.is_some_and(|scope| {
                    p.name
                        .strip_prefix(scope)
                        .is_some_and(|rest| rest.starts_with('/'))
                })
        })
    }

    /// The tsconfig that owns the file at the absolute path `from`, with its
    /// `extends` applied; `None` without one (or when it does not load, which
    /// full resolution then reports in its own way).
    #[must_use]
    pub fn tsconfig_for(&self, from: &Path) -> Option<std::sync::Arc<oxc_resolver::TsConfig>> {
        self.resolver.find_tsconfig(from).ok().flatten()
    }

    /// Resolves `specifier` as imported from the absolute path `from`.
    #[must_use]
    pub fn resolve(&self, from: &Path, specifier: &str) -> Target {
        if let Ok(resolution) = self.resolver.resolve_file(from, specifier) {
            let path = resolution.path();
            if path.components().any(|c| c.as_os_str() == "node_modules") {
                return Target::External(package_name(specifier));
            }
            if let Ok(rel) = path.strip_prefix(&self.root) {
                return Target::Internal(rel.to_string_lossy().replace('\\', "/"));
            }
            return Target::External(package_name(specifier));
        }
        // Workspace packages without node_modules links: through their exports.
        for package in &self.workspace {
            let subpath = if specifier == package.name {
                ".".to_owned()
            } else if let Some(rest) = specifier
                .strip_prefix(package.name.as_str())
                .and_then(|r| r.strip_prefix('/'))
            {
                format!("./{rest}")
            } else {
                continue;
            };
            if let Some(file) = package.resolve(&subpath)
                && let Ok(rel) = file.strip_prefix(&self.root)
            {
                return Target::Internal(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        if specifier.starts_with('.') || specifier.starts_with('/') {
            return Target::Unresolved;
        }
        Self::unfound_bare(specifier)
    }

    /// What a bare specifier that leads to no file is: a Node built-in, an
    /// unmapped `@/` or `~/` alias, or a package that is not installed.
    fn unfound_bare(specifier: &str) -> Target {
        let name = package_name(specifier);
        if name.starts_with("node:") || NODE_BUILTINS.contains(&name.as_str()) {
            return Target::External(format!("node:{}", name.trim_start_matches("node:")));
        }
        if specifier.starts_with("@/") || specifier.starts_with("~/") {
            return Target::Unresolved;
        }
        Target::External(name)
    }
}

/// `@scope/name/sub` → `@scope/name`; `name/sub` → `name`.
#[must_use]
pub fn package_name(specifier: &str) -> String {
    let mut parts = specifier.split('/');
    match (parts.next(), parts.next()) {
        (Some(scope), Some(name)) if scope.starts_with('@') => format!("{scope}/{name}"),
        (Some(first), _) => first.to_owned(),
        _ => specifier.to_owned(),
    }
}

/// The files of one walk, by path, so that resolution needs no file-system
/// calls for them. Built once and shared by every resolving thread.
pub struct FileIndex<'a> {
    by_path: FxHashMap<&'a str, u32>,
}

impl<'a> FileIndex<'a> {
    /// Indexes `paths` (relative to the root) by their position.
    #[must_use]
    pub fn new(paths: impl IntoIterator<Item = &'a str>) -> Self {
        FileIndex {
            by_path: paths
                .into_iter()
                .zip(0..)
                .collect::<FxHashMap<&'a str, u32>>(),
        }
    }

    /// The position of `path` in the walk, if it was walked.
    #[must_use]
    pub fn get(&self, path: &str) -> Option<u32> {
        self.by_path.get(path).copied()
    }
}

/// Where an import leads, as seen by the tree-wide pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A walked file, by its position in the [`FileIndex`].
    File(u32),
    /// Anything else: a package, an unwalked file, nothing.
    Other(Target),
}

impl Resolved {
    /// A resolver's answer, with walked files turned into their positions.
    #[must_use]
    pub fn from_target(target: Target, files: &FileIndex<'_>) -> Self {
        match target {
            Target::Internal(path) => files
                .get(&path)
                .map_or(Resolved::Other(Target::Internal(path)), Resolved::File),
            other => Resolved::Other(other),
        }
    }
}

/// Resolution for a whole tree after the walk: relative specifiers are looked
/// up in the set of files walked (no file-system calls), everything else goes
/// to the resolver once per (tsconfig/package scope, specifier). One per
/// thread: the caches are its own, the file index is shared.
pub struct TreeResolver<'a> {
    resolver: &'a ImportResolver,
    files: &'a FileIndex<'a>,
    /// Folder → its scope's number.
    scopes: FxHashMap<String, usize>,
    /// Per scope number: specifier → resolution.
    cache: Vec<FxHashMap<String, Resolved>>,
    /// Scope folder → its number.
    scope_numbers: FxHashMap<String, usize>,
    /// Per scope number: its folder, and how its bare specifiers resolve.
    scope_folders: Vec<String>,
    scope_configs: Vec<std::cell::OnceCell<ScopeConfig>>,
    /// Per-file scopes: (scope, the file's own tsconfig) → its cache in
    /// `file_caches`. Files that a tsconfig's `include` picks resolve alike.
    file_scopes: FxHashMap<(usize, Option<PathBuf>), usize>,
    file_caches: Vec<FxHashMap<String, Resolved>>,
    /// The last file of a per-file scope, its tsconfig and cache: a file's
    /// imports come one after another, so its tsconfig is looked up once.
    last_file: Option<(
        String,
        Option<std::sync::Arc<oxc_resolver::TsConfig>>,
        usize,
    )>,
    candidate: String,
    /// Folder → whether a `node_modules` lies at or above it.
    node_modules: FxHashMap<String, bool>,
    /// Folder → its entries' names in lower case (`None`: not readable).
    listings: FxHashMap<PathBuf, Option<Vec<String>>>,
}

/// Which cache a resolution goes to.
#[derive(Clone, Copy)]
enum Slot {
    Scope(usize),
    File(usize),
}

/// The extensions the resolver tries on a file, in its order.
const FILE_SUFFIXES: &[&str] = &["", ".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs"];

const CANDIDATE_SUFFIXES: &[&str] = &[
    "",
    ".ts",
    ".tsx",
    ".d.ts",
    ".js",
    ".jsx",
    ".mjs",
    ".cjs",
    "/index.ts",
    "/index.tsx",
    "/index.js",
    "/index.jsx",
];

impl<'a> TreeResolver<'a> {
    /// The resolver behind the tree-wide pass.
    #[must_use]
    pub fn resolver(&self) -> &'a ImportResolver {
        self.resolver
    }

    #[must_use]
    pub fn new(resolver: &'a ImportResolver, files: &'a FileIndex<'a>) -> Self {
        TreeResolver {
            resolver,
            files,
            scopes: FxHashMap::default(),
            cache: Vec::new(),
            scope_numbers: FxHashMap::default(),
            scope_folders: Vec::new(),
            scope_configs: Vec::new(),
            file_scopes: FxHashMap::default(),
            file_caches: Vec::new(),
            last_file: None,
            candidate: String::new(),
            node_modules: FxHashMap::default(),
            listings: FxHashMap::default(),
        }
    }

    /// The number of the nearest folder (relative to the root) with a
    /// tsconfig.json or package.json: imports resolve alike within it.
    fn scope(&mut self, dir: &str) -> usize {
        if let Some(&scope) = self.scopes.get(dir) {
            return scope;
        }
        // Up the folders to one with a config file or one already placed;
        // every folder passed on the way shares the answer.
        let root = &self.resolver.root;
        let mut passed: Vec<&str> = Vec::new();
        let mut current = Some(dir);
        let number = loop {
            let Some(d) = current else {
                break self.scope_number(String::new());
            };
            if let Some(&known) = self.scopes.get(d) {
                break known;
            }
            let abs = root.join(d);
            if abs.join("tsconfig.json").is_file() || abs.join("package.json").is_file() {
                let number = self.scope_number(d.to_owned());
                self.scopes.insert(d.to_owned(), number);
                break number;
            }
            passed.push(d);
            current = (!d.is_empty()).then(|| d.rsplit_once('/').map_or("", |(parent, _)| parent));
        };
        // `dir` itself is the first folder passed, unless it holds the config.
        for d in passed {
            self.scopes.insert(d.to_owned(), number);
        }
        number
    }

    /// The number of the scope rooted at `folder`, made on first use.
    fn scope_number(&mut self, folder: String) -> usize {
        let next = self.scope_numbers.len();
        let number = *self.scope_numbers.entry(folder.clone()).or_insert(next);
        if number == self.cache.len() {
            self.cache.push(FxHashMap::default());
            self.scope_folders.push(folder);
            self.scope_configs.push(std::cell::OnceCell::new());
        }
        number
    }

    /// How the scope's bare specifiers resolve, decided from its first file.
    fn scope_config(&self, scope: usize, from: &str) -> &ScopeConfig {
        let resolver = self.resolver;
        let folder = &self.scope_folders[scope];
        self.scope_configs[scope].get_or_init(|| {
            let tsconfig = resolver.tsconfig_for(&resolver.root.join(from));
            // The nearest tsconfig.json at or above the scope's folder (none
            // lies between a file and its scope's folder).
            let mut nearest = None;
            let mut current = Some(folder.as_str());
            while let Some(d) = current {
                let candidate = resolver.root.join(d).join("tsconfig.json");
                if candidate.is_file() {
                    nearest = Some(candidate);
                    break;
                }
                current = (!d.is_empty()).then(|| folder_of(d));
            }
            match (tsconfig, nearest) {
                (None, None) => ScopeConfig::Shared(None),
                (Some(tsconfig), Some(nearest))
                    if tsconfig.path == nearest
                        && tsconfig.files.is_none()
                        && tsconfig.include.is_none()
                        && tsconfig.exclude.is_none()
                        && tsconfig.references.is_empty() =>
                {
                    ScopeConfig::Shared(Some(tsconfig))
                }
                _ => ScopeConfig::PerFile,
            }
        })
    }

    /// Resolves `specifier` imported from `from` (relative to the root),
    /// whose folder ([`folder_of`]) the caller finds once for all its imports.
    pub fn resolve(&mut self, from: &str, dir: &str, specifier: &str) -> Resolved {
        if specifier.starts_with("./")
            || specifier.starts_with("../")
            || specifier == "."
            || specifier == ".."
        {
            if let Some(found) = self.relative(dir, specifier) {
                return Resolved::File(found);
            }
            let target = self
                .resolver
                .resolve(&self.resolver.root.join(from), specifier);
            return Resolved::from_target(target, self.files);
        }
        let scope = self.scope(dir);
        let shared = match self.scope_config(scope, from) {
            ScopeConfig::Shared(tsconfig) => Some(tsconfig.clone()),
            ScopeConfig::PerFile => None,
        };
        let (slot, tsconfig) = match shared {
            Some(tsconfig) => (Slot::Scope(scope), tsconfig),
            None => self.file_slot(scope, from),
        };
        if let Some(hit) = self.cache_of(slot).get(specifier) {
            return hit.clone();
        }
        let candidates = tsconfig
            .as_ref()
            .map(|tsconfig| tsconfig.resolve_path_alias_or_base_url(specifier))
            .unwrap_or_default();
        let alias = candidates.first().and_then(|first| self.path_alias(first));
        let resolved = if let Some(found) = alias {
            Resolved::File(found)
        } else if self.installs_nothing(dir, specifier)
            && candidates.iter().all(|c| self.nothing_at(c))
        {
            Resolved::Other(ImportResolver::unfound_bare(specifier))
        } else {
            let target = self
                .resolver
                .resolve(&self.resolver.root.join(from), specifier);
            Resolved::from_target(target, self.files)
        };
        self.cache_of(slot)
            .insert(specifier.to_owned(), resolved.clone());
        resolved
    }

    fn cache_of(&mut self, slot: Slot) -> &mut FxHashMap<String, Resolved> {
        match slot {
            Slot::Scope(n) => &mut self.cache[n],
            Slot::File(n) => &mut self.file_caches[n],
        }
    }

    /// In a scope whose tsconfig picks its files: the file's own tsconfig
    /// (what the resolver applies to it) and the cache of the files that
    /// share it, since a bare specifier resolves alike from all of them.
    fn file_slot(
        &mut self,
        scope: usize,
        from: &str,
    ) -> (Slot, Option<std::sync::Arc<oxc_resolver::TsConfig>>) {
        if let Some((file, tsconfig, n)) = &self.last_file
            && file == from
        {
            return (Slot::File(*n), tsconfig.clone());
        }
        let tsconfig = self.resolver.tsconfig_for(&self.resolver.root.join(from));
        let key = (scope, tsconfig.as_ref().map(|t| t.path.clone()));
        let next = self.file_caches.len();
        let n = *self.file_scopes.entry(key).or_insert(next);
        if n == next {
            self.file_caches.push(FxHashMap::default());
        }
        self.last_file = Some((from.to_owned(), tsconfig.clone(), n));
        (Slot::File(n), tsconfig)
    }

    /// A specifier the scope's tsconfig maps (`paths`, else `baseUrl`) to a
    /// walked file: the mapping's first target, as a file with the
    /// extensions the resolver tries in its order. Anything else (no mapping,
    /// a later target, a folder, a file outside the walk) is left to full
    /// resolution, which tries the same first target first.
    fn path_alias(&mut self, first: &Path) -> Option<u32> {
        let relative = first.strip_prefix(&self.resolver.root).ok()?.to_str()?;
        self.candidate.clear();
        self.candidate.push_str(relative);
        if std::path::MAIN_SEPARATOR != '/' {
            self.candidate = self.candidate.replace(std::path::MAIN_SEPARATOR, "/");
        }
        self.probe(FILE_SUFFIXES)
    }

    /// Whether a bare specifier imported from `dir` can only be a package
    /// that is not installed, once its tsconfig targets are known to be
    /// empty ([`Self::nothing_at`]): it names no workspace package (nor the
    /// root's), is no `#import`, has no query, and no `node_modules` folder
    /// lies at or above `dir`, as in a fresh clone or CI before `npm ci`.
    /// The resolver would look in every folder up to `/` for nothing; the
    /// answer is the same without it.
    fn installs_nothing(&mut self, dir: &str, specifier: &str) -> bool {
        let resolver = self.resolver;
        // A query or fragment (`./app.css?url`) is cut off by the resolver.
        if specifier.contains(['#', '?', ':'])
            || resolver.looks_like_workspace(specifier)
            || resolver
                .root_name
                .as_deref()
                .is_some_and(|root| package_name(specifier) == root)
        {
            return false;
        }
        !self.node_modules_at_or_above(dir)
    }

    /// Whether no file or folder the resolver would try for a tsconfig
    /// mapping's target (`<baseUrl>/react`: the path, with any extension, or
    /// as a folder) exists: its folder holds no entry whose name starts with
    /// the target's (compared without case, as macOS's file system does).
    fn nothing_at(&mut self, target: &Path) -> bool {
        let (Some(folder), Some(name)) = (target.parent(), target.file_name()) else {
            return false;
        };
        let name = name.to_string_lossy().to_lowercase();
        if !self.listings.contains_key(folder) {
            let entries = std::fs::read_dir(folder).ok().map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().to_lowercase())
                    .collect()
            });
            self.listings.insert(folder.to_path_buf(), entries);
        }
        match &self.listings[folder] {
            Some(entries) => !entries.iter().any(|entry| entry.starts_with(&name)),
            // No such folder: nothing in it. Anything else unreadable: ask.
            None => !folder.exists() && folder.symlink_metadata().is_err(),
        }
    }

    /// Whether a real `node_modules` entry is in `dir` (relative to the
    /// root) or any folder above it, up to `/`; one check per folder.
    fn node_modules_at_or_above(&mut self, dir: &str) -> bool {
        if let Some(&known) = self.node_modules.get(dir) {
            return known;
        }
        let here =
            std::fs::symlink_metadata(self.resolver.root.join(dir).join("node_modules")).is_ok();
        let found = here
            || if dir.is_empty() {
                self.resolver.node_modules_above_root
            } else {
                self.node_modules_at_or_above(folder_of(dir))
            };
        self.node_modules.insert(dir.to_owned(), found);
        found
    }

    /// A relative specifier looked up among the walked files, trying the
    /// extensions and index files a bundler would.
    fn relative(&mut self, dir: &str, specifier: &str) -> Option<u32> {
        normalize_into(dir, specifier, &mut self.candidate)?;
        self.probe(CANDIDATE_SUFFIXES)
    }

    /// The walked file `self.candidate` names, trying `suffixes` in order;
    /// `x.js` means `x.ts` or `x.tsx` first, as the resolver's extension alias
    /// (and tsc) have it.
    fn probe(&mut self, suffixes: &[&str]) -> Option<u32> {
        let joined_len = self.candidate.len();
        #[allow(clippy::case_sensitive_file_extension_comparisons)]
        if self.candidate.ends_with(".js") {
            let stem_len = joined_len - ".js".len();
            for ext in [".ts", ".tsx"] {
                self.candidate.truncate(stem_len);
                self.candidate.push_str(ext);
                if let Some(found) = self.files.get(&self.candidate) {
                    return Some(found);
                }
            }
        }
        for suffix in suffixes {
            self.candidate.truncate(joined_len);
            self.candidate.push_str(suffix);
            if let Some(found) = self.files.get(&self.candidate) {
                return Some(found);
            }
        }
        None
    }
}

/// How one scope's bare specifiers resolve.
enum ScopeConfig {
    /// Every file in the scope has this tsconfig (or none): a specifier
    /// resolves alike from all of them, so results are shared in the scope.
    Shared(Option<std::sync::Arc<oxc_resolver::TsConfig>>),
    /// The nearest tsconfig chooses its files (`files`, `include`, `exclude`,
    /// references): results are shared by the files with the same tsconfig.
    PerFile,
}

/// The folder of a `/`-separated path relative to the root (`""` at the root).
#[must_use]
pub fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// `dir` + a relative specifier, with `.` and `..` folded, written into `out`;
/// `None` above the root.
fn normalize_into(dir: &str, specifier: &str, out: &mut String) -> Option<()> {
    out.clear();
    out.push_str(dir);
    for segment in specifier.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if out.is_empty() {
                    return None;
                }
                let cut = out.rfind('/').unwrap_or(0);
                out.truncate(cut);
            }
            other => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(other);
            }
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn package_names() {
        assert_eq!(
            package_name("@anthropic-ai/sdk/resources"),
            "@anthropic-ai/sdk"
        );
        assert_eq!(package_name("openai/helpers"), "openai");
    }

    /// A tree on disk and the walked files in it (every file written).
    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        root
    }

    fn resolve_all(root: &Path, walked: &[&str], imports: &[(&str, &str)]) -> Vec<Resolved> {
        let resolver = ImportResolver::new(root, Vec::new());
        let index = FileIndex::new(walked.iter().copied());
        let mut tree = TreeResolver::new(&resolver, &index);
        imports
            .iter()
            .map(|(from, specifier)| tree.resolve(from, folder_of(from), specifier))
            .collect()
    }

    /// `x.js` is the TypeScript file when there is one, through `paths` too,
    /// as the resolver has it; an alias to a folder is the resolver's to read.
    #[test]
    fn js_specifiers_mean_typescript_first_and_alias_folders_go_to_the_resolver() {
        let walked = [
            "src/util.js",
            "src/util.ts",
            "src/ui/index.ts",
            "src/ui/Button.tsx",
            "src/a.ts",
        ];
        let mut files: Vec<(&str, &str)> = walked.iter().map(|f| (*f, "")).collect();
        files.push((
            "tsconfig.json",
            r#"{"compilerOptions": {"paths": {"@/*": ["./src/*"]}}}"#,
        ));
        files.push(("src/ui/package.json", r#"{"main": "./Button.tsx"}"#));
        let root = tree(&files);
        let got = resolve_all(
            root.path(),
            &walked,
            &[
                ("src/a.ts", "./util.js"),
                ("src/a.ts", "@/util.js"),
                ("src/a.ts", "@/ui"),
            ],
        );
        assert_eq!(got[0], Resolved::File(1));
        assert_eq!(got[1], Resolved::File(1));
        // The folder's package.json names its entry: not index.ts.
        assert_eq!(got[2], Resolved::File(3));
    }

    /// Bare specifiers that the tsconfig's `baseUrl` maps to nothing, in a
    /// tree with no node_modules, are answered without the resolver; each
    /// answer is the resolver's own, and anything the `baseUrl` or an
    /// installed package could reach still goes to it.
    #[test]
    fn bare_specifiers_with_nothing_to_find_are_the_resolvers_answer() {
        let walked = ["web/app/page.tsx", "web/lib/db.ts", "web/config.ts"];
        let mut files: Vec<(&str, &str)> = walked.iter().map(|f| (*f, "")).collect();
        files.extend([
            (
                "web/tsconfig.json",
                r#"{"include": ["**/*.ts", "**/*.tsx"], "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./*"]}}}"#,
            ),
            ("web/package.json", r#"{"name": "web"}"#),
            ("web/data.json", "{}"),
            ("web/app/app.css", ""),
        ]);
        let root = tree(&files);
        let imports = [
            ("web/app/page.tsx", "react"),
            ("web/app/page.tsx", "next/server"),
            ("web/app/page.tsx", "@scope/pkg/sub"),
            ("web/app/page.tsx", "events"),
            ("web/app/page.tsx", "@/missing"),
            ("web/app/page.tsx", "@/app/app.css?url"),
            ("web/app/page.tsx", "data.json"),
            ("web/app/page.tsx", "config"),
            ("web/app/page.tsx", "Config"),
        ];
        let check = |root: &Path| {
            let resolver = ImportResolver::new(root, Vec::new());
            let got = resolve_all(root, &walked, &imports);
            for ((from, specifier), got) in imports.iter().zip(&got) {
                let full = resolver.resolve(&root.join(from), specifier);
                let index = FileIndex::new(walked.iter().copied());
                assert_eq!(got, &Resolved::from_target(full, &index), "{specifier}");
            }
            got
        };
        let fresh = check(root.path());
        let external = |name: &str| Resolved::Other(Target::External(name.to_owned()));
        assert_eq!(fresh[0], external("react"));
        assert_eq!(fresh[1], external("next"));
        assert_eq!(fresh[2], external("@scope/pkg"));
        assert_eq!(fresh[4], Resolved::Other(Target::Unresolved));
        assert_eq!(
            fresh[5],
            Resolved::Other(Target::Internal("web/app/app.css".to_owned()))
        );
        assert_eq!(
            fresh[6],
            Resolved::Other(Target::Internal("web/data.json".to_owned()))
        );
        assert_eq!(fresh[7], Resolved::File(2));
        // An installed package of a built-in's name is the package.
        for file in [
            "node_modules/events/package.json",
            "node_modules/events/index.js",
        ] {
            let path = root.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, r#"{"name": "events"}"#).unwrap();
        }
        let installed = check(root.path());
        assert_eq!(installed[3], external("events"));
        if !std::path::Path::new("/tmp/node_modules").exists() {
            assert_eq!(fresh[3], external("node:events"));
        }
    }

    /// A tsconfig that picks its files (`include`) owns some files of a folder
    /// and not others: each import resolves on its own, whichever comes first.
    #[test]
    fn a_tsconfig_with_include_resolves_per_file() {
        let walked = ["src/db/client.ts", "src/a.ts", "tests/a.test.ts"];
        let mut files: Vec<(&str, &str)> = walked.iter().map(|f| (*f, "")).collect();
        files.push((
            "tsconfig.json",
            r#"{"include": ["src"], "compilerOptions": {"paths": {"@/*": ["./src/*"]}}}"#,
        ));
        let root = tree(&files);
        for order in [[1, 2], [2, 1]] {
            let imports: Vec<(&str, &str)> =
                order.iter().map(|&n| (walked[n], "@/db/client")).collect();
            let got = resolve_all(root.path(), &walked, &imports);
            let by_file: BTreeMap<&str, &Resolved> =
                order.iter().map(|&n| walked[n]).zip(&got).collect();
            assert_eq!(by_file["src/a.ts"], &Resolved::File(0), "{order:?}");
            assert_ne!(by_file["tests/a.test.ts"], &Resolved::File(0), "{order:?}");
        }
    }

    /// An app whose tsconfig extends a workspace package's tsconfig by name
    /// (`extends: "@x/tsconfig/nextjs.json"`) keeps its own `@/*` paths in a
    /// tree with no node_modules, and the packages resolve by name through
    /// their `exports` conditions.
    #[test]
    fn tsconfig_extends_of_a_workspace_package_loads_without_node_modules() {
        let walked = [
            "apps/web/lib/db.ts",
            "apps/web/app/page.tsx",
            "packages/database/src/client.ts",
        ];
        let mut files: Vec<(&str, &str)> = walked.iter().map(|f| (*f, "")).collect();
        files.extend([
            (
                "apps/web/tsconfig.json",
                r#"{"extends": "@x/tsconfig/nextjs.json", "include": ["**/*.tsx", "**/*.ts"],
                    "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./*"]}}}"#,
            ),
            ("apps/web/package.json", r#"{"name": "web"}"#),
            ("packages/tsconfig/package.json", r#"{"name": "@x/tsconfig"}"#),
            (
                "packages/tsconfig/nextjs.json",
                r#"{"compilerOptions": {"strict": true}}"#,
            ),
            (
                "packages/database/package.json",
                r#"{"name": "@x/database", "exports": {".": {"types": "./src/client.ts", "default": "./dist/client.js"}}}"#,
            ),
        ]);
        let root = tree(&files);
        let workspace = ["tsconfig", "database"]
            .iter()
            .map(|name| WorkspacePackage {
                name: format!("@x/{name}"),
                dir: root.path().join("packages").join(name),
                exports: Vec::new(),
            })
            .collect();
        let resolver = ImportResolver::new(root.path(), workspace);
        let index = FileIndex::new(walked.iter().copied());
        let mut tree = TreeResolver::new(&resolver, &index);
        let from = "apps/web/app/page.tsx";
        assert_eq!(
            tree.resolve(from, folder_of(from), "@/lib/db"),
            Resolved::File(0)
        );
        assert_eq!(
            tree.resolve(from, folder_of(from), "@x/database"),
            Resolved::File(2)
        );
        assert!(!root.path().join("node_modules").exists());
    }
}
