//! `skillsctl smoke`: API smoke tests from TOML suites against a running
//! backend. Glue: arguments → suite files and variables → load every suite
//! (nothing is sent when one is invalid) → run (or `--check` only) → report,
//! JUnit file, exit code.

mod inputs;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;
use serde::Serialize;

use crate::adapters::fs::{FileWriter, WriteMode};
use crate::adapters::http::ClientPool;
use crate::args::HttpArgs;
use crate::context::Context;
use crate::exit::Outcome;
use crate::output::{Report, Styler};
use crate::suite::load::LoadStats;
use crate::suite::model::Threshold;
use crate::suite::report::SmokeReport;
use crate::suite::result::TestResult;
use crate::suite::run::{self, Observer, RunSettings};
use crate::suite::{Suite, parse::parse_threshold};

/// Run API smoke tests against a running backend
///
/// Runs TOML suites: requests with expectations on status, headers, JSON
/// paths (equals, contains, matches, type, length, comparisons), JSON Schema,
/// body and latency; captures carried from step to step; teardown steps that
/// always run; `repeat` with `expect_last` for rate limits. Tests run at once
/// (--jobs), the steps of a test in order. With --repeat (or [load]) every
/// test runs many times and p50/p95/p99, errors and throughput are checked
/// against thresholds. Secrets (secret variables, Authorization and Cookie
/// headers) are masked in every output, the JUnit file included.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  skillsctl smoke fixtures/smoke/skills-api.toml
  skillsctl smoke 'smoke/*.toml' --env staging --var token=$TOKEN --junit smoke.xml
  skillsctl smoke --check smoke/*.toml              Validate suites, send nothing (pre-commit, CI)
  skillsctl smoke api.toml --filter crud --fail-fast
  skillsctl smoke api.toml --repeat 50 --concurrency 8 --threshold 'p95 < 200ms'

Exit status: 0 all passed, 1 an expectation or threshold failed, 2 invalid suite
or usage, 3 the backend could not be reached.")]
pub struct SmokeArgs {
    /// Suite files or globs [default: smoke.suites in skillsctl.toml]
    #[arg(value_name = "SUITE")]
    pub suites: Vec<String>,

    /// Validate the suites and exit; nothing is sent
    #[arg(long)]
    pub check: bool,

    /// Apply the suites' [env.NAME] (base URL and variables)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,

    /// A variable, NAME=VALUE (repeatable; wins over the suite's)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// A variable masked in every output, NAME=VALUE (repeatable)
    #[arg(long = "secret-var", value_name = "NAME=VALUE")]
    pub secret_vars: Vec<String>,

    /// Variables from a file: TOML (name = "value") or NAME=VALUE lines
    #[arg(long, value_name = "FILE")]
    pub vars_file: Option<PathBuf>,

    /// Send paths to this base URL instead of the suites' base_url
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Run only tests with this tag (repeatable)
    #[arg(long, value_name = "TAG")]
    pub filter: Vec<String>,

    /// Start no more tests after the first failure (teardowns still run)
    #[arg(long)]
    pub fail_fast: bool,

    /// Tests run at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,

    /// Retries of a request that got no connection, with backoff (never of a failed expectation)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retries: u32,

    /// Run every test N times and report latency percentiles and throughput
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: Option<u32>,

    /// With --repeat: tests run at once [default: load.concurrency, else --jobs]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: Option<u32>,

    /// Use the suites' [load] sections (repeat, concurrency, thresholds)
    #[arg(long)]
    pub load: bool,

    /// A load threshold such as 'p95 < 200ms' or 'errors < 1%' (repeatable)
    #[arg(long, value_name = "EXPR", value_parser = threshold)]
    pub threshold: Vec<Threshold>,

    /// Write a JUnit XML report here (one testcase per request step)
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    #[command(flatten, next_help_heading = "HTTP options")]
    pub http: HttpArgs,
}

fn threshold(text: &str) -> Result<Threshold, String> {
    parse_threshold(text)
}

pub fn run(args: &SmokeArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let files = inputs::suite_files(args, ctx)?;
    let vars = inputs::variables(args, ctx)?;
    let suites = inputs::load_suites(&files, args.env.as_deref(), &vars)?;
    if args.check {
        return ctx.output.emit(&CheckReport::new(&suites));
    }
    let settings = RunSettings {
        jobs: usize::from(args.jobs),
        fail_fast: args.fail_fast,
        retries: args.retries,
        base_url: args.base_url.clone().or_else(|| {
            ctx.config
                .config
                .smoke
                .base_url
                .as_ref()
                .map(|u| u.value().to_owned())
        }),
        headers: args.http.headers()?,
        tls: args.http.tls(&ctx.cwd),
        timeout: args.http.timeout(),
        tags: args.filter.clone(),
    };
    let selection = run::selected(&suites, &settings.tags);
    if selection.is_empty() {
        ctx.output.warn("no test matches --filter; nothing ran");
    }
    let load = load_plan(args, &suites);
    let runtime = crate::runtime::multi_thread(2).context("cannot start the async runtime")?;
    let started = Instant::now();
    let report = runtime.block_on(async {
        run::preflight(&suites, &selection, &settings).await?;
        let rounds = load.as_ref().map_or(1, |l| l.repeat);
        let mut settings = settings;
        if let Some(plan) = &load {
            settings.jobs = plan.concurrency;
        }
        let plan: Vec<(usize, usize)> = (0..rounds)
            .flat_map(|_| selection.iter().copied())
            .collect();
        let bar = ctx.output.bar(plan.len() as u64, "smoke");
        let observer: Arc<dyn Observer> = Arc::new(BarObserver(bar.clone()));
        let results = run::run(
            Arc::new(suites),
            plan,
            Arc::new(settings),
            Arc::new(ClientPool::new()),
            observer,
        )
        .await;
        bar.clear();
        anyhow::Ok(results?)
    })?;
    let elapsed = started.elapsed();
    let stats = load.as_ref().map(|plan| {
        let samples: Vec<(f64, bool)> = report
            .iter()
            .flat_map(TestResult::all_steps)
            .flat_map(|s| s.samples.iter().copied())
            .collect();
        LoadStats::new(&samples, elapsed.as_secs_f64(), &plan.thresholds)
    });
    let tests = if load.is_some() {
        fold_load_results(report)
    } else {
        report
    };
    let report = SmokeReport::new(tests, elapsed.as_secs_f64() * 1000.0, stats);
    if let Some(path) = &args.junit {
        let xml = report.junit().context("cannot render the JUnit report")?;
        let path = ctx.cwd.join(path);
        FileWriter::new(false).write(&path, xml.as_bytes(), WriteMode::Overwrite)?;
        ctx.output.status("Wrote", &path.display().to_string());
    }
    ctx.output.emit(&report)
}

/// How a load run goes: rounds, tests at once, thresholds.
struct LoadPlan {
    repeat: u32,
    concurrency: usize,
    thresholds: Vec<Threshold>,
}

/// `--repeat`, or `--load` with the suites' `[load]` sections; else none.
fn load_plan(args: &SmokeArgs, suites: &[Suite]) -> Option<LoadPlan> {
    let section = suites.iter().find_map(|s| s.load.as_ref());
    let repeat = args
        .repeat
        .or_else(|| args.load.then(|| section.map_or(1, |l| l.repeat)))?;
    let mut thresholds = args.threshold.clone();
    if args.load || args.threshold.is_empty() {
        thresholds.extend(
            suites
                .iter()
                .filter_map(|s| s.load.as_ref())
                .flat_map(|l| l.thresholds.clone()),
        );
    }
    Some(LoadPlan {
        repeat,
        concurrency: args
            .concurrency
            .or_else(|| section.map(|l| l.concurrency))
            .map_or(usize::from(args.jobs), |c| c as usize),
        thresholds,
    })
}

/// Under load a test ran many times: keep each test once (its first failed
/// run, else its first run), so the report stays readable.
fn fold_load_results(results: Vec<TestResult>) -> Vec<TestResult> {
    let mut kept: Vec<TestResult> = Vec::new();
    for result in results {
        match kept
            .iter_mut()
            .find(|k| k.file == result.file && k.name == result.name)
        {
            Some(existing) => {
                if existing.outcome != crate::suite::result::Outcome::Failed
                    && result.outcome == crate::suite::result::Outcome::Failed
                {
                    *existing = result;
                }
            }
            None => kept.push(result),
        }
    }
    kept
}

/// Moves the progress bar as tests end.
struct BarObserver(crate::output::Bar);

impl Observer for BarObserver {
    fn test_done(&self, result: &TestResult) {
        self.0.inc(&result.name);
    }
}

/// `--check`: what was validated.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub suites: Vec<CheckedSuite>,
}

#[derive(Debug, Serialize)]
pub struct CheckedSuite {
    pub file: String,
    pub name: String,
    pub tests: usize,
    pub steps: usize,
}

impl CheckReport {
    fn new(suites: &[Suite]) -> Self {
        CheckReport {
            suites: suites
                .iter()
                .map(|s| CheckedSuite {
                    file: s.file.display().to_string(),
                    name: s.name.clone(),
                    tests: s.tests.len(),
                    steps: s.steps().count(),
                })
                .collect(),
        }
    }
}

impl Report for CheckReport {
    fn render_human(&self, style: &Styler) -> String {
        let mut table = style.table(&["suite", "tests", "steps", "file"]);
        for s in &self.suites {
            table.add_row(vec![
                s.name.clone(),
                s.tests.to_string(),
                s.steps.to_string(),
                s.file.clone(),
            ]);
        }
        format!(
            "{}{} suite(s) valid\n",
            style.render_table(&table),
            self.suites.len()
        )
    }
}
