//! Glue that drives the database adapter: takes the lock, keeps the ledgers,
//! and runs each migration in the mode it needs. Decisions come from the pure
//! modules beside it (`plan`, `split`); this file only carries them out.

use std::time::{Duration, Instant};

use super::plan::{self, PRISMA_MYSQL_LOCK, PRISMA_PG_LOCK};
use super::source::{Layout, Migration};
use super::split::{self, LineIndex, SqlDialect, Statement};
use crate::adapters::db::{Dialect, ExecError, LockKey, MigrationDb};

/// How a migration runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// In a transaction with its ledger row (PostgreSQL, SQLite).
    Transaction,
    /// The script has its own `BEGIN`/`COMMIT`; run as written.
    OwnTransaction,
    /// Statement by statement, each committed (`-- no-transaction`, CONCURRENTLY, VACUUM).
    NoTransaction,
    /// MySQL: statement by statement; DDL commits implicitly, so the ledger
    /// records the attempt first.
    Statements,
}

impl Mode {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Mode::Transaction => "transaction",
            Mode::OwnTransaction => "own-transaction",
            Mode::NoTransaction => "no-transaction",
            Mode::Statements => "statements",
        }
    }
}

/// A migration that failed, with the place in its file.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: migration {id} failed: {message}{recovery}")]
pub struct MigrationFailed {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub id: String,
    pub message: String,
    pub recovery: String,
}

/// The lock could not be had in time.
#[derive(Debug, thiserror::Error)]
#[error("could not take the migration lock within {}{}", humantime::format_duration(*timeout), holder.as_ref().map(|h| format!("; it is held by {h}")).unwrap_or_default())]
pub struct LockTimeout {
    pub timeout: Duration,
    pub holder: Option<String>,
}

#[must_use]
pub fn sql_dialect(dialect: Dialect) -> SqlDialect {
    match dialect {
        Dialect::Postgres => SqlDialect::Postgres,
        Dialect::Mysql => SqlDialect::Mysql,
        Dialect::Sqlite => SqlDialect::Sqlite,
    }
}

/// The lock each ledger's own tool takes, so skillsctl, sqlx-cli and Prisma
/// exclude each other.
#[must_use]
pub fn lock_key(layout: Layout, db: &MigrationDb) -> LockKey {
    match (layout, db.dialect) {
        (_, Dialect::Sqlite) => LockKey::None,
        (Layout::Sqlx, Dialect::Postgres) => LockKey::Pg(plan::sqlx_lock_id(&db.database_name)),
        (Layout::Sqlx, Dialect::Mysql) => {
            LockKey::My(format!("{:x}", plan::sqlx_lock_id(&db.database_name)))
        }
        (Layout::Prisma, Dialect::Postgres) => LockKey::Pg(PRISMA_PG_LOCK),
        (Layout::Prisma, Dialect::Mysql) => LockKey::My(PRISMA_MYSQL_LOCK.to_owned()),
    }
}

/// Takes the advisory lock with a try-loop, backoff and a deadline; `waiting`
/// is told once who holds it.
pub async fn acquire(
    db: &mut MigrationDb,
    key: &LockKey,
    timeout: Duration,
    waiting: &dyn Fn(&str),
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut attempt = 0;
    let mut told = false;
    loop {
        if db.try_lock(key).await? {
            return Ok(());
        }
        if !told {
            let holder = db
                .lock_holder(key)
                .await
                .unwrap_or_else(|| "another migration run".to_owned());
            waiting(&holder);
            told = true;
        }
        if started.elapsed() >= timeout {
            return Err(LockTimeout {
                timeout,
                holder: db.lock_holder(key).await,
            }
            .into());
        }
        let pause = crate::retry::backoff(
            attempt,
            Duration::from_millis(25),
            Duration::from_millis(500),
            fastrand::f64(),
        );
        tokio::time::sleep(pause.min(timeout.saturating_sub(started.elapsed()))).await;
        attempt += 1;
    }
}

/// Creates the ledger table if it is missing.
pub async fn ensure_ledger(db: &mut MigrationDb, layout: Layout) -> Result<(), ExecError> {
    match layout {
        Layout::Sqlx => db.sqlx_create_ledger().await,
        Layout::Prisma => db.prisma_create_ledger().await,
    }
}

/// The ledger rows, or none when the table does not exist yet.
pub async fn read_ledger(
    db: &mut MigrationDb,
    layout: Layout,
) -> anyhow::Result<Vec<plan::Applied>> {
    let table = match layout {
        Layout::Sqlx => "_sqlx_migrations",
        Layout::Prisma => "_prisma_migrations",
    };
    if !db.table_exists(table).await? {
        return Ok(Vec::new());
    }
    Ok(match layout {
        Layout::Sqlx => plan::from_sqlx(&db.sqlx_rows().await?),
        Layout::Prisma => plan::from_prisma(&db.prisma_rows().await?),
    })
}

/// The statements of a script, or a failure naming the file.
pub fn statements(
    migration: &Migration,
    sql: &str,
    dialect: SqlDialect,
) -> Result<Vec<Statement>, MigrationFailed> {
    split::split(sql, dialect).map_err(|e| MigrationFailed {
        file: migration.up_path.display().to_string(),
        line: e.line,
        column: e.column,
        id: migration.id.clone(),
        message: format!("cannot be split into statements: {}", e.message),
        recovery: String::new(),
    })
}

/// How `migration` will run on `dialect`.
#[must_use]
pub fn mode_of(migration: &Migration, statements: &[Statement], dialect: Dialect) -> Mode {
    if migration.no_transaction || statements.iter().any(Statement::needs_no_transaction) {
        Mode::NoTransaction
    } else if dialect == Dialect::Mysql && !statements.iter().all(Statement::is_transactional_dml) {
        // DDL commits implicitly in MySQL: no transaction can cover it.
        Mode::Statements
    } else if statements.iter().any(Statement::is_transaction_control) {
        Mode::OwnTransaction
    } else {
        Mode::Transaction
    }
}

fn nanos(elapsed: Duration) -> i64 {
    i64::try_from(elapsed.as_nanos()).unwrap_or(i64::MAX)
}

/// Where a failure happened: a character position in the text sent (PostgreSQL
/// reports one), else the start of the failing statement.
fn failure(
    migration: &Migration,
    sql: &str,
    sent_offset: usize,
    err: &ExecError,
    statement: Option<&Statement>,
    recovery: String,
) -> MigrationFailed {
    let index = LineIndex::new(sql);
    let (line, column) = match (err.position, statement) {
        (Some(position), _) => {
            let sent = &sql[sent_offset..];
            let byte = sent
                .char_indices()
                .nth(position.saturating_sub(1))
                .map_or(sent.len(), |(i, _)| i);
            index.line_col(sql, sent_offset + byte)
        }
        (None, Some(s)) => (s.line, s.column),
        (None, None) => (1, 1),
    };
    MigrationFailed {
        file: migration.up_path.display().to_string(),
        line,
        column,
        id: migration.id.clone(),
        message: err.message.clone(),
        recovery,
    }
}

/// Runs statements one by one; on failure returns how many ran and the error.
/// With `progress` (a Prisma row written before the run), the row's `logs`
/// says which statement is running before it starts, so a kill in the middle
/// of a migration that no transaction covers leaves the place it stopped.
async fn run_each(
    db: &mut MigrationDb,
    statements: &[Statement],
    progress: Option<&str>,
) -> Result<(), (usize, ExecError)> {
    for (i, statement) in statements.iter().enumerate() {
        if let Some(id) = progress {
            db.prisma_fail(id, &progress_text(i, statements))
                .await
                .map_err(|e| (i, e))?;
        }
        db.execute(&statement.text).await.map_err(|e| (i, e))?;
    }
    Ok(())
}

/// `logs` while statement `i` runs: where it is and what had finished.
fn progress_text(i: usize, statements: &[Statement]) -> String {
    let s = &statements[i];
    format!(
        "interrupted in statement {n} of {total} (line {}: {}): {i} had finished, statements {n} to {total} still to run",
        s.line,
        s.head.iter().take(3).cloned().collect::<Vec<_>>().join(" "),
        n = i + 1,
        total = statements.len(),
    )
}

/// What the person must do after a failure, given how far the migration got.
fn recovery_text(layout: Layout, mode: Mode, name: &str, ran: usize, total: usize) -> String {
    match (layout, mode) {
        (Layout::Prisma, Mode::Transaction) => format!(
            "\nThe migration was rolled back and recorded as failed; fix it, then `skillsctl migrate resolve --rolled-back {name}` and run again."
        ),
        (Layout::Sqlx, Mode::Transaction) => {
            "\nThe migration was rolled back; nothing was recorded. Fix it and run again."
                .to_owned()
        }
        (Layout::Prisma, _) => format!(
            "\n{ran} of {total} statements had run and are not rolled back. Repair the database by hand, then `skillsctl migrate resolve --applied {name}` (finished by hand) or `--rolled-back {name}` (undone)."
        ),
        (Layout::Sqlx, Mode::Statements) => format!(
            "\n{ran} of {total} statements had run and MySQL cannot roll back DDL; the ledger row is left with success = false. Repair the database by hand, then `skillsctl migrate resolve --applied {name}` or `--rolled-back {name}`."
        ),
        (Layout::Sqlx, _) => format!(
            "\n{ran} of {total} statements had run outside a transaction and stay applied; nothing was recorded. Make the rest idempotent or repair by hand, then run again."
        ),
    }
}

/// A failure outside any statement (BEGIN, the ledger row, COMMIT), placed at
/// the end of the script.
fn step_failure(
    migration: &Migration,
    sql: &str,
    step: &str,
    err: &ExecError,
    recovery: String,
) -> MigrationFailed {
    let index = LineIndex::new(sql);
    let (line, column) = index.line_col(sql, sql.trim_end().len());
    MigrationFailed {
        file: migration.up_path.display().to_string(),
        line,
        column,
        id: migration.id.clone(),
        message: format!("{step} failed: {}", err.message),
        recovery,
    }
}

/// Runs `statements` of `sql`, turning a failure into a placed [`MigrationFailed`].
async fn run_statements(
    db: &mut MigrationDb,
    migration: &Migration,
    sql: &str,
    statements: &[Statement],
    recovery: &dyn Fn(usize) -> String,
    progress: Option<&str>,
) -> Result<(), MigrationFailed> {
    run_each(db, statements, progress).await.map_err(|(i, e)| {
        failure(
            migration,
            sql,
            statements[i].offset,
            &e,
            Some(&statements[i]),
            recovery(i),
        )
    })
}

/// PostgreSQL, inside our transaction: the whole script in one round trip.
/// An error with a position is placed exactly. Without one, a syntax or
/// data error (SQLSTATE classes 42 and 22, which fail before doing work) is
/// located by replaying the statements in a fresh transaction that is then
/// rolled back; other errors (timeouts, deadlocks, constraint checks) are not
/// replayed, so a slow statement never runs twice.
async fn run_whole_script(
    db: &mut MigrationDb,
    migration: &Migration,
    sql: &str,
    statements: &[Statement],
    recovery: &dyn Fn(usize) -> String,
) -> Result<(), MigrationFailed> {
    let Err(err) = db.execute(sql).await else {
        return Ok(());
    };
    let cheap_to_replay = err
        .code
        .as_deref()
        .is_some_and(|c| c.starts_with("42") || c.starts_with("22"));
    if err.position.is_none() && cheap_to_replay {
        db.rollback().await;
        if db.begin().await.is_ok()
            && let Err((i, located)) = run_each(db, statements, None).await
        {
            return Err(failure(
                migration,
                sql,
                statements[i].offset,
                &located,
                Some(&statements[i]),
                recovery(i),
            ));
        }
    }
    let mut failed = failure(migration, sql, 0, &err, None, recovery(0));
    if err.position.is_none() {
        failed
            .message
            .push_str(" (PostgreSQL did not say which statement)");
    }
    Err(failed)
}

/// Applies one migration and writes its ledger row the way its tool does.
/// Returns the mode used and the time the script took. On failure every open
/// transaction is rolled back and Prisma's row keeps the error in `logs`.
#[allow(clippy::too_many_lines)] // each ledger's lifecycle reads best in one place
pub async fn apply(
    db: &mut MigrationDb,
    layout: Layout,
    migration: &Migration,
) -> Result<(Mode, Duration), anyhow::Error> {
    let dialect = db.dialect;
    let statements = statements(migration, &migration.sql, sql_dialect(dialect))?;
    let mode = mode_of(migration, &statements, dialect);
    let prisma_id = plan::uuid_v4(|| fastrand::u8(..));
    let prisma_checksum = String::from_utf8_lossy(&migration.checksum).into_owned();
    let version = migration.version.unwrap_or_default();
    let total = statements.len();
    let sql = migration.sql.as_str();
    let recovery = |ran: usize| recovery_text(layout, mode, &migration.id, ran, total);
    // In a transaction, Prisma's row is written inside it: a kill, a crash or
    // a lost connection rolls the row back with the migration, leaving no
    // trace that would block the next run. Elsewhere it goes first, so an
    // interruption shows.
    let row_inside = layout == Layout::Prisma && mode == Mode::Transaction;
    if layout == Layout::Prisma && !row_inside {
        db.prisma_start(&prisma_id, &migration.id, &prisma_checksum)
            .await
            .map_err(|e| step_failure(migration, sql, "recording the start", &e, String::new()))?;
    }
    // Where a Prisma row written before the run keeps the statement in progress.
    let progress = (layout == Layout::Prisma && !row_inside).then_some(prisma_id.as_str());
    let started = Instant::now();
    let result: Result<(), MigrationFailed> = async {
        match mode {
            Mode::Transaction => {
                db.begin()
                    .await
                    .map_err(|e| step_failure(migration, sql, "BEGIN", &e, recovery(0)))?;
                if row_inside {
                    db.prisma_start(&prisma_id, &migration.id, &prisma_checksum)
                        .await
                        .map_err(|e| {
                            step_failure(migration, sql, "recording the start", &e, recovery(0))
                        })?;
                }
                if dialect == Dialect::Postgres {
                    run_whole_script(db, migration, sql, &statements, &recovery).await?;
                } else {
                    run_statements(db, migration, sql, &statements, &recovery, None).await?;
                }
                if layout == Layout::Sqlx {
                    db.sqlx_insert(
                        version,
                        &migration.description,
                        true,
                        &migration.checksum,
                        nanos(started.elapsed()),
                    )
                    .await
                    .map_err(|e| {
                        step_failure(
                            migration,
                            sql,
                            "recording the migration",
                            &e,
                            recovery(total),
                        )
                    })?;
                }
                if row_inside {
                    db.prisma_finish(&prisma_id).await.map_err(|e| {
                        step_failure(
                            migration,
                            sql,
                            "recording the migration",
                            &e,
                            recovery(total),
                        )
                    })?;
                }
                db.commit()
                    .await
                    .map_err(|e| step_failure(migration, sql, "COMMIT", &e, recovery(total)))
            }
            // MySQL, like sqlx: a transaction around a row marked unsuccessful
            // first, so DDL's implicit commits leave an honest dirty row.
            Mode::Statements => {
                db.begin()
                    .await
                    .map_err(|e| step_failure(migration, sql, "BEGIN", &e, recovery(0)))?;
                if layout == Layout::Sqlx {
                    db.sqlx_insert(
                        version,
                        &migration.description,
                        false,
                        &migration.checksum,
                        -1,
                    )
                    .await
                    .map_err(|e| {
                        step_failure(migration, sql, "recording the attempt", &e, recovery(0))
                    })?;
                }
                run_statements(db, migration, sql, &statements, &recovery, progress).await?;
                if layout == Layout::Sqlx {
                    db.sqlx_finish(version, nanos(started.elapsed()))
                        .await
                        .map_err(|e| {
                            step_failure(
                                migration,
                                sql,
                                "recording the migration",
                                &e,
                                recovery(total),
                            )
                        })?;
                }
                db.commit()
                    .await
                    .map_err(|e| step_failure(migration, sql, "COMMIT", &e, recovery(total)))
            }
            Mode::OwnTransaction | Mode::NoTransaction => {
                run_statements(db, migration, sql, &statements, &recovery, progress).await
            }
        }
    }
    .await;
    let elapsed = started.elapsed();
    if let Err(failed) = result {
        if mode != Mode::NoTransaction {
            db.rollback().await;
        }
        if layout == Layout::Prisma {
            // A real failure is recorded, as Prisma does (P3009 until resolved);
            // with the row inside the transaction, in a transaction of its own.
            if row_inside {
                let _ = record_prisma_failure(db, &prisma_id, migration, &failed.to_string()).await;
            } else {
                let _ = db.prisma_fail(&prisma_id, &failed.to_string()).await;
            }
        }
        return Err(failed.into());
    }
    let recorded = match (layout, mode) {
        (Layout::Prisma, Mode::Transaction) => Ok(()),
        (Layout::Prisma, _) => db.prisma_finish(&prisma_id).await,
        (Layout::Sqlx, Mode::OwnTransaction | Mode::NoTransaction) => {
            db.sqlx_insert(
                version,
                &migration.description,
                true,
                &migration.checksum,
                nanos(elapsed),
            )
            .await
        }
        (Layout::Sqlx, _) => Ok(()),
    };
    recorded.map_err(|e| step_failure(migration, sql, "recording the finished migration", &e, "\nThe migration ran but is not recorded; record it with `skillsctl migrate resolve --applied`.".into()))?;
    Ok((mode, elapsed))
}

/// The failed row of a migration whose transaction rolled back: started, with
/// the error in `logs`, `finished_at` NULL, written in one transaction.
async fn record_prisma_failure(
    db: &mut MigrationDb,
    id: &str,
    migration: &Migration,
    logs: &str,
) -> Result<(), ExecError> {
    let checksum = String::from_utf8_lossy(&migration.checksum).into_owned();
    db.begin().await?;
    let written = async {
        db.prisma_start(id, &migration.id, &checksum).await?;
        db.prisma_fail(id, logs).await
    }
    .await;
    match written {
        Ok(()) => db.commit().await,
        Err(e) => {
            db.rollback().await;
            Err(e)
        }
    }
}

/// Runs a migration's down script and removes its ledger row (sqlx layout):
/// the row is marked unsuccessful first, as sqlx does, so an interrupted
/// revert shows as dirty rather than applied.
pub async fn revert(
    db: &mut MigrationDb,
    migration: &Migration,
) -> Result<(Mode, Duration), anyhow::Error> {
    let Some(down) = &migration.down_sql else {
        return Err(crate::exit::UsageError::new(format!(
            "migration {} has no .down.sql; it cannot be reverted",
            migration.id
        ))
        .into());
    };
    let dialect = db.dialect;
    let statements = statements(migration, down, sql_dialect(dialect))?;
    // The down file's own first line decides `-- no-transaction`.
    let down_migration = Migration {
        up_path: migration.down_path.clone().unwrap_or_default(),
        no_transaction: super::source::has_no_transaction_marker(down),
        ..migration.clone()
    };
    let mode = mode_of(&down_migration, &statements, dialect);
    let version = migration.version.unwrap_or_default();
    let started = Instant::now();
    let total = statements.len();
    let recovery = |ran: usize| {
        format!(
            "\n{ran} of {total} statements of the down script had run; the ledger row is marked unsuccessful (dirty)."
        )
    };
    let transactional = matches!(mode, Mode::Transaction | Mode::Statements);
    let result: Result<(), MigrationFailed> = async {
        if transactional {
            db.begin()
                .await
                .map_err(|e| step_failure(&down_migration, down, "BEGIN", &e, recovery(0)))?;
        }
        // Where a failure cannot be rolled back (MySQL DDL, no-transaction
        // scripts), the row says so first, as sqlx does on MySQL.
        if mode != Mode::Transaction {
            db.sqlx_mark_dirty(version).await.map_err(|e| {
                step_failure(
                    &down_migration,
                    down,
                    "marking the revert",
                    &e,
                    String::new(),
                )
            })?;
        }
        run_statements(db, &down_migration, down, &statements, &recovery, None).await?;
        db.sqlx_delete(version).await.map_err(|e| {
            step_failure(
                &down_migration,
                down,
                "removing the ledger row",
                &e,
                recovery(total),
            )
        })?;
        if transactional {
            db.commit()
                .await
                .map_err(|e| step_failure(&down_migration, down, "COMMIT", &e, recovery(total)))?;
        }
        Ok(())
    }
    .await;
    if let Err(failed) = result {
        if transactional {
            db.rollback().await;
        }
        return Err(failed.into());
    }
    Ok((mode, started.elapsed()))
}

/// Writes a `resolve` decision to the ledger, in one transaction.
pub async fn record_resolution(
    db: &mut MigrationDb,
    resolution: &plan::Resolution,
) -> Result<(), ExecError> {
    db.begin().await?;
    let written = async {
        match resolution {
            plan::Resolution::PrismaApplied {
                name,
                checksum,
                set_aside,
                ..
            } => {
                for id in set_aside {
                    db.prisma_mark_rolled_back(id).await?;
                }
                db.prisma_insert_applied(&plan::uuid_v4(|| fastrand::u8(..)), name, checksum)
                    .await
            }
            plan::Resolution::PrismaRolledBack { set_aside, .. } => {
                for id in set_aside {
                    db.prisma_mark_rolled_back(id).await?;
                }
                Ok(())
            }
            plan::Resolution::SqlxFinish {
                version,
                execution_time,
                ..
            } => db.sqlx_finish(*version, *execution_time).await,
            plan::Resolution::SqlxDelete { version, .. } => db.sqlx_delete(*version).await,
        }
    }
    .await;
    match written {
        Ok(()) => db.commit().await,
        Err(err) => {
            db.rollback().await;
            Err(err)
        }
    }
}

/// Records `chosen` as applied without running them (`baseline`), in one transaction.
pub async fn record_baseline(
    db: &mut MigrationDb,
    layout: Layout,
    chosen: &[Migration],
) -> Result<(), ExecError> {
    db.begin().await?;
    for m in chosen {
        let written = match layout {
            Layout::Sqlx => {
                db.sqlx_insert(
                    m.version.unwrap_or_default(),
                    &m.description,
                    true,
                    &m.checksum,
                    0,
                )
                .await
            }
            Layout::Prisma => {
                db.prisma_insert_applied(
                    &plan::uuid_v4(|| fastrand::u8(..)),
                    &m.id,
                    &String::from_utf8_lossy(&m.checksum),
                )
                .await
            }
        };
        if let Err(err) = written {
            db.rollback().await;
            return Err(err);
        }
    }
    db.commit().await
}
