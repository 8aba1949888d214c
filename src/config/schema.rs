//! The shape of `skillsctl.toml`. Every table rejects unknown keys so a typo is an
//! error naming the file, line, column and key, not a silently ignored setting.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::interpolate;
use crate::output::{ColorChoice, Format};

/// The whole file. Every section is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub project: ProjectConfig,
    pub output: OutputConfig,
    pub workspace: WorkspaceConfig,
    /// Domain name → paths or globs (relative to the project root) that belong to it.
    pub domains: BTreeMap<String, Vec<String>>,
    pub database: DatabaseConfig,
    pub redis: RedisConfig,
    pub health: HealthConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProjectConfig {
    /// A name for reports.
    pub name: Option<String>,
    /// The repository root, relative to the config file (default: its folder).
    pub root: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    pub format: Option<Format>,
    pub color: Option<ColorChoice>,
    /// Set to false to never draw progress bars.
    pub progress: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkspaceConfig {
    /// Workspace package folders (npm/pnpm/yarn workspaces, Cargo members).
    pub packages: Vec<String>,
    /// Folders of Next.js apps whose `app/api` or `pages/api` routes are served.
    pub next_apps: Vec<String>,
}

/// Which migration ledger a project uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MigrationLayout {
    Prisma,
    Sqlx,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Connection URL; use `${DATABASE_URL}` to keep the password out of the file.
    pub url: Option<EnvString>,
    pub layout: Option<MigrationLayout>,
    /// Folder holding the migrations.
    pub migrations: Option<PathBuf>,
    /// Prisma schema file or folder.
    pub schema: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedisConfig {
    pub url: Option<EnvString>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthConfig {
    /// Per-target timeout unless a target sets its own.
    pub timeout: Option<HumanDuration>,
    /// Retries per check before a target counts as down.
    pub retries: Option<u32>,
    pub targets: Vec<HealthTargetConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthTargetConfig {
    pub name: String,
    /// `http(s)://…`, `postgres://…`, `mysql://…`, `redis://…`, `tcp://host:port`, `dns://name`.
    pub url: EnvString,
    pub timeout: Option<HumanDuration>,
}

/// A string from the config file with `${VAR}` / `${VAR:-default}` expanded.
///
/// `Debug` shows the text as written (with its `${…}` references), never the
/// expanded value, so a secret from the environment cannot leak through logs.
#[derive(Clone, PartialEq, Eq)]
pub struct EnvString {
    written: String,
    value: String,
}

impl EnvString {
    /// The expanded value. Redact it before display if it may hold a secret.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The text as written in the file.
    #[must_use]
    pub fn written(&self) -> &str {
        &self.written
    }

    /// Expands `written` with the process environment.
    pub fn from_env(written: &str) -> Result<Self, interpolate::InterpolateError> {
        let value = interpolate::expand(written, &|name| std::env::var(name).ok())?;
        Ok(EnvString {
            written: written.to_owned(),
            value,
        })
    }
}

impl fmt::Debug for EnvString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.written)
    }
}

impl<'de> Deserialize<'de> for EnvString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let written = String::deserialize(deserializer)?;
        EnvString::from_env(&written).map_err(serde::de::Error::custom)
    }
}

/// A duration written as `250ms`, `5s`, `1m30s` (or a number of seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    /// Parses the forms the config file and flags accept.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if let Ok(secs) = trimmed.parse::<u64>() {
            return Ok(HumanDuration(Duration::from_secs(secs)));
        }
        humantime::parse_duration(trimmed)
            .map(HumanDuration)
            .map_err(|_| format!("`{text}` is not a duration; write e.g. `500ms`, `5s` or `1m30s`"))
    }
}

impl std::str::FromStr for HumanDuration {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HumanDuration::parse(s)
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Seconds(u64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Seconds(secs) => Ok(HumanDuration(Duration::from_secs(secs))),
            Raw::Text(text) => {
                let expanded = interpolate::expand(&text, &|name| std::env::var(name).ok())
                    .map_err(serde::de::Error::custom)?;
                HumanDuration::parse(&expanded).map_err(serde::de::Error::custom)
            }
        }
    }
}
