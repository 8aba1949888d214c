//! File writes that never leave a half-written file: the content goes to a temp
//! file in the target's folder, is flushed to disk, then renamed over the target.
//! Creation without overwrite uses a no-clobber rename so two racing writers
//! cannot both "win". With dry-run on, nothing is written and the plan is returned.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::exit::ExitStatus;

/// What to do when the target exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Replace the file atomically.
    Overwrite,
    /// Fail with [`FsError::AlreadyExists`] if the file is there.
    CreateNew,
}

/// What a write did (or, in dry-run, would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WriteEffect {
    Created,
    Replaced,
    WouldCreate,
    WouldReplace,
}

#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("{path} already exists (pass --force to overwrite it)")]
    AlreadyExists { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl FsError {
    /// Refusing to clobber and unreadable inputs are the caller's to fix (2);
    /// failing to write is a runtime failure (3).
    #[must_use]
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            FsError::AlreadyExists { .. } | FsError::Read { .. } => ExitStatus::Usage,
            FsError::Write { .. } => ExitStatus::Runtime,
        }
    }
}

/// Writes files atomically, or only plans them in dry-run mode.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileWriter {
    pub dry_run: bool,
}

impl FileWriter {
    #[must_use]
    pub fn new(dry_run: bool) -> Self {
        FileWriter { dry_run }
    }

    /// Writes `contents` to `path` per `mode`. Parent folders are created.
    pub fn write(
        &self,
        path: &Path,
        contents: &[u8],
        mode: WriteMode,
    ) -> Result<WriteEffect, FsError> {
        let exists = path.exists();
        if exists && mode == WriteMode::CreateNew {
            return Err(FsError::AlreadyExists {
                path: path.to_path_buf(),
            });
        }
        if self.dry_run {
            return Ok(if exists {
                WriteEffect::WouldReplace
            } else {
                WriteEffect::WouldCreate
            });
        }
        let write_err = |source| FsError::Write {
            path: path.to_path_buf(),
            source,
        };
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(write_err)?;
        let mut temp = tempfile::Builder::new()
            .prefix(".skillsctl-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(write_err)?;
        temp.write_all(contents).map_err(write_err)?;
        temp.as_file().sync_all().map_err(write_err)?;
        if exists {
            // Keep the permissions of the file being replaced.
            if let Ok(meta) = std::fs::metadata(path) {
                let _ = std::fs::set_permissions(temp.path(), meta.permissions());
            }
        }
        match mode {
            WriteMode::Overwrite => temp.persist(path).map_err(|e| write_err(e.error))?,
            WriteMode::CreateNew => temp.persist_noclobber(path).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    FsError::AlreadyExists {
                        path: path.to_path_buf(),
                    }
                } else {
                    write_err(e.error)
                }
            })?,
        };
        Ok(if exists {
            WriteEffect::Replaced
        } else {
            WriteEffect::Created
        })
    }
}

/// Reads a text file, naming it in the error.
pub fn read_to_string(path: &Path) -> Result<String, FsError> {
    std::fs::read_to_string(path).map_err(|source| FsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Opens files by name relative to their folder, keeping the last folder
/// open: the kernel then resolves one name per file instead of every
/// component of its path again. A walker thread reads a folder's files one
/// after another, so the folder is nearly always the one already open.
#[derive(Default)]
struct FolderHandle {
    #[cfg(unix)]
    open: Option<(PathBuf, std::os::fd::OwnedFd)>,
}

impl FolderHandle {
    #[cfg(unix)]
    fn open(&mut self, path: &Path) -> std::io::Result<std::fs::File> {
        use rustix::fs::{Mode, OFlags};
        let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
            return std::fs::File::open(path);
        };
        if self.open.as_ref().is_none_or(|(open, _)| open != folder) {
            let handle = rustix::fs::open(
                folder,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            self.open = Some((folder.to_owned(), handle));
        }
        let (_, handle) = self.open.as_ref().expect("folder opened above");
        let fd = rustix::fs::openat(
            handle,
            name,
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(std::fs::File::from(fd))
    }

    #[cfg(not(unix))]
    #[allow(clippy::unused_self)] // the same call as on Unix
    fn open(&mut self, path: &Path) -> std::io::Result<std::fs::File> {
        std::fs::File::open(path)
    }
}

/// What a repository walk left out, for warnings.
#[derive(Debug, Default)]
pub struct WalkIssues {
    /// Unreadable entries, broken links, loops: one message each.
    pub errors: Vec<String>,
    /// Files over the size cap.
    pub too_large: Vec<String>,
    /// Files with NUL bytes.
    pub binary: Vec<String>,
    /// Paths that are not valid UTF-8 (shown lossily).
    pub non_utf8_names: Vec<String>,
}

/// Walks `root` in parallel, honouring `.gitignore`, `.ignore` and hidden-file
/// rules, never entering `skip_dirs`, and calls `visit(relative_path, bytes)` for
/// every regular file under `max_bytes` that `wanted(relative_path)` accepts.
/// Symbolic links are not followed, so loops cannot trap the walk. The results
/// come in `order`: each walker thread sorts its own share before it ends, and
/// the sorted shares are merged.
pub fn walk_files<T, W, V, O>(
    root: &Path,
    skip_dirs: &'static [&'static str],
    max_bytes: u64,
    wanted: W,
    visit: V,
    order: O,
) -> (Vec<T>, WalkIssues)
where
    T: Send,
    W: Fn(&str) -> bool + Sync,
    V: Fn(&str, &[u8]) -> Option<T> + Sync,
    O: Fn(&T, &T) -> std::cmp::Ordering + Sync,
{
    use std::sync::Mutex;
    let shares: Mutex<Vec<Vec<T>>> = Mutex::new(Vec::new());
    let issues: Mutex<WalkIssues> = Mutex::new(WalkIssues::default());
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir())
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| skip_dirs.contains(&name)))
        })
        .build_parallel();
    let walk = Walk {
        root,
        max_bytes,
        wanted,
        visit,
        order: &order,
        shares: &shares,
        issues: &issues,
    };
    walker.visit(&mut WalkVisitorBuilder(&walk));
    let mut results: Vec<T> = shares
        .into_inner()
        .expect("walk results")
        .into_iter()
        .flatten()
        .collect();
    // The shares are sorted runs: the stable sort finds them and only merges.
    results.sort_by(&order);
    (results, issues.into_inner().expect("walk issues"))
}

/// What every walker thread shares: the walk's settings and callbacks, and
/// where results and issues go.
struct Walk<'s, T, W, V, O> {
    root: &'s Path,
    max_bytes: u64,
    wanted: W,
    visit: V,
    order: &'s O,
    shares: &'s std::sync::Mutex<Vec<Vec<T>>>,
    issues: &'s std::sync::Mutex<WalkIssues>,
}

/// Makes one [`WalkVisitor`] per walker thread.
struct WalkVisitorBuilder<'s, T, W, V, O>(&'s Walk<'s, T, W, V, O>);

impl<'s, T, W, V, O> ignore::ParallelVisitorBuilder<'s> for WalkVisitorBuilder<'s, T, W, V, O>
where
    T: Send,
    W: Fn(&str) -> bool + Sync,
    V: Fn(&str, &[u8]) -> Option<T> + Sync,
    O: Fn(&T, &T) -> std::cmp::Ordering + Sync,
{
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(WalkVisitor {
            walk: self.0,
            found: Vec::new(),
            buffer: Vec::new(),
            folder: FolderHandle::default(),
        })
    }
}

/// One walker thread's state: its read buffer and open folder, reused for
/// every file, and what it found, handed over sorted when the thread ends.
struct WalkVisitor<'s, T, W, V, O>
where
    T: Send,
    O: Fn(&T, &T) -> std::cmp::Ordering,
{
    walk: &'s Walk<'s, T, W, V, O>,
    found: Vec<T>,
    buffer: Vec<u8>,
    folder: FolderHandle,
}

impl<T, W, V, O> ignore::ParallelVisitor for WalkVisitor<'_, T, W, V, O>
where
    T: Send,
    W: Fn(&str) -> bool + Sync,
    V: Fn(&str, &[u8]) -> Option<T> + Sync,
    O: Fn(&T, &T) -> std::cmp::Ordering + Sync,
{
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        let walk = self.walk;
        let issues = walk.issues;
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                issues
                    .lock()
                    .expect("walk issues")
                    .errors
                    .push(err.to_string());
                return ignore::WalkState::Continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            return ignore::WalkState::Continue;
        }
        let path = entry.path();
        let Ok(rel) = path.strip_prefix(walk.root) else {
            return ignore::WalkState::Continue;
        };
        // Borrowed from the path unless it must change: most paths need no copy here.
        let mut rel_text = rel.to_string_lossy();
        if rel_text.contains('\\') {
            rel_text = rel_text.replace('\\', "/").into();
        }
        if rel.to_str().is_none() {
            issues
                .lock()
                .expect("walk issues")
                .non_utf8_names
                .push(rel_text.clone().into_owned());
        }
        if !(walk.wanted)(&rel_text) {
            return ignore::WalkState::Continue;
        }
        // Open once and size the read from the open file: no separate stat
        // per path, and no probing read for an end the size already gives.
        let buffer = &mut self.buffer;
        let max_bytes = walk.max_bytes;
        let read = self.folder.open(path).and_then(|file| {
            use std::io::Read as _;
            let len = file.metadata()?.len();
            if len > max_bytes {
                return Ok(false);
            }
            buffer.clear();
            file.take(len).read_to_end(buffer)?;
            Ok(true)
        });
        match read {
            Ok(false) => issues
                .lock()
                .expect("walk issues")
                .too_large
                .push(rel_text.into_owned()),
            Ok(true) if self.buffer[..self.buffer.len().min(8192)].contains(&0) => {
                issues
                    .lock()
                    .expect("walk issues")
                    .binary
                    .push(rel_text.into_owned());
            }
            Ok(true) => {
                if let Some(item) = (walk.visit)(&rel_text, &self.buffer) {
                    self.found.push(item);
                }
            }
            Err(err) => issues
                .lock()
                .expect("walk issues")
                .errors
                .push(format!("{rel_text}: {err}")),
        }
        ignore::WalkState::Continue
    }
}

impl<T, W, V, O> Drop for WalkVisitor<'_, T, W, V, O>
where
    T: Send,
    O: Fn(&T, &T) -> std::cmp::Ordering,
{
    /// The walker drops each thread's visitor as that thread ends: sorting
    /// here sorts the shares in parallel.
    fn drop(&mut self) {
        let mut found = std::mem::take(&mut self.found);
        found.sort_unstable_by(self.walk.order);
        if let Ok(mut shares) = self.walk.shares.lock() {
            shares.push(found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_new_refuses_existing_file_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        let writer = FileWriter::new(false);
        assert_eq!(
            writer.write(&path, b"one", WriteMode::CreateNew).unwrap(),
            WriteEffect::Created
        );
        let err = writer
            .write(&path, b"two", WriteMode::CreateNew)
            .unwrap_err();
        assert!(matches!(err, FsError::AlreadyExists { .. }));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        assert_eq!(
            writer.write(&path, b"three", WriteMode::Overwrite).unwrap(),
            WriteEffect::Replaced
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "three");
        // No temp files are left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn dry_run_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/b.toml");
        let effect = FileWriter::new(true)
            .write(&path, b"x", WriteMode::Overwrite)
            .unwrap();
        assert_eq!(effect, WriteEffect::WouldCreate);
        assert!(!path.exists());
        assert!(!dir.path().join("sub").exists());
    }

    #[test]
    fn walk_reads_every_wanted_file_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut expected = Vec::new();
        for folder in ["a", "b/c", "b/d", "e"] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
            for n in 0..40 {
                let rel = format!("{folder}/f{n:02}.ts");
                std::fs::write(dir.path().join(&rel), &rel).unwrap();
                expected.push(rel);
            }
            std::fs::write(dir.path().join(folder).join("skip.md"), "no").unwrap();
        }
        std::fs::create_dir_all(dir.path().join("node_modules/x")).unwrap();
        std::fs::write(dir.path().join("node_modules/x/i.ts"), "x").unwrap();
        std::fs::write(dir.path().join("a/big.ts"), "y".repeat(100)).unwrap();
        std::fs::write(dir.path().join("a/zero.ts"), b"a\0b").unwrap();
        expected.sort();
        let (found, issues) = walk_files(
            dir.path(),
            &["node_modules"],
            64,
            |path| Path::new(path).extension().is_some_and(|e| e == "ts"),
            |path, bytes| Some((path.to_owned(), String::from_utf8(bytes.to_vec()).unwrap())),
            |a, b| a.0.cmp(&b.0),
        );
        // Each file's own bytes, read through its folder's handle, in path order.
        assert!(found.iter().all(|(path, text)| path == text));
        let paths: Vec<String> = found.into_iter().map(|(path, _)| path).collect();
        assert_eq!(paths, expected);
        assert_eq!(issues.too_large, ["a/big.ts"]);
        assert_eq!(issues.binary, ["a/zero.ts"]);
    }
}
