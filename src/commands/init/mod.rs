//! `skillsctl init`: inspect a repository and write a commented skillsctl.toml.

mod gateway;
mod render;
mod report;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::adapters::fs::{ChangeSet, FileWriter, FsError, WriteEffect};
use crate::adapters::prompts::Prompter;
use crate::config;
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use crate::repo;

pub use render::{Answers, render};
pub use report::InitReport;

/// Detect the repository layout and write a commented skillsctl.toml
///
/// Looks at package.json workspaces and pnpm-workspace.yaml, Next.js API routes
/// (app/api/**/route.ts and pages/api), the Prisma schema (single file or folder),
/// migration folders, docker-compose services (PostgreSQL, MySQL, Redis, the app)
/// and Cargo workspaces, then writes what it found to skillsctl.toml at the
/// repository root (or to --config PATH). Asks on a terminal; takes the defaults
/// with --yes, in CI or without a terminal. Never replaces an existing file
/// without --force.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  skillsctl init                 Ask, then write ./skillsctl.toml
  skillsctl init --yes ../app    Take the defaults for the repository in ../app
  skillsctl init --dry-run       Show the config without writing it")]
pub struct InitArgs {
    /// The repository to inspect
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,

    /// Take every default without asking
    #[arg(short, long)]
    pub yes: bool,

    /// Replace an existing skillsctl.toml
    #[arg(long)]
    pub force: bool,

    /// Print the config instead of writing it
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: &InitArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    // `components()` drops the `.` segments so paths print cleanly.
    let root: PathBuf = ctx.cwd.join(&args.path).components().collect();
    if !root.is_dir() {
        return Err(UsageError::new(format!("{} is not a directory", args.path.display())).into());
    }
    let target = ctx
        .global
        .config
        .clone()
        .map_or_else(|| root.join(config::FILE_NAME), |p| ctx.cwd.join(p));
    // Refuse before asking anything: the answer would be thrown away.
    if target.exists() && !args.force && !args.dry_run {
        return Err(FsError::AlreadyExists { path: target }.into());
    }
    let mut layout = repo::detect(&root)?;
    // A re-run (--force) keeps the team's [domains]: the map in effect is the
    // config's when it names any, as for every other command.
    if let Some(existing) = std::fs::read_to_string(&target)
        .ok()
        .and_then(|text| config::parse(&text, &target.display().to_string()).ok())
    {
        let (domains, source) = repo::domains::effective(&existing.domains, &layout.domains);
        if source == repo::domains::MapSource::Config {
            layout.domains = domains.clone();
            layout.domain_found.clear();
            layout.domain_roles = existing.roles.clone();
        }
    }
    let prompter = Prompter::new(args.yes);
    let defaults = Answers::defaults(&layout);
    let app_url = prompter
        .input("Where does the app listen?", &defaults.app_url)
        .context("cannot read the answer")?;
    let text = render(
        &layout,
        &Answers {
            app_url: app_url.clone(),
        },
    );
    // The gateway file goes beside the config, and only when there is none:
    // an existing one holds live weights.
    let gateway_target = target.with_file_name(gateway::FILE_NAME);
    let gateway_text = (!gateway_target.exists()).then(|| gateway::render(&layout, &app_url));
    if let Some(text) = &gateway_text {
        crate::gateway::parse(text, gateway::FILE_NAME, &|_| None)
            .context("skillsctl wrote a gateway file it cannot read back; please report this")?;
    }
    // What init writes, every other command must read.
    config::parse(&text, &target.display().to_string())
        .context("skillsctl wrote a config it cannot read back; please report this")?;
    if prompter.is_interactive()
        && !args.dry_run
        && !prompter.confirm(&format!("Write {}?", target.display()), true)?
    {
        ctx.output.note("nothing written");
        return Ok(Outcome::Success);
    }
    // Both files as one change set: written all or nothing, and a kill in
    // between is undone by the next command (its journal).
    let folder = target
        .parent()
        .map_or_else(|| ctx.cwd.clone(), Path::to_path_buf);
    let config_name = target.file_name().map_or_else(
        || config::FILE_NAME.to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let existed = target.exists();
    let mut set = ChangeSet::new(&folder);
    if let Some(text) = &gateway_text {
        set.create(gateway::FILE_NAME, text.as_bytes())?;
    }
    if args.force {
        set.write(&config_name, text.as_bytes())?;
    } else {
        set.create(&config_name, text.as_bytes())?;
    }
    set.apply(&FileWriter::new(args.dry_run))?;
    let effect = match (args.dry_run, existed) {
        (false, false) => WriteEffect::Created,
        (false, true) => WriteEffect::Replaced,
        (true, false) => WriteEffect::WouldCreate,
        (true, true) => WriteEffect::WouldReplace,
    };
    let gateway_effect = gateway_text.as_ref().map(|_| {
        if args.dry_run {
            WriteEffect::WouldCreate
        } else {
            WriteEffect::Created
        }
    });
    let report = InitReport {
        root: root.display().to_string(),
        config_path: target.display().to_string(),
        effect,
        gateway_path: gateway_effect.map(|_| gateway_target.display().to_string()),
        gateway_effect,
        detected: layout,
        config: args.dry_run.then_some(text),
    };
    ctx.output.emit(&report)
}
