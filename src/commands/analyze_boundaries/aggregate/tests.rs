//! The aggregation on hand-made files and graphs, with hand-checked sums.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::repo::imports::EdgeKind;

fn lines(code: u64, comment: u64, blank: u64) -> LineCounts {
    LineCounts {
        code,
        comment,
        blank,
    }
}

fn file(path: &str, domain: Option<usize>, code: u64, models: &[&str]) -> WalkedFile {
    WalkedFile {
        path: path.to_owned(),
        language: Language::of(path).expect("a known language"),
        domain,
        lines: lines(code, 1, 1),
        imports: Vec::new(),
        parse_failed: path.contains("broken"),
        models: models.iter().map(|m| (*m).to_owned()).collect(),
    }
}

/// Three domains: ai (0), skills (1), users (2); ai imports skills twice,
/// skills imports users and users imports skills (a cycle).
fn sample() -> (Vec<WalkedFile>, DomainGraph, Vec<String>) {
    let facts = vec![
        file("ai/a.ts", Some(0), 10, &["Skill", "Prompt"]),
        file("ai/b.rs", Some(0), 5, &[]),
        file("shared/util.ts", None, 7, &[]),
        file("skills/broken.ts", Some(1), 20, &["Skill"]),
        file("users/u.ts", Some(2), 3, &["User"]),
    ];
    let crossing = |file: u32, line, to_file: u32, from, to| Crossing {
        file,
        line,
        kind: EdgeKind::Static,
        target: EdgeTarget::File(to_file),
        from,
        to,
    };
    let mut edges = BTreeMap::new();
    edges.insert(
        (0, 1),
        BTreeMap::from([(EdgeKind::Static, 1), (EdgeKind::TypeOnly, 1)]),
    );
    edges.insert((1, 2), BTreeMap::from([(EdgeKind::Static, 1)]));
    edges.insert((2, 1), BTreeMap::from([(EdgeKind::Static, 1)]));
    let graph = DomainGraph {
        edges,
        crossings: vec![
            crossing(0, 1, 3, 0, 1),
            crossing(0, 2, 3, 0, 1),
            crossing(3, 4, 4, 1, 2),
            crossing(4, 1, 3, 2, 1),
        ],
        packages: vec![
            BTreeSet::from(["openai".to_owned(), "zod".to_owned()]),
            BTreeSet::from(["zod".to_owned(), "@x/core".to_owned()]),
            BTreeSet::new(),
        ],
        ..DomainGraph::default()
    };
    let names = vec!["ai".to_owned(), "skills".to_owned(), "users".to_owned()];
    (facts, graph, names)
}

#[test]
fn totals_sum_per_domain_language_and_unassigned() {
    let (facts, _, _) = sample();
    let t = totals(&facts, 3);
    assert_eq!(t.per_domain[0].files, 2);
    assert_eq!(t.per_domain[0].lines, lines(15, 2, 2));
    assert_eq!(t.per_domain[0].languages.len(), 2);
    assert_eq!(
        t.per_domain[0].models,
        BTreeSet::from(["Prompt".to_owned(), "Skill".to_owned()])
    );
    assert_eq!(t.unassigned.files, 1);
    assert_eq!(t.unassigned.lines, lines(7, 1, 1));
    assert_eq!(t.total, lines(45, 5, 5));
    assert_eq!(t.languages["TypeScript"].files, 4);
    assert_eq!(t.parse_failures, ["skills/broken.ts"]);
}

#[test]
fn fans_shared_models_and_own_packages() {
    let (facts, graph, names) = sample();
    let fans = fans(&graph, 3);
    assert_eq!(fans.fan_out, [vec![1], vec![2], vec![1]]);
    assert_eq!(fans.fan_in, [vec![], vec![0, 2], vec![1]]);
    let t = totals(&facts, 3);
    let shared = shared_models(&t.per_domain, &names);
    assert_eq!(shared[0], [("Skill".to_owned(), vec!["skills".to_owned()])]);
    assert_eq!(shared[1], [("Skill".to_owned(), vec!["ai".to_owned()])]);
    assert!(shared[2].is_empty());
    let own = own_packages(&graph, &BTreeSet::from(["@x/core"]));
    assert_eq!(own, [vec!["openai".to_owned()], vec![], vec![]]);
}

#[test]
fn the_report_lists_edges_cycles_and_boundary_edges_per_domain() {
    let (facts, graph, names) = sample();
    let settings = Config::default();
    let domain_paths = BTreeMap::new();
    let roles = BTreeMap::new();
    let report = report(Parts {
        project: "sample".into(),
        root: "/repo".to_owned(),
        facts: &facts,
        graph: &graph,
        names: &names,
        domain_paths: &domain_paths,
        roles: &roles,
        workspace_names: BTreeSet::new(),
        history: None,
        history_window_days: 90,
        traffic: None,
        settings: &settings,
        warnings: vec!["w".to_owned()],
        fail_on: None,
        project_monitoring: None,
    });
    assert_eq!(report.files, 5);
    assert_eq!(
        report.cycles,
        [vec!["skills".to_owned(), "users".to_owned()]]
    );
    assert_eq!(report.edges.len(), 3);
    assert_eq!(
        (report.edges[0].from.as_str(), report.edges[0].imports),
        ("ai", 2)
    );
    let skills = &report.domains[1];
    assert_eq!(skills.name, "skills");
    assert_eq!(skills.fan_in, ["ai", "users"]);
    // Both ends list a crossing: ai's two imports, its own one out, users' one in.
    assert_eq!(skills.boundary_edges_total, 4);
    let edge = &skills.boundary_edges[2];
    assert_eq!(
        (edge.file, edge.line, edge.target, edge.target_domain),
        ("skills/broken.ts", 4, "users/u.ts", "users")
    );
    assert_eq!(report.domains[0].boundary_edges_total, 2);
    assert_eq!(report.domains[0].shared_models, ["Skill"]);
    assert!(report.history.is_none());
    assert_eq!(report.warnings, ["w"]);
    assert_eq!(
        report.extract.len() + report.watch.len() + report.keep.len(),
        3,
        "every domain gets one recommendation"
    );
}
