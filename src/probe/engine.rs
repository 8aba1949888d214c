//! Probing: one attempt per target kind (HTTP through the shared client,
//! SQL, Redis, TCP, DNS, AMQP, NATS), retries with backoff and jitter, and all
//! targets at once. Results come back in target order.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::elapsed_ms;
use super::formats::NestedCheck;
use super::report::{HealthReport, TargetResult};
use super::targets::{Kind, Target};
use super::verdict::{self, Health};
use crate::adapters::http::{ClientPool, HttpError};
use crate::adapters::{db, kv, net};
use crate::redact;

/// Bodies are read up to this size; the rest is not needed to judge health.
const BODY_CAP: usize = 1024 * 1024;
const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// What one attempt saw.
struct Attempt {
    health: Health,
    detail: String,
    latency: Duration,
    http_status: Option<u16>,
    body_format: Option<&'static str>,
    checks: Vec<NestedCheck>,
}

impl Attempt {
    fn failed(detail: String, latency: Duration) -> Self {
        Attempt {
            health: Health::Unhealthy,
            detail,
            latency,
            http_status: None,
            body_format: None,
            checks: Vec::new(),
        }
    }
}

/// Targets with their HTTP clients, ready to probe. Cheap to clone: each
/// concurrent probe holds one.
#[derive(Clone)]
pub struct Engine {
    targets: Arc<Vec<Target>>,
    clients: Arc<ClientPool>,
}

/// Why probing could not start.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// A target's TLS files could not be read or parsed.
    #[error("target {target}: {source}")]
    Client {
        target: String,
        #[source]
        source: HttpError,
    },
}

impl Engine {
    /// Builds one HTTP client per distinct TLS setting; a bad CA or key file
    /// is reported here, naming the first target that uses it.
    pub fn new(targets: Vec<Target>) -> Result<Self, ProbeError> {
        let clients = ClientPool::new();
        for target in targets.iter().filter(|t| t.kind == Kind::Http) {
            clients
                .get(&target.http.tls)
                .map_err(|source| ProbeError::Client {
                    target: target.name.clone(),
                    source,
                })?;
        }
        Ok(Engine {
            targets: Arc::new(targets),
            clients: Arc::new(clients),
        })
    }

    #[must_use]
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// Every target once, each with its retries.
    pub async fn check_once(&self, strict: bool) -> HealthReport {
        let started = Instant::now();
        let results = self.check_all(None, true).await;
        HealthReport::new(results, strict, elapsed_ms(started))
    }

    /// Checks every target (or those in `only`) concurrently. `retry` enables each
    /// target's retries; `--wait` polls instead. `cap` bounds each attempt.
    pub(crate) async fn check_all(&self, cap: Option<Duration>, retry: bool) -> Vec<TargetResult> {
        self.check_some(&(0..self.targets.len()).collect::<Vec<_>>(), cap, retry)
            .await
    }

    pub(crate) async fn check_some(
        &self,
        indices: &[usize],
        cap: Option<Duration>,
        retry: bool,
    ) -> Vec<TargetResult> {
        let mut set = tokio::task::JoinSet::new();
        for &index in indices {
            let engine = self.clone();
            set.spawn(async move { (index, engine.check(index, cap, retry).await) });
        }
        let mut by_index: std::collections::BTreeMap<usize, TargetResult> =
            std::collections::BTreeMap::new();
        while let Some(joined) = set.join_next().await {
            if let Ok((index, result)) = joined {
                by_index.insert(index, result);
            }
        }
        // A probe that crashed is a failed target, never a missing one.
        indices
            .iter()
            .map(|&index| {
                by_index.remove(&index).unwrap_or_else(|| {
                    let target = &self.targets[index];
                    TargetResult {
                        name: target.name.clone(),
                        kind: target.kind,
                        target: target.display_url.clone(),
                        health: Health::Unhealthy,
                        latency_ms: None,
                        attempts: 1,
                        critical: target.critical,
                        detail: "the probe crashed; run with -v and report this".to_owned(),
                        http_status: None,
                        body_format: None,
                        checks: Vec::new(),
                    }
                })
            })
            .collect()
    }

    /// One target, with retries and backoff.
    async fn check(&self, index: usize, cap: Option<Duration>, retry: bool) -> TargetResult {
        let target = &self.targets[index];
        let retries = if retry { target.retries } else { 0 };
        let mut attempts = 0;
        let attempt = loop {
            attempts += 1;
            let timeout = cap.map_or(target.timeout, |c| c.min(target.timeout));
            let attempt = self.attempt(target, timeout).await;
            tracing::debug!(
                target = %target.name,
                attempt = attempts,
                health = attempt.health.label(),
                latency_ms = attempt.latency.as_millis(),
                "probed {}",
                target.display_url
            );
            if attempt.health != Health::Unhealthy || attempts > retries {
                break attempt;
            }
            tokio::time::sleep(crate::retry::backoff(
                attempts - 1,
                BACKOFF_BASE,
                BACKOFF_MAX,
                fastrand::f64(),
            ))
            .await;
        };
        let (health, detail) = if attempt.health == Health::Unhealthy && !target.critical {
            (Health::Warn, format!("{} (not critical)", attempt.detail))
        } else {
            (attempt.health, attempt.detail)
        };
        let secrets: Vec<&str> = target.secrets.iter().map(String::as_str).collect();
        TargetResult {
            name: target.name.clone(),
            kind: target.kind,
            target: target.display_url.clone(),
            health,
            latency_ms: Some((attempt.latency.as_secs_f64() * 10_000.0).round() / 10.0),
            attempts,
            critical: target.critical,
            detail: redact::text(&detail, &secrets),
            http_status: attempt.http_status,
            body_format: attempt.body_format,
            checks: attempt.checks,
        }
    }

    async fn attempt(&self, target: &Target, timeout: Duration) -> Attempt {
        let started = Instant::now();
        if target.kind == Kind::Http {
            let client = match self.clients.get(&target.http.tls) {
                Ok(client) => client,
                Err(err) => return Attempt::failed(err.to_string(), started.elapsed()),
            };
            return match client
                .get(&target.url, &target.http.headers, timeout, BODY_CAP)
                .await
            {
                Ok(response) => {
                    let judged = verdict::judge_http(&response, &target.http.expect);
                    Attempt {
                        health: judged.health,
                        detail: judged.detail,
                        latency: response.elapsed,
                        http_status: Some(response.status),
                        body_format: Some(judged.reading.format),
                        checks: judged.reading.checks,
                    }
                }
                Err(err) => Attempt::failed(err.to_string(), started.elapsed()),
            };
        }
        let probe = async {
            let port = target.port.unwrap_or(0);
            match target.kind {
                Kind::Postgres | Kind::Mysql => {
                    let kind = if target.kind == Kind::Postgres {
                        db::SqlKind::Postgres
                    } else {
                        db::SqlKind::Mysql
                    };
                    db::ping(kind, &target.url, target.expect_table.as_deref())
                        .await
                        .map(|info| server_label(target.kind, &info.server_version))
                        .map_err(|e| e.to_string())
                }
                Kind::Redis => kv::ping(&target.url, target.expect_key.as_deref())
                    .await
                    .map(|()| "PONG".to_owned())
                    .map_err(|e| e.to_string()),
                Kind::Tcp => net::tcp_connect(&target.host, port)
                    .await
                    .map(|addr| format!("connected to {addr}"))
                    .map_err(|e| e.to_string()),
                Kind::Dns => net::resolve(&target.host)
                    .await
                    .map(|ips| {
                        format!(
                            "resolves to {}",
                            ips.iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                    .map_err(|e| e.to_string()),
                Kind::Amqp => net::amqp_handshake(&target.host, port)
                    .await
                    .map_err(|e| e.to_string()),
                Kind::Nats => {
                    let auth = match (&target.user, &target.password) {
                        (Some(user), Some(pass)) => net::NatsAuth {
                            user: Some(user.clone()),
                            pass: Some(pass.clone()),
                            token: None,
                        },
                        (Some(token), None) => net::NatsAuth {
                            token: Some(token.clone()),
                            ..net::NatsAuth::default()
                        },
                        _ => net::NatsAuth::default(),
                    };
                    net::nats_ping(&target.host, port, &auth)
                        .await
                        .map_err(|e| e.to_string())
                }
                Kind::Http => unreachable!("handled above"),
            }
        };
        match tokio::time::timeout(timeout, probe).await {
            Ok(Ok(detail)) => Attempt {
                health: Health::Healthy,
                detail,
                latency: started.elapsed(),
                http_status: None,
                body_format: None,
                checks: Vec::new(),
            },
            Ok(Err(detail)) => Attempt::failed(detail, started.elapsed()),
            Err(_) => Attempt::failed(
                format!("timed out after {}", humantime::format_duration(timeout)),
                started.elapsed(),
            ),
        }
    }
}

fn server_label(kind: Kind, version: &str) -> String {
    if version.to_ascii_lowercase().contains("mariadb") {
        format!("MariaDB {}", version.split('-').next().unwrap_or(version))
    } else if kind == Kind::Postgres {
        format!(
            "PostgreSQL {}",
            version.split_whitespace().next().unwrap_or(version)
        )
    } else {
        format!("MySQL {version}")
    }
}
