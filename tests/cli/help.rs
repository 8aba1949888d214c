//! Help text is part of the interface: snapshot it for every command.

use crate::support::TestContext;

fn help(args: &[&str]) -> String {
    let ctx = TestContext::new();
    let out = ctx.cmd(args).env("COLUMNS", "100").expect_code(0);
    assert!(
        out.stderr.is_empty(),
        "help wrote to stderr: {}",
        out.stderr
    );
    out.stdout
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!("help", help(&["--help"]));
}

#[test]
fn init_help() {
    insta::assert_snapshot!("help_init", help(&["init", "--help"]));
}

#[test]
fn completions_help() {
    insta::assert_snapshot!("help_completions", help(&["completions", "--help"]));
}

#[test]
fn config_help() {
    insta::assert_snapshot!("help_config", help(&["config", "--help"]));
}

#[test]
fn health_check_help() {
    insta::assert_snapshot!("help_health_check", help(&["health-check", "--help"]));
}

#[test]
fn analyze_boundaries_help() {
    insta::assert_snapshot!(
        "help_analyze_boundaries",
        help(&["analyze-boundaries", "--help"])
    );
}

#[test]
fn migrate_help() {
    insta::assert_snapshot!("help_migrate", help(&["migrate", "--help"]));
    for sub in [
        "status", "run", "revert", "add", "verify", "baseline", "resolve", "lint",
    ] {
        insta::assert_snapshot!(
            format!("help_migrate_{sub}"),
            help(&["migrate", sub, "--help"])
        );
    }
}

#[test]
fn man_help() {
    insta::assert_snapshot!("help_man", help(&["man", "--help"]));
}

#[test]
fn version_names_the_package_version() {
    let out = TestContext::new().cmd(["--version"]).expect_code(0);
    assert_eq!(
        out.stdout.trim(),
        format!("skillsctl {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn no_arguments_prints_help_and_exits_2() {
    let out = TestContext::new().cmd(Vec::<&str>::new()).expect_code(2);
    assert!(out.stderr.contains("Usage: skillsctl"), "{}", out.stderr);
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = TestContext::new()
        .cmd(["init", "--frobnicate"])
        .expect_code(2);
    assert!(out.stderr.contains("--frobnicate"), "{}", out.stderr);
}

#[test]
fn completions_are_generated_for_every_shell() {
    let ctx = TestContext::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = ctx.cmd(["completions", shell]).expect_code(0);
        assert!(out.stdout.contains("skillsctl"), "{shell}: {}", out.stdout);
        assert!(
            out.stdout.contains("init"),
            "{shell} completions lack the init subcommand"
        );
    }
    let bad = ctx.cmd(["completions", "tcsh"]).expect_code(2);
    assert!(bad.stderr.contains("tcsh"), "{}", bad.stderr);
}

#[test]
fn man_page_renders_and_writes_one_page_per_command() {
    let ctx = TestContext::new();
    let out = ctx.cmd(["man"]).expect_code(0);
    assert!(
        out.stdout.starts_with(".ie"),
        "not roff: {}",
        &out.stdout[..out.stdout.len().min(80)]
    );
    assert!(out.stdout.contains("skillsctl"));
    ctx.cmd(["man", "--out-dir", "man1"]).expect_code(0);
    for page in [
        "skillsctl.1",
        "skillsctl-init.1",
        "skillsctl-completions.1",
        "skillsctl-man.1",
    ] {
        assert!(ctx.path("man1").join(page).is_file(), "{page} missing");
    }
}

#[test]
fn smoke_help() {
    insta::assert_snapshot!("help_smoke", help(&["smoke", "--help"]));
}

#[test]
fn update_gateway_config_help() {
    insta::assert_snapshot!(
        "help_update_gateway_config",
        help(&["update-gateway-config", "--help"])
    );
}

#[test]
fn rollout_help() {
    insta::assert_snapshot!("help_rollout", help(&["rollout", "--help"]));
}

#[test]
fn extract_service_help() {
    insta::assert_snapshot!(help(&["extract-service", "--help"]));
}
