//! `skillsctl extract-service <name>`: a domain of the monolith becomes a
//! service package (guide §4.2): scaffolded from a tera template, its code
//! moved with every affected import rewritten, wired into the workspace,
//! docker-compose and the gateway (weight 0), with EXTRACTION.md. One plan,
//! shown first, then written all or nothing.
//!
//! Glue: [`gather`] walks and resolves, [`moves`] plans the rewrites,
//! [`wiring`] edits manifests, [`checklist`] writes EXTRACTION.md, [`plan`]
//! puts it all in one change set, [`update`] re-applies a newer template.

mod checklist;
mod gather;
mod moves;
mod plan;
mod report;
mod update;
mod wiring;

pub use wiring::WiringError;
#[cfg(test)]
pub(crate) use wiring::{ComposeService, compose};

use std::path::{Path, PathBuf};

use clap::Args;

use crate::adapters::fs::FileWriter;
use crate::adapters::prompts::Prompter;
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use crate::scaffold::{self, Kind, values::Given};

/// Turn a domain of the monolith into a service package
///
/// Builds the whole change in memory first: the package scaffolded from a
/// template (express-ts by default, or rust-axum, or one of your own), the
/// domain's files moved into its src/services/ with every import that the
/// move changes rewritten in place (relative imports, tsconfig paths and
/// workspace package names), the package added to the workspace, a service
/// with a healthcheck added to docker-compose, the gateway entry registered as
/// external with weight 0, and EXTRACTION.md with the guide's checklist. The
/// plan lists the imports that now cross the boundary and the Prisma models
/// the service shares. --dry-run stops after the plan; otherwise it asks on a
/// terminal (--yes for CI) and writes everything or nothing.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // each is a flag of its own
#[command(after_help = "\
Examples:
  skillsctl extract-service ai --dry-run --diff     Show the plan and every diff
  skillsctl extract-service ai --yes --set port=4001
  skillsctl extract-service search --scaffold-only   A new service, no code moved
  skillsctl extract-service ai --update              Merge a newer template into packages/ai
  skillsctl extract-service --list-templates

Exit status: 0 planned or written, 1 --update left conflicts to resolve,
2 bad input (nothing written), 3 runtime error.")]
pub struct ExtractArgs {
    /// The service's name: a domain of the domain map, lowercase kebab-case
    #[arg(value_name = "NAME", required_unless_present = "list_templates")]
    pub name: Option<String>,

    /// The template [default: extract.template in skillsctl.toml, else express-ts]
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,

    /// A folder of your own templates (repeatable; before the built-in ones)
    #[arg(long, value_name = "DIR")]
    pub template_dir: Vec<PathBuf>,

    /// A template variable (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = scaffold::values::parse_set)]
    pub set: Vec<Given>,

    /// A TOML file of template variables
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,

    /// Move these files or folders instead of the domain map's (repeatable)
    #[arg(long, value_name = "PATH")]
    pub from: Vec<PathBuf>,

    /// Create the package without moving any code
    #[arg(long, conflicts_with_all = ["from", "copy"])]
    pub scaffold_only: bool,

    /// Copy the domain's code into the package and leave the original in place
    #[arg(long)]
    pub copy: bool,

    /// Re-render the package's template and merge it into local edits
    #[arg(long, conflicts_with_all = ["scaffold_only", "from", "copy", "force"])]
    pub update: bool,

    /// Show the templates and their variables
    #[arg(long)]
    pub list_templates: bool,

    /// Show the plan and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Show the plan's unified diffs
    #[arg(long)]
    pub diff: bool,

    /// Write without asking
    #[arg(short, long)]
    pub yes: bool,

    /// Write the generated files into an existing package folder (other files are never touched)
    #[arg(long)]
    pub force: bool,

    /// Move files that have uncommitted changes
    #[arg(long)]
    pub allow_dirty: bool,

    /// analyze-boundaries' JSON report, for the checklist's traffic and team evidence
    #[arg(long, value_name = "FILE")]
    pub boundaries: Option<PathBuf>,
}

pub fn run(args: &ExtractArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let settings = &ctx.config.config.extract;
    let mut dirs: Vec<PathBuf> = args.template_dir.iter().map(|d| ctx.cwd.join(d)).collect();
    dirs.extend(
        settings
            .template_dirs
            .iter()
            .map(|d| ctx.config.root.join(d)),
    );
    let dir_refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    if args.list_templates {
        return list(&dir_refs, ctx);
    }
    let name = args.name.as_deref().unwrap_or_default();
    if let Err(reason) = scaffold::values::check(Kind::Name, name) {
        return Err(UsageError::new(format!("NAME `{name}`: {reason}")).into());
    }
    let root = ctx.config.root.clone();
    #[cfg(unix)]
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    if let Some(restored) = crate::adapters::fs::recover_interrupted(&root)? {
        ctx.output.warn(&format!(
            "an earlier write was cut short (kill or crash): put {restored} file(s) back as they were"
        ));
    }
    let package_dir = format!(
        "{}/{name}",
        settings
            .packages_dir
            .as_deref()
            .unwrap_or("packages")
            .trim_end_matches('/')
    );
    let prompter = Prompter::new(args.yes);
    if args.update {
        let built = update::build(&root, &package_dir, &dir_refs)?;
        return finish(args, ctx, prompter, built);
    }
    if root.join(&package_dir).exists() && !args.force {
        return Err(UsageError::new(format!(
            "{package_dir} already exists: pass --force to write the generated files into it (files it did not generate are never touched), or --update to merge a newer template"
        ))
        .into());
    }
    let layout = crate::repo::detect(&root)?;
    let (domains, _) = crate::repo::domains::effective(&ctx.config.config.domains, &layout.domains);
    let roots = roots(args, ctx, &root, name, domains)?;
    if !args.allow_dirty && !roots.is_empty() {
        refuse_dirty(&root, &roots)?;
    }
    let template_name = args
        .template
        .clone()
        .or_else(|| settings.template.clone())
        .unwrap_or_else(|| scaffold::builtin::DEFAULT.to_owned());
    let template = scaffold::builtin::find(&template_name, &dir_refs)?;
    let given = given(args, ctx)?;
    let boundaries = read_boundaries(args, ctx)?;
    let gateway = gateway_file(ctx, &root);
    let request = plan::Request {
        root: &root,
        layout: &layout,
        name,
        template: &template,
        given: &given,
        roots: &roots,
        copy: args.copy,
        force: args.force,
        package_dir: &package_dir,
        gateway,
        boundaries: boundaries.as_ref(),
        independent_deploys: ctx
            .config
            .config
            .facts
            .get(name)
            .and_then(|f| f.independent_deploys),
        domains,
    };
    let mut ask = |variable: &scaffold::Variable| -> Option<String> {
        if !prompter.is_interactive() {
            return None;
        }
        let question = if variable.help.is_empty() {
            variable.name.clone()
        } else {
            format!("{} ({})", variable.name, variable.help)
        };
        prompter
            .input(&question, variable.default.as_deref().unwrap_or_default())
            .ok()
    };
    let built = plan::build(&request, &mut ask)?;
    finish(args, ctx, prompter, built)
}

/// Shows the plan, asks, writes it all or nothing, and reports.
fn finish(
    args: &ExtractArgs,
    ctx: &Context,
    prompter: Prompter,
    built: plan::Built,
) -> anyhow::Result<Outcome> {
    let plan::Built { set, mut report } = built;
    if args.diff {
        // The compose file's connection URLs may hold passwords: masked.
        report.diff = Some(crate::redact::text(&set.diff(), &[]));
    }
    if args.dry_run {
        return ctx.output.emit(&report);
    }
    if prompter.is_interactive() {
        ctx.output.emit(&report)?;
        if !prompter.confirm(
            &format!("Write these {} changes?", report.changes.len()),
            false,
        )? {
            ctx.output.note("nothing written");
            return Ok(Outcome::Success);
        }
        // The plan was shown once; after the answer only what happened is said.
        set.apply(&FileWriter::new(false))?;
        ctx.output.status(
            "Wrote",
            &format!("{} changes to {}", report.changes.len(), report.package),
        );
        return Ok(crate::output::Report::outcome(&report));
    }
    set.apply(&FileWriter::new(false))?;
    "written".clone_into(&mut report.status);
    report.diff = None;
    ctx.output.emit(&report)
}

/// What moves: `--from`, else the domain map's folders for `name`.
fn roots(
    args: &ExtractArgs,
    ctx: &Context,
    root: &Path,
    name: &str,
    domains: &std::collections::BTreeMap<String, Vec<String>>,
) -> anyhow::Result<Vec<String>> {
    if args.scaffold_only {
        return Ok(Vec::new());
    }
    if !args.from.is_empty() {
        return args
            .from
            .iter()
            .map(|p| {
                let full = ctx.cwd.join(p);
                let full = std::fs::canonicalize(&full).map_err(|_| {
                    UsageError::new(format!("--from {}: no such file or folder", p.display()))
                })?;
                let rel = full.strip_prefix(root).map_err(|_| {
                    UsageError::new(format!("--from {}: outside the project root", p.display()))
                })?;
                Ok(rel.to_string_lossy().replace('\\', "/"))
            })
            .collect();
    }
    domains.get(name).cloned().ok_or_else(|| {
        UsageError::new(format!(
            "unknown domain `{name}` (the domains: {}); name one, pass --from PATH, or --scaffold-only for a new service",
            domains.keys().cloned().collect::<Vec<_>>().join(", ")
        ))
        .into()
    })
}

fn refuse_dirty(root: &Path, roots: &[String]) -> anyhow::Result<()> {
    if let Some(dirty) = crate::adapters::git::dirty(root, roots)?
        && !dirty.is_empty()
    {
        let shown: Vec<&str> = dirty.iter().take(10).map(String::as_str).collect();
        return Err(UsageError::new(format!(
            "uncommitted changes in the files to move: {}{}; commit or stash them, or pass --allow-dirty",
            shown.join(", "),
            if dirty.len() > 10 { ", …" } else { "" }
        ))
        .into());
    }
    Ok(())
}

/// `--values` first, then `--set`: later entries win.
fn given(args: &ExtractArgs, ctx: &Context) -> anyhow::Result<Vec<Given>> {
    let mut given = Vec::new();
    if let Some(file) = &args.values {
        let path = ctx.cwd.join(file);
        let text = crate::adapters::fs::read_to_string(&path)?;
        given.extend(scaffold::values::parse_file(
            &text,
            &file.display().to_string(),
        )?);
    }
    given.extend(args.set.iter().cloned());
    Ok(given)
}

fn read_boundaries(args: &ExtractArgs, ctx: &Context) -> anyhow::Result<Option<serde_json::Value>> {
    let Some(file) = &args.boundaries else {
        return Ok(None);
    };
    let text = crate::adapters::fs::read_to_string(&ctx.cwd.join(file))?;
    let value = serde_json::from_str(&text).map_err(|e| {
        UsageError::new(format!(
            "--boundaries {}:{}:{}: not analyze-boundaries' JSON report: {e}",
            file.display(),
            e.line(),
            e.column()
        ))
    })?;
    Ok(Some(value))
}

/// The gateway file (relative to the root) and its text, when there is one.
fn gateway_file(ctx: &Context, root: &Path) -> Option<(String, String)> {
    let path = crate::gateway::apply::file_path(
        None,
        &ctx.cwd,
        &ctx.config.root,
        ctx.config.config.gateway.file.as_deref(),
    );
    let path = std::fs::canonicalize(&path).ok()?;
    let rel = path
        .strip_prefix(root)
        .ok()?
        .to_string_lossy()
        .replace('\\', "/");
    let text = std::fs::read_to_string(&path).ok()?;
    Some((rel, text))
}

fn list(dirs: &[&Path], ctx: &Context) -> anyhow::Result<Outcome> {
    let templates = scaffold::builtin::all(dirs)?;
    let report = report::TemplatesReport {
        templates: templates
            .into_iter()
            .map(|t| report::TemplateInfo {
                name: t.name,
                source: t.source,
                description: t.description,
                variables: t
                    .variables
                    .into_iter()
                    .map(|v| report::VariableInfo {
                        name: v.name,
                        kind: v.kind.label(),
                        default: v.default,
                        help: v.help,
                    })
                    .collect(),
            })
            .collect(),
    };
    ctx.output.emit(&report)
}
