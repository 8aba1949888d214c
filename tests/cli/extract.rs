//! `extract-service` on a git-tracked copy of the sample monorepo: the plan,
//! the moved files and every kind of rewritten import, the wiring, the
//! checklist; refusals that write nothing; a failure part-way that leaves the
//! tree as it was; `--update`'s merge. The generated service itself is built,
//! started and checked in `extract_node.rs`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::support::TestContext;

/// A file in the app that reaches the ai domain in the kinds the fixture
/// itself lacks: a tsconfig-paths package import, a type-only and a
/// re-export through relative paths, and a `require`.
const CALLER: &str = "// The dashboard's suggestions panel.\nimport { AIService } from \"@skills-eval/backend-core/services/ai\";\nimport type { ProviderName } from \"../../../../backend-core/src/services/ai/ai.types\";\nexport { rankRecommendations } from \"../../../../backend-core/src/services/ai/ranking\";\nconst retry = require(\"../../../../backend-core/src/services/ai/retry\");\n\nexport const panel = { AIService, retry, provider: \"openai\" as ProviderName };\n";

pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
        ])
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The sample repo in a temp dir, committed, with [`CALLER`] added.
pub fn repo() -> TestContext {
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .file("repo/packages/app/src/lib/dashboard/suggestions.ts", CALLER)
        .build();
    let root = ctx.path("repo");
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "sample"]);
    ctx
}

pub fn extract(ctx: &TestContext, args: &[&str]) -> crate::support::Run {
    let mut all = vec!["extract-service"];
    all.extend_from_slice(args);
    ctx.cmd(all).current_dir(ctx.path("repo"))
}

/// Every file under `dir` (but .git) and its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn visit(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if path.is_dir() {
                visit(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    visit(dir, dir, &mut out);
    out
}

#[test]
fn extracting_ai_moves_its_code_rewrites_every_import_kind_and_wires_it_in() {
    let ctx = repo();
    let out = extract(&ctx, &["ai", "--yes", "--format", "json"]).expect_code(0);
    let report = out.json();
    assert_eq!(report["status"], "written");
    assert_eq!(report["moved_files"], 18);
    let changes = report["changes"].as_array().unwrap();
    let line = |action: &str, path: &str| {
        changes
            .iter()
            .any(|c| c["action"] == action && c["path"] == path)
    };
    assert!(line("MOVE", "packages/ai/src/services/ai/ai.service.ts"));
    assert!(line(
        "MOVE",
        "packages/ai/src/services/recommendations/route.ts"
    ));
    assert!(line("CREATE", "packages/ai/src/app.ts"));
    assert!(line("UPDATE", "docker-compose.dev.yml"));
    assert!(line("UPDATE", "gateway.toml"));
    assert!(
        !ctx.path("repo/packages/backend-core/src/services/ai")
            .exists()
    );

    // Relative (dynamic import) from the monolith: now the new package's name.
    let job = ctx.read("repo/packages/backend-core/src/jobs/skill-analysis.ts");
    assert!(
        job.contains("await import(\"@skills-eval/ai/services/ai\")"),
        "{job}"
    );
    // Package name through tsconfig paths, inside the moved code: relative now.
    let route = ctx.read("repo/packages/ai/src/services/recommendations/route.ts");
    assert!(route.contains("await import(\"../ai\")"), "{route}");
    // Moved code → monolith, relative: still reaches the same file.
    let service = ctx.read("repo/packages/ai/src/services/ai/ai.service.ts");
    assert!(service.starts_with("import { cacheKey, cached, invalidate } from \"../../../../backend-core/src/lib/cache\";\nimport type { SkillRecord } from \"../../../../backend-core/src/services/skills\";\n"), "{service}");
    // Inside the moved code, relative: unchanged where the layout is kept.
    assert!(service.contains("from \"./providers\""));
    // Static, type-only, re-export and require from the monolith, comments kept.
    let caller = ctx.read("repo/packages/app/src/lib/dashboard/suggestions.ts");
    assert_eq!(
        caller,
        CALLER
            .replace(
                "\"@skills-eval/backend-core/services/ai\"",
                "\"@skills-eval/ai/services/ai\""
            )
            .replace(
                "\"../../../../backend-core/src/services/ai/ai.types\"",
                "\"@skills-eval/ai/services/ai/ai.types\""
            )
            .replace(
                "\"../../../../backend-core/src/services/ai/ranking\"",
                "\"@skills-eval/ai/services/ai/ranking\""
            )
            .replace(
                "\"../../../../backend-core/src/services/ai/retry\"",
                "\"@skills-eval/ai/services/ai/retry\""
            )
    );
    let incoming = report["incoming"].as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> = incoming
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["dynamic", "re-export", "require", "static", "type-only"].into()
    );
    assert!(
        report["outgoing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["file"] == "packages/ai/src/services/ai/ranking.ts"
                && c["target"] == "packages/backend-core/src/services/skills/proficiency.ts"),
        "{}",
        report["outgoing"]
    );
    let skill = report["shared_models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "Skill")
        .unwrap();
    assert!(
        skill["also_used_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "skills")
    );

    // tsconfig paths for the new package beside the monolith's own.
    let base = ctx.read("repo/tsconfig.base.json");
    assert!(
        base.contains("\"@skills-eval/ai/*\": [\"packages/ai/src/*\"]"),
        "{base}"
    );
    let app = ctx.read("repo/packages/app/tsconfig.json");
    assert!(
        app.contains("\"@skills-eval/ai/*\": [\"../ai/src/*\"]"),
        "{app}"
    );
    // packages/* already takes the package: the workspace list is as it was.
    assert_eq!(
        ctx.read("repo/package.json"),
        std::fs::read_to_string(crate::support::fixture("skills-monorepo/package.json")).unwrap()
    );

    // Compose: the service with a healthcheck; every comment kept.
    let compose = ctx.read("repo/docker-compose.dev.yml");
    let original = std::fs::read_to_string(crate::support::fixture(
        "skills-monorepo/docker-compose.dev.yml",
    ))
    .unwrap();
    for comment in original.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(compose.contains(comment), "lost {comment:?}");
    }
    let doc: serde_json::Value = serde_norway::from_str(&compose).unwrap();
    let ai = &doc["services"]["ai"];
    assert_eq!(ai["build"]["context"], "./packages/ai");
    assert_eq!(ai["healthcheck"]["test"][3], "http://localhost:4001/health");
    assert_eq!(ai["depends_on"], serde_json::json!(["postgres", "redis"]));

    // Gateway: external at weight 0, comments kept, a backup and a history line.
    let gateway = ctx.read("repo/gateway.toml");
    let ai_route = &gateway[gateway.find("service = \"ai\"").unwrap()
        ..gateway.find("service = \"analytics\"").unwrap()];
    assert!(ai_route.contains("mode = \"external\""), "{ai_route}");
    assert!(
        ai_route.contains("urls = [\"http://localhost:4001\"]"),
        "{ai_route}"
    );
    assert!(ai_route.contains("weight = 0"), "{ai_route}");
    assert!(ai_route.contains("timeout = \"25s\"   # model calls are slow"));
    assert!(ctx.path("repo/gateway.toml.bak").exists());

    // The checklist: verified items ticked with evidence, the rest open.
    let checklist = ctx.read("repo/packages/ai/EXTRACTION.md");
    assert!(checklist.contains("- [x] Service has > 1000 lines of code or > 1000 req/min traffic\n  - 1309 lines of code in 18 files"), "{checklist}");
    assert!(
        checklist
            .contains("- [x] Add health checks and monitoring\n  - health endpoint: GET /health")
    );
    assert!(checklist.contains("- [x] Update gateway to route to new service\n  - gateway entry: /api/v1/ai → http://localhost:4001, external, weight 0"));
    assert!(checklist.contains("- [ ] Monitoring and logging are in place"));
    assert!(checklist.contains("- [ ] Service logic is well-isolated and tested"));
    assert!(checklist.contains("- `Skill`: also used by"));
    assert!(checklist.contains("`packages/backend-core/src/jobs/skill-analysis.ts:15` (dynamic) `@skills-eval/ai/services/ai`"));
    // The answers that made the package, for --update.
    let answers = ctx.read("repo/packages/ai/.skillsctl-answers.toml");
    assert!(answers.contains("template = \"express-ts\""), "{answers}");
    assert!(answers.contains("port = \"4001\""), "{answers}");
}

#[test]
fn a_dry_run_writes_nothing_and_shows_the_plan_and_diffs() {
    let ctx = repo();
    let before = tree(&ctx.path("repo"));
    let out = extract(&ctx, &["ai", "--dry-run", "--diff"]).expect_code(0);
    assert_eq!(tree(&ctx.path("repo")), before, "the tree changed");
    assert!(out.stdout.contains("MOVE packages/ai/src/services/ai/index.ts (from packages/backend-core/src/services/ai/index.ts)"), "{}", out.stdout);
    assert!(out.stdout.contains("-      const { getAIService } = await import(\"../services/ai\");\n+      const { getAIService } = await import(\"@skills-eval/ai/services/ai\");"), "{}", out.stdout);
    assert!(out.stdout.contains("nothing written"));
    let json = extract(&ctx, &["ai", "--dry-run", "--format", "json"])
        .expect_code(0)
        .json();
    assert_eq!(json["status"], "planned");
    assert_eq!(tree(&ctx.path("repo")), before);
}

#[test]
fn bad_input_is_refused_with_exit_2_and_nothing_is_written() {
    let ctx = repo();
    let root = ctx.path("repo");
    let before = tree(&root);
    let cases: &[(&[&str], &str)] = &[
        (
            &["payments", "--yes"],
            "unknown domain `payments` (the domains: ai, analytics",
        ),
        (
            &["../ai", "--yes"],
            "NAME `../ai`: a name is lowercase kebab-case",
        ),
        (
            &["Ai", "--yes"],
            "NAME `Ai`: a name is lowercase kebab-case",
        ),
        (
            &["ai", "--yes", "--set", "port=70000"],
            "--set: port = `70000`: a port is a whole number from 1 to 65535",
        ),
        (
            &["ai", "--yes", "--set", "colour=red"],
            "--set: unknown variable `colour`",
        ),
        (
            &["ai", "--yes", "--template", "django"],
            "unknown template `django` (known: express-ts, rust-axum)",
        ),
    ];
    for (args, message) in cases {
        let out = extract(&ctx, args).expect_code(2);
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert_eq!(tree(&root), before, "{args:?} wrote something");
    }
    // An existing package folder: refused unless --force.
    ctx.write("repo/packages/ai/notes.md", "mine\n");
    let out = extract(&ctx, &["ai", "--yes"]).expect_code(2);
    assert!(
        out.stderr
            .contains("packages/ai already exists: pass --force"),
        "{}",
        out.stderr
    );
    // A dirty work tree over the files to move.
    std::fs::remove_dir_all(ctx.path("repo/packages/ai")).unwrap();
    ctx.write(
        "repo/packages/backend-core/src/services/ai/retry.ts",
        "// edited\n",
    );
    let out = extract(&ctx, &["ai", "--yes"]).expect_code(2);
    assert!(
        out.stderr.contains("uncommitted changes in the files to move: packages/backend-core/src/services/ai/retry.ts")
            && out.stderr.contains("--allow-dirty"),
        "{}",
        out.stderr
    );
    assert!(
        ctx.path("repo/packages/backend-core/src/services/ai/retry.ts")
            .exists()
    );
    assert!(!ctx.path("repo/packages/ai").exists());
}

#[test]
fn force_writes_into_an_existing_folder_and_keeps_files_it_did_not_generate() {
    let ctx = repo();
    ctx.write("repo/packages/ai/notes.md", "mine\n");
    ctx.write("repo/packages/ai/src/app.ts", "// an old attempt\n");
    extract(&ctx, &["ai", "--yes", "--force", "--scaffold-only"]).expect_code(0);
    assert_eq!(ctx.read("repo/packages/ai/notes.md"), "mine\n");
    assert!(ctx.read("repo/packages/ai/src/app.ts").contains("express"));
    // --scaffold-only moves nothing.
    assert!(
        ctx.path("repo/packages/backend-core/src/services/ai/index.ts")
            .exists()
    );
}

/// A template folder of the test's own.
fn template(ctx: &TestContext, name: &str, manifest: &str, files: &[(&str, &str)]) -> String {
    let dir = format!("templates/{name}");
    ctx.write(&format!("{dir}/template.toml"), manifest);
    for (path, text) in files {
        ctx.write(&format!("{dir}/files/{path}"), text);
    }
    ctx.path("templates").display().to_string()
}

/// A run with the test's own template folder and template.
fn with_template(ctx: &TestContext, dir: &str, name: &str, extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["ai", "--yes", "--template-dir", dir, "--template", name];
    args.extend_from_slice(extra);
    extract(ctx, &args)
}

#[test]
fn template_mistakes_are_located_and_missing_variables_named_at_once() {
    let ctx = repo();
    let root = ctx.path("repo");
    let before = tree(&root);
    let dir = template(
        &ctx,
        "strict",
        "[[variables]]\nname = \"owner\"\nhelp = \"who runs it\"\n[[variables]]\nname = \"pager\"\n",
        &[("README.md.tera", "{{ owner }} {{ pager }}\n")],
    );
    let out = with_template(&ctx, &dir, "strict", &["--scaffold-only"]).expect_code(2);
    assert!(
        out.stderr.contains("missing variables: owner (who runs it), pager; set them with --set NAME=VALUE or --values FILE"),
        "{}",
        out.stderr
    );
    let dir = template(
        &ctx,
        "broken",
        "",
        &[
            ("ok.txt", "fine\n"),
            ("src/app.ts.tera", "const a = 1;\n{% if name %}\nno end\n"),
        ],
    );
    let out = with_template(&ctx, &dir, "broken", &["--scaffold-only"]).expect_code(2);
    assert!(
        out.stderr
            .contains("templates/broken/files/src/app.ts.tera:"),
        "{}",
        out.stderr
    );
    let dir = template(
        &ctx,
        "escape",
        "[[variables]]\nname = \"folder\"\ndefault = \"../../..\"\n",
        &[("{{ folder }}/evil.txt", "x\n")],
    );
    let out = with_template(&ctx, &dir, "escape", &["--scaffold-only"]).expect_code(2);
    assert!(out.stderr.contains("outside the package"), "{}", out.stderr);
    let bad_manifest = template(
        &ctx,
        "manifest",
        "[[variables]]\nname = \"port\"\nkind = \"number\"\n",
        &[],
    );
    let out = with_template(&ctx, &bad_manifest, "manifest", &[]).expect_code(2);
    assert!(
        out.stderr
            .contains("template.toml:3:8: unknown kind `number`"),
        "{}",
        out.stderr
    );
    assert_eq!(tree(&root), before);
    assert!(!ctx.path("evil.txt").exists());
}

#[test]
fn a_failure_part_way_through_the_write_leaves_the_tree_as_it_was() {
    let ctx = repo();
    let before = tree(&ctx.path("repo"));
    for step in ["1", "20", "40"] {
        let out = extract(&ctx, &["ai", "--yes"])
            .env("SKILLSCTL_TEST_FAIL_STEP", step)
            .expect_code(3);
        assert!(out.stderr.contains("injected"), "{}", out.stderr);
        assert_eq!(tree(&ctx.path("repo")), before, "step {step} left changes");
    }
}

#[test]
fn update_merges_a_newer_template_into_local_edits_and_marks_conflicts() {
    let ctx = repo();
    let manifest = "[[variables]]\nname = \"port\"\nkind = \"port\"\ndefault = \"4001\"\n";
    let v1 = [
        (
            "src/app.ts.tera",
            "// {{ name }} service\nimport express from \"express\";\n\nconst app = express();\n\nexport default app;\n",
        ),
        ("README.md.tera", "# {{ name }}\n\nPort {{ port }}.\n"),
        ("Dockerfile", "FROM node:20\n"),
    ];
    let dir = template(&ctx, "house", manifest, &v1);
    with_template(&ctx, &dir, "house", &["--scaffold-only"]).expect_code(0);
    // Local edits: one beside the template's change, one on the same line.
    let app = ctx.read("repo/packages/ai/src/app.ts").replace(
        "const app = express();\n",
        "const app = express();\napp.disable(\"x-powered-by\");\n",
    );
    ctx.write("repo/packages/ai/src/app.ts", &app);
    ctx.write(
        "repo/packages/ai/README.md",
        "# ai\n\nPort 4001, behind the gateway.\n",
    );
    // The template moves on.
    template(
        &ctx,
        "house",
        manifest,
        &[
            (
                "src/app.ts.tera",
                "// {{ name }} service\nimport express from \"express\";\n\nconst app = express();\n\nexport default app;\nexport const port = {{ port }};\n",
            ),
            (
                "README.md.tera",
                "# {{ name }}\n\nListens on port {{ port }}.\n",
            ),
            ("Dockerfile", "FROM node:22\n"),
        ],
    );
    let out = extract(
        &ctx,
        &[
            "ai",
            "--update",
            "--yes",
            "--template-dir",
            &dir,
            "--format",
            "json",
        ],
    )
    .expect_code(1);
    let report = out.json();
    assert_eq!(
        report["conflicts"],
        serde_json::json!(["packages/ai/README.md"])
    );
    let app = ctx.read("repo/packages/ai/src/app.ts");
    assert!(
        app.contains("app.disable(\"x-powered-by\");") && app.contains("export const port = 4001;"),
        "{app}"
    );
    assert_eq!(ctx.read("repo/packages/ai/Dockerfile"), "FROM node:22\n");
    let readme = ctx.read("repo/packages/ai/README.md");
    assert!(
        readme.contains("<<<<<<<")
            && readme.contains("behind the gateway")
            && readme.contains("Listens on port 4001"),
        "{readme}"
    );
    // A second update has nothing new to bring: the README's conflict stays for a person.
    let again = extract(
        &ctx,
        &[
            "ai",
            "--update",
            "--yes",
            "--template-dir",
            &dir,
            "--format",
            "json",
        ],
    )
    .output();
    let again: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert!(
        !again["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"] == "packages/ai/src/app.ts"),
        "{again}"
    );
}

#[test]
fn list_templates_shows_each_template_and_its_variables() {
    let ctx = repo();
    let out = extract(&ctx, &["--list-templates", "--format", "json"]).expect_code(0);
    let json = out.json();
    let names: Vec<&str> = json["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["express-ts", "rust-axum"]);
    let port = json["templates"][0]["variables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "port")
        .unwrap();
    assert_eq!(
        (port["kind"].as_str(), port["default"].as_str()),
        (Some("port"), Some("4001"))
    );
    let table = extract(&ctx, &["--list-templates"]).expect_code(0);
    assert!(
        table.stdout.contains("express-ts (built-in)"),
        "{}",
        table.stdout
    );
}

#[test]
fn on_a_terminal_it_asks_for_the_variables_then_for_the_go_ahead() {
    let ctx = repo();
    // A real pseudo-terminal (util-linux `script`); the answers are typed into it.
    let mut child = Command::new("script")
        .args([
            "-qec",
            &format!("{} extract-service ai", env!("CARGO_BIN_EXE_skillsctl")),
            "/dev/null",
        ])
        .current_dir(ctx.path("repo"))
        .env_remove("CI")
        .env("COLUMNS", "120")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run script (util-linux)");
    {
        use std::io::Write;
        let stdin = child.stdin.as_mut().unwrap();
        // port, then the defaults of description, owner and Node version, then yes.
        for keys in [&b"4100\r"[..], b"\r", b"\r", b"\r", b"y"] {
            std::thread::sleep(std::time::Duration::from_millis(900));
            stdin.write_all(keys).unwrap();
            stdin.flush().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    let out = child.wait_with_output().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        screen.contains("port (The port the service listens on"),
        "{screen}"
    );
    assert!(
        screen.contains("packages/ai/src/services/ai/index.ts (from packages/backend-core"),
        "{screen}"
    );
    assert!(screen.contains("Write these"), "{screen}");
    let answers = ctx.read("repo/packages/ai/.skillsctl-answers.toml");
    assert!(answers.contains("port = \"4100\""), "{answers}");
    assert!(
        ctx.read("repo/gateway.toml")
            .contains("urls = [\"http://localhost:4100\"]")
    );
}

#[test]
fn copy_leaves_the_domain_in_place_and_allow_dirty_moves_edited_files() {
    let ctx = repo();
    let job_before = ctx.read("repo/packages/backend-core/src/jobs/skill-analysis.ts");
    let report = extract(&ctx, &["ai", "--yes", "--copy", "--format", "json"])
        .expect_code(0)
        .json();
    assert!(
        ctx.path("repo/packages/backend-core/src/services/ai/index.ts")
            .exists()
    );
    assert!(
        ctx.path("repo/packages/ai/src/services/ai/index.ts")
            .exists()
    );
    // The monolith keeps importing its own copy.
    assert_eq!(
        ctx.read("repo/packages/backend-core/src/jobs/skill-analysis.ts"),
        job_before
    );
    assert_eq!(report["incoming"], serde_json::json!([]));
    // A CI file's own `${{ }}` comes out as written.
    let ci = ctx.read("repo/packages/ai/.github/workflows/ci.yml");
    assert!(ci.contains("${{ matrix.os }}"), "{ci}");

    let ctx = repo();
    ctx.write(
        "repo/packages/backend-core/src/services/ai/retry.ts",
        "// edited, not committed\nexport const x = 1;\n",
    );
    extract(&ctx, &["ai", "--yes", "--allow-dirty"]).expect_code(0);
    assert_eq!(
        ctx.read("repo/packages/ai/src/services/ai/retry.ts"),
        "// edited, not committed\nexport const x = 1;\n"
    );
}
