//! One planted secret, every command's failure modes, every stream: stdout,
//! stderr with `-vv` logs, every output format and the GitHub step summary.
//! It sits in database and Redis URLs, Authorization and Cookie headers, a
//! secret suite variable, a gateway service URL, and in what a server echoes
//! back in its error answer. It must never be shown.

use crate::support::TestContext;
use crate::support::http::{Reply, TestServer};

const SECRET: &str = "PLANTED-s3cret-7781";

/// A server that fails every request and echoes what it was sent, secrets included.
fn echoing_server() -> TestServer {
    TestServer::start(|req, _| {
        let echoed = format!(
            r#"{{"error":"denied for {} {} with {}","cookie":"{}"}}"#,
            req.method,
            req.path,
            req.header("authorization").unwrap_or_default(),
            req.header("cookie").unwrap_or_default()
        );
        Reply::json(500, &echoed)
    })
}

fn sweep(ctx: &TestContext, label: &str, args: &[&str]) {
    let summary = ctx.path("summary.md");
    for format in ["table", "json", "github", "sarif"] {
        let mut all = vec!["-vv", "--format", format];
        all.extend_from_slice(args);
        let out = ctx
            .cmd(&all)
            .current_dir(ctx.path("repo"))
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("API_TOKEN", SECRET)
            .output();
        let written = std::fs::read_to_string(&summary).unwrap_or_default();
        for (stream, text) in [
            ("stdout", &out.stdout),
            ("stderr", &out.stderr),
            ("step summary", &written),
        ] {
            assert!(
                !text.contains(SECRET) && !text.contains("s3cret-7781"),
                "{label} --format {format}: the secret is in {stream}:\n{text}"
            );
        }
        assert!(!out.stderr.contains("panicked"), "{label}: {}", out.stderr);
    }
}

/// The sample repo whose config, compose file and suite hold the secret.
fn project(base: &str) -> TestContext {
    let suite = format!(
        "name = \"echo\"\nbase_url = \"{base}\"\n\n[vars]\ntoken = {{ value = \"${{API_TOKEN}}\", secret = true }}\n\n[[test]]\nname = \"login\"\n\n[[test.step]]\nmethod = \"POST\"\npath = \"/login\"\nheaders = {{ Authorization = \"Bearer {{{{token}}}}\" }}\njson = {{ password = \"{{{{token}}}}\" }}\n\n[test.step.expect]\nstatus = 200\n\"$.error\" = \"none\"\n"
    );
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .fixture("traffic", "traffic")
        .file("repo/echo.toml", &suite)
        .build();
    // The project's own config names the services with the password in them.
    let config = ctx
        .read("repo/skillsctl.toml")
        .replace(
            "${DATABASE_URL:-postgresql://postgres@localhost:5432/skills_evaluation_dev}",
            &format!("postgresql://app:{SECRET}@127.0.0.1:1/skills"),
        )
        .replace(
            "${REDIS_URL:-redis://localhost:6379}",
            &format!("redis://:{SECRET}@127.0.0.1:1"),
        );
    ctx.write("repo/skillsctl.toml", &config);
    let compose = ctx.read("repo/docker-compose.dev.yml").replace(
        "postgres:postgres@postgres",
        &format!("postgres:{SECRET}@postgres"),
    );
    ctx.write("repo/docker-compose.dev.yml", &compose);
    ctx
}

#[test]
fn a_planted_secret_never_shows_on_any_stream_of_any_failure() {
    let server = echoing_server();
    let base = server.url("").trim_end_matches('/').to_owned();
    let hostport = base.trim_start_matches("http://").to_owned();
    let ctx = project(&base);
    let db = format!("postgres://app:{SECRET}@127.0.0.1:1/skills");
    let bearer = format!("Authorization: Bearer {SECRET}");
    let cookie = format!("Cookie: session={SECRET}");
    let with_password = format!("http://admin:{SECRET}@{hostport}");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("config", vec!["config"]),
        (
            "health-check (config targets)",
            vec!["health-check", "--retries", "0"],
        ),
        (
            "health-check (headers, echoed)",
            vec![
                "health-check",
                &base,
                "-H",
                &bearer,
                "-H",
                &cookie,
                "--retries",
                "0",
            ],
        ),
        (
            "migrate status",
            vec!["migrate", "--database-url", &db, "status"],
        ),
        ("migrate run (config url)", vec!["migrate", "run"]),
        (
            "migrate lint --pending",
            vec!["migrate", "--database-url", &db, "lint", "--pending"],
        ),
        (
            "smoke (secret var, echoed)",
            vec!["smoke", "echo.toml", "-H", &cookie],
        ),
        (
            "analyze-boundaries (prometheus)",
            vec![
                "analyze-boundaries",
                "--no-history",
                "--prometheus",
                &with_password,
            ],
        ),
        (
            "update-gateway-config (health of a service URL)",
            vec![
                "update-gateway-config",
                "ai",
                "--external",
                &with_password,
                "--dry-run",
            ],
        ),
        (
            "update-gateway-config (the diff and the history)",
            vec![
                "update-gateway-config",
                "ai",
                "--external",
                &with_password,
                "--skip-health",
            ],
        ),
        (
            "extract-service --diff (compose URLs)",
            vec![
                "extract-service",
                "ai",
                "--dry-run",
                "--diff",
                "--allow-dirty",
            ],
        ),
    ];
    for (label, args) in &cases {
        sweep(&ctx, label, args);
    }
    // The gateway's change history is a log too.
    let history = ctx.read("repo/gateway.history.jsonl");
    assert!(history.contains("admin:***@"), "{history}");
    assert!(!history.contains(SECRET), "{history}");
}
