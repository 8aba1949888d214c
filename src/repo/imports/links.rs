//! The node_modules links a package manager would make for workspace
//! packages, for a tree that has none (a fresh clone, CI before `npm ci`).
//!
//! The resolver sees `<root>/node_modules/<name>` as a symlink to the
//! package's folder, so everything that goes through node_modules resolves
//! as it will after an install: imports of the package with its `exports`
//! conditions, and tsconfig `extends: "@x/tsconfig/nextjs.json"`, without
//! which an app's whole tsconfig (its `@/*` paths too) fails to load. Real
//! files always win: a link is only made up where nothing exists on disk.

use std::io;
use std::path::{Component, Path, PathBuf};

use oxc_resolver::{FileMetadata, FileSystem, FileSystemOs, ResolveError};
use rustc_hash::{FxHashMap, FxHashSet};

/// The operating system's files, plus made-up workspace links.
pub struct WorkspaceLinks {
    os: FileSystemOs,
    /// The files the repository walk read, once it has: nothing lies under
    /// them, so no call need ask.
    pub(super) walked: WalkedFiles,
    /// `<root>/node_modules`.
    modules: PathBuf,
    /// Link path → the package folder it points at.
    links: FxHashMap<PathBuf, PathBuf>,
    /// `<root>/node_modules` and its `@scope` folders that hold a link.
    folders: FxHashSet<PathBuf>,
}

/// Absolute paths of files known to be regular files, shared between the
/// resolver's file system and whoever learns them.
pub(super) type WalkedFiles = std::sync::Arc<std::sync::OnceLock<FxHashSet<PathBuf>>>;

const DIR: FileMetadata = FileMetadata::new(false, true, false);
const SYMLINK: FileMetadata = FileMetadata::new(false, false, true);

impl WorkspaceLinks {
    /// Links `<root>/node_modules/<name>` to each (name, absolute folder)
    /// that has no real entry there.
    pub fn new<'a>(root: &Path, packages: impl IntoIterator<Item = (&'a str, &'a Path)>) -> Self {
        let modules = root.join("node_modules");
        let mut links = FxHashMap::default();
        let mut folders = FxHashSet::default();
        for (name, dir) in packages {
            let link = modules.join(name);
            if name.is_empty() || std::fs::symlink_metadata(&link).is_ok() {
                continue;
            }
            if let Some(parent) = link.parent() {
                folders.insert(parent.to_path_buf());
            }
            folders.insert(modules.clone());
            links.insert(link, dir.to_path_buf());
        }
        WorkspaceLinks {
            os: os(),
            walked: WalkedFiles::default(),
            modules,
            links,
            folders,
        }
    }

    /// The link `path` is, or lies under, and the rest of `path` below it.
    fn link_of<'p>(&self, path: &'p Path) -> Option<(&PathBuf, &'p Path)> {
        let rest = path.strip_prefix(&self.modules).ok()?;
        let mut parts = rest.components();
        let first = parts.next()?;
        let Component::Normal(first) = first else {
            return None;
        };
        let depth = if first.to_string_lossy().starts_with('@') {
            2
        } else {
            1
        };
        let link: PathBuf = std::iter::once(self.modules.as_os_str())
            .chain(rest.components().take(depth).map(Component::as_os_str))
            .collect();
        let dir = self.links.get(&link)?;
        let below = path.strip_prefix(&link).ok()?;
        Some((dir, below))
    }

    /// Where `path` really is, when it lies under a made-up link.
    fn mapped(&self, path: &Path) -> Option<PathBuf> {
        if self.links.is_empty() {
            return None;
        }
        self.link_of(path).map(|(dir, below)| {
            if below.as_os_str().is_empty() {
                dir.clone()
            } else {
                dir.join(below)
            }
        })
    }

    /// Whether `path` is a `tsconfig.json` inside a file the walk read:
    /// the resolver looks for one "in" every file it finds a tsconfig for,
    /// as if the file were a folder, which costs a failing system call each.
    fn under_walked_file(&self, path: &Path) -> bool {
        path.file_name().is_some_and(|name| name == "tsconfig.json")
            && self
                .walked
                .get()
                .is_some_and(|files| path.parent().is_some_and(|parent| files.contains(parent)))
    }

    /// `real(path)`, else, when nothing is there, `real` of where a made-up
    /// link says it is.
    fn or_mapped<T>(&self, path: &Path, real: impl Fn(&Path) -> io::Result<T>) -> io::Result<T> {
        match real(path) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => match self.mapped(path) {
                Some(mapped) => real(&mapped),
                None => Err(error),
            },
            other => other,
        }
    }
}

impl Default for WorkspaceLinks {
    fn default() -> Self {
        WorkspaceLinks {
            os: os(),
            walked: WalkedFiles::default(),
            modules: PathBuf::new(),
            links: FxHashMap::default(),
            folders: FxHashSet::default(),
        }
    }
}

fn os() -> FileSystemOs {
    <FileSystemOs as FileSystem>::new()
}

impl FileSystem for WorkspaceLinks {
    fn new() -> Self {
        WorkspaceLinks::default()
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.or_mapped(path, |p| self.os.read(p))
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        self.or_mapped(path, |p| self.os.read_to_string(p))
    }

    fn metadata(&self, path: &Path) -> io::Result<FileMetadata> {
        if self.under_walked_file(path) {
            return Err(io::ErrorKind::NotADirectory.into());
        }
        if self.folders.contains(path) {
            return self.os.metadata(path).or(Ok(DIR));
        }
        self.or_mapped(path, |p| self.os.metadata(p))
    }

    fn symlink_metadata(&self, path: &Path) -> io::Result<FileMetadata> {
        if self.under_walked_file(path) {
            return Err(io::ErrorKind::NotADirectory.into());
        }
        if self.folders.contains(path) {
            return self.os.symlink_metadata(path).or(Ok(DIR));
        }
        if self.links.contains_key(path) {
            return Ok(SYMLINK);
        }
        self.or_mapped(path, |p| self.os.symlink_metadata(p))
    }

    fn read_link(&self, path: &Path) -> Result<PathBuf, ResolveError> {
        match self.links.get(path) {
            Some(dir) => Ok(dir.clone()),
            None => self.os.read_link(path),
        }
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        self.or_mapped(path, |p| self.os.canonicalize(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_lead_into_the_package_and_real_entries_win() {
        let root = tempfile::tempdir().unwrap();
        let db = root.path().join("packages/db");
        std::fs::create_dir_all(&db).unwrap();
        std::fs::write(db.join("package.json"), "{}").unwrap();
        let real = root.path().join("node_modules/real");
        std::fs::create_dir_all(&real).unwrap();
        let other = root.path().join("packages/real");
        let fs = WorkspaceLinks::new(root.path(), [("@x/db", db.as_path()), ("real", &other)]);

        let link = root.path().join("node_modules/@x/db");
        assert!(fs.symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(fs.read_link(&link).unwrap(), db);
        assert!(
            fs.metadata(&root.path().join("node_modules/@x"))
                .unwrap()
                .is_dir()
        );
        assert_eq!(fs.read_to_string(&link.join("package.json")).unwrap(), "{}");
        assert!(fs.read(&link.join("missing.json")).is_err());
        // A real node_modules entry is left as it is.
        assert!(!fs.symlink_metadata(&real).unwrap().is_symlink());
        assert!(fs.read_link(&real).is_err());
    }
}
