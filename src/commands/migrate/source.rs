//! Migration files on disk in the two layouts skillsctl speaks, read exactly as
//! their own tools read them:
//!
//! - sqlx: `<VERSION>_<DESCRIPTION>.sql`, or reversible `.up.sql` / `.down.sql`
//!   pairs. VERSION is the text before the first `_` as an i64; DESCRIPTION is the
//!   rest without the suffix, `_` turned into spaces. `-- no-transaction` as the
//!   first line runs the file outside a transaction. Checksum: SHA-384 of the bytes.
//! - Prisma: `<timestamp>_<name>/migration.sql` beside `migration_lock.toml`.
//!   Checksum: SHA-256 of the bytes as lowercase hex.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256, Sha384};

/// Which ledger a project's migrations use.
pub use crate::config::MigrationLayout as Layout;

/// One migration found on disk.
#[derive(Debug, Clone, Serialize)]
pub struct Migration {
    /// sqlx: the version as text; Prisma: the folder name.
    pub id: String,
    /// sqlx: the parsed version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    pub description: String,
    pub up_path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_path: Option<PathBuf>,
    #[serde(skip)]
    pub sql: String,
    #[serde(skip)]
    pub down_sql: Option<String>,
    /// The checksum the ledger stores (sqlx: SHA-384 bytes; Prisma: SHA-256 hex as bytes).
    #[serde(skip)]
    pub checksum: Vec<u8>,
    /// Checksums of the same file with only its line endings changed, which count as equal.
    #[serde(skip)]
    pub equivalent_checksums: Vec<Vec<u8>>,
    /// sqlx's `-- no-transaction` marker.
    pub no_transaction: bool,
}

impl Migration {
    /// Whether a ledger checksum matches this file (line-ending-only edits accepted).
    #[must_use]
    pub fn checksum_matches(&self, stored: &[u8]) -> bool {
        self.checksum == stored || self.equivalent_checksums.iter().any(|c| c == stored)
    }
}

/// Problems reading the migrations folder; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(
        "migrations folder {0} does not exist (set [database] migrations in skillsctl.toml or pass --source)"
    )]
    MissingDir(PathBuf),
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path}: the version `{version}` before the first `_` is not a whole number")]
    BadVersion { path: PathBuf, version: String },
    #[error("{first} and {second} have the same version {version}")]
    DuplicateVersion {
        version: i64,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("{path}: has a .down.sql but no .up.sql")]
    DownWithoutUp { path: PathBuf },
    #[error("{path}: {message}")]
    BadLockFile { path: PathBuf, message: String },
}

/// sqlx's marker: `-- no-transaction` as the very first line runs the file
/// statement by statement, outside a transaction.
#[must_use]
pub fn has_no_transaction_marker(sql: &str) -> bool {
    sql.starts_with("-- no-transaction")
}

fn read(path: &Path) -> Result<Vec<u8>, SourceError> {
    std::fs::read(path).map_err(|e| SourceError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

fn text(path: &Path, bytes: &[u8]) -> Result<String, SourceError> {
    String::from_utf8(bytes.to_vec()).map_err(|e| SourceError::Read {
        path: path.to_path_buf(),
        message: format!("not UTF-8 ({e})"),
    })
}

/// The same bytes with CRLF turned to LF, and LF turned to CRLF.
fn line_ending_variants(bytes: &[u8]) -> [Vec<u8>; 2] {
    let lf: Vec<u8> = {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        out
    };
    let mut crlf = Vec::with_capacity(lf.len() + lf.len() / 20);
    for &b in &lf {
        if b == b'\n' {
            crlf.push(b'\r');
        }
        crlf.push(b);
    }
    [lf, crlf]
}

/// SHA-384 of the bytes, as sqlx stores it.
#[must_use]
pub fn sqlx_checksum(bytes: &[u8]) -> Vec<u8> {
    Sha384::digest(bytes).to_vec()
}

/// SHA-256 of the bytes as lowercase hex, as Prisma stores it.
#[must_use]
pub fn prisma_checksum(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of bytes.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// Reads the migrations in `dir` for `layout`, sorted as their tool applies them.
pub fn read_dir(dir: &Path, layout: Layout) -> Result<Vec<Migration>, SourceError> {
    if !dir.is_dir() {
        return Err(SourceError::MissingDir(dir.to_path_buf()));
    }
    match layout {
        Layout::Sqlx => read_sqlx(dir),
        Layout::Prisma => read_prisma(dir),
    }
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let entries = std::fs::read_dir(dir).map_err(|e| SourceError::Read {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    Ok(paths)
}

fn read_sqlx(dir: &Path) -> Result<Vec<Migration>, SourceError> {
    let mut ups: Vec<Migration> = Vec::new();
    let mut downs: Vec<(i64, PathBuf, String)> = Vec::new();
    for path in sorted_entries(dir)? {
        if !path.is_file() {
            continue;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some((version_text, rest)) = name.split_once('_') else {
            continue;
        };
        if Path::new(rest).extension().is_none_or(|e| e != "sql") {
            continue;
        }
        let version: i64 = version_text.parse().map_err(|_| SourceError::BadVersion {
            path: path.clone(),
            version: version_text.to_owned(),
        })?;
        let (stem, is_down) = if let Some(stem) = rest.strip_suffix(".down.sql") {
            (stem, true)
        } else if let Some(stem) = rest.strip_suffix(".up.sql") {
            (stem, false)
        } else {
            (rest.strip_suffix(".sql").unwrap_or(rest), false)
        };
        let description = stem.replace('_', " ");
        let bytes = read(&path)?;
        let sql = text(&path, &bytes)?;
        if is_down {
            downs.push((version, path, sql));
            continue;
        }
        if let Some(existing) = ups.iter().find(|m| m.version == Some(version)) {
            return Err(SourceError::DuplicateVersion {
                version,
                first: existing.up_path.clone(),
                second: path,
            });
        }
        let [lf, crlf] = line_ending_variants(&bytes);
        ups.push(Migration {
            id: version.to_string(),
            version: Some(version),
            description,
            no_transaction: has_no_transaction_marker(&sql),
            checksum: sqlx_checksum(&bytes),
            equivalent_checksums: vec![sqlx_checksum(&lf), sqlx_checksum(&crlf)],
            up_path: path,
            down_path: None,
            sql,
            down_sql: None,
        });
    }
    for (version, path, sql) in downs {
        let Some(up) = ups.iter_mut().find(|m| m.version == Some(version)) else {
            return Err(SourceError::DownWithoutUp { path });
        };
        up.down_path = Some(path);
        up.down_sql = Some(sql);
    }
    ups.sort_by_key(|m| m.version);
    Ok(ups)
}

fn read_prisma(dir: &Path) -> Result<Vec<Migration>, SourceError> {
    let mut found = Vec::new();
    for path in sorted_entries(dir)? {
        let script = path.join("migration.sql");
        if !script.is_file() {
            continue;
        }
        let id = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let description = id
            .split_once('_')
            .map_or(id.as_str(), |(_, name)| name)
            .to_owned();
        let bytes = read(&script)?;
        let sql = text(&script, &bytes)?;
        let [lf, crlf] = line_ending_variants(&bytes);
        found.push(Migration {
            id,
            version: None,
            description,
            no_transaction: false,
            checksum: prisma_checksum(&bytes).into_bytes(),
            equivalent_checksums: vec![
                prisma_checksum(&lf).into_bytes(),
                prisma_checksum(&crlf).into_bytes(),
            ],
            up_path: script,
            down_path: None,
            sql,
            down_sql: None,
        });
    }
    Ok(found)
}

/// The provider in Prisma's `migration_lock.toml`, if the file exists.
pub fn prisma_provider(dir: &Path) -> Result<Option<String>, SourceError> {
    let path = dir.join("migration_lock.toml");
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = read(&path)?;
    let content = text(&path, &bytes)?;
    let table: toml::Table = toml::from_str(&content).map_err(|e| SourceError::BadLockFile {
        path: path.clone(),
        message: e.message().to_owned(),
    })?;
    Ok(table
        .get("provider")
        .and_then(|p| p.as_str())
        .map(str::to_owned))
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// `YYYYMMDDHHMMSS` in UTC for a Unix time, the version sqlx-cli and Prisma give new migrations.
#[must_use]
pub fn timestamp(unix_secs: u64) -> String {
    let secs = i64::try_from(unix_secs).unwrap_or(0);
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// What `migrate add NAME` writes: `(relative path, contents)` pairs.
#[must_use]
pub fn new_files(
    layout: Layout,
    existing: &[Migration],
    name: &str,
    reversible: bool,
    sequential: bool,
    now_unix: u64,
) -> Vec<(String, String)> {
    match layout {
        Layout::Sqlx => {
            let slug: String = name.trim().replace(char::is_whitespace, "_");
            let version = if sequential {
                let next = existing.iter().filter_map(|m| m.version).max().unwrap_or(0) + 1;
                format!("{next:04}")
            } else {
                timestamp(now_unix)
            };
            let header = "-- Add migration script here\n".to_owned();
            if reversible {
                vec![
                    (format!("{version}_{slug}.up.sql"), header.clone()),
                    (
                        format!("{version}_{slug}.down.sql"),
                        "-- Add down migration script here\n".to_owned(),
                    ),
                ]
            } else {
                vec![(format!("{version}_{slug}.sql"), header)]
            }
        }
        Layout::Prisma => {
            // Prisma's naming: lower case, anything else than [a-z0-9_] becomes `_`.
            let slug: String = name
                .trim()
                .to_lowercase()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            vec![(
                format!("{}_{slug}/migration.sql", timestamp(now_unix)),
                "-- This is an empty migration.\n".to_owned(),
            )]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_civil_time() {
        assert_eq!(timestamp(0), "19700101000000");
        assert_eq!(timestamp(1_795_000_000), "20261118110640");
        assert_eq!(timestamp(951_782_400), "20000229000000");
    }

    #[test]
    fn line_endings_only_edits_match() {
        let [lf, crlf] = line_ending_variants(b"a\r\nb\nc");
        assert_eq!(lf, b"a\nb\nc");
        assert_eq!(crlf, b"a\r\nb\r\nc");
    }

    #[test]
    fn sqlx_names_parse_like_sqlx() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("20240101000000_create_users.sql"),
            "CREATE TABLE users (id int);",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("2_add_index.up.sql"),
            "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON users (id);",
        )
        .unwrap();
        std::fs::write(dir.path().join("2_add_index.down.sql"), "DROP INDEX i;").unwrap();
        std::fs::write(dir.path().join("README.md"), "not a migration").unwrap();
        let migrations = read_dir(dir.path(), Layout::Sqlx).unwrap();
        assert_eq!(migrations.len(), 2);
        assert_eq!(
            (migrations[0].version, migrations[0].description.as_str()),
            (Some(2), "add index")
        );
        assert!(migrations[0].no_transaction && migrations[0].down_sql.is_some());
        assert_eq!(migrations[1].description, "create users");
        assert_eq!(migrations[1].checksum.len(), 48);
    }

    #[test]
    fn new_files_follow_each_tool() {
        let files = new_files(Layout::Sqlx, &[], "add skills", true, true, 0);
        assert_eq!(files[0].0, "0001_add_skills.up.sql");
        assert_eq!(files[1].0, "0001_add_skills.down.sql");
        let prisma = new_files(Layout::Prisma, &[], "Add Skill-Tags", false, false, 0);
        assert_eq!(prisma[0].0, "19700101000000_add_skill_tags/migration.sql");
    }
}
