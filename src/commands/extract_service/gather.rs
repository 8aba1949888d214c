//! The repository as the move sees it: every script file's imports, parsed
//! with their spans and resolved (the same parser and resolver as
//! analyze-boundaries), with the Prisma models and code lines of each file.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;

use super::moves::{FileImports, Import};
use crate::adapters::fs as afs;
use crate::repo::imports::{self, FileIndex, ImportResolver, Resolved, Target, TreeResolver};
use crate::repo::loc::{self, Language};
use crate::repo::models::Models;
use crate::repo::{self, RepoLayout};

thread_local! {
    static ALLOCATOR: RefCell<oxc_allocator::Allocator> = RefCell::new(oxc_allocator::Allocator::default());
}

const MAX_FILE_BYTES: u64 = 1 << 20;

/// One walked file.
pub struct Walked {
    pub path: String,
    pub raw: Vec<imports::RawImport>,
    pub models: BTreeSet<String>,
    pub code_lines: u64,
    pub script: bool,
}

/// The walk's files (script files, and every file under `roots`), in path order.
pub fn walk(root: &Path, roots: &[String], models: &Models) -> Vec<Walked> {
    let under = |path: &str| roots.iter().any(|r| within(path, r));
    let (files, _issues) = afs::walk_files(
        root,
        repo::SKIPPED_DIRS,
        MAX_FILE_BYTES,
        |path| Language::of(path).is_some_and(Language::is_script) || under(path),
        |path, bytes| {
            let language = Language::of(path);
            let script = language.is_some_and(Language::is_script);
            let text = std::str::from_utf8(bytes).ok();
            let raw = match (script, text) {
                (true, Some(text)) => {
                    ALLOCATOR.with(|a| imports::parse(path, text, &mut a.borrow_mut()).imports)
                }
                _ => Vec::new(),
            };
            let code_lines = match (language, text) {
                (Some(language), Some(text)) => loc::count(text, language).code,
                _ => 0,
            };
            Some(Walked {
                path: path.to_owned(),
                models: match (script, text) {
                    (true, Some(text)) if !models.is_empty() => models.used_in(text),
                    _ => BTreeSet::new(),
                },
                raw,
                code_lines,
                script,
            })
        },
        |a, b| a.path.cmp(&b.path),
    );
    files
}

/// Whether `path` is `root` or inside it.
#[must_use]
pub fn within(path: &str, root: &str) -> bool {
    let root = root.trim_end_matches('/');
    path == root || path.strip_prefix(root).is_some_and(|r| r.starts_with('/'))
}

/// Every script file's imports, resolved.
pub fn resolve(root: &Path, layout: &RepoLayout, files: &[Walked]) -> Vec<FileImports> {
    let resolver = ImportResolver::new(root, repo::workspace_entries(root, layout));
    let scripts: Vec<&Walked> = files.iter().filter(|f| f.script).collect();
    let index = FileIndex::new(scripts.iter().map(|f| f.path.as_str()));
    let mut tree = TreeResolver::new(&resolver, &index);
    scripts
        .iter()
        .map(|file| {
            let folder = imports::folder_of(&file.path);
            let imports = file
                .raw
                .iter()
                .map(|raw| {
                    let (target, package) = match tree.resolve(&file.path, folder, &raw.specifier) {
                        Resolved::File(i) => (Some(scripts[i as usize].path.clone()), None),
                        Resolved::Other(Target::Internal(path)) => (Some(path), None),
                        Resolved::Other(Target::External(name)) if !name.starts_with("node:") => {
                            (None, Some(name))
                        }
                        Resolved::Other(_) => (None, None),
                    };
                    Import {
                        specifier: raw.specifier.to_string(),
                        kind: raw.kind,
                        line: raw.line,
                        span: raw.span,
                        target,
                        package,
                    }
                })
                .collect();
            FileImports {
                path: file.path.clone(),
                imports,
            }
        })
        .collect()
}
