//! `skillsctl health-check`: the backend and everything it depends on, probed
//! concurrently, with retries, and optionally waiting until all are healthy.

use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use crate::args::HttpArgs;
use crate::config::{HumanDuration, StatusSet};
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use crate::output::{Output, Spinners};
use crate::probe::{
    self, HealthReport, Observer, Target, TargetResult, WaitSettings, targets, verdict,
};

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
#[command(
    mut_arg("timeout", |a| a.help("Per-attempt timeout [default: health.timeout, else 5s]")),
    mut_arg("headers", |a| a.help("Request header for URL targets, `Name: value` (repeatable)")),
    mut_arg("ca_cert", |a| a.help("Extra trusted CA certificates (PEM) for URL targets")),
    mut_arg("insecure", |a| a.help("Accept any TLS certificate for URL targets (self-signed, wrong host)"))
)]
pub struct HealthCheckArgs {
    /// URLs to check instead of the configured targets, each optionally `NAME=URL`
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Check only the configured targets with these names
    #[arg(long, value_name = "NAME", display_order = 0)]
    pub only: Vec<String>,

    /// Retries after a failed attempt [default: health.retries, else 2]
    #[arg(long, value_name = "N", display_order = 2)]
    pub retries: Option<u32>,

    /// Keep polling until every target is healthy, for at most DURATION
    #[arg(
        long,
        value_name = "DURATION",
        conflicts_with = "watch",
        display_order = 3
    )]
    pub wait: Option<HumanDuration>,

    /// With --wait: consecutive healthy results each target needs
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..), display_order = 4)]
    pub successes: u32,

    /// Pause between polling rounds with --wait
    #[arg(long, value_name = "DURATION", default_value = "1s", display_order = 5)]
    pub interval: HumanDuration,

    /// Re-check every INTERVAL until interrupted, printing each round
    #[arg(long, value_name = "INTERVAL", display_order = 6)]
    pub watch: Option<HumanDuration>,

    /// Treat warnings (slow answers, degraded bodies) as failures
    #[arg(long, display_order = 7)]
    pub strict: bool,

    /// Accepted HTTP statuses for URL targets, e.g. 2xx, 200-399, 200,204
    #[arg(long, value_name = "STATUSES", display_order = 9)]
    pub expect_status: Option<StatusSet>,

    /// Latency budget for URL targets; slower answers are warnings
    #[arg(long, value_name = "DURATION", display_order = 10)]
    pub max_latency: Option<HumanDuration>,

    #[command(flatten)]
    pub http: HttpArgs,
}

pub fn run(args: &HealthCheckArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let targets = plan(args, ctx)?;
    let runtime = crate::runtime::multi_thread(2).context("cannot start the async runtime")?;
    runtime.block_on(async {
        if let Some(interval) = args.watch {
            let engine = probe::Engine::new(targets)?;
            return watch(&engine, ctx, args.strict, interval.0).await;
        }
        let mode = match args.wait {
            Some(wait) => probe::Mode::Wait(WaitSettings {
                deadline: wait.0,
                successes: args.successes,
                interval: args.interval.0,
            }),
            None => probe::Mode::Once,
        };
        let labels: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
        let progress = Progress::new(&ctx.output, &labels, matches!(mode, probe::Mode::Wait(_)));
        let report = probe::run(targets, mode, args.strict, &progress).await;
        progress.spinners.clear();
        ctx.output.emit(&report?)
    })
}

/// Progress while waiting: a spinner per target on a terminal, otherwise a
/// status line each time a target's state changes.
struct Progress<'a> {
    output: &'a Output,
    spinners: Spinners,
}

impl<'a> Progress<'a> {
    fn new(output: &'a Output, labels: &[String], waiting: bool) -> Self {
        let spinners = output.spinners(if waiting { labels } else { &[] });
        for index in 0..labels.len() {
            spinners.set(index, "checking…");
        }
        Progress { output, spinners }
    }
}

impl Observer for Progress<'_> {
    fn result(&self, index: usize, result: &TargetResult, line: &str, done: bool, changed: bool) {
        if done {
            self.spinners.finish(index, line);
        } else {
            self.spinners.set(index, line);
        }
        if !self.spinners.active() && (changed || done) {
            let verb = if done { "Ready" } else { "Waiting" };
            self.output.status(verb, &format!("{} {line}", result.name));
        }
    }
}

/// Targets from the arguments, else from the config; every problem is a usage error.
fn plan(args: &HealthCheckArgs, ctx: &Context) -> anyhow::Result<Vec<Target>> {
    let health = &ctx.config.config.health;
    let headers = args.http.headers()?;
    let defaults = targets::Defaults {
        timeout: args
            .http
            .timeout()
            .or(health.timeout.map(|d| d.0))
            .unwrap_or(probe::DEFAULT_TIMEOUT),
        retries: args
            .retries
            .or(health.retries)
            .unwrap_or(probe::DEFAULT_RETRIES),
        http: targets::HttpSpec {
            headers,
            expect: verdict::HttpExpectations {
                status: args.expect_status.clone().unwrap_or_else(StatusSet::two_xx),
                max_latency: args.max_latency.map(|d| d.0),
                ..verdict::HttpExpectations::default()
            },
            tls: args.http.tls(&ctx.cwd),
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

/// Re-checks every `interval` until Ctrl-C, printing each round.
async fn watch(
    engine: &probe::Engine,
    ctx: &Context,
    strict: bool,
    interval: Duration,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::Success;
    // One listener for the whole run, so Ctrl-C during a round is not lost.
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        let report: HealthReport = tokio::select! {
            report = engine.check_once(strict) => report,
            _ = &mut interrupted => break,
        };
        outcome = ctx.output.emit_round(&report)?;
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = &mut interrupted => break,
        }
    }
    Ok(outcome)
}
