//! Judging what a probe saw: the health model, an HTTP response against its
//! expectations (through [`crate::expect`]) and what the body itself says, and
//! the streak bookkeeping of `--wait`. Pure.

use std::fmt::Write as _;
use std::time::Duration;

use super::formats::{self, BodyReading};
pub use super::health::Health;
use crate::adapters::http::HttpResponse;
use crate::config::{JsonExpectation, Pattern, StatusSet};
use crate::expect::{
    self, Expectations, Failure, HeaderRule, HeaderTest, JsonRule, JsonTest, Source,
};

/// What an HTTP health target must show, as its config and flags say it.
#[derive(Debug, Clone)]
pub struct HttpExpectations {
    pub status: StatusSet,
    pub max_latency: Option<Duration>,
    pub headers: Vec<(String, Pattern)>,
    pub body_regex: Option<Pattern>,
    pub json: Vec<JsonExpectation>,
}

impl Default for HttpExpectations {
    fn default() -> Self {
        HttpExpectations {
            status: StatusSet::two_xx(),
            max_latency: None,
            headers: Vec::new(),
            body_regex: None,
            json: Vec::new(),
        }
    }
}

impl HttpExpectations {
    /// The same expectations in the shared model: header patterns as `matches`
    /// rules, each JSON entry as one rule (`equals` before `matches`).
    #[must_use]
    pub fn to_expectations(&self) -> Expectations {
        Expectations {
            status: Some(self.status.clone()),
            headers: self
                .headers
                .iter()
                .map(|(name, pattern)| HeaderRule {
                    name: name.clone(),
                    test: HeaderTest::Matches(pattern.clone()),
                })
                .collect(),
            json: self
                .json
                .iter()
                .map(|entry| JsonRule {
                    path: entry.path.clone(),
                    tests: entry
                        .equals
                        .iter()
                        .map(|v| JsonTest::Equals(v.clone()))
                        .chain(entry.matches.iter().map(|p| JsonTest::Matches(p.clone())))
                        .collect(),
                })
                .collect(),
            body: self.body_regex.clone(),
            max_latency: self.max_latency,
            ..Expectations::default()
        }
    }
}

/// The judgement of one HTTP response.
#[derive(Debug, Clone)]
pub struct HttpVerdict {
    pub health: Health,
    pub detail: String,
    pub reading: BodyReading,
}

/// Judges a response. The HTTP status is authoritative: an unexpected status is
/// unhealthy whatever the body says; an expected one can still be made unhealthy
/// by the body's own status, a failing nested check or an unmet expectation.
/// A blown latency budget and a cut body are warnings.
#[must_use]
pub fn judge_http(response: &HttpResponse, expect: &HttpExpectations) -> HttpVerdict {
    let reading = formats::read(response.header("content-type"), &response.body);
    let mut failures: Vec<String> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let (status, rest): (Vec<Failure>, Vec<Failure>) =
        expect::check(response, &expect.to_expectations())
            .into_iter()
            .partition(|f| f.source == Source::Status);
    failures.extend(status.iter().map(ToString::to_string));
    match reading.health {
        Some(Health::Unhealthy) => failures.push(format!(
            "body says {}",
            reading.status.as_deref().unwrap_or("unhealthy")
        )),
        Some(Health::Warn) => warnings.push(format!(
            "body says {}",
            reading.status.as_deref().unwrap_or("warn")
        )),
        Some(Health::Healthy) => {}
        None => {
            // No overall word: the nested checks decide.
            for check in reading
                .checks
                .iter()
                .filter(|c| c.health == Health::Unhealthy)
            {
                failures.push(format!("check {} is {}", check.name, check.status));
            }
        }
    }
    for failure in rest {
        if failure.source == Source::Latency {
            warnings.push(failure.to_string());
        } else {
            failures.push(failure.to_string());
        }
    }
    if response.truncated {
        warnings.push(format!("body cut at {} bytes", response.body.len()));
    }
    let health = if !failures.is_empty() {
        Health::Unhealthy
    } else if !warnings.is_empty() {
        Health::Warn
    } else {
        Health::Healthy
    };
    let mut detail = format!("HTTP {}", response.status);
    if !matches!(reading.format, "empty" | "text" | "json") {
        let _ = write!(detail, ", {} body", reading.format);
    }
    for note in failures.iter().chain(&warnings) {
        let _ = write!(detail, "; {note}");
    }
    HttpVerdict {
        health,
        detail,
        reading,
    }
}

/// Consecutive-success bookkeeping for `--wait`: a target is done once it has
/// been up `needed` times in a row.
#[derive(Debug, Clone)]
pub struct Streaks {
    needed: u32,
    strict: bool,
    counts: Vec<u32>,
    last: Vec<Option<(Health, String)>>,
}

/// What changed for one target after a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// First result or a different health or detail than last time.
    Changed,
    Same,
}

impl Streaks {
    #[must_use]
    pub fn new(targets: usize, needed: u32, strict: bool) -> Self {
        Streaks {
            needed: needed.max(1),
            strict,
            counts: vec![0; targets],
            last: vec![None; targets],
        }
    }

    /// Records a result for target `index`.
    pub fn record(&mut self, index: usize, health: Health, detail: &str) -> Change {
        if health.is_up(self.strict) {
            self.counts[index] += 1;
        } else {
            self.counts[index] = 0;
        }
        let now = Some((health, detail.to_owned()));
        // Latency changes every probe; only health or the failure text count.
        let comparable = |entry: &Option<(Health, String)>| {
            entry.as_ref().map(|(h, d)| {
                (
                    *h,
                    if *h == Health::Healthy {
                        String::new()
                    } else {
                        d.clone()
                    },
                )
            })
        };
        let changed = comparable(&self.last[index]) != comparable(&now);
        self.last[index] = now;
        if changed {
            Change::Changed
        } else {
            Change::Same
        }
    }

    #[must_use]
    pub fn done(&self, index: usize) -> bool {
        self.counts[index] >= self.needed
    }

    #[must_use]
    pub fn all_done(&self) -> bool {
        (0..self.counts.len()).all(|i| self.done(i))
    }

    #[must_use]
    pub fn streak(&self, index: usize) -> u32 {
        self.counts[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, content_type: &str, body: &str, elapsed_ms: u64) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("cache-control".into(), "public, max-age=300".into()),
            ],
            body: body.as_bytes().to_vec(),
            truncated: false,
            elapsed: Duration::from_millis(elapsed_ms),
        }
    }

    #[test]
    fn status_is_authoritative() {
        let r = response(
            503,
            "application/json",
            r#"{"status":"healthy","checks":[]}"#,
            5,
        );
        let v = judge_http(&r, &HttpExpectations::default());
        assert_eq!(v.health, Health::Unhealthy);
        assert!(v.detail.starts_with("HTTP 503"), "{}", v.detail);
        assert!(v.detail.contains("expected 2xx"), "{}", v.detail);
    }

    #[test]
    fn body_can_make_a_200_unhealthy() {
        let r = response(
            200,
            "application/json",
            r#"{"status":"unhealthy","checks":[{"name":"redis","status":"unhealthy"}]}"#,
            5,
        );
        let v = judge_http(&r, &HttpExpectations::default());
        assert_eq!(v.health, Health::Unhealthy);
        assert!(
            v.detail.contains("guide body") && v.detail.contains("body says unhealthy"),
            "{}",
            v.detail
        );
    }

    #[test]
    fn latency_budget_is_a_warning() {
        let r = response(200, "text/plain", "ok", 350);
        let expect = HttpExpectations {
            max_latency: Some(Duration::from_millis(200)),
            ..HttpExpectations::default()
        };
        let v = judge_http(&r, &expect);
        assert_eq!(v.health, Health::Warn);
        assert!(
            v.detail.contains("took 350ms, budget 200ms"),
            "{}",
            v.detail
        );
    }

    #[test]
    fn json_path_header_and_regex_expectations() {
        let r = response(
            200,
            "application/json",
            r#"{"status":"healthy","version":"1.4.2","checks":[{"name":"database","status":"healthy"}]}"#,
            5,
        );
        let good = HttpExpectations {
            headers: vec![("Cache-Control".into(), "max-age=\\d+".parse().unwrap())],
            body_regex: Some("healthy".parse().unwrap()),
            json: vec![
                JsonExpectation {
                    path: "$.checks[?@.name == 'database'].status".parse().unwrap(),
                    equals: Some("healthy".into()),
                    matches: None,
                },
                JsonExpectation {
                    path: "$.version".parse().unwrap(),
                    equals: None,
                    matches: Some("^1\\.".parse().unwrap()),
                },
            ],
            ..HttpExpectations::default()
        };
        assert_eq!(judge_http(&r, &good).health, Health::Healthy);
        let bad = HttpExpectations {
            headers: vec![("X-Request-Id".into(), ".+".parse().unwrap())],
            json: vec![JsonExpectation {
                path: "$.version".parse().unwrap(),
                equals: Some("2.0.0".into()),
                matches: None,
            }],
            ..HttpExpectations::default()
        };
        let v = judge_http(&r, &bad);
        assert_eq!(v.health, Health::Unhealthy);
        assert!(
            v.detail.contains("header X-Request-Id missing"),
            "{}",
            v.detail
        );
        assert!(
            v.detail
                .contains("$.version is \"1.4.2\", expected \"2.0.0\""),
            "{}",
            v.detail
        );
    }

    #[test]
    fn streaks_need_consecutive_successes() {
        let mut s = Streaks::new(1, 2, false);
        assert_eq!(s.record(0, Health::Unhealthy, "refused"), Change::Changed);
        assert_eq!(s.record(0, Health::Unhealthy, "refused"), Change::Same);
        assert_eq!(s.record(0, Health::Healthy, "HTTP 200"), Change::Changed);
        assert!(!s.done(0));
        assert_eq!(s.record(0, Health::Healthy, "HTTP 200 again"), Change::Same);
        assert!(s.all_done());
        let mut strict = Streaks::new(1, 1, true);
        strict.record(0, Health::Warn, "slow");
        assert!(!strict.done(0), "warn does not count as up with --strict");
    }
}
