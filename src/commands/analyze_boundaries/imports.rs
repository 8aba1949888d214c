//! Import edges of TypeScript and JavaScript files, from a real parser (oxc):
//! static imports, `import type`, re-exports (`export … from`), dynamic
//! `import()` and CommonJS `require()`. A file that does not parse falls back
//! to a regular-expression scan, and says so. Resolution follows tsconfig
//! `paths`/`baseUrl`/`extends` (oxc_resolver) and workspace package names.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use oxc_allocator::Allocator;
use oxc_ast::ast::{Argument, CallExpression, Expression};
use oxc_ast_visit::{Visit, walk};
use oxc_parser::Parser;
use oxc_span::SourceType;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::text::LineIndex;

/// How one file refers to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    Static,
    TypeOnly,
    ReExport,
    Dynamic,
    Require,
}

impl EdgeKind {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            EdgeKind::Static => "static",
            EdgeKind::TypeOnly => "type-only",
            EdgeKind::ReExport => "re-export",
            EdgeKind::Dynamic => "dynamic",
            EdgeKind::Require => "require",
        }
    }
}

/// An import's specifier as written.
pub type Specifier = compact_str::CompactString;

/// One import as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawImport {
    /// Inline up to 24 bytes: most specifiers need no allocation of their own.
    pub specifier: Specifier,
    pub kind: EdgeKind,
    pub line: usize,
}

/// The imports of one file in line order, and whether the parser had to give up.
#[derive(Debug, Default)]
pub struct ParsedImports {
    pub imports: Vec<RawImport>,
    pub parse_failed: bool,
}

struct RequireFinder {
    found: Vec<(String, u32)>,
}

impl<'a> Visit<'a> for RequireFinder {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if let Expression::Identifier(callee) = &it.callee
            && callee.name == "require"
            && let Some(Argument::StringLiteral(literal)) = it.arguments.first()
        {
            self.found
                .push((literal.value.to_string(), literal.span.start));
        }
        walk::walk_call_expression(self, it);
    }
}

/// The searcher for `require`, built once: building one per file costs more
/// than many searches.
static REQUIRE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("require"));

/// Parses `text` (the file at `path`) and lists its imports. `allocator` is
/// reused between files of one thread and reset here.
pub fn parse(path: &str, text: &str, allocator: &mut Allocator) -> ParsedImports {
    allocator.reset();
    let source_type = source_type_of(path);
    let ret = Parser::new(allocator, text, source_type)
        .with_options(oxc_parser::ParseOptions {
            // Only imports are read from the tree: no parenthesis nodes, and no
            // identifier hashes (those serve semantic analysis, which never runs).
            preserve_parens: false,
            enable_ident_hashes: false,
            ..oxc_parser::ParseOptions::default()
        })
        .parse();
    if ret.panicked || ret.diagnostics.has_errors() {
        return ParsedImports {
            imports: regex_scan(text),
            parse_failed: true,
        };
    }
    // `line` holds the byte offset until the lines are counted below.
    let mut imports = Vec::with_capacity(
        ret.module_record.requested_modules.len() + ret.module_record.dynamic_imports.len(),
    );
    for (specifier, occurrences) in &ret.module_record.requested_modules {
        for occurrence in occurrences {
            let kind = if !occurrence.is_import {
                EdgeKind::ReExport
            } else if occurrence.is_type {
                EdgeKind::TypeOnly
            } else {
                EdgeKind::Static
            };
            imports.push(RawImport {
                specifier: Specifier::from(specifier.as_str()),
                kind,
                line: occurrence.span.start as usize,
            });
        }
    }
    for dynamic in &ret.module_record.dynamic_imports {
        let request =
            &text[dynamic.module_request.start as usize..dynamic.module_request.end as usize];
        if let Some(specifier) = string_literal(request) {
            imports.push(RawImport {
                specifier: specifier.into(),
                kind: EdgeKind::Dynamic,
                line: dynamic.span.start as usize,
            });
        }
    }
    // Walking the whole AST costs; most TypeScript has no require() at all.
    let mut finder = RequireFinder { found: Vec::new() };
    if REQUIRE.find(text.as_bytes()).is_some() {
        finder.visit_program(&ret.program);
    }
    for (specifier, offset) in finder.found {
        imports.push(RawImport {
            specifier: specifier.into(),
            kind: EdgeKind::Require,
            line: offset as usize,
        });
    }
    // Offsets to line numbers in one pass up to the last import, not one
    // count from the start per import.
    // Every import starts at its own offset: source order, whatever the sort.
    imports.sort_unstable_by_key(|import| import.line);
    let (mut line, mut counted) = (1, 0);
    for import in &mut imports {
        let offset = import.line.min(text.len());
        line += super::loc::count_newlines(&text.as_bytes()[counted..offset]);
        counted = offset;
        import.line = line;
    }
    ParsedImports {
        imports,
        parse_failed: false,
    }
}

/// What oxc's `SourceType::from_path` makes of a file name (`.ts`, `.d.ts`,
/// `.tsx`, `.mts`, `.js`, …), from the `/`-separated path as it is: no path
/// parsing and no substring searcher per file.
fn source_type_of(path: &str) -> SourceType {
    let name = path.rsplit('/').next().unwrap_or(path);
    // A dot file (`.ts`) has no extension, as for `Path::extension`.
    let Some((stem, extension)) = name.rsplit_once('.').filter(|(stem, _)| !stem.is_empty()) else {
        return SourceType::default();
    };
    let Ok(source_type) = SourceType::from_extension(extension) else {
        return SourceType::default();
    };
    // `x.d.ts` and `x.d.css.ts` for `.ts`; `x.d.mts` and `x.d.cts` for those.
    let declaration = match extension {
        "ts" => name
            .as_bytes()
            .windows(3)
            .rposition(|w| w[0] == b'.' && w[1] == b'd' && w[2] == b'.')
            .is_some_and(|at| at != 0),
        // oxc compares case-sensitively too.
        #[allow(clippy::case_sensitive_file_extension_comparisons)]
        "mts" | "cts" => stem.len() > 2 && stem.ends_with(".d"),
        _ => false,
    };
    source_type.with_typescript_definition(declaration)
}

/// `'./x'`, `"./x"` or a template without `${` → `./x`.
fn string_literal(text: &str) -> Option<String> {
    let text = text.trim();
    let quote = text.chars().next()?;
    if !matches!(quote, '\'' | '"' | '`') || text.len() < 2 || !text.ends_with(quote) {
        return None;
    }
    let inner = &text[1..text.len() - 1];
    (!inner.contains("${")).then(|| inner.to_owned())
}

/// The fallback for files oxc cannot parse.
fn regex_scan(text: &str) -> Vec<RawImport> {
    static PATTERN: OnceLock<regex::Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        regex::Regex::new(
            r#"(?m)^\s*import\s+type\s[^'"]*?from\s*['"](?P<type>[^'"]+)['"]|^\s*export\s[^'"]*?from\s*['"](?P<reexport>[^'"]+)['"]|^\s*import\s[^'"]*?from\s*['"](?P<from>[^'"]+)['"]|^\s*import\s*['"](?P<bare>[^'"]+)['"]|import\(\s*['"](?P<dynamic>[^'"]+)['"]\s*\)|require\(\s*['"](?P<require>[^'"]+)['"]\s*\)"#,
        )
        .expect("valid import regex")
    });
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    for caps in pattern.captures_iter(text) {
        let (name, kind) = [
            ("type", EdgeKind::TypeOnly),
            ("reexport", EdgeKind::ReExport),
            ("from", EdgeKind::Static),
            ("bare", EdgeKind::Static),
            ("dynamic", EdgeKind::Dynamic),
            ("require", EdgeKind::Require),
        ]
        .into_iter()
        .find(|(name, _)| caps.name(name).is_some())
        .unwrap_or(("from", EdgeKind::Static));
        if let Some(m) = caps.name(name) {
            out.push(RawImport {
                specifier: Specifier::from(m.as_str()),
                kind,
                line: index.line_col(text, m.start()).0,
            });
        }
    }
    out
}

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
    resolver: oxc_resolver::Resolver,
    root: PathBuf,
    /// Workspace package name → its entry file (absolute).
    workspace: Vec<(String, PathBuf)>,
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
    pub fn new(root: &Path, workspace: Vec<(String, PathBuf)>) -> Self {
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
        ImportResolver {
            resolver: oxc_resolver::Resolver::new(options),
            root: root.to_path_buf(),
            workspace,
        }
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
        // Workspace packages without node_modules links: name → entry.
        for (name, entry) in &self.workspace {
            if (specifier == name
                || specifier
                    .strip_prefix(name.as_str())
                    .is_some_and(|r| r.starts_with('/')))
                && let Ok(rel) = entry.strip_prefix(&self.root)
            {
                return Target::Internal(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        if specifier.starts_with('.') || specifier.starts_with('/') {
            return Target::Unresolved;
        }
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
    candidate: String,
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
            candidate: String::new(),
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
        let tsconfig = match self.scope_config(scope, from) {
            ScopeConfig::Shared(tsconfig) => tsconfig.clone(),
            ScopeConfig::PerFile => {
                let target = self
                    .resolver
                    .resolve(&self.resolver.root.join(from), specifier);
                return Resolved::from_target(target, self.files);
            }
        };
        if let Some(hit) = self.cache[scope].get(specifier) {
            return hit.clone();
        }
        let alias = tsconfig.and_then(|tsconfig| self.path_alias(&tsconfig, specifier));
        let resolved = if let Some(found) = alias {
            Resolved::File(found)
        } else {
            let target = self
                .resolver
                .resolve(&self.resolver.root.join(from), specifier);
            Resolved::from_target(target, self.files)
        };
        self.cache[scope].insert(specifier.to_owned(), resolved.clone());
        resolved
    }

    /// A specifier the scope's tsconfig maps (`paths`, else `baseUrl`) to a
    /// walked file: the mapping's first target, as a file with the
    /// extensions the resolver tries in its order. Anything else (no mapping,
    /// a later target, a folder, a file outside the walk) is left to full
    /// resolution, which tries the same first target first.
    fn path_alias(&mut self, tsconfig: &oxc_resolver::TsConfig, specifier: &str) -> Option<u32> {
        let first = tsconfig
            .resolve_path_alias_or_base_url(specifier)
            .into_iter()
            .next()?;
        let relative = first.strip_prefix(&self.resolver.root).ok()?.to_str()?;
        self.candidate.clear();
        self.candidate.push_str(relative);
        if std::path::MAIN_SEPARATOR != '/' {
            self.candidate = self.candidate.replace(std::path::MAIN_SEPARATOR, "/");
        }
        self.probe(FILE_SUFFIXES)
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
    /// references): each import resolves on its own, through the resolver.
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
    fn source_types_match_oxcs_own_reading_of_the_path() {
        for name in [
            "a.ts",
            "a.d.ts",
            "a.d.css.ts",
            ".d.ts",
            "d.ts",
            "a.tsx",
            "a.mts",
            "a.d.mts",
            "a.cts",
            "a.d.cts",
            "x.d.cts",
            "a.js",
            "a.jsx",
            "a.mjs",
            "a.cjs",
            "a.json",
            "a",
            "dir/b.d.ts",
            "dir.d.x/b.ts",
            "dir/.ts",
        ] {
            let expected = SourceType::from_path(Path::new(name)).unwrap_or_default();
            assert_eq!(source_type_of(name), expected, "{name}");
        }
    }

    #[test]
    fn every_edge_kind_is_found() {
        let text = "import a from './a';\nimport type { B } from './b';\nexport { c } from './c';\nexport * from './d';\nconst e = await import('./e');\nconst f = require('./f');\nimport './g';\n";
        let mut allocator = Allocator::default();
        let parsed = parse("x.ts", text, &mut allocator);
        assert!(!parsed.parse_failed);
        let got: Vec<(&str, EdgeKind, usize)> = parsed
            .imports
            .iter()
            .map(|i| (i.specifier.as_str(), i.kind, i.line))
            .collect();
        assert_eq!(
            got,
            [
                ("./a", EdgeKind::Static, 1),
                ("./b", EdgeKind::TypeOnly, 2),
                ("./c", EdgeKind::ReExport, 3),
                ("./d", EdgeKind::ReExport, 4),
                ("./e", EdgeKind::Dynamic, 5),
                ("./f", EdgeKind::Require, 6),
                ("./g", EdgeKind::Static, 7),
            ]
        );
    }

    #[test]
    fn unparsable_files_fall_back_to_a_scan() {
        let mut allocator = Allocator::default();
        let parsed = parse(
            "x.ts",
            "import a from './a';\nexport function (( {\nconst b = require(\"b\");\n",
            &mut allocator,
        );
        assert!(parsed.parse_failed);
        let specs: Vec<&str> = parsed
            .imports
            .iter()
            .map(|i| i.specifier.as_str())
            .collect();
        assert_eq!(specs, ["./a", "b"]);
    }

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
}
