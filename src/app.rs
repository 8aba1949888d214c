//! The run loop: parse arguments, load the config, build the output, dispatch
//! to the subcommand, and turn the result into an exit code.

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands;
use crate::config::{self, Loaded};
use crate::context::{Context, GlobalArgs};
use crate::exit::{self, ExitStatus};
use crate::output::{self, Output, OutputSettings};

/// Runs skillsctl with the process arguments and returns its exit code.
#[must_use]
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Success
            }
            .into();
        }
    };
    init_tracing(&cli.global);
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(err) => {
            output::print_early_error(
                &anyhow::Error::new(err).context("cannot read the working directory"),
            );
            return ExitStatus::Runtime.into();
        }
    };
    let loaded = if cli.command.reads_config() {
        match config::load(cli.global.config.as_deref(), &cwd) {
            Ok(loaded) => loaded,
            Err(err) => {
                output::print_early_error(&anyhow::Error::new(err));
                return ExitStatus::Usage.into();
            }
        }
    } else {
        Loaded {
            path: None,
            root: cwd.clone(),
            config: config::Config::default(),
            text: String::new(),
        }
    };
    match &loaded.path {
        Some(path) => tracing::debug!("config: {}", path.display()),
        None if cli.command.reads_config() => {
            tracing::debug!("config: none found, defaults in effect");
        }
        None => {}
    }
    let file = &loaded.config.output;
    let output = Output::new(OutputSettings {
        format: cli.global.format.or(file.format).unwrap_or_default(),
        color: cli.global.color.or(file.color).unwrap_or_default(),
        quiet: cli.global.quiet,
        progress: !cli.global.no_progress && file.progress.unwrap_or(true),
    });
    let ctx = Context {
        output,
        config: loaded,
        global: cli.global,
        cwd,
    };
    match dispatch(&cli.command, &ctx) {
        Ok(outcome) => ExitStatus::from(outcome).into(),
        Err(err) => {
            ctx.output.error(&err);
            exit::classify(&err).into()
        }
    }
}

fn dispatch(command: &Command, ctx: &Context) -> anyhow::Result<exit::Outcome> {
    match command {
        Command::Init(args) => commands::init::run(args, ctx),
        Command::Config(args) => commands::config::run(args, ctx),
        Command::HealthCheck(args) => commands::health_check::run(args, ctx),
        Command::Migrate(args) => commands::migrate::run(args, ctx),
        Command::Smoke(args) => commands::smoke::run(args, ctx),
        Command::UpdateGatewayConfig(args) => commands::update_gateway_config::run(args, ctx),
        Command::Rollout(args) => commands::rollout::run(args, ctx),
        Command::ExtractService(args) => commands::extract_service::run(args, ctx),
        Command::AnalyzeBoundaries(args) => commands::analyze_boundaries::run(args, ctx),
        Command::Completions(args) => {
            commands::completions::run_completions(args, ctx, crate::cli::command())
        }
        Command::Man(args) => commands::completions::run_man(args, ctx, crate::cli::command()),
    }
}

/// `-v` logs skillsctl's own debug events, `-vv` everything at trace level;
/// `SKILLSCTL_LOG` takes a full tracing filter. Logs go to stderr.
fn init_tracing(global: &GlobalArgs) {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("SKILLSCTL_LOG") {
        Ok(spec) if !spec.is_empty() => EnvFilter::new(spec),
        _ => EnvFilter::new(match (global.quiet, global.verbose) {
            (true, _) => "error",
            (false, 0) => "warn",
            (false, 1) => "warn,skillsctl=debug",
            (false, _) => "trace",
        }),
    };
    let color = output::use_color(
        global.color.unwrap_or_default(),
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(global.verbose > 1)
        .try_init();
}
