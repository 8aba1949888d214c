//! What a run found: per step, per test, per suite; secrets already masked.
//! Serialisable as it is for `--format json`; [`super::report`] renders it for
//! people and as JUnit.

use serde::Serialize;

use crate::expect::{Actual, Expected, Failure};

/// How a step or test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed,
    Skipped,
}

/// One unmet expectation, as shown (masked).
#[derive(Debug, Clone, Serialize)]
pub struct FailureView {
    /// `status`, `header Cache-Control`, `$.skills[0].name`, `body`, `latency`.
    pub source: String,
    pub expected: String,
    pub actual: String,
    pub message: String,
    /// For JSON objects that differ: one line per differing path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<String>,
}

impl FailureView {
    /// A failure with every secret value masked.
    #[must_use]
    pub fn masked(failure: &Failure, secrets: &[&str]) -> Self {
        let mask = |text: String| crate::redact::text(&text, secrets);
        // A status alone says nothing without the one that came.
        let message = match (&failure.expected, &failure.actual) {
            (Expected::Status(set), Actual::Status(got)) => format!("status {got}, expected {set}"),
            _ => failure.to_string(),
        };
        FailureView {
            source: mask(failure.source.to_string()),
            expected: mask(failure.expected.to_string()),
            actual: mask(failure.actual.to_string()),
            message: mask(message),
            diff: failure.diff().into_iter().map(mask).collect(),
        }
    }

    /// A failure that is not an expectation (`repeat`'s last status, a capture).
    #[must_use]
    pub fn plain(source: &str, expected: String, actual: String, message: String) -> Self {
        FailureView {
            source: source.to_owned(),
            expected,
            actual,
            message,
            diff: Vec::new(),
        }
    }
}

/// The request as sent, masked.
#[derive(Debug, Clone, Serialize)]
pub struct RequestEcho {
    pub method: String,
    pub url: String,
    /// `Name: value` lines, secret values masked.
    pub headers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The answer of a failed step, body cut to a readable length.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseEcho {
    pub status: u16,
    pub headers: Vec<String>,
    pub body: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    pub name: String,
    /// Where the step is written in its suite.
    pub line: usize,
    pub outcome: Outcome,
    pub method: String,
    /// The URL, credentials and secrets masked.
    pub url: String,
    pub status: Option<u16>,
    /// The last request's time, ms.
    pub duration_ms: f64,
    /// Requests sent (more than one with `repeat`).
    pub requests: u32,
    pub failures: Vec<FailureView>,
    /// A request that got no answer (connection refused, timeout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why a step was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Shown for failed steps only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestEcho>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseEcho>,
    /// Every request's time and whether it met its expectations (load statistics).
    #[serde(skip)]
    pub samples: Vec<(f64, bool)>,
}

impl StepResult {
    #[must_use]
    pub fn skipped(name: &str, line: usize, method: &str, note: &str) -> Self {
        StepResult {
            name: name.to_owned(),
            line,
            outcome: Outcome::Skipped,
            method: method.to_owned(),
            url: String::new(),
            status: None,
            duration_ms: 0.0,
            requests: 0,
            failures: Vec::new(),
            error: None,
            note: Some(note.to_owned()),
            request: None,
            response: None,
            samples: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub suite: String,
    pub file: String,
    pub name: String,
    pub line: usize,
    pub tags: Vec<String>,
    pub outcome: Outcome,
    pub duration_ms: f64,
    pub steps: Vec<StepResult>,
    pub teardown: Vec<StepResult>,
}

impl TestResult {
    /// Every step result, teardown included.
    pub fn all_steps(&self) -> impl Iterator<Item = &StepResult> {
        self.steps.iter().chain(&self.teardown)
    }
}
