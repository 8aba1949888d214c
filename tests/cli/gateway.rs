//! `update-gateway-config` on a copy of the sample's gateway file, and the
//! configs it renders run by real nginx and HAProxy processes of the test's
//! own (temp prefix, free ports) in front of two loopback upstreams.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::TestContext;
use crate::support::http::{Reply, TestServer};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An upstream that answers its name, and a healthy `/health`.
fn upstream(name: &'static str) -> TestServer {
    TestServer::start(move |req, _| {
        if req.path == "/health" {
            Reply::json(200, r#"{"status":"healthy","checks":[]}"#)
        } else {
            Reply::text(200, "text/plain", name)
        }
    })
}

/// The sample repo with the gateway's monolith at `monolith`, its render
/// targets inside the temp dir, and nginx/HAProxy on free ports.
fn repo(monolith: &str) -> (TestContext, u16, u16) {
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .build();
    let (nginx_port, haproxy_port) = (free_port(), free_port());
    let root = ctx.path("repo").display().to_string();
    let text = ctx
        .read("repo/gateway.toml")
        .replace("http://127.0.0.1:3000", monolith)
        .replace(
            "listen = \"8080\"",
            &format!("listen = \"127.0.0.1:{nginx_port}\""),
        )
        .replace(
            "/var/log/nginx/skillsctl.json.log",
            &format!("{root}/nginx-access.log"),
        )
        .replace("reload = \"nginx -s reload\"\n", "")
        .replace(
            "bind = \":8081\"",
            &format!("bind = \"127.0.0.1:{haproxy_port}\""),
        )
        .replace("/run/haproxy/admin.sock", &format!("{root}/haproxy.sock"));
    ctx.write("repo/gateway.toml", &text);
    for dir in [
        "deploy/nginx",
        "deploy/haproxy",
        "deploy/k8s",
        "packages/app/src/lib/gateway",
    ] {
        std::fs::create_dir_all(ctx.path("repo").join(dir)).unwrap();
    }
    (ctx, nginx_port, haproxy_port)
}

fn gateway_cmd(ctx: &TestContext, args: &[&str]) -> crate::support::Run {
    let mut all = vec!["update-gateway-config"];
    all.extend_from_slice(args);
    ctx.cmd(all).current_dir(ctx.path("repo"))
}

#[test]
fn a_change_keeps_comments_and_leaves_a_backup_and_a_history_line() {
    let service = upstream("ai");
    let (ctx, _, _) = repo("http://127.0.0.1:3000");
    let before = ctx.read("repo/gateway.toml");
    let out = gateway_cmd(
        &ctx,
        &[
            "--format",
            "json",
            "ai",
            "--external",
            &service.url(""),
            "--weight",
            "10",
        ],
    )
    .expect_code(0);
    let report = out.json();
    let after = ctx.read("repo/gateway.toml");
    for line in before.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(after.contains(line), "comment lost: {line}");
    }
    assert!(
        after.contains("mode = \"external\"") && after.contains("weight = 10"),
        "{after}"
    );
    assert_eq!(ctx.read("repo/gateway.toml.bak"), before);
    let history: Vec<serde_json::Value> = ctx
        .read("repo/gateway.history.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let weight = history.iter().find(|h| h["field"] == "weight").unwrap();
    // Internal routes carry no weight: it appears with the change.
    assert_eq!(
        (weight["old"].as_str(), weight["new"].as_str()),
        (None, Some("10"))
    );
    assert!(weight["time"].as_str().unwrap().ends_with('Z') && weight["user"].is_string());
    assert!(
        report["diff"].as_str().unwrap().contains("+weight = 10"),
        "{report}"
    );
    // The health check really ran against the service.
    assert!(service.hits() >= 1);
}

#[test]
fn refused_changes_leave_the_file_byte_identical() {
    let (ctx, _, _) = repo("http://127.0.0.1:3000");
    let before = std::fs::read(ctx.path("repo/gateway.toml")).unwrap();
    let dead = format!("http://127.0.0.1:{}", free_port());
    let cases: [(&[&str], i32, &str); 6] = [
        (&["ai", "--weight", "101"], 2, "101"),
        (&["ai", "--weight", "20"], 2, "`ai` is internal"),
        (
            &["payments", "--weight", "5"],
            2,
            "unknown service `payments`",
        ),
        (
            &["ai", "--external", "not a url"],
            2,
            "is not an http(s) URL",
        ),
        (&["ai", "--external", &dead], 1, "not healthy"),
        (
            &[
                "search",
                "--external",
                "http://127.0.0.1:9/",
                "--prefix",
                "/api/v1/skills",
            ],
            2,
            "routed two ways",
        ),
    ];
    for (args, code, message) in cases {
        let out = gateway_cmd(&ctx, args).expect_code(code);
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert_eq!(
            std::fs::read(ctx.path("repo/gateway.toml")).unwrap(),
            before,
            "{args:?}"
        );
        assert!(!ctx.path("repo/gateway.toml.bak").exists(), "{args:?}");
    }
    ctx.write(
        "repo/gateway.toml",
        "[monolith]\nurls = [\"http://x:1\"]\n[[route]]\nservice = \"ai\"\nprefix = \"api\"\n",
    );
    let out = gateway_cmd(&ctx, &["ai", "--internal"]).expect_code(2);
    assert!(
        out.stderr
            .contains("gateway.toml:5:10: `api` is not a path prefix"),
        "{}",
        out.stderr
    );
}

#[test]
fn render_writes_checked_configs_and_check_finds_drift() {
    let (ctx, _, _) = repo("http://127.0.0.1:3000");
    let out = gateway_cmd(&ctx, &["--render"]).expect_code(0);
    assert!(
        out.stdout.contains("CREATE deploy/nginx/skillsctl.conf"),
        "{}",
        out.stdout
    );
    for file in [
        "deploy/nginx/skillsctl.conf",
        "deploy/haproxy/haproxy.cfg",
        "deploy/k8s/httproute.yaml",
        "packages/app/src/lib/gateway/routes.json",
    ] {
        assert!(ctx.path("repo").join(file).is_file(), "{file}");
    }
    gateway_cmd(&ctx, &["--check"]).expect_code(0);
    ctx.write("repo/deploy/haproxy/haproxy.cfg", "# edited by hand\n");
    let out = gateway_cmd(&ctx, &["--check"]).expect_code(1);
    assert!(
        out.stdout.contains("drifted deploy/haproxy/haproxy.cfg"),
        "{}",
        out.stdout
    );
    std::fs::remove_file(ctx.path("repo/deploy/k8s/httproute.yaml")).unwrap();
    let report = gateway_cmd(&ctx, &["--format", "json", "--check"])
        .expect_code(1)
        .json();
    let states: Vec<&str> = report["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["up to date", "up to date", "drifted", "missing"]);
}

#[test]
fn a_config_the_gateway_rejects_or_a_missing_folder_writes_nothing() {
    let (ctx, _, _) = repo("http://127.0.0.1:3000");
    let text = ctx.read("repo/gateway.toml");
    ctx.write(
        "repo/gateway.toml",
        &text.replacen("listen = \"127.0.0.1:", "listen = \"nowhere:", 1),
    );
    let before = ctx.read("repo/gateway.toml");
    let out = gateway_cmd(&ctx, &["--render"]).expect_code(2);
    assert!(
        out.stderr.contains("nginx -t rejects the rendered config"),
        "{}",
        out.stderr
    );
    assert!(!ctx.path("repo/deploy/nginx/skillsctl.conf").exists());
    assert_eq!(ctx.read("repo/gateway.toml"), before);
    ctx.write("repo/gateway.toml", &text);
    std::fs::remove_dir_all(ctx.path("repo/deploy/k8s")).unwrap();
    let out = gateway_cmd(&ctx, &["--render"]).expect_code(2);
    assert!(
        out.stderr
            .contains("render target deploy/k8s/httproute.yaml: the folder"),
        "{}",
        out.stderr
    );
    assert!(!ctx.path("repo/deploy/nginx/skillsctl.conf").exists());
}

#[test]
fn a_failing_reload_puts_the_previous_config_back() {
    let service = upstream("ai");
    let (ctx, _, _) = repo("http://127.0.0.1:3000");
    let text = ctx.read("repo/gateway.toml").replace(
        "file = \"deploy/haproxy/haproxy.cfg\"",
        "file = \"deploy/haproxy/haproxy.cfg\"\nreload = \"echo reload broke >&2; exit 3\"",
    );
    ctx.write("repo/gateway.toml", &text);
    let out = gateway_cmd(
        &ctx,
        &[
            "ai",
            "--external",
            &service.url(""),
            "--weight",
            "10",
            "--render",
        ],
    )
    .expect_code(3);
    assert!(
        out.stderr.contains("reload broke") && out.stderr.contains("rolled back"),
        "{}",
        out.stderr
    );
    assert_eq!(ctx.read("repo/gateway.toml"), text);
    assert!(!ctx.path("repo/deploy/nginx/skillsctl.conf").exists());
}

/// `ai` external at `weight` on `service`, every target rendered.
fn make_external(ctx: &TestContext, service: &TestServer, weight: u8) {
    let weight = weight.to_string();
    let url = service.url("");
    let args = [
        "ai",
        "--external",
        url.trim_end_matches('/'),
        "--weight",
        &weight,
        "--render",
    ];
    gateway_cmd(ctx, &args).expect_code(0);
}

/// A gateway process of the test's own, killed when dropped.
struct Gateway(Child);

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn start_nginx(dir: &Path, include: &Path, port: u16) -> Gateway {
    let prefix = dir.display();
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!("pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\nevents {{}}\nhttp {{\n client_body_temp_path {prefix}/body;\n proxy_temp_path {prefix}/proxy;\n fastcgi_temp_path {prefix}/fastcgi;\n uwsgi_temp_path {prefix}/uwsgi;\n scgi_temp_path {prefix}/scgi;\n include {};\n}}\n", include.display()),
    )
    .unwrap();
    let child = Command::new("nginx")
        .args([
            "-p",
            &prefix.to_string(),
            "-c",
            &conf.display().to_string(),
            "-g",
            "daemon off;",
        ])
        .stdin(Stdio::null())
        .spawn()
        .expect("start nginx");
    wait_for_port(port);
    Gateway(child)
}

fn start_haproxy(config: &Path, port: u16) -> Gateway {
    let child = Command::new("haproxy")
        .args(["-db", "-f", &config.display().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start haproxy");
    wait_for_port(port);
    Gateway(child)
}

/// One GET through the gateway; the body names who answered.
fn get(port: u16, path: &str, header: Option<&str>) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_nodelay(true).unwrap();
    let extra = header.map(|h| format!("{h}\r\n")).unwrap_or_default();
    // One write: pieces sent apart wait for the peer's delayed ACK.
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n{extra}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    answer
        .rsplit("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Requests through each gateway at weight 10: about 10% reach the service,
/// the pin header always does, and a prefix matches whole segments only.
#[test]
fn real_nginx_and_haproxy_split_traffic_by_weight() {
    let monolith = upstream("monolith");
    let service = upstream("ai");
    let (ctx, nginx_port, haproxy_port) = repo(monolith.url("").trim_end_matches('/'));
    make_external(&ctx, &service, 10);
    let root = ctx.path("repo");
    let nginx_dir = tempfile::tempdir().unwrap();
    let _nginx = start_nginx(
        nginx_dir.path(),
        &root.join("deploy/nginx/skillsctl.conf"),
        nginx_port,
    );
    let _haproxy = start_haproxy(&root.join("deploy/haproxy/haproxy.cfg"), haproxy_port);
    for (name, port) in [("nginx", nginx_port), ("haproxy", haproxy_port)] {
        let to_service = (0..2000)
            .filter(|i| get(port, &format!("/api/v1/ai/recommend/{i}"), None) == "ai")
            .count();
        // 2,000 requests: the count is exact in an f64.
        #[allow(clippy::cast_precision_loss)]
        let percent = to_service as f64 / 20.0;
        assert!(
            (8.0..=12.0).contains(&percent),
            "{name}: {percent}% to the service"
        );
        for _ in 0..20 {
            assert_eq!(
                get(port, "/api/v1/ai/x", Some("X-Canary: 1")),
                "ai",
                "{name}: pinned"
            );
            assert_eq!(
                get(port, "/api/v1/aix", None),
                "monolith",
                "{name}: /api/v1/aix is not /api/v1/ai"
            );
            assert_eq!(get(port, "/api/v1/skills", None), "monolith", "{name}");
        }
    }
    // nginx logged every request as one JSON line with its route.
    let log = std::fs::read_to_string(root.join("nginx-access.log")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.iter().filter(|l| l["route"] == "ai").count(), 2020);
    assert!(lines.iter().all(|l| l["status"] == 200));
    assert_eq!(lines.iter().filter(|l| l["route"] == "skills").count(), 20);
}

/// The sample repo behind a running nginx of the test's own, `ai` external at
/// weight 0 on `service`, the reload command set to that nginx's.
struct Rig {
    ctx: TestContext,
    port: u16,
    _nginx: Gateway,
    _nginx_dir: tempfile::TempDir,
}

fn rig(monolith: &TestServer, service: &TestServer) -> Rig {
    let (ctx, port, _) = repo(monolith.url("").trim_end_matches('/'));
    make_external(&ctx, service, 0);
    let root = ctx.path("repo");
    let nginx_dir = tempfile::tempdir().unwrap();
    let nginx = start_nginx(
        nginx_dir.path(),
        &root.join("deploy/nginx/skillsctl.conf"),
        port,
    );
    let prefix = nginx_dir.path().display();
    let reload = format!("reload = \"nginx -p {prefix} -c {prefix}/nginx.conf -s reload\"\n");
    let text = ctx
        .read("repo/gateway.toml")
        .replace("[render.haproxy]", &format!("{reload}\n[render.haproxy]"));
    let text = text.replacen(
        "file = \"deploy/nginx/skillsctl.conf\"",
        &format!("file = \"deploy/nginx/skillsctl.conf\"\n{reload}"),
        1,
    );
    let text = text.replacen(
        &format!("{reload}\n[render.haproxy]"),
        "[render.haproxy]",
        1,
    );
    ctx.write("repo/gateway.toml", &text);
    Rig {
        ctx,
        port,
        _nginx: nginx,
        _nginx_dir: nginx_dir,
    }
}

fn weight_of(ctx: &TestContext) -> String {
    let text = ctx.read("repo/gateway.toml");
    let ai = &text[text.find("service = \"ai\"").unwrap()..];
    ai.lines()
        .find(|l| l.starts_with("weight"))
        .unwrap_or("none")
        .to_owned()
}

/// A client loop through the gateway until `stop`; answers by who served them.
fn client_loop(
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<(usize, usize, usize)> {
    std::thread::spawn(move || {
        let (mut ok, mut failed, mut to_service) = (0, 0, 0);
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            match std::panic::catch_unwind(|| get(port, "/api/v1/ai/recommend", None)) {
                Ok(body) => {
                    ok += 1;
                    to_service += usize::from(body == "ai");
                }
                Err(_) => failed += 1,
            }
        }
        (ok, failed, to_service)
    })
}

#[test]
fn a_rollout_to_a_healthy_service_reaches_100_with_no_failed_request() {
    let monolith = upstream("monolith");
    let service = upstream("ai");
    let rig = rig(&monolith, &service);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client = client_loop(rig.port, std::sync::Arc::clone(&stop));
    let out = gateway_like_rollout(
        &rig.ctx,
        &[
            "ai",
            "--steps",
            "25,50,100",
            "--pause",
            "400ms",
            "--check-every",
            "100ms",
            "--format",
            "json",
        ],
    )
    .expect_code(0);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (ok, failed, _) = client.join().unwrap();
    assert_eq!(
        failed,
        0,
        "{failed} failed requests during the switches (of {})",
        ok + failed
    );
    assert!(ok > 50, "the client loop ran: {ok}");
    let events: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let weights: Vec<u64> = events
        .iter()
        .map(|e| e["weight"].as_u64().unwrap())
        .collect();
    assert_eq!(weights, [25, 50, 100]);
    assert!(
        events.iter().all(|e| e["outcome"] == "passed"),
        "{}",
        out.stdout
    );
    assert!(
        events[2]["traffic"]["requests"].as_u64().unwrap() > 0,
        "the log was read: {}",
        out.stdout
    );
    assert_eq!(weight_of(&rig.ctx), "weight = 100");
    for _ in 0..20 {
        assert_eq!(get(rig.port, "/api/v1/ai/x", None), "ai");
    }
    assert!(
        !rig.ctx.path("repo/.skillsctl/rollout-ai.json").exists(),
        "state cleared"
    );
}

fn gateway_like_rollout(ctx: &TestContext, args: &[&str]) -> crate::support::Run {
    let mut all = vec!["rollout"];
    all.extend_from_slice(args);
    ctx.cmd(all).current_dir(ctx.path("repo"))
}

#[test]
fn a_service_that_starts_failing_is_rolled_back_and_the_monolith_serves() {
    let monolith = upstream("monolith");
    let (service, broken) = breakable_service();
    let rig = rig(&monolith, &service);
    let watcher = break_at_weight(rig.ctx.path("repo/gateway.toml"), 25, broken);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client = client_loop_any(rig.port, std::sync::Arc::clone(&stop));
    let out = gateway_like_rollout(
        &rig.ctx,
        &[
            "ai",
            "--steps",
            "10,25,50,100",
            "--pause",
            "600ms",
            "--check-every",
            "150ms",
            "--format",
            "json",
        ],
    )
    .expect_code(1);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    client.join().unwrap();
    watcher.join().unwrap();
    let events: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = events.last().unwrap();
    assert_eq!(
        (last["weight"].as_u64(), last["outcome"].as_str()),
        (Some(25), Some("rolled back")),
        "{}",
        out.stdout
    );
    let reason = last["reason"].as_str().unwrap();
    assert!(
        reason.contains("errors < 1%") && reason.contains("back to 0%"),
        "{reason}"
    );
    assert_eq!(weight_of(&rig.ctx), "weight = 0");
    // `nginx -s reload` only signals the master: give the new workers a moment.
    let deadline = Instant::now() + Duration::from_secs(3);
    while raw_status(rig.port) != 200 {
        assert!(
            Instant::now() < deadline,
            "the gateway still sends traffic to the broken service"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..50 {
        assert_eq!(get(rig.port, "/api/v1/ai/x", None), "monolith");
    }
}

/// A service whose answers (not its health) turn to 500 once the flag is set.
fn breakable_service() -> (TestServer, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let broken = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&broken);
    let service = TestServer::start(move |req, _| {
        if req.path == "/health" {
            Reply::json(200, r#"{"status":"healthy","checks":[]}"#)
        } else if flag.load(std::sync::atomic::Ordering::SeqCst) {
            Reply::json(500, r#"{"error":"boom"}"#)
        } else {
            Reply::text(200, "text/plain", "ai")
        }
    });
    (service, broken)
}

/// Sets `flag` once the gateway file gives the service `weight`.
fn break_at_weight(
    gateway_file: std::path::PathBuf,
    weight: u8,
    flag: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<()> {
    let line = format!("weight = {weight}");
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if std::fs::read_to_string(&gateway_file).is_ok_and(|t| t.contains(&line)) {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    })
}

/// The status of one request through the gateway.
fn raw_status(port: u16) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(b"GET /api/v1/ai/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Like [`client_loop`], but any status counts (a broken service answers 500).
fn client_loop_any(
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = stream.write_all(
                    b"GET /api/v1/ai/recommend HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                );
                let mut sink = Vec::new();
                let _ = stream.read_to_end(&mut sink);
            }
        }
    })
}

#[test]
fn kill_9_mid_step_then_abort_returns_to_the_last_good_weight_and_the_lock_frees() {
    let monolith = upstream("monolith");
    let service = upstream("ai");
    let rig = rig(&monolith, &service);
    let mut run = std::process::Command::new(env!("CARGO_BIN_EXE_skillsctl"));
    run.current_dir(rig.ctx.path("repo"))
        .args([
            "rollout",
            "ai",
            "--steps",
            "10,50,100",
            "--pause",
            "1500ms",
            "--check-every",
            "200ms",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = run.spawn().unwrap();
    // Wait until step 2 has set its weight, then kill it in its pause.
    let deadline = Instant::now() + Duration::from_secs(20);
    while weight_of(&rig.ctx) != "weight = 50" {
        assert!(
            Instant::now() < deadline,
            "step 2 never began: {}",
            weight_of(&rig.ctx)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // While it runs, a second rollout of the service is refused.
    let out = gateway_like_rollout(&rig.ctx, &["ai", "--resume"]).expect_code(2);
    assert!(
        out.stderr.contains("a rollout of `ai` is running"),
        "{}",
        out.stderr
    );
    child.kill().unwrap();
    child.wait().unwrap();
    // A plain run now says what to do with the interrupted one.
    let out = gateway_like_rollout(&rig.ctx, &["ai"]).expect_code(2);
    assert!(
        out.stderr.contains("stopped at step 2 (weight 50%)") && out.stderr.contains("--abort"),
        "{}",
        out.stderr
    );
    let out = gateway_like_rollout(&rig.ctx, &["ai", "--abort"]).expect_code(0);
    assert!(out.stdout.contains("aborted"), "{}", out.stdout);
    assert_eq!(weight_of(&rig.ctx), "weight = 10");
    assert!(!rig.ctx.path("repo/.skillsctl/rollout-ai.json").exists());
    let nginx = rig.ctx.read("repo/deploy/nginx/skillsctl.conf");
    assert!(nginx.contains("    10% skillsctl_svc_ai;"), "{nginx}");
    // No stray temp file was left by the kill.
    let stray: Vec<_> = std::fs::read_dir(rig.ctx.path("repo"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".skillsctl-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

/// One command on HAProxy's admin socket, and its answer.
fn haproxy_socket(socket: &Path, command: &str) -> String {
    let mut stream = std::os::unix::net::UnixStream::connect(socket).unwrap();
    stream.write_all(format!("{command}\n").as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// The sample repo with the service external at weight 0, and HAProxy of the
/// test's own running its rendered config, with its admin socket open.
fn haproxy_rig(
    monolith: &TestServer,
    service: &TestServer,
) -> (TestContext, u16, Gateway, std::path::PathBuf) {
    let (ctx, _, haproxy_port) = repo(monolith.url("").trim_end_matches('/'));
    make_external(&ctx, service, 0);
    let root = ctx.path("repo");
    let haproxy = start_haproxy(&root.join("deploy/haproxy/haproxy.cfg"), haproxy_port);
    let socket = root.join("haproxy.sock");
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(
            Instant::now() < deadline,
            "HAProxy's admin socket never opened"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (ctx, haproxy_port, haproxy, socket)
}

#[test]
fn rollout_sets_haproxy_weights_on_its_admin_socket_without_a_reload() {
    let monolith = upstream("monolith");
    let service = upstream("ai");
    let (ctx, haproxy_port, haproxy, socket) = haproxy_rig(&monolith, &service);
    assert_eq!(
        haproxy_socket(&socket, "get weight route_ai/ai1").trim(),
        "0 (initial 0)"
    );
    let out = gateway_like_rollout(
        &ctx,
        &[
            "ai",
            "--steps",
            "20",
            "--pause",
            "200ms",
            "--check-every",
            "100ms",
            "--haproxy-runtime",
        ],
    )
    .expect_code(0);
    assert!(out.stdout.contains("passed"), "{}", out.stdout);
    // The running HAProxy has the new weights; its config file was not rendered again.
    assert_eq!(
        haproxy_socket(&socket, "get weight route_ai/ai1").trim(),
        "20 (initial 0)"
    );
    assert_eq!(
        haproxy_socket(&socket, "get weight route_ai/monolith1").trim(),
        "80 (initial 100)"
    );
    assert_eq!(weight_of(&ctx), "weight = 20");
    let to_service = (0..500)
        .filter(|_| get(haproxy_port, "/api/v1/ai/x", None) == "ai")
        .count();
    // Weighted round robin: 20% to within where the cursor started.
    assert!(
        (98..=102).contains(&to_service),
        "{to_service} of 500 to the service"
    );
    drop(haproxy);
}

/// Gated by HAProxy's own counters: the service breaks at 25%, `show stat`
/// sees its 5xx answers, and the running HAProxy goes back to weight 0.
#[test]
fn a_rollout_on_haproxy_runtime_is_judged_on_haproxy_stats_and_rolled_back() {
    let monolith = upstream("monolith");
    let (service, broken) = breakable_service();
    let (ctx, port, haproxy, socket) = haproxy_rig(&monolith, &service);
    let watcher = break_at_weight(ctx.path("repo/gateway.toml"), 25, broken);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client = client_loop_any(port, std::sync::Arc::clone(&stop));
    let out = gateway_like_rollout(
        &ctx,
        &[
            "ai",
            "--steps",
            "10,25,50",
            "--pause",
            "600ms",
            "--check-every",
            "150ms",
            "--haproxy-runtime",
            "--format",
            "json",
        ],
    )
    .expect_code(1);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    client.join().unwrap();
    watcher.join().unwrap();
    let events: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let first = &events[0];
    assert_eq!(first["outcome"], "passed", "{}", out.stdout);
    assert_eq!(first["traffic"]["source"], "haproxy_stats");
    assert!(
        first["traffic"]["requests"].as_u64().unwrap() > 0,
        "{first}"
    );
    assert_eq!(first["traffic"]["errors"], 0, "{first}");
    let last = events.last().unwrap();
    assert_eq!(
        (last["weight"].as_u64(), last["outcome"].as_str()),
        (Some(25), Some("rolled back")),
        "{}",
        out.stdout
    );
    assert!(last["traffic"]["errors"].as_u64().unwrap() > 0, "{last}");
    let reason = last["reason"].as_str().unwrap();
    assert!(
        reason.contains("errors < 1%") && reason.contains("back to 0%"),
        "{reason}"
    );
    assert_eq!(
        haproxy_socket(&socket, "get weight route_ai/ai1").trim(),
        "0 (initial 0)"
    );
    for _ in 0..50 {
        assert_eq!(get(port, "/api/v1/ai/x", None), "monolith");
    }
    drop(haproxy);
}
