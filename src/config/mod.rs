//! `skillsctl.toml`: where it is, how it reads, and how its errors are told.
//!
//! The file is found by walking up from the working directory (as cargo finds
//! `Cargo.toml`) unless `--config` names it. Strings may use `${VAR}` and
//! `${VAR:-default}`. Precedence for every setting: flags > `SKILLSCTL_*`
//! environment > file > defaults; flags and environment are resolved by clap, the
//! file and defaults by the command that reads the setting.

pub mod interpolate;
pub mod reader;
mod schema;
pub mod span;

use std::path::{Path, PathBuf};

pub use schema::{
    AnalysisConfig, Config, DatabaseConfig, DomainFacts, EnvString, HealthConfig,
    HealthTargetConfig, HumanDuration, JsonExpectation, JsonPathExpr, MatrixConfig,
    MigrationLayout, OutputConfig, Pattern, ProjectConfig, RedisConfig, SmokeConfig, StatusSet,
    TrafficConfig, WorkspaceConfig,
};

/// The file name looked for in the working directory and its parents.
pub const FILE_NAME: &str = "skillsctl.toml";

/// A configuration and where it came from.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The file read, if any was found.
    pub path: Option<PathBuf>,
    /// The project root: `project.root` resolved against the file's folder, else the
    /// file's folder, else the working directory.
    pub root: PathBuf,
    pub config: Config,
    /// The file's text, to place errors found after reading.
    pub text: String,
}

impl Loaded {
    /// A config error at `key` (a dotted path), with the line and column where the
    /// key is written, for problems found after the file was read.
    #[must_use]
    pub fn error_at(&self, key: &str, message: impl Into<String>) -> ConfigError {
        let path = self
            .path
            .as_ref()
            .map_or_else(|| FILE_NAME.to_owned(), |p| p.display().to_string());
        let (line, column) =
            span::offset_of(&self.text, key).map_or((0, 0), |o| span::line_col(&self.text, o));
        ConfigError::Invalid {
            path,
            line,
            column,
            key: Some(key.to_owned()),
            message: message.into(),
        }
    }
}

/// Why the configuration could not be used. Always exit 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}:{line}:{column}: {message}{}", key.as_ref().map(|k| format!(" (key `{k}`)")).unwrap_or_default())]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        key: Option<String>,
        message: String,
    },
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The nearest `skillsctl.toml` in `start` or one of its parents.
#[must_use]
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Loads the file named by `explicit`, else the discovered one, else defaults.
pub fn load(explicit: Option<&Path>, cwd: &Path) -> Result<Loaded, ConfigError> {
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => discover(cwd),
    };
    let Some(path) = path else {
        return Ok(Loaded {
            path: None,
            root: cwd.to_path_buf(),
            config: Config::default(),
            text: String::new(),
        });
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let config = parse(&text, &path.display().to_string())?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf);
    let root = match &config.project.root {
        Some(root) => dir.join(root),
        None => dir,
    };
    Ok(Loaded {
        path: Some(path),
        root,
        config,
        text,
    })
}

/// Parses config text; `origin` names the file in error messages.
pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
    toml::from_str(text).map_err(|err| {
        let offset = err.span().map_or(0, |s| s.start);
        let (line, column) = span::line_col(text, offset);
        ConfigError::Invalid {
            path: origin.to_owned(),
            line,
            column,
            key: span::key_path_at(text, offset),
            // Config files have keys, not fields.
            message: err
                .message()
                .trim_end()
                .replace("unknown field", "unknown key"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(text: &str) -> (usize, usize, Option<String>, String) {
        match parse(text, "skillsctl.toml") {
            Err(ConfigError::Invalid {
                line,
                column,
                key,
                message,
                ..
            }) => (line, column, key, message),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn unknown_key_names_place_and_key() {
        let (line, column, key, message) =
            invalid("[output]\nformat = \"json\"\ncolour = \"never\"\n");
        assert_eq!((line, column), (3, 1));
        assert_eq!(key.as_deref(), Some("output.colour"));
        assert!(message.contains("unknown key `colour`"), "{message}");
    }

    #[test]
    fn wrong_type_names_the_value() {
        let (line, column, key, message) = invalid("[health]\nretries = \"three\"\n");
        assert_eq!((line, column), (2, 11));
        assert_eq!(key.as_deref(), Some("health.retries"));
        assert!(message.contains("invalid type"), "{message}");
    }

    #[test]
    fn unset_variable_names_the_variable() {
        let (line, _, key, message) =
            invalid("[database]\nurl = \"postgres://u:${SKILLSCTL_TEST_SURELY_UNSET_VAR}@h/db\"\n");
        assert_eq!(line, 2);
        assert_eq!(key.as_deref(), Some("database.url"));
        assert!(
            message.contains("SKILLSCTL_TEST_SURELY_UNSET_VAR"),
            "{message}"
        );
    }

    #[test]
    fn durations_accept_units_and_seconds() {
        let config = parse("[health]\ntimeout = \"1m30s\"\n[[health.targets]]\nname = \"a\"\nurl = \"tcp://h:1\"\ntimeout = 2\n", "x").unwrap();
        assert_eq!(config.health.timeout.unwrap().0.as_secs(), 90);
        assert_eq!(config.health.targets[0].timeout.unwrap().0.as_secs(), 2);
    }
}
