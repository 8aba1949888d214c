//! skillsctl as a CI step on a project with history: lint only what changed
//! or what is pending, baselines that fail only on what got worse, GitHub
//! annotations and step summaries, SARIF that Microsoft's validator accepts,
//! and no secret in any of them.

use std::path::Path;

use crate::extract::git;
use crate::support::http::{Reply, TestServer};
use crate::support::node::sarif_multitool;
use crate::support::{PostgresDb, TestContext};

const CLEAN: &str = "SET lock_timeout = '2s';\nCREATE TABLE \"Badge\" (\"id\" TEXT NOT NULL, CONSTRAINT \"Badge_pkey\" PRIMARY KEY (\"id\"));\n";
const BLOCKING: &str =
    "SET lock_timeout = '2s';\nCREATE INDEX \"Skill_name_idx\" ON \"Skill\" (\"name\");\n";

/// The sample repo (old migrations with findings) committed on `main`, and a
/// `feature` branch checked out.
fn project() -> TestContext {
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .fixture("traffic", "traffic")
        .build();
    let root = ctx.path("repo");
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "years of migrations"]);
    git(&root, &["checkout", "-qb", "feature"]);
    ctx
}

fn add_migration(ctx: &TestContext, name: &str, sql: &str) {
    ctx.write(&format!("repo/prisma/migrations/{name}/migration.sql"), sql);
}

fn run(ctx: &TestContext, args: &[&str]) -> crate::support::Run {
    ctx.cmd(args).current_dir(ctx.path("repo"))
}

#[test]
fn lint_since_a_ref_checks_only_the_migrations_added_since() {
    let ctx = project();
    // Every old migration has findings.
    run(&ctx, &["migrate", "lint"]).expect_code(1);
    add_migration(&ctx, "20261201000000_add_badges", CLEAN);
    let out = run(&ctx, &["migrate", "lint", "--since", "main"]).expect_code(0);
    assert!(
        out.stdout
            .contains("0 finding(s) in 1 file(s) changed since main"),
        "{}",
        out.stdout
    );
    // Committed or not, a new bad one fails, and only its findings show.
    git(&ctx.path("repo"), &["add", "-A"]);
    git(&ctx.path("repo"), &["commit", "-qm", "badges"]);
    add_migration(&ctx, "20261202000000_index", BLOCKING);
    let out = run(
        &ctx,
        &["migrate", "lint", "--since", "main", "--format", "json"],
    )
    .expect_code(1);
    let report = out.json();
    assert_eq!(report["files"], 2);
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["prisma/migrations/20261202000000_index/migration.sql"]
    );
    let out = run(&ctx, &["migrate", "lint", "--since", "no-such-ref"]).expect_code(2);
    assert!(out.stderr.contains("--since no-such-ref"), "{}", out.stderr);
}

#[test]
fn lint_pending_checks_what_the_database_has_not_applied() {
    let ctx = project();
    let db = PostgresDb::create();
    run(
        &ctx,
        &[
            "migrate",
            "--database-url",
            &db.url,
            "run",
            "--target",
            "20250701102233_add_recommendations",
        ],
    )
    .expect_code(0);
    let report = run(
        &ctx,
        &[
            "--format",
            "json",
            "migrate",
            "--database-url",
            &db.url,
            "lint",
            "--pending",
        ],
    )
    .output();
    let report: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    // Six migrations, three applied.
    assert_eq!(report["files"], 3, "{report}");
    assert!(
        report["findings"].as_array().unwrap().iter().all(|f| {
            let file = f["file"].as_str().unwrap();
            !file.contains("20250512093011_init")
                && !file.contains("20250701102233_add_recommendations")
        }),
        "{report}"
    );
}

#[test]
fn a_lint_baseline_accepts_known_findings_even_after_edits_above_them() {
    let ctx = project();
    let out = run(
        &ctx,
        &["migrate", "lint", "--write-baseline", "lint-baseline.json"],
    )
    .expect_code(1);
    assert!(
        out.stderr.contains("as the baseline lint-baseline.json"),
        "{}",
        out.stderr
    );
    let out = run(
        &ctx,
        &["migrate", "lint", "--baseline", "lint-baseline.json"],
    )
    .expect_code(0);
    assert!(
        out.stdout.contains("0 finding(s) in 6 file(s);"),
        "{}",
        out.stdout
    );
    // A comment above an old statement moves its line, not its identity.
    let old = "repo/prisma/migrations/20250603141522_add_assessments/migration.sql";
    let text = ctx.read(old);
    ctx.write(old, &format!("-- reviewed in 2025\n\n{text}"));
    run(
        &ctx,
        &["migrate", "lint", "--baseline", "lint-baseline.json"],
    )
    .expect_code(0);
    add_migration(&ctx, "20261202000000_index", BLOCKING);
    let out = run(
        &ctx,
        &[
            "migrate",
            "lint",
            "--baseline",
            "lint-baseline.json",
            "--format",
            "json",
        ],
    )
    .expect_code(1);
    let report = out.json();
    assert_eq!(report["findings"].as_array().unwrap().len(), 1, "{report}");
    assert!(report["accepted"].as_u64().unwrap() > 5);
    // A saved JSON report works as a baseline too; a broken one or another tool's does not.
    let saved = run(&ctx, &["migrate", "lint", "--format", "json"])
        .output()
        .stdout;
    ctx.write("repo/saved.json", &saved);
    run(&ctx, &["migrate", "lint", "--baseline", "saved.json"]).expect_code(0);
    ctx.write(
        "repo/broken.json",
        "{\n  \"findings\": [\n    {\"rule\": }\n",
    );
    let out = run(&ctx, &["migrate", "lint", "--baseline", "broken.json"]).expect_code(2);
    assert!(out.stderr.contains("broken.json:3:"), "{}", out.stderr);
    let boundaries = run(
        &ctx,
        &["analyze-boundaries", "--no-history", "--format", "json"],
    )
    .output()
    .stdout;
    ctx.write("repo/boundaries.json", &boundaries);
    let out = run(&ctx, &["migrate", "lint", "--baseline", "boundaries.json"]).expect_code(2);
    assert!(
        out.stderr
            .contains("a baseline of `analyze-boundaries`, not of migrate lint"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_boundaries_baseline_fails_only_on_a_new_crossing_import_and_names_it() {
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .fixture("traffic", "traffic")
        .build();
    let root = ctx.path("repo");
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "sample"]);
    let base = ["analyze-boundaries", "--no-history", "--fail-on", "extract"];
    // Without a baseline the sample fails: ai should be extracted.
    run(&ctx, &base).expect_code(1);
    run(
        &ctx,
        &[
            "analyze-boundaries",
            "--no-history",
            "--write-baseline",
            "boundaries.json",
        ],
    )
    .expect_code(0);
    let with_baseline = [&base[..], &["--baseline", "boundaries.json"]].concat();
    let out = run(&ctx, &with_baseline).expect_code(0);
    assert!(
        out.stdout
            .contains("Nothing got worse since the baseline boundaries.json"),
        "{}",
        out.stdout
    );
    // A change lands that makes analytics import skills.
    ctx.write(
        "repo/packages/backend-core/src/services/analytics/skill-names.ts",
        "// Names for the charts.\nimport { SkillService } from \"../skills\";\nexport const names = SkillService;\n",
    );
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "analytics reads skills"]);
    let out = run(&ctx, &with_baseline).expect_code(1);
    assert!(
        out.stdout.contains("new crossing import packages/backend-core/src/services/analytics/skill-names.ts:2 analytics → skills"),
        "{}",
        out.stdout
    );
    let github = run(
        &ctx,
        &[&with_baseline[..], &["--format", "github"]].concat(),
    )
    .expect_code(1);
    assert_eq!(
        github
            .stdout
            .lines()
            .filter(|l| l.starts_with("::error "))
            .collect::<Vec<_>>(),
        [
            "::error file=packages/backend-core/src/services/analytics/skill-names.ts,line=2,title=boundary-crossing::analytics imports packages/backend-core/src/services/skills/index.ts of skills (static), new since the baseline"
        ]
    );
    // Another project's baseline is refused.
    let text = ctx.read("repo/boundaries.json").replace(
        "\"project\": \"skills-evaluation\"",
        "\"project\": \"billing\"",
    );
    ctx.write("repo/other.json", &text);
    let out = run(&ctx, &[&base[..], &["--baseline", "other.json"]].concat()).expect_code(2);
    assert!(
        out.stderr.contains(
            "other.json:1:1: a baseline of project `billing`, but this is `skills-evaluation`"
        ),
        "{}",
        out.stderr
    );
}

/// The validator's own findings on `file` (an empty list: valid, no warnings).
fn validate(dir: &Path, file: &str) -> Vec<serde_json::Value> {
    let out = dir.join(format!("{file}.validation.sarif"));
    let status = std::process::Command::new(sarif_multitool())
        .current_dir(dir)
        .args(["validate", file, "--output", &out.display().to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run sarif-multitool");
    assert!(status.success(), "sarif-multitool validate {file} failed");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn sarif_from_lint_and_boundaries_passes_microsofts_validator() {
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .fixture("traffic", "traffic")
        .build();
    let lint = run(&ctx, &["migrate", "lint", "--format", "sarif"]).expect_code(1);
    ctx.write("repo/lint.sarif", &lint.stdout);
    let log: serde_json::Value = serde_json::from_str(&lint.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(
        results
            .iter()
            .all(|r| r["partialFingerprints"]["skillsctl/v1"].is_string())
    );
    assert_eq!(
        validate(&ctx.path("repo"), "lint.sarif"),
        Vec::<serde_json::Value>::new()
    );
    let boundaries = run(
        &ctx,
        &["analyze-boundaries", "--no-history", "--format", "sarif"],
    )
    .expect_code(0);
    ctx.write("repo/boundaries.sarif", &boundaries.stdout);
    let log: serde_json::Value = serde_json::from_str(&boundaries.stdout).unwrap();
    let rules: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"boundary-crossing"), "{rules:?}");
    assert_eq!(
        validate(&ctx.path("repo"), "boundaries.sarif"),
        Vec::<serde_json::Value>::new()
    );
}

#[test]
fn github_annotations_and_step_summaries_for_lint_smoke_and_health_without_secrets() {
    let broken = TestServer::start(|_, _| Reply::json(500, r#"{"error":"boom"}"#));
    let suite = format!(
        "name = \"down\"\nbase_url = \"{}\"\n\n[[test]]\nname = \"health answers\"\n\n[[test.step]]\nname = \"GET /health\"\npath = \"/health\"\n",
        broken.url("").trim_end_matches('/')
    );
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .file("repo/smoke.toml", &suite)
        .build();
    let summary = ctx.path("summary.md");
    let lint = run(&ctx, &["migrate", "lint", "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .expect_code(1);
    let first = lint.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("::error file=prisma/migrations/20250512093011_init/migration.sql,line=2,col=1,title=require-lock-timeout::"),
        "{first}"
    );
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.contains("### Migration lint") && written.contains("| file | rule | message |"),
        "{written}"
    );
    let smoke = run(&ctx, &["smoke", "smoke.toml", "--format", "github"]).output();
    assert_eq!(smoke.code, 1, "{}\n{}", smoke.stdout, smoke.stderr);
    assert!(
        smoke.stdout.starts_with("::error file=smoke.toml,line=7,title=smoke health answers::GET /health GET http://127.0.0.1:")
            && smoke.stdout.contains("/health: "),
        "{}",
        smoke.stdout
    );
    let health = run(
        &ctx,
        &[
            "health-check",
            "db=postgres://app:s3cr3t-pw@127.0.0.1:1/app",
            "--retries",
            "0",
            "--format",
            "github",
        ],
    )
    .env("GITHUB_STEP_SUMMARY", &summary)
    .output();
    assert_eq!(health.code, 1);
    assert!(
        health
            .stdout
            .starts_with("::error title=health-check db::db ("),
        "{}",
        health.stdout
    );
    let everything = format!(
        "{}{}{}",
        health.stdout,
        health.stderr,
        std::fs::read_to_string(&summary).unwrap()
    );
    assert!(!everything.contains("s3cr3t-pw"), "{everything}");
}
