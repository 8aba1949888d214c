//! docker-compose files and the services in them that skillsctl cares about:
//! PostgreSQL, MySQL/MariaDB, Redis and the app itself.

use std::path::Path;

use serde::Serialize;
use serde_norway::Value;

use super::{RepoError, display};

#[derive(Debug, Clone, Serialize)]
pub struct ComposeFile {
    pub path: String,
    pub services: Vec<ComposeService>,
}

/// What kind of dependency a compose service is, judged by its image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceKind {
    Postgres,
    Mysql,
    Redis,
    /// Built from the repository (`build:`), such as the Next.js app.
    App,
    Other,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComposeService {
    pub name: String,
    pub kind: ServiceKind,
    pub image: Option<String>,
    /// The first port published on the host.
    pub host_port: Option<u16>,
    /// The database the image creates (`POSTGRES_DB`, `MYSQL_DATABASE`, …).
    pub database: Option<String>,
    /// The user it creates (`POSTGRES_USER`, `MYSQL_USER`), never the password.
    pub user: Option<String>,
}

const FILE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Compose files at the root: the standard names and `docker-compose.*.yml` variants.
pub fn detect(root: &Path) -> Result<Vec<ComposeFile>, RepoError> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    FILE_NAMES.contains(&n.as_str())
                        || ((n.starts_with("docker-compose.") || n.starts_with("compose."))
                            && Path::new(n).extension().is_some_and(|e| {
                                e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml")
                            }))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut files = Vec::new();
    for name in names {
        let path = root.join(&name);
        let text = std::fs::read_to_string(&path).map_err(|e| RepoError::Malformed {
            path: display(&path),
            message: e.to_string(),
        })?;
        let services = parse(&text).map_err(|message| RepoError::Malformed {
            path: display(&path),
            message,
        })?;
        files.push(ComposeFile {
            path: name,
            services,
        });
    }
    Ok(files)
}

/// The services of one compose document.
pub fn parse(text: &str) -> Result<Vec<ComposeService>, String> {
    let doc: Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    let Some(services) = doc.get("services").and_then(Value::as_mapping) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, spec) in services {
        let Some(name) = name.as_str() else { continue };
        let image = spec.get("image").and_then(Value::as_str).map(str::to_owned);
        let kind = match image.as_deref().map(image_name) {
            Some(n) if n.starts_with("postgres") || n.starts_with("postgis") => {
                ServiceKind::Postgres
            }
            Some(n) if n.starts_with("mysql") || n.starts_with("mariadb") => ServiceKind::Mysql,
            Some(n) if n.starts_with("redis") || n.starts_with("valkey") => ServiceKind::Redis,
            _ if spec.get("build").is_some() => ServiceKind::App,
            _ => ServiceKind::Other,
        };
        let env = environment(spec);
        let lookup = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| env.iter().find(|(ek, _)| ek == k).map(|(_, v)| v.clone()))
        };
        out.push(ComposeService {
            name: name.to_owned(),
            kind,
            image,
            host_port: spec
                .get("ports")
                .and_then(Value::as_sequence)
                .and_then(|ports| ports.iter().find_map(host_port)),
            database: lookup(&["POSTGRES_DB", "MYSQL_DATABASE", "MARIADB_DATABASE"]),
            user: lookup(&["POSTGRES_USER", "MYSQL_USER", "MARIADB_USER"]),
        });
    }
    Ok(out)
}

/// `docker.io/library/postgres:16-alpine` → `postgres`.
fn image_name(image: &str) -> &str {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split([':', '@']).next().unwrap_or(last)
}

fn environment(spec: &Value) -> Vec<(String, String)> {
    match spec.get("environment") {
        Some(Value::Mapping(map)) => map
            .iter()
            .filter_map(|(k, v)| {
                let value = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return None,
                };
                Some((k.as_str()?.to_owned(), value))
            })
            .collect(),
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|i| {
                i.as_str()?
                    .split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The host side of a port mapping: `"3000:3000"`, `"127.0.0.1:5432:5432"`,
/// `5432` (no host port) or the long form `{published, target}`.
fn host_port(entry: &Value) -> Option<u16> {
    match entry {
        Value::String(s) => {
            let without_proto = s.split('/').next()?;
            let parts: Vec<&str> = without_proto.rsplitn(3, ':').collect();
            if parts.len() < 2 {
                return None;
            }
            parts[1].split('-').next()?.parse().ok()
        }
        Value::Mapping(_) => match entry.get("published")? {
            Value::Number(n) => n.as_u64().and_then(|p| u16::try_from(p).ok()),
            Value::String(s) => s.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_databases_ports_and_users() {
        let services = parse(
            "services:\n  app:\n    build: .\n    ports: [\"3000:3000\"]\n  postgres:\n    image: postgres:16-alpine\n    environment:\n      POSTGRES_USER: postgres\n      POSTGRES_PASSWORD: postgres\n      POSTGRES_DB: skills\n    ports:\n      - \"127.0.0.1:5433:5432\"\n  cache:\n    image: docker.io/library/redis:7\n    ports:\n      - published: 6380\n        target: 6379\n  db2:\n    image: mariadb:11\n    environment:\n      - MARIADB_DATABASE=shop\n",
        )
        .unwrap();
        let by_name = |n: &str| services.iter().find(|s| s.name == n).unwrap();
        assert_eq!(by_name("app").kind, ServiceKind::App);
        assert_eq!(by_name("app").host_port, Some(3000));
        assert_eq!(by_name("postgres").kind, ServiceKind::Postgres);
        assert_eq!(by_name("postgres").host_port, Some(5433));
        assert_eq!(by_name("postgres").database.as_deref(), Some("skills"));
        assert_eq!(by_name("cache").kind, ServiceKind::Redis);
        assert_eq!(by_name("cache").host_port, Some(6380));
        assert_eq!(by_name("db2").kind, ServiceKind::Mysql);
        assert_eq!(by_name("db2").database.as_deref(), Some("shop"));
    }
}
