//! The database layer: PostgreSQL, MySQL/MariaDB and SQLite through sqlx
//! (rustls). `health-check` pings through [`ping`]; `migrate` uses
//! [`MigrationDb`] for script execution, advisory locks and the sqlx and Prisma
//! ledgers, written exactly as those tools write them.
//!
//! This file: connections, dialects, errors, execution and transactions.
//! - [`locks`]: advisory locks and who holds them.
//! - [`ledgers`]: `_sqlx_migrations` and `_prisma_migrations`.

pub use ledgers::{PrismaRow, SqlxRow};
pub use locks::LockKey;

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

// After `on_conn!`: macros are in scope only below their definition.
mod ledgers;
mod locks;

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
                // PostgreSQL 14+: a statement of a client that died (kill -9,
                // a lost runner) is cancelled within a second instead of
                // running on; older servers ignore this.
                let _ = sqlx::query("SET client_connection_check_interval = '1s'")
                    .execute(&mut conn)
                    .await;
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
    /// PostgreSQL's INVALID indexes: what an interrupted `CREATE INDEX
    /// CONCURRENTLY` leaves behind (none elsewhere).
    pub async fn invalid_indexes(&mut self) -> Result<Vec<String>, DbError> {
        if self.dialect != Dialect::Postgres {
            return Ok(Vec::new());
        }
        let query = "SELECT (n.nspname || '.' || c.relname)::text FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid ORDER BY 1";
        on_conn!(self, c => sqlx::query_scalar(query).fetch_all(&mut *c).await.map_err(|e| DbError::Query(message(&e))))
    }

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
