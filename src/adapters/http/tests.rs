//! The client against a real HTTP/1.1 server on loopback: each test's server
//! answers canned responses in order and hands back the raw requests it read.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use super::*;

/// A raw request as the server read it.
struct Seen {
    head: String,
    body: String,
}

/// Serves `replies` (each a full HTTP response, or `None` to stall past any
/// timeout) one connection at a time and returns the base URL.
fn serve(replies: Vec<Option<String>>) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for reply in replies {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = tx.send(Seen {
                head,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
            let mut stream = stream;
            match reply {
                Some(reply) => {
                    let _ = stream.write_all(reply.as_bytes());
                }
                None => std::thread::sleep(Duration::from_millis(800)),
            }
        }
    });
    (url, rx)
}

#[allow(clippy::unnecessary_wraps)] // a reply slot: `None` stalls
fn ok(extra: &str, body: &str) -> Option<String> {
    Some(format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    ))
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    crate::runtime::current_thread().unwrap().block_on(future)
}

#[test]
fn sends_method_query_json_body_and_bearer_token() {
    let (url, seen) = serve(vec![ok("X-Total-Count: 2\r\n", r#"{"ok":true}"#)]);
    let mut request = Request::new("POST", format!("{url}/api/v1/skills?page=1"));
    request.query.push(("search".into(), "rust & go".into()));
    request.body = Body::Json(serde_json::json!({"name": "Rust"}));
    request.auth = Some(Auth::Bearer("tok".into()));
    let client = HttpClient::new(&ClientOptions::default()).unwrap();
    let response = run(client.send(&request)).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-total-count"), Some("2"));
    assert_eq!(response.body, br#"{"ok":true}"#);
    let seen = seen.recv().unwrap();
    assert!(
        seen.head
            .starts_with("POST /api/v1/skills?page=1&search=rust+%26+go HTTP/1.1"),
        "{}",
        seen.head
    );
    let head = seen.head.to_ascii_lowercase();
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(head.contains("authorization: bearer tok"), "{head}");
    assert_eq!(seen.body, r#"{"name":"Rust"}"#);
}

#[test]
fn sends_a_form_with_basic_auth() {
    let (url, seen) = serve(vec![ok("", "")]);
    let mut request = Request::new("PUT", url);
    request.body = Body::Form(vec![("a".into(), "1 2".into()), ("b".into(), "é".into())]);
    request.auth = Some(Auth::Basic {
        user: "ann".into(),
        password: Some("pw".into()),
    });
    let client = HttpClient::new(&ClientOptions::default()).unwrap();
    run(client.send(&request)).unwrap();
    let seen = seen.recv().unwrap();
    let head = seen.head.to_ascii_lowercase();
    assert!(head.starts_with("put / http/1.1"), "{head}");
    assert!(head.contains("content-type: application/x-www-form-urlencoded"));
    // base64("ann:pw")
    assert!(head.contains("authorization: basic yw5uonb3"), "{head}");
    assert_eq!(seen.body, "a=1+2&b=%C3%A9");
}

#[test]
fn a_slow_answer_is_a_timeout_not_other() {
    let (url, _seen) = serve(vec![None]);
    let client = HttpClient::new(&ClientOptions::default()).unwrap();
    let request = Request::get(url).timeout(Duration::from_millis(150));
    let err = run(client.send(&request)).unwrap_err();
    assert!(
        matches!(err, HttpError::Timeout(d) if d == Duration::from_millis(150)),
        "{err:?}"
    );
}

#[test]
fn redirects_are_followed_or_returned_per_request() {
    let redirect = |to: &str| {
        Some(format!(
            "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ))
    };
    let (url, _seen) = serve(vec![redirect("/next"), ok("", "here"), redirect("/next")]);
    let client = HttpClient::new(&ClientOptions::default()).unwrap();
    let followed = run(client.send(&Request::get(format!("{url}/start")))).unwrap();
    assert_eq!(
        (followed.status, followed.body.as_slice()),
        (200, &b"here"[..])
    );
    let mut request = Request::get(format!("{url}/start"));
    request.redirects = Redirects::Stop;
    let stopped = run(client.send(&request)).unwrap();
    assert_eq!(stopped.status, 302);
    assert_eq!(stopped.header("location"), Some("/next"));
}

#[test]
fn a_cookie_jar_sends_back_what_the_server_set() {
    let (url, seen) = serve(vec![
        ok("Set-Cookie: session=abc; Path=/\r\n", ""),
        ok("", ""),
    ]);
    let client = HttpClient::with_cookie_jar(&ClientOptions::default()).unwrap();
    assert!(client.has_cookie_jar());
    run(client.send(&Request::get(format!("{url}/login")))).unwrap();
    run(client.send(&Request::get(format!("{url}/me")))).unwrap();
    let _login = seen.recv().unwrap();
    let me = seen.recv().unwrap();
    assert!(
        me.head.to_ascii_lowercase().contains("cookie: session=abc"),
        "{}",
        me.head
    );
}

#[test]
fn bodies_are_cut_at_the_cap() {
    let (url, _seen) = serve(vec![ok("", &"x".repeat(5000))]);
    let client = HttpClient::new(&ClientOptions::default()).unwrap();
    let response = run(client.send(&Request::get(url).body_cap(100))).unwrap();
    assert!(response.truncated);
    assert_eq!(response.body.len(), 100);
}

#[test]
fn a_bad_method_or_url_is_refused_before_sending() {
    let client = HttpClient::new(&ClientOptions::default()).unwrap();
    let err = run(client.send(&Request::new("GE T", "http://127.0.0.1:1/"))).unwrap_err();
    assert!(matches!(err, HttpError::BadRequest(_)), "{err:?}");
    let err = run(client.send(&Request::get("http://user:pw@[::1"))).unwrap_err();
    assert!(!err.to_string().contains("pw"), "{err}");
}

#[test]
fn the_pool_shares_one_client_per_tls_setting() {
    let pool = ClientPool::new();
    let plain = ClientOptions::default();
    let insecure = ClientOptions {
        insecure: true,
        ..ClientOptions::default()
    };
    pool.get(&plain).unwrap();
    pool.get(&plain).unwrap();
    pool.get(&insecure).unwrap();
    assert_eq!(pool.len(), 2);
    let missing = ClientOptions {
        ca_cert: Some("/nonexistent/ca.pem".into()),
        ..ClientOptions::default()
    };
    let err = pool.get(&missing).unwrap_err();
    assert!(matches!(err, HttpError::ReadFile { .. }));
    assert_eq!(pool.len(), 2, "a failed build is not kept");
}
