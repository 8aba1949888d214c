//! Many file changes as one unit, as Nx generators hold them: creates,
//! replacements, moves and deletes planned in memory under a root, read back
//! as the tree they would make, shown as `CREATE`/`UPDATE`/`MOVE`/`DELETE`
//! lines and unified diffs, then applied all or nothing.
//!
//! Every file the plan read is hashed; before anything is written, each is
//! read again and a file that changed on disk since is refused ([`ChangeError::Stale`]).
//! Each step is an atomic write or rename; a failure part-way undoes the
//! steps already done, newest first, so the tree is as it was.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{FileWriter, FsError, WriteMode};

/// What one planned change does, as the preview says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Action {
    Create,
    Update,
    Move,
    Delete,
}

impl Action {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "CREATE",
            Action::Update => "UPDATE",
            Action::Move => "MOVE",
            Action::Delete => "DELETE",
        }
    }
}

/// One line of the preview. Paths are relative to the root, with `/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Planned {
    pub action: Action,
    pub path: String,
    /// For a move, where the file was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// Why a plan cannot be made or applied.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("{0}: the path must be relative and stay inside the tree")]
    Outside(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0} does not exist")]
    Missing(String),
    #[error("{0} is planned twice")]
    Conflict(String),
    #[error("{0} changed on disk since it was read; run again to plan from the new content")]
    Stale(String),
    #[error(transparent)]
    Fs(#[from] FsError),
    /// A step failed; every step before it was undone.
    #[error("{source} (nothing was changed: {undone} earlier step(s) undone)")]
    RolledBack {
        #[source]
        source: Box<ChangeError>,
        undone: usize,
    },
    /// A step failed and undoing the earlier ones failed too: the tree is mixed.
    #[error("{source}; undoing the earlier steps failed too ({undo}), check these files: {files}")]
    Broken {
        #[source]
        source: Box<ChangeError>,
        undo: String,
        files: String,
    },
}

/// What is known of one path: what the disk held when first read, and what
/// the plan makes of it (`None`: absent).
#[derive(Debug, Clone)]
struct Entry {
    original: Option<Vec<u8>>,
    planned: Option<Vec<u8>>,
}

/// A plan of file changes under one root.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    root: PathBuf,
    entries: BTreeMap<String, Entry>,
    /// Moves, `to` → `from`, so the preview says MOVE instead of CREATE + DELETE.
    moves: BTreeMap<String, String>,
}

impl ChangeSet {
    /// A plan under `root`. An apply there that a kill cut short is undone
    /// first (its journal), so the plan reads the tree as it was before it.
    #[must_use]
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        match super::journal::recover(&root, FileWriter::new(false)) {
            Ok(Some(restored)) => tracing::warn!(
                root = %root.display(),
                restored,
                "undid an interrupted write (kill or crash) before planning"
            ),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(root = %root.display(), error = %e, "cannot undo an interrupted write");
            }
        }
        ChangeSet {
            root,
            entries: BTreeMap::new(),
            moves: BTreeMap::new(),
        }
    }

    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file as the plan leaves it (`None`: absent), reading the disk the
    /// first time a path is asked for.
    pub fn read(&mut self, path: &str) -> Result<Option<&[u8]>, ChangeError> {
        let key = clean(path)?;
        Ok(self.entry(&key)?.planned.as_deref())
    }

    /// What the disk held at `path` when the plan first read it (`None`:
    /// absent, or never read).
    #[must_use]
    pub fn original(&self, path: &str) -> Option<&[u8]> {
        let key = clean(path).ok()?;
        self.entries.get(&key)?.original.as_deref()
    }

    /// Whether the file exists once the plan is applied.
    pub fn exists(&mut self, path: &str) -> Result<bool, ChangeError> {
        Ok(self.read(path)?.is_some())
    }

    /// Plans a new file; refused when the path exists on disk or in the plan.
    pub fn create(&mut self, path: &str, contents: impl Into<Vec<u8>>) -> Result<(), ChangeError> {
        let key = clean(path)?;
        let entry = self.entry(&key)?;
        if entry.planned.is_some() {
            return Err(ChangeError::Exists(key));
        }
        entry.planned = Some(contents.into());
        Ok(())
    }

    /// Plans new contents for a file that exists (on disk or in the plan).
    pub fn replace(&mut self, path: &str, contents: impl Into<Vec<u8>>) -> Result<(), ChangeError> {
        let key = clean(path)?;
        let entry = self.entry(&key)?;
        if entry.planned.is_none() {
            return Err(ChangeError::Missing(key));
        }
        entry.planned = Some(contents.into());
        Ok(())
    }

    /// Creates the file or replaces what is there.
    pub fn write(&mut self, path: &str, contents: impl Into<Vec<u8>>) -> Result<(), ChangeError> {
        let key = clean(path)?;
        self.entry(&key)?.planned = Some(contents.into());
        Ok(())
    }

    /// Plans the removal of a file that exists.
    pub fn delete(&mut self, path: &str) -> Result<(), ChangeError> {
        let key = clean(path)?;
        let entry = self.entry(&key)?;
        if entry.planned.take().is_none() {
            return Err(ChangeError::Missing(key));
        }
        self.moves.retain(|to, _| to != &key);
        Ok(())
    }

    /// Plans a move; `contents` replaces the moved file's text (rewritten
    /// imports), else it moves as it is. The target must not exist.
    pub fn rename(
        &mut self,
        from: &str,
        to: &str,
        contents: Option<Vec<u8>>,
    ) -> Result<(), ChangeError> {
        let (from_key, to_key) = (clean(from)?, clean(to)?);
        if from_key == to_key {
            return Err(ChangeError::Conflict(to_key));
        }
        let moved = self
            .entry(&from_key)?
            .planned
            .take()
            .ok_or_else(|| ChangeError::Missing(from_key.clone()))?;
        let target = self.entry(&to_key)?;
        if target.planned.is_some() {
            // Put the source back: a refused step changes nothing.
            let original = self.entries.get_mut(&from_key).expect("read above");
            original.planned = Some(moved);
            return Err(ChangeError::Exists(to_key));
        }
        target.planned = Some(contents.unwrap_or(moved));
        let origin = self.moves.remove(&from_key).unwrap_or(from_key);
        self.moves.insert(to_key, origin);
        Ok(())
    }

    /// The changes, one line a path, in path order; moves once, under their target.
    #[must_use]
    pub fn preview(&self) -> Vec<Planned> {
        let moved_from: Vec<&String> = self
            .moves
            .iter()
            .filter(|(to, from)| self.is_move(to, from))
            .map(|(_, from)| from)
            .collect();
        let mut lines = Vec::new();
        for (path, entry) in &self.entries {
            let action = match (&entry.original, &entry.planned) {
                (None, Some(_)) => match self.moves.get(path) {
                    Some(from) if self.is_move(path, from) => {
                        lines.push(Planned {
                            action: Action::Move,
                            path: path.clone(),
                            from: Some(from.clone()),
                        });
                        continue;
                    }
                    _ => Action::Create,
                },
                (Some(old), Some(new)) if old != new => Action::Update,
                (Some(_), None) if moved_from.contains(&path) => continue,
                (Some(_), None) => Action::Delete,
                _ => continue,
            };
            lines.push(Planned {
                action,
                path: path.clone(),
                from: None,
            });
        }
        lines
    }

    /// Whether nothing would change.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.preview().is_empty()
    }

    /// Unified diffs of every change (`/dev/null` for created and deleted
    /// files); a moved file shows only its edits, if any.
    #[must_use]
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for line in self.preview() {
            let entry = &self.entries[&line.path];
            let (old_name, old) = match &line.from {
                Some(from) => (from.clone(), self.entries[from].original.as_deref()),
                None => (line.path.clone(), entry.original.as_deref()),
            };
            let (new_name, new) = match line.action {
                Action::Delete => ("/dev/null".to_owned(), None),
                _ => (line.path.clone(), entry.planned.as_deref()),
            };
            let old_label = if old.is_some() {
                format!("a/{old_name}")
            } else {
                "/dev/null".to_owned()
            };
            let new_label = if new.is_some() {
                format!("b/{new_name}")
            } else {
                new_name
            };
            let old_text = String::from_utf8_lossy(old.unwrap_or_default());
            let new_text = String::from_utf8_lossy(new.unwrap_or_default());
            if line.action == Action::Move && old_text == new_text {
                let _ = writeln!(out, "rename a/{old_name} => b/{}", line.path);
                continue;
            }
            let diff = similar::TextDiff::from_lines(old_text.as_ref(), new_text.as_ref());
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&old_label, &new_label)
                    .to_string(),
            );
        }
        out
    }

    /// Writes the plan: every file read is checked against its hash first,
    /// then each change is made atomically, and a failure undoes the ones
    /// made before it. With `writer.dry_run`, only the checks run.
    pub fn apply(&self, writer: &FileWriter) -> Result<Vec<Planned>, ChangeError> {
        self.apply_with(writer, &mut |_| Ok(()))
    }

    /// [`ChangeSet::apply`] with a hook called before each step (its index),
    /// whose error fails that step: how tests inject a failure part-way.
    pub fn apply_with(
        &self,
        writer: &FileWriter,
        before_step: &mut dyn FnMut(usize) -> Result<(), ChangeError>,
    ) -> Result<Vec<Planned>, ChangeError> {
        self.check_fresh()?;
        let preview = self.preview();
        if writer.dry_run {
            return Ok(preview);
        }
        let steps = self.steps();
        if steps.is_empty() {
            return Ok(preview);
        }
        let journal: Vec<(&str, Option<&[u8]>)> = steps.iter().map(Step::before).collect();
        super::journal::begin(&self.root, *writer, &journal)?;
        let mut done: Vec<Done> = Vec::new();
        for (index, step) in steps.iter().enumerate() {
            test_pause(index);
            let result = before_step(index)
                .and_then(|()| injected_failure(index))
                .and_then(|()| self.perform(*writer, step));
            match result {
                Ok(made_dir) => done.push(Done { step, made_dir }),
                Err(err) => {
                    let err = self.undo(*writer, &done, err);
                    super::journal::end(&self.root);
                    return Err(err);
                }
            }
        }
        super::journal::end(&self.root);
        // Folders the moves and deletes emptied go too, as after `git mv`;
        // the root and anything still holding a file stay.
        for step in &steps {
            if let Step::Remove { path, .. } = step {
                remove_emptied_folders(&self.root, &self.root.join(path));
            }
        }
        Ok(preview)
    }

    /// Every path the plan read must hold what it held then.
    fn check_fresh(&self) -> Result<(), ChangeError> {
        for (path, entry) in &self.entries {
            let now = read_optional(&self.root.join(path))?;
            if hash(now.as_deref()) != hash(entry.original.as_deref()) {
                return Err(ChangeError::Stale(path.clone()));
            }
        }
        Ok(())
    }

    /// The writes and removals, writes first so a move's target exists before
    /// its source goes.
    fn steps(&self) -> Vec<Step> {
        let mut writes = Vec::new();
        let mut removals = Vec::new();
        for (path, entry) in &self.entries {
            match (&entry.original, &entry.planned) {
                (old, Some(new)) if old.as_ref() != Some(new) => writes.push(Step::Write {
                    path: path.clone(),
                    contents: new.clone(),
                    previous: old.clone(),
                }),
                (Some(old), None) => removals.push(Step::Remove {
                    path: path.clone(),
                    previous: old.clone(),
                }),
                _ => {}
            }
        }
        writes.extend(removals);
        writes
    }

    /// Makes one change; returns the topmost folder it had to create, if any.
    fn perform(&self, writer: FileWriter, step: &Step) -> Result<Option<PathBuf>, ChangeError> {
        match step {
            Step::Write { path, contents, .. } => {
                let full = self.root.join(path);
                let made_dir = topmost_missing_folder(&self.root, &full);
                writer.write(&full, contents, WriteMode::Overwrite)?;
                Ok(made_dir)
            }
            Step::Remove { path, .. } => {
                let full = self.root.join(path);
                std::fs::remove_file(&full)
                    .map_err(|source| FsError::Write { path: full, source })?;
                Ok(None)
            }
        }
    }

    /// Undoes `done`, newest first, and wraps `err` with what came of it.
    fn undo(&self, writer: FileWriter, done: &[Done], err: ChangeError) -> ChangeError {
        let mut failed = Vec::new();
        let mut last_error = String::new();
        for Done { step, made_dir } in done.iter().rev() {
            let (path, previous) = match step {
                Step::Write { path, previous, .. } => (path, previous.as_deref()),
                Step::Remove { path, previous } => (path, Some(previous.as_slice())),
            };
            let full = self.root.join(path);
            let restored = match previous {
                Some(bytes) => writer
                    .write(&full, bytes, WriteMode::Overwrite)
                    .map(drop)
                    .map_err(|e| e.to_string()),
                None => std::fs::remove_file(&full)
                    .map_err(|e| e.to_string())
                    .map(|()| remove_made_folders(&full, made_dir.as_deref())),
            };
            if let Err(message) = restored {
                failed.push(path.clone());
                last_error = message;
            }
        }
        if failed.is_empty() {
            ChangeError::RolledBack {
                source: Box::new(err),
                undone: done.len(),
            }
        } else {
            ChangeError::Broken {
                source: Box::new(err),
                undo: last_error,
                files: failed.join(", "),
            }
        }
    }

    fn entry(&mut self, key: &str) -> Result<&mut Entry, ChangeError> {
        if !self.entries.contains_key(key) {
            let original = read_optional(&self.root.join(key))?;
            self.entries.insert(
                key.to_owned(),
                Entry {
                    planned: original.clone(),
                    original,
                },
            );
        }
        Ok(self.entries.get_mut(key).expect("inserted above"))
    }

    /// A recorded move still stands when its source is gone and its target new.
    fn is_move(&self, to: &str, from: &str) -> bool {
        let (Some(to), Some(from)) = (self.entries.get(to), self.entries.get(from)) else {
            return false;
        };
        to.original.is_none()
            && to.planned.is_some()
            && from.original.is_some()
            && from.planned.is_none()
    }
}

/// A step made, with the topmost folder it created (removed again on undo).
struct Done<'a> {
    step: &'a Step,
    made_dir: Option<PathBuf>,
}

/// One write or removal, with what was there before for the undo.
#[derive(Debug)]
enum Step {
    Write {
        path: String,
        contents: Vec<u8>,
        previous: Option<Vec<u8>>,
    },
    Remove {
        path: String,
        previous: Vec<u8>,
    },
}

impl Step {
    /// The path and what it held before this step, for the journal.
    fn before(&self) -> (&str, Option<&[u8]>) {
        match self {
            Step::Write { path, previous, .. } => (path, previous.as_deref()),
            Step::Remove { path, previous } => (path, Some(previous.as_slice())),
        }
    }
}

/// `a/./b/../c` → `a/c`; absolute paths and `..` past the root are refused.
fn clean(path: &str) -> Result<String, ChangeError> {
    let mut parts: Vec<&str> = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => {
                parts.push(
                    part.to_str()
                        .ok_or_else(|| ChangeError::Outside(path.to_owned()))?,
                );
            }
            Component::CurDir => {}
            Component::ParentDir if parts.pop().is_some() => {}
            _ => return Err(ChangeError::Outside(path.to_owned())),
        }
    }
    if parts.is_empty() {
        return Err(ChangeError::Outside(path.to_owned()));
    }
    Ok(parts.join("/"))
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, ChangeError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        // Under a file instead of a folder: absent too (writing it will fail).
        Err(err)
            if matches!(
                err.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(source) => Err(FsError::Read {
            path: path.to_path_buf(),
            source,
        }
        .into()),
    }
}

fn hash(bytes: Option<&[u8]>) -> Option<[u8; 32]> {
    bytes.map(|b| Sha256::digest(b).into())
}

/// The highest folder between `root` and `file` that does not exist yet.
fn topmost_missing_folder(root: &Path, file: &Path) -> Option<PathBuf> {
    let mut missing = None;
    let mut dir = file.parent();
    while let Some(current) = dir {
        if current == root || current.exists() {
            break;
        }
        missing = Some(current.to_path_buf());
        dir = current.parent();
    }
    missing
}

/// Removes the file's folders, innermost first, while they are empty, up to
/// (not including) `root`.
pub(super) fn remove_emptied_folders(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(current) = dir {
        if current == root || !current.starts_with(root) || std::fs::remove_dir(current).is_err() {
            break;
        }
        dir = current.parent();
    }
}

/// Removes the folders a write created, from the file's up to `made`, while
/// they are empty; folders that were there before are never touched.
fn remove_made_folders(file: &Path, made: Option<&Path>) {
    let Some(made) = made else { return };
    let mut dir = file.parent();
    while let Some(current) = dir {
        if !current.starts_with(made) || std::fs::remove_dir(current).is_err() {
            break;
        }
        dir = current.parent();
    }
}

/// `SKILLSCTL_TEST_PAUSE_STEP=N` waits 3 s before step N of every apply, so
/// crash tests can kill the process in the middle of one.
fn test_pause(index: usize) {
    if std::env::var("SKILLSCTL_TEST_PAUSE_STEP").is_ok_and(|s| s.trim().parse() == Ok(index)) {
        std::thread::sleep(std::time::Duration::from_secs(3));
    }
}

/// `SKILLSCTL_TEST_FAIL_STEP=N` fails step N of every apply, so end-to-end
/// tests can prove that a failure part-way leaves the tree as it was.
fn injected_failure(index: usize) -> Result<(), ChangeError> {
    match std::env::var("SKILLSCTL_TEST_FAIL_STEP") {
        Ok(step) if step.trim().parse() == Ok(index) => Err(FsError::Write {
            path: PathBuf::from(format!("step {index}")),
            source: std::io::Error::other("failure injected by SKILLSCTL_TEST_FAIL_STEP"),
        }
        .into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
