//! The migration ledgers exactly as sqlx (`_sqlx_migrations`) and Prisma
//! (`_prisma_migrations`) create and write them, so either tool reads what
//! skillsctl wrote and the other way round.

use super::{Conn, DbError, Dialect, ExecError, MigrationDb, exec_error, message};

/// `_sqlx_migrations` as selected: version, description, installed_on, success, checksum, execution_time.
type SqlxTuple = (i64, String, Option<String>, bool, Vec<u8>, i64);
/// `_prisma_migrations` as selected, in column order.
type PrismaTuple = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

/// A row of sqlx's `_sqlx_migrations`.
#[derive(Debug, Clone)]
pub struct SqlxRow {
    pub version: i64,
    pub description: String,
    pub installed_on: String,
    pub success: bool,
    pub checksum: Vec<u8>,
    /// Nanoseconds, as sqlx records it.
    pub execution_time: i64,
}

/// A row of Prisma's `_prisma_migrations`.
#[derive(Debug, Clone)]
pub struct PrismaRow {
    pub id: String,
    pub checksum: String,
    pub finished_at: Option<String>,
    pub migration_name: String,
    pub logs: Option<String>,
    pub rolled_back_at: Option<String>,
    pub started_at: String,
    pub applied_steps_count: i64,
}

/// The ledgers exactly as sqlx and Prisma create and write them.
impl MigrationDb {
    fn q<'a>(&self, pg: &'a str, other: &'a str) -> &'a str {
        if self.dialect == Dialect::Postgres {
            pg
        } else {
            other
        }
    }

    pub async fn sqlx_create_ledger(&mut self) -> Result<(), ExecError> {
        let ddl = match self.dialect {
            Dialect::Postgres => {
                "CREATE TABLE IF NOT EXISTS _sqlx_migrations (\n    version BIGINT PRIMARY KEY,\n    description TEXT NOT NULL,\n    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),\n    success BOOLEAN NOT NULL,\n    checksum BYTEA NOT NULL,\n    execution_time BIGINT NOT NULL\n);"
            }
            // MySQL and SQLite: the same types, BLOB checksum.
            Dialect::Mysql | Dialect::Sqlite => {
                "CREATE TABLE IF NOT EXISTS _sqlx_migrations (\n    version BIGINT PRIMARY KEY,\n    description TEXT NOT NULL,\n    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    success BOOLEAN NOT NULL,\n    checksum BLOB NOT NULL,\n    execution_time BIGINT NOT NULL\n);"
            }
        };
        self.execute(ddl).await
    }

    pub async fn sqlx_rows(&mut self) -> Result<Vec<SqlxRow>, DbError> {
        let query = match self.dialect {
            Dialect::Postgres => {
                "SELECT version, description, to_char(installed_on AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), success, checksum, execution_time FROM _sqlx_migrations ORDER BY version"
            }
            Dialect::Mysql => {
                "SELECT version, CAST(description AS CHAR), DATE_FORMAT(installed_on, '%Y-%m-%dT%H:%i:%sZ'), success, checksum, execution_time FROM _sqlx_migrations ORDER BY version"
            }
            Dialect::Sqlite => {
                "SELECT version, description, strftime('%Y-%m-%dT%H:%M:%SZ', installed_on), success, checksum, execution_time FROM _sqlx_migrations ORDER BY version"
            }
        };
        let rows: Vec<SqlxTuple> = on_conn!(self, c => sqlx::query_as(query).fetch_all(&mut *c).await.map_err(|e| DbError::Query(message(&e)))?);
        Ok(rows
            .into_iter()
            .map(
                |(version, description, installed_on, success, checksum, execution_time)| SqlxRow {
                    version,
                    description,
                    installed_on: installed_on.unwrap_or_default(),
                    success,
                    checksum,
                    execution_time,
                },
            )
            .collect())
    }

    pub async fn sqlx_insert(
        &mut self,
        version: i64,
        description: &str,
        success: bool,
        checksum: &[u8],
        execution_time: i64,
    ) -> Result<(), ExecError> {
        let query = self.q(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, $2, $3, $4, $5)",
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (?, ?, ?, ?, ?)",
        );
        on_conn!(self, c => sqlx::query(query).bind(version).bind(description).bind(success).bind(checksum).bind(execution_time).execute(&mut *c).await.map(|_| ()).map_err(|e| exec_error(&e)))
    }

    /// Marks a (MySQL) row as succeeded with its execution time.
    pub async fn sqlx_finish(
        &mut self,
        version: i64,
        execution_time: i64,
    ) -> Result<(), ExecError> {
        let query = self.q(
            "UPDATE _sqlx_migrations SET success = TRUE, execution_time = $1 WHERE version = $2",
            "UPDATE _sqlx_migrations SET success = TRUE, execution_time = ? WHERE version = ?",
        );
        on_conn!(self, c => sqlx::query(query).bind(execution_time).bind(version).execute(&mut *c).await.map(|_| ()).map_err(|e| exec_error(&e)))
    }

    /// Marks a row unsuccessful before a revert that cannot be rolled back.
    pub async fn sqlx_mark_dirty(&mut self, version: i64) -> Result<(), ExecError> {
        let query = self.q(
            "UPDATE _sqlx_migrations SET success = FALSE WHERE version = $1",
            "UPDATE _sqlx_migrations SET success = FALSE WHERE version = ?",
        );
        on_conn!(self, c => sqlx::query(query).bind(version).execute(&mut *c).await.map(|_| ()).map_err(|e| exec_error(&e)))
    }

    pub async fn sqlx_delete(&mut self, version: i64) -> Result<(), ExecError> {
        let query = self.q(
            "DELETE FROM _sqlx_migrations WHERE version = $1",
            "DELETE FROM _sqlx_migrations WHERE version = ?",
        );
        on_conn!(self, c => sqlx::query(query).bind(version).execute(&mut *c).await.map(|_| ()).map_err(|e| exec_error(&e)))
    }

    pub async fn prisma_create_ledger(&mut self) -> Result<(), ExecError> {
        let ddl = match self.dialect {
            Dialect::Postgres => {
                "CREATE TABLE IF NOT EXISTS \"_prisma_migrations\" (\n    \"id\"                    VARCHAR(36) PRIMARY KEY NOT NULL,\n    \"checksum\"              VARCHAR(64) NOT NULL,\n    \"finished_at\"           TIMESTAMPTZ,\n    \"migration_name\"        VARCHAR(255) NOT NULL,\n    \"logs\"                  TEXT,\n    \"rolled_back_at\"        TIMESTAMPTZ,\n    \"started_at\"            TIMESTAMPTZ NOT NULL DEFAULT now(),\n    \"applied_steps_count\"   INTEGER NOT NULL DEFAULT 0\n);"
            }
            Dialect::Mysql => {
                "CREATE TABLE IF NOT EXISTS `_prisma_migrations` (\n    `id`                    VARCHAR(36) PRIMARY KEY NOT NULL,\n    `checksum`              VARCHAR(64) NOT NULL,\n    `finished_at`           DATETIME(3),\n    `migration_name`        VARCHAR(255) NOT NULL,\n    `logs`                  TEXT,\n    `rolled_back_at`        DATETIME(3),\n    `started_at`            DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),\n    `applied_steps_count`   INTEGER UNSIGNED NOT NULL DEFAULT 0\n) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
            }
            Dialect::Sqlite => {
                "CREATE TABLE IF NOT EXISTS \"_prisma_migrations\" (\n    \"id\"                    TEXT PRIMARY KEY NOT NULL,\n    \"checksum\"              TEXT NOT NULL,\n    \"finished_at\"           DATETIME,\n    \"migration_name\"        TEXT NOT NULL,\n    \"logs\"                  TEXT,\n    \"rolled_back_at\"        DATETIME,\n    \"started_at\"            DATETIME NOT NULL DEFAULT current_timestamp,\n    \"applied_steps_count\"   INTEGER UNSIGNED NOT NULL DEFAULT 0\n);"
            }
        };
        self.execute(ddl).await
    }

    pub async fn prisma_rows(&mut self) -> Result<Vec<PrismaRow>, DbError> {
        let query = match self.dialect {
            Dialect::Postgres => {
                "SELECT id::text, checksum::text, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), migration_name::text, logs, to_char(rolled_back_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), applied_steps_count::bigint FROM \"_prisma_migrations\" ORDER BY started_at, migration_name"
            }
            Dialect::Mysql => {
                "SELECT id, checksum, DATE_FORMAT(finished_at, '%Y-%m-%dT%H:%i:%sZ'), migration_name, logs, DATE_FORMAT(rolled_back_at, '%Y-%m-%dT%H:%i:%sZ'), DATE_FORMAT(started_at, '%Y-%m-%dT%H:%i:%s.%fZ'), CAST(applied_steps_count AS SIGNED) FROM `_prisma_migrations` ORDER BY started_at, migration_name"
            }
            Dialect::Sqlite => {
                // Prisma's engine may store SQLite dates as Unix milliseconds; skillsctl
                // writes text. Read both, and order by the same instant.
                "SELECT id, checksum, \
                 CASE WHEN finished_at IS NULL THEN NULL WHEN typeof(finished_at) = 'integer' THEN strftime('%Y-%m-%dT%H:%M:%SZ', finished_at / 1000, 'unixepoch') ELSE COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', finished_at), CAST(finished_at AS TEXT)) END, \
                 migration_name, logs, \
                 CASE WHEN rolled_back_at IS NULL THEN NULL WHEN typeof(rolled_back_at) = 'integer' THEN strftime('%Y-%m-%dT%H:%M:%SZ', rolled_back_at / 1000, 'unixepoch') ELSE COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', rolled_back_at), CAST(rolled_back_at AS TEXT)) END, \
                 CASE WHEN typeof(started_at) = 'integer' THEN strftime('%Y-%m-%dT%H:%M:%fZ', started_at / 1000.0, 'unixepoch') ELSE strftime('%Y-%m-%dT%H:%M:%fZ', started_at) END AS started, \
                 applied_steps_count FROM \"_prisma_migrations\" ORDER BY started, migration_name"
            }
        };
        let rows: Vec<PrismaTuple> = on_conn!(self, c => sqlx::query_as(query).fetch_all(&mut *c).await.map_err(|e| DbError::Query(message(&e)))?);
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    checksum,
                    finished_at,
                    migration_name,
                    logs,
                    rolled_back_at,
                    started_at,
                    applied_steps_count,
                )| PrismaRow {
                    id,
                    checksum,
                    finished_at,
                    migration_name,
                    logs,
                    rolled_back_at,
                    started_at: started_at.unwrap_or_default(),
                    applied_steps_count,
                },
            )
            .collect())
    }

    /// Prisma's first step: the row exists, started, not finished.
    pub async fn prisma_start(
        &mut self,
        id: &str,
        name: &str,
        checksum: &str,
    ) -> Result<(), ExecError> {
        let query = match self.dialect {
            Dialect::Postgres => {
                "INSERT INTO \"_prisma_migrations\" (id, checksum, started_at, migration_name) VALUES ($1, $2, now(), $3)"
            }
            Dialect::Mysql => {
                "INSERT INTO `_prisma_migrations` (id, checksum, started_at, migration_name) VALUES (?, ?, CURRENT_TIMESTAMP(3), ?)"
            }
            Dialect::Sqlite => {
                "INSERT INTO \"_prisma_migrations\" (id, checksum, started_at, migration_name) VALUES (?, ?, strftime('%Y-%m-%d %H:%M:%f', 'now'), ?)"
            }
        };
        on_conn!(self, c => sqlx::query(query).bind(id).bind(checksum).bind(name).execute(&mut *c).await.map(|_| ()).map_err(|e| exec_error(&e)))
    }

    /// Prisma's last step: one more applied step, finished now (and the
    /// progress skillsctl kept in `logs` cleared, as Prisma leaves it).
    pub async fn prisma_finish(&mut self, id: &str) -> Result<(), ExecError> {
        let query = match self.dialect {
            Dialect::Postgres => {
                "UPDATE \"_prisma_migrations\" SET applied_steps_count = applied_steps_count + 1, finished_at = now(), logs = NULL WHERE id = $1"
            }
            Dialect::Mysql => {
                "UPDATE `_prisma_migrations` SET applied_steps_count = applied_steps_count + 1, finished_at = CURRENT_TIMESTAMP(3), logs = NULL WHERE id = ?"
            }
            Dialect::Sqlite => {
                "UPDATE \"_prisma_migrations\" SET applied_steps_count = applied_steps_count + 1, finished_at = strftime('%Y-%m-%d %H:%M:%f', 'now'), logs = NULL WHERE id = ?"
            }
        };
        on_conn!(self, c => sqlx::query(query).bind(id).execute(&mut *c).await.map(|_| ()).map_err(|e| exec_error(&e)))
    }

    /// Records the error of a failed migration; `finished_at` stays NULL.
    pub async fn prisma_fail(&mut self, id: &str, logs: &str) -> Result<(), ExecError> {
        let query = match self.dialect {
            Dialect::Postgres => "UPDATE \"_prisma_migrations\" SET logs = $1 WHERE id = $2",
            Dialect::Mysql => "UPDATE `_prisma_migrations` SET logs = ? WHERE id = ?",
            Dialect::Sqlite => "UPDATE \"_prisma_migrations\" SET logs = ? WHERE id = ?",
        };
        on_conn!(self, c => sqlx::query(query).bind(logs).bind(id).execute(&mut *c).await.map(|_| ()).map_err(|e| exec_error(&e)))
    }

    /// `migrate resolve --rolled-back`: the failed row is set aside.
    pub async fn prisma_mark_rolled_back(&mut self, id: &str) -> Result<(), ExecError> {
        let query = match self.dialect {
            Dialect::Postgres => {
                "UPDATE \"_prisma_migrations\" SET rolled_back_at = now() WHERE id = $1"
            }
            Dialect::Mysql => {
                "UPDATE `_prisma_migrations` SET rolled_back_at = CURRENT_TIMESTAMP(3) WHERE id = ?"
            }
            Dialect::Sqlite => {
                "UPDATE \"_prisma_migrations\" SET rolled_back_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = ?"
            }
        };
        on_conn!(self, c => sqlx::query(query).bind(id).execute(&mut *c).await.map(|_| ()).map_err(|e| exec_error(&e)))
    }

    /// `migrate resolve --applied` and baselining: a finished row with no steps run.
    pub async fn prisma_insert_applied(
        &mut self,
        id: &str,
        name: &str,
        checksum: &str,
    ) -> Result<(), ExecError> {
        let query = match self.dialect {
            Dialect::Postgres => {
                "INSERT INTO \"_prisma_migrations\" (id, checksum, started_at, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), now(), $3, 0)"
            }
            Dialect::Mysql => {
                "INSERT INTO `_prisma_migrations` (id, checksum, started_at, finished_at, migration_name, applied_steps_count) VALUES (?, ?, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), ?, 0)"
            }
            Dialect::Sqlite => {
                "INSERT INTO \"_prisma_migrations\" (id, checksum, started_at, finished_at, migration_name, applied_steps_count) VALUES (?, ?, strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'), ?, 0)"
            }
        };
        on_conn!(self, c => sqlx::query(query).bind(id).bind(checksum).bind(name).execute(&mut *c).await.map(|_| ()).map_err(|e| exec_error(&e)))
    }
}
