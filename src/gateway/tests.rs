//! The gateway model on the sample's gateway file: parsing and its located
//! errors, edits that keep comments, and every renderer against golden files.

use super::edit::{self, Change};
use super::*;

const SAMPLE: &str = include_str!("../../fixtures/skills-monorepo/gateway.toml");

fn no_env(_: &str) -> Option<String> {
    None
}

fn load(text: &str) -> Result<Gateway, crate::config::reader::LocatedError> {
    parse(text, "gateway.toml", &no_env)
}

/// The sample with `ai` external at 10% on one loopback service.
fn ai_at_ten() -> String {
    let (text, _) = edit::apply(
        SAMPLE,
        "ai",
        &[
            Change::External(vec!["http://127.0.0.1:4001".into()]),
            Change::Weight(10),
        ],
    )
    .unwrap();
    text
}

#[test]
fn the_sample_loads() {
    let gateway = load(SAMPLE).unwrap();
    assert_eq!(gateway.monolith, ["http://127.0.0.1:3000"]);
    assert_eq!(gateway.routes.len(), 6);
    let ai = gateway.route("ai").unwrap();
    assert_eq!(
        (ai.mode, ai.weight, ai.prefix.as_str()),
        (Mode::Internal, 0, "/api/v1/ai")
    );
    assert_eq!(ai.pin.as_ref().unwrap().header, "X-Canary");
    assert_eq!(ai.timeout, Some(std::time::Duration::from_secs(25)));
    assert!(gateway.render.nginx.is_some() && gateway.render.haproxy.is_some());
}

#[test]
fn edits_keep_comments_and_change_only_what_they_say() {
    let text = ai_at_ten();
    for line in SAMPLE.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(text.contains(line), "comment lost: {line}");
    }
    assert!(
        text.contains("timeout = \"25s\"   # model calls are slow"),
        "{text}"
    );
    let gateway = load(&text).unwrap();
    let ai = gateway.route("ai").unwrap();
    assert_eq!((ai.mode, ai.weight), (Mode::External, 10));
    assert_eq!(ai.urls, ["http://127.0.0.1:4001"]);
    // Everything else is as it was, line for line.
    let changed: Vec<&str> = text
        .lines()
        .filter(|l| !SAMPLE.lines().any(|s| s == *l))
        .collect();
    assert_eq!(
        changed,
        [
            "mode = \"external\"",
            "urls = [\"http://127.0.0.1:4001\"]",
            "weight = 10"
        ],
        "{text}"
    );
    let (back, log) = edit::apply(&text, "ai", &[Change::Internal]).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].field.as_str(),
            log[0].old.as_deref(),
            log[0].new.as_deref()
        ),
        ("mode", Some("\"external\""), Some("\"internal\""))
    );
    assert_eq!(
        load(&back).unwrap().route("ai").unwrap().mode,
        Mode::Internal
    );
    let (removed, _) = edit::apply(SAMPLE, "github", &[Change::Remove]).unwrap();
    assert!(load(&removed).unwrap().route("github").is_none());
    let (added, _) = edit::apply(
        SAMPLE,
        "search",
        &[Change::Add {
            prefix: "/api/v1/search".into(),
            urls: vec!["http://127.0.0.1:4100".into()],
            weight: 0,
        }],
    )
    .unwrap();
    assert_eq!(
        load(&added).unwrap().route("search").unwrap().mode,
        Mode::External
    );
}

#[test]
fn edits_refuse_what_cannot_be() {
    let err = edit::apply(SAMPLE, "payments", &[Change::Weight(5)]).unwrap_err();
    assert!(
        err.to_string().contains("unknown service `payments`")
            && err.to_string().contains("ai, analytics"),
        "{err}"
    );
    let err = edit::apply(SAMPLE, "ai", &[Change::Weight(5)]).unwrap_err();
    assert!(err.to_string().contains("`ai` is internal"), "{err}");
    let err = edit::apply(
        SAMPLE,
        "ai",
        &[Change::Add {
            prefix: "/x".into(),
            urls: vec![],
            weight: 0,
        }],
    )
    .unwrap_err();
    assert!(matches!(err, edit::EditError::Exists(_)));
}

fn broken(find: &str, replace: &str) -> crate::config::reader::LocatedError {
    assert!(SAMPLE.contains(find), "{find}");
    load(&SAMPLE.replacen(find, replace, 1)).unwrap_err()
}

#[test]
fn mistakes_are_named_at_their_place() {
    let err = broken("prefix = \"/api/v1/analytics\"", "prefix = \"/api/v1/ai\"");
    assert!(
        err.message
            .contains("`/api/v1/ai` is routed two ways: to `ai` and to `analytics`"),
        "{err}"
    );
    assert_eq!(
        (err.line, err.key.as_deref()),
        (23, Some("route[1].prefix"))
    );
    let err = broken(
        "prefix = \"/api/v1/analytics\"",
        "prefix = \"/api/v1/ai/analytics\"",
    );
    assert!(err.message.contains("lies inside `/api/v1/ai`"), "{err}");
    let nested = SAMPLE.replacen(
        "prefix = \"/api/v1/analytics\"",
        "prefix = \"/api/v1/ai/analytics\"\nnested = true",
        1,
    );
    assert!(load(&nested).is_ok());
    let err = broken(
        "mode = \"internal\"\nhealth_path",
        "mode = \"external\"\nhealth_path",
    );
    assert!(err.message.contains("needs `urls`"), "{err}");
    let err = broken(
        "urls = [\"http://127.0.0.1:3000\"]",
        "urls = [\"127.0.0.1:3000\"]",
    );
    assert_eq!(
        (err.line, err.key.as_deref()),
        (10, Some("monolith.urls[0]"))
    );
    let err = broken("service = \"ai\"", "service = \"AI service\"");
    assert!(err.message.contains("not a service name"), "{err}");
    let err = broken("timeout = \"25s\"", "timout = \"25s\"");
    assert!(err.message.contains("unknown key `timout`"), "{err}");
    let err = broken(
        "mode = \"internal\"",
        "mode = \"external\"\nurls = [\"http://x:1\"]\nweight = 101",
    );
    assert!(
        err.message.contains("101 is out of range (0 to 100)"),
        "{err}"
    );
    let err = load("[monolith\n").unwrap_err();
    assert!(err.message.starts_with("not valid TOML"), "{err}");
}

#[test]
fn prefixes_match_whole_segments() {
    assert!(model::within("/api/v1", "/api/v1/ai"));
    assert!(model::within("/api/v1/ai", "/api/v1/ai"));
    assert!(!model::within("/api/v1/ai", "/api/v1/aix"));
    assert!(model::within("/", "/anything"));
}

/// Renders against `fixtures/gateway/golden/`; `UPDATE_GOLDEN=1` rewrites them.
#[test]
fn renderers_match_their_golden_files() {
    let gateway = load(&ai_at_ten()).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gateway/golden");
    for rendered in render_all(&gateway) {
        let name = std::path::Path::new(&rendered.path)
            .file_name()
            .unwrap()
            .to_owned();
        let golden = dir.join(&name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&golden, &rendered.text).unwrap();
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
        assert_eq!(
            rendered.text,
            want,
            "{} drifted from {}",
            rendered.kind,
            golden.display()
        );
    }
    // Weights split per server; the admin socket commands say the same.
    let ai = gateway.route("ai").unwrap();
    assert_eq!(render::haproxy::server_weights(&gateway, ai), (90, 10));
    assert_eq!(
        render::haproxy::weight_commands(&gateway, ai),
        [
            "set server route_ai/monolith1 weight 90",
            "set server route_ai/ai1 weight 10"
        ]
    );
    // The HTTPRoute is YAML with the weights where the Gateway API wants them.
    let yaml = render::httproute::render(&gateway, gateway.render.httproute.as_ref().unwrap());
    let doc: serde_json::Value = serde_norway::from_str(&yaml).unwrap();
    let rules = doc["spec"]["rules"].as_array().unwrap();
    let ai_rule = rules
        .iter()
        .find(|r| {
            r["matches"][0]["path"]["value"] == "/api/v1/ai" && r["matches"][0]["headers"].is_null()
        })
        .unwrap();
    assert_eq!(ai_rule["backendRefs"][0]["weight"], 90);
    assert_eq!(ai_rule["backendRefs"][1]["name"], "ai");
    assert_eq!(ai_rule["backendRefs"][1]["weight"], 10);
    let app: serde_json::Value = serde_json::from_str(&render::app::render(&gateway)).unwrap();
    assert_eq!(app["services"]["ai"]["type"], "external");
    assert_eq!(app["services"]["ai"]["weight"], 10);
    assert_eq!(app["services"]["skills"]["type"], "internal");
}

#[test]
fn weights_at_the_edges_render_without_the_other_side() {
    let text = ai_at_ten().replace("weight = 10", "weight = 0");
    let zero = load(&text).unwrap();
    let nginx = render::nginx::render(&zero, zero.render.nginx.as_ref().unwrap());
    assert!(
        nginx.contains(
            "split_clients \"${request_id}\" $skillsctl_split_ai {\n    * skillsctl_monolith;\n}"
        ),
        "{nginx}"
    );
    let full = load(&ai_at_ten().replace("weight = 10", "weight = 100")).unwrap();
    let nginx = render::nginx::render(&full, full.render.nginx.as_ref().unwrap());
    assert!(nginx.contains("    100% skillsctl_svc_ai;\n}"), "{nginx}");
    let yaml = render::httproute::render(&full, full.render.httproute.as_ref().unwrap());
    assert!(!yaml.contains("weight: 0"), "{yaml}");
}

#[test]
fn a_route_can_have_its_own_monolith_upstream() {
    let text = ai_at_ten().replacen(
        "prefix = \"/api/v1/ai\"",
        "prefix = \"/api/v1/ai\"\nmonolith = [\"http://127.0.0.1:3100\"]",
        1,
    );
    let text = text.replacen(
        "prefix = \"/api/v1/skills\"",
        "prefix = \"/api/v1/skills\"\nmonolith = [\"http://127.0.0.1:3200\"]",
        1,
    );
    let gateway = load(&text).unwrap();
    let ai = gateway.route("ai").unwrap();
    assert_eq!(gateway.monolith_of(ai), ["http://127.0.0.1:3100"]);
    let nginx = render::nginx::render(&gateway, gateway.render.nginx.as_ref().unwrap());
    assert!(
        nginx.contains("upstream skillsctl_monolith_ai {\n    server 127.0.0.1:3100;"),
        "{nginx}"
    );
    assert!(nginx.contains("    * skillsctl_monolith_ai;"), "{nginx}");
    assert!(
        nginx.contains("proxy_pass http://skillsctl_monolith_skills;"),
        "{nginx}"
    );
    let haproxy = render::haproxy::render(&gateway, gateway.render.haproxy.as_ref().unwrap());
    assert!(haproxy.contains("backend route_ai\n    balance roundrobin\n    timeout server 25000ms\n    server monolith1 127.0.0.1:3100 weight 90"), "{haproxy}");
    assert!(
        haproxy.contains("use_backend monolith_skills if route_skills"),
        "{haproxy}"
    );
    assert!(
        haproxy.contains(
            "backend monolith_skills\n    balance roundrobin\n    server monolith1 127.0.0.1:3200"
        ),
        "{haproxy}"
    );
    crate::adapters::gateway::nginx_test(
        &nginx.replace("/var/log/nginx/skillsctl.json.log", "/dev/null"),
    )
    .unwrap();
    crate::adapters::gateway::haproxy_check(
        &haproxy.replace("/run/haproxy/admin.sock", "/tmp/skillsctl-unit-admin.sock"),
    )
    .unwrap();
    let err = load(&text.replacen(
        "monolith = [\"http://127.0.0.1:3100\"]",
        "monolith = [\"ftp://x\"]",
        1,
    ))
    .unwrap_err();
    assert_eq!(err.key.as_deref(), Some("route[0].monolith[0]"));
}
