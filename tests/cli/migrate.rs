//! `skillsctl migrate` against the machine's PostgreSQL, MariaDB and SQLite files:
//! both ledgers row by row, races, failures, no-transaction statements, drift,
//! baseline, resolve and lint.

use std::process::Command;

use crate::support::{MysqlDb, PostgresDb, TestContext};

/// SHA-256 / SHA-384 of a file with coreutils, independent of skillsctl's code.
fn coreutils_sum(tool: &str, path: &std::path::Path) -> String {
    let out = Command::new(tool)
        .arg(path)
        .output()
        .expect("run coreutils checksum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

fn sqlx_project(files: &[(&str, &str)]) -> TestContext {
    let mut builder = TestContext::builder();
    for (name, sql) in files {
        builder = builder.file(&format!("migrations/{name}"), sql);
    }
    builder.build()
}

fn migrate(ctx: &TestContext, url: &str, args: &[&str]) -> crate::support::Run {
    let mut full = vec!["--format", "json", "migrate", "--database-url", url];
    full.extend_from_slice(args);
    ctx.cmd(full)
}

const SQLX_FILES: &[(&str, &str)] = &[
    (
        "20240101000000_create_skills.sql",
        "CREATE TABLE skills (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL);\n",
    ),
    (
        "20240102000000_skill_functions.sql",
        "CREATE FUNCTION touch() RETURNS trigger AS $$\nBEGIN\n  NEW.name := trim(NEW.name); -- a ; inside\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n\nDO $do$ BEGIN RAISE NOTICE 'ok;'; END $do$;\nCREATE TRIGGER skills_touch BEFORE INSERT ON skills FOR EACH ROW EXECUTE FUNCTION touch();\n",
    ),
    (
        "20240103000000_add_level.up.sql",
        "ALTER TABLE skills ADD COLUMN level INT;\n",
    ),
    (
        "20240103000000_add_level.down.sql",
        "ALTER TABLE skills DROP COLUMN level;\n",
    ),
];

#[test]
fn sqlx_ledger_rows_are_exactly_what_sqlx_writes() {
    let pg = PostgresDb::create();
    let ctx = sqlx_project(SQLX_FILES);
    let status = migrate(&ctx, &pg.url, &["status"]).expect_code(0).json();
    assert_eq!(status["pending"], 3);
    assert_eq!(status["layout"], "sqlx");
    let report = migrate(&ctx, &pg.url, &["run"]).expect_code(0).json();
    assert_eq!(report["migrations"].as_array().unwrap().len(), 3);
    let rows = pg.rows("SELECT version::text, description, success::text, encode(checksum, 'hex'), (execution_time > 0)::text FROM _sqlx_migrations ORDER BY version");
    let expected: Vec<Vec<String>> = [
        (
            "20240101000000",
            "create skills",
            "20240101000000_create_skills.sql",
        ),
        (
            "20240102000000",
            "skill functions",
            "20240102000000_skill_functions.sql",
        ),
        (
            "20240103000000",
            "add level",
            "20240103000000_add_level.up.sql",
        ),
    ]
    .iter()
    .map(|(v, d, f)| {
        vec![
            (*v).to_owned(),
            (*d).to_owned(),
            "true".into(),
            coreutils_sum("sha384sum", &ctx.path(&format!("migrations/{f}"))),
            "true".into(),
        ]
    })
    .collect();
    assert_eq!(rows, expected);
    // The ledger's columns and types are sqlx's.
    let columns = pg.rows("SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns WHERE table_name = '_sqlx_migrations' ORDER BY ordinal_position");
    let columns: Vec<String> = columns.iter().map(|c| c.join(" ")).collect();
    assert_eq!(
        columns,
        [
            "version bigint NO",
            "description text NO",
            "installed_on timestamp with time zone NO",
            "success boolean NO",
            "checksum bytea NO",
            "execution_time bigint NO"
        ]
    );
    // The trigger from the dollar-quoted function works.
    pg.execute("INSERT INTO skills (name, level) VALUES ('  rust  ', 3)");
    assert_eq!(pg.rows("SELECT name FROM skills"), [["rust"]]);
    // Up to date: nothing runs, exit 0; --check passes.
    let again = migrate(&ctx, &pg.url, &["run"]).expect_code(0).json();
    assert!(again["migrations"].as_array().unwrap().is_empty());
    migrate(&ctx, &pg.url, &["status", "--check"]).expect_code(0);
    migrate(&ctx, &pg.url, &["verify"]).expect_code(0);
}

#[test]
fn sqlx_own_migrator_accepts_skillsctls_ledger_and_the_reverse() {
    let pg = PostgresDb::create();
    let ctx = sqlx_project(SQLX_FILES);
    migrate(&ctx, &pg.url, &["run", "--target", "20240102000000"]).expect_code(0);
    // sqlx's migrator validates every applied checksum and applies the rest.
    let dir = ctx.path("migrations");
    let url = pg.url.clone();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .unwrap();
            let migrator = sqlx::migrate::Migrator::new(dir).await.unwrap();
            migrator
                .run(&pool)
                .await
                .expect("sqlx accepts skillsctl's ledger");
        });
    let status = migrate(&ctx, &pg.url, &["status", "--check"])
        .expect_code(0)
        .json();
    assert_eq!(
        status["applied"], 3,
        "skillsctl reads what sqlx wrote: {status}"
    );
}

#[test]
fn prisma_ledger_rows_match_prismas_lifecycle() {
    let pg = PostgresDb::create();
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .build();
    let out = ctx
        .cmd([
            "--format",
            "json",
            "migrate",
            "--database-url",
            &pg.url,
            "run",
        ])
        .current_dir(ctx.path("repo"))
        .expect_code(0);
    let applied = out.json()["migrations"].as_array().unwrap().len();
    assert_eq!(applied, 6);
    let rows = pg.rows("SELECT migration_name, checksum, applied_steps_count::text, (finished_at IS NOT NULL)::text, (rolled_back_at IS NULL)::text, (logs IS NULL)::text, (id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')::text FROM _prisma_migrations ORDER BY migration_name");
    let mut names: Vec<String> = std::fs::read_dir(ctx.path("repo/prisma/migrations"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let expected: Vec<Vec<String>> = names
        .iter()
        .map(|n| {
            vec![
                n.clone(),
                coreutils_sum(
                    "sha256sum",
                    &ctx.path(&format!("repo/prisma/migrations/{n}/migration.sql")),
                ),
                "1".into(),
                "true".into(),
                "true".into(),
                "true".into(),
                "true".into(),
            ]
        })
        .collect();
    assert_eq!(rows, expected);
    let columns = pg.rows("SELECT column_name::text, data_type::text, COALESCE(character_maximum_length::text, ''), is_nullable::text FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position");
    let columns: Vec<String> = columns.iter().map(|c| c.join(" ")).collect();
    assert_eq!(
        columns,
        [
            "id character varying 36 NO",
            "checksum character varying 64 NO",
            "finished_at timestamp with time zone  YES",
            "migration_name character varying 255 NO",
            "logs text  YES",
            "rolled_back_at timestamp with time zone  YES",
            "started_at timestamp with time zone  NO",
            "applied_steps_count integer  NO",
        ]
    );
}

#[test]
fn eight_racing_runs_apply_each_migration_exactly_once() {
    let pg = PostgresDb::create();
    pg.execute("CREATE TABLE applied_log (migration int NOT NULL)");
    let files: Vec<(String, String)> = (1..=30)
        .map(|i| (format!("{i:04}_step_{i}.sql"), format!("CREATE TABLE t{i} (id int);\nINSERT INTO applied_log VALUES ({i});\nSELECT pg_sleep(0.01);\n")))
        .collect();
    let mut builder = TestContext::builder();
    for (name, sql) in &files {
        builder = builder.file(&format!("migrations/{name}"), sql);
    }
    let ctx = builder.build();
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_skillsctl"))
                .args([
                    "--format",
                    "json",
                    "migrate",
                    "--database-url",
                    &pg.url,
                    "run",
                ])
                .current_dir(ctx.root())
                .env_remove("DATABASE_URL")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut total_applied = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        total_applied += report["migrations"].as_array().unwrap().len();
    }
    assert_eq!(
        total_applied, 30,
        "every migration applied by exactly one racer"
    );
    assert_eq!(
        pg.rows("SELECT count(*)::text, count(DISTINCT migration)::text FROM applied_log"),
        [["30", "30"]]
    );
    assert_eq!(
        pg.rows("SELECT count(*)::text FROM _sqlx_migrations WHERE success"),
        [["30"]]
    );
}

#[test]
fn a_failing_migration_rolls_back_and_names_file_line_and_column() {
    let pg = PostgresDb::create();
    let ctx = sqlx_project(&[
        ("1_ok.sql", "CREATE TABLE a (id int);\n"),
        (
            "2_bad.sql",
            "CREATE TABLE b (id int);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nINSERT INTO b VALUES (1);\nINSERT INTO missing_table VALUES (1);\n",
        ),
        ("3_never.sql", "CREATE TABLE c (id int);\n"),
    ]);
    let out = migrate(&ctx, &pg.url, &["run"]).expect_code(3);
    assert!(out.stderr.contains("migrations/2_bad.sql:4:13: migration 2 failed: relation \"missing_table\" does not exist"), "{}", out.stderr);
    assert!(out.stderr.contains("rolled back"), "{}", out.stderr);
    assert_eq!(
        pg.rows("SELECT version::text FROM _sqlx_migrations"),
        [["1"]]
    );
    assert_eq!(
        pg.rows("SELECT (to_regclass('b') IS NULL)::text, (to_regclass('c') IS NULL)::text")
            .iter()
            .map(|r| r.join(","))
            .collect::<Vec<_>>(),
        ["true,true"]
    );
}

#[test]
fn prisma_failure_blocks_until_resolved() {
    let pg = PostgresDb::create();
    let ctx = TestContext::builder()
        .file("prisma/migrations/migration_lock.toml", "# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = \"postgresql\"\n")
        .file("prisma/migrations/20240101000000_init/migration.sql", "CREATE TABLE \"Skill\" (\"id\" TEXT NOT NULL, CONSTRAINT \"Skill_pkey\" PRIMARY KEY (\"id\"));\n")
        .file("prisma/migrations/20240102000000_broken/migration.sql", "ALTER TABLE \"Skill\" ADD COLUMN \"level\" INTEGER;\nALTER TABLE \"Nope\" ADD COLUMN \"x\" INTEGER;\n")
        .build();
    let out = migrate(&ctx, &pg.url, &["run"]).expect_code(3);
    assert!(
        out.stderr
            .contains("20240102000000_broken/migration.sql:2:1"),
        "{}",
        out.stderr
    );
    let failed = pg.rows("SELECT migration_name, (finished_at IS NULL)::text, (logs LIKE '%Nope%')::text, applied_steps_count::text FROM _prisma_migrations WHERE migration_name LIKE '%broken'");
    assert_eq!(failed, [["20240102000000_broken", "true", "true", "0"]]);
    let status = migrate(&ctx, &pg.url, &["status", "--check"])
        .expect_code(1)
        .json();
    assert_eq!(status["migrations"][1]["state"], "failed");
    let blocked = migrate(&ctx, &pg.url, &["run"]).expect_code(2);
    assert!(blocked.stderr.contains("resolve"), "{}", blocked.stderr);
    // Fix the file, set the failed record aside, run again.
    ctx.write(
        "prisma/migrations/20240102000000_broken/migration.sql",
        "ALTER TABLE \"Skill\" ADD COLUMN \"level\" INTEGER;\n",
    );
    migrate(
        &ctx,
        &pg.url,
        &["resolve", "--rolled-back", "20240102000000_broken"],
    )
    .expect_code(0);
    migrate(&ctx, &pg.url, &["run"]).expect_code(0);
    let rows = pg.rows("SELECT (rolled_back_at IS NOT NULL)::text, (finished_at IS NOT NULL)::text FROM _prisma_migrations WHERE migration_name LIKE '%broken' ORDER BY started_at");
    assert_eq!(rows, [["true", "false"], ["false", "true"]]);
    migrate(&ctx, &pg.url, &["status", "--check"]).expect_code(0);
    // resolve --rolled-back on a healthy migration is refused.
    migrate(
        &ctx,
        &pg.url,
        &["resolve", "--rolled-back", "20240101000000_init"],
    )
    .expect_code(2);
}

#[test]
fn resolve_applied_records_a_migration_finished_by_hand() {
    let pg = PostgresDb::create();
    let ctx = TestContext::builder()
        .file(
            "prisma/migrations/20240101000000_init/migration.sql",
            "CREATE TABLE a (id int);\nCREATE TABLE a (id int);\n",
        )
        .build();
    migrate(&ctx, &pg.url, &["run"]).expect_code(3);
    pg.execute("CREATE TABLE a (id int)");
    migrate(
        &ctx,
        &pg.url,
        &["resolve", "--applied", "20240101000000_init"],
    )
    .expect_code(0);
    let rows = pg.rows("SELECT (rolled_back_at IS NOT NULL)::text, (finished_at IS NOT NULL)::text, applied_steps_count::text FROM _prisma_migrations ORDER BY started_at, finished_at NULLS FIRST");
    assert_eq!(rows, [["true", "false", "0"], ["false", "true", "0"]]);
    migrate(&ctx, &pg.url, &["status", "--check"]).expect_code(0);
}

#[test]
fn concurrently_runs_outside_a_transaction() {
    let pg = PostgresDb::create();
    let ctx = sqlx_project(&[
        ("1_table.sql", "CREATE TABLE skills (id int, name text);\n"),
        (
            "2_index.sql",
            "-- no-transaction\nCREATE INDEX CONCURRENTLY skills_name ON skills (name);\n",
        ),
        (
            "3_auto.sql",
            "CREATE UNIQUE INDEX CONCURRENTLY skills_id ON skills (id);\n",
        ),
    ]);
    let report = migrate(&ctx, &pg.url, &["run"]).expect_code(0).json();
    let modes: Vec<&str> = report["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mode"].as_str().unwrap())
        .collect();
    assert_eq!(modes, ["transaction", "no-transaction", "no-transaction"]);
    let valid = pg.rows("SELECT c.relname::text, i.indisvalid::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'skills_%' ORDER BY 1");
    assert_eq!(valid, [["skills_id", "true"], ["skills_name", "true"]]);
}

#[test]
fn checksum_drift_is_reported_and_line_endings_are_not_drift() {
    let pg = PostgresDb::create();
    let ctx = sqlx_project(&[
        (
            "1_a.sql",
            "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
        ),
        ("2_b.sql", "CREATE TABLE c (id int);\n"),
    ]);
    migrate(&ctx, &pg.url, &["run"]).expect_code(0);
    // CRLF only: still the same migration.
    ctx.write(
        "migrations/1_a.sql",
        "CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n",
    );
    migrate(&ctx, &pg.url, &["status", "--check"]).expect_code(0);
    // A real edit: reported everywhere, and run refuses.
    ctx.write(
        "migrations/1_a.sql",
        "CREATE TABLE a (id bigint);\nCREATE TABLE b (id int);\n",
    );
    ctx.write("migrations/3_c.sql", "CREATE TABLE d (id int);\n");
    let status = migrate(&ctx, &pg.url, &["status", "--check"])
        .expect_code(1)
        .json();
    assert_eq!(status["migrations"][0]["state"], "checksum-mismatch");
    let verify = migrate(&ctx, &pg.url, &["verify"]).expect_code(1).json();
    assert!(
        verify["items"][0]["effect"]
            .as_str()
            .unwrap()
            .contains("edited")
    );
    let out = migrate(&ctx, &pg.url, &["run"]).expect_code(2);
    assert!(
        out.stderr.contains("migration 1 was edited") && out.stderr.contains("--ignore-checksums"),
        "{}",
        out.stderr
    );
    migrate(&ctx, &pg.url, &["run", "--ignore-checksums"]).expect_code(0);
    // A deleted applied migration is missing-on-disk.
    std::fs::remove_file(ctx.path("migrations/2_b.sql")).unwrap();
    let status = migrate(&ctx, &pg.url, &["status"]).expect_code(0).json();
    assert!(
        status["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == "2" && m["state"] == "missing-on-disk")
    );
}

#[test]
fn baseline_marks_an_existing_database() {
    let pg = PostgresDb::create();
    pg.execute("CREATE TABLE \"Skill\" (id text primary key)");
    let ctx = TestContext::builder()
        .file(
            "prisma/migrations/20240101000000_init/migration.sql",
            "CREATE TABLE \"Skill\" (id text primary key);\n",
        )
        .file(
            "prisma/migrations/20240102000000_more/migration.sql",
            "CREATE TABLE \"Category\" (id text primary key);\n",
        )
        .build();
    let refused = migrate(&ctx, &pg.url, &["run"]).expect_code(2);
    assert!(refused.stderr.contains("baseline"), "{}", refused.stderr);
    // Without a terminal and without --yes, baseline asks for --yes.
    migrate(&ctx, &pg.url, &["baseline", "20240101000000_init"]).expect_code(2);
    let report = migrate(&ctx, &pg.url, &["baseline", "20240101000000_init", "--yes"])
        .expect_code(0)
        .json();
    assert_eq!(report["items"].as_array().unwrap().len(), 1);
    migrate(&ctx, &pg.url, &["run"]).expect_code(0);
    assert_eq!(pg.rows("SELECT migration_name, applied_steps_count::text FROM _prisma_migrations ORDER BY migration_name"), [["20240101000000_init", "0"], ["20240102000000_more", "1"]]);
}

#[test]
fn revert_runs_down_scripts() {
    let pg = PostgresDb::create();
    let ctx = sqlx_project(SQLX_FILES);
    migrate(&ctx, &pg.url, &["run"]).expect_code(0);
    let reverted = migrate(&ctx, &pg.url, &["revert"]).expect_code(0).json();
    assert_eq!(reverted["migrations"][0]["id"], "20240103000000");
    assert_eq!(pg.rows("SELECT count(*)::text FROM information_schema.columns WHERE table_name = 'skills' AND column_name = 'level'"), [["0"]]);
    assert_eq!(
        pg.rows("SELECT count(*)::text FROM _sqlx_migrations"),
        [["2"]]
    );
    // The next one has no down script.
    let out = migrate(&ctx, &pg.url, &["revert"]).expect_code(2);
    assert!(out.stderr.contains("has no .down.sql"), "{}", out.stderr);
}

#[test]
fn add_creates_files_in_the_layout_in_use() {
    let ctx = sqlx_project(&[("0001_init.sql", "SELECT 1;\n")]);
    let out = ctx
        .cmd([
            "--format",
            "json",
            "migrate",
            "add",
            "add skill tags",
            "--reversible",
            "--sequential",
        ])
        .expect_code(0)
        .json();
    assert_eq!(out["items"].as_array().unwrap().len(), 2);
    assert!(ctx.path("migrations/0002_add_skill_tags.up.sql").is_file());
    assert!(
        ctx.path("migrations/0002_add_skill_tags.down.sql")
            .is_file()
    );
    let prisma = TestContext::builder()
        .file(
            "prisma/migrations/migration_lock.toml",
            "provider = \"postgresql\"\n",
        )
        .build();
    prisma.cmd(["migrate", "add", "Add Tags"]).expect_code(0);
    let dirs: Vec<String> = std::fs::read_dir(prisma.path("prisma/migrations"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(dirs.len(), 1);
    assert!(
        dirs[0].ends_with("_add_tags") && dirs[0].len() == 14 + "_add_tags".len(),
        "{dirs:?}"
    );
    prisma
        .cmd(["migrate", "add", "x", "--reversible"])
        .expect_code(2);
}

#[test]
fn mysql_sqlx_ledger_and_a_dirty_failure() {
    let my = MysqlDb::create();
    let ctx = sqlx_project(&[
        ("1_a.sql", "CREATE TABLE a (id INT);\n"),
        (
            "2_b.sql",
            "CREATE TABLE b (id INT);\nCREATE TABLE a (id INT);\n",
        ),
    ]);
    let out = migrate(&ctx, &my.url, &["run"]).expect_code(3);
    assert!(
        out.stderr.contains("migrations/2_b.sql:2:1") && out.stderr.contains("already exists"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("1 of 2 statements had run") && out.stderr.contains("resolve"),
        "{}",
        out.stderr
    );
    let rows = my.rows("SELECT CAST(version AS CHAR), CAST(description AS CHAR), CAST(success AS CHAR), LOWER(HEX(checksum)) FROM _sqlx_migrations ORDER BY version");
    assert_eq!(
        rows[0],
        [
            "1",
            "a",
            "1",
            &coreutils_sum("sha384sum", &ctx.path("migrations/1_a.sql"))
        ]
    );
    assert_eq!(rows[1][..3], ["2", "b", "0"]);
    migrate(&ctx, &my.url, &["run"]).expect_code(2);
    my.execute("DROP TABLE b");
    ctx.write("migrations/2_b.sql", "CREATE TABLE b (id INT);\n");
    migrate(&ctx, &my.url, &["resolve", "--rolled-back", "2"]).expect_code(0);
    migrate(&ctx, &my.url, &["run"]).expect_code(0);
    migrate(&ctx, &my.url, &["status", "--check"]).expect_code(0);
}

#[test]
fn mysql_prisma_ledger() {
    let my = MysqlDb::create();
    let ctx = TestContext::builder()
        .file(
            "prisma/migrations/migration_lock.toml",
            "provider = \"mysql\"\n",
        )
        .file(
            "prisma/migrations/20240101000000_init/migration.sql",
            "CREATE TABLE `Skill` (`id` VARCHAR(191) NOT NULL, PRIMARY KEY (`id`));\n",
        )
        .build();
    migrate(&ctx, &my.url, &["run"]).expect_code(0);
    let rows = my.rows("SELECT migration_name, checksum, CAST(applied_steps_count AS CHAR), CAST(finished_at IS NOT NULL AS CHAR) FROM _prisma_migrations");
    assert_eq!(
        rows,
        [[
            "20240101000000_init",
            &coreutils_sum(
                "sha256sum",
                &ctx.path("prisma/migrations/20240101000000_init/migration.sql")
            ),
            "1",
            "1"
        ]]
    );
    // A PostgreSQL lock file against MySQL is refused.
    ctx.write(
        "prisma/migrations/migration_lock.toml",
        "provider = \"postgresql\"\n",
    );
    let out = migrate(&ctx, &my.url, &["status"]).expect_code(2);
    assert!(
        out.stderr.contains("provider = \"postgresql\""),
        "{}",
        out.stderr
    );
}

#[test]
fn sqlite_file_is_the_default_database() {
    let ctx = sqlx_project(&[
        (
            "1_a.sql",
            "CREATE TABLE a (id INTEGER);\nINSERT INTO a VALUES (1);\n",
        ),
        (
            "2_b.sql",
            "CREATE TABLE b (id INTEGER);\nINSERT INTO nope VALUES (1);\n",
        ),
    ]);
    let out = ctx.cmd(["migrate", "run"]).expect_code(3);
    assert!(out.stderr.contains("using SQLite"), "{}", out.stderr);
    assert!(
        out.stderr.contains("migrations/2_b.sql:2:1") && out.stderr.contains("no such table: nope"),
        "{}",
        out.stderr
    );
    let db = ctx.path(".skillsctl/dev.sqlite3");
    assert!(db.is_file());
    let status = ctx
        .cmd(["--format", "json", "migrate", "status"])
        .expect_code(0)
        .json();
    assert_eq!(status["applied"], 1);
    assert_eq!(status["pending"], 1);
    // The failed migration was rolled back: table b does not exist.
    let url = format!("sqlite://{}", db.display());
    let tables = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let checksum: Vec<u8> =
                sqlx::query_scalar("SELECT checksum FROM _sqlx_migrations WHERE version = 1")
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
            (names, checksum)
        });
    assert_eq!(tables.0, ["_sqlx_migrations", "a"]);
    let hex = skillsctl::commands::migrate::hex(&tables.1);
    assert_eq!(
        hex,
        coreutils_sum("sha384sum", &ctx.path("migrations/1_a.sql"))
    );
}

#[test]
fn lock_timeout_says_who_holds_the_lock() {
    let pg = PostgresDb::create();
    let ctx = sqlx_project(&[("1_a.sql", "CREATE TABLE a (id int);\n")]);
    // Another session holds sqlx's lock for this database while it works.
    let name = pg.name.clone();
    let mut child = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", &name, "-c"])
        .arg(format!(
            "SET application_name = 'release-pipeline-42'; SELECT pg_advisory_lock({}); SELECT pg_sleep(20);",
            skillsctl_lock_id(&name)
        ))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the lock is held.
    for _ in 0..100 {
        if pg.rows("SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory' AND granted")
            == [["1"]]
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = migrate(&ctx, &pg.url, &["--lock-timeout", "1s", "run"]).expect_code(3);
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.stderr.contains("release-pipeline-42"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("could not take the migration lock within 1s"),
        "{}",
        out.stderr
    );
}

/// sqlx's lock id, computed here from the CRC-32 of the database name.
fn skillsctl_lock_id(database: &str) -> i64 {
    let mut crc: u32 = 0xffff_ffff;
    for byte in database.bytes() {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    0x3d32_ad9e_i64 * i64::from(!crc)
}

#[test]
#[allow(clippy::too_many_lines)] // one table of rule fixtures
fn lint_rules_with_fixtures() {
    let cases: &[(&str, &str)] = &[
        (
            "require-concurrent-index-creation",
            "CREATE INDEX skills_name ON skills (name);",
        ),
        (
            "adding-required-field",
            "ALTER TABLE skills ADD COLUMN level int NOT NULL;",
        ),
        (
            "adding-field-with-default",
            "ALTER TABLE skills ADD COLUMN created_at timestamptz DEFAULT clock_timestamp();",
        ),
        ("ban-drop-column", "ALTER TABLE skills DROP COLUMN name;"),
        ("ban-drop-table", "DROP TABLE skills;"),
        (
            "renaming-column",
            "ALTER TABLE skills RENAME COLUMN name TO title;",
        ),
        ("renaming-table", "ALTER TABLE skills RENAME TO abilities;"),
        (
            "changing-column-type",
            "ALTER TABLE skills ALTER COLUMN name TYPE varchar(50);",
        ),
        (
            "adding-foreign-key-constraint",
            "ALTER TABLE skills ADD CONSTRAINT fk FOREIGN KEY (category_id) REFERENCES categories (id);",
        ),
        (
            "constraint-missing-not-valid",
            "ALTER TABLE skills ADD CONSTRAINT positive CHECK (level > 0);",
        ),
    ];
    let mut builder = TestContext::builder();
    for (i, (_, sql)) in cases.iter().enumerate() {
        builder = builder.file(
            &format!("lint/{i}.sql"),
            &format!("SET lock_timeout = '2s';\n{sql}\n"),
        );
    }
    builder = builder.file(
        "lint/no_timeout.sql",
        "ALTER TABLE skills ADD COLUMN note text;\n",
    );
    builder = builder.file(
        "lint/ignored.sql",
        "SET lock_timeout = '2s';\n-- skillsctl-ignore ban-drop-table\nDROP TABLE skills;\n",
    );
    builder = builder.file(
        "lint/clean.sql",
        "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY skills_name ON skills (name);\n",
    );
    let ctx = builder.build();
    for (i, (rule, _)) in cases.iter().enumerate() {
        let out = ctx
            .cmd([
                "--format",
                "json",
                "migrate",
                "--source",
                "lint",
                "lint",
                &format!("lint/{i}.sql"),
            ])
            .expect_code(1)
            .json();
        let rules: Vec<&str> = out["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert!(rules.contains(rule), "{rule} not found in {rules:?}");
        let finding = out["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == *rule)
            .unwrap();
        assert_eq!(
            (finding["line"].as_u64(), finding["file"].as_str()),
            (Some(2), Some(format!("lint/{i}.sql").as_str()))
        );
        assert!(finding["hint"].is_string(), "{finding}");
    }
    let out = ctx
        .cmd([
            "--format",
            "json",
            "migrate",
            "--source",
            "lint",
            "lint",
            "lint/no_timeout.sql",
        ])
        .expect_code(1)
        .json();
    assert_eq!(out["findings"][0]["rule"], "require-lock-timeout");
    ctx.cmd([
        "migrate",
        "--source",
        "lint",
        "lint",
        "lint/ignored.sql",
        "lint/clean.sql",
    ])
    .expect_code(0);
    // The human output names file:line:col, the rule and a hint.
    let human = ctx
        .cmd(["migrate", "--source", "lint", "lint", "lint/4.sql"])
        .expect_code(1);
    assert!(
        human.stdout.contains("lint/4.sql:2:1: ban-drop-table"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("hint:"), "{}", human.stdout);
}

#[test]
fn database_passwords_never_appear() {
    let ctx = sqlx_project(&[("1_a.sql", "SELECT 1;\n")]);
    let out = ctx
        .cmd([
            "migrate",
            "--database-url",
            "postgres://app:Sup3rSecret@127.0.0.1:1/x",
            "status",
        ])
        .expect_code(3);
    assert!(
        !out.stderr.contains("Sup3rSecret") && !out.stdout.contains("Sup3rSecret"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("postgres://app:***@127.0.0.1:1/x"),
        "{}",
        out.stderr
    );
}

#[test]
fn no_migrations_folder_is_a_usage_error() {
    let out = TestContext::new().cmd(["migrate", "status"]).expect_code(2);
    assert!(
        out.stderr.contains("no migrations folder found"),
        "{}",
        out.stderr
    );
}

#[test]
fn sqlite_prisma_ledger_reads_prismas_integer_dates() {
    let ctx = TestContext::builder()
        .file(
            "prisma/migrations/migration_lock.toml",
            "provider = \"sqlite\"\n",
        )
        .file(
            "prisma/migrations/20240101000000_init/migration.sql",
            "CREATE TABLE \"Skill\" (\"id\" TEXT NOT NULL PRIMARY KEY);\n",
        )
        .build();
    let url = format!("sqlite://{}", ctx.path("dev.db").display());
    migrate(&ctx, &url, &["run"]).expect_code(0);
    // Prisma's engine writes SQLite dates as Unix milliseconds.
    let update_url = url.clone();
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&update_url).await.unwrap();
        sqlx::query("UPDATE _prisma_migrations SET started_at = 1767225600000, finished_at = 1767225600500").execute(&mut conn).await.unwrap();
    });
    ctx.write(
        "prisma/migrations/20240102000000_more/migration.sql",
        "CREATE TABLE \"Tag\" (\"id\" TEXT NOT NULL PRIMARY KEY);\n",
    );
    let status = migrate(&ctx, &url, &["status"]).expect_code(0).json();
    assert_eq!(status["migrations"][0]["state"], "applied");
    assert_eq!(
        status["migrations"][0]["applied_at"],
        "2026-01-01T00:00:00Z"
    );
    let ran = migrate(&ctx, &url, &["run"]).expect_code(0).json();
    assert_eq!(ran["migrations"].as_array().unwrap().len(), 1);
    migrate(&ctx, &url, &["status", "--check"]).expect_code(0);
}
