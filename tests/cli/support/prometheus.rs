//! A real Prometheus of the test's own: counters written as OpenMetrics,
//! backfilled into a fresh TSDB with `promtool tsdb create-blocks-from
//! openmetrics`, served by `prometheus` on a free loopback port and stopped
//! by its pid when dropped.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Prometheus {
    child: Child,
    pub url: String,
}

/// `http_requests_total{route=…}` counters growing by `per_minute` each
/// minute for `minutes` minutes up to one minute ago, a sample every 15 s.
pub fn counters(routes: &[(&str, u64)], minutes: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let end = now - 60;
    let start = end - minutes * 60;
    let mut out =
        String::from("# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n");
    for (route, per_minute) in routes {
        for t in (start..=end).step_by(15) {
            let value = (t - start) * per_minute / 60;
            let _ = writeln!(out, "http_requests_total{{route=\"{route}\"}} {value} {t}");
        }
    }
    out.push_str("# EOF\n");
    out
}

impl Prometheus {
    /// Backfills `openmetrics` into `dir` and serves it.
    pub fn start(dir: &Path, openmetrics: &str) -> Self {
        let data = dir.join("prometheus-data");
        std::fs::create_dir_all(&data).unwrap();
        let input = dir.join("metrics.om");
        std::fs::write(&input, openmetrics).unwrap();
        let out = Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&input)
            .arg(&data)
            .output()
            .expect("promtool is installed (.ci/run installs prometheus)");
        assert!(
            out.status.success(),
            "promtool: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            "global:\n  scrape_interval: 1h\nscrape_configs: []\n",
        )
        .unwrap();
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus is installed (.ci/run installs it)");
        let prometheus = Prometheus {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        prometheus.wait_ready();
        prometheus
    }

    fn wait_ready(&self) {
        use std::io::{Read as _, Write as _};
        let deadline = Instant::now() + Duration::from_secs(30);
        let addr = self.url.trim_start_matches("http://").to_owned();
        while Instant::now() < deadline {
            if let Ok(mut stream) = std::net::TcpStream::connect(&addr) {
                let _ = stream.write_all(b"GET /-/ready HTTP/1.0\r\n\r\n");
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("prometheus at {} did not become ready", self.url);
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
