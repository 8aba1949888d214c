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
        .get_or_init(|| npm_ci(super::fixture("reference-backend")))
        .clone()
}

/// The TypeScript compiler of `fixtures/ts-tools`, installed.
pub fn tsc() -> PathBuf {
    static INSTALLED: OnceLock<PathBuf> = OnceLock::new();
    INSTALLED
        .get_or_init(|| npm_ci(super::fixture("ts-tools")).join("node_modules/.bin/tsc"))
        .clone()
}

/// Microsoft's SARIF Multitool of `fixtures/sarif-tools`, installed.
pub fn sarif_multitool() -> PathBuf {
    static INSTALLED: OnceLock<PathBuf> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            npm_ci(super::fixture("sarif-tools")).join("node_modules/.bin/sarif-multitool")
        })
        .clone()
}

/// `npm ci` in `dir` unless its installed tree is newer than the lock file.
fn npm_ci(dir: PathBuf) -> PathBuf {
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

/// The reference backend (`server.js`) on its own database, with a token of
/// its own so rate-limit counters never carry over between tests.
pub struct Backend {
    pub server: NodeServer,
    pub token: String,
}

impl Backend {
    /// Starts `server.js` on `database_url` and `redis_url`, plus `env`.
    pub fn start(database_url: &str, redis_url: &str, env: &[(&str, &str)]) -> Self {
        let token = format!(
            "tok-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        );
        let mut all: Vec<(&str, &str)> = vec![
            ("DATABASE_URL", database_url),
            ("REDIS_URL", redis_url),
            ("API_TOKEN", &token),
        ];
        all.extend_from_slice(env);
        let server = NodeServer::start("server.js", &all);
        Backend { server, token }
    }
}

/// A redis-server of the test's own on a free port, stopped by its pid when
/// dropped (or earlier with [`PrivateRedis::stop`]): the machine's shared
/// Redis is never touched.
pub struct PrivateRedis {
    child: Option<Child>,
    pub url: String,
}

impl PrivateRedis {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start a private redis-server");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "private redis-server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        PrivateRedis {
            child: Some(child),
            url: format!("redis://127.0.0.1:{port}/0"),
        }
    }

    /// Kills this redis-server (SIGKILL), as a crashed cache would go.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
