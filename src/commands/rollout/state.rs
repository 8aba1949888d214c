//! A rollout's state on disk, so a rollout cut short (Ctrl-C, a crash,
//! kill -9) can be resumed or aborted to the last good weights; and the lock
//! that keeps a second rollout of the same service out while one runs. The
//! lock is an flock on an open file: the kernel drops it when the holder
//! dies, so a dead rollout never blocks the next one.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::adapters::fs::{FileWriter, FsError, WriteMode};

/// Where a rollout stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutState {
    pub service: String,
    pub steps: Vec<u8>,
    /// The step under way (index into `steps`).
    pub current: usize,
    /// The weight that last passed its checks (where `--abort` returns).
    pub last_good: u8,
    /// The weight before the rollout began (where a failed check returns).
    pub initial: u8,
    pub pid: u32,
}

/// The state file and lock file of one service's rollout.
pub struct Paths {
    pub state: PathBuf,
    pub lock: PathBuf,
}

#[must_use]
pub fn paths(dir: &Path, service: &str) -> Paths {
    Paths {
        state: dir.join(format!("rollout-{service}.json")),
        lock: dir.join(format!("rollout-{service}.lock")),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("a rollout of `{0}` is running (its lock {1} is held); wait for it, or stop it first")]
    Locked(String, String),
    #[error("{0} is not a rollout state skillsctl wrote: {1}")]
    Corrupt(String, String),
    #[error(transparent)]
    Fs(#[from] FsError),
    #[error("cannot lock {0}: {1}")]
    Io(String, std::io::Error),
}

/// Held for the whole run; dropping it (or dying) releases the lock.
pub struct Lock(#[allow(dead_code)] File);

/// Takes the service's rollout lock without waiting.
pub fn lock(paths: &Paths, service: &str) -> Result<Lock, StateError> {
    if let Some(dir) = paths.lock.parent() {
        std::fs::create_dir_all(dir).map_err(|e| StateError::Io(dir.display().to_string(), e))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&paths.lock)
        .map_err(|e| StateError::Io(paths.lock.display().to_string(), e))?;
    #[cfg(unix)]
    {
        use rustix::fs::{FlockOperation, flock};
        if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
            return Err(StateError::Locked(
                service.to_owned(),
                paths.lock.display().to_string(),
            ));
        }
    }
    Ok(Lock(file))
}

/// The saved state, if a rollout was cut short.
pub fn load(paths: &Paths) -> Result<Option<RolloutState>, StateError> {
    match std::fs::read_to_string(&paths.state) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| StateError::Corrupt(paths.state.display().to_string(), e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(FsError::Read {
            path: paths.state.clone(),
            source,
        }
        .into()),
    }
}

/// Saves the state atomically: a kill leaves the old state or the new one.
pub fn save(paths: &Paths, state: &RolloutState) -> Result<(), StateError> {
    let text = serde_json::to_vec_pretty(state).unwrap_or_default();
    FileWriter::new(false).write(&paths.state, &text, WriteMode::Overwrite)?;
    Ok(())
}

/// Forgets a finished or aborted rollout.
pub fn clear(paths: &Paths) {
    let _ = std::fs::remove_file(&paths.state);
}
