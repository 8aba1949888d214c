//! The shape of `skillsctl.toml`. Every table rejects unknown keys so a typo is an
//! error naming the file, line, column and key, not a silently ignored setting.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::interpolate;
use crate::format::{ColorChoice, Format};

/// The whole file. Every section is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub project: ProjectConfig,
    pub output: OutputConfig,
    pub workspace: WorkspaceConfig,
    /// Domain name → paths or globs (relative to the project root) that belong to it.
    pub domains: BTreeMap<String, Vec<String>>,
    /// Domain name → role: `domain`, `app`, `shared` or `data` (only `domain`
    /// is ever recommended for extraction).
    pub roles: BTreeMap<String, crate::repo::domains::Role>,
    pub database: DatabaseConfig,
    pub redis: RedisConfig,
    pub health: HealthConfig,
    /// Thresholds of the extraction decision matrix.
    pub matrix: MatrixConfig,
    /// How `analyze-boundaries` reads history.
    pub analysis: AnalysisConfig,
    pub traffic: TrafficConfig,
    /// Domain name → facts only people know (deploys, stack, data isolation).
    pub facts: BTreeMap<String, DomainFacts>,
    /// What `smoke` runs without suite arguments.
    pub smoke: SmokeConfig,
    pub gateway: GatewayConfig,
    /// How `extract-service` scaffolds.
    pub extract: ExtractConfig,
}

/// `[extract]`: templates and where service packages go.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractConfig {
    /// The template used without `--template` [default: express-ts].
    pub template: Option<String>,
    /// Folders of the team's own templates, relative to the config file.
    pub template_dirs: Vec<PathBuf>,
    /// Where new packages go, relative to the project root [default: packages].
    pub packages_dir: Option<String>,
}

/// `[gateway]`: where the gateway file is.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// Relative to the config file [default: gateway.toml].
    pub file: Option<String>,
}

/// `[smoke]`: the suites `skillsctl smoke` runs by default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmokeConfig {
    /// Files or globs, relative to the config file.
    pub suites: Vec<String>,
    /// Over every suite's own `base_url` (`--base-url` wins).
    pub base_url: Option<EnvString>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MatrixConfig {
    /// Extract above this many requests per minute (guide: 1000).
    pub traffic_per_min: Option<f64>,
    /// Extract above this many developers (guide: 3).
    pub team_size: Option<usize>,
    /// Extract above this many lines of code (guide: 1000).
    pub loc: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisConfig {
    /// History window, e.g. "90 days".
    pub since: Option<HumanDuration>,
    /// Commits touching more files than this are left out (default 30).
    pub max_commit_files: Option<usize>,
    /// Name or e-mail substrings of bots (default: [bot], dependabot, renovate, …).
    pub bots: Option<Vec<String>>,
    /// Minimum shared commits for a change-coupling pair (default 5).
    pub min_shared_commits: Option<usize>,
    /// Minimum coupling degree in percent (default 30).
    pub min_coupling_degree: Option<f64>,
    /// A saved `git log` to read the history from, relative to the project root.
    pub git_log: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrafficConfig {
    /// Access logs (combined or JSON lines, .gz accepted), relative to the project root.
    pub logs: Vec<PathBuf>,
    /// A Prometheus server with `http_requests_total` by `route`.
    pub prometheus: Option<EnvString>,
    /// Route prefix → domain, for routes the Next.js files do not tell.
    pub routes: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DomainFacts {
    pub independent_deploys: Option<bool>,
    /// The stack the domain needs, e.g. "python".
    pub stack: Option<String>,
    pub data_isolation: Option<bool>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, clap::ValueEnum)]
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

/// One target of `health-check`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthTargetConfig {
    pub name: String,
    /// `http(s)://…`, `postgres://…`, `mysql://…`, `redis(s)://…`, `tcp://host:port`,
    /// `dns://name`, `amqp://…`, `nats://…`.
    pub url: EnvString,
    /// Per-attempt timeout.
    pub timeout: Option<HumanDuration>,
    pub retries: Option<u32>,
    /// A failing non-critical target is a warning, not a failure.
    #[serde(default = "yes")]
    pub critical: bool,
    /// HTTP: accepted statuses, e.g. `"2xx"`, `200`, `"200-399"`, `[200, 204]`.
    pub expect_status: Option<StatusSet>,
    /// HTTP: slower answers are a warning (the guide's budget is 200ms).
    pub max_latency: Option<HumanDuration>,
    /// HTTP: request headers; values may use `${TOKEN}`.
    #[serde(default)]
    pub headers: BTreeMap<String, EnvString>,
    /// HTTP: response headers that must match these regular expressions.
    #[serde(default)]
    pub expect_headers: BTreeMap<String, Pattern>,
    /// HTTP: a regular expression the body must match.
    pub body_regex: Option<Pattern>,
    /// HTTP: JSON path expectations on the body.
    #[serde(default)]
    pub json: Vec<JsonExpectation>,
    /// HTTPS: extra trusted roots (PEM).
    pub ca_cert: Option<PathBuf>,
    /// HTTPS: client certificate and key (PEM) for mutual TLS.
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// HTTPS: accept any certificate. Never the default.
    #[serde(default)]
    pub insecure: bool,
    /// PostgreSQL/MySQL: a table that must exist.
    pub expect_table: Option<String>,
    /// Redis: a key that must exist.
    pub expect_key: Option<String>,
}

fn yes() -> bool {
    true
}

/// A JSON path expectation: the value at `path` equals `equals` and/or its text
/// matches `matches`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonExpectation {
    pub path: JsonPathExpr,
    pub equals: Option<serde_json::Value>,
    pub matches: Option<Pattern>,
}

/// A compiled regular expression; invalid ones fail at the place they are written.
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::Regex);

impl std::str::FromStr for Pattern {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        regex::Regex::new(s)
            .map(Pattern)
            .map_err(|e| format!("invalid regular expression: {e}"))
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// An RFC 9535 JSON path such as `$.status` or `$.checks[?@.name == 'db'].status`.
#[derive(Debug, Clone)]
pub struct JsonPathExpr {
    pub text: String,
    pub path: serde_json_path::JsonPath,
}

impl std::str::FromStr for JsonPathExpr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json_path::JsonPath::parse(s)
            .map(|path| JsonPathExpr {
                text: s.to_owned(),
                path,
            })
            .map_err(|e| format!("invalid JSON path `{s}`: {e}"))
    }
}

impl<'de> Deserialize<'de> for JsonPathExpr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Accepted HTTP statuses as inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSet(pub Vec<(u16, u16)>);

impl StatusSet {
    #[must_use]
    pub fn two_xx() -> Self {
        StatusSet(vec![(200, 299)])
    }

    #[must_use]
    pub fn contains(&self, status: u16) -> bool {
        self.0.iter().any(|(lo, hi)| (*lo..=*hi).contains(&status))
    }

    fn parse_item(text: &str) -> Result<(u16, u16), String> {
        let text = text.trim();
        let bad = || format!("`{text}` is not a status: write `200`, `2xx` or `200-399`");
        if let Some(class) = text.strip_suffix("xx").or_else(|| text.strip_suffix("XX")) {
            let digit: u16 = class.parse().map_err(|_| bad())?;
            return if (1..=5).contains(&digit) {
                Ok((digit * 100, digit * 100 + 99))
            } else {
                Err(bad())
            };
        }
        let (lo, hi) = text.split_once('-').unwrap_or((text, text));
        let lo: u16 = lo.trim().parse().map_err(|_| bad())?;
        let hi: u16 = hi.trim().parse().map_err(|_| bad())?;
        if (100..=599).contains(&lo) && (lo..=599).contains(&hi) {
            Ok((lo, hi))
        } else {
            Err(bad())
        }
    }
}

impl std::str::FromStr for StatusSet {
    type Err = String;
    /// `2xx`, `200`, `200-399`, or a comma-separated list of those.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(StatusSet::parse_item)
            .collect::<Result<Vec<_>, _>>()
            .map(StatusSet)
    }
}

impl fmt::Display for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|&(lo, hi)| {
                if lo == hi {
                    lo.to_string()
                } else if lo % 100 == 0 && hi == lo + 99 {
                    format!("{}xx", lo / 100)
                } else {
                    format!("{lo}-{hi}")
                }
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

impl<'de> Deserialize<'de> for StatusSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Item {
            Code(u16),
            Text(String),
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(Item),
            Many(Vec<Item>),
        }
        let items = match Raw::deserialize(deserializer)? {
            Raw::One(item) => vec![item],
            Raw::Many(items) => items,
        };
        let mut ranges = Vec::new();
        for item in items {
            let text = match item {
                Item::Code(code) => code.to_string(),
                Item::Text(text) => text,
            };
            ranges.extend(
                text.parse::<StatusSet>()
                    .map_err(serde::de::Error::custom)?
                    .0,
            );
        }
        Ok(StatusSet(ranges))
    }
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
