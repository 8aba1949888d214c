//! A smoke suite as loaded: tests of steps, each step a request with its
//! expectations and captures, every string a [`Template`]. Built by
//! [`super::parse`], run by [`super::run`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::template::Template;
use crate::config::{JsonPathExpr, Pattern, StatusSet};
use crate::expect::{HeaderTest, JsonTest, schema::Schema};

/// One suite file.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The file as given (for messages and reports).
    pub file: PathBuf,
    pub name: String,
    pub base_url: Option<Template>,
    pub tags: Vec<String>,
    /// The suite's variables after `--env`, in file order.
    pub vars: Vec<Var>,
    pub defaults: Defaults,
    /// A cookie jar per test run (`cookies = true`).
    pub cookies: bool,
    pub load: Option<LoadSpec>,
    pub tests: Vec<Test>,
}

/// A variable; secret ones are masked in every output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    pub value: String,
    pub secret: bool,
}

/// What every step gets unless it says otherwise.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub headers: Vec<(String, Template)>,
    pub timeout: Option<Duration>,
}

/// `[load]`: how often and how widely to run the suite, and what must hold.
#[derive(Debug, Clone)]
pub struct LoadSpec {
    pub repeat: u32,
    pub concurrency: u32,
    pub thresholds: Vec<Threshold>,
}

/// `p95 < 200ms`, `errors < 1%`, `rps > 100`.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub metric: Metric,
    pub op: ThresholdOp,
    pub value: f64,
    /// As written, for reports.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// A latency percentile (50, 95, 99) or the maximum (100), in ms.
    Latency(u8),
    /// Failed requests, percent of all.
    Errors,
    /// Requests per second.
    Rps,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdOp {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// A test: steps in order, then the teardown, which always runs.
#[derive(Debug, Clone)]
pub struct Test {
    pub name: String,
    pub tags: Vec<String>,
    /// Where `[[test]]` is written (1-based).
    pub line: usize,
    /// Runs alone, after the other tests (`exclusive = true`): for tests that
    /// spend a shared budget, such as a rate limit.
    pub exclusive: bool,
    pub steps: Vec<Step>,
    pub teardown: Vec<Step>,
}

/// One request and what its answer must show.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: String,
    pub line: usize,
    pub method: String,
    pub target: RequestTarget,
    pub query: Vec<(String, Template)>,
    pub headers: Vec<(String, Template)>,
    pub body: BodySpec,
    pub auth: Option<AuthSpec>,
    pub timeout: Option<Duration>,
    pub follow_redirects: bool,
    pub expect: ExpectSpec,
    pub captures: Vec<Capture>,
    /// Times the request is sent (`repeat`), at least 1.
    pub repeat: u32,
    /// With `repeat`: the status the last answer must have.
    pub expect_last: Option<u16>,
}

/// Where a step sends its request.
#[derive(Debug, Clone)]
pub enum RequestTarget {
    /// Joined to the suite's base URL.
    Path(Template),
    /// Absolute.
    Url(Template),
}

#[derive(Debug, Clone)]
pub enum BodySpec {
    None,
    /// Strings inside may hold `{{name}}`.
    Json(Value),
    Form(Vec<(String, Template)>),
    Raw {
        text: Template,
        content_type: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub enum AuthSpec {
    Bearer(Template),
    Basic {
        user: Template,
        password: Option<Template>,
    },
}

/// A step's expectations as written; strings to compare may hold `{{name}}`.
#[derive(Debug, Clone, Default)]
pub struct ExpectSpec {
    pub status: Option<StatusSet>,
    pub headers: Vec<(String, HeaderSpec)>,
    pub json: Vec<(JsonPathExpr, Vec<JsonTest>)>,
    pub schema: Option<Arc<Schema>>,
    pub body_matches: Option<Pattern>,
    pub body_contains: Option<Template>,
    pub latency: Option<Duration>,
}

/// A header rule whose compared text may hold `{{name}}`.
#[derive(Debug, Clone)]
pub enum HeaderSpec {
    Test(HeaderTest),
    Equals(Template),
    Contains(Template),
}

/// A value taken from a response into a variable.
#[derive(Debug, Clone)]
pub struct Capture {
    pub name: String,
    pub from: CaptureFrom,
    pub secret: bool,
}

#[derive(Debug, Clone)]
pub enum CaptureFrom {
    /// The first value the path selects (a string as is, anything else as JSON).
    Json(JsonPathExpr),
    Header(String),
    /// The first group of the first match in the body (the whole match without a group).
    Regex(Pattern),
}

impl Suite {
    /// Every step of every test, teardowns included.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.tests
            .iter()
            .flat_map(|t| t.steps.iter().chain(&t.teardown))
    }
}
