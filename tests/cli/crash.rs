//! kill -9 at many points of a run, then the invariants: the ledger matches
//! the schema (compared with a clean apply through `pg_dump -s`), nothing is
//! half-written, and a rerun completes without a person's help.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{PostgresDb, TestContext};

const KILLS: usize = 20;

/// Starts `command` and SIGKILLs it after `after`; whether it was still running.
fn kill_after(mut command: Command, after: Duration) -> bool {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start skillsctl");
    std::thread::sleep(after);
    let running = child.try_wait().expect("poll the child").is_none();
    let _ = child.kill();
    let _ = child.wait();
    running
}

/// The kill points: spread over 60..400 ms, so they land in the connect,
/// the lock, between migrations and inside them.
fn point(i: usize) -> Duration {
    Duration::from_millis(60 + (i as u64 * 173) % 340)
}

/// A Prisma project of `count` migrations, each a table and a short sleep
/// (so a kill lands inside one as often as between two).
fn prisma_project(count: usize, provider: &str, sleep: &str) -> TestContext {
    let mut builder = TestContext::builder().file(
        "prisma/migrations/migration_lock.toml",
        &format!("provider = \"{provider}\"\n"),
    );
    for i in 0..count {
        builder = builder.file(
            &format!("prisma/migrations/2024010100{i:04}_t{i}/migration.sql"),
            &format!(
                "CREATE TABLE \"t{i}\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"name\" TEXT);\n{sleep}\nINSERT INTO \"t{i}\" VALUES (1, 'row {i}');\n"
            ),
        );
    }
    builder.build()
}

fn migrate_command(ctx: &TestContext, url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_skillsctl"));
    command
        .current_dir(ctx.root())
        .args(["migrate", "--database-url", url])
        .args(args)
        .env_remove("DATABASE_URL");
    command
}

/// `pg_dump -s` of a database, without its name.
fn schema(url: &str) -> String {
    let out = Command::new("pg_dump")
        .args(["-s", "--no-owner", "--no-privileges", url])
        .output()
        .expect("run pg_dump");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            !l.starts_with("--") && !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn prisma_on_postgres_killed_at_20_points_leaves_no_trace_and_the_rerun_finishes() {
    let ctx = prisma_project(120, "postgresql", "SELECT pg_sleep(0.01);");
    let db = PostgresDb::create();
    let mut killed_mid_run = 0;
    for i in 0..KILLS {
        if kill_after(
            migrate_command(&ctx, &db.url, &["run", "--lock-timeout", "10s"]),
            point(i),
        ) {
            killed_mid_run += 1;
        }
        // The ledger never holds an unfinished row, so nothing blocks.
        if db.rows("SELECT to_regclass('_prisma_migrations')::text")[0][0] == "_prisma_migrations" {
            let unfinished =
                db.rows("SELECT count(*)::text FROM _prisma_migrations WHERE finished_at IS NULL");
            assert_eq!(unfinished, [["0"]], "kill {i} left an unfinished row");
            // Every recorded migration's table is there, and no other.
            let recorded = db.rows("SELECT count(*)::text FROM _prisma_migrations")[0][0].clone();
            let tables = db.rows("SELECT count(*)::text FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+$'")[0][0].clone();
            assert_eq!(
                recorded, tables,
                "kill {i}: the ledger and the schema disagree"
            );
        }
    }
    assert!(
        killed_mid_run >= KILLS / 2,
        "only {killed_mid_run} kills landed mid-run"
    );
    let out = migrate_command(&ctx, &db.url, &["run", "--lock-timeout", "5s"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the rerun: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let clean = PostgresDb::create();
    let out = migrate_command(&ctx, &clean.url, &["run"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(schema(&db.url), schema(&clean.url));
    assert_eq!(
        db.rows("SELECT count(*)::text FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL"),
        [["120"]]
    );
}

#[test]
fn prisma_on_sqlite_killed_at_20_points_leaves_no_trace_and_the_rerun_finishes() {
    // SQLite has no sleep: a recursive CTE that counts keeps each migration busy.
    let ctx = prisma_project(
        60,
        "sqlite",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT count(*) FROM c;",
    );
    let url = format!("sqlite://{}", ctx.path("dev.db").display());
    let mut killed_mid_run = 0;
    for i in 0..KILLS {
        if kill_after(
            migrate_command(&ctx, &url, &["run", "--lock-timeout", "10s"]),
            point(i),
        ) {
            killed_mid_run += 1;
        }
        if ctx.path("dev.db").exists() {
            let out = Command::new("sqlite3")
                .arg(ctx.path("dev.db"))
                .arg("SELECT (SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NULL) || ' ' || (SELECT count(*) FROM _prisma_migrations) || ' ' || (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name GLOB 't[0-9]*');")
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            if let [unfinished, recorded, tables] = text.split(' ').collect::<Vec<_>>()[..] {
                assert_eq!(unfinished, "0", "kill {i} left an unfinished row");
                assert_eq!(
                    recorded, tables,
                    "kill {i}: the ledger and the schema disagree"
                );
            }
        }
    }
    assert!(
        killed_mid_run >= KILLS / 2,
        "only {killed_mid_run} kills landed mid-run"
    );
    let out = migrate_command(&ctx, &url, &["run"]).output().unwrap();
    assert!(
        out.status.success(),
        "the rerun: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = migrate_command(&ctx, &url, &["status", "--check"])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
}

/// Kills `command` while its apply waits before step `step`
/// (`SKILLSCTL_TEST_PAUSE_STEP`), once the journal shows the apply began.
fn kill_in_apply(mut command: Command, root: &std::path::Path, step: usize) {
    let mut child = command
        .env("SKILLSCTL_TEST_PAUSE_STEP", step.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start skillsctl");
    let journal = root.join(".skillsctl-journal.json");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !journal.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the apply never began (step {step})"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "it ended before step {step}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(100));
    let _ = child.kill();
    let _ = child.wait();
}

/// Each file of `now` holds what `before` or `after` held, never anything else
/// (temp files aside: see below).
fn old_or_new(
    now: &std::collections::BTreeMap<String, Vec<u8>>,
    before: &std::collections::BTreeMap<String, Vec<u8>>,
    after: &std::collections::BTreeMap<String, Vec<u8>>,
    skip: &[&str],
) {
    for (path, bytes) in now {
        if skip.iter().any(|s| path.ends_with(s)) {
            continue;
        }
        // A kill inside a write leaves its temp file (never under the file's
        // own name); the next run removes it, which the callers check.
        if path.contains(".skillsctl-tmp-") {
            continue;
        }
        assert!(
            before.get(path) == Some(bytes) || after.get(path) == Some(bytes),
            "{path} is neither the old nor the new content"
        );
    }
}

#[test]
fn extract_service_killed_at_20_points_of_its_write_is_undone_by_the_next_run() {
    use crate::extract::{extract, repo, tree};
    let reference = repo();
    extract(&reference, &["ai", "--yes"]).expect_code(0);
    let after = tree(&reference.path("repo"));
    let ctx = repo();
    let root = ctx.path("repo");
    let before = tree(&root);
    // One step per path the extraction writes or removes.
    let steps = before
        .keys()
        .chain(after.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|p| before.get(*p) != after.get(*p))
        .count();
    let skip = ["gateway.history.jsonl", ".skillsctl-journal.json"];
    for i in 0..KILLS {
        let step = i * (steps - 1) / (KILLS - 1);
        let mut command = Command::new(env!("CARGO_BIN_EXE_skillsctl"));
        command
            .current_dir(&root)
            .args(["extract-service", "ai", "--yes"]);
        kill_in_apply(command, &root, step);
        old_or_new(&tree(&root), &before, &after, &skip);
        // The next run (a dry run is enough) first puts the tree back.
        let out = extract(&ctx, &["ai", "--dry-run"]).expect_code(0);
        assert!(
            out.stderr.contains("an earlier write was cut short"),
            "{}",
            out.stderr
        );
        assert_eq!(
            tree(&root),
            before,
            "kill at step {step}: the tree was not restored"
        );
    }
    extract(&ctx, &["ai", "--yes"]).expect_code(0);
    let done = tree(&root);
    for (path, bytes) in &after {
        if !skip.iter().any(|s| path.ends_with(s)) {
            assert_eq!(done.get(path), Some(bytes), "{path}");
        }
    }
}

#[test]
fn update_gateway_config_killed_at_20_points_keeps_old_or_new_files_and_heals() {
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .build();
    let root = ctx.path("repo");
    for dir in [
        "deploy/nginx",
        "deploy/haproxy",
        "deploy/k8s",
        "packages/app/src/lib/gateway",
    ] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    let change = [
        "update-gateway-config",
        "ai",
        "--external",
        "http://127.0.0.1:4001",
        "--weight",
        "10",
        "--skip-health",
    ];
    // No --render: nginx -t and haproxy -c are not the point here; the file,
    // its backup and its history are three writes.
    let before = crate::extract::tree(&root);
    let reference = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .build();
    reference
        .cmd(change)
        .current_dir(reference.path("repo"))
        .expect_code(0);
    let after = crate::extract::tree(&reference.path("repo"));
    for i in 0..KILLS {
        let mut command = Command::new(env!("CARGO_BIN_EXE_skillsctl"));
        command.current_dir(&root).args(change);
        kill_in_apply(command, &root, i % 3);
        old_or_new(
            &crate::extract::tree(&root),
            &before,
            &after,
            &["gateway.history.jsonl", ".skillsctl-journal.json"],
        );
        let out = ctx
            .cmd(["update-gateway-config", "--check"])
            .current_dir(&root)
            .output();
        assert!(
            out.stderr.contains("an earlier write was cut short"),
            "{}",
            out.stderr
        );
        assert_eq!(
            crate::extract::tree(&root),
            before,
            "kill {i}: not restored"
        );
    }
    ctx.cmd(change).current_dir(&root).expect_code(0);
    assert!(ctx.read("repo/gateway.toml").contains("weight = 10"));
}

/// Access logs that are not what they claim: a gzip that breaks off, garbage
/// behind a gzip header, and one endless line (200 MB unpacked from 200 KB):
/// each is a clear error naming the file, or read in bounded memory.
#[test]
fn hostile_access_logs_are_refused_by_name_or_read_in_bounded_memory() {
    use std::io::Write;
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .fixture("traffic", "traffic")
        .build();
    let real = std::fs::read(crate::support::fixture("traffic/access.log.gz")).unwrap();
    ctx.write("truncated.log.gz", "");
    std::fs::write(ctx.path("truncated.log.gz"), &real[..real.len() / 2]).unwrap();
    let mut garbage = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    garbage.extend((0..4000u32).map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes()[2]));
    std::fs::write(ctx.path("garbage.log.gz"), garbage).unwrap();
    for file in ["truncated.log.gz", "garbage.log.gz"] {
        let path = ctx.path(file).display().to_string();
        let out = ctx
            .cmd([
                "analyze-boundaries",
                "repo",
                "--no-history",
                "--traffic",
                path.as_str(),
            ])
            .expect_code(2);
        assert!(
            out.stderr.contains(&format!("cannot read {path}")),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..200 {
        bomb.write_all(&chunk).unwrap();
    }
    bomb.write_all(b"\n").unwrap();
    std::fs::write(ctx.path("bomb.log.gz"), bomb.finish().unwrap()).unwrap();
    let path = ctx.path("bomb.log.gz").display().to_string();
    let out = std::process::Command::new("/usr/bin/time")
        .args([
            "-f",
            "%M",
            env!("CARGO_BIN_EXE_skillsctl"),
            "--format",
            "json",
            "analyze-boundaries",
            "repo",
            "--no-history",
            "--traffic",
            &path,
        ])
        .current_dir(ctx.root())
        .output()
        .expect("run GNU time");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak_kb: u64 = stderr.lines().last().unwrap().trim().parse().unwrap();
    assert!(
        peak_kb < 100 * 1024,
        "peak memory {peak_kb} KB on a 200 MB line"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["traffic"]["malformed_lines"], 1,
        "{}",
        report["traffic"]
    );
}

/// A migration no transaction can cover (CREATE INDEX CONCURRENTLY), killed
/// in the middle: the next run says where it stopped, what is left, and
/// names the INVALID index PostgreSQL kept, with the statement that drops it.
#[test]
fn an_interrupted_concurrent_index_is_reported_with_its_place_and_leftovers() {
    let ctx = TestContext::builder()
        .file("prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n")
        .file(
            "prisma/migrations/20240101000000_big/migration.sql",
            "CREATE TABLE \"big\" AS SELECT g AS id, md5(g::text) AS name FROM generate_series(1, 3000000) g;\n",
        )
        .file(
            "prisma/migrations/20240102000000_index/migration.sql",
            "-- The index is built without blocking writes.\nCREATE INDEX CONCURRENTLY \"big_name_idx\" ON \"big\" (name);\nALTER TABLE \"big\" ADD COLUMN \"level\" INTEGER;\n",
        )
        .build();
    let db = PostgresDb::create();
    let out = migrate_command(&ctx, &db.url, &["run", "--target", "20240101000000_big"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = migrate_command(&ctx, &db.url, &["run"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let running = db.rows("SELECT count(*)::text FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND state = 'active'");
        if running[0][0] != "0" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the index build never started"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();
    // The server cancels the dead client's statement within about a second.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while db.rows("SELECT count(*)::text FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND state = 'active'")[0][0] != "0" {
        assert!(std::time::Instant::now() < deadline, "the server went on with the dead client's index build");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = migrate_command(&ctx, &db.url, &["run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("interrupted in statement 1 of 2 (line 2: CREATE INDEX CONCURRENTLY): 0 had finished, statements 1 to 2 still to run"),
        "{stderr}"
    );
    assert!(
        stderr.contains("INVALID index public.big_name_idx")
            && stderr.contains("DROP INDEX CONCURRENTLY public.big_name_idx;"),
        "{stderr}"
    );
}

#[test]
fn prisma_on_mariadb_killed_at_20_points_leaves_data_and_ledger_agreeing() {
    // MySQL commits DDL implicitly, so the table comes first; the migrations
    // killed are data changes, which InnoDB runs in a transaction.
    let mut builder = TestContext::builder()
        .file(
            "prisma/migrations/migration_lock.toml",
            "provider = \"mysql\"\n",
        )
        .file(
            "prisma/migrations/20240100000000_table/migration.sql",
            "CREATE TABLE `t` (`id` INT NOT NULL PRIMARY KEY, `n` INT NOT NULL);\n",
        );
    for i in 1..=300 {
        builder = builder.file(
            &format!("prisma/migrations/2024010100{i:04}_row{i}/migration.sql"),
            &format!("INSERT INTO `t` VALUES ({i}, 0);\nDO SLEEP(0.02);\nUPDATE `t` SET `n` = `n` + 1 WHERE `id` = {i};\n"),
        );
    }
    let ctx = builder.build();
    let db = crate::support::MysqlDb::create();
    let out = migrate_command(&ctx, &db.url, &["run", "--target", "20240100000000_table"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut killed_mid_run = 0;
    for i in 0..KILLS {
        if kill_after(
            migrate_command(&ctx, &db.url, &["run", "--lock-timeout", "10s"]),
            point(i),
        ) {
            killed_mid_run += 1;
        }
        let unfinished = db.rows(
            "SELECT CAST(COUNT(*) AS CHAR) FROM _prisma_migrations WHERE finished_at IS NULL",
        );
        assert_eq!(unfinished, [["0"]], "kill {i} left an unfinished row");
        let recorded =
            db.rows("SELECT CAST(COUNT(*) - 1 AS CHAR) FROM _prisma_migrations")[0][0].clone();
        let rows = db.rows("SELECT CAST(COUNT(*) AS CHAR) FROM t WHERE n = 1")[0][0].clone();
        assert_eq!(recorded, rows, "kill {i}: the ledger and the data disagree");
        assert_eq!(
            db.rows("SELECT CAST(COUNT(*) AS CHAR) FROM t WHERE n <> 1"),
            [["0"]],
            "kill {i}: a half-applied migration"
        );
    }
    assert!(
        killed_mid_run >= KILLS / 2,
        "only {killed_mid_run} kills landed mid-run"
    );
    let out = migrate_command(&ctx, &db.url, &["run", "--lock-timeout", "5s"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the rerun: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        db.rows("SELECT CAST(COUNT(*) AS CHAR) FROM t WHERE n = 1"),
        [["300"]]
    );
}

#[test]
fn init_killed_between_its_two_files_is_undone_by_the_next_run() {
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .build();
    let root = ctx.path("repo");
    std::fs::remove_file(root.join("skillsctl.toml")).unwrap();
    std::fs::remove_file(root.join("gateway.toml")).unwrap();
    let before = crate::extract::tree(&root);
    for i in 0..KILLS {
        let mut command = Command::new(env!("CARGO_BIN_EXE_skillsctl"));
        command
            .current_dir(&root)
            .args(["init", "--yes", "."])
            .env("CI", "true");
        kill_in_apply(command, &root, i % 2);
        let out = ctx
            .cmd(["init", "--yes", "--dry-run", "."])
            .current_dir(&root)
            .output();
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(
            crate::extract::tree(&root),
            before,
            "kill {i}: not restored"
        );
    }
    ctx.cmd(["init", "--yes", "."])
        .current_dir(&root)
        .expect_code(0);
    assert!(root.join("skillsctl.toml").exists() && root.join("gateway.toml").exists());
}

#[test]
fn rollout_killed_at_20_points_inside_its_weight_changes_aborts_to_old_or_new_files() {
    use crate::support::http::{Reply, TestServer};
    let service = TestServer::start(|_, _| Reply::json(200, r#"{"status":"healthy","checks":[]}"#));
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .build();
    let root = ctx.path("repo");
    // Only the app's JSON is rendered: the point is the files, not nginx.
    let text = ctx.read("repo/gateway.toml");
    let text = &text[..text.find("[render.nginx]").unwrap()];
    let url = service.url("");
    let text = text.replacen(
        "mode = \"internal\"\nhealth_path = \"/health\"",
        &format!(
            "mode = \"external\"\nurls = [\"{}\"]\nweight = 0\nhealth_path = \"/health\"",
            url.trim_end_matches('/')
        ),
        1,
    );
    ctx.write("repo/gateway.toml", &text);
    std::fs::create_dir_all(root.join("packages/app/src/lib/gateway")).unwrap();
    ctx.cmd(["update-gateway-config", "--render", "--skip-health"])
        .current_dir(&root)
        .expect_code(0);
    let weight = |ctx: &TestContext| {
        let text = ctx.read("repo/gateway.toml");
        let ai = &text[text.find("service = \"ai\"").unwrap()..];
        ai.lines()
            .find(|l| l.starts_with("weight"))
            .unwrap()
            .to_owned()
    };
    for i in 0..KILLS {
        let before = crate::extract::tree(&root);
        let mut command = Command::new(env!("CARGO_BIN_EXE_skillsctl"));
        command
            .current_dir(&root)
            .args(["rollout", "ai", "--steps", "10,50", "--pause", "5s"]);
        // Step 1's write has 4 steps (backup, file, history, the app's JSON).
        kill_in_apply(command, &root, i % 4);
        let after_kill = crate::extract::tree(&root);
        for (path, bytes) in &after_kill {
            if path.contains(".skillsctl-")
                || path.ends_with("history.jsonl")
                || path.contains("rollout-ai")
            {
                continue;
            }
            let was = before.get(path);
            assert!(
                was == Some(bytes)
                    || path.ends_with("gateway.toml")
                    || path.ends_with("gateway.toml.bak")
                    || path.ends_with("routes.json"),
                "kill {i}: {path} changed"
            );
        }
        let out = ctx
            .cmd(["rollout", "ai", "--abort"])
            .current_dir(&root)
            .output();
        assert_eq!(out.code, 0, "kill {i}: {}\n{}", out.stdout, out.stderr);
        assert_eq!(weight(&ctx), "weight = 0", "kill {i}");
        // The rendered JSON says what the gateway file says.
        let routes = ctx.read("repo/packages/app/src/lib/gateway/routes.json");
        assert!(
            routes.contains("\"weight\": 0") || routes.contains("\"weight\":0"),
            "kill {i}: {routes}"
        );
        assert!(!root.join(".skillsctl-journal.json").exists());
    }
}
