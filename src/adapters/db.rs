//! SQL connections: PostgreSQL and MySQL/MariaDB through sqlx (rustls). The
//! health check pings through here; migrations will connect through here too.

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

/// Connects, runs `SELECT 1`, reads the server version and, if asked, checks that
/// a table exists (`schema.table` or a table on the search path / current database).
pub async fn ping(
    kind: SqlKind,
    url: &str,
    expect_table: Option<&str>,
) -> Result<PingInfo, DbError> {
    crate::adapters::http::install_crypto_provider();
    match kind {
        SqlKind::Postgres => {
            let options = sqlx::postgres::PgConnectOptions::from_str(url)
                .map_err(|e| DbError::InvalidUrl(message(&e)))?;
            let mut conn = sqlx::PgConnection::connect_with(&options)
                .await
                .map_err(|e| DbError::Connect(message(&e)))?;
            let one: i32 = sqlx::query_scalar("SELECT 1")
                .fetch_one(&mut conn)
                .await
                .map_err(|e| DbError::Query(message(&e)))?;
            debug_assert_eq!(one, 1);
            let server_version: String = sqlx::query_scalar("SHOW server_version")
                .fetch_one(&mut conn)
                .await
                .map_err(|e| DbError::Query(message(&e)))?;
            if let Some(table) = expect_table {
                // Exact names, as Prisma quotes them ("Skill"), on the search path
                // unless a schema is given.
                let (schema, name) = table
                    .split_once('.')
                    .map_or((None, table), |(s, t)| (Some(s), t));
                let exists: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE tablename = $2 \
                     AND (schemaname = $1 OR ($1 IS NULL AND schemaname = ANY (current_schemas(false)))))",
                )
                .bind(schema)
                .bind(name)
                    .fetch_one(&mut conn)
                    .await
                    .map_err(|e| DbError::Query(message(&e)))?;
                if !exists {
                    return Err(DbError::MissingTable(table.to_owned()));
                }
            }
            let _ = conn.close().await;
            Ok(PingInfo { server_version })
        }
        SqlKind::Mysql => {
            let options = sqlx::mysql::MySqlConnectOptions::from_str(url)
                .map_err(|e| DbError::InvalidUrl(message(&e)))?;
            let mut conn = sqlx::MySqlConnection::connect_with(&options)
                .await
                .map_err(|e| DbError::Connect(message(&e)))?;
            let one: i64 = sqlx::query_scalar("SELECT 1")
                .fetch_one(&mut conn)
                .await
                .map_err(|e| DbError::Query(message(&e)))?;
            debug_assert_eq!(one, 1);
            let server_version: String = sqlx::query_scalar("SELECT VERSION()")
                .fetch_one(&mut conn)
                .await
                .map_err(|e| DbError::Query(message(&e)))?;
            if let Some(table) = expect_table {
                let (schema, name) = table
                    .split_once('.')
                    .map_or((None, table), |(s, t)| (Some(s), t));
                let count: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?",
                )
                .bind(schema)
                .bind(name)
                .fetch_one(&mut conn)
                .await
                .map_err(|e| DbError::Query(message(&e)))?;
                if count == 0 {
                    return Err(DbError::MissingTable(table.to_owned()));
                }
            }
            let _ = conn.close().await;
            Ok(PingInfo { server_version })
        }
    }
}
