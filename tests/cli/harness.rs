//! The harness itself talks to the real services and cleans up after itself.

use std::io::{Read, Write};

use crate::support::http::{Reply, TestServer};
use crate::support::{MysqlDb, PostgresDb, RedisDb};

#[test]
fn postgres_database_is_fresh_and_dropped() {
    let db = PostgresDb::create();
    let name = db.name.clone();
    assert!(db.url.ends_with(&format!("/{name}")), "{}", db.url);
    drop(db);
    let check = PostgresDb::create();
    assert_ne!(check.name, name, "each test gets its own database");
}

#[test]
fn mysql_database_is_fresh() {
    let db = MysqlDb::create();
    assert!(db.url.contains(&db.name));
}

#[test]
fn redis_keys_are_removed_after_the_test() {
    let key;
    {
        let db = RedisDb::create();
        key = db.key("probe");
        let _: () = db.query(redis::cmd("SET").arg(&key).arg("1"));
        let value: String = db.query(redis::cmd("GET").arg(&key));
        assert_eq!(value, "1");
    }
    let db = RedisDb::create();
    let exists: i64 = db.query(redis::cmd("EXISTS").arg(&key));
    assert_eq!(exists, 0);
}

#[test]
fn loopback_server_answers_http() {
    let server =
        TestServer::start(|req, _| Reply::json(200, &format!("{{\"path\":\"{}\"}}", req.path)));
    let addr = server.addr();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    assert!(text.ends_with("{\"path\":\"/x\"}"), "{text}");
    assert_eq!(server.hits(), 1);
}
