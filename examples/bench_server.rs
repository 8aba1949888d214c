//! A loopback HTTP/1.1 server for the health-check benchmark: `GET /delay/<ms>`
//! answers a guide-format healthy body after `<ms>` milliseconds, `GET /down`
//! answers 503. Prints its port on stdout, then serves until stdin closes.
//! Run: `cargo run --release --example bench_server`.
#![allow(clippy::print_stdout)]

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const HEALTHY: &str = r#"{"status":"healthy","checks":[{"name":"database","status":"healthy","timestamp":"2026-11-24T10:00:00Z"}]}"#;
const DOWN: &str = r#"{"status":"unhealthy","checks":[]}"#;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?.port());
    let serve = async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut reader = BufReader::new(read);
                loop {
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut line = String::new();
                    while reader.read_line(&mut line).await.unwrap_or(0) > 2 {
                        line.clear();
                    }
                    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
                    let (status, body) = if let Some(ms) = path.strip_prefix("/delay/") {
                        tokio::time::sleep(Duration::from_millis(ms.parse().unwrap_or(0))).await;
                        ("200 OK", HEALTHY)
                    } else {
                        ("503 Service Unavailable", DOWN)
                    };
                    let response = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if write.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    };
    // Stop when the benchmark closes our stdin.
    let stdin_closed = tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
    });
    tokio::select! {
        () = serve => {}
        _ = stdin_closed => {}
    }
    Ok(())
}
