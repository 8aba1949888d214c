//! `skillsctl analyze-boundaries`: measured evidence per domain (size, imports,
//! team, change coupling, traffic, shared data, stack) against the guide's
//! extraction decision matrix, in one parallel pass over the tree and one pass
//! over the history.
//!
//! Glue: [`gather`] reads the inputs (config, layout, walk, history, traffic),
//! [`graph`] resolves the imports into the domain graph, [`aggregate`] turns it
//! all into the report (pure), [`cycles`] finds import cycles between domains,
//! [`suggest`] proposes boundaries (Louvain), [`report`] renders the report
//! (table, JSON, Markdown, Mermaid, DOT) and [`html`] the one-page picture.

mod aggregate;
mod baseline;
mod cycles;
mod decision;
mod gather;
mod graph;
mod history;
mod html;
mod report;
mod suggest;
mod traffic;

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::config::HumanDuration;
use crate::context::Context;
use crate::exit::Outcome;

pub use crate::repo::imports::EdgeKind;
pub use crate::repo::loc::{Language, LineCounts, count as count_lines};
pub use decision::{Recommendation, Thresholds, Verdict};
pub use report::BoundaryReport;

/// When `--fail-on` fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A domain is recommended for extraction.
    Extract,
    /// A domain is justified for extraction, ready or not (prepare or extract).
    Prepare,
    /// A domain is at least on the watch list.
    Watch,
}

/// Measure each domain against the extraction decision matrix
///
/// Answers the guide's question "should this domain be extracted?" with
/// measured evidence per domain: code size per language (tokei's rules), the
/// import graph between domains (oxc parser and resolver: static, type-only,
/// re-export, dynamic and require edges, tsconfig paths), distinct authors and
/// change coupling from git history (.mailmap honoured, bots and sweeping
/// commits left out), requests per minute from access logs, and Prisma models
/// shared between domains. Each domain gets every factor's value, threshold and
/// verdict, a recommendation (extract / watch / keep in monolith) with reasons,
/// a confidence, and the blockers to solve first, tied to the Service Extraction
/// Checklist.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  skillsctl analyze-boundaries fixtures/skills-monorepo --traffic fixtures/traffic/access.log.gz
  skillsctl analyze-boundaries --format markdown > boundaries.md
  skillsctl analyze-boundaries --format mermaid
  skillsctl analyze-boundaries --fail-on extract      # CI: exit 1 when a domain should be extracted
  skillsctl analyze-boundaries --git-log history.log  # history from a saved `git log --numstat`
  skillsctl analyze-boundaries --suggest              # propose [domains] from imports and history

Domains come from [domains] in skillsctl.toml, else they are detected: vertical slices
(services/, features/, modules/, routers, server-only/, app/api/…) merged by name across
layers, and workspace packages by role. Thresholds come from [matrix] (the guide's by default).")]
pub struct AnalyzeArgs {
    /// The repository to analyse
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,

    /// History window for team size and change coupling [default: analysis.since, else 90 days]
    #[arg(long, value_name = "DURATION")]
    pub since: Option<HumanDuration>,

    /// Access logs (nginx/Apache combined or JSON lines; .gz accepted), repeatable
    #[arg(long = "traffic", value_name = "FILE")]
    pub traffic: Vec<PathBuf>,

    /// Exit 1 when a domain reaches this recommendation
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// A Prometheus server to read `http_requests_total` by route from [default: traffic.prometheus]
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,

    /// How far back to read Prometheus
    #[arg(long, value_name = "DURATION", default_value = "1h")]
    pub prometheus_window: HumanDuration,

    /// Skip the git history (team and coupling become unknown)
    #[arg(long)]
    pub no_history: bool,

    /// Read the history from a saved `git log` instead of the repository
    /// (code-maat's formats, --numstat or --name-only) [default: analysis.git_log]
    #[arg(long, value_name = "FILE", conflicts_with = "no_history")]
    pub git_log: Option<PathBuf>,

    /// A saved JSON report: --fail-on then fails only on what got worse since
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Propose domain boundaries: Louvain modularity over the folders' imports
    /// and change coupling, printed as a [domains] map with what moves
    #[arg(long)]
    pub suggest: bool,

    /// Save this run's JSON report as a baseline
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// Monitoring the whole project has: a health endpoint of its Next.js app,
/// or health checks in skillsctl.toml.
fn project_monitoring(inputs: &gather::Inputs, settings: &crate::config::Config) -> Option<String> {
    if let Some(route) = inputs.layout.health_route() {
        return Some(format!("the app's health endpoint {route}"));
    }
    (!settings.health.targets.is_empty()).then(|| {
        format!(
            "{} health check(s) in skillsctl.toml",
            settings.health.targets.len()
        )
    })
}

pub fn run(args: &AnalyzeArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let root = gather::root(args, ctx)?;
    let phase = std::time::Instant::now();
    let (inputs, facts, mut warnings) = gather::inputs_and_walk(&root, ctx)?;
    let settings = inputs.settings(ctx);
    tracing::debug!(
        files = facts.len(),
        elapsed_ms = phase.elapsed().as_millis(),
        "layout, walk, line counts and parses done"
    );
    let history = gather::history(args, ctx, &inputs, &mut warnings)?;
    let traffic = gather::traffic(args, ctx, &inputs, &mut warnings)?;

    // The import graph, resolved on every core.
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let folders = args
        .suggest
        .then(|| suggest::folders(&facts, inputs.map.names(), &inputs.roles));
    let graph = graph::build(
        &facts,
        &inputs.map,
        &inputs.resolver,
        &graph::RustWorkspace {
            root: &inputs.root,
            crates: &inputs.rust_workspace,
        },
        folders.as_ref().map(|f| f.of_file.as_slice()),
        threads,
    );
    tracing::debug!(elapsed_ms = phase.elapsed().as_millis(), "imports resolved");
    if let Some(warning) = unresolved_warning(&graph) {
        warnings.push(warning);
    }
    let project = settings.project.name.clone().unwrap_or_else(|| {
        inputs.root.file_name().map_or_else(
            || "project".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    });
    let known = read_baseline(args, ctx, &project)?;
    let mut report = aggregate::report(aggregate::Parts {
        project,
        root: inputs.root.display().to_string(),
        facts: &facts,
        graph: &graph,
        names: inputs.map.names(),
        domain_paths: &inputs.domain_paths,
        roles: &inputs.roles,
        workspace_names: inputs
            .layout
            .packages
            .iter()
            .filter_map(|p| p.name.as_deref())
            .collect(),
        history: history.as_ref(),
        history_window_days: gather::history_window(args, settings).as_secs() / 86_400,
        traffic: traffic.as_ref(),
        settings,
        warnings: warnings.clone(),
        fail_on: args.fail_on.map(|f| match f {
            FailOn::Extract => Recommendation::Extract,
            FailOn::Prepare => Recommendation::Prepare,
            FailOn::Watch => Recommendation::Watch,
        }),
        project_monitoring: project_monitoring(&inputs, settings),
    });
    tracing::debug!(elapsed_ms = phase.elapsed().as_millis(), "decisions made");
    for warning in &warnings {
        ctx.output.warn(warning);
    }
    if !report.parse_failures.is_empty() {
        ctx.output.warn(&format!(
            "{} file(s) did not parse; their imports come from a regex scan: {}",
            report.parse_failures.len(),
            report.parse_failures.join(", ")
        ));
    }
    record_unresolved(&mut report, &graph);
    report.suggestion = folders.as_ref().map(|folders| {
        suggest::suggest(&suggest::Parts {
            files: &facts,
            names: inputs.map.names(),
            domain_paths: &inputs.domain_paths,
            roles: &inputs.roles,
            folders,
            imports: &graph.folder_edges,
            cochange: history.as_ref().map(|h| &h.folder_pairs),
        })
    });
    if let Some(path) = &args.write_baseline {
        write_baseline(ctx, path, &report)?;
    }
    if let Some(known) = &known {
        report.regressions = Some(known.compare(&report));
    }
    let outcome = ctx.output.emit(&report);
    drop(report);
    // Freeing every file's facts one allocation at a time takes tens of
    // milliseconds on a large tree, as does the resolver's cache of every
    // path it looked at (a tenth of the run on a real monorepo), and the
    // process ends after this command: another thread frees them, and
    // nothing waits for it.
    std::thread::spawn(move || drop((facts, graph, inputs)));
    tracing::debug!(elapsed_ms = phase.elapsed().as_millis(), "report written");
    outcome
}

/// The imports that led to no file, by reason, files that did not parse among them.
fn record_unresolved(report: &mut report::BoundaryReport<'_>, graph: &graph::DomainGraph) {
    report.unresolved = graph
        .unresolved
        .iter()
        .map(|(reason, n)| ((*reason).to_owned(), *n))
        .collect();
    if !report.parse_failures.is_empty() {
        report.unresolved.insert(
            "unsupported syntax (files)".to_owned(),
            report.parse_failures.len(),
        );
    }
}

/// `--baseline`: read and checked before the report is made, so a bad file
/// is refused (exit 2) with its place.
fn read_baseline(
    args: &AnalyzeArgs,
    ctx: &Context,
    project: &str,
) -> anyhow::Result<Option<baseline::Baseline>> {
    let Some(file) = &args.baseline else {
        return Ok(None);
    };
    let text = crate::adapters::fs::read_to_string(&ctx.cwd.join(file))?;
    Ok(Some(baseline::Baseline::parse(
        &text,
        &file.display().to_string(),
        project,
    )?))
}

/// `--write-baseline`: the JSON report, written atomically.
fn write_baseline(
    ctx: &Context,
    path: &std::path::Path,
    report: &report::BoundaryReport<'_>,
) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    crate::adapters::fs::FileWriter::new(false).write(
        &ctx.cwd.join(path),
        text.as_bytes(),
        crate::adapters::fs::WriteMode::Overwrite,
    )?;
    ctx.output
        .status("Saved", &format!("the baseline {}", path.display()));
    Ok(())
}

/// More than 1% of the imports that name a workspace package led nowhere:
/// the map would miss edges, so the user is told why.
fn unresolved_warning(graph: &graph::DomainGraph) -> Option<String> {
    let (all, lost) = (graph.workspace_imports, graph.workspace_unresolved);
    (lost * 100 > all && lost > 0).then(|| {
        format!(
            "{lost} of {all} imports of workspace packages lead to no file (a name no package.json has, or a subpath its `exports` do not list); those edges are missing"
        )
    })
}
