//! The smoke report: every test with its steps, a summary, load statistics;
//! a table for people that shows each failure with the request, the
//! expectation, the actual value and the answer; JUnit XML with one
//! testcase per request step.

use std::fmt::Write as _;

use serde::Serialize;

use super::load::LoadStats;
use super::result::{Outcome, StepResult, TestResult};
use crate::exit;
use crate::output::{Report, Styler, Tone};

#[derive(Debug, Clone, Serialize)]
pub struct SmokeReport {
    pub tests: Vec<TestResult>,
    pub summary: Summary,
    /// With `--repeat`/`[load]`: statistics over every request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadStats>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub requests: usize,
    pub duration_ms: f64,
}

impl SmokeReport {
    #[must_use]
    pub fn new(tests: Vec<TestResult>, duration_ms: f64, load: Option<LoadStats>) -> Self {
        let count = |o: Outcome| tests.iter().filter(|t| t.outcome == o).count();
        let summary = Summary {
            passed: count(Outcome::Passed),
            failed: count(Outcome::Failed),
            skipped: count(Outcome::Skipped),
            requests: tests
                .iter()
                .flat_map(TestResult::all_steps)
                .map(|s| s.requests as usize)
                .sum(),
            duration_ms,
        };
        SmokeReport {
            tests,
            summary,
            load,
        }
    }

    /// JUnit XML: a testsuite per suite file, a testcase per request step.
    pub fn junit(&self) -> Result<String, quick_junit::SerializeError> {
        use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};
        let mut report = Junit::new("skillsctl smoke");
        let mut suites: Vec<TestSuite> = Vec::new();
        for test in &self.tests {
            let index = if let Some(i) = suites.iter().position(|s| s.name.as_str() == test.suite) {
                i
            } else {
                suites.push(TestSuite::new(test.suite.clone()));
                suites.len() - 1
            };
            let suite = &mut suites[index];
            let steps = test
                .steps
                .iter()
                .map(|s| (s, ""))
                .chain(test.teardown.iter().map(|s| (s, "teardown: ")));
            for (step, prefix) in steps {
                let status = match step.outcome {
                    Outcome::Passed => TestCaseStatus::success(),
                    Outcome::Skipped => {
                        let mut status = TestCaseStatus::skipped();
                        if let Some(note) = &step.note {
                            status.set_message(note.clone());
                        }
                        status
                    }
                    Outcome::Failed => {
                        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        status.set_message(failure_line(step));
                        status.set_description(failure_details(step));
                        status
                    }
                };
                let mut case = TestCase::new(format!("{prefix}{}", step.name), status);
                case.set_classname(format!("{}.{}", test.suite, test.name));
                case.set_time(std::time::Duration::from_secs_f64(
                    step.duration_ms / 1000.0,
                ));
                suite.add_test_case(case);
            }
        }
        report.add_test_suites(suites);
        report.to_string()
    }
}

/// The first thing that went wrong, in one line.
fn failure_line(step: &StepResult) -> String {
    step.error
        .clone()
        .or_else(|| step.failures.first().map(|f| f.message.clone()))
        .unwrap_or_else(|| "failed".to_owned())
}

/// Every failure, the request and the answer, as plain text.
fn failure_details(step: &StepResult) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "{} {} (line {})", step.method, step.url, step.line);
    if let Some(error) = &step.error {
        let _ = writeln!(text, "error: {error}");
    }
    for failure in &step.failures {
        let _ = writeln!(text, "- {}", failure.message);
        for line in &failure.diff {
            let _ = writeln!(text, "    {line}");
        }
    }
    if let Some(request) = &step.request {
        let _ = writeln!(text, "request: {} {}", request.method, request.url);
        for header in &request.headers {
            let _ = writeln!(text, "  {header}");
        }
        if let Some(body) = &request.body {
            let _ = writeln!(text, "  {body}");
        }
    }
    if let Some(response) = &step.response {
        let _ = writeln!(text, "response: {}", response.status);
        for header in &response.headers {
            let _ = writeln!(text, "  {header}");
        }
        for line in response.body.lines() {
            let _ = writeln!(text, "  {line}");
        }
    }
    text
}

impl SmokeReport {
    /// Each failed step at its suite file:line, with its first failure.
    fn annotations(&self) -> Vec<crate::annotate::Annotation> {
        use crate::annotate::{Annotation, Level};
        let mut out = Vec::new();
        for test in &self.tests {
            for step in test.all_steps().filter(|s| s.outcome == Outcome::Failed) {
                let why = step.failures.first().map_or_else(
                    || step.error.clone().unwrap_or_default(),
                    |f| f.message.clone(),
                );
                out.push(Annotation {
                    level: Level::Error,
                    rule: format!("smoke {}", test.name),
                    file: test.file.clone(),
                    line: step.line,
                    column: None,
                    message: format!("{} {} {}: {why}", step.name, step.method, step.url),
                    fingerprint: crate::annotate::fingerprint(&[
                        "smoke", &test.file, &test.name, &step.name,
                    ]),
                });
            }
        }
        out
    }
}

impl Report for SmokeReport {
    fn render_alternate(&self, format: crate::format::Format) -> Option<String> {
        (format == crate::format::Format::Github)
            .then(|| crate::annotate::github(&self.annotations()))
    }

    fn render_human(&self, style: &Styler) -> String {
        let mut out = String::new();
        for test in &self.tests {
            let (label, tone) = match test.outcome {
                Outcome::Passed => ("PASS", Tone::Good),
                Outcome::Failed => ("FAIL", Tone::Bad),
                Outcome::Skipped => ("SKIP", Tone::Warn),
            };
            let _ = writeln!(
                out,
                "{} {} › {} {}",
                style.paint(tone, label),
                test.file,
                test.name,
                style.paint(Tone::Dim, &format!("({:.0} ms)", test.duration_ms))
            );
            if test.outcome == Outcome::Failed {
                for step in test.all_steps() {
                    render_step(&mut out, style, step);
                }
            }
        }
        let s = &self.summary;
        let _ = writeln!(
            out,
            "\n{} passed, {} failed, {} skipped ({} tests, {} requests) in {:.2} s",
            s.passed,
            s.failed,
            s.skipped,
            s.passed + s.failed + s.skipped,
            s.requests,
            s.duration_ms / 1000.0
        );
        if let Some(load) = &self.load {
            let _ = writeln!(
                out,
                "load: {} requests, {} errors ({}%), {} req/s; p50 {} ms, p95 {} ms, p99 {} ms, max {} ms",
                load.requests,
                load.errors,
                load.error_percent,
                load.rps,
                load.p50_ms,
                load.p95_ms,
                load.p99_ms,
                load.max_ms
            );
            for t in &load.thresholds {
                let mark = if t.passed {
                    style.paint(Tone::Good, "✓")
                } else {
                    style.paint(Tone::Bad, "✗")
                };
                let _ = writeln!(out, "  {mark} {} (actual {})", t.threshold, t.actual);
            }
        }
        out
    }

    fn outcome(&self) -> exit::Outcome {
        let thresholds_held = self.load.as_ref().is_none_or(LoadStats::passed);
        if self.summary.failed == 0 && thresholds_held {
            exit::Outcome::Success
        } else {
            exit::Outcome::Failures
        }
    }
}

fn render_step(out: &mut String, style: &Styler, step: &StepResult) {
    let status = step
        .status
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    match step.outcome {
        Outcome::Passed => {
            let _ = writeln!(
                out,
                "    {} {} → {status}",
                style.paint(Tone::Good, "✓"),
                step.name
            );
        }
        Outcome::Skipped => {
            let note = step.note.as_deref().unwrap_or("skipped");
            let _ = writeln!(
                out,
                "    {} {} ({note})",
                style.paint(Tone::Dim, "-"),
                step.name
            );
        }
        Outcome::Failed => {
            let _ = writeln!(
                out,
                "    {} {} (line {}) {} {} → {status} ({:.1} ms)",
                style.paint(Tone::Bad, "✗"),
                step.name,
                step.line,
                step.method,
                step.url,
                step.duration_ms
            );
            for line in failure_details(step).lines().skip(1) {
                let _ = writeln!(out, "        {line}");
            }
        }
    }
}
