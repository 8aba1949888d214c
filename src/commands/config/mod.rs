//! `skillsctl config`: find, validate and show the configuration as skillsctl
//! resolves it (flags > SKILLSCTL_* environment > file > defaults), with secrets
//! masked. A broken file exits 2 with file:line:column and key, so a CI step can
//! check the config before anything runs.

mod report;

use clap::Args;

use crate::context::Context;
use crate::exit::Outcome;

pub use report::{ConfigReport, Entry};

/// Check skillsctl.toml and show the settings in effect
///
/// Finds skillsctl.toml (walking up from the working directory, or --config),
/// reads it with ${VAR} interpolation, and prints every setting in effect with
/// where it came from. Passwords in URLs are masked. Exits 2 when the file is
/// malformed, has an unknown key or a wrong type, or names an unset variable.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  skillsctl config                       Show the settings in effect
  skillsctl --config ci.toml config      Check another file
  skillsctl --format json config | jq .entries")]
pub struct ConfigArgs {}

pub fn run(_args: &ConfigArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let report = report::build(ctx);
    ctx.output.emit(&report)
}
