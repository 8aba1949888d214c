//! What every command receives: the resolved output, the config, the global
//! flags and the working directory. A leaf: it imports no command and not the
//! run loop, so rooms depend on it and nothing depends back on them.

use std::path::PathBuf;

use clap::Args;

use crate::config::Loaded;
use crate::format::{ColorChoice, Format};
use crate::output::Output;

/// What every command gets: the resolved output, the config and the flags.
#[derive(Debug)]
pub struct Context {
    pub output: Output,
    pub config: Loaded,
    pub global: GlobalArgs,
    pub cwd: PathBuf,
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
