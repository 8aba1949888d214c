//! analyze-boundaries with its history from a saved `git log`
//! (`--git-log`, `analysis.git_log`): the sample's shipped log, code-maat's
//! formats, and logs that cannot be read.

use std::process::Command;

use crate::support::history::{replay, saved_log};
use crate::support::{TestContext, fixture};

fn analyze(ctx: &TestContext, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--format", "json", "analyze-boundaries"];
    all.extend_from_slice(args);
    ctx.cmd(&all).expect_code(0).json()
}

/// What the history decides, per domain: team, coupling, the verdicts.
fn history_figures(report: &serde_json::Value) -> serde_json::Value {
    let domains: Vec<serde_json::Value> = report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            serde_json::json!({
                "name": d["name"],
                "authors": d["authors"],
                "recommendation": d["recommendation"],
                "confidence": d["confidence"],
            })
        })
        .collect();
    let mut history = report["history"].clone();
    history.as_object_mut().unwrap().remove("source");
    history.as_object_mut().unwrap().remove("until");
    serde_json::json!({"domains": domains, "coupling": report["coupling"], "history": history})
}

/// The sample's shipped log is the replayed history saved with the
/// documented command: both give the same team, coupling and decisions.
/// `SKILLSCTL_BLESS_HISTORY=1` writes the log anew from the replay.
#[test]
fn the_sample_s_saved_log_gives_the_figures_of_its_replayed_history() {
    let replayed = TestContext::new();
    replay(&replayed, "repo");
    if std::env::var_os("SKILLSCTL_BLESS_HISTORY").is_some() {
        let log = saved_log(&replayed.path("repo"));
        std::fs::write(fixture("skills-monorepo").join("history.log"), log).unwrap();
    }
    let from_git = analyze(&replayed, &["repo"]);
    assert_eq!(from_git["history"]["source"], "git");

    // A copy of the sample with no .git: its skillsctl.toml names the log.
    let copied = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .fixture("traffic", "traffic")
        .build();
    let from_log = analyze(&copied, &["repo"]);
    assert!(
        from_log["history"]["source"]
            .as_str()
            .unwrap()
            .ends_with("history.log"),
        "{}",
        from_log["history"]
    );
    assert_eq!(history_figures(&from_log), history_figures(&from_git));
    assert_eq!(from_log["extract"], serde_json::json!(["ai"]));
    // The table says where the history came from.
    let table = copied.cmd(["analyze-boundaries", "repo"]).expect_code(0);
    assert!(
        table.stdout.contains("history.log") && table.stdout.contains("up to the newest commit"),
        "{}",
        table.stdout
    );
}

fn git(repo: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(repo)
        .args(args)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Two domains, three people; one commit is months older than the rest.
fn small_history() -> TestContext {
    let ctx = TestContext::builder()
        .file(
            "skillsctl.toml",
            "[domains]\norders = [\"src/orders\"]\nbilling = [\"src/billing\"]\n",
        )
        .file("src/orders/a.ts", "export const a = 1;\n")
        .file("src/billing/b.ts", "export const b = 1;\n")
        .build();
    let repo = ctx.root();
    git(repo, &["init", "-q"]);
    for (n, (who, day, files)) in [
        ("Ann <ann@x.dev>", "2024-01-05", &["src/orders/a.ts"][..]),
        (
            "Bo <bo@x.dev>",
            "2024-06-01",
            &["src/orders/a.ts", "src/billing/b.ts"],
        ),
        ("Cy <cy@x.dev>", "2024-06-02", &["src/billing/b.ts"]),
    ]
    .into_iter()
    .enumerate()
    {
        for file in files {
            let path = repo.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{text}// {n}\n")).unwrap();
        }
        git(repo, &["add", "-A"]);
        let date = format!("{day}T10:00:00+00:00");
        let (name, email) = who.split_once(" <").unwrap();
        let out = Command::new("git")
            .current_dir(repo)
            .args([
                "-c",
                "commit.gpgsign=false",
                "commit",
                "-qm",
                &format!("change {n}"),
            ])
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email.trim_end_matches('>'))
            .env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", email.trim_end_matches('>'))
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    ctx
}

fn team(report: &serde_json::Value, name: &str) -> Vec<String> {
    let domain = report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap();
    domain["authors"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: {}", domain["authors"]))
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

/// code-maat's `--numstat` and `--name-only` logs, and its older header,
/// give what the repository's own history gives; the window ends at the
/// log's newest commit.
#[test]
fn code_maat_logs_read_like_the_repository_s_history() {
    let ctx = small_history();
    let repo = ctx.root();
    let format = "--pretty=format:--%h--%ad--%aN";
    let logs = [
        (
            "numstat.log",
            vec!["log", "--numstat", "--date=short", format],
        ),
        (
            "names.log",
            vec!["log", "--name-only", "--date=short", format],
        ),
        (
            "legacy.log",
            vec![
                "log",
                "--numstat",
                "--date=short",
                "--pretty=format:[%h] %aN %ad %s",
            ],
        ),
    ];
    let from_git = analyze(&ctx, &["--since", "30 days"]);
    assert_eq!(team(&from_git, "orders"), ["Bo"]);
    for (name, args) in logs {
        let text = git(repo, &args);
        let saved = ctx.path(&format!("../{name}"));
        std::fs::write(&saved, text).unwrap();
        let saved = saved.to_str().unwrap();
        let report = analyze(&ctx, &["--since", "30 days", "--git-log", saved]);
        assert_eq!(team(&report, "orders"), ["Bo"], "{name}");
        assert_eq!(team(&report, "billing"), ["Bo", "Cy"], "{name}");
        assert_eq!(report["history"]["until"], "2024-06-02", "{name}");
        assert_eq!(report["history"]["commits_used"], 2, "{name}");
        let report = analyze(&ctx, &["--since", "365 days", "--git-log", saved]);
        assert_eq!(team(&report, "orders"), ["Ann", "Bo"], "{name}");
    }
}

#[test]
fn a_log_that_cannot_be_read_is_an_input_error_at_its_line_and_column() {
    let ctx = small_history();
    ctx.write(
        "bad.log",
        "--1a2b3c4--2024-06-01--Bo\n1\t0\tsrc/orders/a.ts\n--1a2b3c5--June 2nd--Cy\n",
    );
    let out = ctx
        .cmd(["analyze-boundaries", "--git-log", "bad.log"])
        .expect_code(2);
    assert!(
        out.stderr
            .contains("bad.log:3:12: cannot read the date \"June 2nd\""),
        "{}",
        out.stderr
    );
    ctx.write("files-first.log", "src/orders/a.ts\n");
    let out = ctx
        .cmd(["analyze-boundaries", "--git-log", "files-first.log"])
        .expect_code(2);
    assert!(
        out.stderr
            .contains("files-first.log:1:1: a file before any commit header"),
        "{}",
        out.stderr
    );
    let out = ctx
        .cmd(["analyze-boundaries", "--git-log", "missing.log"])
        .expect_code(2);
    assert!(out.stderr.contains("missing.log"), "{}", out.stderr);
    // The config key is read relative to the project's root, and told apart from git.
    ctx.write(
        "skillsctl.toml",
        "[domains]\norders = [\"src/orders\"]\nbilling = [\"src/billing\"]\n\n[analysis]\ngit_log = \"nowhere.log\"\n",
    );
    let out = ctx.cmd(["analyze-boundaries"]).expect_code(2);
    assert!(out.stderr.contains("nowhere.log"), "{}", out.stderr);
    let out = ctx
        .cmd(["analyze-boundaries", "--no-history", "--git-log", "bad.log"])
        .expect_code(2);
    assert!(out.stderr.contains("--git-log"), "{}", out.stderr);
}
