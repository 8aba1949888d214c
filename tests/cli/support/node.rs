//! Real Node servers from `fixtures/reference-backend`: `npm ci` once per test
//! run (skipped when the installed tree matches the lock file), then one
//! process per test on a free port, stopped when dropped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The fixture folder, with its dependencies installed.
pub fn backend_dir() -> PathBuf {
    static INSTALLED: OnceLock<PathBuf> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let dir = super::fixture("reference-backend");
            let installed = dir.join("node_modules/.package-lock.json");
            let lock = dir.join("package-lock.json");
            let fresh = std::fs::metadata(&installed)
                .and_then(|i| Ok(i.modified()? >= std::fs::metadata(&lock)?.modified()?))
                .unwrap_or(false);
            if !fresh {
                let status = Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                    .current_dir(&dir)
                    .stdin(Stdio::null())
                    .status()
                    .expect("run npm ci (Node 20 and npm must be installed)");
                assert!(status.success(), "npm ci failed in {}", dir.display());
            }
            dir
        })
        .clone()
}

/// A running Node server.
pub struct NodeServer {
    child: Child,
    pub url: String,
}

impl NodeServer {
    /// Starts `node <script>` with `env`, waiting for its `listening on URL` line.
    pub fn start(script: &str, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new("node");
        command
            .arg(script)
            .current_dir(backend_dir())
            .env("PORT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start node");
        let stdout = child.stdout.take().expect("node stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            panic!("{script} did not start: {line:?}");
        };
        NodeServer {
            url: url.to_owned(),
            child,
        }
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
