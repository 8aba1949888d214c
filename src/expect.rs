//! What an HTTP response must show, and what it showed instead: status sets,
//! header rules, RFC 9535 JSON path rules, a body regex and a latency budget.
//! Pure and shared: health-check judges health endpoints with it, smoke judges
//! every step, rollout's gates both. Each failure says what was expected, the
//! actual value and where it came from (the status, a header, a JSON path).

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::adapters::http::HttpResponse;
use crate::config::{JsonPathExpr, Pattern, StatusSet};
use crate::redact;

/// Everything a response must show; empty parts are not checked.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    pub status: Option<StatusSet>,
    pub headers: Vec<HeaderRule>,
    pub json: Vec<JsonRule>,
    pub body: Option<Pattern>,
    pub max_latency: Option<Duration>,
}

/// A rule on one response header (names compare without case).
#[derive(Debug, Clone)]
pub struct HeaderRule {
    pub name: String,
    pub test: HeaderTest,
}

#[derive(Debug, Clone)]
pub enum HeaderTest {
    Exists,
    Equals(String),
    Contains(String),
    Matches(Pattern),
}

/// Tests on the values a JSON path selects, checked in order; the first one
/// that fails is the rule's failure. A path that selects nothing fails once.
#[derive(Debug, Clone)]
pub struct JsonRule {
    pub path: JsonPathExpr,
    pub tests: Vec<JsonTest>,
}

#[derive(Debug, Clone)]
pub enum JsonTest {
    /// Some selected value equals this one.
    Equals(Value),
    /// The first selected value's text (a string as is, anything else as JSON) matches.
    Matches(Pattern),
}

/// Where a failed expectation looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Status,
    Header(String),
    JsonPath(String),
    Body,
    Latency,
}

/// What was expected.
#[derive(Debug, Clone)]
pub enum Expected {
    Status(StatusSet),
    HeaderExists,
    HeaderEquals(String),
    HeaderContains(String),
    HeaderMatches(Pattern),
    JsonSelects,
    JsonEquals(Value),
    JsonMatches(Pattern),
    BodyJson,
    BodyMatches(Pattern),
    LatencyWithin(Duration),
}

/// What the response showed instead.
#[derive(Debug, Clone, PartialEq)]
pub enum Actual {
    Status(u16),
    /// No such header, or a path that selected nothing.
    Missing,
    /// A header value, already masked when the header is secret.
    Text(String),
    Json(Value),
    /// The body, which is not JSON.
    NotJson,
    /// The body, which did not match (not repeated: it can be long).
    Body,
    Latency(Duration),
}

/// One unmet expectation.
#[derive(Debug, Clone)]
pub struct Failure {
    pub source: Source,
    pub expected: Expected,
    pub actual: Actual,
}

/// Checks `response` against everything in `expect`, in a fixed order
/// (status, headers, body, JSON, latency). An empty result means all held.
#[must_use]
pub fn check(response: &HttpResponse, expect: &Expectations) -> Vec<Failure> {
    let mut failures = Vec::new();
    if let Some(status) = &expect.status
        && !status.contains(response.status)
    {
        failures.push(Failure {
            source: Source::Status,
            expected: Expected::Status(status.clone()),
            actual: Actual::Status(response.status),
        });
    }
    for rule in &expect.headers {
        failures.extend(check_header(response, rule));
    }
    let text = String::from_utf8_lossy(&response.body);
    if let Some(pattern) = &expect.body
        && !pattern.0.is_match(&text)
    {
        failures.push(Failure {
            source: Source::Body,
            expected: Expected::BodyMatches(pattern.clone()),
            actual: Actual::Body,
        });
    }
    if !expect.json.is_empty() {
        match serde_json::from_str::<Value>(&text) {
            Ok(json) => failures.extend(expect.json.iter().filter_map(|r| check_json(&json, r))),
            Err(_) => failures.push(Failure {
                source: Source::Body,
                expected: Expected::BodyJson,
                actual: Actual::NotJson,
            }),
        }
    }
    if let Some(budget) = expect.max_latency
        && response.elapsed > budget
    {
        failures.push(Failure {
            source: Source::Latency,
            expected: Expected::LatencyWithin(budget),
            actual: Actual::Latency(response.elapsed),
        });
    }
    failures
}

fn check_header(response: &HttpResponse, rule: &HeaderRule) -> Option<Failure> {
    let failure = |expected, actual| {
        Some(Failure {
            source: Source::Header(rule.name.clone()),
            expected,
            actual,
        })
    };
    let expected = match &rule.test {
        HeaderTest::Exists => Expected::HeaderExists,
        HeaderTest::Equals(v) => Expected::HeaderEquals(v.clone()),
        HeaderTest::Contains(v) => Expected::HeaderContains(v.clone()),
        HeaderTest::Matches(p) => Expected::HeaderMatches(p.clone()),
    };
    let Some(value) = response.header(&rule.name) else {
        return failure(expected, Actual::Missing);
    };
    let holds = match &rule.test {
        HeaderTest::Exists => true,
        HeaderTest::Equals(v) => value == v,
        HeaderTest::Contains(v) => value.contains(v.as_str()),
        HeaderTest::Matches(p) => p.0.is_match(value),
    };
    if holds {
        None
    } else {
        failure(
            expected,
            Actual::Text(redact::header_value(&rule.name, value)),
        )
    }
}

/// The first failing test of a JSON rule, if any.
#[must_use]
pub fn check_json(json: &Value, rule: &JsonRule) -> Option<Failure> {
    let nodes = rule.path.path.query(json).all();
    let failure = |expected, actual| {
        Some(Failure {
            source: Source::JsonPath(rule.path.text.clone()),
            expected,
            actual,
        })
    };
    let Some(&first) = nodes.first() else {
        return failure(Expected::JsonSelects, Actual::Missing);
    };
    for test in &rule.tests {
        match test {
            JsonTest::Equals(expected) if !nodes.contains(&expected) => {
                return failure(
                    Expected::JsonEquals(expected.clone()),
                    Actual::Json(first.clone()),
                );
            }
            JsonTest::Matches(pattern) => {
                let text = match first {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if !pattern.0.is_match(&text) {
                    return failure(
                        Expected::JsonMatches(pattern.clone()),
                        Actual::Json(first.clone()),
                    );
                }
            }
            JsonTest::Equals(_) => {}
        }
    }
    None
}

fn millis(d: Duration) -> String {
    format!("{}ms", d.as_millis())
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Status(set) => write!(f, "status {set}"),
            Expected::HeaderExists => f.write_str("present"),
            Expected::HeaderEquals(v) => write!(f, "{v:?}"),
            Expected::HeaderContains(v) => write!(f, "containing {v:?}"),
            Expected::HeaderMatches(p) | Expected::BodyMatches(p) | Expected::JsonMatches(p) => {
                write!(f, "matching /{}/", p.0.as_str())
            }
            Expected::JsonSelects => f.write_str("a value"),
            Expected::JsonEquals(v) => write!(f, "{v}"),
            Expected::BodyJson => f.write_str("JSON"),
            Expected::LatencyWithin(d) => write!(f, "within {}", millis(*d)),
        }
    }
}

impl fmt::Display for Actual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actual::Status(s) => write!(f, "{s}"),
            Actual::Missing => f.write_str("missing"),
            Actual::Text(t) => write!(f, "{t:?}"),
            Actual::Json(v) => write!(f, "{v}"),
            Actual::NotJson => f.write_str("not JSON"),
            Actual::Body => f.write_str("the body"),
            Actual::Latency(d) => f.write_str(&millis(*d)),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Status => f.write_str("status"),
            Source::Header(name) => write!(f, "header {name}"),
            Source::JsonPath(path) => f.write_str(path),
            Source::Body => f.write_str("body"),
            Source::Latency => f.write_str("latency"),
        }
    }
}

/// One line a person reads, e.g. `header X-Total-Count missing` or
/// `$.status is "down", expected "up"`.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.expected, &self.actual) {
            (Expected::Status(set), _) => write!(f, "expected {set}"),
            (_, Actual::Missing) if matches!(self.source, Source::Header(_)) => {
                write!(f, "{} missing", self.source)
            }
            (Expected::JsonSelects, _) => write!(f, "{} matched nothing", self.source),
            (Expected::HeaderMatches(p), Actual::Text(v)) => {
                write!(
                    f,
                    "{} = {v:?} does not match /{}/",
                    self.source,
                    p.0.as_str()
                )
            }
            (Expected::HeaderEquals(_) | Expected::HeaderContains(_), Actual::Text(v)) => {
                write!(f, "{} = {v:?}, expected {}", self.source, self.expected)
            }
            (Expected::BodyMatches(p), _) => write!(f, "body does not match /{}/", p.0.as_str()),
            (Expected::BodyJson, _) => f.write_str("body is not JSON"),
            (Expected::JsonEquals(v), Actual::Json(got)) => {
                write!(f, "{} is {got}, expected {v}", self.source)
            }
            (Expected::JsonMatches(p), Actual::Json(got)) => {
                write!(
                    f,
                    "{} is {got}, expected to match /{}/",
                    self.source,
                    p.0.as_str()
                )
            }
            (Expected::LatencyWithin(budget), Actual::Latency(took)) => {
                write!(f, "took {}, budget {}", millis(*took), millis(*budget))
            }
            _ => write!(
                f,
                "{}: expected {}, got {}",
                self.source, self.expected, self.actual
            ),
        }
    }
}

impl Serialize for Failure {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("Failure", 4)?;
        s.serialize_field("source", &self.source.to_string())?;
        s.serialize_field("expected", &self.expected.to_string())?;
        s.serialize_field("actual", &self.actual.to_string())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str, ms: u64) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
            elapsed: Duration::from_millis(ms),
        }
    }

    fn header(name: &str, test: HeaderTest) -> HeaderRule {
        HeaderRule {
            name: name.into(),
            test,
        }
    }

    fn json(path: &str, tests: Vec<JsonTest>) -> JsonRule {
        JsonRule {
            path: path.parse().unwrap(),
            tests,
        }
    }

    #[test]
    fn everything_holds_on_a_good_response() {
        let r = response(
            200,
            &[
                ("Cache-Control", "public, max-age=300"),
                ("X-Total-Count", "2"),
            ],
            r#"{"skills":[{"name":"Rust"},{"name":"Go"}]}"#,
            20,
        );
        let expect = Expectations {
            status: Some("2xx".parse().unwrap()),
            headers: vec![
                header(
                    "cache-control",
                    HeaderTest::Equals("public, max-age=300".into()),
                ),
                header("Cache-Control", HeaderTest::Contains("max-age".into())),
                header(
                    "X-Total-Count",
                    HeaderTest::Matches("^\\d+$".parse().unwrap()),
                ),
                header("x-total-count", HeaderTest::Exists),
            ],
            json: vec![json(
                "$.skills[*].name",
                vec![
                    JsonTest::Equals("Go".into()),
                    JsonTest::Matches("^R".parse().unwrap()),
                ],
            )],
            body: Some("skills".parse().unwrap()),
            max_latency: Some(Duration::from_millis(200)),
        };
        assert!(check(&r, &expect).is_empty());
    }

    #[test]
    fn each_failure_names_expected_actual_and_source() {
        let r = response(
            503,
            &[
                ("Cache-Control", "no-store"),
                ("Authorization", "Bearer s3cret"),
            ],
            r#"{"status":"down","n":"8"}"#,
            350,
        );
        let expect = Expectations {
            status: Some("200".parse().unwrap()),
            headers: vec![
                header("X-Total-Count", HeaderTest::Exists),
                header(
                    "Cache-Control",
                    HeaderTest::Equals("public, max-age=300".into()),
                ),
                header(
                    "Authorization",
                    HeaderTest::Matches("^Basic".parse().unwrap()),
                ),
            ],
            json: vec![
                json("$.status", vec![JsonTest::Equals("up".into())]),
                json("$.n", vec![JsonTest::Equals(8.into())]),
                json("$.missing", vec![]),
            ],
            body: None,
            max_latency: Some(Duration::from_millis(200)),
        };
        let failures = check(&r, &expect);
        let lines: Vec<String> = failures.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "expected 200",
                "header X-Total-Count missing",
                "header Cache-Control = \"no-store\", expected \"public, max-age=300\"",
                "header Authorization = \"***\" does not match /^Basic/",
                "$.status is \"down\", expected \"up\"",
                "$.n is \"8\", expected 8",
                "$.missing matched nothing",
                "took 350ms, budget 200ms",
            ]
        );
        assert_eq!(failures[0].actual, Actual::Status(503));
        assert_eq!(failures[2].source, Source::Header("Cache-Control".into()));
        assert_eq!(failures[5].source, Source::JsonPath("$.n".into()));
        assert_eq!(failures[5].actual.to_string(), "\"8\"");
        assert_eq!(failures[5].expected.to_string(), "8");
        // A secret header's value never shows, in any rendering.
        let json = serde_json::to_string(&failures).unwrap();
        assert!(!json.contains("s3cret"), "{json}");
    }

    #[test]
    fn a_body_that_is_not_json_fails_json_rules_once() {
        let r = response(200, &[], "<html>", 1);
        let expect = Expectations {
            json: vec![json("$.a", vec![]), json("$.b", vec![])],
            body: Some("^\\{".parse().unwrap()),
            ..Expectations::default()
        };
        let lines: Vec<String> = check(&r, &expect).iter().map(ToString::to_string).collect();
        assert_eq!(lines, ["body does not match /^\\{/", "body is not JSON"]);
    }

    #[test]
    fn the_first_failing_json_test_wins() {
        let value = serde_json::json!({"status": "ok"});
        let rule = json(
            "$.status",
            vec![
                JsonTest::Matches("^o".parse().unwrap()),
                JsonTest::Equals("up".into()),
            ],
        );
        let failure = check_json(&value, &rule).unwrap();
        assert!(matches!(failure.expected, Expected::JsonEquals(_)));
        let rule = json("$.status", vec![JsonTest::Matches("^u".parse().unwrap())]);
        assert_eq!(
            check_json(&value, &rule).unwrap().to_string(),
            "$.status is \"ok\", expected to match /^u/"
        );
    }
}
