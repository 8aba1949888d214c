//! What an HTTP response must show, and what it showed instead: status sets,
//! header rules, RFC 9535 JSON path rules, a body regex and a latency budget.
//! Pure and shared: health-check judges health endpoints with it, smoke judges
//! every step, rollout's gates both. Each failure says what was expected, the
//! actual value and where it came from (the status, a header, a JSON path).
//!
//! - [`diff`]: a readable difference of two JSON values, path by path.
//! - [`schema`]: JSON Schema (draft 2020-12) as an expectation.

pub mod diff;
pub mod schema;

use std::fmt;
use std::sync::Arc;
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
    /// Text the body must contain.
    pub body_contains: Option<String>,
    pub schema: Option<Arc<schema::Schema>>,
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
    /// The header must not be there.
    Absent,
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
    /// The first selected value holds this: a substring of a string, an
    /// element of an array, a key of an object.
    Contains(Value),
    Type(JsonType),
    /// Characters of a string, elements of an array, keys of an object.
    Length(usize),
    /// Whether the path selects anything (`exists = false`: it must not).
    Exists(bool),
    /// A numeric comparison of the first selected value.
    Compare(Comparison, f64),
}

/// JSON value types, as JSON Schema names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Null,
}

impl JsonType {
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "string" => JsonType::String,
            "number" => JsonType::Number,
            "integer" => JsonType::Integer,
            "boolean" => JsonType::Boolean,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            "null" => JsonType::Null,
            _ => return None,
        })
    }

    #[must_use]
    pub fn of(value: &Value) -> Self {
        match value {
            Value::String(_) => JsonType::String,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::Bool(_) => JsonType::Boolean,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
            Value::Null => JsonType::Null,
        }
    }

    fn holds(self, value: &Value) -> bool {
        let actual = JsonType::of(value);
        actual == self || (self == JsonType::Number && actual == JsonType::Integer)
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Array => "array",
            JsonType::Object => "object",
            JsonType::Null => "null",
        }
    }
}

/// `gt`, `gte`, `lt`, `lte`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

impl Comparison {
    fn holds(self, actual: f64, bound: f64) -> bool {
        match self {
            Comparison::Greater => actual > bound,
            Comparison::GreaterOrEqual => actual >= bound,
            Comparison::Less => actual < bound,
            Comparison::LessOrEqual => actual <= bound,
        }
    }

    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
        }
    }
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
    HeaderAbsent,
    HeaderEquals(String),
    HeaderContains(String),
    HeaderMatches(Pattern),
    JsonSelects,
    JsonSelectsNothing,
    JsonEquals(Value),
    JsonMatches(Pattern),
    JsonContains(Value),
    JsonType(JsonType),
    JsonLength(usize),
    JsonCompare(Comparison, f64),
    BodyJson,
    BodyMatches(Pattern),
    BodyContains(String),
    /// Valid against the JSON Schema.
    Schema,
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
    /// What the schema found, one line per violation (`/path: message`).
    Violations(Vec<String>),
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
    if let Some(needle) = &expect.body_contains
        && !text.contains(needle.as_str())
    {
        failures.push(Failure {
            source: Source::Body,
            expected: Expected::BodyContains(needle.clone()),
            actual: Actual::Body,
        });
    }
    if !expect.json.is_empty() || expect.schema.is_some() {
        match serde_json::from_str::<Value>(&text) {
            Ok(json) => {
                failures.extend(expect.json.iter().filter_map(|r| check_json(&json, r)));
                if let Some(schema) = &expect.schema {
                    failures.extend(schema.check(&json));
                }
            }
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
    if let HeaderTest::Absent = rule.test {
        return response.header(&rule.name).map(|value| Failure {
            source: Source::Header(rule.name.clone()),
            expected: Expected::HeaderAbsent,
            actual: Actual::Text(redact::header_value(&rule.name, value)),
        });
    }
    let expected = match &rule.test {
        HeaderTest::Exists | HeaderTest::Absent => Expected::HeaderExists,
        HeaderTest::Equals(v) => Expected::HeaderEquals(v.clone()),
        HeaderTest::Contains(v) => Expected::HeaderContains(v.clone()),
        HeaderTest::Matches(p) => Expected::HeaderMatches(p.clone()),
    };
    let Some(value) = response.header(&rule.name) else {
        return failure(expected, Actual::Missing);
    };
    let holds = match &rule.test {
        HeaderTest::Exists | HeaderTest::Absent => true,
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
    if rule
        .tests
        .iter()
        .any(|t| matches!(t, JsonTest::Exists(false)))
    {
        return nodes
            .first()
            .and_then(|&first| failure(Expected::JsonSelectsNothing, Actual::Json(first.clone())));
    }
    let Some(&first) = nodes.first() else {
        return failure(Expected::JsonSelects, Actual::Missing);
    };
    for test in &rule.tests {
        let expected = match test {
            JsonTest::Equals(expected) if !nodes.contains(&expected) => {
                Expected::JsonEquals(expected.clone())
            }
            JsonTest::Matches(pattern) if !pattern.0.is_match(&text_of(first)) => {
                Expected::JsonMatches(pattern.clone())
            }
            JsonTest::Contains(needle) if !contains(first, needle) => {
                Expected::JsonContains(needle.clone())
            }
            JsonTest::Type(kind) if !kind.holds(first) => Expected::JsonType(*kind),
            JsonTest::Length(n) if length(first) != Some(*n) => Expected::JsonLength(*n),
            JsonTest::Compare(op, bound)
                if !first.as_f64().is_some_and(|v| op.holds(v, *bound)) =>
            {
                Expected::JsonCompare(*op, *bound)
            }
            _ => continue,
        };
        return failure(expected, Actual::Json(first.clone()));
    }
    None
}

/// A string as it is, anything else as JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn contains(haystack: &Value, needle: &Value) -> bool {
    match (haystack, needle) {
        (Value::String(s), Value::String(n)) => s.contains(n.as_str()),
        (Value::Array(items), _) => items.contains(needle),
        (Value::Object(map), Value::String(key)) => map.contains_key(key),
        _ => false,
    }
}

fn length(value: &Value) -> Option<usize> {
    match value {
        Value::String(s) => Some(s.chars().count()),
        Value::Array(items) => Some(items.len()),
        Value::Object(map) => Some(map.len()),
        _ => None,
    }
}

fn millis(d: Duration) -> String {
    format!("{}ms", d.as_millis())
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Status(set) => write!(f, "status {set}"),
            Expected::HeaderExists => f.write_str("present"),
            Expected::HeaderAbsent => f.write_str("absent"),
            Expected::HeaderEquals(v) => write!(f, "{v:?}"),
            Expected::HeaderContains(v) | Expected::BodyContains(v) => {
                write!(f, "containing {v:?}")
            }
            Expected::HeaderMatches(p) | Expected::BodyMatches(p) | Expected::JsonMatches(p) => {
                write!(f, "matching /{}/", p.0.as_str())
            }
            Expected::JsonSelects => f.write_str("a value"),
            Expected::JsonSelectsNothing => f.write_str("nothing"),
            Expected::JsonEquals(v) => write!(f, "{v}"),
            Expected::JsonContains(v) => write!(f, "containing {v}"),
            Expected::JsonType(kind) => write!(f, "a value of type {}", kind.name()),
            Expected::JsonLength(n) => write!(f, "length {n}"),
            Expected::JsonCompare(op, bound) => write!(f, "{} {bound}", op.symbol()),
            Expected::BodyJson => f.write_str("JSON"),
            Expected::Schema => f.write_str("valid against the schema"),
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
            Actual::Violations(lines) => f.write_str(&lines.join("; ")),
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
            (Expected::JsonSelectsNothing, Actual::Json(got)) => {
                write!(f, "{} is {got}, expected nothing there", self.source)
            }
            (Expected::Schema, Actual::Violations(lines)) => {
                write!(f, "body does not match the schema: {}", lines.join("; "))
            }
            (Expected::BodyContains(needle), _) => write!(f, "body does not contain {needle:?}"),
            (Expected::HeaderAbsent, Actual::Text(v)) => {
                write!(f, "{} = {v:?}, expected no such header", self.source)
            }
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
            (_, Actual::Json(got)) => {
                write!(f, "{} is {got}, expected {}", self.source, self.expected)
            }
            _ => write!(
                f,
                "{}: expected {}, got {}",
                self.source, self.expected, self.actual
            ),
        }
    }
}

impl Failure {
    /// For a JSON value that is not the expected object or array, the
    /// differences path by path (`$.skills[2].proficiency: expected 8, got "8"`).
    #[must_use]
    pub fn diff(&self) -> Vec<String> {
        match (&self.source, &self.expected, &self.actual) {
            (Source::JsonPath(path), Expected::JsonEquals(want), Actual::Json(got))
                if want.is_object() || want.is_array() =>
            {
                diff::json(path, want, got, diff::MAX_LINES)
            }
            _ => Vec::new(),
        }
    }
}

impl Serialize for Failure {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("Failure", 5)?;
        s.serialize_field("source", &self.source.to_string())?;
        s.serialize_field("expected", &self.expected.to_string())?;
        s.serialize_field("actual", &self.actual.to_string())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("diff", &self.diff())?;
        s.end()
    }
}

#[cfg(test)]
mod tests;
