//! Running suites: tests at once (`jobs`), the steps of a test in order,
//! captures carried from step to step, teardown always. Requests go through
//! the shared HTTP client; answers are judged by [`crate::expect`]. A base
//! URL that cannot be reached stops the run before any test (exit 3).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::model::{
    AuthSpec, BodySpec, CaptureFrom, ExpectSpec, HeaderSpec, RequestTarget, Step, Suite, Test,
};
use super::result::{FailureView, Outcome, RequestEcho, ResponseEcho, StepResult, TestResult};
use super::template::{Template, Vars};
use crate::adapters::http::{
    Auth, Body, ClientOptions, ClientPool, HttpClient, HttpError, HttpResponse, Redirects, Request,
    headers,
};
use crate::config::StatusSet;
use crate::expect::{self, Expectations, HeaderRule, HeaderTest, JsonRule, JsonTest};

/// Without `timeout` anywhere, a request may take this long.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Response bodies shown for a failed step are cut here.
const ECHO_BODY_CHARS: usize = 2000;

/// How a run goes, from the command line.
#[derive(Debug, Clone, Default)]
pub struct RunSettings {
    /// Tests run at once.
    pub jobs: usize,
    /// Stop starting tests after the first failure (teardowns still run).
    pub fail_fast: bool,
    /// Retries of a request that got no connection (never of a failed assertion).
    pub retries: u32,
    /// `--base-url`, over every suite's own.
    pub base_url: Option<String>,
    /// `-H` headers, over every step's.
    pub headers: Vec<(String, String)>,
    pub tls: ClientOptions,
    /// `--timeout`, where a step sets none.
    pub timeout: Option<Duration>,
    /// `--filter`: only tests with one of these tags (their own or their suite's).
    pub tags: Vec<String>,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// A CA or client-key file that cannot be used (exit 2, by the cause).
    #[error("{0}")]
    Client(#[source] HttpError),
}

/// Told of each test as it ends (progress bars).
pub trait Observer: Send + Sync {
    fn test_done(&self, result: &TestResult);
}

/// An observer that ignores everything.
pub struct Quiet;

impl Observer for Quiet {
    fn test_done(&self, _: &TestResult) {}
}

/// The tests selected by `--filter`, as (suite, test) indices in file order.
#[must_use]
pub fn selected(suites: &[Suite], tags: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (s, suite) in suites.iter().enumerate() {
        for (t, test) in suite.tests.iter().enumerate() {
            let keep = tags.is_empty()
                || tags
                    .iter()
                    .any(|tag| test.tags.contains(tag) || suite.tags.contains(tag));
            if keep {
                out.push((s, t));
            }
        }
    }
    out
}

/// The suite's variables as a map, and its secret values.
#[must_use]
pub fn suite_vars(suite: &Suite) -> (Vars, Vec<String>) {
    let vars = suite
        .vars
        .iter()
        .map(|v| (v.name.clone(), v.value.clone()))
        .collect();
    let secrets = suite
        .vars
        .iter()
        .filter(|v| v.secret && !v.value.is_empty())
        .map(|v| v.value.clone())
        .collect();
    (vars, secrets)
}

/// The base URL a suite's paths join, if it has one.
#[must_use]
pub fn base_url(suite: &Suite, settings: &RunSettings, vars: &Vars) -> Option<String> {
    settings
        .base_url
        .clone()
        .or_else(|| suite.base_url.as_ref().map(|t| t.render(vars)))
}

/// Connects once to every host the selected tests talk to, so an
/// unreachable backend is one plain error, not a failure per step.
pub async fn preflight(
    suites: &[Suite],
    selection: &[(usize, usize)],
    settings: &RunSettings,
) -> Result<(), RunError> {
    let mut urls: Vec<String> = Vec::new();
    for &(s, t) in selection {
        let suite = &suites[s];
        let (vars, _) = suite_vars(suite);
        for step in suite.tests[t].steps.iter().chain(&suite.tests[t].teardown) {
            let url = match &step.target {
                RequestTarget::Path(_) => base_url(suite, settings, &vars),
                RequestTarget::Url(url) => Some(url.render(&vars)),
            };
            if let Some(url) = url.filter(|u| !urls.contains(u)) {
                urls.push(url);
            }
        }
    }
    let mut checked: Vec<(String, u16)> = Vec::new();
    for url in urls {
        let shown = crate::redact::url(&url);
        let parsed = url::Url::parse(&url).map_err(|e| RunError::Unreachable {
            url: shown.clone(),
            reason: format!("not a URL ({e})"),
        })?;
        let (Some(host), Some(port)) = (parsed.host_str(), parsed.port_or_known_default()) else {
            continue;
        };
        // A URL with {{captures}} in its host is checked when it is used.
        if host.contains("{{") || checked.iter().any(|(h, p)| h == host && *p == port) {
            continue;
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let connect = tokio::time::timeout(
            Duration::from_secs(5),
            tokio::net::TcpStream::connect((host.as_str(), port)),
        )
        .await;
        match connect {
            Ok(Ok(_)) => checked.push((host, port)),
            Ok(Err(e)) => {
                return Err(RunError::Unreachable {
                    url: shown,
                    reason: e.to_string().to_lowercase(),
                });
            }
            Err(_) => {
                return Err(RunError::Unreachable {
                    url: shown,
                    reason: "no answer within 5s".to_owned(),
                });
            }
        }
    }
    Ok(())
}

/// Runs the selected tests, `settings.jobs` at once, then the exclusive ones
/// one by one; results in selection order.
pub async fn run(
    suites: Arc<Vec<Suite>>,
    selection: Vec<(usize, usize)>,
    settings: Arc<RunSettings>,
    pool: Arc<ClientPool>,
    observer: Arc<dyn Observer>,
) -> Result<Vec<TestResult>, RunError> {
    // A bad CA or key file is one error before anything runs.
    pool.get(&settings.tls).map_err(RunError::Client)?;
    let shared = Phase {
        suites,
        settings,
        pool,
        observer,
        stop: Arc::new(AtomicBool::new(false)),
    };
    let (exclusive, concurrent): (Vec<_>, Vec<_>) = selection
        .iter()
        .copied()
        .enumerate()
        .partition(|&(_, (s, t))| shared.suites[s].tests[t].exclusive);
    let jobs = shared.settings.jobs.max(1);
    let mut results: Vec<Option<TestResult>> = vec![None; selection.len()];
    for (order, result) in shared
        .run(concurrent, jobs)
        .await
        .into_iter()
        .chain(shared.run(exclusive, 1).await)
    {
        results[order] = Some(result);
    }
    let suites = &shared.suites;
    Ok(results
        .into_iter()
        .zip(&selection)
        .map(|(r, &(s, t))| {
            r.unwrap_or_else(|| {
                skipped_test(
                    &suites[s],
                    &suites[s].tests[t],
                    "the test crashed; run with -v and report this",
                )
            })
        })
        .collect())
}

/// What every test of a run shares.
struct Phase {
    suites: Arc<Vec<Suite>>,
    settings: Arc<RunSettings>,
    pool: Arc<ClientPool>,
    observer: Arc<dyn Observer>,
    /// Set by the first failure under `--fail-fast`.
    stop: Arc<AtomicBool>,
}

impl Phase {
    /// Runs `tests` (order, (suite, test)) `jobs` at once.
    async fn run(
        &self,
        tests: Vec<(usize, (usize, usize))>,
        jobs: usize,
    ) -> Vec<(usize, TestResult)> {
        let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
        let mut set = tokio::task::JoinSet::new();
        for (order, (s, t)) in tests {
            let (suites, settings, pool, observer, permits, stop) = (
                Arc::clone(&self.suites),
                Arc::clone(&self.settings),
                Arc::clone(&self.pool),
                Arc::clone(&self.observer),
                Arc::clone(&permits),
                Arc::clone(&self.stop),
            );
            // Taken here, in the tests' order, not inside the task: spawned
            // tasks reach the semaphore in any order, so with `--jobs 1` a
            // later test could run before the one whose failure stops it.
            let permit = permits.acquire_owned().await.ok();
            set.spawn(async move {
                let _permit = permit;
                let suite = &suites[s];
                let test = &suite.tests[t];
                let result = if stop.load(Ordering::Relaxed) {
                    skipped_test(suite, test, "--fail-fast: an earlier test failed")
                } else {
                    match client_for(suite, &settings, &pool) {
                        Ok(client) => run_test(suite, test, &client, &settings).await,
                        Err(err) => skipped_test(suite, test, &err.to_string()),
                    }
                };
                if settings.fail_fast && result.outcome == Outcome::Failed {
                    stop.store(true, Ordering::Relaxed);
                }
                observer.test_done(&result);
                (order, result)
            });
        }
        let mut done = Vec::new();
        while let Some(joined) = set.join_next().await {
            if let Ok(result) = joined {
                done.push(result);
            }
        }
        done
    }
}

/// A cookie jar per test run when the suite asks for one; else the shared client.
fn client_for(
    suite: &Suite,
    settings: &RunSettings,
    pool: &ClientPool,
) -> Result<HttpClient, HttpError> {
    if suite.cookies {
        HttpClient::with_cookie_jar(&settings.tls)
    } else {
        pool.get(&settings.tls)
    }
}

fn skipped_test(suite: &Suite, test: &Test, note: &str) -> TestResult {
    let skip = |steps: &[Step]| {
        steps
            .iter()
            .map(|s| StepResult::skipped(&s.name, s.line, &s.method, note))
            .collect()
    };
    TestResult {
        suite: suite.name.clone(),
        file: suite.file.display().to_string(),
        name: test.name.clone(),
        line: test.line,
        tags: test.tags.clone(),
        outcome: Outcome::Skipped,
        duration_ms: 0.0,
        steps: skip(&test.steps),
        teardown: skip(&test.teardown),
    }
}

/// One test: its steps until one fails, then its teardown, always.
pub async fn run_test(
    suite: &Suite,
    test: &Test,
    client: &HttpClient,
    settings: &RunSettings,
) -> TestResult {
    let started = Instant::now();
    let (mut vars, mut secrets) = suite_vars(suite);
    let mut steps = Vec::new();
    let mut failed = false;
    for step in &test.steps {
        if failed {
            steps.push(StepResult::skipped(
                &step.name,
                step.line,
                &step.method,
                "an earlier step failed",
            ));
            continue;
        }
        let result = run_step(suite, step, &mut vars, &mut secrets, client, settings).await;
        failed = result.outcome == Outcome::Failed;
        steps.push(result);
    }
    let mut teardown = Vec::new();
    for step in &test.teardown {
        let result = match missing_var(step, &vars) {
            Some(name) => StepResult::skipped(
                &step.name,
                step.line,
                &step.method,
                &format!("needs {{{{{name}}}}}, which no earlier step captured"),
            ),
            None => run_step(suite, step, &mut vars, &mut secrets, client, settings).await,
        };
        failed |= result.outcome == Outcome::Failed;
        teardown.push(result);
    }
    TestResult {
        suite: suite.name.clone(),
        file: suite.file.display().to_string(),
        name: test.name.clone(),
        line: test.line,
        tags: test.tags.clone(),
        outcome: if failed {
            Outcome::Failed
        } else {
            Outcome::Passed
        },
        duration_ms: ms(started.elapsed()),
        steps,
        teardown,
    }
}

/// One step: its request `repeat` times, each answer judged, captures from the last.
async fn run_step(
    suite: &Suite,
    step: &Step,
    vars: &mut Vars,
    secrets: &mut Vec<String>,
    client: &HttpClient,
    settings: &RunSettings,
) -> StepResult {
    let request = build_request(suite, step, vars, settings);
    learn_header_secrets(&request, secrets);
    let expectations = expectations(&step.expect, vars);
    let mut samples = Vec::with_capacity(step.repeat as usize);
    let mut last: Option<HttpResponse> = None;
    let mut failures: Vec<expect::Failure> = Vec::new();
    let mut views: Vec<FailureView> = Vec::new();
    let mut error = None;
    for attempt in 1..=step.repeat {
        match send(client, &request, settings.retries).await {
            Ok(response) => {
                let is_last = attempt == step.repeat;
                let ok = if let (true, Some(want)) = (is_last, step.expect_last) {
                    let ok = response.status == want;
                    if !ok {
                        views.push(FailureView::plain(
                            "status",
                            format!("status {want} on request {attempt} of {}", step.repeat),
                            response.status.to_string(),
                            format!(
                                "expected {want} on the last of {} requests, got {}",
                                step.repeat, response.status
                            ),
                        ));
                    }
                    ok
                } else {
                    let found = expect::check(&response, &expectations);
                    let ok = found.is_empty();
                    if !ok && failures.is_empty() {
                        failures = found;
                    }
                    ok
                };
                samples.push((ms(response.elapsed), ok));
                last = Some(response);
            }
            Err(err) => {
                samples.push((0.0, false));
                error = Some(format!(
                    "{} {}: {err}",
                    request.method,
                    crate::redact::url(&request.url)
                ));
                break;
            }
        }
        if !failures.is_empty() && step.expect_last.is_none() {
            break;
        }
    }
    if let Some(response) = &last
        && error.is_none()
    {
        capture(step, response, vars, secrets, &mut views);
    }
    let shown: Vec<&str> = secrets.iter().map(String::as_str).collect();
    views.splice(
        0..0,
        failures.iter().map(|f| FailureView::masked(f, &shown)),
    );
    let outcome = if views.is_empty() && error.is_none() {
        Outcome::Passed
    } else {
        Outcome::Failed
    };
    let failed = outcome == Outcome::Failed;
    StepResult {
        // Names are written by the suite's author, not filled from variables.
        name: step.name.clone(),
        line: step.line,
        outcome,
        method: request.method.clone(),
        url: crate::redact::text(&crate::redact::url(&request.url), &shown),
        status: last.as_ref().map(|r| r.status),
        duration_ms: last.as_ref().map_or(0.0, |r| ms(r.elapsed)),
        requests: u32::try_from(samples.len()).unwrap_or(u32::MAX),
        failures: views,
        error: error.map(|e| crate::redact::text(&e, &shown)),
        note: None,
        request: failed.then(|| echo_request(&request, &shown)),
        response: if failed {
            last.as_ref().map(|r| echo_response(r, &shown))
        } else {
            None
        },
        samples,
    }
}

/// Sends, retrying only requests that got no connection, with backoff.
async fn send(
    client: &HttpClient,
    request: &Request,
    retries: u32,
) -> Result<HttpResponse, HttpError> {
    let mut attempt = 0;
    loop {
        match client.send(request).await {
            Err(HttpError::Refused | HttpError::Connect(_)) if attempt < retries => {
                tokio::time::sleep(crate::retry::backoff(
                    attempt,
                    Duration::from_millis(200),
                    Duration::from_secs(5),
                    fastrand::f64(),
                ))
                .await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// The request a step sends with the variables in scope.
fn build_request(suite: &Suite, step: &Step, vars: &Vars, settings: &RunSettings) -> Request {
    let url = match &step.target {
        RequestTarget::Path(path) => {
            let base = base_url(suite, settings, vars).unwrap_or_default();
            format!("{}{}", base.trim_end_matches('/'), path.render(vars))
        }
        RequestTarget::Url(url) => url.render(vars),
    };
    let mut request = Request::new(step.method.clone(), url);
    request.query = render_pairs(&step.query, vars);
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut put = |name: &str, value: String| {
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        headers.push((name.to_owned(), value));
    };
    for (name, value) in suite.defaults.headers.iter().chain(&step.headers) {
        put(name, value.render(vars));
    }
    for (name, value) in &settings.headers {
        put(name, value.clone());
    }
    request.headers = headers;
    request.body = match &step.body {
        BodySpec::None => Body::Empty,
        BodySpec::Json(value) => Body::Json(render_json(value, vars)),
        BodySpec::Form(pairs) => Body::Form(render_pairs(pairs, vars)),
        BodySpec::Raw { text, content_type } => Body::Raw {
            bytes: text.render(vars).into_bytes(),
            content_type: content_type.clone(),
        },
    };
    request.auth = step.auth.as_ref().map(|auth| match auth {
        AuthSpec::Bearer(token) => Auth::Bearer(token.render(vars)),
        AuthSpec::Basic { user, password } => Auth::Basic {
            user: user.render(vars),
            password: password.as_ref().map(|p| p.render(vars)),
        },
    });
    request.timeout = step
        .timeout
        .or(settings.timeout)
        .or(suite.defaults.timeout)
        .unwrap_or(DEFAULT_TIMEOUT);
    request.redirects = if step.follow_redirects {
        Redirects::default()
    } else {
        Redirects::Stop
    };
    request
}

fn render_pairs(pairs: &[(String, Template)], vars: &Vars) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.clone(), v.render(vars)))
        .collect()
}

/// A JSON value with the `{{name}}` holes in its strings filled.
fn render_json(value: &serde_json::Value, vars: &Vars) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains("{{") => {
            Value::String(Template::parse(s).map_or_else(|_| s.clone(), |t| t.render(vars)))
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| render_json(v, vars)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), render_json(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Credentials sent in Authorization and Cookie headers never show, wherever
/// a server might echo them.
fn learn_header_secrets(request: &Request, secrets: &mut Vec<String>) {
    for (name, value) in &request.headers {
        if crate::redact::is_secret_header(name) {
            push_secret(secrets, value);
            // `Bearer <token>`: the token alone; `a=1; b=2`: each cookie's value.
            if let Some((_, token)) = value.split_once(' ') {
                push_secret(secrets, token.trim());
            }
            for cookie in value.split(';') {
                if let Some((_, v)) = cookie.split_once('=') {
                    push_secret(secrets, v.trim());
                }
            }
        }
    }
    match &request.auth {
        Some(Auth::Bearer(token)) => push_secret(secrets, token),
        Some(Auth::Basic {
            password: Some(password),
            ..
        }) => push_secret(secrets, password),
        _ => {}
    }
}

fn push_secret(secrets: &mut Vec<String>, value: &str) {
    // Masking a one-character "secret" would mask half of every output.
    if value.len() >= 3 && !secrets.iter().any(|s| s == value) {
        secrets.push(value.to_owned());
    }
}

/// A step's expectations with the variables in scope; without `status`,
/// any 2xx or 3xx answer is expected.
fn expectations(spec: &ExpectSpec, vars: &Vars) -> Expectations {
    let headers = spec
        .headers
        .iter()
        .map(|(name, rule)| HeaderRule {
            name: name.clone(),
            test: match rule {
                HeaderSpec::Test(test) => test.clone(),
                HeaderSpec::Equals(t) => HeaderTest::Equals(t.render(vars)),
                HeaderSpec::Contains(t) => HeaderTest::Contains(t.render(vars)),
            },
        })
        .collect();
    let json = spec
        .json
        .iter()
        .map(|(path, tests)| JsonRule {
            path: path.clone(),
            tests: tests
                .iter()
                .map(|test| match test {
                    JsonTest::Equals(v) => JsonTest::Equals(render_json(v, vars)),
                    JsonTest::Contains(v) => JsonTest::Contains(render_json(v, vars)),
                    other => other.clone(),
                })
                .collect(),
        })
        .collect();
    Expectations {
        status: Some(
            spec.status
                .clone()
                .unwrap_or_else(|| StatusSet(vec![(200, 399)])),
        ),
        headers,
        json,
        body: spec.body_matches.clone(),
        body_contains: spec.body_contains.as_ref().map(|t| t.render(vars)),
        schema: spec.schema.clone(),
        max_latency: spec.latency,
    }
}

/// Takes the step's captures from `response` into `vars`; a capture that
/// finds nothing is a failure of the step.
fn capture(
    step: &Step,
    response: &HttpResponse,
    vars: &mut Vars,
    secrets: &mut Vec<String>,
    views: &mut Vec<FailureView>,
) {
    for capture in &step.captures {
        let (found, secret, looked) = match &capture.from {
            CaptureFrom::Json(path) => {
                let value = serde_json::from_slice::<serde_json::Value>(&response.body)
                    .ok()
                    .and_then(|json| {
                        path.path.query(&json).all().first().map(|v| match v {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                    });
                (value, false, path.text.clone())
            }
            CaptureFrom::Header(name) => (
                response.header(name).map(str::to_owned),
                crate::redact::is_secret_header(name) || name.eq_ignore_ascii_case("set-cookie"),
                format!("header {name}"),
            ),
            CaptureFrom::Regex(pattern) => {
                let text = String::from_utf8_lossy(&response.body);
                let value = pattern.0.captures(&text).map(|c| {
                    c.get(1)
                        .or_else(|| c.get(0))
                        .map_or_else(String::new, |m| m.as_str().to_owned())
                });
                (value, false, format!("/{}/", pattern.0.as_str()))
            }
        };
        match found {
            Some(value) => {
                if capture.secret || secret {
                    push_secret(secrets, &value);
                }
                vars.insert(capture.name.clone(), value);
            }
            None => views.push(FailureView::plain(
                &format!("capture {}", capture.name),
                format!("a value at {looked}"),
                "nothing".to_owned(),
                format!("capture {}: {looked} found nothing", capture.name),
            )),
        }
    }
}

/// The first `{{name}}` a step uses that is not in `vars`.
fn missing_var(step: &Step, vars: &Vars) -> Option<String> {
    let mut templates: Vec<&Template> = Vec::new();
    match &step.target {
        RequestTarget::Path(t) | RequestTarget::Url(t) => templates.push(t),
    }
    templates.extend(step.query.iter().chain(&step.headers).map(|(_, t)| t));
    match &step.body {
        BodySpec::Form(pairs) => templates.extend(pairs.iter().map(|(_, t)| t)),
        BodySpec::Raw { text, .. } => templates.push(text),
        BodySpec::Json(_) | BodySpec::None => {}
    }
    match &step.auth {
        Some(AuthSpec::Bearer(t)) => templates.push(t),
        Some(AuthSpec::Basic { user, password }) => {
            templates.push(user);
            templates.extend(password);
        }
        None => {}
    }
    let json_names = match &step.body {
        BodySpec::Json(value) => json_names(value),
        _ => Vec::new(),
    };
    templates
        .iter()
        .flat_map(|t| t.names().map(str::to_owned).collect::<Vec<_>>())
        .chain(json_names)
        .find(|name| !vars.contains_key(name))
}

fn json_names(value: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => Template::parse(s)
            .map(|t| t.names().map(str::to_owned).collect())
            .unwrap_or_default(),
        Value::Array(items) => items.iter().flat_map(json_names).collect(),
        Value::Object(map) => map.values().flat_map(json_names).collect(),
        _ => Vec::new(),
    }
}

fn echo_request(request: &Request, secrets: &[&str]) -> RequestEcho {
    let mask = |text: &str| crate::redact::text(text, secrets);
    let mut header_lines: Vec<String> = request
        .headers
        .iter()
        .map(|(k, v)| mask(&headers::display(k, v)))
        .collect();
    if request.auth.is_some() {
        header_lines.push(headers::display("Authorization", "credentials"));
    }
    let body = match &request.body {
        Body::Empty => None,
        Body::Json(value) => Some(cut(&mask(&value.to_string()))),
        Body::Form(pairs) => Some(cut(&mask(
            &pairs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&"),
        ))),
        Body::Raw { bytes, .. } => Some(cut(&mask(&String::from_utf8_lossy(bytes)))),
    };
    let mut url = crate::redact::url(&request.url);
    if !request.query.is_empty() {
        let query: Vec<String> = request
            .query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query.join("&"));
    }
    RequestEcho {
        method: request.method.clone(),
        url: mask(&url),
        headers: header_lines,
        body,
    }
}

fn echo_response(response: &HttpResponse, secrets: &[&str]) -> ResponseEcho {
    let mask = |text: &str| crate::redact::text(text, secrets);
    let text = String::from_utf8_lossy(&response.body);
    // JSON reads better indented; anything else is shown as it came.
    let body = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.into_owned());
    ResponseEcho {
        status: response.status,
        headers: response
            .headers
            .iter()
            .map(|(k, v)| {
                let hidden = k.eq_ignore_ascii_case("set-cookie");
                mask(&headers::display(
                    k,
                    if hidden { crate::redact::MASK } else { v },
                ))
            })
            .collect(),
        body: cut(&mask(&body)),
    }
}

/// Text cut to [`ECHO_BODY_CHARS`] characters, saying how much was left out.
fn cut(text: &str) -> String {
    let total = text.chars().count();
    if total <= ECHO_BODY_CHARS {
        return text.to_owned();
    }
    let kept: String = text.chars().take(ECHO_BODY_CHARS).collect();
    format!("{kept}… ({} more characters)", total - ECHO_BODY_CHARS)
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}
