//! Turning config entries and command-line URLs into probe plans. Pure: it
//! validates and names every problem by its flag or config key.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::verdict::HttpExpectations;
use crate::adapters::http::ClientOptions;
use crate::config::{HealthTargetConfig, StatusSet};
use crate::redact;

/// What kind of thing a target is, from its URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Http,
    Postgres,
    Mysql,
    Redis,
    Tcp,
    Dns,
    Amqp,
    Nats,
}

impl Kind {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Kind::Http => "http",
            Kind::Postgres => "postgres",
            Kind::Mysql => "mysql",
            Kind::Redis => "redis",
            Kind::Tcp => "tcp",
            Kind::Dns => "dns",
            Kind::Amqp => "amqp",
            Kind::Nats => "nats",
        }
    }

    fn from_scheme(scheme: &str) -> Option<Self> {
        Some(match scheme {
            "http" | "https" => Kind::Http,
            "postgres" | "postgresql" => Kind::Postgres,
            "mysql" | "mariadb" => Kind::Mysql,
            "redis" | "rediss" => Kind::Redis,
            "tcp" => Kind::Tcp,
            "dns" => Kind::Dns,
            "amqp" => Kind::Amqp,
            "nats" => Kind::Nats,
            _ => return None,
        })
    }

    fn default_port(self) -> Option<u16> {
        match self {
            Kind::Postgres => Some(5432),
            Kind::Mysql => Some(3306),
            Kind::Redis => Some(6379),
            Kind::Amqp => Some(5672),
            Kind::Nats => Some(4222),
            Kind::Http | Kind::Tcp | Kind::Dns => None,
        }
    }
}

/// HTTP specifics of a target.
#[derive(Debug, Clone, Default)]
pub struct HttpSpec {
    pub headers: Vec<(String, String)>,
    pub expect: HttpExpectations,
    pub tls: ClientOptions,
}

/// One thing to probe.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub kind: Kind,
    /// The URL to connect to, credentials included. Never display it.
    pub url: String,
    /// The URL with credentials masked.
    pub display_url: String,
    pub host: String,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub timeout: Duration,
    pub retries: u32,
    pub critical: bool,
    pub http: HttpSpec,
    pub expect_table: Option<String>,
    pub expect_key: Option<String>,
    /// Values that must be masked in anything shown about this target.
    pub secrets: Vec<String>,
}

/// Settings that apply where a target does not set its own.
#[derive(Debug, Clone)]
pub struct Defaults {
    pub timeout: Duration,
    pub retries: u32,
    /// For command-line HTTP targets.
    pub http: HttpSpec,
}

/// A problem with a target, already naming where it was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct TargetError {
    pub place: String,
    pub message: String,
}

fn err(place: &str, message: impl Into<String>) -> TargetError {
    TargetError {
        place: place.to_owned(),
        message: message.into(),
    }
}

const SCHEMES: &str = "http, https, postgres, mysql, mariadb, redis, rediss, tcp, dns, amqp, nats";

/// Parses a URL into a target skeleton; `place` names it in errors.
fn skeleton(
    name: String,
    raw: &str,
    place: &str,
    defaults: &Defaults,
) -> Result<Target, TargetError> {
    let shown = redact::url(raw);
    // `dns:example.com` and bare `dns://example.com` both mean a name to resolve.
    let normalised = raw
        .strip_prefix("dns:")
        .filter(|rest| !rest.starts_with("//"))
        .map_or_else(|| raw.to_owned(), |rest| format!("dns://{rest}"));
    let url = url::Url::parse(&normalised).map_err(|e| err(place, format!("`{shown}` is not a URL ({e}); write e.g. http://localhost:3000/api/health or postgres://user@host/db")))?;
    let kind = Kind::from_scheme(url.scheme()).ok_or_else(|| {
        err(
            place,
            format!(
                "`{shown}` has an unknown scheme `{}` (expected one of {SCHEMES})",
                url.scheme()
            ),
        )
    })?;
    let host = url
        .host_str()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    if host.is_empty() && !matches!(kind, Kind::Postgres | Kind::Mysql) {
        return Err(err(place, format!("`{shown}` has no host")));
    }
    let port = url.port().or_else(|| kind.default_port());
    if kind == Kind::Tcp && port.is_none() {
        return Err(err(
            place,
            format!("`{shown}` needs a port: tcp://host:port"),
        ));
    }
    let user = (!url.username().is_empty()).then(|| decode(url.username()));
    let password = url.password().map(decode);
    let mut secrets: Vec<String> = password.iter().cloned().collect();
    if let Some(p) = url.password() {
        secrets.push(p.to_owned());
    }
    // sqlx speaks mysql:// for MariaDB too.
    let connect_url = if url.scheme() == "mariadb" {
        format!("mysql{}", &raw["mariadb".len()..])
    } else {
        raw.to_owned()
    };
    Ok(Target {
        name,
        kind,
        url: connect_url,
        display_url: shown,
        host,
        port,
        user,
        password,
        timeout: defaults.timeout,
        retries: defaults.retries,
        critical: true,
        http: HttpSpec::default(),
        expect_table: None,
        expect_key: None,
        secrets,
    })
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// A target from a command-line argument: `URL` or `NAME=URL`.
pub fn from_arg(arg: &str, defaults: &Defaults) -> Result<Target, TargetError> {
    let place = format!("target `{}`", redact::url(arg));
    let (name, raw) = match arg.split_once('=') {
        Some((name, rest)) if !name.is_empty() && !name.contains([':', '/', '?']) => {
            (Some(name.to_owned()), rest)
        }
        _ => (None, arg),
    };
    let mut target = skeleton(String::new(), raw, &place, defaults)?;
    target.name = name.unwrap_or_else(|| derived_name(&target));
    if target.kind == Kind::Http {
        target.http = defaults.http.clone();
        target.secrets.extend(
            target
                .http
                .headers
                .iter()
                .filter(|(k, _)| redact::is_secret_header(k))
                .map(|(_, v)| v.clone()),
        );
    }
    Ok(target)
}

/// `host:port/path` for URLs given without a name (the default port filled in,
/// so a Redis and a NATS on one host get different names).
fn derived_name(target: &Target) -> String {
    let without_scheme = target
        .display_url
        .split_once("://")
        .map_or(target.display_url.as_str(), |(_, rest)| rest);
    let without_user = without_scheme
        .rsplit_once('@')
        .map_or(without_scheme, |(_, rest)| rest);
    let address = without_user
        .split(['?', '#'])
        .next()
        .unwrap_or(without_user)
        .trim_end_matches('/');
    let (authority, path) = address.split_once('/').unwrap_or((address, ""));
    let with_port = match target.port {
        Some(port) if target.kind != Kind::Http && !authority.ends_with(&format!(":{port}")) => {
            format!("{authority}:{port}")
        }
        _ => authority.to_owned(),
    };
    if path.is_empty() {
        with_port
    } else {
        format!("{with_port}/{path}")
    }
}

/// A target from `[[health.targets]]` entry `index`; relative certificate paths
/// resolve against `base` (the project root).
pub fn from_config(
    index: usize,
    entry: &HealthTargetConfig,
    defaults: &Defaults,
    base: &Path,
) -> Result<Target, TargetError> {
    let place = format!("health.targets[{index}]");
    let mut target = skeleton(
        entry.name.clone(),
        entry.url.value(),
        &format!("{place}.url"),
        defaults,
    )?;
    if let Some(timeout) = entry.timeout {
        target.timeout = timeout.0;
    }
    if let Some(retries) = entry.retries {
        target.retries = retries;
    }
    target.critical = entry.critical;
    target.expect_table.clone_from(&entry.expect_table);
    target.expect_key.clone_from(&entry.expect_key);
    let http_only = [
        ("expect_status", entry.expect_status.is_some()),
        ("max_latency", entry.max_latency.is_some()),
        ("headers", !entry.headers.is_empty()),
        ("expect_headers", !entry.expect_headers.is_empty()),
        ("body_regex", entry.body_regex.is_some()),
        ("json", !entry.json.is_empty()),
        ("ca_cert", entry.ca_cert.is_some()),
        ("client_cert", entry.client_cert.is_some()),
        ("insecure", entry.insecure),
    ];
    if target.kind != Kind::Http
        && let Some((key, _)) = http_only.iter().find(|(_, set)| *set)
    {
        return Err(err(
            &format!("{place}.{key}"),
            format!(
                "only HTTP targets take `{key}`; this one is {}",
                target.kind.label()
            ),
        ));
    }
    if entry.expect_table.is_some() && !matches!(target.kind, Kind::Postgres | Kind::Mysql) {
        return Err(err(
            &format!("{place}.expect_table"),
            "only postgres and mysql targets take `expect_table`",
        ));
    }
    if entry.expect_key.is_some() && target.kind != Kind::Redis {
        return Err(err(
            &format!("{place}.expect_key"),
            "only redis targets take `expect_key`",
        ));
    }
    if target.kind == Kind::Http {
        let client_cert = match (&entry.client_cert, &entry.client_key) {
            (Some(cert), Some(key)) => Some((base.join(cert), base.join(key))),
            (None, None) => None,
            _ => {
                return Err(err(
                    &format!("{place}.client_cert"),
                    "`client_cert` and `client_key` go together",
                ));
            }
        };
        target.http = HttpSpec {
            headers: entry
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.value().to_owned()))
                .collect(),
            expect: HttpExpectations {
                status: entry
                    .expect_status
                    .clone()
                    .unwrap_or_else(StatusSet::two_xx),
                max_latency: entry.max_latency.map(|d| d.0),
                headers: entry
                    .expect_headers
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                body_regex: entry.body_regex.clone(),
                json: entry.json.clone(),
            },
            tls: ClientOptions {
                ca_cert: entry.ca_cert.as_ref().map(|p| base.join(p)),
                client_cert,
                insecure: entry.insecure,
            },
        };
        // Header values that came from the environment or carry credentials are secrets.
        for (name, value) in &entry.headers {
            if redact::is_secret_header(name) || value.written() != value.value() {
                target.secrets.push(value.value().to_owned());
            }
        }
    }
    Ok(target)
}

/// Gives duplicate names a `#2`, `#3` suffix so every row is identifiable.
pub fn dedupe_names(targets: &mut [Target]) {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for target in targets.iter_mut() {
        let count = seen.entry(target.name.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            target.name = format!("{}#{count}", target.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Defaults {
        Defaults {
            timeout: Duration::from_secs(5),
            retries: 2,
            http: HttpSpec::default(),
        }
    }

    #[test]
    fn kinds_names_and_secrets_from_arguments() {
        let t = from_arg("postgres://app:p%40ss@db.internal:6543/skills", &defaults()).unwrap();
        assert_eq!(t.kind, Kind::Postgres);
        assert_eq!(t.name, "db.internal:6543/skills");
        assert_eq!(
            from_arg("redis://127.0.0.1", &defaults()).unwrap().name,
            "127.0.0.1:6379"
        );
        assert_eq!(t.display_url, "postgres://app:***@db.internal:6543/skills");
        assert_eq!(t.password.as_deref(), Some("p@ss"));
        assert!(t.secrets.contains(&"p@ss".to_owned()));
        let named = from_arg("app=http://localhost:3000/api/health", &defaults()).unwrap();
        assert_eq!((named.name.as_str(), named.kind), ("app", Kind::Http));
        let maria = from_arg("mariadb://root@127.0.0.1/test", &defaults()).unwrap();
        assert_eq!(
            (maria.kind, maria.url.as_str(), maria.port),
            (Kind::Mysql, "mysql://root@127.0.0.1/test", Some(3306))
        );
        assert_eq!(
            from_arg("dns:example.org", &defaults()).unwrap().host,
            "example.org"
        );
        assert_eq!(
            from_arg("nats://127.0.0.1", &defaults()).unwrap().port,
            Some(4222)
        );
    }

    #[test]
    fn bad_arguments_name_the_argument() {
        let e = from_arg("ftp://x", &defaults()).unwrap_err();
        assert_eq!(e.place, "target `ftp://x`");
        assert!(e.message.contains("unknown scheme `ftp`"), "{}", e.message);
        let e = from_arg("tcp://localhost", &defaults()).unwrap_err();
        assert!(e.message.contains("needs a port"), "{}", e.message);
        let e = from_arg("postgres://u:secret@[::1", &defaults()).unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn duplicate_names_get_suffixes() {
        let mut targets = vec![
            from_arg("tcp://a:1", &defaults()).unwrap(),
            from_arg("tcp://a:1", &defaults()).unwrap(),
        ];
        dedupe_names(&mut targets);
        assert_eq!(targets[1].name, "a:1#2");
    }
}
