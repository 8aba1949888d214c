//! `skillsctl smoke` against the real Node reference backend (PostgreSQL and
//! Redis behind it) and against scripted loopback servers: the shipped suite
//! passes, a backend broken on purpose fails with the exact failures, bad
//! suites stop before anything is sent, secrets never show.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::http::{Reply, TestServer};
use crate::support::node::{Backend, PrivateRedis};
use crate::support::{PostgresDb, TestContext};

/// The backend's Redis: a database of its own on the machine's server.
const BACKEND_REDIS: &str = "redis://127.0.0.1:6379/12";

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn with_suite() -> TestContext {
    TestContext::builder().fixture("smoke", "smoke").build()
}

/// `smoke --format json` on the shipped suite against `backend`.
fn run_shipped(
    ctx: &TestContext,
    backend: &Backend,
    extra: &[&str],
    code: i32,
) -> serde_json::Value {
    let mut args = vec!["--format", "json", "smoke", "smoke/skills-api.toml"];
    args.extend_from_slice(extra);
    ctx.cmd(args)
        .env("BASE_URL", &backend.server.url)
        .env("API_TOKEN", &backend.token)
        .expect_code(code)
        .json()
}

fn failed_step<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| {
            t["steps"]
                .as_array()
                .unwrap()
                .iter()
                .chain(t["teardown"].as_array().unwrap())
        })
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {report}"))
}

fn messages(step: &serde_json::Value) -> Vec<String> {
    step["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_shipped_suite_passes_against_the_reference_backend() {
    let db = PostgresDb::create();
    let backend = Backend::start(&db.url, BACKEND_REDIS, &[]);
    let ctx = with_suite();
    let report = run_shipped(&ctx, &backend, &["--junit", "smoke.xml"], 0);
    let summary = &report["summary"];
    assert_eq!(
        (summary["passed"].as_u64(), summary["failed"].as_u64()),
        (Some(7), Some(0)),
        "{report}"
    );
    assert!(
        summary["requests"].as_u64().unwrap() > 100,
        "the rate-limit bursts ran: {summary}"
    );
    // One JUnit testcase per request step, teardown included.
    let steps: usize = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["steps"].as_array().unwrap().len() + t["teardown"].as_array().unwrap().len())
        .sum();
    let junit = ctx.read("smoke.xml");
    assert_eq!(junit.matches("<testcase ").count(), steps, "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
    assert!(!junit.contains(&backend.token) && !ctx.read("smoke.xml").is_empty());
    // The teardown removed what the CRUD test made.
    assert_eq!(
        db.rows("SELECT count(*)::text FROM skills"),
        [["0".to_owned()]]
    );
}

#[test]
fn a_wrong_status_and_a_missing_header_are_reported_exactly() {
    let db = PostgresDb::create();
    let ctx = with_suite();
    let broken = Backend::start(&db.url, BACKEND_REDIS, &[("BREAK", "status")]);
    let report = run_shipped(&ctx, &broken, &["--filter", "crud"], 1);
    let list = failed_step(&report, "list skills");
    assert_eq!(list["outcome"], "failed");
    assert_eq!(list["status"], 500);
    let found = messages(list);
    assert_eq!(found[0], "status 500, expected 200", "{found:?}");
    assert_eq!(list["failures"][0]["source"], "status");
    assert_eq!(list["response"]["status"], 500);
    assert!(
        list["request"]["url"]
            .as_str()
            .unwrap()
            .contains("/api/v1/skills")
    );
    assert_eq!(failed_step(&report, "delete")["outcome"], "skipped");
    // The teardown ran after the failure and cleaned up.
    assert_eq!(
        db.rows("SELECT count(*)::text FROM skills"),
        [["0".to_owned()]]
    );
    drop(broken);

    let no_header = Backend::start(&db.url, BACKEND_REDIS, &[("BREAK", "header")]);
    let report = run_shipped(&ctx, &no_header, &["--filter", "crud"], 1);
    let list = failed_step(&report, "list skills");
    assert_eq!(messages(list), ["header X-Total-Count missing"], "{list}");
    assert_eq!(list["failures"][0]["expected"], "present");
    assert_eq!(list["failures"][0]["actual"], "missing");
}

#[test]
fn a_slow_endpoint_blows_its_latency_budget() {
    let db = PostgresDb::create();
    let slow = Backend::start(&db.url, BACKEND_REDIS, &[("SLOW_MS", "400")]);
    let ctx = TestContext::builder()
        .file(
            "slow.toml",
            "base_url = \"${BASE_URL}\"\n[vars]\ntoken = { value = \"${API_TOKEN}\", secret = true }\n\n[[test]]\nname = \"list\"\n\n[[test.step]]\npath = \"/api/v1/skills\"\nheaders = { Authorization = \"Bearer {{token}}\" }\nexpect = { status = 200, latency = \"< 200ms\" }\n",
        )
        .build();
    let out = ctx
        .cmd(["--format", "json", "smoke", "slow.toml"])
        .env("BASE_URL", &slow.server.url)
        .env("API_TOKEN", &slow.token)
        .expect_code(1);
    let report = out.json();
    let step = failed_step(&report, "GET /api/v1/skills");
    let failure = &step["failures"][0];
    assert_eq!(
        (failure["source"].as_str(), failure["expected"].as_str()),
        (Some("latency"), Some("within 200ms"))
    );
    assert!(
        failure["message"].as_str().unwrap().starts_with("took 4"),
        "{failure}"
    );
    assert_eq!(step["status"], 200);
}

#[test]
fn redis_gone_turns_health_into_503() {
    let db = PostgresDb::create();
    let mut redis = PrivateRedis::start();
    let backend = Backend::start(&db.url, &redis.url, &[]);
    let ctx = with_suite();
    run_shipped(&ctx, &backend, &["--filter", "health"], 0);
    redis.stop();
    let report = run_shipped(&ctx, &backend, &["--filter", "health"], 1);
    let health = failed_step(&report, "GET /api/health");
    let found = messages(health);
    assert_eq!(found[0], "status 503, expected 200", "{found:?}");
    assert!(
        found.contains(&"$.status is \"unhealthy\", expected \"healthy\"".to_owned()),
        "{found:?}"
    );
    assert!(
        found.contains(&"$.checks[1].status is \"unhealthy\", expected \"healthy\"".to_owned()),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|m| m.contains("$.checks[0].status")),
        "the database is still fine: {found:?}"
    );
}

#[test]
fn an_unreachable_backend_stops_the_run_with_exit_3_and_its_url() {
    let port = closed_port();
    let ctx = with_suite();
    let out = ctx
        .cmd(["smoke", "smoke/skills-api.toml"])
        .env("BASE_URL", format!("http://user:hunter2@127.0.0.1:{port}"))
        .expect_code(3);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr
            .contains(&format!("cannot reach http://user:***@127.0.0.1:{port}")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("refused"), "{}", out.stderr);
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
}

/// A server that answers 200 `{}` and counts what it gets.
fn counting_server() -> (TestServer, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&hits);
    let server = TestServer::start(move |_, _| {
        seen.fetch_add(1, Ordering::SeqCst);
        Reply::json(200, "{}")
    });
    (server, hits)
}

fn suite(base: &str, steps: &str) -> String {
    format!("base_url = \"{base}\"\n\n[[test]]\nname = \"t\"\n\n{steps}")
}

/// A temp dir with one suite file on `server`'s base URL.
fn one_suite(file: &str, server: &TestServer, steps: &str) -> TestContext {
    TestContext::builder()
        .file(file, &suite(&server.url(""), steps))
        .build()
}

fn smoke_error(files: &[(&str, &str)]) -> String {
    let mut builder = TestContext::builder();
    for (path, text) in files {
        builder = builder.file(path, text);
    }
    let ctx = builder.build();
    let mut args = vec!["smoke"];
    args.extend(files.iter().map(|(p, _)| *p));
    let out = ctx.cmd(args).expect_code(2);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    out.stderr
}

#[test]
fn invalid_suites_exit_2_naming_file_line_column_and_key_before_anything_is_sent() {
    let (server, hits) = counting_server();
    let base = server.url("");
    let good = suite(&base, "[[test.step]]\npath = \"/ok\"\n");
    let unknown_key = suite(&base, "[[test.step]]\npth = \"/x\"\n");
    let undefined = suite(&base, "[[test.step]]\npath = \"/skills/{{skill_id}}\"\n");
    let bad_regex = suite(
        &base,
        "[[test.step]]\npath = \"/x\"\nexpect.body = { matches = \"(\" }\n",
    );
    let stderr = smoke_error(&[
        ("good.toml", &good),
        ("unknown.toml", &unknown_key),
        ("undefined.toml", &undefined),
        ("regex.toml", &bad_regex),
    ]);
    insta::assert_snapshot!("smoke_invalid_suites", stderr.replace(&base, "[BASE]"));
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing was sent");
}

#[test]
fn a_capture_used_before_it_is_made_is_refused() {
    let stderr = smoke_error(&[(
        "early.toml",
        "base_url = \"http://127.0.0.1:1\"\n[[test]]\nname = \"t\"\n[[test.step]]\npath = \"/a/{{id}}\"\ncapture = { id = \"$.id\" }\n",
    )]);
    insta::assert_snapshot!("smoke_capture_before_made", stderr);
}

#[test]
fn check_validates_and_sends_nothing() {
    let (server, hits) = counting_server();
    let ctx = one_suite(
        "a.toml",
        &server,
        "[[test.step]]\npath = \"/a\"\n[[test.step]]\npath = \"/b\"\n",
    );
    let report = ctx
        .cmd(["--format", "json", "smoke", "--check", "a.toml"])
        .expect_code(0)
        .json();
    assert_eq!(report["suites"][0]["steps"], 2);
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    let with_suite = with_suite();
    with_suite
        .cmd(["smoke", "--check", "smoke/*.toml"])
        .expect_code(0);
}

#[test]
fn captures_chain_requests_and_secrets_never_show() {
    // Login answers a token; /me needs it and echoes it back with a 500.
    let server = TestServer::start(|req, _| match req.path.as_str() {
        "/login" => Reply::json(200, r#"{"token":"SECRET-TOKEN-123"}"#),
        "/me" if req.header("authorization") == Some("Bearer SECRET-TOKEN-123") => Reply::json(
            500,
            r#"{"error":"boom","token":"SECRET-TOKEN-123","password":"hunter2-secret","cookie":"cookie-secret-9"}"#,
        ),
        _ => Reply::json(401, r#"{"error":"who are you"}"#),
    });
    let text = suite(
        &server.url(""),
        "[[test.step]]\nmethod = \"POST\"\npath = \"/login\"\njson = { password = \"{{pw}}\" }\ncapture = { token = { json = \"$.token\", secret = true } }\n\n[[test.step]]\npath = \"/me\"\nheaders = { Authorization = \"Bearer {{token}}\", \"X-Password\" = \"{{pw}}\" }\nexpect.status = 200\n",
    );
    let ctx = TestContext::builder().file("s.toml", &text).build();
    let mut outputs = Vec::new();
    for format in ["table", "json"] {
        let out = ctx
            .cmd([
                "--format",
                format,
                "smoke",
                "s.toml",
                "--secret-var",
                "pw=hunter2-secret",
                "-H",
                "Cookie: session=cookie-secret-9",
                "--junit",
                "out.xml",
            ])
            .expect_code(1);
        // The failure shows the request and the answer, masked.
        assert!(
            out.stdout.contains("status 500, expected 200"),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("boom"), "{}", out.stdout);
        outputs.push(out.stdout);
        outputs.push(out.stderr);
        outputs.push(ctx.read("out.xml"));
    }
    for text in &outputs {
        for secret in ["SECRET-TOKEN-123", "hunter2-secret", "cookie-secret-9"] {
            assert!(!text.contains(secret), "{secret} shown in:\n{text}");
        }
    }
    assert!(outputs[0].contains("Authorization: ***"), "{}", outputs[0]);
}

#[test]
fn repeat_with_expect_last_checks_a_rate_limit() {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let limited = TestServer::start(move |_, _| {
        if seen.fetch_add(1, Ordering::SeqCst) >= 3 {
            Reply::json(429, r#"{"error":"Rate limit exceeded"}"#)
        } else {
            Reply::json(201, "{}")
        }
    });
    let step = "[[test.step]]\nmethod = \"POST\"\npath = \"/w\"\nrepeat = 5\nexpect_last = 429\nexpect.status = [201, 429]\n";
    let ctx = one_suite("limited.toml", &limited, step);
    let report = ctx
        .cmd(["--format", "json", "smoke", "limited.toml"])
        .expect_code(0)
        .json();
    assert_eq!(report["tests"][0]["steps"][0]["requests"], 5);
    assert_eq!(count.load(Ordering::SeqCst), 5);
    let (open, _) = counting_server();
    let ctx = one_suite(
        "open.toml",
        &open,
        &step.replace("[201, 429]", "[200, 429]"),
    );
    let report = ctx
        .cmd(["--format", "json", "smoke", "open.toml"])
        .expect_code(1)
        .json();
    assert_eq!(
        messages(&report["tests"][0]["steps"][0]),
        ["expected 429 on the last of 5 requests, got 200"]
    );
}

#[test]
fn a_bad_ca_file_is_a_usage_error_naming_it() {
    let (server, hits) = counting_server();
    let ctx = TestContext::builder()
        .file(
            "s.toml",
            &suite(&server.url(""), "[[test.step]]\npath = \"/x\"\n"),
        )
        .file("bad.pem", "not a certificate")
        .build();
    let out = ctx
        .cmd(["smoke", "s.toml", "--ca-cert", "bad.pem"])
        .expect_code(2);
    assert!(out.stderr.contains("bad.pem"), "{}", out.stderr);
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[test]
fn failed_assertions_are_never_retried() {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let server = TestServer::start(move |_, _| {
        seen.fetch_add(1, Ordering::SeqCst);
        Reply::json(500, "{}")
    });
    let ctx = one_suite("s.toml", &server, "[[test.step]]\npath = \"/x\"\n");
    ctx.cmd(["smoke", "s.toml", "--retries", "3"])
        .expect_code(1);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn fail_fast_skips_the_tests_not_yet_started() {
    let server =
        TestServer::start(|req, _| Reply::json(if req.path == "/bad" { 500 } else { 200 }, "{}"));
    let text = format!(
        "base_url = \"{}\"\n[[test]]\nname = \"first\"\n[[test.step]]\npath = \"/bad\"\n[[test]]\nname = \"second\"\n[[test.step]]\npath = \"/ok\"\n",
        server.url("")
    );
    let ctx = TestContext::builder().file("s.toml", &text).build();
    let report = ctx
        .cmd([
            "--format",
            "json",
            "smoke",
            "s.toml",
            "--jobs",
            "1",
            "--fail-fast",
        ])
        .expect_code(1)
        .json();
    assert_eq!(report["tests"][1]["outcome"], "skipped");
    assert_eq!(report["summary"]["skipped"], 1);
    let report = ctx
        .cmd(["--format", "json", "smoke", "s.toml", "--jobs", "1"])
        .expect_code(1)
        .json();
    assert_eq!(report["tests"][1]["outcome"], "passed");
}

#[test]
fn json_bodies_that_differ_come_with_a_diff_by_path() {
    let server = TestServer::start(|_, _| {
        Reply::json(
            200,
            r#"{"skills":[{"name":"Rust","proficiency":8},{"name":"Go","proficiency":"8"}]}"#,
        )
    });
    let step = "[[test.step]]\npath = \"/skills\"\nexpect.json = { \"$\" = { equals = { skills = [{ name = \"Rust\", proficiency = 8 }, { name = \"Go\", proficiency = 8 }] } } }\n";
    let ctx = one_suite("s.toml", &server, step);
    let out = ctx.cmd(["smoke", "s.toml"]).expect_code(1);
    assert!(
        out.stdout
            .contains("$.skills[1].proficiency: expected 8, got \"8\""),
        "{}",
        out.stdout
    );
}

#[test]
fn load_mode_reports_percentiles_and_fails_on_a_threshold() {
    let (server, hits) = counting_server();
    let ctx = one_suite(
        "s.toml",
        &server,
        "[[test.step]]\npath = \"/x\"\nexpect.json = { \"$\" = {} }\n",
    );
    let report = ctx
        .cmd([
            "--format",
            "json",
            "smoke",
            "s.toml",
            "--repeat",
            "40",
            "--concurrency",
            "4",
            "--threshold",
            "p95 < 5s",
            "--threshold",
            "errors < 1%",
        ])
        .expect_code(0)
        .json();
    let load = &report["load"];
    assert_eq!(
        (load["requests"].as_u64(), load["errors"].as_u64()),
        (Some(40), Some(0)),
        "{load}"
    );
    assert!(
        load["p95_ms"].as_f64().unwrap() > 0.0 && load["rps"].as_f64().unwrap() > 0.0,
        "{load}"
    );
    assert_eq!(load["thresholds"][0]["passed"], true);
    assert_eq!(hits.load(Ordering::SeqCst), 40);
    let out = ctx
        .cmd([
            "smoke",
            "s.toml",
            "--repeat",
            "5",
            "--threshold",
            "max < 0ms",
        ])
        .expect_code(1);
    assert!(out.stdout.contains("✗ max < 0ms"), "{}", out.stdout);
}

#[test]
fn env_sections_and_vars_choose_where_requests_go() {
    let (staging, hits) = counting_server();
    let text = format!(
        "base_url = \"http://127.0.0.1:{}\"\n[vars]\nwho = \"suite\"\n[env.staging]\nbase_url = \"{}\"\n[[test]]\nname = \"t\"\n[[test.step]]\npath = \"/hello/{{{{who}}}}\"\n",
        closed_port(),
        staging.url("")
    );
    let ctx = TestContext::builder().file("s.toml", &text).build();
    let report = ctx
        .cmd([
            "--format", "json", "smoke", "s.toml", "--env", "staging", "--var", "who=cli",
        ])
        .expect_code(0)
        .json();
    assert!(
        report["tests"][0]["steps"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/hello/cli")
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let out = ctx.cmd(["smoke", "s.toml", "--env", "prod"]).expect_code(2);
    assert!(
        out.stderr
            .contains("--env prod: the suite has no [env.prod] (it has: staging)"),
        "{}",
        out.stderr
    );
    let out = ctx
        .cmd(["smoke", "s.toml", "--var", "no equals"])
        .expect_code(2);
    assert!(out.stderr.contains("--var `no equals`"), "{}", out.stderr);
}

#[test]
fn suites_come_from_the_config_when_none_are_given() {
    let (server, hits) = counting_server();
    let ctx = TestContext::builder()
        .file("skillsctl.toml", "[smoke]\nsuites = [\"smoke/*.toml\"]\n")
        .file(
            "smoke/a.toml",
            &suite(&server.url(""), "[[test.step]]\npath = \"/a\"\n"),
        )
        .file(
            "smoke/b.toml",
            &suite(&server.url(""), "[[test.step]]\npath = \"/b\"\n"),
        )
        .build();
    let report = ctx.cmd(["--format", "json", "smoke"]).expect_code(0).json();
    assert_eq!(report["summary"]["passed"], 2);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    let empty = TestContext::new();
    let out = empty.cmd(["smoke"]).expect_code(2);
    assert!(out.stderr.contains("no suites"), "{}", out.stderr);
}
