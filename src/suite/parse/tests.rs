//! Loading suites: a full one, and each kind of mistake at its place.

use std::path::Path;

use super::*;
use crate::suite::model::{BodySpec, CaptureFrom, HeaderSpec, RequestTarget};

fn env(name: &str) -> Option<String> {
    (name == "API_TOKEN").then(|| "t0k3n".to_owned())
}

fn load(text: &str) -> Result<Suite, SuiteError> {
    load_with(text, None, &[])
}

fn load_with(text: &str, env_name: Option<&str>, vars: &[Var]) -> Result<Suite, SuiteError> {
    parse(
        text,
        Path::new("smoke/api.toml"),
        &LoadOptions {
            env: env_name,
            vars,
            lookup: &env,
        },
    )
}

const SUITE: &str = r#"
base_url = "http://127.0.0.1:3000"
tags = ["api"]

[vars]
category = "11111111-1111-4111-8111-111111111111"
token = { value = "${API_TOKEN}", secret = true }

[env.staging]
base_url = "https://staging.example.com"
vars = { category = "22222222-2222-4222-8222-222222222222" }

[defaults]
headers = { Authorization = "Bearer {{token}}" }
timeout = "3s"

[load]
repeat = 10
concurrency = 2
thresholds = ["p95 < 200ms", "errors < 1%"]

[[test]]
name = "skills CRUD"
tags = ["crud"]

[[test.step]]
name = "create"
method = "post"
path = "/api/v1/skills"
json = { name = "Rust", categoryId = "{{category}}", proficiency = 8, tags = ["a"] }
capture = { skill_id = "$.id", where = { header = "Location" }, secret_token = { json = "$.token", secret = true } }
expect.status = 201
expect.headers = { Location = { exists = true }, "Content-Type" = { contains = "json" } }
expect.json = { "$.name" = "Rust", "$.proficiency" = { gte = 0, lte = 10 }, "$.tags" = { type = "array", length = 1 } }

[[test.step]]
path = "/api/v1/skills/{{skill_id}}"
expect = { status = [200, "3xx"], latency = "< 200ms", body = { contains = "{{skill_id}}" } }

[[test.step]]
name = "limits"
method = "POST"
path = "/api/v1/skills"
form = { a = "1" }
repeat = 21
expect_last = 429

[[test.teardown]]
method = "DELETE"
path = "/api/v1/skills/{{skill_id}}"
expect.status = [204, 404]
"#;

#[test]
fn a_full_suite_loads() {
    let suite = load(SUITE).unwrap();
    assert_eq!(suite.name, "api");
    assert_eq!(suite.tags, ["api"]);
    let token = suite.vars.iter().find(|v| v.name == "token").unwrap();
    assert_eq!((token.value.as_str(), token.secret), ("t0k3n", true));
    assert_eq!(suite.defaults.headers.len(), 1);
    assert_eq!(
        suite.defaults.timeout,
        Some(std::time::Duration::from_secs(3))
    );
    let load = suite.load.as_ref().unwrap();
    assert_eq!(
        (load.repeat, load.concurrency, load.thresholds.len()),
        (10, 2, 2)
    );
    let test = &suite.tests[0];
    assert_eq!((test.steps.len(), test.teardown.len()), (3, 1));
    let create = &test.steps[0];
    assert_eq!(create.method, "POST");
    assert!(matches!(&create.body, BodySpec::Json(v) if v["proficiency"] == 8));
    assert_eq!(create.captures.len(), 3);
    assert!(matches!(create.captures[1].from, CaptureFrom::Header(ref h) if h == "Location"));
    assert!(create.captures[2].secret);
    assert_eq!(create.expect.json.len(), 3);
    assert_eq!(create.expect.json[1].1.len(), 2);
    assert!(matches!(create.expect.headers[0].1, HeaderSpec::Test(_)));
    let read = &test.steps[1];
    assert_eq!(read.name, "GET /api/v1/skills/{{skill_id}}");
    assert!(read.expect.status.as_ref().unwrap().contains(302));
    assert_eq!(
        read.expect.latency,
        Some(std::time::Duration::from_millis(200))
    );
    assert!(matches!(&read.target, RequestTarget::Path(_)));
    assert_eq!(
        (test.steps[2].repeat, test.steps[2].expect_last),
        (21, Some(429))
    );
}

#[test]
fn env_and_command_line_vars_override() {
    let vars = [Var {
        name: "token".into(),
        value: "cli".into(),
        secret: false,
    }];
    let suite = load_with(SUITE, Some("staging"), &vars).unwrap();
    let value = |name: &str| suite.vars.iter().find(|v| v.name == name).unwrap().clone();
    assert_eq!(
        value("category").value,
        "22222222-2222-4222-8222-222222222222"
    );
    assert_eq!(value("token").value, "cli");
    assert!(
        value("token").secret,
        "a secret stays secret when overridden"
    );
    let base = suite
        .base_url
        .as_ref()
        .unwrap()
        .render(&crate::suite::template::Vars::default());
    assert_eq!(base, "https://staging.example.com");
    let err = load_with(SUITE, Some("prod"), &[]).unwrap_err();
    assert!(
        err.message.contains("--env prod") && err.message.contains("staging"),
        "{err}"
    );
}

/// Replaces `find` in the sample suite and returns the error.
fn broken(find: &str, replace: &str) -> SuiteError {
    assert!(SUITE.contains(find), "{find}");
    load(&SUITE.replacen(find, replace, 1)).unwrap_err()
}

fn at(err: &SuiteError) -> (usize, usize, Option<&str>) {
    (err.line, err.column, err.key.as_deref())
}

#[test]
fn an_unknown_key_is_named_at_its_place() {
    let err = broken("name = \"create\"", "nmae = \"create\"");
    assert_eq!(at(&err), (27, 1, Some("test[0].step[0].nmae")));
    assert!(err.message.contains("unknown key `nmae`"), "{err}");
    assert_eq!(
        err.to_string().split(':').take(3).collect::<Vec<_>>(),
        ["smoke/api.toml", "27", "1"]
    );
}

#[test]
fn bad_values_are_named_at_their_place() {
    let err = broken("\"$.name\" = \"Rust\"", "\"$.name[\" = \"Rust\"");
    assert_eq!(
        err.key.as_deref(),
        Some("test[0].step[0].expect.json.\"$.name[\"")
    );
    assert!(err.message.contains("invalid JSON path"), "{err}");
    let err = broken(
        "Location = { exists = true }",
        "Location = { matches = \"(\" }",
    );
    assert!(err.message.contains("invalid regular expression"), "{err}");
    assert_eq!(err.line, 33);
    let err = broken("expect.status = 201", "expect.status = 2001");
    assert!(err.message.contains("2001"), "{err}");
    let err = broken("timeout = \"3s\"", "timeout = \"soon\"");
    assert_eq!(err.key.as_deref(), Some("defaults.timeout"));
    let err = broken("\"errors < 1%\"", "\"errors below 1%\"");
    assert_eq!(err.key.as_deref(), Some("load.thresholds[1]"));
    let err = broken("type = \"array\"", "type = \"list\"");
    assert!(err.message.contains("not a JSON type"), "{err}");
    let err = broken("method = \"post\"", "method = \"PO ST\"");
    assert!(err.message.contains("not an HTTP method"), "{err}");
    let err = broken("expect_last = 429", "expect_last = 42");
    assert_eq!(err.key.as_deref(), Some("test[0].step[2].expect_last"));
}

#[test]
fn undefined_variables_and_early_captures_are_refused() {
    let err = broken("{{category}}", "{{categry}}");
    assert!(
        err.message.contains("`{{categry}}` is not defined"),
        "{err}"
    );
    assert_eq!(
        (err.line, err.key.as_deref()),
        (30, Some("test[0].step[0].json.categoryId"))
    );
    // The first step cannot use what the first step captures.
    let err = broken(
        "path = \"/api/v1/skills\"\njson",
        "path = \"/api/v1/skills/{{skill_id}}\"\njson",
    );
    assert!(
        err.message.contains("`{{skill_id}}` is not defined"),
        "{err}"
    );
    let err = broken("${API_TOKEN}", "${MISSING_TOKEN}");
    assert!(err.message.contains("MISSING_TOKEN"), "{err}");
    assert_eq!(err.key.as_deref(), Some("vars.token.value"));
    let err = broken("Bearer {{token}}", "Bearer {{token");
    assert!(err.message.contains("unterminated"), "{err}");
}

#[test]
fn structure_mistakes_are_plain() {
    let err = load("base_url = \"http://x\"\n[[test]]\nname = \"t\"\n").unwrap_err();
    assert!(err.message.contains("at least one [[test.step]]"), "{err}");
    let err = load("[[test]]\nname = \"t\"\n[[test.step]]\npath = \"/x\"\n").unwrap_err();
    assert!(err.message.contains("needs `base_url`"), "{err}");
    assert_eq!(err.line, 3);
    let err = load("base_url = \"http://x\"\n[[test]]\nname = \"t\"\n[[test.step]]\npath = \"/x\"\njson = 1\nform = { a = \"b\" }\n").unwrap_err();
    assert!(err.message.contains("one body"), "{err}");
    let err = load("base_url = [\n").unwrap_err();
    assert!(err.message.starts_with("not valid TOML"), "{err}");
    assert_eq!(err.line, 1);
    let ok =
        load("[[test]]\nname = \"t\"\n[[test.step]]\nurl = \"http://127.0.0.1:1/x\"\n").unwrap();
    assert!(matches!(ok.tests[0].steps[0].target, RequestTarget::Url(_)));
}

#[test]
fn thresholds_parse() {
    let t = parse_threshold("p95 < 200ms").unwrap();
    assert_eq!(
        (t.metric, t.op, t.value),
        (Metric::Latency(95), ThresholdOp::Less, 200.0)
    );
    let t = parse_threshold("max <= 1s").unwrap();
    assert_eq!((t.metric, t.value), (Metric::Latency(100), 1000.0));
    let t = parse_threshold("errors < 0.5%").unwrap();
    assert_eq!((t.metric, t.value), (Metric::Errors, 0.5));
    let t = parse_threshold("rps >= 100").unwrap();
    assert_eq!((t.metric, t.op), (Metric::Rps, ThresholdOp::GreaterOrEqual));
    for bad in [
        "p95 200ms",
        "p95 < fast",
        "errors < 1",
        "cpu < 5%",
        "p95 < 200ms x",
    ] {
        assert!(parse_threshold(bad).is_err(), "{bad}");
    }
}
