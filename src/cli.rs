//! The command line: global flags and the list of subcommands. Each subcommand's
//! own arguments live in its room under `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands::{analyze_boundaries, completions, config, health_check, init, migrate};
use crate::output::{ColorChoice, Format};

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

/// Flags every subcommand accepts.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Read this config file instead of searching for skillsctl.toml
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        env = "SKILLSCTL_CONFIG",
        hide_env_values = true
    )]
    pub config: Option<PathBuf>,

    /// How to print reports
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "FORMAT",
        env = "SKILLSCTL_FORMAT",
        hide_env_values = true
    )]
    pub format: Option<Format>,

    /// When to use colour (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        env = "SKILLSCTL_COLOR",
        hide_env_values = true
    )]
    pub color: Option<ColorChoice>,

    /// Print only the report and errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log what skillsctl does to stderr (-vv for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Never draw progress bars or spinners
    #[arg(long, global = true, env = "SKILLSCTL_NO_PROGRESS", hide_env_values = true, value_parser = clap::builder::FalseyValueParser::new())]
    pub no_progress: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::InitArgs),
    Config(config::ConfigArgs),
    HealthCheck(Box<health_check::HealthCheckArgs>),
    AnalyzeBoundaries(analyze_boundaries::AnalyzeArgs),
    Migrate(Box<migrate::MigrateArgs>),
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
            | Command::AnalyzeBoundaries(_) => true,
            Command::Init(_) | Command::Completions(_) | Command::Man(_) => false,
        }
    }
}

/// The clap command, for completions and man pages.
#[must_use]
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
