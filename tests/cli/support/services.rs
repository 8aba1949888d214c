//! Fresh databases on the machine's real services, one per test, dropped after.
//! `SKILLSCTL_TEST_DATABASE_URL`, `SKILLSCTL_TEST_MYSQL_URL` and
//! `SKILLSCTL_TEST_REDIS_URL` point the harness elsewhere. An unreachable service
//! fails the test with the command that starts it: no silent skips.

use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::Connection;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

const POSTGRES_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const MYSQL_DEFAULT: &str = "mysql://root@127.0.0.1:3306/test";
const REDIS_DEFAULT: &str = "redis://127.0.0.1:6379/9";

fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Replaces the database (path) part of a URL.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_end..]
        .find('/')
        .map_or(base.len(), |i| authority_end + i);
    let mut out = format!("{}/{database}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A database created for one test on PostgreSQL.
pub struct PostgresDb {
    pub name: String,
    pub url: String,
    admin_url: String,
}

impl PostgresDb {
    pub fn create() -> Self {
        let admin_url = std::env::var("SKILLSCTL_TEST_DATABASE_URL")
            .unwrap_or_else(|_| POSTGRES_DEFAULT.to_owned());
        let name = unique_name("skillsctl_test");
        runtime().block_on(async {
            let mut conn = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL is not reachable at {admin_url} ({e}).\nStart it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\nor point SKILLSCTL_TEST_DATABASE_URL at a server that runs."
                )
            });
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).execute(&mut conn).await.expect("create test database");
        });
        PostgresDb {
            url: with_database(&admin_url, &name),
            name,
            admin_url,
        }
    }
}

impl PostgresDb {
    /// Runs SQL statements in the test database.
    pub fn execute(&self, sql: &str) {
        let (url, sql) = (self.url.clone(), sql.to_owned());
        runtime().block_on(async move {
            let mut conn = sqlx::PgConnection::connect(&url)
                .await
                .expect("connect to test database");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .expect("run SQL");
        });
    }
}

impl PostgresDb {
    /// Rows of a query whose columns are all cast to text (NULL becomes "NULL").
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        let (url, sql) = (self.url.clone(), sql.to_owned());
        runtime().block_on(async move {
            use sqlx::Row;
            let mut conn = sqlx::PgConnection::connect(&url)
                .await
                .expect("connect to test database");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut conn)
                .await
                .expect("query");
            rows.iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| {
                            row.try_get::<Option<String>, _>(i)
                                .expect("text column")
                                .unwrap_or_else(|| "NULL".into())
                        })
                        .collect()
                })
                .collect()
        })
    }
}

impl Drop for PostgresDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = runtime().block_on(async move {
            let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await?;
            Ok::<_, sqlx::Error>(())
        });
    }
}

/// A database created for one test on MariaDB/MySQL.
pub struct MysqlDb {
    pub name: String,
    pub url: String,
    admin_url: String,
}

impl MysqlDb {
    pub fn create() -> Self {
        let admin_url =
            std::env::var("SKILLSCTL_TEST_MYSQL_URL").unwrap_or_else(|_| MYSQL_DEFAULT.to_owned());
        let name = unique_name("skillsctl_test");
        runtime().block_on(async {
            let mut conn = sqlx::MySqlConnection::connect(&admin_url).await.unwrap_or_else(|e| {
                panic!(
                    "MariaDB/MySQL is not reachable at {admin_url} ({e}).\nStart it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd\nor point SKILLSCTL_TEST_MYSQL_URL at a server that runs."
                )
            });
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE `{name}`"))).execute(&mut conn).await.expect("create test database");
        });
        MysqlDb {
            url: with_database(&admin_url, &name),
            name,
            admin_url,
        }
    }
}

impl MysqlDb {
    /// Rows of a query whose columns are all cast to CHAR (NULL becomes "NULL").
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        let (url, sql) = (self.url.clone(), sql.to_owned());
        runtime().block_on(async move {
            use sqlx::Row;
            let mut conn = sqlx::MySqlConnection::connect(&url)
                .await
                .expect("connect to test database");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut conn)
                .await
                .expect("query");
            rows.iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| {
                            row.try_get::<Option<String>, _>(i)
                                .expect("text column")
                                .unwrap_or_else(|| "NULL".into())
                        })
                        .collect()
                })
                .collect()
        })
    }

    pub fn execute(&self, sql: &str) {
        let (url, sql) = (self.url.clone(), sql.to_owned());
        runtime().block_on(async move {
            let mut conn = sqlx::MySqlConnection::connect(&url)
                .await
                .expect("connect to test database");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .expect("run SQL");
        });
    }
}

impl Drop for MysqlDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = runtime().block_on(async move {
            let mut conn = sqlx::MySqlConnection::connect(&admin_url).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS `{name}`"
            )))
            .execute(&mut conn)
            .await?;
            Ok::<_, sqlx::Error>(())
        });
    }
}

/// A key prefix on Redis's dedicated test db index; its keys are deleted after.
pub struct RedisDb {
    pub url: String,
    pub prefix: String,
}

impl RedisDb {
    pub fn create() -> Self {
        let url =
            std::env::var("SKILLSCTL_TEST_REDIS_URL").unwrap_or_else(|_| REDIS_DEFAULT.to_owned());
        let prefix = format!("{}:", unique_name("skillsctl_test"));
        let db = RedisDb { url, prefix };
        let pong: String = db.query(&redis::cmd("PING"));
        assert_eq!(pong, "PONG");
        db
    }

    /// The test's name for `key`, inside its prefix.
    pub fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Runs one command on a fresh connection.
    pub fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> T {
        let url = self.url.clone();
        runtime().block_on(async move {
            let client = redis::Client::open(url.as_str()).expect("redis url");
            let mut conn = client.get_multiplexed_async_connection().await.unwrap_or_else(|e| {
                panic!(
                    "Redis is not reachable at {url} ({e}).\nStart it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log\nor point SKILLSCTL_TEST_REDIS_URL at a server that runs."
                )
            });
            cmd.query_async(&mut conn).await.expect("redis command")
        })
    }
}

impl Drop for RedisDb {
    fn drop(&mut self) {
        let keys: Vec<String> = self.query(redis::cmd("KEYS").arg(format!("{}*", self.prefix)));
        if !keys.is_empty() {
            let _: i64 = self.query(redis::cmd("DEL").arg(keys));
        }
    }
}
