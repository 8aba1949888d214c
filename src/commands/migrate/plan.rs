//! What is applied, what is pending, and what `run`, `revert`, `baseline` and
//! `resolve` would do: files on disk merged with the ledger rows. Pure.

use serde::Serialize;

use super::source::{Layout, Migration};
use crate::adapters::db::{PrismaRow, SqlxRow};

/// A ledger row reduced to what both ledgers share.
#[derive(Debug, Clone)]
pub struct Applied {
    pub id: String,
    pub description: String,
    pub checksum: Vec<u8>,
    pub recorded_at: Option<String>,
    pub duration_ms: Option<f64>,
    /// The row is there but the migration did not finish (sqlx: success = false;
    /// Prisma: finished_at and rolled_back_at both NULL).
    pub failed: bool,
    pub logs: Option<String>,
}

#[allow(clippy::cast_precision_loss)] // nanoseconds of a migration fit in f64 to the microsecond
fn nanos_to_ms(nanos: i64) -> f64 {
    (nanos as f64 / 1e6 * 10.0).round() / 10.0
}

/// sqlx rows as [`Applied`].
#[must_use]
pub fn from_sqlx(rows: &[SqlxRow]) -> Vec<Applied> {
    rows.iter()
        .map(|r| Applied {
            id: r.version.to_string(),
            description: r.description.clone(),
            checksum: r.checksum.clone(),
            recorded_at: Some(r.installed_on.clone()),
            duration_ms: (r.execution_time >= 0).then(|| nanos_to_ms(r.execution_time)),
            failed: !r.success,
            logs: None,
        })
        .collect()
}

/// Prisma rows as [`Applied`]: rolled-back rows are history, not state; of the
/// rest, the newest row per migration counts.
#[must_use]
pub fn from_prisma(rows: &[PrismaRow]) -> Vec<Applied> {
    let mut out: Vec<Applied> = Vec::new();
    for row in rows.iter().filter(|r| r.rolled_back_at.is_none()) {
        let applied = Applied {
            id: row.migration_name.clone(),
            description: row
                .migration_name
                .split_once('_')
                .map_or(row.migration_name.as_str(), |(_, n)| n)
                .to_owned(),
            checksum: row.checksum.clone().into_bytes(),
            recorded_at: row.finished_at.clone(),
            duration_ms: None,
            failed: row.finished_at.is_none(),
            logs: row.logs.clone(),
        };
        match out.iter_mut().find(|a| a.id == applied.id) {
            // A finished row wins over an older failed one.
            Some(existing) if existing.failed || !applied.failed => *existing = applied,
            Some(_) => {}
            None => out.push(applied),
        }
    }
    out
}

/// The state of one migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Applied,
    Pending,
    Failed,
    ChecksumMismatch,
    MissingOnDisk,
}

impl State {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Pending => "pending",
            State::Failed => "failed",
            State::ChecksumMismatch => "checksum-mismatch",
            State::MissingOnDisk => "missing-on-disk",
        }
    }
}

/// One line of `migrate status`.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    pub description: String,
    pub state: State,
    pub applied_at: Option<String>,
    pub duration_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Sort key: sqlx versions numerically, Prisma names as text.
fn order_key(id: &str) -> (i64, String) {
    (id.parse::<i64>().unwrap_or(i64::MAX), id.to_owned())
}

/// Files and ledger merged, in apply order.
#[must_use]
pub fn status(migrations: &[Migration], applied: &[Applied]) -> Vec<Entry> {
    let mut entries: Vec<Entry> = migrations
        .iter()
        .map(|m| {
            let row = applied.iter().find(|a| a.id == m.id);
            let (state, detail) = match row {
                None => (State::Pending, None),
                Some(a) if a.failed => (
                    State::Failed,
                    a.logs
                        .as_ref()
                        .map(|l| l.lines().next().unwrap_or("").to_owned()),
                ),
                Some(a) if !m.checksum_matches(&a.checksum) => (
                    State::ChecksumMismatch,
                    Some("the file changed after it was applied".to_owned()),
                ),
                Some(_) => (State::Applied, None),
            };
            Entry {
                id: m.id.clone(),
                description: m.description.clone(),
                state,
                applied_at: row.and_then(|a| a.recorded_at.clone()),
                duration_ms: row.and_then(|a| a.duration_ms),
                file: Some(m.up_path.display().to_string()),
                detail,
            }
        })
        .collect();
    for a in applied
        .iter()
        .filter(|a| !migrations.iter().any(|m| m.id == a.id))
    {
        entries.push(Entry {
            id: a.id.clone(),
            description: a.description.clone(),
            state: if a.failed {
                State::Failed
            } else {
                State::MissingOnDisk
            },
            applied_at: a.recorded_at.clone(),
            duration_ms: a.duration_ms,
            file: None,
            detail: Some("recorded in the ledger but not on disk".to_owned()),
        });
    }
    entries.sort_by_key(|e| order_key(&e.id));
    entries
}

/// Why `run` must not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Blocked {
    #[error(
        "migration {0} failed earlier and blocks further runs{1}; fix the database, then run `skillsctl migrate resolve --applied {0}` (if you finished it by hand) or `--rolled-back {0}` (if you undid it)"
    )]
    Failed(String, String),
    #[error(
        "migration {0} is dirty (a failed run left success = false); fix the database by hand, then delete its row from _sqlx_migrations{1}"
    )]
    Dirty(String, String),
    #[error(
        "migration {id} was edited after it was applied ({file}); revert the edit, or pass --ignore-checksums if you know why"
    )]
    Checksum { id: String, file: String },
    #[error(
        "migration {0} is recorded as applied but its file is missing; restore it, or pass --ignore-missing"
    )]
    Missing(String),
    #[error("--target {0} is not a migration on disk")]
    UnknownTarget(String),
    #[error("migration {0} failed earlier (dirty); resolve it before reverting")]
    RevertDirty(String),
    #[error("migration {0} is applied but its file is missing; restore it before reverting")]
    RevertMissing(String),
    #[error("--target {0} is not a migration on disk (use 0 to revert everything)")]
    UnknownRevertTarget(String),
    #[error("{0} is not a migration on disk")]
    UnknownBaseline(String),
}

/// The options of `run` that change the plan.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub target: Option<String>,
    pub ignore_checksums: bool,
    pub ignore_missing: bool,
}

/// The migrations `run` applies, in order, or why it must not start.
pub fn run_plan<'a>(
    layout: Layout,
    migrations: &'a [Migration],
    applied: &[Applied],
    options: &RunOptions,
) -> Result<Vec<&'a Migration>, Blocked> {
    for entry in status(migrations, applied) {
        let note = entry
            .detail
            .as_ref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        match entry.state {
            State::Failed if layout == Layout::Prisma => {
                return Err(Blocked::Failed(entry.id, note));
            }
            State::Failed => return Err(Blocked::Dirty(entry.id, note)),
            State::ChecksumMismatch if !options.ignore_checksums => {
                return Err(Blocked::Checksum {
                    id: entry.id,
                    file: entry.file.unwrap_or_default(),
                });
            }
            State::MissingOnDisk if !options.ignore_missing => {
                return Err(Blocked::Missing(entry.id));
            }
            _ => {}
        }
    }
    let limit = match &options.target {
        Some(target) => Some(
            migrations
                .iter()
                .position(|m| &m.id == target)
                .ok_or_else(|| Blocked::UnknownTarget(target.clone()))?,
        ),
        None => None,
    };
    Ok(migrations
        .iter()
        .enumerate()
        .filter(|(i, _)| limit.is_none_or(|l| *i <= l))
        .filter(|(_, m)| !applied.iter().any(|a| a.id == m.id))
        .map(|(_, m)| m)
        .collect())
}

/// The applied migrations `revert` undoes, newest first: the last one, or all
/// after `target`.
pub fn revert_plan<'a>(
    migrations: &'a [Migration],
    applied: &[Applied],
    target: Option<&str>,
) -> Result<Vec<&'a Migration>, Blocked> {
    // Like sqlx: never revert around a dirty row or a migration whose file is gone.
    if let Some(dirty) = applied.iter().find(|a| a.failed) {
        return Err(Blocked::RevertDirty(dirty.id.clone()));
    }
    if let Some(missing) = applied
        .iter()
        .find(|a| !migrations.iter().any(|m| m.id == a.id))
    {
        return Err(Blocked::RevertMissing(missing.id.clone()));
    }
    let mut done: Vec<&Migration> = migrations
        .iter()
        .filter(|m| applied.iter().any(|a| a.id == m.id && !a.failed))
        .collect();
    done.reverse();
    if let Some(target) = target {
        if target != "0" && !migrations.iter().any(|m| m.id == target) {
            return Err(Blocked::UnknownRevertTarget(target.to_owned()));
        }
        let key = order_key(target);
        return Ok(done
            .into_iter()
            .filter(|m| order_key(&m.id) > key || target == "0")
            .collect());
    }
    Ok(done.into_iter().take(1).collect())
}

/// The migrations `baseline VERSION` marks applied: every one up to VERSION not yet recorded.
pub fn baseline_plan<'a>(
    migrations: &'a [Migration],
    applied: &[Applied],
    version: &str,
) -> Result<Vec<&'a Migration>, Blocked> {
    let last = migrations
        .iter()
        .position(|m| m.id == version)
        .ok_or_else(|| Blocked::UnknownBaseline(version.to_owned()))?;
    Ok(migrations[..=last]
        .iter()
        .filter(|m| !applied.iter().any(|a| a.id == m.id))
        .collect())
}

/// What `resolve` does to the ledger, decided from its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Prisma `--applied`: set the failed rows aside, record a finished one.
    PrismaApplied {
        name: String,
        description: String,
        checksum: String,
        set_aside: Vec<String>,
    },
    /// Prisma `--rolled-back`: set the failed rows aside.
    PrismaRolledBack {
        name: String,
        set_aside: Vec<String>,
    },
    /// sqlx `--applied`: the dirty row becomes successful.
    SqlxFinish {
        version: i64,
        description: String,
        execution_time: i64,
    },
    /// sqlx `--rolled-back`: the dirty row goes, so the migration runs again.
    SqlxDelete { version: i64, description: String },
}

impl Resolution {
    /// The migration, its description and what was done, for the report.
    #[must_use]
    pub fn summary(&self) -> (String, String, &'static str) {
        match self {
            Resolution::PrismaApplied {
                name, description, ..
            } => (name.clone(), description.clone(), "recorded as applied"),
            Resolution::PrismaRolledBack { name, .. } => (
                name.clone(),
                String::new(),
                "failed record set aside (rolled back)",
            ),
            Resolution::SqlxFinish {
                version,
                description,
                ..
            } => (
                version.to_string(),
                description.clone(),
                "marked successful",
            ),
            Resolution::SqlxDelete {
                version,
                description,
            } => (
                version.to_string(),
                description.clone(),
                "dirty row removed; it will run again",
            ),
        }
    }
}

/// Why `resolve` refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("migration {0} is already recorded as applied")]
    AlreadyApplied(String),
    #[error("migration {name} is not in {dir}")]
    NotOnDisk { name: String, dir: String },
    #[error("migration {0} cannot be rolled back: it is not in a failed state")]
    NotFailed(String),
    #[error("`{0}` is not a sqlx version")]
    NotAVersion(String),
    #[error("migration {0} is not in a failed (dirty) state")]
    NotDirty(String),
}

/// `resolve --applied NAME` (`applied`) or `--rolled-back NAME` on Prisma's ledger.
pub fn resolve_prisma(
    rows: &[PrismaRow],
    migrations: &[Migration],
    name: &str,
    applied: bool,
    dir: &str,
) -> Result<Resolution, ResolveError> {
    let mine: Vec<&PrismaRow> = rows
        .iter()
        .filter(|r| r.migration_name == name && r.rolled_back_at.is_none())
        .collect();
    let set_aside: Vec<String> = mine
        .iter()
        .filter(|r| r.finished_at.is_none())
        .map(|r| r.id.clone())
        .collect();
    if !applied {
        if set_aside.is_empty() {
            return Err(ResolveError::NotFailed(name.to_owned()));
        }
        return Ok(Resolution::PrismaRolledBack {
            name: name.to_owned(),
            set_aside,
        });
    }
    if mine.iter().any(|r| r.finished_at.is_some()) {
        return Err(ResolveError::AlreadyApplied(name.to_owned()));
    }
    let file = migrations
        .iter()
        .find(|m| m.id == name)
        .ok_or_else(|| ResolveError::NotOnDisk {
            name: name.to_owned(),
            dir: dir.to_owned(),
        })?;
    Ok(Resolution::PrismaApplied {
        name: name.to_owned(),
        description: file.description.clone(),
        checksum: String::from_utf8_lossy(&file.checksum).into_owned(),
        set_aside,
    })
}

/// `resolve --applied VERSION` (`applied`) or `--rolled-back VERSION` on sqlx's ledger.
pub fn resolve_sqlx(
    rows: &[SqlxRow],
    name: &str,
    applied: bool,
) -> Result<Resolution, ResolveError> {
    let version: i64 = name
        .parse()
        .map_err(|_| ResolveError::NotAVersion(name.to_owned()))?;
    let row = rows
        .iter()
        .find(|r| r.version == version && !r.success)
        .ok_or_else(|| ResolveError::NotDirty(name.to_owned()))?;
    Ok(if applied {
        Resolution::SqlxFinish {
            version,
            description: row.description.clone(),
            execution_time: row.execution_time.max(0),
        }
    } else {
        Resolution::SqlxDelete {
            version,
            description: row.description.clone(),
        }
    })
}

/// The sqlx advisory-lock id for a database: `0x3d32ad9e * crc32(name)`.
#[must_use]
pub fn sqlx_lock_id(database_name: &str) -> i64 {
    const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);
    0x3d32_ad9e * i64::from(CRC.checksum(database_name.as_bytes()))
}

/// Prisma's advisory lock id on PostgreSQL, and its lock name on MySQL.
pub const PRISMA_PG_LOCK: i64 = 72_707_369;
pub const PRISMA_MYSQL_LOCK: &str = "prisma_migrate";

/// A random UUID v4 for a Prisma ledger row.
#[must_use]
pub fn uuid_v4(mut random: impl FnMut() -> u8) -> String {
    let mut bytes = [0u8; 16];
    for b in &mut bytes {
        *b = random();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = super::source::hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(id: &str, sql: &str) -> Migration {
        Migration {
            id: id.into(),
            version: id.parse().ok(),
            description: format!("m{id}"),
            up_path: format!("migrations/{id}_m.sql").into(),
            down_path: None,
            sql: sql.into(),
            down_sql: None,
            checksum: super::super::source::sqlx_checksum(sql.as_bytes()),
            equivalent_checksums: vec![],
            no_transaction: false,
        }
    }

    fn applied(m: &Migration) -> Applied {
        Applied {
            id: m.id.clone(),
            description: m.description.clone(),
            checksum: m.checksum.clone(),
            recorded_at: None,
            duration_ms: None,
            failed: false,
            logs: None,
        }
    }

    #[test]
    fn status_merges_files_and_ledger() {
        let files = vec![
            migration("1", "a"),
            migration("2", "b"),
            migration("3", "c"),
        ];
        let mut rows = vec![applied(&files[0]), applied(&files[1])];
        rows[1].checksum = vec![0; 48];
        rows.push(Applied {
            id: "9".into(),
            ..applied(&files[0])
        });
        let states: Vec<State> = status(&files, &rows).iter().map(|e| e.state).collect();
        assert_eq!(
            states,
            [
                State::Applied,
                State::ChecksumMismatch,
                State::Pending,
                State::MissingOnDisk
            ]
        );
    }

    #[test]
    fn run_plan_respects_target_and_blocks() {
        let files = vec![
            migration("1", "a"),
            migration("2", "b"),
            migration("3", "c"),
        ];
        let rows = vec![applied(&files[0])];
        let plan = run_plan(
            Layout::Sqlx,
            &files,
            &rows,
            &RunOptions {
                target: Some("2".into()),
                ..RunOptions::default()
            },
        )
        .unwrap();
        assert_eq!(
            plan.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
            ["2"]
        );
        let mut failed = rows.clone();
        failed[0].failed = true;
        assert!(matches!(
            run_plan(Layout::Prisma, &files, &failed, &RunOptions::default()),
            Err(Blocked::Failed(..))
        ));
        assert!(matches!(
            run_plan(Layout::Sqlx, &files, &failed, &RunOptions::default()),
            Err(Blocked::Dirty(..))
        ));
    }

    #[test]
    fn prisma_rows_prefer_finished_over_rolled_back() {
        let row = |id: &str, finished: Option<&str>, rolled: Option<&str>| PrismaRow {
            id: id.into(),
            checksum: "c".into(),
            finished_at: finished.map(Into::into),
            migration_name: "20240101000000_init".into(),
            logs: None,
            rolled_back_at: rolled.map(Into::into),
            started_at: String::new(),
            applied_steps_count: 1,
        };
        let reduced = from_prisma(&[row("a", None, Some("t")), row("b", Some("t"), None)]);
        assert_eq!(reduced.len(), 1);
        assert!(!reduced[0].failed);
    }

    fn prisma_row(id: &str, name: &str, finished: bool, rolled_back: bool) -> PrismaRow {
        PrismaRow {
            id: id.into(),
            checksum: "c".into(),
            finished_at: finished.then(|| "t".into()),
            migration_name: name.into(),
            logs: None,
            rolled_back_at: rolled_back.then(|| "t".into()),
            started_at: String::new(),
            applied_steps_count: 1,
        }
    }

    #[test]
    fn prisma_resolve_decides_from_the_rows() {
        let name = "20240101000000_init";
        let on_disk = [migration(name, "select 1;")];
        let failed = [
            prisma_row("old", name, true, true),
            prisma_row("f", name, false, false),
        ];
        assert_eq!(
            resolve_prisma(&failed, &on_disk, name, false, "prisma/migrations"),
            Ok(Resolution::PrismaRolledBack {
                name: name.into(),
                set_aside: vec!["f".into()],
            })
        );
        let applied = resolve_prisma(&failed, &on_disk, name, true, "prisma/migrations").unwrap();
        assert!(
            matches!(&applied, Resolution::PrismaApplied { set_aside, .. } if set_aside == &["f".to_owned()])
        );
        assert_eq!(applied.summary().2, "recorded as applied");
        let done = [prisma_row("d", name, true, false)];
        assert_eq!(
            resolve_prisma(&done, &on_disk, name, true, "dir"),
            Err(ResolveError::AlreadyApplied(name.into()))
        );
        assert_eq!(
            resolve_prisma(&done, &on_disk, name, false, "dir"),
            Err(ResolveError::NotFailed(name.into()))
        );
        assert_eq!(
            resolve_prisma(&[], &[], name, true, "dir")
                .unwrap_err()
                .to_string(),
            format!("migration {name} is not in dir")
        );
    }

    #[test]
    fn sqlx_resolve_needs_a_dirty_row() {
        let row = |version, success| SqlxRow {
            version,
            description: "init".into(),
            installed_on: String::new(),
            success,
            checksum: Vec::new(),
            execution_time: -5,
        };
        let rows = [row(1, true), row(2, false)];
        assert_eq!(
            resolve_sqlx(&rows, "2", true),
            Ok(Resolution::SqlxFinish {
                version: 2,
                description: "init".into(),
                execution_time: 0,
            })
        );
        assert!(matches!(
            resolve_sqlx(&rows, "2", false),
            Ok(Resolution::SqlxDelete { version: 2, .. })
        ));
        assert_eq!(
            resolve_sqlx(&rows, "1", true),
            Err(ResolveError::NotDirty("1".into()))
        );
        assert_eq!(
            resolve_sqlx(&rows, "x", true),
            Err(ResolveError::NotAVersion("x".into()))
        );
    }

    #[test]
    fn sqlx_lock_id_matches_sqlx() {
        // crc32("test") = 0xd87f7e0c; sqlx multiplies it by 0x3d32ad9e in i64.
        assert_eq!(sqlx_lock_id("test"), 0x3d32_ad9e_i64 * 0xd87f_7e0c_i64);
    }

    #[test]
    fn uuid_has_version_and_variant_bits() {
        let id = uuid_v4(|| 0xff);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }
}
