//! The test harness: a `TestContext` per test with a temp dir, the built binary,
//! fixtures copied in, loopback HTTP servers and fresh databases on the machine's
//! real PostgreSQL, MariaDB and Redis (dropped afterwards).

#![allow(dead_code)]

pub mod chromium;
pub mod history;
pub mod http;
pub mod node;
pub mod prometheus;
pub mod services;
pub mod tls;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

pub use services::{MysqlDb, PostgresDb, RedisDb};

/// The repository's own folder, where `fixtures/` lives.
pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path of a bundled fixture.
pub fn fixture(name: &str) -> PathBuf {
    repo_dir().join("fixtures").join(name)
}

/// One test's world: a temp dir that is the working directory of every run.
pub struct TestContext {
    dir: tempfile::TempDir,
    env: Vec<(String, OsString)>,
}

/// Builds a [`TestContext`].
#[derive(Default)]
pub struct TestContextBuilder {
    fixtures: Vec<(String, String)>,
    files: Vec<(String, String)>,
    env: Vec<(String, OsString)>,
}

impl TestContextBuilder {
    /// Copies `fixtures/<name>` into the temp dir as `<dest>`.
    pub fn fixture(mut self, name: &str, dest: &str) -> Self {
        self.fixtures.push((name.to_owned(), dest.to_owned()));
        self
    }

    /// Writes a file relative to the temp dir.
    pub fn file(mut self, path: &str, contents: &str) -> Self {
        self.files.push((path.to_owned(), contents.to_owned()));
        self
    }

    /// Sets an environment variable for every run.
    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    pub fn build(self) -> TestContext {
        let dir = tempfile::Builder::new()
            .prefix("skillsctl-test-")
            .tempdir()
            .expect("create temp dir");
        for (name, dest) in &self.fixtures {
            copy_dir(&fixture(name), &dir.path().join(dest));
        }
        let ctx = TestContext { dir, env: self.env };
        for (path, contents) in &self.files {
            ctx.write(path, contents);
        }
        ctx
    }
}

impl TestContext {
    pub fn builder() -> TestContextBuilder {
        TestContextBuilder::default()
    }

    pub fn new() -> Self {
        Self::builder().build()
    }

    /// The temp dir.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, contents: &str) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent dir");
        }
        std::fs::write(path, contents).expect("write test file");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// A skillsctl invocation in the temp dir with a clean environment.
    pub fn cmd<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = Command::new(env!("CARGO_BIN_EXE_skillsctl"));
        command
            .current_dir(self.root())
            .args(args)
            .stdin(std::process::Stdio::null());
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("SKILLSCTL_")
                || matches!(
                    key.as_ref(),
                    "CI" | "NO_COLOR" | "CLICOLOR_FORCE" | "COLUMNS" | "DATABASE_URL" | "REDIS_URL"
                )
            {
                command.env_remove(key.as_ref());
            }
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        Run { command }
    }
}

/// A prepared invocation.
pub struct Run {
    command: Command,
}

impl Run {
    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Runs to completion.
    pub fn output(mut self) -> Outcome {
        let out = self.command.output().expect("run skillsctl");
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and asserts the exit code.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Outcome {
        let out = self.output();
        assert_eq!(
            out.code, code,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            out.stdout, out.stderr
        );
        out
    }
}

/// What a run printed and returned.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// stdout parsed as JSON; fails the test if it is not.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create fixture dir");
    for entry in
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("read fixture {}: {e}", from.display()))
    {
        let entry = entry.expect("fixture entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy fixture file");
        }
    }
}
