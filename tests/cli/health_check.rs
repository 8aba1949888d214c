//! `skillsctl health-check` against the machine's real PostgreSQL, MariaDB, Redis,
//! RabbitMQ and NATS, closed ports, and loopback HTTP(S) servers the tests start.

use std::time::{Duration, Instant};

use crate::support::http::{Reply, TestServer};
use crate::support::tls::TestCa;
use crate::support::{MysqlDb, PostgresDb, RedisDb, TestContext};

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn json_check(ctx: &TestContext, args: &[&str], code: i32) -> serde_json::Value {
    let mut full = vec!["--format", "json", "health-check"];
    full.extend_from_slice(args);
    ctx.cmd(full).expect_code(code).json()
}

fn target<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no target {name} in {report}"))
}

#[test]
fn real_databases_up_and_down() {
    let pg = PostgresDb::create();
    let my = MysqlDb::create();
    let redis = RedisDb::create();
    let ctx = TestContext::new();
    let report = json_check(
        &ctx,
        &[
            &format!("pg={}", pg.url),
            &format!("my={}", my.url),
            &format!("kv={}", redis.url),
        ],
        0,
    );
    assert_eq!(report["status"], "healthy");
    assert!(
        target(&report, "pg")["detail"]
            .as_str()
            .unwrap()
            .starts_with("PostgreSQL "),
        "{report}"
    );
    assert!(
        target(&report, "my")["detail"]
            .as_str()
            .unwrap()
            .starts_with("MariaDB "),
        "{report}"
    );
    assert_eq!(target(&report, "kv")["detail"], "PONG");
    assert_eq!(target(&report, "pg")["kind"], "postgres");

    let port = closed_port();
    let down = json_check(
        &ctx,
        &[
            "--retries",
            "0",
            &format!("pg=postgres://postgres@127.0.0.1:{port}/x"),
            &format!("my=mysql://root@127.0.0.1:{port}/x"),
            &format!("kv=redis://127.0.0.1:{port}"),
        ],
        1,
    );
    assert_eq!(down["unhealthy"], 3);
    for name in ["pg", "my", "kv"] {
        let detail = target(&down, name)["detail"]
            .as_str()
            .unwrap()
            .to_lowercase();
        assert!(detail.contains("refused"), "{name}: {detail}");
    }
}

#[test]
fn expected_table_and_key() {
    let pg = PostgresDb::create();
    pg.execute("CREATE TABLE \"Skill\" (id text primary key)");
    let redis = RedisDb::create();
    let key = redis.key("ready");
    let _: () = redis.query(redis::cmd("SET").arg(&key).arg("1"));
    let config = format!(
        "[[health.targets]]\nname = \"db\"\nurl = \"{}\"\nexpect_table = \"Skill\"\n\n[[health.targets]]\nname = \"db-missing\"\nurl = \"{}\"\nexpect_table = \"Nope\"\nretries = 0\n\n[[health.targets]]\nname = \"cache\"\nurl = \"{}\"\nexpect_key = \"{key}\"\n\n[[health.targets]]\nname = \"cache-missing\"\nurl = \"{}\"\nexpect_key = \"{}\"\nretries = 0\n",
        pg.url,
        pg.url,
        redis.url,
        redis.url,
        redis.key("absent")
    );
    let ctx = TestContext::builder()
        .file("skillsctl.toml", &config)
        .build();
    let report = json_check(&ctx, &[], 1);
    assert_eq!(target(&report, "db")["health"], "healthy");
    assert_eq!(target(&report, "cache")["health"], "healthy");
    assert_eq!(
        target(&report, "db-missing")["detail"],
        "table `Nope` does not exist"
    );
    assert!(
        target(&report, "cache-missing")["detail"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
    // --only narrows the configured targets.
    let only = json_check(&ctx, &["--only", "db", "--only", "cache"], 0);
    assert_eq!(only["targets"].as_array().unwrap().len(), 2);
}

const GUIDE_OK: &str = r#"{"status":"healthy","checks":[{"name":"database","status":"healthy","timestamp":"2026-11-24T10:00:00Z"},{"name":"redis","status":"healthy","timestamp":"2026-11-24T10:00:00Z"}]}"#;
const GUIDE_BAD: &str = r#"{"status":"unhealthy","checks":[{"name":"database","status":"healthy","timestamp":"2026-11-24T10:00:00Z"},{"name":"redis","status":"unhealthy","timestamp":"2026-11-24T10:00:00Z"}]}"#;

#[test]
fn every_health_body_format_with_200_and_503() {
    let cases: Vec<(&str, &str, &str, &str, &str)> = vec![
        // (name, content type, healthy body, unhealthy body, format)
        ("guide", "application/json", GUIDE_OK, GUIDE_BAD, "guide"),
        (
            "ietf",
            "application/health+json",
            r#"{"status":"pass","checks":{"postgres:responseTime":[{"componentId":"db","observedValue":3,"observedUnit":"ms","status":"pass"}]}}"#,
            r#"{"status":"fail","checks":{"postgres:responseTime":[{"componentId":"db","status":"fail","output":"timeout"}]}}"#,
            "ietf",
        ),
        (
            "spring",
            "application/vnd.spring-boot.actuator.v3+json",
            r#"{"status":"UP","components":{"db":{"status":"UP"},"redis":{"status":"UP"}}}"#,
            r#"{"status":"DOWN","components":{"db":{"status":"UP"},"redis":{"status":"DOWN","details":{"error":"refused"}}}}"#,
            "spring",
        ),
        (
            "microprofile",
            "application/json",
            r#"{"status":"UP","checks":[{"name":"live","status":"UP"}]}"#,
            r#"{"status":"DOWN","checks":[{"name":"live","status":"DOWN"}]}"#,
            "microprofile",
        ),
        (
            "terminus",
            "application/json",
            r#"{"status":"ok","info":{"db":{"status":"up"}},"details":{"db":{"status":"up"}}}"#,
            r#"{"status":"error","error":{"db":{"status":"down","message":"ECONNREFUSED"}},"details":{"db":{"status":"down","message":"ECONNREFUSED"}}}"#,
            "terminus",
        ),
        (
            "lightship",
            "text/plain",
            "SERVER_IS_READY",
            "SERVER_IS_NOT_READY",
            "lightship",
        ),
        ("empty", "text/plain", "", "", "empty"),
    ];
    for (name, content_type, ok_body, bad_body, format) in cases {
        let (ct, ok, bad) = (
            content_type.to_owned(),
            ok_body.to_owned(),
            bad_body.to_owned(),
        );
        let server = TestServer::start(move |req, _| {
            if req.path == "/ok" {
                Reply::text(200, &ct, &ok)
            } else {
                Reply::text(503, &ct, &bad)
            }
        });
        let ctx = TestContext::new();
        let up = json_check(
            &ctx,
            &["--retries", "0", &format!("up={}", server.url("/ok"))],
            0,
        );
        let t = target(&up, "up");
        assert_eq!(t["health"], "healthy", "{name}: {t}");
        assert_eq!(t["body_format"], format, "{name}: {t}");
        assert_eq!(t["http_status"], 200);
        let down = json_check(
            &ctx,
            &["--retries", "0", &format!("down={}", server.url("/bad"))],
            1,
        );
        let t = target(&down, "down");
        assert_eq!(t["health"], "unhealthy", "{name}: {t}");
        assert!(
            t["detail"].as_str().unwrap().starts_with("HTTP 503"),
            "{name}: {t}"
        );
    }
}

#[test]
fn status_is_authoritative_and_nested_checks_are_folded_in() {
    // 503 with a body that claims to be healthy is still unhealthy.
    let liar = TestServer::start(|_, _| Reply::json(503, GUIDE_OK));
    // 200 with a body that says unhealthy is unhealthy too, and shows which check.
    let honest = TestServer::start(|_, _| Reply::json(200, GUIDE_BAD));
    let ctx = TestContext::new();
    let report = json_check(
        &ctx,
        &[
            "--retries",
            "0",
            &format!("liar={}", liar.url("/api/health")),
            &format!("honest={}", honest.url("/api/health")),
        ],
        1,
    );
    assert_eq!(target(&report, "liar")["health"], "unhealthy");
    let honest_t = target(&report, "honest");
    assert_eq!(honest_t["health"], "unhealthy");
    let checks = honest_t["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[1]["name"], "redis");
    assert_eq!(checks[1]["health"], "unhealthy");
    // The table shows nested checks indented under their endpoint.
    let table = ctx
        .cmd([
            "health-check",
            "--retries",
            "0",
            &format!("honest={}", honest.url("/api/health")),
        ])
        .expect_code(1);
    assert!(table.stdout.contains("└ database"), "{}", table.stdout);
    assert!(table.stdout.contains("└ redis"), "{}", table.stdout);
    assert!(
        table.stdout.contains("0 healthy, 1 unhealthy"),
        "{}",
        table.stdout
    );
}

#[test]
fn timeout_holds_for_a_server_that_never_answers() {
    let server = TestServer::start(|_, _| Reply::Hang);
    let ctx = TestContext::new();
    let started = Instant::now();
    let report = json_check(
        &ctx,
        &[
            "--retries",
            "0",
            "--timeout",
            "1s",
            &format!("hang={}", server.url("/")),
        ],
        1,
    );
    let wall = started.elapsed();
    let t = target(&report, "hang");
    assert_eq!(t["detail"], "timed out after 1s");
    let latency = t["latency_ms"].as_f64().unwrap();
    assert!(
        (900.0..=1100.0).contains(&latency),
        "the timeout must hold within 10%: {latency}ms"
    );
    assert!(wall < Duration::from_secs(3), "the run took {wall:?}");
}

#[test]
fn latency_budget_is_a_warning_and_strict_makes_it_fail() {
    let server =
        TestServer::start(|_, _| Reply::json(200, GUIDE_OK).with_delay(Duration::from_millis(300)));
    let ctx = TestContext::new();
    let url = format!("slow={}", server.url("/api/health"));
    let report = json_check(&ctx, &["--max-latency", "200ms", &url], 0);
    let t = target(&report, "slow");
    assert_eq!(t["health"], "warn");
    assert!(
        t["detail"].as_str().unwrap().contains("budget 200ms"),
        "{t}"
    );
    json_check(&ctx, &["--max-latency", "200ms", "--strict", &url], 1);
}

#[test]
fn huge_body_is_capped_with_bounded_memory() {
    let server = TestServer::start(|_, _| Reply::Stream {
        chunk: vec![b' '; 64 * 1024],
        total: 256 * 1024 * 1024,
    });
    let ctx = TestContext::new();
    let out = std::process::Command::new("/usr/bin/time")
        .args([
            "-f",
            "maxrss_kb=%M",
            env!("CARGO_BIN_EXE_skillsctl"),
            "--format",
            "json",
            "health-check",
            "--retries",
            "0",
        ])
        .arg(format!("big={}", server.url("/")))
        .current_dir(ctx.root())
        .output()
        .expect("run /usr/bin/time (apt-get install time)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    let t = target(&report, "big");
    assert_eq!(t["health"], "warn", "{t}");
    assert!(
        t["detail"]
            .as_str()
            .unwrap()
            .contains("body cut at 1048576 bytes"),
        "{t}"
    );
    let rss: u64 = stderr
        .rsplit("maxrss_kb=")
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(rss < 64 * 1024, "peak memory {rss} KiB for a 256 MiB body");
}

#[test]
fn refused_connection_and_retries_are_reported() {
    let port = closed_port();
    let ctx = TestContext::new();
    let report = json_check(
        &ctx,
        &[
            "--retries",
            "2",
            &format!("gone=http://127.0.0.1:{port}/api/health"),
        ],
        1,
    );
    let t = target(&report, "gone");
    assert_eq!(t["detail"], "connection refused");
    assert_eq!(t["attempts"], 3);
}

#[test]
fn retries_recover_from_a_flaky_endpoint() {
    let server = TestServer::start(|_, n| {
        if n == 0 {
            Reply::json(503, GUIDE_BAD)
        } else {
            Reply::json(200, GUIDE_OK)
        }
    });
    let ctx = TestContext::new();
    let report = json_check(
        &ctx,
        &["--retries", "1", &format!("flaky={}", server.url("/"))],
        0,
    );
    assert_eq!(target(&report, "flaky")["attempts"], 2);
}

#[test]
fn wait_until_a_server_becomes_healthy() {
    let started = Instant::now();
    let server = TestServer::start(move |_, _| {
        if started.elapsed() < Duration::from_millis(1500) {
            Reply::json(503, GUIDE_BAD)
        } else {
            Reply::json(200, GUIDE_OK)
        }
    });
    let ctx = TestContext::new();
    let out = ctx
        .cmd([
            "--format",
            "json",
            "health-check",
            "--wait",
            "20s",
            "--interval",
            "200ms",
            "--successes",
            "2",
            &format!("app={}", server.url("/api/health")),
        ])
        .expect_code(0);
    let report = out.json();
    assert_eq!(report["timed_out"], false);
    assert!(report["waited_ms"].as_u64().unwrap() >= 1000, "{report}");
    // Without a terminal, each state change is one line on stderr.
    assert!(
        out.stderr.contains("Waiting app unhealthy: HTTP 503"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("Ready app healthy after"),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stderr.matches("Waiting app unhealthy").count(),
        1,
        "no repeated lines: {}",
        out.stderr
    );
    assert!(server.hits() >= 4, "it polled");
}

#[test]
fn wait_gives_up_at_the_deadline_and_says_why() {
    let server = TestServer::start(|_, _| Reply::json(503, GUIDE_BAD));
    let ok = TestServer::start(|_, _| Reply::json(200, GUIDE_OK));
    let ctx = TestContext::new();
    let started = Instant::now();
    let out = ctx
        .cmd([
            "--format",
            "json",
            "health-check",
            "--wait",
            "2s",
            "--interval",
            "200ms",
            &format!("down={}", server.url("/")),
            &format!("up={}", ok.url("/")),
        ])
        .expect_code(1);
    assert!(started.elapsed() < Duration::from_secs(6));
    let report = out.json();
    assert_eq!(report["timed_out"], true);
    assert_eq!(target(&report, "down")["health"], "unhealthy");
    assert!(
        target(&report, "down")["detail"]
            .as_str()
            .unwrap()
            .contains("HTTP 503")
    );
    assert_eq!(target(&report, "up")["health"], "healthy");
    // The up target was not polled again once it was ready.
    assert_eq!(ok.hits(), 1);
}

#[test]
fn tls_with_a_custom_ca_client_flags_and_insecure() {
    let ctx = TestContext::new();
    let ca = TestCa::create(&ctx.path("tls"));
    let server = TestServer::start_tls(&ca.server_cert, &ca.server_key, |_, _| {
        Reply::json(200, GUIDE_OK)
    });
    let url = format!("secure={}", server.https_url("/api/health"));
    let untrusted = json_check(&ctx, &["--retries", "0", &url], 1);
    let detail = target(&untrusted, "secure")["detail"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(
        detail.contains("certificate") || detail.contains("tls"),
        "{detail}"
    );
    let trusted = json_check(
        &ctx,
        &["--retries", "0", "--ca-cert", "tls/ca.pem", &url],
        0,
    );
    assert_eq!(target(&trusted, "secure")["body_format"], "guide");
    json_check(&ctx, &["--retries", "0", "--insecure", &url], 0);
    // The same from the config file, with the CA path relative to the project root.
    ctx.write(
        "skillsctl.toml",
        &format!(
            "[[health.targets]]\nname = \"secure\"\nurl = \"{}\"\nca_cert = \"tls/ca.pem\"\n",
            server.https_url("/api/health")
        ),
    );
    json_check(&ctx, &[], 0);
    // A CA file that is not PEM is a usage error naming the file.
    ctx.write("bad.pem", "not a certificate");
    let out = ctx
        .cmd(["health-check", "--ca-cert", "bad.pem", &url])
        .expect_code(2);
    assert!(out.stderr.contains("bad.pem"), "{}", out.stderr);
}

#[test]
fn secrets_never_appear_in_any_output() {
    let port = closed_port();
    let server = TestServer::start(|req, _| {
        if req.header("authorization") == Some("Bearer tok-SECRET-42") {
            Reply::json(401, r#"{"error":"expired"}"#)
        } else {
            Reply::json(400, "{}")
        }
    });
    let ctx = TestContext::builder()
        .file(
            "skillsctl.toml",
            &format!(
                "[[health.targets]]\nname = \"db\"\nurl = \"postgres://app:${{TEST_DB_PASSWORD}}@127.0.0.1:{port}/skills\"\nretries = 0\n\n[[health.targets]]\nname = \"api\"\nurl = \"{}\"\nretries = 0\nheaders = {{ Authorization = \"Bearer ${{TEST_TOKEN}}\" }}\n",
                server.url("/api/v1/skills")
            ),
        )
        .build();
    for format in ["json", "table"] {
        let out = ctx
            .cmd(["-vv", "--format", format, "health-check"])
            .env("TEST_DB_PASSWORD", "pw-SECRET-17")
            .env("TEST_TOKEN", "tok-SECRET-42")
            .expect_code(1);
        for secret in ["pw-SECRET-17", "tok-SECRET-42"] {
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "{secret} leaked:\n{}\n{}",
                out.stdout,
                out.stderr
            );
        }
        assert!(
            out.stdout.contains("postgres://app:***@127.0.0.1") || format == "table",
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("HTTP 401"), "{}", out.stdout);
    }
    // A password in a command-line URL and a header flag are masked too.
    let out = ctx
        .cmd([
            "health-check",
            "--retries",
            "0",
            "-H",
            "Authorization: Bearer tok-SECRET-42",
            &format!("postgres://u:pw-SECRET-17@127.0.0.1:{port}/x"),
            &server.url("/x"),
        ])
        .env("TEST_DB_PASSWORD", "unused")
        .env("TEST_TOKEN", "unused")
        .expect_code(1);
    assert!(
        !out.stdout.contains("SECRET") && !out.stderr.contains("SECRET"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn tcp_dns_amqp_and_nats() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port();
    let ctx = TestContext::new();
    let report = json_check(
        &ctx,
        &[
            "--retries",
            "0",
            &format!("tcp=tcp://127.0.0.1:{open}"),
            "dns=dns://localhost",
            "rabbit=amqp://guest:guest@127.0.0.1:5672",
            "nats=nats://127.0.0.1:4222",
        ],
        0,
    );
    assert_eq!(
        target(&report, "tcp")["detail"],
        format!("connected to 127.0.0.1:{open}")
    );
    assert!(
        target(&report, "dns")["detail"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1")
    );
    assert_eq!(target(&report, "rabbit")["detail"], "AMQP 0-9");
    assert!(
        target(&report, "nats")["detail"]
            .as_str()
            .unwrap()
            .starts_with("NATS ")
    );
    let down = json_check(
        &ctx,
        &[
            "--retries",
            "0",
            &format!("tcp=tcp://127.0.0.1:{}", closed_port()),
            "dns=dns://no-such-host.invalid",
        ],
        1,
    );
    assert_eq!(target(&down, "tcp")["detail"], "connection refused");
    assert!(
        target(&down, "dns")["detail"]
            .as_str()
            .unwrap()
            .contains("cannot resolve no-such-host.invalid")
    );
}

#[test]
fn config_expectations_on_status_headers_and_json() {
    let server = TestServer::start(|_, _| {
        Reply::json(200, r#"{"status":"healthy","version":"1.4.2","checks":[]}"#)
            .with_header("Cache-Control", "public, max-age=300")
    });
    let config = format!(
        "[[health.targets]]\nname = \"ok\"\nurl = \"{url}\"\nexpect_status = [200, \"204\"]\nexpect_headers = {{ Cache-Control = \"max-age=\\\\d+\" }}\nbody_regex = \"healthy\"\n[[health.targets.json]]\npath = \"$.version\"\nmatches = \"^1\\\\.\"\n\n[[health.targets]]\nname = \"wrong\"\nurl = \"{url}\"\nretries = 0\nexpect_status = \"204\"\n[[health.targets.json]]\npath = \"$.status\"\nequals = \"pass\"\n\n[[health.targets]]\nname = \"optional\"\nurl = \"http://127.0.0.1:{closed}/\"\nretries = 0\ncritical = false\n",
        url = server.url("/api/health"),
        closed = closed_port()
    );
    let ctx = TestContext::builder()
        .file("skillsctl.toml", &config)
        .build();
    let report = json_check(&ctx, &[], 1);
    assert_eq!(target(&report, "ok")["health"], "healthy", "{report}");
    let wrong = target(&report, "wrong")["detail"].as_str().unwrap();
    assert!(
        wrong.contains("expected 204")
            && wrong.contains("$.status is \"healthy\", expected \"pass\""),
        "{wrong}"
    );
    let optional = target(&report, "optional");
    assert_eq!(optional["health"], "warn");
    assert!(
        optional["detail"]
            .as_str()
            .unwrap()
            .ends_with("(not critical)")
    );
}

#[test]
fn bad_targets_are_usage_errors_naming_the_place() {
    let ctx = TestContext::builder()
        .file("skillsctl.toml", "[[health.targets]]\nname = \"db\"\nurl = \"postgres://localhost/x\"\nmax_latency = \"200ms\"\n")
        .build();
    let out = ctx.cmd(["health-check"]).expect_code(2);
    insta::assert_snapshot!(
        "health_http_key_on_postgres",
        out.stderr
            .replace(&ctx.root().display().to_string(), "[ROOT]")
    );
    let out = ctx
        .cmd(["health-check", "ftp://example.org"])
        .expect_code(2);
    insta::assert_snapshot!("health_unknown_scheme", out.stderr);
    let out = ctx
        .cmd(["health-check", "-H", "NoColonHere", "http://localhost:1/"])
        .expect_code(2);
    assert!(out.stderr.contains("--header"), "{}", out.stderr);
    let bad_regex = TestContext::builder()
        .file("skillsctl.toml", "[[health.targets]]\nname = \"a\"\nurl = \"http://localhost/\"\nbody_regex = \"(unclosed\"\n")
        .build();
    let out = bad_regex.cmd(["health-check"]).expect_code(2);
    assert!(
        out.stderr.contains("skillsctl.toml:4:14")
            && out.stderr.contains("health.targets[0].body_regex"),
        "{}",
        out.stderr
    );
    let empty = TestContext::new().cmd(["health-check"]).expect_code(2);
    assert!(empty.stderr.contains("no targets"), "{}", empty.stderr);
    let only = TestContext::builder()
        .file(
            "skillsctl.toml",
            "[[health.targets]]\nname = \"a\"\nurl = \"tcp://localhost:1\"\n",
        )
        .build();
    let out = only.cmd(["health-check", "--only", "b"]).expect_code(2);
    assert!(
        out.stderr.contains("--only b") && out.stderr.contains("known: a"),
        "{}",
        out.stderr
    );
}

#[test]
fn init_config_targets_are_checked() {
    // The config init writes for the monorepo probes the local PostgreSQL and Redis.
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .build();
    std::fs::remove_file(ctx.path("repo/skillsctl.toml")).unwrap();
    ctx.cmd(["init", "--yes", "repo"]).expect_code(0);
    let out = ctx
        .cmd([
            "--format",
            "json",
            "health-check",
            "--only",
            "postgres",
            "--only",
            "redis",
            "--retries",
            "0",
        ])
        .current_dir(ctx.path("repo"))
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
        .env("REDIS_URL", "redis://127.0.0.1:6379")
        .expect_code(0);
    assert_eq!(out.json()["healthy"], 2);
}

#[test]
fn watch_prints_a_json_line_per_round_until_interrupted() {
    let server = TestServer::start(|_, _| Reply::json(200, GUIDE_OK));
    let ctx = TestContext::new();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_skillsctl"))
        .args([
            "--format",
            "json",
            "health-check",
            "--watch",
            "200ms",
            &format!("app={}", server.url("/")),
        ])
        .current_dir(ctx.root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Let a few rounds run, then interrupt it as Ctrl-C would.
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.hits() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let rounds: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rounds.len() >= 3, "{stdout}");
    assert!(rounds.iter().all(|r| r["status"] == "healthy"));
}

#[test]
fn wait_draws_a_spinner_per_target_on_a_terminal() {
    let started = Instant::now();
    let server = TestServer::start(move |_, _| {
        if started.elapsed() < Duration::from_millis(1200) {
            Reply::json(503, GUIDE_BAD)
        } else {
            Reply::json(200, GUIDE_OK)
        }
    });
    let ctx = TestContext::new();
    // A real pseudo-terminal (util-linux `script`), so stderr is a terminal.
    let command = format!(
        "{} health-check --wait 15s --interval 200ms app={}",
        env!("CARGO_BIN_EXE_skillsctl"),
        server.url("/api/health")
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(ctx.root())
        .env("COLUMNS", "120")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script (util-linux)");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    // The spinner line names the target and its last error, then its final state.
    assert!(
        screen.contains("app") && screen.contains("unhealthy: HTTP 503"),
        "{screen}"
    );
    assert!(screen.contains("healthy after"), "{screen}");
    // No cargo-style "Waiting" lines when spinners are drawn.
    assert!(!screen.contains("Waiting app"), "{screen}");
}

/// A real `@godaddy/terminus` server answers `{"info":{"db":"up"}}`: the nested
/// check is healthy, and with a failing check terminus's 503 names it down.
#[test]
fn terminus_nested_checks_from_a_real_server() {
    use crate::support::node::NodeServer;
    let ctx = TestContext::new();
    let up = NodeServer::start("terminus.js", &[]);
    let out = ctx
        .cmd([
            "--format",
            "json",
            "health-check",
            &format!("{}/health", up.url),
        ])
        .expect_code(0);
    let target = &out.json()["targets"][0];
    assert_eq!(target["body_format"], "terminus", "{target}");
    assert_eq!(target["checks"][0]["name"], "db");
    assert_eq!(target["checks"][0]["health"], "healthy", "{target}");
    assert_eq!(target["checks"][0]["status"], "up");

    let down = NodeServer::start("terminus.js", &[("FAIL", "1")]);
    let out = ctx
        .cmd([
            "--format",
            "json",
            "health-check",
            "--retries",
            "0",
            &format!("{}/health", down.url),
        ])
        .expect_code(1);
    let target = &out.json()["targets"][0];
    assert_eq!(target["http_status"], 503);
    assert_eq!(target["checks"][0]["health"], "unhealthy", "{target}");
    assert_eq!(target["checks"][0]["status"], "down");
}
