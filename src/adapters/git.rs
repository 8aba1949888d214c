//! Git history, streamed from `git log -z --name-only` so a long history never
//! sits in memory. `--no-renames` keeps git from reading blobs, so a partial
//! clone with missing large blobs still works; `%aN`/`%aE` honour `.mailmap`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// One commit: its (mailmapped) author, time and the files it touched.
#[derive(Debug, Clone, Default)]
pub struct CommitRecord {
    pub author_name: String,
    pub author_email: String,
    pub unix_time: i64,
    pub files: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{0} is not inside a git repository")]
    NotARepo(String),
    #[error("cannot run git: {0}")]
    Spawn(String),
    #[error("git log failed: {0}")]
    Failed(String),
}

/// Calls `on_commit` for every non-merge commit since `since_unix` (newest first).
pub fn log(
    root: &Path,
    since_unix: Option<i64>,
    mut on_commit: impl FnMut(CommitRecord),
) -> Result<(), GitError> {
    let inside = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--show-prefix"])
        .stderr(Stdio::null())
        .output()
        .map_err(|e| GitError::Spawn(e.to_string()))?;
    if !inside.status.success() {
        return Err(GitError::NotARepo(root.display().to_string()));
    }
    // At the top of the work tree no pathspec is needed (and git is faster
    // without one); below it, paths are limited to and made relative to `root`.
    let in_subfolder = !String::from_utf8_lossy(&inside.stdout).trim().is_empty();
    let mut command = Command::new("git");
    command.arg("-C").arg(root).args([
        "-c",
        "core.quotepath=off",
        "log",
        "--no-merges",
        "--no-renames",
        "--name-only",
        "-z",
        "--format=%x1e%aN%x1f%aE%x1f%at",
    ]);
    if let Some(since) = since_unix {
        command.arg(format!("--since=@{since}"));
    }
    if in_subfolder {
        command.args(["--relative", "--", "."]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| GitError::Spawn(e.to_string()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| GitError::Spawn("no stdout".into()))?;
    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    let mut current: Option<CommitRecord> = None;
    let mut token = Vec::new();
    loop {
        token.clear();
        let n = reader
            .read_until(0, &mut token)
            .map_err(|e| GitError::Failed(e.to_string()))?;
        if n == 0 {
            break;
        }
        if token.last() == Some(&0) {
            token.pop();
        }
        let text = String::from_utf8_lossy(&token);
        let text = text.trim_start_matches('\n');
        if let Some(header) = text.strip_prefix('\u{1e}') {
            if let Some(done) = current.take() {
                on_commit(done);
            }
            let mut parts = header.split('\u{1f}');
            current = Some(CommitRecord {
                author_name: parts.next().unwrap_or("").to_owned(),
                author_email: parts.next().unwrap_or("").to_owned(),
                unix_time: parts
                    .next()
                    .and_then(|t| t.trim().parse().ok())
                    .unwrap_or(0),
                files: Vec::new(),
            });
        } else if !text.is_empty()
            && let Some(commit) = current.as_mut()
        {
            commit.files.push(text.to_owned());
        }
    }
    if let Some(done) = current.take() {
        on_commit(done);
    }
    let output = child
        .wait_with_output()
        .map_err(|e| GitError::Failed(e.to_string()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        // An empty repository has no history yet: that is not a failure.
        if stderr.contains("does not have any commits") {
            return Ok(());
        }
        return Err(GitError::Failed(stderr.trim().to_owned()));
    }
    Ok(())
}

/// Which of `paths` (relative to `root`) have uncommitted changes or are
/// untracked; `None` when `root` is not in a git work tree (nothing to lose
/// track of).
pub fn dirty(root: &Path, paths: &[String]) -> Result<Option<Vec<String>>, GitError> {
    let inside = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--is-inside-work-tree"])
        .stderr(Stdio::null())
        .output()
        .map_err(|e| GitError::Spawn(e.to_string()))?;
    if !inside.status.success() {
        return Ok(None);
    }
    let mut command = Command::new("git");
    command.arg("-C").arg(root).args([
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--",
    ]);
    command.args(paths);
    let output = command
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| GitError::Spawn(e.to_string()))?;
    if !output.status.success() {
        return Err(GitError::Failed(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    // `git status` answers relative to the top of the work tree.
    let prefix = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--show-prefix"])
        .output()
        .map_err(|e| GitError::Spawn(e.to_string()))?;
    let prefix = String::from_utf8_lossy(&prefix.stdout).trim().to_owned();
    let found = output
        .stdout
        .split(|b| *b == 0)
        .filter(|entry| entry.len() > 3)
        .map(|entry| {
            let path = String::from_utf8_lossy(&entry[3..]).into_owned();
            path.strip_prefix(&prefix)
                .map_or(path.clone(), str::to_owned)
        })
        .collect();
    Ok(Some(found))
}

/// The files under `root` (relative to it) added or changed since the merge
/// base of `reference` and HEAD: committed, staged, in the work tree, and
/// untracked. Deleted files are left out.
pub fn changed_since(root: &Path, reference: &str) -> Result<Vec<String>, GitError> {
    let git = |args: &[&str]| -> Result<String, GitError> {
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| GitError::Spawn(e.to_string()))?;
        if !out.status.success() {
            let message = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            if message.contains("not a git repository") {
                return Err(GitError::NotARepo(root.display().to_string()));
            }
            return Err(GitError::Failed(message));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let base = git(&["merge-base", reference, "HEAD"])?;
    let base = base.trim();
    let mut files: Vec<String> = git(&[
        "diff",
        "--name-only",
        "--relative",
        "--no-renames",
        "--diff-filter=d",
        base,
    ])?
    .lines()
    .map(str::to_owned)
    .collect();
    files.extend(
        git(&["ls-files", "--others", "--exclude-standard"])?
            .lines()
            .map(str::to_owned),
    );
    files.sort();
    files.dedup();
    Ok(files)
}

/// Where `root`'s history stands: the newest commit's time (the window's
/// end), and the work tree's top when `root` lies below it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryAnchor {
    pub head_unix: Option<i64>,
    /// The enclosing work tree's top, when it is not `root` itself.
    pub enclosing: Option<String>,
}

/// The newest commit's time and the enclosing work tree of `root`.
pub fn anchor(root: &Path) -> Result<HistoryAnchor, GitError> {
    let run = |args: &[&str]| -> Result<Option<String>, GitError> {
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|e| GitError::Spawn(e.to_string()))?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned()))
    };
    let Some(prefix) = run(&["rev-parse", "--show-prefix"])? else {
        return Err(GitError::NotARepo(root.display().to_string()));
    };
    let head_unix = run(&["log", "-1", "--format=%ct", "HEAD"])?.and_then(|t| t.parse().ok());
    let enclosing = if prefix.is_empty() {
        None
    } else {
        run(&["rev-parse", "--show-toplevel"])?
    };
    Ok(HistoryAnchor {
        head_unix,
        enclosing,
    })
}
