//! Replays `fixtures/history/commits.jsonl` into a git repository over a copy of
//! `fixtures/skills-monorepo` (see `fixtures/history/README.md`): an initial
//! import 200 days ago, then each scripted commit with its author and date,
//! then a bot commit that restores every file, so the tree ends as the fixture.

use std::path::Path;
use std::process::Command;

use super::{TestContext, fixture};

fn git(repo: &Path, args: &[&str], author: Option<(&str, &str, &str)>) {
    let mut command = Command::new("git");
    command
        .current_dir(repo)
        .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
        .args(args);
    if let Some((name, email, date)) = author {
        command
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", email)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
    }
    let out = command.output().expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn split_author(author: &str) -> (String, String) {
    let (name, rest) = author.split_once(" <").expect("Name <email>");
    (name.to_owned(), rest.trim_end_matches('>').to_owned())
}

fn date(days_ago: i64, time: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let day_start = i64::try_from(now).unwrap() / 86_400 * 86_400 - days_ago * 86_400;
    let mut parts = time.split(':').map(|p| p.parse::<i64>().unwrap());
    let secs = parts.next().unwrap() * 3600 + parts.next().unwrap() * 60 + parts.next().unwrap();
    format!("@{} +0000", day_start + secs)
}

fn touch_line(path: &str, n: usize) -> String {
    let ext = path.rsplit('.').next().unwrap_or("");
    match ext {
        "json" => "\n".to_owned(),
        "sql" => format!("-- touch {n}\n"),
        "yml" | "yaml" | "toml" => format!("# touch {n}\n"),
        "css" => format!("/* touch {n} */\n"),
        _ if path.ends_with("Dockerfile.dev") => format!("# touch {n}\n"),
        _ => format!("// touch {n}\n"),
    }
}

/// The copied sample's config without its saved log (`analysis.git_log`),
/// so that the history comes from the repository's own `git log`.
pub fn use_git_history(repo: &Path) {
    let config = repo.join("skillsctl.toml");
    let text = std::fs::read_to_string(&config).expect("read skillsctl.toml");
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !line.starts_with("git_log ="))
        .collect();
    assert_ne!(
        kept.len(),
        text.lines().count(),
        "the sample names its saved log"
    );
    std::fs::write(&config, kept.join("\n") + "\n").expect("write skillsctl.toml");
}

/// The documented command for a saved log, run in `repo`.
pub fn saved_log(repo: &Path) -> String {
    let out = Command::new("git")
        .current_dir(repo)
        .args([
            "log",
            "--no-merges",
            "--no-renames",
            "--numstat",
            "--date=iso-strict",
            "--pretty=format:--%h--%ad--%aN <%aE>",
            "--relative",
        ])
        .env("TZ", "UTC")
        .output()
        .expect("run git log");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("UTF-8 log")
}

/// Copies the monorepo to `dest` (and the traffic fixture beside it) and
/// replays the history; the config reads it from git, not the saved log.
pub fn replay(ctx: &TestContext, dest: &str) {
    let repo = ctx.path(dest);
    super::copy_dir(&fixture("skills-monorepo"), &repo);
    super::copy_dir(&fixture("traffic"), &ctx.path("traffic"));
    use_git_history(&repo);
    git(&repo, &["init", "-q", "-b", "main"], None);
    git(&repo, &["add", "-A"], None);
    git(
        &repo,
        &["commit", "-q", "-m", "initial import"],
        Some(("Dana Ortiz", "dana@skills.dev", &date(200, "09:00:00"))),
    );
    let history =
        std::fs::read_to_string(fixture("history/commits.jsonl")).expect("read commits.jsonl");
    for (n, line) in history.lines().enumerate() {
        let entry: serde_json::Value = serde_json::from_str(line).expect("commit line");
        for file in entry["files"].as_array().unwrap() {
            let file = file.as_str().unwrap();
            let path = repo.join(file);
            let mut text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
            text.push_str(&touch_line(file, n));
            std::fs::write(&path, text).unwrap();
        }
        let (name, email) = split_author(entry["author"].as_str().unwrap());
        let when = date(
            entry["days_ago"].as_i64().unwrap(),
            entry["time"].as_str().unwrap(),
        );
        git(&repo, &["add", "-A"], None);
        git(
            &repo,
            &[
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                entry["message"].as_str().unwrap(),
            ],
            Some((&name, &email, &when)),
        );
    }
    // Restore the fixture's exact content, as a bot: bots are left out of the analysis.
    super::copy_dir(&fixture("skills-monorepo"), &repo);
    use_git_history(&repo);
    git(&repo, &["add", "-A"], None);
    git(
        &repo,
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "chore: restore fixture content",
        ],
        Some(("renovate[bot]", "bot@renovateapp.com", &date(0, "00:00:01"))),
    );
}
