//! The database layer: PostgreSQL, MySQL/MariaDB and SQLite through sqlx
//! (rustls). `health-check` pings through [`ping`]; `migrate` uses
//! [`MigrationDb`] for advisory locks, script execution and the sqlx and Prisma
//! ledgers, written exactly as those tools write them.

use std::str::FromStr;

use sqlx::Connection;

/// Which SQL server a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlKind {
    Postgres,
    Mysql,
}

/// What a successful ping learned.
#[derive(Debug, Clone)]
pub struct PingInfo {
    pub server_version: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    #[error("{0}")]
    Connect(String),
    #[error("query failed: {0}")]
    Query(String),
    #[error("table `{0}` does not exist")]
    MissingTable(String),
}

fn message(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// One ping on one kind of connection: the same steps, the SQL each server speaks.
macro_rules! ping_on {
    ($options:ty, $connection:ty, $url:expr, $expect_table:expr, $version_sql:expr, $table_sql:expr) => {{
        let query_error = |e: sqlx::Error| DbError::Query(message(&e));
        let options = <$options>::from_str($url).map_err(|e| DbError::InvalidUrl(message(&e)))?;
        let mut conn = <$connection>::connect_with(&options)
            .await
            .map_err(|e| DbError::Connect(message(&e)))?;
        sqlx::query("SELECT 1")
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        let server_version: String = sqlx::query_scalar($version_sql)
            .fetch_one(&mut conn)
            .await
            .map_err(query_error)?;
        if let Some(table) = $expect_table {
            let (schema, name) = table
                .split_once('.')
                .map_or((None, table), |(s, t)| (Some(s), t));
            let count: i64 = sqlx::query_scalar($table_sql)
                .bind(schema)
                .bind(name)
                .fetch_one(&mut conn)
                .await
                .map_err(query_error)?;
            if count == 0 {
                return Err(DbError::MissingTable(table.to_owned()));
            }
        }
        let _ = conn.close().await;
        Ok(PingInfo { server_version })
    }};
}

/// Connects, runs `SELECT 1`, reads the server version and, if asked, checks that
/// a table exists: `schema.table`, or by its exact name (as Prisma quotes it,
/// `"Skill"`) on the search path / in the current database.
pub async fn ping(
    kind: SqlKind,
    url: &str,
    expect_table: Option<&str>,
) -> Result<PingInfo, DbError> {
    crate::adapters::http::install_crypto_provider();
    match kind {
        SqlKind::Postgres => ping_on!(
            sqlx::postgres::PgConnectOptions,
            sqlx::PgConnection,
            url,
            expect_table,
            "SHOW server_version",
            "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = $2 \
             AND (schemaname = $1 OR ($1 IS NULL AND schemaname = ANY (current_schemas(false))))"
        ),
        SqlKind::Mysql => ping_on!(
            sqlx::mysql::MySqlConnectOptions,
            sqlx::MySqlConnection,
            url,
            expect_table,
            "SELECT VERSION()",
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?"
        ),
    }
}

/// The dialect of a migration connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Mysql,
    Sqlite,
}

impl Dialect {
    /// From a URL scheme; `None` for anything else.
    #[must_use]
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split(':').next().unwrap_or("");
        match scheme {
            "postgres" | "postgresql" => Some(Dialect::Postgres),
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            "sqlite" => Some(Dialect::Sqlite),
            _ => None,
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL",
            Dialect::Sqlite => "SQLite",
        }
    }
}

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

/// A failed statement: the database's message and, when the server says, the
/// 1-based character position in the text that was sent.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ExecError {
    pub message: String,
    pub position: Option<usize>,
    /// The SQLSTATE, when the server sent one.
    pub code: Option<String>,
}

fn exec_error(err: &sqlx::Error) -> ExecError {
    if let sqlx::Error::Database(db) = err {
        let position = db
            .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .and_then(|pg| match pg.position() {
                Some(sqlx::postgres::PgErrorPosition::Original(p)) => Some(p),
                _ => None,
            });
        let code = db.code().map(std::borrow::Cow::into_owned);
        return ExecError {
            message: format!(
                "{}{}",
                db.message(),
                code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
            ),
            position,
            code,
        };
    }
    ExecError {
        message: message(err),
        position: None,
        code: None,
    }
}

enum Conn {
    Pg(sqlx::PgConnection),
    My(sqlx::MySqlConnection),
    Lite(sqlx::SqliteConnection),
}

/// One connection used by `migrate`: locks, ledgers and script execution.
pub struct MigrationDb {
    conn: Conn,
    pub dialect: Dialect,
    /// `current_database()` / `DATABASE()` / the SQLite file name.
    pub database_name: String,
}

/// Runs one statement on whichever connection, binding nothing.
macro_rules! on_conn {
    ($self:ident, $c:ident => $body:expr) => {
        match &mut $self.conn {
            Conn::Pg($c) => $body,
            Conn::My($c) => $body,
            Conn::Lite($c) => $body,
        }
    };
}

impl MigrationDb {
    /// Connects; `application_name` identifies this process to others waiting on the lock.
    pub async fn connect(url: &str, application_name: &str) -> Result<Self, DbError> {
        crate::adapters::http::install_crypto_provider();
        let dialect = Dialect::of_url(url).ok_or_else(|| {
            DbError::InvalidUrl("expected postgres://, mysql:// or sqlite://".into())
        })?;
        match dialect {
            Dialect::Postgres => {
                // Prisma's `?schema=` names the schema its tables live in.
                let schema = url::Url::parse(url).ok().and_then(|u| {
                    u.query_pairs()
                        .find(|(k, _)| k == "schema")
                        .map(|(_, v)| v.into_owned())
                });
                let mut options = sqlx::postgres::PgConnectOptions::from_str(url)
                    .map_err(|e| DbError::InvalidUrl(message(&e)))?
                    .application_name(application_name);
                if let Some(schema) = schema {
                    options = options.options([("search_path", schema)]);
                }
                let mut conn = sqlx::PgConnection::connect_with(&options)
                    .await
                    .map_err(|e| DbError::Connect(message(&e)))?;
                let name: String = sqlx::query_scalar("SELECT current_database()")
                    .fetch_one(&mut conn)
                    .await
                    .map_err(|e| DbError::Query(message(&e)))?;
                Ok(MigrationDb {
                    conn: Conn::Pg(conn),
                    dialect,
                    database_name: name,
                })
            }
            Dialect::Mysql => {
                let url = if let Some(rest) = url.strip_prefix("mariadb") {
                    format!("mysql{rest}")
                } else {
                    url.to_owned()
                };
                let options = sqlx::mysql::MySqlConnectOptions::from_str(&url)
                    .map_err(|e| DbError::InvalidUrl(message(&e)))?
                    .timezone(Some("+00:00".to_owned()));
                let mut conn = sqlx::MySqlConnection::connect_with(&options)
                    .await
                    .map_err(|e| DbError::Connect(message(&e)))?;
                let name: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
                    .fetch_one(&mut conn)
                    .await
                    .map_err(|e| DbError::Query(message(&e)))?;
                let name = name
                    .ok_or_else(|| DbError::InvalidUrl("the MySQL URL names no database".into()))?;
                Ok(MigrationDb {
                    conn: Conn::My(conn),
                    dialect,
                    database_name: name,
                })
            }
            Dialect::Sqlite => {
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                    .map_err(|e| DbError::InvalidUrl(message(&e)))?
                    .create_if_missing(true)
                    .busy_timeout(std::time::Duration::from_secs(30));
                let name = options.get_filename().display().to_string();
                let conn = sqlx::SqliteConnection::connect_with(&options)
                    .await
                    .map_err(|e| DbError::Connect(message(&e)))?;
                Ok(MigrationDb {
                    conn: Conn::Lite(conn),
                    dialect,
                    database_name: name,
                })
            }
        }
    }

    /// Runs a script as one unit (PostgreSQL: simple query protocol, many statements).
    pub async fn execute(&mut self, sql: &str) -> Result<(), ExecError> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        on_conn!(self, c => sqlx::raw_sql(sql).execute(&mut *c).await.map(|_| ()).map_err(|e| exec_error(&e)))
    }

    pub async fn begin(&mut self) -> Result<(), ExecError> {
        let sql = if self.dialect == Dialect::Sqlite {
            "BEGIN IMMEDIATE"
        } else {
            "BEGIN"
        };
        self.execute(sql).await
    }

    pub async fn commit(&mut self) -> Result<(), ExecError> {
        self.execute("COMMIT").await
    }

    pub async fn rollback(&mut self) {
        let _ = self.execute("ROLLBACK").await;
    }

    /// Tries to take the named advisory lock without waiting. SQLite has none:
    /// its write transactions serialise, so this always succeeds there.
    pub async fn try_lock(&mut self, lock: &LockKey) -> Result<bool, DbError> {
        match (&mut self.conn, lock) {
            (Conn::Pg(c), LockKey::Pg(id)) => sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(*id)
                .fetch_one(c)
                .await
                .map_err(|e| DbError::Query(message(&e))),
            (Conn::My(c), LockKey::My(name)) => {
                let got: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, 0)")
                    .bind(name)
                    .fetch_one(c)
                    .await
                    .map_err(|e| DbError::Query(message(&e)))?;
                Ok(got == Some(1))
            }
            _ => Ok(true),
        }
    }

    pub async fn unlock(&mut self, lock: &LockKey) {
        let _ = match (&mut self.conn, lock) {
            (Conn::Pg(c), LockKey::Pg(id)) => sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(*id)
                .execute(c)
                .await
                .map(|_| ()),
            (Conn::My(c), LockKey::My(name)) => sqlx::query("SELECT RELEASE_LOCK(?)")
                .bind(name)
                .execute(c)
                .await
                .map(|_| ()),
            _ => Ok(()),
        };
    }

    /// Who holds the lock, in words, if the server can tell.
    pub async fn lock_holder(&mut self, lock: &LockKey) -> Option<String> {
        match (&mut self.conn, lock) {
            (Conn::Pg(c), LockKey::Pg(id)) => {
                let row: Option<(i32, String, Option<String>)> = sqlx::query_as(
                    "SELECT a.pid, COALESCE(a.application_name, ''), host(a.client_addr) FROM pg_locks l \
                     JOIN pg_stat_activity a ON a.pid = l.pid \
                     WHERE l.locktype = 'advisory' AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = $1 LIMIT 1",
                )
                .bind(*id)
                .fetch_optional(c)
                .await
                .ok()
                .flatten();
                row.map(|(pid, app, addr)| {
                    let app = if app.is_empty() {
                        String::new()
                    } else {
                        format!(" ({app})")
                    };
                    format!(
                        "backend pid {pid}{app}{}",
                        addr.map(|a| format!(" from {a}")).unwrap_or_default()
                    )
                })
            }
            (Conn::My(c), LockKey::My(name)) => {
                let id: Option<i64> = sqlx::query_scalar("SELECT IS_USED_LOCK(?)")
                    .bind(name)
                    .fetch_one(c)
                    .await
                    .ok()
                    .flatten();
                id.map(|id| format!("connection {id}"))
            }
            _ => None,
        }
    }

    /// Whether a table exists in the connected database.
    pub async fn table_exists(&mut self, table: &str) -> Result<bool, DbError> {
        let query = match self.dialect {
            Dialect::Postgres => {
                "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = $1 AND schemaname = ANY (current_schemas(false))"
            }
            Dialect::Mysql => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
            }
            Dialect::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
            }
        };
        let count: i64 = on_conn!(self, c => sqlx::query_scalar(query).bind(table).fetch_one(&mut *c).await.map_err(|e| DbError::Query(message(&e)))?);
        Ok(count > 0)
    }

    /// User tables other than the ledgers (Prisma refuses a non-empty database
    /// without its ledger until it is baselined).
    pub async fn user_tables(&mut self) -> Result<Vec<String>, DbError> {
        let query = match self.dialect {
            Dialect::Postgres => {
                "SELECT tablename::text FROM pg_catalog.pg_tables WHERE schemaname = ANY (current_schemas(false)) ORDER BY 1"
            }
            Dialect::Mysql => {
                "SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
            }
            Dialect::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
            }
        };
        let tables: Vec<String> = on_conn!(self, c => sqlx::query_scalar(query).fetch_all(&mut *c).await.map_err(|e| DbError::Query(message(&e)))?);
        Ok(tables
            .into_iter()
            .filter(|t| t != "_sqlx_migrations" && t != "_prisma_migrations")
            .collect())
    }
}

/// The advisory lock a ledger uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockKey {
    Pg(i64),
    My(String),
    /// SQLite: none.
    None,
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

    /// Prisma's last step: one more applied step, finished now.
    pub async fn prisma_finish(&mut self, id: &str) -> Result<(), ExecError> {
        let query = match self.dialect {
            Dialect::Postgres => {
                "UPDATE \"_prisma_migrations\" SET applied_steps_count = applied_steps_count + 1, finished_at = now() WHERE id = $1"
            }
            Dialect::Mysql => {
                "UPDATE `_prisma_migrations` SET applied_steps_count = applied_steps_count + 1, finished_at = CURRENT_TIMESTAMP(3) WHERE id = ?"
            }
            Dialect::Sqlite => {
                "UPDATE \"_prisma_migrations\" SET applied_steps_count = applied_steps_count + 1, finished_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = ?"
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
