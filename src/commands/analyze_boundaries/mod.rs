//! `skillsctl analyze-boundaries`: measured evidence per domain (size, imports,
//! team, change coupling, traffic, shared data, stack) against the guide's
//! extraction decision matrix, in one parallel pass over the tree and one pass
//! over the history.

mod data;
mod decision;
mod graph;
mod history;
mod imports;
mod loc;
mod report;
mod rust;
mod traffic;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use crate::adapters::{fs as afs, git};
use crate::config::{self, HumanDuration};
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use crate::repo::domains::DomainMap;
use graph::WalkedFile;

pub use decision::{Recommendation, Thresholds, Verdict};
pub use imports::EdgeKind;
pub use loc::{Language, LineCounts, count as count_lines};
pub use report::BoundaryReport;

/// Folders never measured: dependencies, build output, caches, vendored code.
const SKIP_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    ".next",
    "dist",
    "build",
    "out",
    "coverage",
    "target",
    ".turbo",
    "vendor",
    "generated",
    "__generated__",
    ".skillsctl",
];
/// Boundary edges listed per domain (all are counted).
const MAX_LISTED_EDGES: usize = 200;
/// Files larger than this are generated or data, not code someone maintains.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// When `--fail-on` fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A domain is recommended for extraction.
    Extract,
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

Domains come from [domains] in skillsctl.toml, else from */src/services/<name> and
app/api/(v1/)<name> folders. Thresholds come from [matrix] (the guide's by default).")]
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
}

/// One domain's sums over its files.
#[derive(Debug, Clone, Default)]
struct DomainTotals {
    files: usize,
    lines: LineCounts,
    languages: BTreeMap<Language, LineCounts>,
    models: BTreeSet<String>,
}

thread_local! {
    static ALLOCATOR: RefCell<oxc_allocator::Allocator> = RefCell::new(oxc_allocator::Allocator::default());
}

#[allow(clippy::too_many_lines)] // the glue reads top to bottom: inputs, one walk, one history pass, decisions
pub fn run(args: &AnalyzeArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let root: PathBuf = ctx.cwd.join(&args.path).components().collect();
    if !root.is_dir() {
        return Err(UsageError::new(format!("{} is not a directory", args.path.display())).into());
    }
    // The resolver answers with real paths: a root reached through a symbolic
    // link (macOS's /tmp, a linked checkout) must be real too, or no resolved
    // import would lie under it.
    #[cfg(unix)]
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    // The project's config: --config, else found from the analysed path upwards.
    let loaded = if ctx.global.config.is_some() {
        None
    } else {
        Some(config::load(None, &root)?)
    };
    let settings = loaded.as_ref().map_or(&ctx.config.config, |l| &l.config);
    let config_root = loaded
        .as_ref()
        .map_or(&ctx.config.root, |l| &l.root)
        .clone();
    let layout = crate::repo::detect(&root)?;
    let domain_paths = if settings.domains.is_empty() {
        layout.domains.clone()
    } else {
        settings.domains.clone()
    };
    if domain_paths.is_empty() {
        return Err(UsageError::new("no domains: add [domains] to skillsctl.toml (name = [folders]) or use */src/services/<name> folders").into());
    }
    let map = DomainMap::new(&domain_paths)?;
    let mut warnings = Vec::new();

    // Workspace package names, for imports without node_modules links.
    let workspace: Vec<(String, PathBuf)> = layout
        .packages
        .iter()
        .filter_map(|p| {
            let name = p.name.clone()?;
            let dir = root.join(&p.path);
            let entry = [
                "src/index.ts",
                "src/index.tsx",
                "index.ts",
                "src/index.js",
                "index.js",
            ]
            .iter()
            .map(|f| dir.join(f))
            .find(|f| f.is_file())?;
            Some((name, entry))
        })
        .collect();
    let resolver = imports::ImportResolver::new(&root, workspace);
    // Crates of a Cargo workspace (or the root crate): name with `_` → src folder.
    let mut crate_dirs: Vec<String> = layout.cargo_members.clone();
    if root.join("Cargo.toml").is_file() && root.join("src").is_dir() {
        crate_dirs.push(".".to_owned());
    }
    let rust_workspace: Vec<(String, PathBuf)> = crate_dirs
        .iter()
        .filter_map(|dir| {
            let manifest = std::fs::read_to_string(root.join(dir).join("Cargo.toml")).ok()?;
            let table: toml::Table = toml::from_str(&manifest).ok()?;
            let name = table
                .get("package")?
                .get("name")?
                .as_str()?
                .replace('-', "_");
            Some((name, Path::new(dir).join("src").components().collect()))
        })
        .collect();
    let schema_texts: Vec<String> = layout
        .prisma
        .as_ref()
        .map(|p| {
            let path = root.join(&p.path);
            if path.is_dir() {
                std::fs::read_dir(&path)
                    .map(|e| {
                        e.flatten()
                            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                            .collect()
                    })
                    .unwrap_or_default()
            } else {
                std::fs::read_to_string(&path).into_iter().collect()
            }
        })
        .unwrap_or_default();
    let models = data::Models::from_schema(&schema_texts);

    let phase = std::time::Instant::now();
    // One parallel pass: count lines, parse imports, find model use.
    let spinners = ctx.output.spinners(&["scanning".to_owned()]);
    let seen = std::sync::atomic::AtomicUsize::new(0);
    // The shared counter only feeds the spinner: without one, threads skip it.
    let counting = ctx.output.progress_enabled();
    let (facts, issues) = afs::walk_files(
        &root,
        SKIP_DIRS,
        MAX_FILE_BYTES,
        |path| Language::of(path).is_some(),
        |path, bytes| {
            let language = Language::of(path)?;
            let text = std::str::from_utf8(bytes).ok()?;

            if counting {
                let n = seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n.is_multiple_of(256) {
                    spinners.set(0, &format!("{n} files"));
                }
            }
            let lines = loc::count(text, language);
            if loc::is_generated(path, text, lines.lines()) {
                return None;
            }
            let (raw, parse_failed) = if language.is_script() {
                ALLOCATOR.with(|allocator| {
                    let parsed = imports::parse(path, text, &mut allocator.borrow_mut());
                    (parsed.imports, parsed.parse_failed)
                })
            } else if language == Language::Rust {
                rust::parse(text).map_or((Vec::new(), true), |found| (found, false))
            } else {
                (Vec::new(), false)
            };

            Some(WalkedFile {
                path: path.to_owned(),
                language,
                domain: map.index_of(path),
                lines,
                imports: raw,
                parse_failed,
                models: if language.is_script() && !models.is_empty() {
                    models.used_in(text)
                } else {
                    BTreeSet::new()
                },
            })
        },
        |a, b| a.path.cmp(&b.path),
    );
    spinners.clear();
    tracing::debug!(
        files = facts.len(),
        elapsed_ms = phase.elapsed().as_millis(),
        "walk, line counts and parses done"
    );
    for message in issues.errors.iter().take(20) {
        warnings.push(format!("skipped: {message}"));
    }
    for path in &issues.too_large {
        warnings.push(format!("skipped {path}: larger than 1 MiB"));
    }
    for path in &issues.binary {
        warnings.push(format!("skipped {path}: binary"));
    }
    for path in &issues.non_utf8_names {
        warnings.push(format!("file name is not UTF-8: {path}"));
    }
    // History.
    let since = args
        .since
        .or(settings.analysis.since)
        .map_or(std::time::Duration::from_hours(2160), |d| d.0);
    let history_options = history::HistoryOptions {
        bot_patterns: settings
            .analysis
            .bots
            .clone()
            .unwrap_or_else(|| history::HistoryOptions::default().bot_patterns),
        max_files: settings.analysis.max_commit_files.unwrap_or(30),
    };
    let history = if args.no_history {
        None
    } else {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let since_unix = i64::try_from(now.saturating_sub(since.as_secs())).unwrap_or(0);
        let mut hist = history::History::default();
        match git::log(&root, Some(since_unix), |commit| {
            hist.add(&commit, &map, &history_options);
        }) {
            Ok(()) => Some(hist),
            Err(err) => {
                warnings.push(format!(
                    "no history: {err}; team and change coupling are unknown"
                ));
                None
            }
        }
    };

    // Traffic.
    let mut routes: Vec<(String, String)> = Vec::new();
    for package in layout.packages.iter().filter(|p| p.next_app) {
        for route in &package.api_routes {
            if let Some(domain) = map.domain_of(&route.file) {
                routes.push((route.route.clone(), domain.to_owned()));
            }
        }
    }
    routes.extend(
        settings
            .traffic
            .routes
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    let route_map = traffic::RouteMap::new(routes);
    let mut log_paths: Vec<PathBuf> = args.traffic.iter().map(|p| ctx.cwd.join(p)).collect();
    if log_paths.is_empty() {
        log_paths = settings
            .traffic
            .logs
            .iter()
            .map(|p| config_root.join(p))
            .collect();
    }
    let prometheus = args.prometheus.clone().or_else(|| {
        settings
            .traffic
            .prometheus
            .as_ref()
            .map(|p| p.value().to_owned())
    });
    let traffic = if let Some(server) = prometheus.filter(|_| log_paths.is_empty()) {
        match prometheus_traffic(&server, args.prometheus_window.0, &route_map) {
            Ok(traffic) => Some(traffic),
            Err(err) => {
                warnings.push(format!(
                    "no traffic from Prometheus at {}: {err}; traffic is unknown",
                    crate::redact::url(&server)
                ));
                None
            }
        }
    } else if log_paths.is_empty() {
        None
    } else {
        let mut counter = traffic::TrafficCounter::default();
        for path in &log_paths {
            read_log(path, &mut counter, &route_map)?;
        }
        Some(counter.finish(log_paths.iter().map(|p| p.display().to_string()).collect()))
    };
    if let Some(t) = &traffic
        && t.malformed_lines > 0
    {
        warnings.push(format!(
            "{} malformed log line(s) skipped",
            t.malformed_lines
        ));
    }

    // The import graph, resolved on every core.
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let graph = graph::build(
        &facts,
        &map,
        &resolver,
        &graph::RustWorkspace {
            root: &root,
            crates: &rust_workspace,
        },
        threads,
    );
    tracing::debug!(
        elapsed_ms = phase.elapsed().as_millis(),
        threads,
        "imports resolved"
    );

    // Per-domain aggregation, by domain index; names come back at the end.
    let names = map.names();
    let mut per_domain = vec![DomainTotals::default(); names.len()];
    let mut unassigned = report::Unassigned {
        files: 0,
        lines: LineCounts::default(),
    };
    let mut total = LineCounts::default();
    let mut language_totals: BTreeMap<Language, report::LanguageTotal> = BTreeMap::new();
    let mut parse_failures = Vec::new();
    for fact in &facts {
        total.add(fact.lines);
        let language = language_totals.entry(fact.language).or_default();
        language.files += 1;
        language.lines.add(fact.lines);
        if fact.parse_failed {
            parse_failures.push(fact.path.clone());
        }
        let Some(domain) = fact.domain else {
            unassigned.files += 1;
            unassigned.lines.add(fact.lines);
            continue;
        };
        let totals = &mut per_domain[domain];
        totals.files += 1;
        totals.lines.add(fact.lines);
        totals
            .languages
            .entry(fact.language)
            .or_default()
            .add(fact.lines);
        totals.models.extend(fact.models.iter().cloned());
    }
    let languages: BTreeMap<String, report::LanguageTotal> = language_totals
        .into_iter()
        .map(|(language, t)| (language.label().to_owned(), t))
        .collect();
    // Domain pairs by index: `names` is sorted, so index order is name order.
    let mut fan_in: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    let mut fan_out: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    for &(from, to) in graph.edges.keys() {
        fan_out[from].push(to);
        fan_in[to].push(from);
    }
    let edge_counts: Vec<report::DomainEdge> = graph
        .edges
        .iter()
        .map(|(&(from, to), kinds)| {
            let kinds: BTreeMap<String, usize> = kinds
                .iter()
                .map(|(kind, n)| (kind.label().to_owned(), *n))
                .collect();
            report::DomainEdge {
                from: names[from].clone(),
                to: names[to].clone(),
                imports: kinds.values().sum(),
                kinds,
            }
        })
        .collect();
    // Crossing edges per domain (both ends), in (file, line) order already.
    let mut crossings_of: Vec<Vec<&graph::Crossing>> = vec![Vec::new(); names.len()];
    for crossing in &graph.crossings {
        crossings_of[crossing.from].push(crossing);
        crossings_of[crossing.to].push(crossing);
    }
    // Packages imported by exactly one domain (its own stack), excluding the workspace's own.
    let mut package_users: BTreeMap<&str, usize> = BTreeMap::new();
    for packages in &graph.packages {
        for p in packages {
            *package_users.entry(p.as_str()).or_default() += 1;
        }
    }
    let workspace_names: BTreeSet<&str> = layout
        .packages
        .iter()
        .filter_map(|p| p.name.as_deref())
        .collect();
    // Models used by more than one domain.
    let mut model_users: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (domain, totals) in per_domain.iter().enumerate() {
        for m in &totals.models {
            model_users.entry(m.as_str()).or_default().push(domain);
        }
    }
    let graph_by_name: BTreeMap<String, BTreeSet<String>> = names
        .iter()
        .zip(&fan_out)
        .map(|(n, out)| (n.clone(), out.iter().map(|&to| names[to].clone()).collect()))
        .collect();
    let cycles = strongly_connected(&graph_by_name);
    let min_shared = settings.analysis.min_shared_commits.unwrap_or(5);
    let min_degree = settings.analysis.min_coupling_degree.unwrap_or(30.0);
    let coupling = history
        .as_ref()
        .map(|h| h.couplings(min_shared, min_degree))
        .unwrap_or_default();
    let thresholds = Thresholds {
        traffic_per_min: settings.matrix.traffic_per_min.unwrap_or(1000.0),
        team_size: settings.matrix.team_size.unwrap_or(3),
        loc: settings.matrix.loc.unwrap_or(1000),
    };

    let mut domains = Vec::new();
    for (index, (name, totals)) in names.iter().zip(&per_domain).enumerate() {
        let lines = totals.lines;
        let to_names = |domains: &[usize]| -> Vec<String> {
            domains.iter().map(|&d| names[d].clone()).collect()
        };
        let fan_in = to_names(&fan_in[index]);
        let fan_out = to_names(&fan_out[index]);
        let authors: Option<Vec<String>> = history.as_ref().map(|h| {
            h.authors
                .get(name)
                .map(|a| {
                    a.values()
                        .cloned()
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect()
                })
                .unwrap_or_default()
        });
        let models: Vec<String> = totals.models.iter().cloned().collect();
        let shared: Vec<(String, Vec<String>)> = models
            .iter()
            .filter_map(|m| {
                let others: Vec<String> = model_users
                    .get(m.as_str())?
                    .iter()
                    .filter(|&&d| d != index)
                    .map(|&d| names[d].clone())
                    .collect();
                (!others.is_empty()).then(|| (m.clone(), others))
            })
            .collect();
        let own_packages: Vec<String> = graph.packages[index]
            .iter()
            .filter(|p| {
                package_users.get(p.as_str()) == Some(&1) && !workspace_names.contains(p.as_str())
            })
            .cloned()
            .collect();
        let facts_cfg = settings.facts.get(name);
        let rate = traffic
            .as_ref()
            .map(|t| t.per_domain.get(name).copied().unwrap_or_default());
        let evidence = decision::Evidence {
            name: name.clone(),
            code_lines: lines.code,
            authors: authors.as_ref().map(Vec::len),
            traffic_avg: rate.map(|r| r.avg_per_min),
            traffic_peak: rate.map(|r| r.peak_per_min),
            independent_deploys: facts_cfg.and_then(|f| f.independent_deploys),
            stack: facts_cfg.and_then(|f| f.stack.clone()),
            own_packages: own_packages.clone(),
            needs_data_isolation: facts_cfg.and_then(|f| f.data_isolation),
            shared_models: shared.clone(),
            fan_in: fan_in.len(),
            cycles_with: cycles
                .iter()
                .filter(|c| c.contains(name))
                .flat_map(|c| c.iter().filter(|d| *d != name).cloned())
                .collect(),
            strong_coupling: coupling
                .iter()
                .filter(|c| (c.a == *name || c.b == *name) && c.degree >= 50.0)
                .map(|c| {
                    (
                        if c.a == *name {
                            c.b.clone()
                        } else {
                            c.a.clone()
                        },
                        c.degree,
                    )
                })
                .collect(),
        };
        // Enough to act on; the count says how many there are in all.
        let crossings = &crossings_of[index];
        let boundary_edges = crossings
            .iter()
            .take(MAX_LISTED_EDGES)
            .map(|c| report::BoundaryEdge {
                file: &facts[c.file as usize].path,
                line: c.line,
                kind: c.kind,
                target: match &c.target {
                    graph::EdgeTarget::File(found) => &facts[*found as usize].path,
                    graph::EdgeTarget::Path(path) => path,
                },
                target_domain: &names[c.to],
            })
            .collect();
        domains.push(report::DomainReport {
            name: name.clone(),
            paths: domain_paths.get(name).cloned().unwrap_or_default(),
            files: totals.files,
            lines,
            languages: totals
                .languages
                .iter()
                .map(|(language, lines)| (language.label().to_owned(), *lines))
                .collect(),
            fan_in,
            fan_out,
            authors,
            revisions: history
                .as_ref()
                .map(|h| h.revisions.get(name).copied().unwrap_or(0)),
            traffic: rate,
            models,
            shared_models: shared.into_iter().map(|(m, _)| m).collect(),
            own_packages,
            decision: decision::decide(&evidence, &thresholds),
            boundary_edges,
            boundary_edges_total: crossings.len(),
        });
    }
    tracing::debug!(
        elapsed_ms = phase.elapsed().as_millis(),
        "resolution, history, traffic and decisions done"
    );
    let pick = |r: Recommendation| {
        domains
            .iter()
            .filter(|d| d.decision.recommendation == r)
            .map(|d| d.name.clone())
            .collect::<Vec<_>>()
    };
    let report = BoundaryReport {
        root: root.display().to_string(),
        files: facts.len(),
        lines: total,
        languages,
        extract: pick(Recommendation::Extract),
        watch: pick(Recommendation::Watch),
        keep: pick(Recommendation::Keep),
        edges: edge_counts,
        domains,
        unassigned,
        cycles,
        coupling,
        history: history.as_ref().map(|h| report::HistorySummary {
            since_days: since.as_secs() / 86_400,
            commits_read: h.commits_read,
            commits_used: h.commits_used,
            bot_commits: h.bot_commits,
            large_commits: h.large_commits,
        }),
        traffic: traffic.as_ref().map(|t| report::TrafficSummary {
            sources: t.sources.clone(),
            requests: t.requests,
            malformed_lines: t.malformed_lines,
            unmatched: t.unmatched,
            window_minutes: t.window_minutes,
        }),
        parse_failures,
        warnings: warnings.clone(),
        fail_on: args.fail_on.map(|f| match f {
            FailOn::Extract => Recommendation::Extract,
            FailOn::Watch => Recommendation::Watch,
        }),
    };
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
    let outcome = ctx.output.emit(&report);
    drop(report);
    // Freeing every file's facts one allocation at a time takes tens of
    // milliseconds on a large tree, and the process ends after this command:
    // another thread frees them, and nothing waits for it.
    std::thread::spawn(move || drop((facts, graph)));
    tracing::debug!(elapsed_ms = phase.elapsed().as_millis(), "report written");
    outcome
}

/// Requests per minute by route from a Prometheus `query_range`.
fn prometheus_traffic(
    server: &str,
    window: std::time::Duration,
    routes: &traffic::RouteMap,
) -> Result<traffic::Traffic, String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut url = url::Url::parse(server).map_err(|e| format!("not a URL ({e})"))?;
    url.set_path(&format!(
        "{}/api/v1/query_range",
        url.path().trim_end_matches('/')
    ));
    url.query_pairs_mut()
        .append_pair("query", traffic::PROMETHEUS_QUERY)
        .append_pair("start", &now.saturating_sub(window.as_secs()).to_string())
        .append_pair("end", &now.to_string())
        .append_pair("step", "60");
    let runtime = crate::runtime::current_thread().map_err(|e| e.to_string())?;
    let request = crate::adapters::http::Request::get(url.as_str())
        .timeout(std::time::Duration::from_secs(10))
        .body_cap(64 * 1024 * 1024);
    let response = runtime.block_on(async {
        let client = crate::adapters::http::HttpClient::new(
            &crate::adapters::http::ClientOptions::default(),
        )
        .map_err(|e| e.to_string())?;
        client.send(&request).await.map_err(|e| e.to_string())
    })?;
    if response.status != 200 {
        return Err(format!("HTTP {}", response.status));
    }
    let answer: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|e| format!("not JSON ({e})"))?;
    traffic::from_prometheus(&answer, routes, &crate::redact::url(server))
}

/// Streams one access log, plain or gzip (several members, as rotated logs
/// are concatenated), line by line: a log of any size uses a line of memory.
fn read_log(
    path: &Path,
    counter: &mut traffic::TrafficCounter,
    routes: &traffic::RouteMap,
) -> anyhow::Result<()> {
    use std::io::BufRead as _;
    let file = std::fs::File::open(path)
        .map_err(|e| UsageError::new(format!("cannot read traffic log {}: {e}", path.display())))?;
    let mut reader = std::io::BufReader::new(file);
    let is_gzip = reader
        .fill_buf()
        .with_context(|| format!("cannot read {}", path.display()))?
        .starts_with(&[0x1f, 0x8b]);
    let mut lines: Box<dyn std::io::BufRead> = if is_gzip {
        Box::new(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(
            reader,
        )))
    } else {
        Box::new(reader)
    };
    let mut line = Vec::with_capacity(512);
    loop {
        line.clear();
        let read = lines
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if read == 0 {
            break;
        }
        counter.add_line(&String::from_utf8_lossy(&line), routes);
    }
    Ok(())
}

/// Cycles between domains: strongly connected components with more than one domain (Tarjan).
fn strongly_connected(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: usize,
        indices: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.indices.insert(v, s.index);
        s.low.insert(v, s.index);
        s.index += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.graph.get(v) {
            for w in next {
                let w = w.as_str();
                if !s.indices.contains_key(w) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.indices[w]);
                    s.low.insert(v, low);
                }
            }
        }
        if s.low[v] == s.indices[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: 0,
        indices: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !state.indices.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.out.sort();
    state.out
}
