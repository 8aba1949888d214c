//! The repository walk: every wanted file under a root, read in parallel on
//! all cores, honouring ignore files, with results in a stable order.

use std::path::{Path, PathBuf};

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
