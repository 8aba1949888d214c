//! Advisory locks: PostgreSQL's `pg_advisory_lock`, MySQL's `GET_LOCK`; the
//! server releases them when the connection ends, so a killed runner never
//! holds one for long. SQLite has none.

use super::{Conn, DbError, MigrationDb, message};

/// The advisory lock a ledger uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockKey {
    Pg(i64),
    My(String),
    /// SQLite: none.
    None,
}

impl MigrationDb {
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
}
