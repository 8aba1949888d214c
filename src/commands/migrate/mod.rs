//! `skillsctl migrate`: database migrations with sqlx's and Prisma's ledgers as
//! those tools write them, safe when pipelines race (advisory locks), honest
//! about what is applied, with a real statement splitter and offline lint.

mod engine;
mod lint;
mod plan;
mod report;
mod source;
mod split;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::adapters::db::{Dialect, MigrationDb};
use crate::adapters::fs::{FileWriter, WriteMode};
use crate::adapters::prompts::Prompter;
use crate::config::HumanDuration;
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use crate::redact;

pub use engine::{LockTimeout, MigrationFailed};
pub use lint::Finding;
#[cfg(test)]
pub(crate) use lint::{DEFAULT_RULES, lint_text, read_baseline};
pub use plan::{Blocked, ResolveError, State};
pub use report::{ActionItem, ActionReport, LintReport, RanItem, RunReport, StatusReport};
#[cfg(test)]
pub(crate) use source::read_dir;
pub use source::{Layout, Migration, SourceError, hex, prisma_checksum, sqlx_checksum};
pub use split::{SqlDialect, Statement, split as split_statements};

/// Apply, inspect and lint database migrations (sqlx and Prisma ledgers)
///
/// Works with the ledgers exactly as sqlx (`_sqlx_migrations`, SHA-384) and Prisma
/// (`_prisma_migrations`, SHA-256) write them, so `sqlx migrate info`, `prisma
/// migrate status` and skillsctl agree on the same database. Runs take the same
/// advisory lock those tools take, so racing pipelines apply each migration once.
/// The layout comes from --layout, [database] in skillsctl.toml, or the folders
/// found (prisma/migrations with migration_lock.toml, or migrations/).
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  skillsctl migrate status --check          CI gate: exit 1 if anything is pending or inconsistent
  skillsctl migrate run                     Apply pending migrations under the advisory lock
  skillsctl migrate run --target 20240301120000 --dry-run
  skillsctl migrate add add_skill_tags --reversible
  skillsctl migrate lint                    Zero-downtime checks for every migration

The database URL comes from --database-url, DATABASE_URL, or [database] url; with
none, a SQLite file .skillsctl/dev.sqlite3 in the project is used.")]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,

    /// Database URL (postgres://, mysql://, sqlite://)
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// The migrations folder [default: database.migrations, else detected]
    #[arg(long, global = true, value_name = "DIR")]
    pub source: Option<PathBuf>,

    /// The ledger layout [default: database.layout, else detected]
    #[arg(long, global = true, value_enum)]
    pub layout: Option<Layout>,

    /// How long to wait for another run's migration lock
    #[arg(long, global = true, value_name = "DURATION", default_value = "60s")]
    pub lock_timeout: HumanDuration,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Show every migration as applied, pending, failed, checksum-mismatch or missing-on-disk
    ///
    /// Merges the files on disk with the ledger rows, with applied time and
    /// duration. Line-ending-only edits of applied files are not drift.
    #[command(
        visible_alias = "info",
        after_help = "Example:\n  skillsctl migrate status --check   # CI gate"
    )]
    Status {
        /// Exit 1 when anything is pending or inconsistent (a CI gate)
        #[arg(long)]
        check: bool,
    },
    /// Apply pending migrations in order, each in its own transaction where possible
    ///
    /// Takes the ledger's advisory lock (waiting up to --lock-timeout and saying
    /// who holds it), re-reads the ledger, and applies what is pending. Statements
    /// PostgreSQL cannot run in a transaction (CONCURRENTLY, VACUUM) and sqlx's
    /// `-- no-transaction` files run statement by statement.
    #[command(
        after_help = "Examples:\n  skillsctl migrate run\n  skillsctl migrate run --target 20250701102233_add_recommendations --dry-run"
    )]
    Run {
        /// Stop after this migration (version or folder name)
        #[arg(long, value_name = "VERSION")]
        target: Option<String>,
        /// Show what would run without changing anything
        #[arg(long)]
        dry_run: bool,
        /// Run even though an applied migration's file was edited
        #[arg(long)]
        ignore_checksums: bool,
        /// Run even though an applied migration's file is gone
        #[arg(long)]
        ignore_missing: bool,
    },
    /// Revert the last applied migration, or all after --target (sqlx .down.sql)
    ///
    /// Runs each down script in a transaction with the removal of its ledger row.
    #[command(
        after_help = "Examples:\n  skillsctl migrate revert\n  skillsctl migrate revert --target 0 --dry-run"
    )]
    Revert {
        /// Revert every migration after this version (0: all)
        #[arg(long, value_name = "VERSION")]
        target: Option<String>,
        /// Show what would be reverted without changing anything
        #[arg(long)]
        dry_run: bool,
    },
    /// Create the next migration file(s) in the layout in use
    ///
    /// sqlx: `<timestamp>_<name>.sql` (or `.up.sql`/`.down.sql` with --reversible);
    /// Prisma: `<timestamp>_<name>/migration.sql`. Never overwrites a file.
    #[command(after_help = "Example:\n  skillsctl migrate add add_skill_tags --reversible")]
    Add {
        /// What the migration does, e.g. add_skill_tags
        name: String,
        /// sqlx: create .up.sql and .down.sql
        #[arg(long)]
        reversible: bool,
        /// sqlx: number it after the last version instead of a timestamp
        #[arg(long)]
        sequential: bool,
    },
    /// Compare the checksums of applied migrations with their files
    ///
    /// Exits 1 when an applied migration was edited or deleted.
    #[command(after_help = "Example:\n  skillsctl migrate verify")]
    Verify,
    /// Mark migrations up to VERSION as applied without running them
    ///
    /// For a database created before skillsctl (or `prisma db push`): records
    /// each migration up to VERSION in the ledger. Asks on a terminal; needs --yes
    /// elsewhere.
    #[command(after_help = "Example:\n  skillsctl migrate baseline 20250512093011_init --yes")]
    Baseline {
        /// The last migration the existing database already has
        #[arg(value_name = "VERSION")]
        migration: String,
        /// Do not ask for confirmation
        #[arg(short, long)]
        yes: bool,
    },
    /// Recover from a failed migration (Prisma's `migrate resolve`)
    ///
    /// --applied: you finished it by hand, record it as applied. --rolled-back:
    /// you undid it, set the failed record aside so it runs again. Also clears a
    /// dirty sqlx row left by a failed MySQL migration.
    #[command(
        after_help = "Example:\n  skillsctl migrate resolve --rolled-back 20250701102233_add_recommendations"
    )]
    Resolve {
        /// You finished the failed migration by hand: record it as applied
        #[arg(
            long,
            value_name = "NAME",
            conflicts_with = "rolled_back",
            required_unless_present = "rolled_back"
        )]
        applied: Option<String>,
        /// You undid the failed migration: set its failed record aside
        #[arg(long, value_name = "NAME")]
        rolled_back: Option<String>,
    },
    /// Zero-downtime checks for PostgreSQL migrations (squawk's rules)
    ///
    /// Each finding has its rule, file:line:col and a fix hint; exit 1 on
    /// findings. Silence one with `-- skillsctl-ignore <rule>` above the statement.
    #[command(
        after_help = "Examples:\n  skillsctl migrate lint\n  skillsctl migrate lint prisma/migrations/*/migration.sql\n  skillsctl migrate lint --since origin/main --format github     In a pull request\n  skillsctl migrate lint --pending                              What the next deploy runs\n  skillsctl migrate lint --write-baseline lint-baseline.json    Accept what is there today"
    )]
    Lint(LintArgs),
}

/// `migrate lint`'s arguments.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Files to lint [default: every migration]
    pub files: Vec<PathBuf>,
    /// Use all of squawk's default rules, not just the zero-downtime set
    #[arg(long)]
    pub all_rules: bool,
    /// Only migrations added or changed since this git ref's merge base with HEAD (e.g. origin/main)
    #[arg(long, value_name = "REF", conflicts_with_all = ["files", "pending"])]
    pub since: Option<String>,
    /// Only the migrations not yet applied on the database
    #[arg(long, conflicts_with = "files")]
    pub pending: bool,
    /// Accept the findings this saved report records (`--write-baseline`, or `--format json`)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Save the findings as a baseline file
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// A migration that stopped part-way (no transaction around it) may have
/// left PostgreSQL an INVALID index (an interrupted `CREATE INDEX
/// CONCURRENTLY`): the refusal names it and how to get rid of it.
async fn with_leftovers(db: &mut MigrationDb, blocked: plan::Blocked) -> plan::Blocked {
    let plan::Blocked::Failed(id, note) = blocked else {
        return blocked;
    };
    let invalid = db.invalid_indexes().await.unwrap_or_default();
    if invalid.is_empty() {
        return plan::Blocked::Failed(id, note);
    }
    let drops: Vec<String> = invalid
        .iter()
        .map(|i| format!("DROP INDEX CONCURRENTLY {i};"))
        .collect();
    let leftovers = format!(
        "PostgreSQL kept the INVALID index {} that the interrupted CREATE INDEX CONCURRENTLY left: `{}` before the rest",
        invalid.join(", "),
        drops.join(" ")
    );
    let note = if note.is_empty() {
        format!(" ({leftovers})")
    } else {
        format!("{}; {leftovers})", note.strip_suffix(')').unwrap_or(&note))
    };
    plan::Blocked::Failed(id, note)
}

/// Where the migrations are and how they are recorded.
struct Project {
    layout: Layout,
    dir: PathBuf,
}

fn layout_label(layout: Layout) -> &'static str {
    match layout {
        Layout::Sqlx => "sqlx",
        Layout::Prisma => "prisma",
    }
}

fn project(args: &MigrateArgs, ctx: &Context) -> anyhow::Result<Project> {
    let db = &ctx.config.config.database;
    let root = &ctx.config.root;
    let dir = args
        .source
        .as_ref()
        .map(|p| ctx.cwd.join(p))
        .or_else(|| db.migrations.as_ref().map(|p| root.join(p)));
    let layout = args.layout.or(db.layout);
    match (dir, layout) {
        (Some(dir), Some(layout)) => Ok(Project { layout, dir }),
        (Some(dir), None) => {
            let prisma = dir.join("migration_lock.toml").is_file()
                || std::fs::read_dir(&dir).is_ok_and(|mut e| {
                    e.any(|e| e.is_ok_and(|e| e.path().join("migration.sql").is_file()))
                });
            Ok(Project {
                layout: if prisma { Layout::Prisma } else { Layout::Sqlx },
                dir,
            })
        }
        (None, layout) => {
            let found = crate::repo::detect(root)?;
            let candidate = found.migrations.iter().find(|m| layout.is_none_or(|l| l == m.layout)).ok_or_else(|| {
                UsageError::new(format!(
                    "no migrations folder found under {} (looked for prisma/migrations and migrations/); pass --source DIR or set [database] migrations",
                    root.display()
                ))
            })?;
            Ok(Project {
                layout: candidate.layout,
                dir: root.join(&candidate.path),
            })
        }
    }
}

/// The URL to use and whether it is the SQLite default.
fn database_url(args: &MigrateArgs, ctx: &Context) -> anyhow::Result<String> {
    if let Some(url) = &args.database_url {
        return Ok(url.clone());
    }
    if let Some(url) = &ctx.config.config.database.url {
        return Ok(url.value().to_owned());
    }
    let dir = ctx.config.root.join(".skillsctl");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let file = dir.join("dev.sqlite3");
    ctx.output.note(&format!(
        "no database URL given (--database-url, DATABASE_URL or [database] url); using SQLite {}",
        file.display()
    ));
    Ok(format!("sqlite://{}", file.display()))
}

fn relative(ctx: &Context, path: &Path) -> String {
    path.strip_prefix(&ctx.cwd)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn read_migrations(ctx: &Context, project: &Project) -> anyhow::Result<Vec<Migration>> {
    let mut migrations = source::read_dir(&project.dir, project.layout)?;
    for m in &mut migrations {
        m.up_path = PathBuf::from(relative(ctx, &m.up_path));
        m.down_path = m
            .down_path
            .as_ref()
            .map(|p| PathBuf::from(relative(ctx, p)));
    }
    Ok(migrations)
}

pub fn run(args: &MigrateArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let project = project(args, ctx)?;
    match &args.command {
        MigrateCommand::Add {
            name,
            reversible,
            sequential,
        } => return add(ctx, &project, name, *reversible, *sequential),
        MigrateCommand::Lint(lint) if !lint.pending => {
            // Files named on the command line need no migrations folder.
            let migrations = if lint.files.is_empty() {
                read_migrations(ctx, &project)?
            } else {
                Vec::new()
            };
            let targets = lint_targets(ctx, lint, migrations)?;
            return lint_files(ctx, lint, &targets);
        }
        _ => {}
    }
    let migrations = read_migrations(ctx, &project)?;
    let url = database_url(args, ctx)?;
    let shown = redact::url(&url);
    let dialect = Dialect::of_url(&url).ok_or_else(|| {
        UsageError::new(format!(
            "--database-url `{shown}`: expected postgres://, mysql:// or sqlite://"
        ))
    })?;
    if project.layout == Layout::Prisma
        && let Some(provider) = source::prisma_provider(&project.dir)?
    {
        let matches = matches!(
            (provider.as_str(), dialect),
            ("postgresql" | "postgres", Dialect::Postgres)
                | ("mysql", Dialect::Mysql)
                | ("sqlite", Dialect::Sqlite)
        );
        if !matches {
            return Err(UsageError::new(format!(
                "migration_lock.toml says provider = \"{provider}\" but the database is {} ({shown}); set DATABASE_URL to the project's database",
                dialect.label()
            ))
            .into());
        }
    }
    let runtime = crate::runtime::current_thread().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let app_name = format!("skillsctl migrate (pid {})", std::process::id());
        let mut db = MigrationDb::connect(&url, &app_name).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot connect to {shown}: {}",
                redact::text(&e.to_string(), &[])
            )
        })?;
        let session = Session {
            ctx,
            project: &project,
            migrations: &migrations,
            database: shown.clone(),
            lock_timeout: args.lock_timeout.0,
        };
        match &args.command {
            MigrateCommand::Status { check } => session.status(&mut db, *check).await,
            MigrateCommand::Run {
                target,
                dry_run,
                ignore_checksums,
                ignore_missing,
            } => {
                let options = plan::RunOptions {
                    target: target.clone(),
                    ignore_checksums: *ignore_checksums,
                    ignore_missing: *ignore_missing,
                };
                session.run(&mut db, &options, *dry_run).await
            }
            MigrateCommand::Revert { target, dry_run } => {
                session.revert(&mut db, target.as_deref(), *dry_run).await
            }
            MigrateCommand::Verify => session.verify(&mut db).await,
            MigrateCommand::Baseline {
                migration: version,
                yes,
            } => session.baseline(&mut db, version, *yes).await,
            MigrateCommand::Resolve {
                applied,
                rolled_back,
            } => {
                session
                    .resolve(&mut db, applied.as_deref(), rolled_back.as_deref())
                    .await
            }
            MigrateCommand::Lint(lint) => session.lint_pending(&mut db, lint).await,
            MigrateCommand::Add { .. } => unreachable!("handled without a database"),
        }
    })
}

/// One connected invocation.
struct Session<'a> {
    ctx: &'a Context,
    project: &'a Project,
    migrations: &'a [Migration],
    database: String,
    lock_timeout: Duration,
}

impl Session<'_> {
    async fn status(&self, db: &mut MigrationDb, check: bool) -> anyhow::Result<Outcome> {
        let applied = engine::read_ledger(db, self.project.layout).await?;
        let entries = plan::status(self.migrations, &applied);
        let count = |s: State| entries.iter().filter(|e| e.state == s).count();
        let report = StatusReport {
            layout: layout_label(self.project.layout),
            database: self.database.clone(),
            source: relative(self.ctx, &self.project.dir),
            applied: count(State::Applied),
            pending: count(State::Pending),
            problems: entries.len() - count(State::Applied) - count(State::Pending),
            migrations: entries,
            check,
        };
        self.ctx.output.emit(&report)
    }

    /// `lint --pending`: the migrations the database has not applied yet.
    async fn lint_pending(&self, db: &mut MigrationDb, lint: &LintArgs) -> anyhow::Result<Outcome> {
        let applied = engine::read_ledger(db, self.project.layout).await?;
        let entries = plan::status(self.migrations, &applied);
        let pending: std::collections::BTreeSet<&str> = entries
            .iter()
            .filter(|e| e.state == State::Pending)
            .map(|e| e.id.as_str())
            .collect();
        let targets = self
            .migrations
            .iter()
            .filter(|m| pending.contains(m.id.as_str()))
            .map(|m| {
                (
                    m.up_path.display().to_string(),
                    m.sql.clone(),
                    !m.no_transaction,
                )
            })
            .collect::<Vec<_>>();
        lint_files(self.ctx, lint, &targets)
    }

    /// Holds the lock around `work`, releasing it whatever happens.
    async fn locked<T>(
        &self,
        db: &mut MigrationDb,
        work: impl AsyncFnOnce(&mut MigrationDb) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let key = engine::lock_key(self.project.layout, db);
        let output = &self.ctx.output;
        engine::acquire(db, &key, self.lock_timeout, &|holder| {
            output.status(
                "Waiting",
                &format!("for the migration lock, held by {holder}"),
            );
        })
        .await?;
        let result = work(db).await;
        db.unlock(&key).await;
        result
    }

    /// Prisma refuses a database with tables but no ledger (P3005) until baselined.
    async fn refuse_unbaselined(&self, db: &mut MigrationDb) -> anyhow::Result<()> {
        if self.project.layout == Layout::Prisma && !db.table_exists("_prisma_migrations").await? {
            let tables = db.user_tables().await?;
            if !tables.is_empty() {
                return Err(UsageError::new(format!(
                    "the database is not empty ({} tables, e.g. {}) but has no _prisma_migrations; baseline it first: skillsctl migrate baseline <last migration it already has>",
                    tables.len(),
                    tables.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                ))
                .into());
            }
        }
        Ok(())
    }

    async fn run(
        &self,
        db: &mut MigrationDb,
        options: &plan::RunOptions,
        dry_run: bool,
    ) -> anyhow::Result<Outcome> {
        let layout = self.project.layout;
        if dry_run {
            let applied = engine::read_ledger(db, layout).await?;
            let pending = plan::run_plan(layout, self.migrations, &applied, options)?;
            let mut items = Vec::new();
            for m in pending {
                let statements = engine::statements(m, &m.sql, engine::sql_dialect(db.dialect))?;
                items.push(RanItem {
                    id: m.id.clone(),
                    description: m.description.clone(),
                    mode: engine::mode_of(m, &statements, db.dialect).label(),
                    duration_ms: None,
                });
            }
            return self.ctx.output.emit(&RunReport {
                action: "run",
                layout: layout_label(layout),
                database: self.database.clone(),
                dry_run: true,
                migrations: items,
            });
        }
        self.refuse_unbaselined(db).await?;
        let output = &self.ctx.output;
        let migrations = self.migrations;
        let ran = self
            .locked(db, async |db: &mut MigrationDb| {
                engine::ensure_ledger(db, layout).await?;
                // Read the ledger under the lock: a racer may have just applied some.
                let applied = engine::read_ledger(db, layout).await?;
                let pending = match plan::run_plan(layout, migrations, &applied, options) {
                    Ok(pending) => pending,
                    Err(blocked) => return Err(with_leftovers(db, blocked).await.into()),
                };
                let mut ran = Vec::new();
                for m in pending {
                    let (mode, took) = engine::apply(db, layout, m).await?;
                    output.status(
                        "Applied",
                        &format!(
                            "{} {} ({:.1}ms, {})",
                            m.id,
                            m.description,
                            took.as_secs_f64() * 1000.0,
                            mode.label()
                        ),
                    );
                    ran.push(RanItem {
                        id: m.id.clone(),
                        description: m.description.clone(),
                        mode: mode.label(),
                        duration_ms: Some((took.as_secs_f64() * 10_000.0).round() / 10.0),
                    });
                }
                Ok(ran)
            })
            .await?;
        self.ctx.output.emit(&RunReport {
            action: "run",
            layout: layout_label(layout),
            database: self.database.clone(),
            dry_run: false,
            migrations: ran,
        })
    }

    async fn revert(
        &self,
        db: &mut MigrationDb,
        target: Option<&str>,
        dry_run: bool,
    ) -> anyhow::Result<Outcome> {
        if self.project.layout == Layout::Prisma {
            return Err(UsageError::new("Prisma migrations have no down scripts; write a new migration that undoes the change (skillsctl migrate add)").into());
        }
        let migrations = self.migrations;
        let output = &self.ctx.output;
        let plan_for = async |db: &mut MigrationDb| -> anyhow::Result<Vec<Migration>> {
            let applied = engine::read_ledger(db, Layout::Sqlx).await?;
            let chosen = plan::revert_plan(migrations, &applied, target)?;
            Ok(chosen.into_iter().cloned().collect())
        };
        let items = if dry_run {
            plan_for(db)
                .await?
                .into_iter()
                .map(|m| RanItem {
                    id: m.id,
                    description: m.description,
                    mode: "transaction",
                    duration_ms: None,
                })
                .collect()
        } else {
            self.locked(db, async |db: &mut MigrationDb| {
                let mut items = Vec::new();
                for m in plan_for(db).await? {
                    let (mode, took) = engine::revert(db, &m).await?;
                    output.status("Reverted", &format!("{} {}", m.id, m.description));
                    items.push(RanItem {
                        id: m.id,
                        description: m.description,
                        mode: mode.label(),
                        duration_ms: Some((took.as_secs_f64() * 10_000.0).round() / 10.0),
                    });
                }
                Ok(items)
            })
            .await?
        };
        self.ctx.output.emit(&RunReport {
            action: "revert",
            layout: "sqlx",
            database: self.database.clone(),
            dry_run,
            migrations: items,
        })
    }

    async fn verify(&self, db: &mut MigrationDb) -> anyhow::Result<Outcome> {
        let applied = engine::read_ledger(db, self.project.layout).await?;
        let items = plan::status(self.migrations, &applied)
            .into_iter()
            .filter(|e| {
                matches!(
                    e.state,
                    State::Applied | State::ChecksumMismatch | State::MissingOnDisk
                )
            })
            .map(|e| ActionItem {
                effect: match e.state {
                    State::ChecksumMismatch => format!(
                        "edited after it was applied ({})",
                        e.file.unwrap_or_default()
                    ),
                    State::MissingOnDisk => "applied, but its file is gone".to_owned(),
                    _ => "checksum matches".to_owned(),
                },
                problem: e.state != State::Applied,
                id: e.id,
                description: e.description,
            })
            .collect();
        self.ctx.output.emit(&ActionReport {
            action: "verify",
            items,
        })
    }

    async fn baseline(
        &self,
        db: &mut MigrationDb,
        version: &str,
        yes: bool,
    ) -> anyhow::Result<Outcome> {
        let layout = self.project.layout;
        let applied = engine::read_ledger(db, layout).await?;
        let chosen: Vec<Migration> = plan::baseline_plan(self.migrations, &applied, version)?
            .into_iter()
            .cloned()
            .collect();
        let prompter = Prompter::new(yes);
        if !yes {
            if !prompter.is_interactive() {
                return Err(UsageError::new("baseline records migrations as applied without running them; pass --yes to confirm").into());
            }
            let question = format!(
                "Record {} migration(s) up to {version} as applied without running them?",
                chosen.len()
            );
            if !prompter.confirm(&question, false)? {
                self.ctx.output.note("nothing recorded");
                return Ok(Outcome::Success);
            }
        }
        let migrations = self.migrations;
        let items = self
            .locked(db, async |db: &mut MigrationDb| {
                engine::ensure_ledger(db, layout).await?;
                // Plan again under the lock: a racing run may have recorded some.
                let applied = engine::read_ledger(db, layout).await?;
                let chosen: Vec<Migration> = plan::baseline_plan(migrations, &applied, version)?
                    .into_iter()
                    .cloned()
                    .collect();
                engine::record_baseline(db, layout, &chosen).await?;
                let items: Vec<ActionItem> = chosen
                    .iter()
                    .map(|m| ActionItem {
                        id: m.id.clone(),
                        description: m.description.clone(),
                        effect: "recorded as applied (not run)".into(),
                        problem: false,
                    })
                    .collect();
                Ok(items)
            })
            .await?;
        self.ctx.output.emit(&ActionReport {
            action: "baseline",
            items,
        })
    }

    async fn resolve(
        &self,
        db: &mut MigrationDb,
        applied_name: Option<&str>,
        rolled_back: Option<&str>,
    ) -> anyhow::Result<Outcome> {
        let layout = self.project.layout;
        let name = applied_name.or(rolled_back).unwrap_or_default().to_owned();
        let migrations = self.migrations;
        let dir = self.project.dir.display().to_string();
        let applied = applied_name.is_some();
        let resolution = self
            .locked(
                db,
                async |db: &mut MigrationDb| -> anyhow::Result<plan::Resolution> {
                    engine::ensure_ledger(db, layout).await?;
                    // Decided under the lock, from the ledger as it is now.
                    let resolution = match layout {
                        Layout::Prisma => plan::resolve_prisma(
                            &db.prisma_rows().await?,
                            migrations,
                            &name,
                            applied,
                            &dir,
                        )?,
                        Layout::Sqlx => plan::resolve_sqlx(&db.sqlx_rows().await?, &name, applied)?,
                    };
                    engine::record_resolution(db, &resolution).await?;
                    Ok(resolution)
                },
            )
            .await?;
        let (id, description, effect) = resolution.summary();
        let item = ActionItem {
            id,
            description,
            effect: effect.into(),
            problem: false,
        };
        self.ctx.output.emit(&ActionReport {
            action: "resolve",
            items: vec![item],
        })
    }
}

fn add(
    ctx: &Context,
    project: &Project,
    name: &str,
    reversible: bool,
    sequential: bool,
) -> anyhow::Result<Outcome> {
    if name.trim().is_empty() {
        return Err(UsageError::new("NAME must not be empty").into());
    }
    if project.layout == Layout::Prisma && (reversible || sequential) {
        return Err(UsageError::new("--reversible and --sequential are for the sqlx layout; Prisma migrations are timestamped folders without down scripts").into());
    }
    let existing = if project.dir.is_dir() {
        source::read_dir(&project.dir, project.layout)?
    } else {
        Vec::new()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let writer = FileWriter::new(false);
    let mut items = Vec::new();
    for (rel, contents) in
        source::new_files(project.layout, &existing, name, reversible, sequential, now)
    {
        let path = project.dir.join(&rel);
        writer.write(&path, contents.as_bytes(), WriteMode::CreateNew)?;
        items.push(ActionItem {
            id: rel.split('_').next().unwrap_or("").to_owned(),
            description: relative(ctx, &path),
            effect: "created".into(),
            problem: false,
        });
    }
    ctx.output.emit(&ActionReport {
        action: "add",
        items,
    })
}

/// What to lint, as (file, text, runs in a transaction): the files named,
/// else the migrations (those changed since `--since`).
fn lint_targets(
    ctx: &Context,
    lint: &LintArgs,
    migrations: Vec<source::Migration>,
) -> anyhow::Result<Vec<(String, String, bool)>> {
    if !lint.files.is_empty() {
        let mut out = Vec::new();
        for file in &lint.files {
            let path = ctx.cwd.join(file);
            let text = crate::adapters::fs::read_to_string(&path)?;
            let in_transaction = !source::has_no_transaction_marker(&text);
            out.push((file.display().to_string(), text, in_transaction));
        }
        return Ok(out);
    }
    let changed: Option<std::collections::BTreeSet<PathBuf>> = match &lint.since {
        Some(reference) => Some(
            crate::adapters::git::changed_since(&ctx.cwd, reference)
                .map_err(|e| UsageError::new(format!("--since {reference}: {e}")))?
                .into_iter()
                .map(|f| ctx.cwd.join(f))
                .collect(),
        ),
        None => None,
    };
    Ok(migrations
        .into_iter()
        .filter(|m| {
            changed.as_ref().is_none_or(|c| {
                c.contains(&ctx.cwd.join(&m.up_path))
                    || m.down_path
                        .as_ref()
                        .is_some_and(|d| c.contains(&ctx.cwd.join(d)))
            })
        })
        .map(|m| {
            let in_transaction = !m.no_transaction;
            (m.up_path.display().to_string(), m.sql, in_transaction)
        })
        .collect())
}

/// Lints `targets`, drops what the baseline accepts, saves a baseline if asked.
fn lint_files(
    ctx: &Context,
    lint: &LintArgs,
    targets: &[(String, String, bool)],
) -> anyhow::Result<Outcome> {
    let default_rules: Vec<squawk_linter::Rule>;
    let rules: &[squawk_linter::Rule] = if lint.all_rules {
        default_rules = squawk_all_default_rules();
        &default_rules
    } else {
        lint::DEFAULT_RULES
    };
    let mut findings = Vec::new();
    for (file, text, in_transaction) in targets {
        findings.extend(lint::lint_text(file, text, *in_transaction, rules));
    }
    if let Some(path) = &lint.write_baseline {
        let text = lint::baseline_text(&findings);
        crate::adapters::fs::FileWriter::new(false).write(
            &ctx.cwd.join(path),
            text.as_bytes(),
            crate::adapters::fs::WriteMode::Overwrite,
        )?;
        ctx.output.status(
            "Saved",
            &format!(
                "{} finding(s) as the baseline {}",
                findings.len(),
                path.display()
            ),
        );
    }
    let mut accepted = 0;
    if let Some(path) = &lint.baseline {
        let text = crate::adapters::fs::read_to_string(&ctx.cwd.join(path))?;
        let known = lint::read_baseline(&text, &path.display().to_string())?;
        let before = findings.len();
        findings.retain(|f| !known.contains(&f.fingerprint));
        accepted = before - findings.len();
    }
    ctx.output.emit(&LintReport {
        report: "migrate-lint",
        files: targets.len(),
        findings,
        accepted,
        since: lint.since.clone(),
    })
}

fn squawk_all_default_rules() -> Vec<squawk_linter::Rule> {
    squawk_linter::Linter::with_default_rules()
        .rules
        .into_iter()
        .collect()
}
