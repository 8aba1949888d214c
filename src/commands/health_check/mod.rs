//! `skillsctl health-check`: the backend and everything it depends on, probed
//! concurrently, with retries, and optionally waiting until all are healthy.

mod formats;
mod report;
mod targets;
mod verdict;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;

use crate::adapters::http::{ClientOptions, HttpClient, HttpError};
use crate::adapters::{db, kv, net};
use crate::config::{HumanDuration, StatusSet};
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use crate::redact;

pub use formats::{BodyReading, NestedCheck};
pub use report::{HealthReport, TargetResult};
pub use targets::{Kind, Target, TargetError};
pub use verdict::Health;

/// Bodies are read up to this size; the rest is not needed to judge health.
const BODY_CAP: usize = 1024 * 1024;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_RETRIES: u32 = 2;
const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Check that the backend and its dependencies are up, or wait until they are
///
/// Probes every target at once: HTTP(S) health endpoints (reading the guide's
/// {status, checks} body, IETF health+json, Spring Boot Actuator, MicroProfile,
/// terminus and plain-text bodies, with nested checks shown under their
/// endpoint), PostgreSQL and MySQL/MariaDB (connect and SELECT 1), Redis (PING),
/// TCP ports, DNS names, RabbitMQ (AMQP handshake) and NATS (PING/PONG).
/// Targets come from the URLs given, else from [[health.targets]] in
/// skillsctl.toml. The HTTP status is authoritative: 503 is unhealthy whatever
/// the body says. Each attempt has its own timeout; failed attempts are retried
/// with exponential backoff and jitter.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  skillsctl health-check                                  Check the targets in skillsctl.toml
  skillsctl health-check http://localhost:3000/api/health postgres://postgres@localhost/app redis://localhost
  skillsctl health-check --wait 60s --successes 2         Block until everything is healthy twice in a row
  skillsctl health-check app=https://staging.example.com/api/health -H 'Authorization: Bearer ${TOKEN}'
  skillsctl health-check --watch 10s --format json        One JSON line per round until Ctrl-C

Exit status: 0 all healthy (warnings allowed unless --strict), 1 something is
unhealthy or --wait ran out, 2 bad usage or config, 3 runtime error.")]
pub struct HealthCheckArgs {
    /// URLs to check instead of the configured targets, each optionally `NAME=URL`
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Check only the configured targets with these names
    #[arg(long, value_name = "NAME")]
    pub only: Vec<String>,

    /// Per-attempt timeout [default: health.timeout, else 5s]
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<HumanDuration>,

    /// Retries after a failed attempt [default: health.retries, else 2]
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,

    /// Keep polling until every target is healthy, for at most DURATION
    #[arg(long, value_name = "DURATION", conflicts_with = "watch")]
    pub wait: Option<HumanDuration>,

    /// With --wait: consecutive healthy results each target needs
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub successes: u32,

    /// Pause between polling rounds with --wait
    #[arg(long, value_name = "DURATION", default_value = "1s")]
    pub interval: HumanDuration,

    /// Re-check every INTERVAL until interrupted, printing each round
    #[arg(long, value_name = "INTERVAL")]
    pub watch: Option<HumanDuration>,

    /// Treat warnings (slow answers, degraded bodies) as failures
    #[arg(long)]
    pub strict: bool,

    /// Request header for URL targets, `Name: value` (repeatable)
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// Accepted HTTP statuses for URL targets, e.g. 2xx, 200-399, 200,204
    #[arg(long, value_name = "STATUSES")]
    pub expect_status: Option<StatusSet>,

    /// Latency budget for URL targets; slower answers are warnings
    #[arg(long, value_name = "DURATION")]
    pub max_latency: Option<HumanDuration>,

    /// Extra trusted CA certificates (PEM) for URL targets
    #[arg(long, value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,

    /// Client certificate (PEM) for mutual TLS, with --client-key
    #[arg(long, value_name = "PATH", requires = "client_key")]
    pub client_cert: Option<PathBuf>,

    /// Client private key (PEM) for mutual TLS, with --client-cert
    #[arg(long, value_name = "PATH", requires = "client_cert")]
    pub client_key: Option<PathBuf>,

    /// Accept any TLS certificate for URL targets (self-signed, wrong host)
    #[arg(long)]
    pub insecure: bool,
}

/// How the run proceeds.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Once,
    Wait {
        deadline: Duration,
        successes: u32,
        interval: Duration,
    },
    Watch {
        interval: Duration,
    },
}

pub fn run(args: &HealthCheckArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let targets = plan(args, ctx)?;
    let mode = match (args.wait, args.watch) {
        (Some(wait), _) => Mode::Wait {
            deadline: wait.0,
            successes: args.successes,
            interval: args.interval.0,
        },
        (None, Some(interval)) => Mode::Watch {
            interval: interval.0,
        },
        (None, None) => Mode::Once,
    };
    let runtime = crate::runtime::multi_thread(2).context("cannot start the async runtime")?;
    runtime.block_on(async {
        let clients = Clients::build(&targets)?;
        let probes = Probes {
            targets: Arc::new(targets),
            clients: Arc::new(clients),
        };
        match mode {
            Mode::Once => {
                let started = Instant::now();
                let results = probes.check_all(None, true).await;
                let report = HealthReport::new(results, args.strict, elapsed_ms(started));
                ctx.output.emit(&report)
            }
            Mode::Wait {
                deadline,
                successes,
                interval,
            } => wait(&probes, ctx, args.strict, deadline, successes, interval).await,
            Mode::Watch { interval } => watch(&probes, ctx, args.strict, interval).await,
        }
    })
}

/// Targets from the arguments, else from the config; every problem is a usage error.
fn plan(args: &HealthCheckArgs, ctx: &Context) -> anyhow::Result<Vec<Target>> {
    let health = &ctx.config.config.health;
    let mut headers = Vec::new();
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .filter(|(name, _)| !name.trim().is_empty())
            .ok_or_else(|| {
                UsageError::new(format!(
                    "--header `{}` must look like `Name: value`",
                    redact_header_arg(header)
                ))
            })?;
        let name = name.trim();
        if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
            || value.contains(['\r', '\n'])
        {
            return Err(UsageError::new(format!(
                "--header `{}` is not a valid HTTP header",
                redact_header_arg(header)
            ))
            .into());
        }
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let defaults = targets::Defaults {
        timeout: args
            .timeout
            .or(health.timeout)
            .map_or(DEFAULT_TIMEOUT, |d| d.0),
        retries: args.retries.or(health.retries).unwrap_or(DEFAULT_RETRIES),
        http: targets::HttpSpec {
            headers,
            expect: verdict::HttpExpectations {
                status: args.expect_status.clone().unwrap_or_else(StatusSet::two_xx),
                max_latency: args.max_latency.map(|d| d.0),
                ..verdict::HttpExpectations::default()
            },
            tls: ClientOptions {
                ca_cert: args.ca_cert.as_ref().map(|p| ctx.cwd.join(p)),
                client_cert: args
                    .client_cert
                    .as_ref()
                    .zip(args.client_key.as_ref())
                    .map(|(c, k)| (ctx.cwd.join(c), ctx.cwd.join(k))),
                insecure: args.insecure,
            },
        },
    };
    let mut planned = Vec::new();
    if args.targets.is_empty() {
        for name in &args.only {
            if !health.targets.iter().any(|t| &t.name == name) {
                let known: Vec<&str> = health.targets.iter().map(|t| t.name.as_str()).collect();
                return Err(UsageError::new(format!(
                    "--only {name}: no such target in [[health.targets]] (known: {})",
                    known.join(", ")
                ))
                .into());
            }
        }
        for (index, entry) in health.targets.iter().enumerate() {
            if args.only.is_empty() || args.only.contains(&entry.name) {
                let target = targets::from_config(index, entry, &defaults, &ctx.config.root)
                    .map_err(|e| ctx.config.error_at(&e.place, e.message))?;
                planned.push(target);
            }
        }
    } else {
        if !args.only.is_empty() {
            return Err(UsageError::new(
                "--only selects configured targets; it cannot be combined with TARGET arguments",
            )
            .into());
        }
        for arg in &args.targets {
            planned.push(targets::from_arg(arg, &defaults)?);
        }
    }
    if planned.is_empty() {
        return Err(UsageError::new(
            "no targets: pass URLs (skillsctl health-check http://localhost:3000/api/health) or add [[health.targets]] to skillsctl.toml (`skillsctl init` writes them)",
        )
        .into());
    }
    targets::dedupe_names(&mut planned);
    tracing::debug!("{} targets planned", planned.len());
    Ok(planned)
}

fn redact_header_arg(header: &str) -> String {
    match header.split_once(':') {
        Some((name, value)) => format!("{name}:{}", redact::header_value(name.trim(), value)),
        None if header.len() > 12 => format!(
            "{}…",
            &header[..header
                .char_indices()
                .nth(12)
                .map_or(header.len(), |(i, _)| i)]
        ),
        None => header.to_owned(),
    }
}

/// One HTTP client per distinct TLS setting, shared by the targets that use it.
struct Clients {
    by_options: HashMap<ClientOptions, HttpClient>,
}

impl Clients {
    fn build(targets: &[Target]) -> anyhow::Result<Self> {
        let mut by_options = HashMap::new();
        for target in targets.iter().filter(|t| t.kind == Kind::Http) {
            if !by_options.contains_key(&target.http.tls) {
                let client = HttpClient::new(&target.http.tls).map_err(|e| match e {
                    HttpError::ReadFile { .. } | HttpError::BadPem { .. } => {
                        anyhow::Error::new(UsageError::new(format!("target {}: {e}", target.name)))
                    }
                    other => anyhow::Error::new(other).context("cannot build the HTTP client"),
                })?;
                by_options.insert(target.http.tls.clone(), client);
            }
        }
        Ok(Clients { by_options })
    }
}

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

#[derive(Clone)]
struct Probes {
    targets: Arc<Vec<Target>>,
    clients: Arc<Clients>,
}

impl Probes {
    /// Checks every target (or those in `only`) concurrently. `retry` enables each
    /// target's retries; `--wait` polls instead. `cap` bounds each attempt.
    async fn check_all(&self, cap: Option<Duration>, retry: bool) -> Vec<TargetResult> {
        self.check_some(&(0..self.targets.len()).collect::<Vec<_>>(), cap, retry)
            .await
    }

    async fn check_some(
        &self,
        indices: &[usize],
        cap: Option<Duration>,
        retry: bool,
    ) -> Vec<TargetResult> {
        let mut set = tokio::task::JoinSet::new();
        for &index in indices {
            let probes = self.clone();
            set.spawn(async move { (index, probes.check(index, cap, retry).await) });
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
            let Some(client) = self.clients.by_options.get(&target.http.tls) else {
                return Attempt::failed("no HTTP client".into(), started.elapsed());
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

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Polls until every target has `successes` healthy results in a row, or the
/// deadline passes. Shows a spinner per target on a terminal, otherwise one line
/// per state change.
async fn wait(
    probes: &Probes,
    ctx: &Context,
    strict: bool,
    deadline: Duration,
    successes: u32,
    interval: Duration,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let targets = &probes.targets;
    let mut streaks = verdict::Streaks::new(targets.len(), successes, strict);
    let mut latest: Vec<Option<TargetResult>> = vec![None; targets.len()];
    let spinners = ctx
        .output
        .spinners(&targets.iter().map(|t| t.name.clone()).collect::<Vec<_>>());
    for index in 0..targets.len() {
        spinners.set(index, "checking…");
    }
    let timed_out = loop {
        let pending: Vec<usize> = (0..targets.len()).filter(|&i| !streaks.done(i)).collect();
        let remaining = deadline.saturating_sub(started.elapsed());
        let results = probes
            .check_some(
                &pending,
                Some(remaining.max(Duration::from_millis(1))),
                false,
            )
            .await;
        for (&index, result) in pending.iter().zip(results) {
            // A probe cut short by the deadline says less than the previous answer.
            let cut_by_deadline =
                remaining < targets[index].timeout && result.detail.starts_with("timed out");
            if cut_by_deadline && latest[index].is_some() {
                continue;
            }
            let change = streaks.record(index, result.health, &result.detail);
            let up = result.health.is_up(strict);
            let line = if up {
                if streaks.done(index) {
                    format!(
                        "{} after {:.1}s",
                        result.health.label(),
                        started.elapsed().as_secs_f64()
                    )
                } else {
                    format!(
                        "{} ({}/{successes})",
                        result.health.label(),
                        streaks.streak(index)
                    )
                }
            } else {
                format!("{}: {}", result.health.label(), result.detail)
            };
            if streaks.done(index) {
                spinners.finish(index, &line);
            } else {
                spinners.set(index, &line);
            }
            if !spinners.active() && (change == verdict::Change::Changed || streaks.done(index)) {
                ctx.output.status(
                    if streaks.done(index) {
                        "Ready"
                    } else {
                        "Waiting"
                    },
                    &format!("{} {line}", result.name),
                );
            }
            latest[index] = Some(result);
        }
        if streaks.all_done() {
            break false;
        }
        let left = deadline.saturating_sub(started.elapsed());
        if left.is_zero() {
            break true;
        }
        tokio::time::sleep(interval.min(left)).await;
        if deadline.saturating_sub(started.elapsed()).is_zero() {
            break true;
        }
    };
    spinners.clear();
    let results: Vec<TargetResult> = latest.into_iter().flatten().collect();
    let mut report = HealthReport::new(results, strict, elapsed_ms(started));
    report.waited_ms = Some(elapsed_ms(started));
    report.timed_out = timed_out;
    ctx.output.emit(&report)
}

/// Re-checks every `interval` until Ctrl-C, printing each round.
async fn watch(
    probes: &Probes,
    ctx: &Context,
    strict: bool,
    interval: Duration,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::Success;
    // One listener for the whole run, so Ctrl-C during a round is not lost.
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        let started = Instant::now();
        let results = tokio::select! {
            results = probes.check_all(None, true) => results,
            _ = &mut interrupted => break,
        };
        outcome =
            ctx.output
                .emit_round(&HealthReport::new(results, strict, elapsed_ms(started)))?;
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = &mut interrupted => break,
        }
    }
    Ok(outcome)
}
