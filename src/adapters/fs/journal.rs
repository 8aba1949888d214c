//! The change set's write-ahead journal: before the first step of an apply,
//! what every path held is written to `.skillsctl-journal.json` in the
//! change set's root (atomically); it is removed when the apply ends, done or
//! undone. A process killed in between (kill -9, a lost CI runner) leaves the
//! journal behind, and the next change set on that root puts every file back
//! as it was before the interrupted apply, removes the temp files that apply
//! may have left, then the journal: the tree is old, never a mix.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{FileWriter, FsError, WriteMode};

/// The journal's name in a change set's root.
pub const FILE: &str = ".skillsctl-journal.json";

#[derive(Serialize, Deserialize)]
struct Journal {
    pid: u32,
    entries: Vec<Entry>,
}

/// A path and what it held (`None`: absent), as UTF-8 text or hex.
#[derive(Serialize, Deserialize)]
struct Entry {
    path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hex: Option<String>,
}

impl Entry {
    fn new(path: &str, previous: Option<&[u8]>) -> Entry {
        let (text, hex) = match previous.map(|b| (std::str::from_utf8(b), b)) {
            None => (None, None),
            Some((Ok(text), _)) => (Some(text.to_owned()), None),
            Some((Err(_), bytes)) => (None, Some(crate::adapters::fs::journal::hex(bytes))),
        };
        Entry {
            path: path.to_owned(),
            text,
            hex,
        }
    }

    fn previous(&self) -> Option<Vec<u8>> {
        if let Some(text) = &self.text {
            return Some(text.clone().into_bytes());
        }
        let hex = self.hex.as_ref()?;
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect()
    }
}

/// Records `entries` (path relative to `root`, what it holds now) before an apply.
pub fn begin(
    root: &Path,
    writer: FileWriter,
    entries: &[(&str, Option<&[u8]>)],
) -> Result<(), FsError> {
    let journal = Journal {
        pid: std::process::id(),
        entries: entries.iter().map(|(p, b)| Entry::new(p, *b)).collect(),
    };
    let text = serde_json::to_vec(&journal).unwrap_or_default();
    writer.write(&root.join(FILE), &text, WriteMode::Overwrite)?;
    Ok(())
}

/// The apply ended (done or undone): the journal goes.
pub fn end(root: &Path) {
    let _ = std::fs::remove_file(root.join(FILE));
}

/// Puts back what an interrupted apply under `root` changed; the number of
/// paths restored, or `None` when there was nothing to do. A journal whose
/// process still runs belongs to an apply in progress and is left alone.
pub fn recover(root: &Path, writer: FileWriter) -> Result<Option<usize>, FsError> {
    let path = root.join(FILE);
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(None);
    };
    // A journal cut short by a kill while it was written never reached its
    // final name (atomic write), so one that does not parse is not ours.
    let Ok(journal) = serde_json::from_slice::<Journal>(&bytes) else {
        return Ok(None);
    };
    if journal.pid != std::process::id() && process_alive(journal.pid) {
        return Ok(None);
    }
    for entry in &journal.entries {
        let full = root.join(&entry.path);
        // A kill inside this file's write left its temp file beside it: gone
        // first, so that a folder the write made is empty and goes too.
        remove_stray_temp_files(full.parent().unwrap_or(root));
        if let Some(previous) = entry.previous() {
            if std::fs::read(&full).ok().as_deref() != Some(previous.as_slice()) {
                writer.write(&full, &previous, WriteMode::Overwrite)?;
            }
        } else {
            let _ = std::fs::remove_file(&full);
            super::changeset::remove_emptied_folders(root, &full);
        }
    }
    end(root);
    Ok(Some(journal.entries.len()))
}

/// The temp files a killed atomic write leaves (`.skillsctl-tmp-*`).
fn remove_stray_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".skillsctl-tmp-") && entry.path().is_file() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: u32) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_apply_is_put_back_binary_files_and_new_folders_included() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.toml"), "old = 1\n").unwrap();
        std::fs::write(root.join("blob.bin"), [0u8, 159, 146, 150]).unwrap();
        let writer = FileWriter::new(false);
        begin(
            root,
            writer,
            &[
                ("a.toml", Some(b"old = 1\n")),
                ("blob.bin", Some(&[0u8, 159, 146, 150])),
                ("new/dir/c.ts", None),
                ("made/d.ts", None),
            ],
        )
        .unwrap();
        // The apply got part of the way, then the process died.
        std::fs::write(root.join("a.toml"), "new = 2\n").unwrap();
        std::fs::remove_file(root.join("blob.bin")).unwrap();
        std::fs::create_dir_all(root.join("new/dir")).unwrap();
        std::fs::write(root.join("new/dir/c.ts"), "x").unwrap();
        std::fs::write(root.join(".skillsctl-tmp-abc.tmp"), "half").unwrap();
        // Killed inside the write of d.ts: only its temp file is there.
        std::fs::create_dir_all(root.join("made")).unwrap();
        std::fs::write(root.join("made/.skillsctl-tmp-d.tmp"), "half").unwrap();
        assert_eq!(recover(root, writer).unwrap(), Some(4));
        assert_eq!(
            std::fs::read_to_string(root.join("a.toml")).unwrap(),
            "old = 1\n"
        );
        assert_eq!(
            std::fs::read(root.join("blob.bin")).unwrap(),
            [0u8, 159, 146, 150]
        );
        assert!(
            !root.join("new").exists(),
            "the folder the apply made is gone"
        );
        assert!(!root.join(".skillsctl-tmp-abc.tmp").exists());
        assert!(!root.join("made").exists(), "nor the folder of a cut write");
        assert!(!root.join(FILE).exists());
        assert_eq!(recover(root, writer).unwrap(), None, "nothing left to do");
    }
}
