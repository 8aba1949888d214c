//! `skillsctl completions <shell>` and `skillsctl man`: shell completion scripts
//! (clap_complete) and roff man pages (clap_mangen) generated from the CLI itself.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use clap_complete::Shell;

use crate::adapters::fs::{FileWriter, WriteMode};
use crate::context::Context;
use crate::exit::Outcome;

/// Print a shell completion script
///
/// Writes the completion script for SHELL to stdout. Load it in your shell's
/// startup file or save it where your shell looks for completions.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  skillsctl completions bash > ~/.local/share/bash-completion/completions/skillsctl
  skillsctl completions zsh > ~/.zfunc/_skillsctl
  skillsctl completions fish > ~/.config/fish/completions/skillsctl.fish
  skillsctl completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to generate for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Print or write the man pages
///
/// Prints the skillsctl(1) man page to stdout, or with --out-dir writes one page
/// per command (skillsctl.1, skillsctl-init.1, ...) into that folder.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  skillsctl man | man -l -
  skillsctl man --out-dir ~/.local/share/man/man1")]
pub struct ManArgs {
    /// Write skillsctl.1 and one page per subcommand into this folder
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// `command` is the whole CLI, handed in by the run loop (a room never imports it).
pub fn run_completions(
    args: &CompletionsArgs,
    ctx: &Context,
    mut command: clap::Command,
) -> anyhow::Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "skillsctl", &mut script);
    ctx.output.raw(&script);
    Ok(Outcome::Success)
}

pub fn run_man(args: &ManArgs, ctx: &Context, command: clap::Command) -> anyhow::Result<Outcome> {
    let Some(dir) = &args.out_dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(command)
            .render(&mut page)
            .context("cannot render the man page")?;
        ctx.output.raw(&page);
        return Ok(Outcome::Success);
    };
    let writer = FileWriter::new(false);
    let mut pages = vec![("skillsctl".to_owned(), command.clone())];
    for sub in command.get_subcommands() {
        let name = format!("skillsctl-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name.clone())));
    }
    for (name, page_command) in pages {
        let mut page = Vec::new();
        clap_mangen::Man::new(page_command)
            .render(&mut page)
            .context("cannot render a man page")?;
        let path = dir.join(format!("{name}.1"));
        writer.write(&path, &page, WriteMode::Overwrite)?;
        ctx.output.status("Wrote", &path.display().to_string());
    }
    Ok(Outcome::Success)
}
