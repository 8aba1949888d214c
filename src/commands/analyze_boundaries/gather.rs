//! Gathering the analysis' inputs: the root and the project's config, the
//! repository layout and the domain map, the resolvers and the Prisma models;
//! then the one parallel walk over the tree, the history pass and the traffic.
//! I/O at the command's edge; it never prints (warnings are collected in order).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::graph::WalkedFile;
use super::{AnalyzeArgs, history, traffic};
use crate::adapters::fs::{self as afs, FsError};
use crate::adapters::http::{ClientOptions, HttpClient, HttpError, Request};
use crate::adapters::{git, git_log};
use crate::config::{self, Config, Loaded};
use crate::context::Context;
use crate::exit::UsageError;
use crate::output::Output;
use crate::repo::domains::{self, DomainMap};
use crate::repo::imports::{self, rust};
use crate::repo::loc::{self, Language};
use crate::repo::models as data;
use crate::repo::{self as repo_layout, RepoLayout};

/// Files larger than this are generated or data, not code someone maintains.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

thread_local! {
    static ALLOCATOR: RefCell<oxc_allocator::Allocator> = RefCell::new(oxc_allocator::Allocator::default());
}

/// Everything known before the walk.
pub struct Inputs {
    pub root: PathBuf,
    /// The project's config found from the analysed path, unless `--config` was given.
    pub loaded: Option<Loaded>,
    pub layout: RepoLayout,
    pub domain_paths: BTreeMap<String, Vec<String>>,
    /// Domain name → role: `[roles]`, else detection's, else inferred.
    pub roles: BTreeMap<String, domains::Role>,
    pub map: DomainMap,
    pub resolver: imports::ImportResolver,
    /// Crate name with `_` → its `src` folder.
    pub rust_workspace: Vec<(String, PathBuf)>,
    pub models: data::Models,
}

impl Inputs {
    /// The settings in effect: the analysed project's, else the run's.
    pub fn settings<'a>(&'a self, ctx: &'a Context) -> &'a Config {
        self.loaded
            .as_ref()
            .map_or(&ctx.config.config, |l| &l.config)
    }

    /// Where relative paths in those settings start.
    pub fn config_root<'a>(&'a self, ctx: &'a Context) -> &'a Path {
        self.loaded.as_ref().map_or(&ctx.config.root, |l| &l.root)
    }
}

/// The analysed folder, as a real path.
pub fn root(args: &AnalyzeArgs, ctx: &Context) -> anyhow::Result<PathBuf> {
    let root: PathBuf = ctx.cwd.join(&args.path).components().collect();
    if !root.is_dir() {
        return Err(UsageError::new(format!("{} is not a directory", args.path.display())).into());
    }
    // The resolver answers with real paths: a root reached through a symbolic
    // link (macOS's /tmp, a linked checkout) must be real too, or no resolved
    // import would lie under it.
    #[cfg(unix)]
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    Ok(root)
}

/// The config, layout, domain map, resolvers and models of `root`.
pub fn inputs(root: PathBuf, ctx: &Context) -> anyhow::Result<Inputs> {
    // The project's config: --config, else found from the analysed path upwards.
    let loaded = if ctx.global.config.is_some() {
        None
    } else {
        Some(config::load(None, &root)?)
    };
    let settings = loaded.as_ref().map_or(&ctx.config.config, |l| &l.config);
    let layout = repo_layout::detect(&root)?;
    let (effective, source) = domains::effective(&settings.domains, &layout.domains);
    let domain_paths = effective.clone();
    let prisma_schema = layout.prisma.as_ref().map(|p| p.path.as_str());
    let roles = domain_paths
        .iter()
        .map(|(name, folders)| {
            let detected = (source == domains::MapSource::Detected)
                .then(|| layout.domain_roles.get(name).copied())
                .flatten();
            let role = settings
                .roles
                .get(name)
                .copied()
                .or(detected)
                .unwrap_or_else(|| domains::roles::infer(folders, &layout.packages, prisma_schema));
            (name.clone(), role)
        })
        .collect();
    if domain_paths.is_empty() {
        return Err(UsageError::new("no domains: add [domains] to skillsctl.toml (name = [folders]) or use */src/services/<name> folders").into());
    }
    let map = DomainMap::new(&domain_paths)?;
    let resolver =
        imports::ImportResolver::new(&root, repo_layout::workspace_entries(&root, &layout));
    let rust_workspace = rust_crates(&root, &layout);
    let models = data::Models::from_schema(&repo_layout::schema_texts(&root, &layout));
    Ok(Inputs {
        root,
        loaded,
        layout,
        domain_paths,
        roles,
        map,
        resolver,
        rust_workspace,
        models,
    })
}

/// Crates of a Cargo workspace (or the root crate): name with `_` → src folder.
fn rust_crates(root: &Path, layout: &RepoLayout) -> Vec<(String, PathBuf)> {
    let mut crate_dirs: Vec<String> = layout.cargo_members.clone();
    if root.join("Cargo.toml").is_file() && root.join("src").is_dir() {
        crate_dirs.push(".".to_owned());
    }
    crate_dirs
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
        .collect()
}

/// The inputs of `root` and its walked files, with the walk's warnings. The
/// walk runs on every core while this thread detects the layout and the
/// domains: neither needs the other until both are done.
pub fn inputs_and_walk(
    root: &Path,
    ctx: &Context,
) -> anyhow::Result<(Inputs, Vec<WalkedFile>, Vec<String>)> {
    let (inputs, (scanned, warnings)) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| walk(root, &ctx.output));
        let inputs = inputs(root.to_path_buf(), ctx);
        let walked = walk
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (inputs, walked)
    });
    let inputs = inputs?;
    let facts = assign(scanned, &inputs);
    Ok((inputs, facts, warnings))
}

/// What the walk learned of one file, before the domain map and the schema
/// are known.
struct Scanned {
    file: WalkedFile,
    model_refs: data::ModelRefs,
}

/// One parallel pass over `root`: count lines, parse imports, note what may
/// name a model. It needs nothing detection finds, so it runs while
/// detection does ([`assign`] adds the domains and models after). Files
/// come back in path order, with warnings for what the walk left out.
fn walk(root: &Path, output: &Output) -> (Vec<Scanned>, Vec<String>) {
    let spinners = output.spinners(&["scanning".to_owned()]);
    let seen = std::sync::atomic::AtomicUsize::new(0);
    // The shared counter only feeds the spinner: without one, threads skip it.
    let counting = output.progress_enabled();
    let (scanned, issues) = afs::walk_files(
        root,
        repo_layout::SKIPPED_DIRS,
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
            Some(Scanned {
                file: WalkedFile {
                    path: path.to_owned(),
                    language,
                    domain: None,
                    lines,
                    imports: raw,
                    parse_failed,
                    models: BTreeSet::new(),
                },
                model_refs: if language.is_script() {
                    data::ModelRefs::of(text)
                } else {
                    data::ModelRefs::default()
                },
            })
        },
        |a, b| a.file.path.cmp(&b.file.path),
    );
    spinners.clear();
    let mut warnings = Vec::new();
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
    (scanned, warnings)
}

/// Each walked file's domain and the models it uses, now that the map and
/// the schema are known.
fn assign(scanned: Vec<Scanned>, inputs: &Inputs) -> Vec<WalkedFile> {
    scanned
        .into_iter()
        .map(
            |Scanned {
                 mut file,
                 model_refs,
             }| {
                file.domain = inputs.map.index_of(&file.path);
                file.models = inputs.models.resolve(&model_refs);
                file
            },
        )
        .collect()
}

/// The history window in effect.
pub fn history_window(args: &AnalyzeArgs, settings: &Config) -> std::time::Duration {
    args.since
        .or(settings.analysis.since)
        .map_or(std::time::Duration::from_hours(2160), |d| d.0)
}

/// Authors, revisions and co-changes per domain from `git log` (or a saved
/// log, `--git-log` / `analysis.git_log`), unless `--no-history`; a
/// repository without history is a warning, not an error; an unreadable
/// saved log is.
pub fn history(
    args: &AnalyzeArgs,
    ctx: &Context,
    inputs: &Inputs,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Option<history::History>> {
    if args.no_history {
        return Ok(None);
    }
    let settings = inputs.settings(ctx);
    let since = history_window(args, settings);
    let options = history::HistoryOptions {
        bot_patterns: settings
            .analysis
            .bots
            .clone()
            .unwrap_or_else(|| history::HistoryOptions::default().bot_patterns),
        max_files: settings.analysis.max_commit_files.unwrap_or(30),
        folder_coupling: args.suggest,
    };
    let saved = args.git_log.as_ref().map(|p| ctx.cwd.join(p)).or_else(|| {
        let config_root = inputs.config_root(ctx);
        settings
            .analysis
            .git_log
            .as_ref()
            .map(|p| config_root.join(p))
    });
    let hist = match saved {
        Some(path) => saved_history(&path, &ctx.cwd, since, inputs, &options)
            .with_context(|| "cannot read the history (--git-log / analysis.git_log)")?,
        None => match git_history(since, inputs, &options, warnings) {
            Some(hist) => hist,
            None => return Ok(None),
        },
    };
    if hist.commits_used == 0 {
        let head = hist.window_end_unix.map_or_else(String::new, |h| {
            format!(" up to the newest one ({})", history::date_of(h))
        });
        warnings.push(format!(
            "no commits in the {} days{head} touched the analysed files; team and change coupling are unknown",
            since.as_secs() / 86_400,
        ));
        return Ok(None);
    }
    Ok(Some(hist))
}

/// The history in `git log`, its window ending at the newest commit (not
/// today: a clone whose last commit is months old still shows who worked on
/// it); `None`, with the reason among the warnings, when there is none.
fn git_history(
    since: std::time::Duration,
    inputs: &Inputs,
    options: &history::HistoryOptions,
    warnings: &mut Vec<String>,
) -> Option<history::History> {
    let anchor = match git::anchor(&inputs.root) {
        Ok(anchor) => anchor,
        Err(err) => {
            warnings.push(format!(
                "no history: {err}; team and change coupling are unknown"
            ));
            return None;
        }
    };
    if let Some(top) = &anchor.enclosing {
        warnings.push(format!(
            "{} lies inside the git repository at {top}: its history is that repository's commits that touched files here",
            inputs.root.display()
        ));
    }
    let Some(head) = anchor.head_unix else {
        warnings.push(
            "no history: the repository has no commits yet; team and change coupling are unknown"
                .into(),
        );
        return None;
    };
    let since_unix = head.saturating_sub(i64::try_from(since.as_secs()).unwrap_or(i64::MAX));
    let mut hist = history::History {
        window_end_unix: Some(head),
        source: "git".into(),
        ..history::History::default()
    };
    match git::log(&inputs.root, Some(since_unix), |commit| {
        hist.add(&commit, &inputs.map, options);
    }) {
        Ok(()) => Some(hist),
        Err(err) => {
            warnings.push(format!(
                "no history: {err}; team and change coupling are unknown"
            ));
            None
        }
    }
}

/// The history in a saved log: one pass finds the newest commit (the
/// window's end), a second adds the commits inside the window, so a long
/// log never sits in memory.
fn saved_history(
    path: &Path,
    cwd: &Path,
    since: std::time::Duration,
    inputs: &Inputs,
    options: &history::HistoryOptions,
) -> Result<history::History, git_log::GitLogError> {
    let mut newest: Option<i64> = None;
    git_log::read(path, |commit| {
        newest = Some(newest.map_or(commit.unix_time, |n| n.max(commit.unix_time)));
    })?;
    let mut hist = history::History {
        window_end_unix: newest,
        source: path.strip_prefix(cwd).unwrap_or(path).display().to_string(),
        ..history::History::default()
    };
    let Some(head) = newest else {
        return Ok(hist);
    };
    let since_unix = head.saturating_sub(i64::try_from(since.as_secs()).unwrap_or(i64::MAX));
    git_log::read(path, |commit| {
        if commit.unix_time >= since_unix {
            hist.add(&commit, &inputs.map, options);
        }
    })?;
    Ok(hist)
}

/// Requests per minute per domain: from access logs (`--traffic`, else
/// `traffic.logs`), else from Prometheus; none of them configured is `None`.
pub fn traffic(
    args: &AnalyzeArgs,
    ctx: &Context,
    inputs: &Inputs,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Option<traffic::Traffic>> {
    let settings = inputs.settings(ctx);
    let mut routes: Vec<(String, String)> = Vec::new();
    for package in inputs.layout.packages.iter().filter(|p| p.next_app) {
        for route in &package.api_routes {
            if let Some(domain) = inputs.map.domain_of(&route.file) {
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
        let config_root = inputs.config_root(ctx);
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
    Ok(traffic)
}

/// Why Prometheus gave no traffic (a warning: traffic is then unknown).
#[derive(Debug, thiserror::Error)]
pub enum PrometheusError {
    #[error("not a URL ({0})")]
    Url(#[from] url::ParseError),
    #[error("cannot start the async runtime ({0})")]
    Runtime(#[from] std::io::Error),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("HTTP {0}")]
    Status(u16),
    #[error("not JSON ({0})")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Answer(String),
}

/// Requests per minute by route from a Prometheus `query_range`.
fn prometheus_traffic(
    server: &str,
    window: std::time::Duration,
    routes: &traffic::RouteMap,
) -> Result<traffic::Traffic, PrometheusError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut url = url::Url::parse(server)?;
    url.set_path(&format!(
        "{}/api/v1/query_range",
        url.path().trim_end_matches('/')
    ));
    url.query_pairs_mut()
        .append_pair("query", traffic::PROMETHEUS_QUERY)
        .append_pair("start", &now.saturating_sub(window.as_secs()).to_string())
        .append_pair("end", &now.to_string())
        .append_pair("step", "60");
    let request = Request::get(url.as_str())
        .timeout(std::time::Duration::from_secs(10))
        .body_cap(64 * 1024 * 1024);
    let response = crate::runtime::current_thread()?.block_on(async {
        HttpClient::new(&ClientOptions::default())?
            .send(&request)
            .await
    })?;
    if response.status != 200 {
        return Err(PrometheusError::Status(response.status));
    }
    let answer: serde_json::Value = serde_json::from_slice(&response.body)?;
    traffic::from_prometheus(&answer, routes, &crate::redact::url(server))
        .map_err(PrometheusError::Answer)
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
        .map_err(|source| FsError::Read {
            path: path.to_path_buf(),
            source,
        })
        .context("cannot read a traffic log")?;
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
        // No log line is longer than this; a file that is one endless line
        // (or a decompression bomb) must not take the memory with it.
        // A log that breaks off (a truncated or corrupt .gz) is bad input: exit 2.
        let read = std::io::Read::take(&mut lines, MAX_LOG_LINE)
            .read_until(b'\n', &mut line)
            .map_err(|source| FsError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        if read == 0 {
            break;
        }
        if line.len() as u64 >= MAX_LOG_LINE && line.last() != Some(&b'\n') {
            skip_rest_of_line(&mut lines).map_err(|source| FsError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            counter.add_malformed();
            continue;
        }
        counter.add_line(&String::from_utf8_lossy(&line), routes);
    }
    Ok(())
}

/// The longest access-log line read whole (64 KiB); longer ones are malformed.
const MAX_LOG_LINE: u64 = 64 * 1024;

/// Reads on to the next newline, keeping nothing.
fn skip_rest_of_line(lines: &mut dyn std::io::BufRead) -> std::io::Result<()> {
    loop {
        let buffer = lines.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        if let Some(at) = memchr::memchr(b'\n', buffer) {
            lines.consume(at + 1);
            return Ok(());
        }
        let n = buffer.len();
        lines.consume(n);
    }
}
