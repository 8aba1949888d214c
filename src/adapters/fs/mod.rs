//! The filesystem adapter. File writes never leave a half-written file: the
//! content goes to a temp file in the target's folder, is flushed to disk, then
//! renamed over the target. Creation without overwrite uses a no-clobber rename
//! so two racing writers cannot both "win". With dry-run on, nothing is written
//! and the plan is returned.
//!
//! - [`changeset`]: many file changes planned in memory, previewed, applied as one.
//! - [`journal`]: its write-ahead journal, so a kill mid-apply is undone by the next run.
//! - [`walk`]: the parallel repository walk.

pub mod changeset;
pub mod journal;
pub mod walk;

pub use changeset::{ChangeError, ChangeSet};
pub use walk::{WalkIssues, walk_files};

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
            .prefix(".skillsctl-tmp-")
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

/// Undoes a change set's apply under `root` that a kill or crash cut short
/// (see [`journal`]): commands call it first, before they read the tree.
/// The number of paths put back, if there was one.
pub fn recover_interrupted(root: &Path) -> Result<Option<usize>, FsError> {
    journal::recover(root, FileWriter::new(false))
}

/// Reads a text file, naming it in the error.
pub fn read_to_string(path: &Path) -> Result<String, FsError> {
    std::fs::read_to_string(path).map_err(|source| FsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Every file under `dir` (hidden ones too), as (path relative to `dir` with
/// `/`, bytes), sorted by path. For small trees such as a template folder.
pub fn read_tree(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, FsError> {
    fn visit(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> Result<(), FsError> {
        let read_err = |source| FsError::Read {
            path: dir.to_path_buf(),
            source,
        };
        for entry in std::fs::read_dir(dir).map_err(read_err)? {
            let path = entry.map_err(read_err)?.path();
            if path.is_dir() {
                visit(base, &path, out)?;
            } else {
                let bytes = std::fs::read(&path).map_err(|source| FsError::Read {
                    path: path.clone(),
                    source,
                })?;
                let rel = path.strip_prefix(base).unwrap_or(&path);
                out.push((rel.to_string_lossy().replace('\\', "/"), bytes));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    visit(dir, dir, &mut out)?;
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
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
}
