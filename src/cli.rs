//! The command line: global flags and the list of subcommands. Each subcommand's
//! own arguments live in its room under `commands/`.

use clap::{Parser, Subcommand};

use crate::commands::{
    analyze_boundaries, completions, config, extract_service, health_check, init, migrate, rollout,
    smoke, update_gateway_config,
};
use crate::context::GlobalArgs;

const ABOUT: &str = "Carry out the hybrid-backend plan for the skills-evaluation monolith";

const LONG_ABOUT: &str = "\
skillsctl carries out the operational steps of the hybrid-backend plan for the
skills-evaluation platform (a Next.js monolith on PostgreSQL/Prisma and Redis):
enhance the monolith, modularise it, and extract services only when measured
evidence justifies it. It runs the same from a laptop and as CI pipeline steps.

Settings come from flags, then SKILLSCTL_* environment variables, then
skillsctl.toml (found by walking up from the working directory), then defaults.";

const AFTER_HELP: &str = "\
Examples:
  skillsctl init --yes                  Detect this repository and write skillsctl.toml
  skillsctl --format json init --dry-run
  skillsctl config                      Check skillsctl.toml, show the settings in effect
  skillsctl health-check --wait 60s     Block until the app, database and Redis are healthy
  skillsctl smoke smoke/api.toml        Run API smoke tests against the backend
  skillsctl completions zsh > ~/.zfunc/_skillsctl

Exit codes: 0 success, 1 ran and found failures, 2 usage/config/input error,
3 runtime error that stopped the run.";

/// `skillsctl [GLOBAL FLAGS] <COMMAND>`.
#[derive(Debug, Parser)]
#[command(
    name = "skillsctl",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true,
    max_term_width = 100,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::InitArgs),
    Config(config::ConfigArgs),
    HealthCheck(Box<health_check::HealthCheckArgs>),
    AnalyzeBoundaries(analyze_boundaries::AnalyzeArgs),
    Migrate(Box<migrate::MigrateArgs>),
    Smoke(Box<smoke::SmokeArgs>),
    UpdateGatewayConfig(update_gateway_config::GatewayArgs),
    Rollout(Box<rollout::RolloutArgs>),
    ExtractService(Box<extract_service::ExtractArgs>),
    Completions(completions::CompletionsArgs),
    Man(completions::ManArgs),
}

impl Command {
    /// Whether the command reads `skillsctl.toml` (and so fails on a broken one).
    #[must_use]
    pub fn reads_config(&self) -> bool {
        match self {
            Command::Config(_)
            | Command::HealthCheck(_)
            | Command::Migrate(_)
            | Command::AnalyzeBoundaries(_)
            | Command::Smoke(_)
            | Command::UpdateGatewayConfig(_)
            | Command::Rollout(_)
            | Command::ExtractService(_) => true,
            Command::Init(_) | Command::Completions(_) | Command::Man(_) => false,
        }
    }
}

/// The clap command, for completions and man pages.
#[must_use]
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
