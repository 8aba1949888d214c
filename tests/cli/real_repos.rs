//! analyze-boundaries on repositories shaped like real ones: a clone whose
//! last commit is months old, a project folder inside another repository,
//! a history with no usable commit.

use std::path::Path;
use std::process::Command;

use crate::support::TestContext;
use crate::support::history::use_git_history;

/// A commit by `author` on `days_ago`, of everything staged.
fn commit(dir: &Path, author: &str, days_ago: u64, message: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let date = format!("@{} +0000", now - days_ago * 86_400);
    let (name, email) = author.split_once(' ').unwrap();
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "commit.gpgsign=false", "commit", "-qm", message])
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_NAME", name)
        .env("GIT_COMMITTER_EMAIL", email)
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

/// `analyze-boundaries` as JSON, and what it said on stderr.
fn analyze(ctx: &TestContext, args: &[&str]) -> (serde_json::Value, String) {
    let mut all = vec!["--format", "json", "analyze-boundaries"];
    all.extend_from_slice(args);
    let out = ctx.cmd(&all).output();
    let report =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
    (report, out.stderr)
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The sample with a history that ended `days_ago`: four people worked on ai.
fn stale_clone(days_ago: u64) -> TestContext {
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .fixture("traffic", "traffic")
        .build();
    let root = ctx.path("repo");
    use_git_history(&root);
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    commit(&root, "Ana ana@x.dev", days_ago + 30, "import");
    for (i, who) in [
        "Ben ben@x.dev",
        "Cai cai@x.dev",
        "Dee dee@x.dev",
        "Ana ana@x.dev",
    ]
    .iter()
    .enumerate()
    {
        let file = root.join("packages/backend-core/src/services/ai/retry.ts");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, format!("{text}// touch {i}\n")).unwrap();
        git(&root, &["add", "-A"]);
        commit(&root, who, days_ago + 10 - i as u64, "ai: tune retries");
    }
    ctx
}

#[test]
fn a_stale_clone_shows_its_team_from_the_window_before_its_newest_commit() {
    let ctx = stale_clone(200);
    let (report, _stderr) = analyze(&ctx, &["repo"]);
    let ai = report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "ai")
        .unwrap();
    assert_eq!(
        ai["authors"].as_array().map(Vec::len),
        Some(4),
        "{}",
        ai["authors"]
    );
    let until = report["history"]["until"].as_str().unwrap();
    let expected = {
        let out = Command::new("git")
            .current_dir(ctx.path("repo"))
            .args(["log", "-1", "--format=%cd", "--date=format:%Y-%m-%d"])
            .env("TZ", "UTC")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    assert_eq!(until, expected);
    let table = ctx.cmd(["analyze-boundaries", "repo"]).output();
    assert!(
        table
            .stdout
            .contains(&format!("up to the newest commit ({expected})")),
        "{}",
        table.stdout
    );
}

#[test]
fn a_folder_inside_another_repository_is_said_plainly_and_no_usable_commit_is_unknown() {
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "outer/repo")
        .fixture("traffic", "outer/traffic")
        .build();
    let outer = ctx.path("outer");
    use_git_history(&ctx.path("outer/repo"));
    git(&outer, &["init", "-q"]);
    git(&outer, &["add", "-A"]);
    // Only a bot ever committed: nothing tells who the team is.
    commit(&outer, "dependabot[bot] bot@github.com", 1, "bump");
    let (report, stderr) = analyze(&ctx, &["outer/repo"]);
    assert!(
        stderr.contains("lies inside the git repository at") && stderr.contains("outer"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no commits in the 90 days up to the newest one"),
        "{stderr}"
    );
    let ai = report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "ai")
        .unwrap();
    assert!(
        ai["authors"].is_null(),
        "team must be unknown, not 0: {}",
        ai["authors"]
    );
    let team = ai["factors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "team")
        .unwrap();
    assert!(
        !team["value"].as_str().unwrap().starts_with("0 developers"),
        "{team}"
    );
}

/// Workspace packages as real monorepos write them, with no node_modules:
/// `exports` with only `.`, `./*` patterns, conditions, and a `main` that
/// points at a build (`dist/`) a fresh clone does not have.
#[test]
fn workspace_imports_resolve_through_exports_without_node_modules() {
    let ctx = TestContext::builder()
        .file("mono/package.json", r#"{"name": "mono", "private": true, "workspaces": ["apps/*", "packages/*"]}"#)
        .file("mono/packages/database/package.json", r#"{"name": "@x/database", "exports": {".": "./src/client.ts"}}"#)
        .file("mono/packages/database/src/client.ts", "export const db = {};\n")
        .file("mono/packages/ui/package.json", r#"{"name": "@x/ui", "exports": {"./*": {"types": "./src/*.tsx", "default": "./dist/*.js"}}}"#)
        .file("mono/packages/ui/src/button.tsx", "export const Button = () => null;\n")
        .file("mono/packages/core/package.json", r#"{"name": "@x/core", "main": "./dist/index.js", "types": "./dist/index.d.ts"}"#)
        .file("mono/packages/core/src/index.ts", "export const core = 1;\n")
        .file("mono/packages/core/src/money/format.ts", "export const format = 1;\n")
        .file(
            "mono/apps/web/src/services/billing/invoice.ts",
            "import { db } from \"@x/database\";\nimport { Button } from \"@x/ui/button\";\nimport { core } from \"@x/core\";\nimport { format } from \"@x/core/money/format\";\nexport const all = [db, Button, core, format];\n",
        )
        .file(
            "mono/skillsctl.toml",
            "[domains]\nbilling = [\"apps/web/src/services/billing\"]\ndatabase = [\"packages/database\"]\nui = [\"packages/ui\"]\ncore = [\"packages/core\"]\n",
        )
        .build();
    let (report, _stderr) = analyze(&ctx, &["mono", "--no-history"]);
    let billing = report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "billing")
        .unwrap();
    let targets: Vec<(&str, u64)> = billing["boundary_edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["target"].as_str().unwrap(), e["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        targets,
        [
            ("packages/database/src/client.ts", 1),
            ("packages/ui/src/button.tsx", 2),
            ("packages/core/src/index.ts", 3),
            ("packages/core/src/money/format.ts", 4),
        ],
        "{}",
        billing["boundary_edges"]
    );
}

/// As in formbricks and dub: the app's tsconfig extends a workspace
/// package's by name, which only node_modules can resolve; a fresh clone has
/// none, yet the app's own `@/*` paths and a package's `./dist/src/x.js`
/// export (built from the package's own tree) still lead to the sources.
#[test]
fn an_app_tsconfig_extending_a_workspace_package_keeps_its_paths_without_node_modules() {
    let ctx = TestContext::builder()
        .file("mono/package.json", r#"{"name": "mono", "private": true, "workspaces": ["apps/*", "packages/*"]}"#)
        .file("mono/packages/config-typescript/package.json", r#"{"name": "@x/config-typescript"}"#)
        .file("mono/packages/config-typescript/nextjs.json", r#"{"compilerOptions": {"strict": true, "moduleResolution": "bundler"}}"#)
        .file("mono/packages/database/package.json", r#"{"name": "@x/database", "exports": {"./prisma": {"types": "./dist/src/prisma.d.ts", "import": "./dist/src/prisma.js"}}}"#)
        .file("mono/packages/database/src/prisma.ts", "export const prisma = {};\n")
        .file("mono/apps/web/package.json", r#"{"name": "@x/web", "dependencies": {"next": "15"}}"#)
        .file(
            "mono/apps/web/tsconfig.json",
            r#"{"extends": "@x/config-typescript/nextjs.json", "include": ["**/*.ts", "**/*.tsx"], "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./*"]}}}"#,
        )
        .file("mono/apps/web/modules/billing/invoice.ts", "import { survey } from \"@/modules/survey/create\";\nimport { prisma } from \"@x/database/prisma\";\nexport const all = [survey, prisma];\n")
        .file("mono/apps/web/modules/survey/create.ts", "export const survey = 1;\n")
        .file(
            "mono/skillsctl.toml",
            "[domains]\nbilling = [\"apps/web/modules/billing\"]\nsurvey = [\"apps/web/modules/survey\"]\ndatabase = [\"packages/database\"]\n",
        )
        .build();
    let (report, stderr) = analyze(&ctx, &["mono", "--no-history"]);
    assert!(!ctx.path("mono/node_modules").exists());
    let billing = domain(&report, "billing", &stderr);
    let targets: Vec<&str> = billing["boundary_edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "apps/web/modules/survey/create.ts",
            "packages/database/src/prisma.ts"
        ],
        "{}",
        report["unresolved"]
    );
    assert!(
        report["unresolved"].get("unresolved alias").is_none(),
        "{}",
        report["unresolved"]
    );
}

#[test]
fn unresolved_imports_are_counted_by_reason_and_lost_workspace_edges_warned() {
    let ctx = TestContext::builder()
        .file("mono/package.json", r#"{"name": "mono", "private": true, "workspaces": ["packages/*"]}"#)
        .file("mono/packages/ui/package.json", r#"{"name": "@x/ui", "exports": {"./button": "./src/button.tsx"}}"#)
        .file("mono/packages/ui/src/button.tsx", "export const Button = () => null;\n")
        .file(
            "mono/packages/app/src/services/billing/invoice.ts",
            "import { Button } from \"@x/ui/button\";\nimport { Card } from \"@x/ui/card\";\nimport { db } from \"@x/database\";\nimport { gone } from \"./gone\";\nimport { z } from \"zod\";\nexport const all = [Button, Card, db, gone, z];\n",
        )
        .file("mono/packages/app/package.json", r#"{"name": "@x/app"}"#)
        .file("mono/skillsctl.toml", "[domains]\nbilling = [\"packages/app/src/services/billing\"]\nui = [\"packages/ui\"]\n")
        .build();
    let (report, stderr) = analyze(&ctx, &["mono", "--no-history"]);
    assert_eq!(
        report["unresolved"],
        serde_json::json!({"external package": 1, "missing file": 1, "unknown workspace name or subpath": 2}),
        "{}",
        report["unresolved"]
    );
    assert!(
        stderr.contains("2 of 3 imports of workspace packages lead to no file"),
        "{stderr}"
    );
}

/// The report's entry for domain `name`.
fn domain<'r>(report: &'r serde_json::Value, name: &str, stderr: &str) -> &'r serde_json::Value {
    report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no domain {name}: {stderr}"))
}

/// `n` lines of code that export one constant each.
fn code(n: usize) -> String {
    use std::fmt::Write as _;
    (0..n).fold(String::new(), |mut out, i| {
        let _ = writeln!(out, "export const v{i} = {i};");
        out
    })
}

/// A documenso-shaped monorepo: business logic in `packages/lib/server-only/<d>`
/// and `packages/trpc/server/<d>-router`, API routes and components in the
/// app, plus a Prisma package, a ui package and a tsconfig package.
fn sliced_monorepo() -> TestContext {
    let mut builder = TestContext::builder()
        .file("mono/package.json", r#"{"name": "mono", "private": true, "workspaces": ["apps/*", "packages/*"]}"#)
        .file("mono/apps/web/package.json", r#"{"name": "@x/web", "dependencies": {"next": "15"}}"#)
        .file("mono/packages/lib/package.json", r#"{"name": "@x/lib", "main": "./index.ts"}"#)
        .file("mono/packages/trpc/package.json", r#"{"name": "@x/trpc", "main": "./index.ts"}"#)
        .file("mono/packages/prisma/package.json", r#"{"name": "@x/prisma", "main": "./index.ts"}"#)
        .file("mono/packages/prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n\nmodel Document {\n  id Int @id\n}\n")
        .file("mono/packages/prisma/index.ts", &code(40))
        .file("mono/packages/ui/package.json", r#"{"name": "@x/ui", "main": "./index.ts"}"#)
        .file("mono/packages/ui/primitives/button.tsx", &code(300))
        .file("mono/packages/tsconfig/package.json", r#"{"name": "@x/tsconfig"}"#)
        .file("mono/packages/lib/utils/format.ts", &code(120))
        .file("mono/packages/trpc/index.ts", &code(20))
        .file("mono/apps/web/src/app/layout.tsx", &code(50));
    for (server_only, router, route, component) in [
        ("document", "document-router", "documents", "document"),
        ("team", "team-router", "teams", "teams"),
        ("webhooks", "webhook-router", "webhooks", "webhook"),
    ] {
        builder = builder
            .file(
                &format!("mono/packages/lib/server-only/{server_only}/create.ts"),
                &code(200),
            )
            .file(
                &format!("mono/packages/trpc/server/{router}/router.ts"),
                &code(150),
            )
            .file(
                &format!("mono/apps/web/src/app/api/v1/{route}/route.ts"),
                &code(30),
            )
            .file(
                &format!("mono/apps/web/src/components/{component}/table.tsx"),
                &code(80),
            );
    }
    builder.build()
}

#[test]
fn vertical_slices_merge_across_layers_and_packages_keep_their_roles() {
    let ctx = sliced_monorepo();
    let (report, stderr) = analyze(&ctx, &["mono", "--no-history"]);
    let find = |name: &str| domain(&report, name, &stderr);
    // Hand-checked: one domain per slice name, singular/plural and -router merged.
    assert_eq!(
        find("document")["paths"],
        serde_json::json!([
            "apps/web/src/app/api/v1/documents",
            "apps/web/src/components/document",
            "packages/lib/server-only/document",
            "packages/trpc/server/document-router",
        ])
    );
    assert_eq!(find("team")["files"], 4);
    assert_eq!(find("webhook")["lines"]["code"], 460);
    for (name, role) in [
        ("document", "domain"),
        ("web", "app"),
        ("lib", "shared"),
        ("ui", "shared"),
        ("prisma", "data"),
        ("trpc", "domain"),
    ] {
        assert_eq!(find(name)["role"], role, "{name}");
    }
    // Shared libraries, the data layer and the app are never extracted.
    for name in ["lib", "ui", "prisma", "web"] {
        let d = find(name);
        assert_eq!(d["recommendation"], "keep", "{name}");
        assert!(
            d["reasons"][0]
                .as_str()
                .unwrap()
                .contains("never extracted"),
            "{name}: {}",
            d["reasons"]
        );
    }
    // Every line of code lies in a domain or a package.
    let total = report["lines"]["code"].as_u64().unwrap();
    let unassigned = report["unassigned"]["lines"]["code"].as_u64().unwrap();
    assert!(total >= 1910 && unassigned == 0, "{unassigned} of {total}");
}

#[test]
fn init_writes_the_detected_map_with_where_each_domain_was_found() {
    let ctx = sliced_monorepo();
    let out = ctx.cmd(["init", "mono", "--yes"]).output();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(ctx.path("mono/skillsctl.toml")).unwrap();
    assert!(
        text.contains(
            "# document: vertical slice in 4 layers: api routes, components, router, server-only\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("# ui: workspace package @x/ui, shared library: named `ui`\n"),
        "{text}"
    );
    assert!(text.contains("[roles]\n"), "{text}");
    assert!(text.contains("prisma = \"data\"\n"), "{text}");
    // The gateway routes only business domains.
    let gateway = std::fs::read_to_string(ctx.path("mono/gateway.toml")).unwrap();
    assert!(
        gateway.contains("prefix = \"/api/v1/documents\""),
        "{gateway}"
    );
    assert!(!gateway.contains("service = \"ui\""), "{gateway}");
    // The written map is the one analysis then uses, roles included.
    let (report, _) = analyze(&ctx, &["mono", "--no-history"]);
    let names: Vec<&str> = report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "document", "lib", "prisma", "team", "trpc", "tsconfig", "ui", "web", "webhook"
        ]
    );
    assert_eq!(domain(&report, "ui", "")["role"], "shared");
}

/// A dub-shaped single app: slices in `lib/api/<d>s`, `lib/actions/<d>s`,
/// hooks `use-<d>s.ts`, pages under a hostname folder and a dynamic segment,
/// and the Prisma schema inside the app.
#[test]
fn a_single_app_with_its_own_schema_keeps_the_app_role_and_a_data_layer() {
    let mut builder = TestContext::builder()
        .file(
            "one/package.json",
            r#"{"name": "one", "private": true, "workspaces": ["apps/*"]}"#,
        )
        .file(
            "one/apps/web/package.json",
            r#"{"name": "web", "dependencies": {"next": "15"}}"#,
        )
        .file(
            "one/apps/web/prisma/schema/schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
        )
        .file(
            "one/apps/web/prisma/schema/link.prisma",
            "model Link {\n  id Int @id\n}\n",
        )
        .file("one/apps/web/lib/prisma/index.ts", &code(10))
        .file("one/apps/web/middleware.ts", &code(10));
    for (api, hook, page) in [
        ("links", "use-links.ts", "links"),
        ("partners", "usePartners.ts", "partners"),
    ] {
        builder = builder
            .file(&format!("one/apps/web/lib/api/{api}/get.ts"), &code(100))
            .file(&format!("one/apps/web/lib/swr/{hook}"), &code(20))
            .file(
                &format!("one/apps/web/app/app.dub.co/(dashboard)/[slug]/{page}/page.tsx"),
                &code(60),
            );
    }
    let ctx = builder.build();
    let (report, stderr) = analyze(&ctx, &["one", "--no-history"]);
    let find = |name: &str| domain(&report, name, &stderr);
    assert_eq!(
        find("links")["paths"],
        serde_json::json!([
            "apps/web/app/app.dub.co/(dashboard)/[slug]/links",
            "apps/web/lib/api/links",
            "apps/web/lib/swr/use-links.ts",
        ])
    );
    assert_eq!(find("partners")["files"], 3);
    assert_eq!(find("web")["role"], "app");
    assert_eq!(find("database")["role"], "data");
    assert_eq!(
        find("database")["paths"],
        serde_json::json!(["apps/web/prisma"])
    );
}

/// Justified (size and independent deploys) but without tests or
/// monitoring: `prepare`, with those blockers in order; a test file that
/// imports it and a logger make it `extract`. `--fail-on prepare` gates both.
#[test]
fn a_justified_domain_without_tests_or_monitoring_is_prepare_until_it_has_them() {
    let ctx = TestContext::builder()
        .file(
            "skillsctl.toml",
            "[domains]\nbilling = [\"src/billing\"]\nnotes = [\"src/notes\"]\n\n[facts.billing]\nindependent_deploys = true\n",
        )
        .file("src/billing/invoice.ts", &code(1200))
        .file("src/notes/note.ts", &code(20))
        .build();
    let (report, stderr) = analyze(&ctx, &["--no-history"]);
    let billing = domain(&report, "billing", &stderr);
    assert_eq!(
        billing["recommendation"], "prepare",
        "{}",
        billing["reasons"]
    );
    assert_eq!(billing["ready"], false);
    let kinds: Vec<&str> = billing["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["tests", "monitoring"]);
    assert_eq!(report["prepare"], serde_json::json!(["billing"]));
    ctx.cmd(["analyze-boundaries", "--no-history", "--fail-on", "prepare"])
        .expect_code(1);
    ctx.cmd(["analyze-boundaries", "--no-history", "--fail-on", "extract"])
        .expect_code(0);

    ctx.write(
        "tests/billing/invoice.test.ts",
        "import { v0 } from \"../../src/billing/invoice\";\nexport const t = v0;\n",
    );
    ctx.write(
        "src/billing/log.ts",
        "import pino from \"pino\";\nexport const log = pino();\n",
    );
    let (report, stderr) = analyze(&ctx, &["--no-history"]);
    let billing = domain(&report, "billing", &stderr);
    assert_eq!(
        billing["recommendation"], "extract",
        "{}",
        billing["blockers"]
    );
    assert_eq!(billing["ready"], true);
    ctx.cmd(["analyze-boundaries", "--no-history", "--fail-on", "extract"])
        .expect_code(1);
}
