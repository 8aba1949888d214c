//! `skillsctl analyze-boundaries` on the sample monorepo with its replayed git
//! history and traffic log, and on small repositories built in tests.

use crate::support::TestContext;
use crate::support::history::replay;

fn analysed() -> (TestContext, serde_json::Value) {
    let ctx = TestContext::new();
    replay(&ctx, "repo");
    let out = ctx
        .cmd(["--format", "json", "analyze-boundaries", "repo"])
        .expect_code(0);
    // Into a pipe, the document is one line (indented only on a terminal).
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    (ctx, out.json())
}

fn domain<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no domain {name}"))
}

#[test]
#[allow(clippy::too_many_lines, clippy::float_cmp)] // one hand-checked table; figures are rounded to 0.1 by the tool
fn figures_and_recommendations_on_the_sample_monorepo() {
    let (_ctx, report) = analysed();
    // name, code lines, authors in 90 days (after .mailmap, no bots), avg req/min, peak, recommendation
    let expected = [
        ("ai", 1309, 5, 150.0, 155, "extract"),
        ("analytics", 773, 4, 60.4, 62, "watch"),
        ("assessments", 563, 3, 391.8, 396, "keep"),
        ("categories", 182, 1, 205.6, 235, "keep"),
        ("github", 585, 2, 19.6, 20, "keep"),
        ("skills", 497, 3, 1464.8, 1916, "watch"),
    ];
    for (name, loc, team, avg, peak, recommendation) in expected {
        let d = domain(&report, name);
        assert_eq!(d["lines"]["code"], loc, "{name} LOC");
        assert_eq!(
            d["authors"].as_array().unwrap().len(),
            team,
            "{name} team: {}",
            d["authors"]
        );
        assert_eq!(
            d["traffic"]["avg_per_min"].as_f64().unwrap(),
            avg,
            "{name} traffic"
        );
        assert_eq!(d["traffic"]["peak_per_min"], peak, "{name} peak");
        assert_eq!(
            d["recommendation"], recommendation,
            "{name}: {:?}",
            d["reasons"]
        );
    }
    assert_eq!(report["extract"], serde_json::json!(["ai"]));
    // Emeka and Gustavo reach the ai domain only under aliases that .mailmap unifies.
    let ai_authors: Vec<&str> = domain(&report, "ai")["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        ai_authors,
        [
            "Alice Chen",
            "Emeka Obi",
            "Gustavo Lima",
            "Hana Sato",
            "Ivan Petrov"
        ]
    );
    // The ai domain is the only one using the model SDKs: a different stack.
    assert_eq!(
        domain(&report, "ai")["own_packages"],
        serde_json::json!(["@anthropic-ai/sdk", "openai", "tiktoken"])
    );
    // skills: high traffic but tightly coupled, on the guide's keep list.
    let skills = domain(&report, "skills");
    assert_eq!(skills["fan_in"].as_array().unwrap().len(), 5);
    assert!(
        skills["blockers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["kind"] == "fan-in")
    );
    assert!(
        skills["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("keeps it in the monolith"))
    );
    // Shared data: Skill is used by five domains.
    assert!(
        domain(&report, "ai")["shared_models"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("Skill"))
    );
    // The import cycle and the change coupling between assessments and analytics.
    assert_eq!(
        report["cycles"],
        serde_json::json!([["analytics", "assessments"]])
    );
    let coupling = report["coupling"].as_array().unwrap();
    assert_eq!(
        (
            coupling[0]["a"].as_str(),
            coupling[0]["b"].as_str(),
            coupling[0]["shared_commits"].as_u64(),
            coupling[0]["degree"].as_f64()
        ),
        (Some("analytics"), Some("assessments"), Some(15), Some(78.9))
    );
    assert_eq!(
        (
            coupling[1]["a"].as_str(),
            coupling[1]["shared_commits"].as_u64(),
            coupling[1]["degree"].as_f64()
        ),
        (Some("categories"), Some(10), Some(69.0))
    );
    let analytics_blockers: Vec<&str> = domain(&report, "analytics")["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert!(
        analytics_blockers.contains(&"cycle") && analytics_blockers.contains(&"change-coupling"),
        "{analytics_blockers:?}"
    );
    // History: the two sweeping commits are out of the window or left out; bots are left out.
    assert_eq!(report["history"]["large_commits"], 1);
    assert!(report["history"]["bot_commits"].as_u64().unwrap() >= 8);
    // Traffic: the 7 malformed lines are counted, health checks match no domain.
    assert_eq!(
        (
            report["traffic"]["requests"].as_u64(),
            report["traffic"]["malformed_lines"].as_u64(),
            report["traffic"]["unmatched"].as_u64()
        ),
        (Some(11521), Some(7), Some(60))
    );
    // The deliberately broken file is reported, not fatal.
    assert_eq!(
        report["parse_failures"],
        serde_json::json!(["packages/backend-core/src/lib/legacy-parser.ts"])
    );
}

#[test]
fn line_counts_equal_tokei_on_the_same_files() {
    let ctx = TestContext::builder()
        .fixture("skills-monorepo", "repo")
        .fixture("traffic", "traffic")
        .build();
    let report = ctx
        .cmd([
            "--format",
            "json",
            "analyze-boundaries",
            "--no-history",
            "repo",
        ])
        .expect_code(0)
        .json();
    // tokei 15.0.0 on the same files (`tokei -e vendor -e '*.min.js'`): files, code, comments, blanks.
    // (TypeScript counted again by hand after tests/ai/ranking.test.ts was added: +1 file, 10 code, 2 blank.)
    for (language, files, code, comment, blank) in [
        ("TypeScript", 96, 4808, 85, 573),
        ("TSX", 5, 118, 0, 14),
        ("JavaScript", 1, 22, 2, 2),
        ("CSS", 1, 98, 0, 18),
        ("SQL", 6, 213, 65, 73),
    ] {
        let l = &report["languages"][language];
        assert_eq!(
            (
                l["files"].as_u64(),
                l["code"].as_u64(),
                l["comment"].as_u64(),
                l["blank"].as_u64()
            ),
            (Some(files), Some(code), Some(comment), Some(blank)),
            "{language}"
        );
    }
    // Vendored and minified files are not counted.
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("chart.min.js") && !json.contains("sparkline"));
}

fn small_repo() -> TestContext {
    TestContext::builder()
        .file("package.json", r#"{"name": "shop", "private": true, "workspaces": ["packages/*"]}"#)
        .file("tsconfig.json", r#"{"compilerOptions": {"baseUrl": ".", "paths": {"@orders/*": ["packages/core/src/services/orders/*"]}}}"#)
        .file("packages/core/package.json", r#"{"name": "@shop/core"}"#)
        .file("packages/core/tsconfig.json", r#"{"extends": "../../tsconfig.json"}"#)
        .file("packages/core/src/services/orders/index.ts", "export const orders = 1;\n")
        .file("packages/core/src/services/orders/types.ts", "export interface Order { id: string }\n")
        .file(
            "packages/core/src/services/billing/index.ts",
            "import { orders } from '../orders';\nimport type { Order } from '@orders/types';\nexport { orders as o } from '../orders/index';\nconst lazy = () => import('../orders');\nconst cjs = require('../orders/index');\nexport const total = (o: Order) => orders + cjs.orders;\n",
        )
        .file("packages/core/src/services/orders/uses-billing.ts", "import { total } from '../billing';\nexport const t = total;\n")
        .build()
}

#[test]
fn every_edge_kind_crosses_the_boundary_with_file_and_line() {
    let ctx = small_repo();
    let report = ctx
        .cmd(["--format", "json", "analyze-boundaries", "--no-history"])
        .expect_code(0)
        .json();
    let edge = report["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == "billing")
        .unwrap();
    assert_eq!(edge["to"], "orders");
    assert_eq!(
        edge["kinds"],
        serde_json::json!({"dynamic": 1, "re-export": 1, "require": 1, "static": 1, "type-only": 1})
    );
    let billing = domain(&report, "billing");
    let lines: Vec<(u64, &str)> = billing["boundary_edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["file"] == "packages/core/src/services/billing/index.ts")
        .map(|e| (e["line"].as_u64().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        [
            (1, "static"),
            (2, "type-only"),
            (3, "re-export"),
            (4, "dynamic"),
            (5, "require")
        ]
    );
    // The tsconfig path alias resolved to the orders domain, and the cycle is found.
    assert_eq!(report["cycles"], serde_json::json!([["billing", "orders"]]));
}

/// Through a symbolic link to the repository (macOS's /tmp, a linked
/// checkout) the same imports cross the same boundaries.
#[cfg(unix)]
#[test]
fn a_root_reached_through_a_symlink_gives_the_same_graph() {
    // An alias to a folder: the resolver's own search, which answers with real paths.
    let ctx = TestContext::builder()
        .file("package.json", r#"{"name": "shop", "private": true, "workspaces": ["packages/*"]}"#)
        .file("tsconfig.json", r#"{"compilerOptions": {"paths": {"@orders": ["./packages/core/src/services/orders"]}}}"#)
        .file("packages/core/package.json", r#"{"name": "@shop/core"}"#)
        .file("packages/core/src/services/orders/index.ts", "export const orders = 1;\n")
        .file("packages/core/src/services/billing/index.ts", "import { orders } from '@orders';\nexport const b = orders;\n")
        .build();
    let link = ctx.root().with_extension("link");
    std::os::unix::fs::symlink(ctx.root(), &link).unwrap();
    let edges = |path: &str| {
        ctx.cmd([
            "--format",
            "json",
            "analyze-boundaries",
            "--no-history",
            path,
        ])
        .expect_code(0)
        .json()["edges"]
            .clone()
    };
    let through_link = edges(link.to_str().unwrap());
    std::fs::remove_file(&link).unwrap();
    assert_eq!(through_link, edges("."));
    assert_eq!(
        through_link,
        serde_json::json!([{"from": "billing", "to": "orders", "imports": 1, "kinds": {"static": 1}}])
    );
}

#[test]
fn output_formats() {
    let ctx = small_repo();
    let markdown = ctx
        .cmd(["--format", "markdown", "analyze-boundaries", "--no-history"])
        .expect_code(0)
        .stdout;
    insta::assert_snapshot!("boundaries_markdown", markdown);
    let mermaid = ctx
        .cmd(["--format", "mermaid", "analyze-boundaries", "--no-history"])
        .expect_code(0)
        .stdout;
    insta::assert_snapshot!("boundaries_mermaid", mermaid);
    let dot = ctx
        .cmd(["--format", "dot", "analyze-boundaries", "--no-history"])
        .expect_code(0)
        .stdout;
    insta::assert_snapshot!("boundaries_dot", dot);
    let table = ctx
        .cmd(["analyze-boundaries", "--no-history"])
        .expect_code(0)
        .stdout;
    insta::assert_snapshot!("boundaries_table", table);
    // Other commands refuse formats they do not have.
    let out = ctx.cmd(["--format", "mermaid", "config"]).expect_code(2);
    assert!(
        out.stderr.contains("--format mermaid is not available"),
        "{}",
        out.stderr
    );
}

#[test]
fn fail_on_extract_is_a_ci_gate() {
    let (ctx, _) = analysed();
    let out = ctx
        .cmd(["analyze-boundaries", "repo", "--fail-on", "extract"])
        .expect_code(1);
    assert!(out.stdout.contains("1 extract"), "{}", out.stdout);
    small_repo()
        .cmd(["analyze-boundaries", "--no-history", "--fail-on", "extract"])
        .expect_code(0);
    small_repo()
        .cmd(["analyze-boundaries", "--no-history", "--fail-on", "watch"])
        .expect_code(0);
}

#[test]
fn bad_input_is_reported_never_a_panic() {
    let ctx = small_repo();
    // Not a directory.
    ctx.write("file.txt", "x");
    let out = ctx.cmd(["analyze-boundaries", "file.txt"]).expect_code(2);
    assert!(
        out.stderr.contains("file.txt is not a directory"),
        "{}",
        out.stderr
    );
    // Binary and huge files, a broken link, a link loop, a non-UTF-8 name.
    std::fs::write(
        ctx.path("packages/core/src/services/orders/blob.ts"),
        b"export const a = 1;\0\x01\x02",
    )
    .unwrap();
    std::fs::write(
        ctx.path("packages/core/src/services/orders/huge.ts"),
        "export const x = 1;\n".repeat(60_000),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        ctx.path("nowhere"),
        ctx.path("packages/core/src/services/orders/broken.ts"),
    )
    .unwrap();
    std::os::unix::fs::symlink(ctx.path("packages"), ctx.path("packages/core/loop")).unwrap();
    let odd = std::ffi::OsStr::new("packages/core/src/services/orders/caf\u{e9}.ts");
    let mut bytes = odd.as_encoded_bytes().to_vec();
    let pos = bytes.len() - 4;
    bytes.splice(pos - 2..pos, [0xe9]);
    let name = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&bytes);
    std::fs::write(ctx.root().join(name), "export const c = 1;\n").unwrap();
    let out = ctx
        .cmd(["--format", "json", "analyze-boundaries"])
        .expect_code(0);
    assert!(out.stderr.contains("blob.ts: binary"), "{}", out.stderr);
    assert!(
        out.stderr.contains("huge.ts: larger than 1 MiB"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("not UTF-8"), "{}", out.stderr);
    // Not a git repository: team and coupling are unknown, and confidence drops.
    assert!(out.stderr.contains("no history"), "{}", out.stderr);
    let report = out.json();
    assert_eq!(
        domain(&report, "orders")["authors"],
        serde_json::Value::Null
    );
    assert!(domain(&report, "orders")["confidence"].as_f64().unwrap() < 0.8);
    // A missing traffic log is an input error.
    let out = ctx
        .cmd([
            "analyze-boundaries",
            "--no-history",
            "--traffic",
            "missing.log",
        ])
        .expect_code(2);
    assert!(out.stderr.contains("missing.log"), "{}", out.stderr);
}

#[test]
fn prometheus_rates_by_route_and_an_unreachable_server() {
    use crate::support::prometheus::{Prometheus, counters};
    // A real Prometheus, backfilled with 30 minutes of request counters.
    let data = tempfile::tempdir().unwrap();
    let prometheus = Prometheus::start(
        data.path(),
        &counters(
            &[
                ("/api/v1/billing", 1200),
                ("/api/v1/billing/[id]", 100),
                ("/api/health", 12),
            ],
            30,
        ),
    );
    let ctx = small_repo();
    ctx.write(
        "skillsctl.toml",
        "[domains]\nbilling = [\"packages/core/src/services/billing\"]\norders = [\"packages/core/src/services/orders\"]\n\n[traffic.routes]\n\"/api/v1/billing\" = \"billing\"\n",
    );
    let report = ctx
        .cmd([
            "--format",
            "json",
            "analyze-boundaries",
            "--no-history",
            "--prometheus",
            &prometheus.url,
            "--prometheus-window",
            "20m",
        ])
        .expect_code(0)
        .json();
    let billing = domain(&report, "billing");
    // Both billing routes (the second through [traffic.routes]' prefix): 1,300 a minute.
    let avg = billing["traffic"]["avg_per_min"].as_f64().unwrap();
    assert!((1290.0..=1310.0).contains(&avg), "{}", billing["traffic"]);
    let peak = billing["traffic"]["peak_per_min"].as_u64().unwrap();
    assert!((1290..=1310).contains(&peak), "{}", billing["traffic"]);
    assert_eq!(billing["factors"][0]["verdict"], "extract");
    assert_eq!(
        domain(&report, "orders")["traffic"]["avg_per_min"].as_f64(),
        Some(0.0)
    );
    // Unreachable: a warning, and traffic is unknown (never zero).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    drop(listener);
    let out = ctx
        .cmd([
            "--format",
            "json",
            "analyze-boundaries",
            "--no-history",
            "--prometheus",
            &closed,
        ])
        .expect_code(0);
    assert!(
        out.stderr.contains("no traffic from Prometheus"),
        "{}",
        out.stderr
    );
    let report = out.json();
    assert_eq!(
        domain(&report, "billing")["traffic"],
        serde_json::Value::Null
    );
    assert_eq!(
        domain(&report, "billing")["factors"][0]["verdict"],
        "unknown"
    );
}

#[test]
fn rust_workspace_crates_and_modules() {
    let ctx = TestContext::builder()
        .file("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n")
        .file("crates/orders/Cargo.toml", "[package]\nname = \"shop-orders\"\n")
        .file("crates/orders/src/lib.rs", "pub mod model;\npub use model::Order;\n")
        .file("crates/orders/src/model.rs", "/// An order.\npub struct Order {\n    pub id: u64,\n}\n")
        .file("crates/billing/Cargo.toml", "[package]\nname = \"billing\"\n")
        .file("crates/billing/src/lib.rs", "use shop_orders::model::Order;\nuse serde::Serialize;\n\npub fn total(o: &Order) -> u64 {\n    o.id\n}\n")
        .build();
    let report = ctx
        .cmd(["--format", "json", "analyze-boundaries", "--no-history"])
        .expect_code(0)
        .json();
    let names: Vec<&str> = report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["billing", "orders"]);
    let edge = &report["edges"][0];
    assert_eq!(
        (edge["from"].as_str(), edge["to"].as_str()),
        (Some("billing"), Some("orders"))
    );
    let billing = domain(&report, "billing");
    assert_eq!(
        billing["boundary_edges"][0]["file"],
        "crates/billing/src/lib.rs"
    );
    assert_eq!(billing["boundary_edges"][0]["line"], 1);
    assert_eq!(
        billing["boundary_edges"][0]["target"],
        "crates/orders/src/model.rs"
    );
    assert_eq!(billing["own_packages"], serde_json::json!(["serde"]));
    assert_eq!(report["languages"]["Rust"]["code"], 10);
    assert_eq!(report["languages"]["Rust"]["comment"], 1);
}

/// A map that splits what belongs together: billing and invoices import
/// each other's files all the time, users is apart, and the shared ui
/// library (imported by both) stays out of the grouping.
fn split_map_repo() -> TestContext {
    let lines = |n: usize| "export const x = 1;\n".repeat(n);
    TestContext::builder()
        .file("package.json", r#"{"name": "shop", "private": true}"#)
        .file(
            "skillsctl.toml",
            "[domains]\nbilling = [\"src/billing\"]\ninvoices = [\"src/invoices\"]\nusers = [\"src/users\"]\nui = [\"src/ui\"]\n\n[roles]\nui = \"shared\"\n",
        )
        .file("src/ui/button.ts", &lines(30))
        .file(
            "src/billing/charge.ts",
            &format!("import {{ x }} from '../invoices/invoice';\nimport {{ y }} from '../invoices/lines';\nimport '../ui/button';\n{}", lines(20)),
        )
        .file(
            "src/billing/refund.ts",
            &format!("import './charge';\nimport '../invoices/invoice';\n{}", lines(20)),
        )
        .file("src/invoices/invoice.ts", &format!("import './lines';\nimport '../billing/charge';\n{}", lines(10)))
        .file("src/invoices/lines.ts", &lines(5))
        .file("src/users/user.ts", &format!("import './session';\nimport '../ui/button';\n{}", lines(15)))
        .file("src/users/session.ts", &lines(10))
        .file("src/users/profile/page.ts", &format!("import '../user';\nimport '../session';\n{}", lines(8)))
        .build()
}

const SUGGEST_JSON: [&str; 5] = [
    "--format",
    "json",
    "analyze-boundaries",
    "--no-history",
    "--suggest",
];

#[test]
fn suggest_groups_folders_that_import_each_other_and_says_what_moves() {
    let ctx = split_map_repo();
    let report = ctx.cmd(SUGGEST_JSON).expect_code(0).json();
    let s = &report["suggestion"];
    assert_eq!(s["weights"], "imports");
    // src/billing, src/invoices, src/users, src/users/profile (src/ui is kept).
    assert_eq!(s["folders"], 4);
    assert_eq!(
        s["domains"],
        serde_json::json!({"billing": ["src/billing", "src/invoices"], "users": ["src/users"]})
    );
    assert_eq!(s["kept"], serde_json::json!({"ui": ["src/ui"]}));
    // invoices' 17 code lines (15 exports + 2 imports) go to billing.
    assert_eq!(
        s["moves"],
        serde_json::json!([{"path": "src/invoices", "lines": 17, "from": "invoices", "to": "billing"}])
    );
    assert_eq!(s["moved_lines"], 17);
    // By hand, on the folder graph (billing–invoices 4 imports, billing,
    // invoices and users 1 each inside, users–profile 2; m = 9; degrees
    // 6, 6, 4, 2): proposal (6/9 − (12/18)²) + (3/9 − (6/18)²) = 0.444; the
    // map in use: billing 1/9 − (6/18)² = 0, invoices 0, users 0.222.
    assert_eq!(s["modularity"], 0.444);
    assert_eq!(s["configured_modularity"], 0.222);

    let text = ctx
        .cmd(["analyze-boundaries", "--no-history", "--suggest"])
        .expect_code(0)
        .stdout;
    assert!(
        text.contains("modularity 0.444, the map in use 0.222"),
        "{text}"
    );
    assert!(
        text.contains("billing = [\"src/billing\", \"src/invoices\"]"),
        "{text}"
    );
    assert!(text.contains("moves 17 of "), "{text}");
    // What it prints is a [domains] table skillsctl reads back.
    let toml_part = &text[text.find("[domains]").unwrap()..text.find("\nmoves").unwrap()];
    ctx.write(
        "skillsctl.toml",
        &format!("{toml_part}\n[roles]\nui = \"shared\"\n"),
    );
    let again = ctx.cmd(SUGGEST_JSON).expect_code(0).json();
    assert_eq!(again["suggestion"]["moves"], serde_json::json!([]));
    assert_eq!(
        again["suggestion"]["configured_modularity"],
        s["modularity"]
    );
}

#[test]
fn html_report_is_one_page_chromium_renders_with_the_graph_and_each_domain() {
    let (ctx, report) = analysed();
    let html = ctx
        .cmd(["--format", "html", "analyze-boundaries", "repo"])
        .expect_code(0)
        .stdout;
    // Self-contained: nothing to fetch, nothing to run.
    for outside in [
        "<script",
        "<link",
        "src=",
        "@import",
        "url(http",
        "href=\"http",
    ] {
        assert!(!html.contains(outside), "the page has {outside}");
    }
    ctx.write("boundaries.html", &html);
    let page = ctx.path("boundaries.html");
    let dom = crate::support::chromium::dump_dom(&ctx.path(""), &page);
    // Every domain is a node of the graph and a section, with its recommendation.
    for d in report["domains"].as_array().unwrap() {
        let (name, rec) = (
            d["name"].as_str().unwrap(),
            d["recommendation"].as_str().unwrap(),
        );
        assert!(
            dom.contains(&format!(
                "<g class=\"node rec-{rec}\" data-domain=\"{name}\" data-recommendation=\"{rec}\">"
            )),
            "no graph node for {name} ({rec})"
        );
        assert!(
            dom.contains(&format!(
                "<section class=\"domain\" id=\"domain-{name}\" data-domain=\"{name}\">"
            )),
            "no section for {name}"
        );
    }
    // Every edge, with its import count; the cycle's two edges are red, the others not.
    let cycle = ["analytics", "assessments"];
    for e in report["edges"].as_array().unwrap() {
        let (from, to) = (e["from"].as_str().unwrap(), e["to"].as_str().unwrap());
        let class = if cycle.contains(&from) && cycle.contains(&to) {
            "edge cycle"
        } else {
            "edge"
        };
        let tag = format!(
            "<g class=\"{class}\" data-from=\"{from}\" data-to=\"{to}\" data-imports=\"{}\">",
            e["imports"]
        );
        assert!(dom.contains(&tag), "no {tag}");
    }
    assert_eq!(dom.matches("<g class=\"edge cycle\"").count(), 2);
    // The matrix, a blocker of analytics, and the coupling pair with its degree.
    let analytics = dom.split("id=\"domain-analytics\"").nth(1).unwrap();
    let analytics = analytics.split("</section>").next().unwrap();
    assert!(
        analytics.contains("<th>factor</th>") && analytics.contains("<td>traffic</td>"),
        "{analytics}"
    );
    assert!(
        analytics.contains("<li data-kind=\"cycle\">"),
        "{analytics}"
    );
    assert!(dom.contains("<tr data-a=\"analytics\" data-b=\"assessments\"><td>analytics</td><td>assessments</td><td class=\"num\">15</td><td class=\"num\">79%</td></tr>"));
    assert!(
        !dom.contains("id=\"suggestion\""),
        "no proposal without --suggest"
    );
    // With --suggest, the proposal's scores as the JSON has them, and its map.
    let suggest = |format: &str| {
        ctx.cmd([
            "--format",
            format,
            "analyze-boundaries",
            "repo",
            "--suggest",
        ])
        .expect_code(0)
        .stdout
    };
    let proposal =
        serde_json::from_str::<serde_json::Value>(&suggest("json")).unwrap()["suggestion"].clone();
    ctx.write("suggest.html", &suggest("html"));
    let suggested = crate::support::chromium::dump_dom(&ctx.path(""), &ctx.path("suggest.html"));
    for (class, key) in [
        ("modularity", "modularity"),
        ("configured-modularity", "configured_modularity"),
    ] {
        let score = format!(
            "<strong class=\"{class}\">{:.3}</strong>",
            proposal[key].as_f64().unwrap()
        );
        assert!(suggested.contains(&score), "no {score}");
    }
    assert!(suggested.contains("<section id=\"suggestion\">") && suggested.contains("[domains]"));
    let png = crate::support::chromium::screenshot(&ctx.path(""), &page);
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000,
        "{} bytes",
        bytes.len()
    );
}
