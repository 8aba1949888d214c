//! A broken skillsctl.toml stops every command that reads it with exit 2 and a
//! message naming file, line, column and key; nothing runs. `skillsctl config`
//! is the reader used here.

use crate::support::TestContext;

/// Runs `skillsctl config` on `text` and returns stderr, asserting exit 2.
fn config_error(text: &str) -> String {
    let ctx = TestContext::builder().file("skillsctl.toml", text).build();
    let out = ctx.cmd(["config"]).expect_code(2);
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout on error: {}",
        out.stdout
    );
    out.stderr
        .replace(&ctx.root().display().to_string(), "[ROOT]")
}

#[test]
fn unknown_key() {
    insta::assert_snapshot!(config_error(
        "[output]\nformat = \"json\"\ncolour = \"never\"\n"
    ));
}

#[test]
fn unknown_section() {
    insta::assert_snapshot!(config_error(
        "[project]\nname = \"x\"\n\n[healthcheck]\ntimeout = \"5s\"\n"
    ));
}

#[test]
fn wrong_type() {
    insta::assert_snapshot!(config_error("[health]\nretries = \"three\"\n"));
}

#[test]
fn bad_duration() {
    insta::assert_snapshot!(config_error("[health]\ntimeout = \"soon\"\n"));
}

#[test]
fn unset_variable_without_default() {
    insta::assert_snapshot!(config_error(
        "[database]\nurl = \"postgres://app:${SKILLSCTL_TEST_UNSET_PASSWORD}@db/skills\"\n"
    ));
}

#[test]
fn malformed_toml() {
    insta::assert_snapshot!(config_error("[database\nurl = \"x\"\n"));
}

#[test]
fn wrong_type_inside_array_of_tables() {
    insta::assert_snapshot!(config_error(
        "[[health.targets]]\nname = \"app\"\nurl = \"http://localhost:3000/api/health\"\n\n[[health.targets]]\nname = 5\nurl = \"redis://localhost\"\n"
    ));
}

#[test]
fn explicit_config_that_does_not_exist() {
    let out = TestContext::new()
        .cmd(["--config", "nope/skillsctl.toml", "config"])
        .expect_code(2);
    assert!(out.stderr.contains("nope/skillsctl.toml"), "{}", out.stderr);
}

#[test]
fn config_is_found_in_a_parent_directory() {
    let ctx = TestContext::builder()
        .file("skillsctl.toml", "[project]\nname = \"walk-up\"\n")
        .file("packages/app/src/.keep", "")
        .build();
    let out = ctx
        .cmd(["--format", "json", "config"])
        .current_dir(ctx.path("packages/app/src"))
        .expect_code(0);
    let json = out.json();
    assert_eq!(
        json["path"],
        ctx.path("skillsctl.toml").display().to_string()
    );
    assert!(
        json["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["key"] == "project.name" && e["value"] == "walk-up")
    );
}

#[test]
fn interpolation_reads_the_environment_and_masks_secrets() {
    let ctx = TestContext::builder()
        .file(
            "skillsctl.toml",
            "[database]\nurl = \"${TEST_DB_URL}\"\n\n[redis]\nurl = \"${TEST_REDIS_URL:-redis://:fallbackpw@localhost:6379}\"\n",
        )
        .build();
    let out = ctx
        .cmd(["--format", "json", "config"])
        .env(
            "TEST_DB_URL",
            "postgres://app:SuperSecret123@db:5432/skills",
        )
        .expect_code(0);
    assert!(!out.stdout.contains("SuperSecret123") && !out.stderr.contains("SuperSecret123"));
    assert!(!out.stdout.contains("fallbackpw"));
    let json = out.json();
    let value = |key: &str| {
        json["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == key)
            .map(|e| e["value"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        value("database.url").as_deref(),
        Some("postgres://app:***@db:5432/skills")
    );
    assert_eq!(
        value("redis.url").as_deref(),
        Some("redis://:***@localhost:6379")
    );
}

#[test]
fn precedence_is_flag_then_environment_then_file_then_default() {
    let ctx = TestContext::builder()
        .file("skillsctl.toml", "[output]\nformat = \"json\"\n")
        .build();
    // File says json.
    let file = ctx.cmd(["config"]).expect_code(0);
    assert!(file.json()["entries"][0]["source"] == "file");
    // Environment beats the file.
    let env = ctx
        .cmd(["config"])
        .env("SKILLSCTL_FORMAT", "table")
        .expect_code(0);
    assert!(
        env.stdout.contains("output.format") && env.stdout.contains("table"),
        "{}",
        env.stdout
    );
    // A flag beats the environment.
    let flag = ctx
        .cmd(["--format", "json", "config"])
        .env("SKILLSCTL_FORMAT", "table")
        .expect_code(0);
    assert_eq!(flag.json()["entries"][0]["value"], "json");
    // Without a file, the default.
    let none = TestContext::new()
        .cmd(["--format", "json", "config"])
        .expect_code(0);
    assert_eq!(none.json()["path"], serde_json::Value::Null);
}

#[test]
fn bad_environment_value_is_a_usage_error() {
    let out = TestContext::new()
        .cmd(["config"])
        .env("SKILLSCTL_FORMAT", "yaml")
        .expect_code(2);
    assert!(out.stderr.contains("yaml"), "{}", out.stderr);
}
