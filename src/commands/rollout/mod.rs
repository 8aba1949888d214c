//! `skillsctl rollout <service>`: shift a route's traffic to its service a
//! step at a time through the real gateway. At each step: set the weight,
//! render and reload (or set it on HAProxy's admin socket), probe the
//! service, run the smoke suite through the gateway, and keep checking
//! during the pause (health, and the error rate and latency of the service's
//! share from nginx's JSON access log or HAProxy's stats). Any failure puts the last good weight
//! back and exits 1 with the evidence. State survives a kill: `--resume`,
//! `--abort`.

mod analysis;
mod state;
mod watch;

pub use state::StateError;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use serde::Serialize;

use crate::config::HumanDuration;
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use crate::gateway::{self, Gateway, Mode, apply, edit};
use crate::output::{Report, Styler, Tone};
use crate::suite::model::Threshold;
use crate::suite::parse::parse_threshold;

/// Shift a service's traffic step by step, gated by checks, with rollback
///
/// At each step the route's weight is set in the gateway file, the gateway
/// configs are rendered and reloaded (or, with --haproxy-runtime, the weights
/// are set on HAProxy's admin socket with no reload), the service is probed,
/// the smoke suite runs through the gateway, and during the pause the
/// service's share is checked: health, and error rate and p95 latency from
/// nginx's JSON access log, or error rate and average latency from HAProxy's
/// stats (with --haproxy-runtime, or when only HAProxy is rendered). A failed
/// check returns the route to the weight it had before the rollout and exits
/// with status 1. An interrupted rollout resumes with --resume or returns to
/// its last good weight with --abort; a second rollout of the same service is
/// refused while one runs.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  skillsctl rollout ai --steps 10,25,50,100 --pause 2m --smoke smoke/ai.toml --gateway-url http://localhost:8080
  skillsctl rollout ai --abort            Return to the last good weight after a crash
  skillsctl rollout ai --resume           Go on from the step that was cut short

Exit status: 0 the service serves its last step, 1 a check failed (rolled
back), 2 bad input, 3 runtime error.")]
pub struct RolloutArgs {
    /// The service whose route moves
    #[arg(value_name = "SERVICE")]
    pub service: String,

    /// Weights to pass through, in order
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "10,25,50,100"
    )]
    pub steps: Vec<u8>,

    /// How long each step is watched before the next
    #[arg(long, value_name = "DURATION", default_value = "2m")]
    pub pause: HumanDuration,

    /// How often the checks run during the pause
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pub check_every: HumanDuration,

    /// A smoke suite run through the gateway at each step
    #[arg(long, value_name = "SUITE")]
    pub smoke: Option<PathBuf>,

    /// The gateway's own URL, for the smoke suite
    #[arg(long, value_name = "URL")]
    pub gateway_url: Option<String>,

    /// What the service's share must meet during a step (repeatable)
    #[arg(long, value_name = "EXPR", value_parser = parse_threshold, default_values = ["errors < 1%", "p95 < 500ms"])]
    pub threshold: Vec<Threshold>,

    /// Set weights on HAProxy's admin socket instead of rendering and reloading
    #[arg(long)]
    pub haproxy_runtime: bool,

    /// Go on with an interrupted rollout
    #[arg(long, conflicts_with = "abort")]
    pub resume: bool,

    /// Return an interrupted rollout to its last good weight
    #[arg(long)]
    pub abort: bool,

    /// The gateway file [default: gateway.file in skillsctl.toml, else gateway.toml]
    #[arg(long, value_name = "FILE")]
    pub gateway: Option<PathBuf>,
}

/// One step's record (one JSON line each with `--format json`).
#[derive(Debug, Clone, Serialize)]
pub struct StepEvent {
    pub service: String,
    pub step: usize,
    pub weight: u8,
    /// `passed`, `failed`, `rolled back`, `aborted`.
    pub outcome: String,
    pub reason: Option<String>,
    pub health: Option<String>,
    pub smoke: Option<String>,
    pub traffic: Option<analysis::Traffic>,
    pub duration_ms: u64,
}

impl Report for StepEvent {
    fn render_human(&self, style: &Styler) -> String {
        let tone = if self.outcome == "passed" {
            Tone::Good
        } else {
            Tone::Bad
        };
        let mut line = format!(
            "step {} {}: weight {}% {}",
            self.step,
            self.service,
            self.weight,
            style.paint(tone, &self.outcome)
        );
        if let Some(t) = &self.traffic {
            let _ = write!(line, " ({})", t.summary());
        }
        if let Some(reason) = &self.reason {
            let _ = write!(line, "\n    {reason}");
        }
        line.push('\n');
        line
    }

    fn outcome(&self) -> Outcome {
        if self.outcome == "passed" || self.outcome == "aborted" {
            Outcome::Success
        } else {
            Outcome::Failures
        }
    }
}

/// Everything a step needs.
struct Rollout<'a> {
    ctx: &'a Context,
    args: &'a RolloutArgs,
    path: PathBuf,
    base: PathBuf,
    file_name: String,
}

pub fn run(args: &RolloutArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    if args.steps.is_empty() || args.steps.iter().any(|w| *w > 100) {
        return Err(UsageError::new("--steps: weights from 0 to 100, e.g. 10,25,50,100").into());
    }
    let path = apply::file_path(
        args.gateway.as_deref(),
        &ctx.cwd,
        &ctx.config.root,
        ctx.config.config.gateway.file.as_deref(),
    );
    let rollout = Rollout {
        ctx,
        args,
        base: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        file_name: path.file_name().map_or_else(
            || "gateway.toml".into(),
            |n| n.to_string_lossy().into_owned(),
        ),
        path,
    };
    if let Some(restored) = crate::adapters::fs::recover_interrupted(&rollout.base)? {
        ctx.output.warn(&format!(
            "an earlier write was cut short (kill or crash): put {restored} file(s) in {} back as they were",
            rollout.base.display()
        ));
    }
    let gateway = rollout.load()?;
    let route = gateway.route(&args.service).ok_or_else(|| {
        UsageError::new(format!(
            "unknown service `{}` (the gateway routes: {})",
            args.service,
            gateway
                .routes
                .iter()
                .map(|r| r.service.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    if route.mode != Mode::External {
        return Err(UsageError::new(format!(
            "`{}` is internal: make it external first (skillsctl update-gateway-config {} --external URL --weight 0)",
            args.service, args.service
        ))
        .into());
    }
    let paths = state::paths(&ctx.config.root.join(".skillsctl"), &args.service);
    let _lock = state::lock(&paths, &args.service)?;
    let saved = state::load(&paths)?;
    if args.abort {
        let Some(saved) = saved else {
            return Err(UsageError::new(format!(
                "no interrupted rollout of `{}` to abort",
                args.service
            ))
            .into());
        };
        rollout.set_weight(saved.last_good)?;
        state::clear(&paths);
        rollout.emit(&rollout.event(
            saved.current + 1,
            saved.last_good,
            "aborted",
            Some(format!(
                "returned to the last good weight {}%",
                saved.last_good
            )),
        ))?;
        return Ok(Outcome::Success);
    }
    let (start, last_good, initial) =
        starting_point(args, saved, Gateway::effective_weight(route))?;
    let mut state = state::RolloutState {
        service: args.service.clone(),
        steps: args.steps.clone(),
        current: start,
        last_good,
        initial,
        pid: std::process::id(),
    };
    for index in start..args.steps.len() {
        state.current = index;
        state::save(&paths, &state)?;
        let weight = args.steps[index];
        let event = rollout.step(index + 1, weight)?;
        if event.outcome != "passed" {
            // A failed check returns all the way: the monolith serves as before.
            rollout.set_weight(state.initial)?;
            state::clear(&paths);
            let mut event = event;
            "rolled back".clone_into(&mut event.outcome);
            let reason = event.reason.take().unwrap_or_default();
            event.reason = Some(format!("{reason}; back to {}%", state.initial));
            rollout.emit(&event)?;
            return Ok(Outcome::Failures);
        }
        rollout.emit(&event)?;
        state.last_good = weight;
    }
    state::clear(&paths);
    Ok(Outcome::Success)
}

/// Where the run starts: (step index, last good weight, initial weight).
fn starting_point(
    args: &RolloutArgs,
    saved: Option<state::RolloutState>,
    now: u8,
) -> anyhow::Result<(usize, u8, u8)> {
    Ok(match (saved, args.resume) {
        (Some(saved), true) => (saved.current, saved.last_good, saved.initial),
        (Some(saved), false) => {
            return Err(UsageError::new(format!(
                "an interrupted rollout of `{}` stopped at step {} (weight {}%); go on with --resume, or return to {}% with --abort",
                args.service,
                saved.current + 1,
                saved.steps.get(saved.current).copied().unwrap_or(0),
                saved.last_good
            ))
            .into());
        }
        (None, _) => (0, now, now),
    })
}

impl Rollout<'_> {
    fn load(&self) -> anyhow::Result<Gateway> {
        let text = crate::adapters::fs::read_to_string(&self.path)?;
        let shown = self.path.display().to_string();
        Ok(gateway::parse(&text, &shown, &|n| std::env::var(n).ok())?)
    }

    fn emit(&self, event: &StepEvent) -> anyhow::Result<()> {
        self.ctx.output.emit_round(event)?;
        Ok(())
    }

    fn event(&self, step: usize, weight: u8, outcome: &str, reason: Option<String>) -> StepEvent {
        StepEvent {
            service: self.args.service.clone(),
            step,
            weight,
            outcome: outcome.to_owned(),
            reason,
            health: None,
            smoke: None,
            traffic: None,
            duration_ms: 0,
        }
    }

    /// Writes the weight to the gateway file and tells the gateway: the admin
    /// socket with --haproxy-runtime, else render, check and reload.
    fn set_weight(&self, weight: u8) -> anyhow::Result<Gateway> {
        let text = crate::adapters::fs::read_to_string(&self.path)?;
        let (new_text, fields) =
            edit::apply(&text, &self.args.service, &[edit::Change::Weight(weight)])?;
        let shown = self.path.display().to_string();
        let updated = gateway::parse(&new_text, &shown, &|n| std::env::var(n).ok())?;
        if self.args.haproxy_runtime {
            apply::set_runtime_weights(&self.base, &updated, &self.args.service)?;
            let set = apply::plan(&self.base, &self.file_name, &text, &new_text, &fields, &[])?;
            set.apply(&crate::adapters::fs::FileWriter::new(false))?;
            return Ok(updated);
        }
        let rendered = apply::render_checked(&self.base, &updated)?;
        let set = apply::plan(
            &self.base,
            &self.file_name,
            &text,
            &new_text,
            &fields,
            &rendered,
        )?;
        set.apply(&crate::adapters::fs::FileWriter::new(false))?;
        apply::reload(&self.base, &updated, &set)?;
        Ok(updated)
    }

    /// One step: set, probe, smoke, watch.
    fn step(&self, step: usize, weight: u8) -> anyhow::Result<StepEvent> {
        let started = Instant::now();
        let log = watch::log_mark(&self.base, &self.load()?);
        let gateway = self.set_weight(weight)?;
        self.ctx.output.status(
            "Weight",
            &format!(
                "{} at {weight}% (step {step}/{})",
                self.args.service,
                self.args.steps.len()
            ),
        );
        let route = gateway
            .route(&self.args.service)
            .expect("checked at the start")
            .clone();
        let mut event = self.event(step, weight, "passed", None);
        let watch =
            match watch::Watch::start(&self.base, &gateway, &route, log, self.args.haproxy_runtime)
            {
                Ok(watch) => watch,
                Err(e) => return Ok(failed(event, format!("cannot watch the gateway: {e}"))),
            };
        let runtime = crate::runtime::multi_thread(2).context("cannot start the async runtime")?;
        if let Some(reason) = runtime.block_on(self.probe(&route))? {
            event.health = Some(reason.clone());
            return Ok(failed(event, format!("health: {reason}")));
        }
        event.health = Some("healthy".into());
        if let Some(reason) = self.smoke()? {
            event.smoke = Some(reason.clone());
            return Ok(failed(event, format!("smoke: {reason}")));
        }
        event.smoke = self.args.smoke.as_ref().map(|_| "passed".to_owned());
        let mut event = self.watch(event, &route, watch.as_ref(), &runtime)?;
        event.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(event)
    }

    /// The pause: the share's traffic and the service's health, checked every
    /// `--check-every` until the pause is over or a check fails.
    fn watch(
        &self,
        mut event: StepEvent,
        route: &gateway::Route,
        watch: Option<&watch::Watch>,
        runtime: &tokio::runtime::Runtime,
    ) -> anyhow::Result<StepEvent> {
        let (step, weight) = (event.step, event.weight);
        let pause = self.args.pause.0;
        let watch_started = Instant::now();
        let spinner = self
            .ctx
            .output
            .spinners(&[format!("step {step}/{}", self.args.steps.len())]);
        loop {
            let left = pause.saturating_sub(watch_started.elapsed());
            spinner.set(
                0,
                &format!(
                    "{} at {weight}%: healthy, watching, {} left",
                    self.args.service,
                    humantime::format_duration(Duration::from_secs(left.as_secs()))
                ),
            );
            std::thread::sleep(left.min(self.args.check_every.0));
            if let Some(watch) = watch {
                let seconds = watch_started.elapsed().as_secs_f64().max(0.001);
                match watch.traffic(seconds, &self.args.threshold) {
                    Ok(traffic) => {
                        let broken = traffic.broken();
                        event.traffic = Some(traffic);
                        if !broken.is_empty() {
                            let reason = format!("the service's share broke {}", broken.join(", "));
                            event = failed(event, reason);
                            break;
                        }
                    }
                    Err(e) => {
                        event = failed(event, format!("cannot read the gateway's traffic: {e}"));
                        break;
                    }
                }
            }
            if let Some(reason) = runtime.block_on(self.probe(route))? {
                event.health = Some(reason.clone());
                event = failed(event, format!("health: {reason}"));
                break;
            }
            if watch_started.elapsed() >= pause {
                break;
            }
        }
        spinner.clear();
        Ok(event)
    }

    /// The service's health through the probe engine; `Some(reason)` when unhealthy.
    async fn probe(&self, route: &gateway::Route) -> anyhow::Result<Option<String>> {
        let targets = apply::health_targets(route)?;
        let report = crate::probe::run(
            targets,
            crate::probe::Mode::Once,
            false,
            &crate::probe::Quiet,
        )
        .await?;
        let bad: Vec<String> = report
            .targets
            .iter()
            .filter(|t| !t.health.is_up(false))
            .map(|t| format!("{} {}", t.target, t.detail))
            .collect();
        Ok((!bad.is_empty()).then(|| bad.join("; ")))
    }

    /// The smoke suite through the gateway; `Some(reason)` when it failed.
    fn smoke(&self) -> anyhow::Result<Option<String>> {
        let Some(file) = &self.args.smoke else {
            return Ok(None);
        };
        let file = self.ctx.cwd.join(file);
        let text = crate::adapters::fs::read_to_string(&file)?;
        let lookup = |n: &str| std::env::var(n).ok();
        let suite = crate::suite::parse(
            &text,
            &file,
            &crate::suite::LoadOptions {
                env: None,
                vars: &[],
                lookup: &lookup,
            },
        )?;
        let settings = crate::suite::run::RunSettings {
            jobs: 4,
            base_url: self.args.gateway_url.clone(),
            ..crate::suite::run::RunSettings::default()
        };
        let suites = vec![suite];
        let selection = crate::suite::run::selected(&suites, &[]);
        let runtime = crate::runtime::multi_thread(2).context("cannot start the async runtime")?;
        let results = runtime.block_on(crate::suite::run::run(
            std::sync::Arc::new(suites),
            selection,
            std::sync::Arc::new(settings),
            std::sync::Arc::new(crate::adapters::http::ClientPool::new()),
            std::sync::Arc::new(crate::suite::run::Quiet),
        ))?;
        let failed: Vec<String> = results
            .iter()
            .flat_map(crate::suite::result::TestResult::all_steps)
            .filter(|s| s.outcome == crate::suite::result::Outcome::Failed)
            .map(|s| {
                format!(
                    "{}: {}",
                    s.name,
                    s.failures.first().map_or_else(
                        || s.error.clone().unwrap_or_default(),
                        |f| f.message.clone()
                    )
                )
            })
            .collect();
        Ok((!failed.is_empty()).then(|| failed.join("; ")))
    }
}

/// The event, failed for `reason`.
fn failed(mut event: StepEvent, reason: String) -> StepEvent {
    "failed".clone_into(&mut event.outcome);
    event.reason = Some(reason);
    event
}
