//! `skillsctl update-gateway-config`: change a service's route in the
//! gateway file (comments kept), validate, health-check the new target,
//! render the real gateways' configs, and write it all as one unit with a
//! backup and a history line; `--check` reports drift for CI.

mod report;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::adapters::fs::FileWriter;
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use crate::gateway::edit::{self, Change};
use crate::gateway::{self, Gateway, Mode, apply};

pub use report::GatewayReport;

/// Change, render and check the gateway routes
///
/// Edits the gateway file (gateway.toml, or [gateway] file in skillsctl.toml)
/// in place, keeping its comments: make a service external at URLs with a
/// weight, internal again, or remove its route. Every change is validated
/// (weights 0..100, URLs, no prefix routed two ways or inside another without
/// `nested`), the new target is health-checked, the file is written
/// atomically with a backup (.bak) and a line in the history file, and with
/// --render the app's JSON, nginx, HAProxy and HTTPRoute configs are rendered,
/// checked with `nginx -t` / `haproxy -c`, written with it, and reloaded.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // each flag is one of clap's switches
#[command(after_help = "\
Examples:
  skillsctl update-gateway-config ai --external http://ai-service:3001 --weight 0 --render
  skillsctl update-gateway-config ai --weight 25 --render
  skillsctl update-gateway-config ai --internal --render
  skillsctl update-gateway-config --render          Render every target from the file
  skillsctl update-gateway-config --check           CI: exit 1 when a rendered file drifted

Exit status: 0 done (or no drift), 1 drift found or the target is unhealthy,
2 bad input (nothing written), 3 runtime error.")]
pub struct GatewayArgs {
    /// The service whose route changes
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// Serve the route from the service at this URL (repeatable)
    #[arg(long, value_name = "URL", conflicts_with_all = ["internal", "remove"])]
    pub external: Vec<String>,

    /// Serve the route from the monolith again
    #[arg(long, conflicts_with = "remove")]
    pub internal: bool,

    /// Percent of the route's traffic the service gets (0..100)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub weight: Option<u8>,

    /// Drop the service's route
    #[arg(long)]
    pub remove: bool,

    /// With --external for a service without a route: its path prefix
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,

    /// Write the rendered configs (and run their reload commands)
    #[arg(long)]
    pub render: bool,

    /// Compare the rendered configs with the files on disk; exit 1 on drift
    #[arg(long, conflicts_with_all = ["render", "external", "internal", "weight", "remove"])]
    pub check: bool,

    /// Do not health-check the new target
    #[arg(long)]
    pub skip_health: bool,

    /// Also set the new weights on HAProxy's admin socket ([render.haproxy] socket), no reload
    #[arg(long)]
    pub haproxy_runtime: bool,

    /// Show what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// The gateway file [default: gateway.file in skillsctl.toml, else gateway.toml]
    #[arg(long, value_name = "FILE")]
    pub gateway: Option<PathBuf>,
}

pub fn run(args: &GatewayArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let path = gateway_path(args, ctx);
    let shown = path
        .strip_prefix(&ctx.cwd)
        .unwrap_or(&path)
        .display()
        .to_string();
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    if let Some(restored) = crate::adapters::fs::recover_interrupted(&base)? {
        ctx.output.warn(&format!(
            "an earlier write was cut short (kill or crash): put {restored} file(s) in {} back as they were",
            base.display()
        ));
    }
    let text = crate::adapters::fs::read_to_string(&path)?;
    let lookup = |name: &str| std::env::var(name).ok();
    let current = gateway::parse(&text, &shown, &lookup)?;
    if args.check {
        return ctx
            .output
            .emit(&GatewayReport::drift(&shown, &base, &current));
    }
    let changes = changes(args)?;
    let (new_text, fields) = match (&args.service, changes.is_empty()) {
        (Some(service), false) => edit::apply(&text, service, &changes)?,
        (Some(_), true) => {
            return Err(UsageError::new(
                "say what changes: --external URL, --internal, --weight N or --remove",
            )
            .into());
        }
        (None, false) => return Err(UsageError::new("name the SERVICE whose route changes").into()),
        (None, true) => (text.clone(), Vec::new()),
    };
    // What is written must parse: the edit is checked as the file it makes.
    let updated = gateway::parse(&new_text, &shown, &lookup)?;
    if !args.skip_health
        && let Some(service) = &args.service
        && let Some(unhealthy) = health(ctx, &updated, service)?
    {
        ctx.output.emit(&unhealthy)?;
        return Ok(Outcome::Failures);
    }
    let rendered = if args.render {
        apply::render_checked(&base, &updated)?
    } else {
        Vec::new()
    };
    let file_name = path.file_name().map_or_else(
        || "gateway.toml".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let set = apply::plan(&base, &file_name, &text, &new_text, &fields, &rendered)?;
    let diff = set.diff();
    let planned = set.apply(&FileWriter::new(args.dry_run))?;
    let mut report = GatewayReport::changed(&shown, fields, &diff, planned, args.dry_run);
    if args.haproxy_runtime
        && !args.dry_run
        && let Some(service) = &args.service
    {
        apply::set_runtime_weights(&base, &updated, service)?;
        ctx.output.status(
            "Set",
            &format!("{service}'s weights on HAProxy's admin socket"),
        );
    }
    if args.render && !args.dry_run {
        report.reloaded = apply::reload(&base, &updated, &set)?;
        for command in &report.reloaded {
            ctx.output.status("Reloaded", command);
        }
    }
    ctx.output.emit(&report)
}

fn gateway_path(args: &GatewayArgs, ctx: &Context) -> PathBuf {
    apply::file_path(
        args.gateway.as_deref(),
        &ctx.cwd,
        &ctx.config.root,
        ctx.config.config.gateway.file.as_deref(),
    )
}

fn changes(args: &GatewayArgs) -> anyhow::Result<Vec<Change>> {
    let mut changes = Vec::new();
    if args.remove {
        changes.push(Change::Remove);
    }
    if args.internal {
        changes.push(Change::Internal);
    }
    if !args.external.is_empty() {
        changes.push(match &args.prefix {
            Some(prefix) => Change::Add {
                prefix: prefix.clone(),
                urls: args.external.clone(),
                weight: args.weight.unwrap_or(0),
            },
            None => Change::External(args.external.clone()),
        });
    }
    if let Some(weight) = args.weight
        && args.prefix.is_none()
    {
        changes.push(Change::Weight(weight));
    }
    if args.prefix.is_some() && args.external.is_empty() {
        return Err(UsageError::new("--prefix adds a route: give it --external URL").into());
    }
    Ok(changes)
}

/// The service's health, through the probe engine, when it is to get traffic.
fn health(
    ctx: &Context,
    gateway: &Gateway,
    service: &str,
) -> anyhow::Result<Option<crate::probe::HealthReport>> {
    let Some(route) = gateway.route(service).filter(|r| r.mode == Mode::External) else {
        return Ok(None);
    };
    let targets = apply::health_targets(route)?;
    let runtime = crate::runtime::multi_thread(2).context("cannot start the async runtime")?;
    let report = runtime.block_on(crate::probe::run(
        targets,
        crate::probe::Mode::Once,
        false,
        &crate::probe::Quiet,
    ))?;
    if crate::output::Report::outcome(&report) == Outcome::Success {
        Ok(None)
    } else {
        ctx.output.warn(&format!(
            "{service} is not healthy; nothing written (pass --skip-health to write anyway)"
        ));
        Ok(Some(report))
    }
}
