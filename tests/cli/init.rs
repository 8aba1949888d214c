//! `skillsctl init` on the bundled monorepo and on small repos built in tests.

use crate::support::TestContext;

/// The sample monorepo without the skillsctl.toml it ships, as `init` finds a new repo.
fn monorepo() -> TestContext {
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .build();
    std::fs::remove_file(ctx.path("repo/skillsctl.toml")).unwrap();
    ctx
}

#[test]
fn writes_a_config_the_other_commands_read_and_refuses_to_overwrite() {
    let ctx = monorepo();
    let out = ctx.cmd(["init", "--yes", "repo"]).expect_code(0);
    assert!(out.stdout.contains("wrote"), "{}", out.stdout);
    let written = ctx.read("repo/skillsctl.toml");
    assert!(written.contains("[domains]"));
    // Every other command reads it: `config` validates it the same way.
    let check = ctx
        .cmd(["--format", "json", "config"])
        .current_dir(ctx.path("repo"))
        .expect_code(0);
    let entries = check.json()["entries"].as_array().unwrap().clone();
    for key in [
        "domains.ai",
        "domains.skills",
        "domains.categories",
        "database.layout",
        "health.targets[0]",
    ] {
        assert!(
            entries.iter().any(|e| e["key"] == key),
            "{key} missing from {entries:?}"
        );
    }
    // A second run refuses and leaves the file as it was.
    let again = ctx.cmd(["init", "--yes", "repo"]).expect_code(2);
    assert!(
        again.stderr.contains("already exists") && again.stderr.contains("--force"),
        "{}",
        again.stderr
    );
    assert_eq!(ctx.read("repo/skillsctl.toml"), written);
    // --force replaces it.
    ctx.write("repo/skillsctl.toml", "# hand edited\n");
    ctx.cmd(["init", "--yes", "--force", "repo"]).expect_code(0);
    assert_eq!(ctx.read("repo/skillsctl.toml"), written);
}

/// `init` writes a gateway file beside the config, every domain internal at
/// its API prefix, and never replaces one that is there (it holds live weights).
#[test]
fn writes_a_gateway_file_once() {
    let ctx = monorepo();
    std::fs::remove_file(ctx.path("repo/gateway.toml")).ok();
    ctx.cmd(["init", "--yes", "--force", "repo"]).expect_code(0);
    let gateway = ctx.read("repo/gateway.toml");
    assert!(
        gateway.contains("service = \"skills\"\nprefix = \"/api/v1/skills\"\nmode = \"internal\""),
        "{gateway}"
    );
    assert!(
        gateway.contains("prefix = \"/api/v1/integrations/github\""),
        "{gateway}"
    );
    // update-gateway-config reads what init wrote.
    ctx.cmd(["update-gateway-config", "--check"])
        .current_dir(ctx.path("repo"))
        .expect_code(0);
    ctx.write("repo/gateway.toml", "# ours\n");
    ctx.cmd(["init", "--yes", "--force", "repo"]).expect_code(0);
    assert_eq!(ctx.read("repo/gateway.toml"), "# ours\n");
}

/// `init --force` over a config with hand-made `[domains]` keeps that map
/// instead of the detected one; everything else is written anew.
#[test]
fn force_keeps_the_configured_domains() {
    let ctx = monorepo();
    ctx.write(
        "repo/skillsctl.toml",
        "[domains]\nlearning = [\"packages/backend-core/src/services/ai\", \"packages/backend-core/src/services/skills\"]\n",
    );
    ctx.cmd(["init", "--yes", "--force", "repo"]).expect_code(0);
    let written = ctx.read("repo/skillsctl.toml");
    assert!(written.contains("learning = ["), "{written}");
    assert!(!written.contains("\ncategories = ["), "{written}");
    assert!(
        written.contains("[health]") || written.contains("[[health.targets]]"),
        "{written}"
    );
}

#[test]
fn detects_the_monorepo_layout() {
    let ctx = monorepo();
    let out = ctx
        .cmd(["--format", "json", "init", "--yes", "--dry-run", "repo"])
        .expect_code(0);
    let json = out.json();
    let detected = &json["detected"];
    assert_eq!(json["effect"], "would-create");
    assert!(
        !ctx.path("repo/skillsctl.toml").exists(),
        "dry-run wrote a file"
    );
    let packages: Vec<&str> = detected["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        packages,
        [
            "packages/app",
            "packages/backend-core",
            "packages/design-system"
        ]
    );
    let app = &detected["packages"][0];
    assert_eq!(app["next_app"], true);
    let routes: Vec<&str> = app["api_routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["route"].as_str().unwrap())
        .collect();
    for route in [
        "/api/health",
        "/api/v1/skills",
        "/api/v1/skills/[id]",
        "/api/v1/categories",
        "/api/v1/assessments/[id]",
    ] {
        assert!(routes.contains(&route), "{route} not in {routes:?}");
    }
    assert_eq!(detected["prisma"]["path"], "prisma/schema.prisma");
    assert_eq!(detected["prisma"]["provider"], "postgresql");
    assert_eq!(detected["migrations"][0]["layout"], "prisma");
    let domains = detected["domains"].as_object().unwrap();
    for name in [
        "ai",
        "analytics",
        "assessments",
        "categories",
        "github",
        "skills",
    ] {
        assert!(
            domains.contains_key(name),
            "domain {name} missing: {domains:?}"
        );
    }
    let skills: Vec<&str> = domains["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        skills,
        [
            "packages/app/src/app/api/v1/skills",
            "packages/backend-core/src/services/skills"
        ]
    );
    // The config text is in the JSON with --dry-run and keeps the password out.
    let config = json["config"].as_str().unwrap();
    assert!(
        config.contains(
            "${DATABASE_URL:-postgresql://postgres@localhost:5432/skills_evaluation_dev}"
        ),
        "{config}"
    );
    assert!(
        !config.contains("postgres:postgres@"),
        "compose password leaked into config"
    );
}

#[test]
fn detects_pnpm_workspaces_sqlx_migrations_multi_file_prisma_and_cargo() {
    let ctx = TestContext::builder()
        .file("pnpm-workspace.yaml", "packages:\n  - 'apps/*'\n  - '!apps/legacy'\n")
        .file("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
        .file("package.json", "{\"name\": \"shop\", \"private\": true}")
        .file("apps/web/package.json", "{\"name\": \"web\", \"dependencies\": {\"next\": \"15.0.0\"}}")
        .file("apps/web/pages/api/orders/index.ts", "export default function h() {}\n")
        .file("apps/web/pages/api/health.ts", "export default function h() {}\n")
        .file("apps/legacy/package.json", "{\"name\": \"legacy\"}")
        .file("prisma/schema/base.prisma", "datasource db {\n  provider = \"mysql\"\n  url = env(\"DATABASE_URL\")\n}\n")
        .file("prisma/schema/orders.prisma", "model Order {\n  id Int @id\n}\nmodel Line {\n  id Int @id\n}\n")
        .file("Cargo.toml", "[workspace]\nmembers = [\"services/*\"]\n")
        .file("services/billing/Cargo.toml", "[package]\nname = \"billing\"\n")
        .file("services/billing/migrations/20240101000000_init.sql", "CREATE TABLE t (id int);\n")
        .file("services/billing/migrations/20240102000000_more.up.sql", "SELECT 1;\n")
        .file("services/billing/migrations/20240102000000_more.down.sql", "SELECT 1;\n")
        .file("compose.yaml", "services:\n  db:\n    image: mariadb:11\n    ports: ['3307:3306']\n    environment:\n      - MARIADB_DATABASE=shop\n")
        .build();
    let out = ctx
        .cmd(["--format", "json", "init", "--yes", "--dry-run"])
        .expect_code(0);
    let d = &out.json()["detected"];
    assert_eq!(d["package_manager"], "pnpm");
    let paths: Vec<&str> = d["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["apps/web", "services/billing"],
        "legacy is excluded, the crate is a package"
    );
    let routes: Vec<&str> = d["packages"][0]["api_routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["route"].as_str().unwrap())
        .collect();
    assert_eq!(routes, ["/api/health", "/api/orders"]);
    assert_eq!(d["prisma"]["multi_file"], true);
    assert_eq!(d["prisma"]["provider"], "mysql");
    assert_eq!(d["prisma"]["models"], serde_json::json!(["Line", "Order"]));
    assert_eq!(d["migrations"][0]["path"], "services/billing/migrations");
    assert_eq!(d["migrations"][0]["layout"], "sqlx");
    assert_eq!(d["migrations"][0]["count"], 2);
    assert_eq!(d["cargo_members"], serde_json::json!(["services/billing"]));
    assert!(
        out.json()["config"]
            .as_str()
            .unwrap()
            .contains("mysql://root@localhost:3307/shop")
    );
}

#[test]
fn not_a_directory_is_a_usage_error() {
    let ctx = TestContext::builder().file("file.txt", "x").build();
    let out = ctx.cmd(["init", "--yes", "file.txt"]).expect_code(2);
    assert!(
        out.stderr.contains("file.txt is not a directory"),
        "{}",
        out.stderr
    );
}

#[test]
fn malformed_package_json_names_file_line_and_column() {
    let ctx = TestContext::builder()
        .file(
            "package.json",
            "{\n  \"name\": \"x\",\n  \"workspaces\": [\n}\n",
        )
        .build();
    let out = ctx.cmd(["init", "--yes"]).expect_code(2);
    assert!(out.stderr.contains("package.json:4:1"), "{}", out.stderr);
    assert!(
        !ctx.path("skillsctl.toml").exists(),
        "nothing is written on error"
    );
}

#[test]
fn table_output_lists_what_was_found() {
    let ctx = monorepo();
    let out = ctx.cmd(["init", "--yes", "repo"]).expect_code(0);
    for needle in [
        "package",
        "packages/app",
        "prisma schema",
        "compose service",
        "domain",
    ] {
        assert!(
            out.stdout.contains(needle),
            "{needle} missing:\n{}",
            out.stdout
        );
    }
    assert!(
        !out.stdout.contains('\u{1b}'),
        "no colour when not a terminal"
    );
}

#[test]
fn a_write_that_fails_is_a_runtime_error_and_leaves_nothing() {
    let ctx = monorepo();
    ctx.write("blocker", "a file, not a folder");
    let out = ctx
        .cmd([
            "--config",
            "blocker/skillsctl.toml",
            "init",
            "--yes",
            "repo",
        ])
        .expect_code(3);
    assert!(out.stderr.contains("cannot write"), "{}", out.stderr);
    assert_eq!(ctx.read("blocker"), "a file, not a folder");
}

#[test]
fn asks_on_a_terminal_and_uses_the_answers() {
    let ctx = monorepo();
    // A real pseudo-terminal (util-linux `script`); the answers are typed into it.
    let mut child = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{} init repo", env!("CARGO_BIN_EXE_skillsctl")),
            "/dev/null",
        ])
        .current_dir(ctx.root())
        .env_remove("CI")
        .env("COLUMNS", "120")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run script (util-linux)");
    {
        use std::io::Write;
        let stdin = child.stdin.as_mut().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        stdin.write_all(b"http://localhost:4000\r").unwrap();
        stdin.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_secs(1));
        stdin.write_all(b"y").unwrap();
        stdin.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    let out = child.wait_with_output().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("Where does the app listen?"), "{screen}");
    let written = ctx.read("repo/skillsctl.toml");
    assert!(
        written.contains("url = \"http://localhost:4000/api/health\""),
        "{written}"
    );
}
