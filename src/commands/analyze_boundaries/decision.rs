//! The guide's decision matrix (§4.1), its keep/extract lists (§4.3) and the
//! Service Extraction Checklist, applied to one domain's measured evidence. Pure.

use serde::Serialize;

use crate::repo::domains::Role;

/// Thresholds of the matrix; the defaults are the guide's.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub traffic_per_min: f64,
    pub team_size: usize,
    pub loc: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            traffic_per_min: 1000.0,
            team_size: 3,
            loc: 1000,
        }
    }
}

/// What one factor says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Points to extracting the domain.
    Extract,
    /// Points to keeping it in the monolith.
    Monolith,
    /// No data.
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct Factor {
    /// `traffic`, `team`, `complexity`, `deployment`, `technology`, `data`.
    pub name: &'static str,
    pub value: String,
    pub threshold: String,
    pub verdict: Verdict,
}

/// The overall call for a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recommendation {
    Keep,
    Watch,
    /// Justified, but not ready: solve the blockers first.
    Prepare,
    Extract,
}

impl Recommendation {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Recommendation::Keep => "keep in monolith",
            Recommendation::Watch => "watch",
            Recommendation::Prepare => "prepare",
            Recommendation::Extract => "extract",
        }
    }
}

/// Something to solve before extracting, tied to a checklist item.
#[derive(Debug, Clone, Serialize)]
pub struct Blocker {
    pub kind: &'static str,
    pub detail: String,
    pub checklist: &'static str,
    /// Whether it keeps a justified domain from `extract` (`prepare` until
    /// solved); shared models that are only listed are to plan, not to block.
    pub blocking: bool,
}

/// Where monitoring and logging were found for a domain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Monitoring {
    /// Nothing found, in the domain or the project.
    #[default]
    None,
    /// The domain's own code logs or exports metrics (what it imports).
    Domain(String),
    /// The project has it for everything it serves (a health endpoint, a
    /// health check in skillsctl.toml, Next.js instrumentation).
    Project(String),
}

/// The evidence for one domain.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub name: String,
    /// Apps, shared libraries and the data layer are never extracted.
    pub role: Role,
    /// Domains it imports, of `domains` in all.
    pub fan_out: usize,
    pub domains: usize,
    pub code_lines: u64,
    pub authors: Option<usize>,
    pub traffic_avg: Option<f64>,
    pub traffic_peak: Option<u64>,
    pub independent_deploys: Option<bool>,
    pub stack: Option<String>,
    /// External packages no other domain imports (an AI SDK, say).
    pub own_packages: Vec<String>,
    pub needs_data_isolation: Option<bool>,
    pub shared_models: Vec<(String, Vec<String>)>,
    pub fan_in: usize,
    pub cycles_with: Vec<String>,
    pub strong_coupling: Vec<(String, f64)>,
    /// Test files for the domain: in its folders, or elsewhere importing it.
    pub test_files: usize,
    pub monitoring: Monitoring,
    /// Commits that touched the domain, when the history was read.
    pub revisions: Option<usize>,
    /// Requests counted for the domain, when traffic was read.
    pub requests: Option<u64>,
}

/// The decision with its reasons.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub factors: Vec<Factor>,
    pub recommendation: Recommendation,
    pub reasons: Vec<String>,
    /// 0..=1: lower when factors are unknown or backed by little data.
    pub confidence: f64,
    /// What the confidence left out, one line per missing or thin factor.
    pub confidence_notes: Vec<String>,
    /// Isolation: ready when no blocker blocks.
    pub ready: bool,
    /// In the order to work on them: cycles, fan-in (an API), shared data,
    /// change coupling, tests, monitoring.
    pub blockers: Vec<Blocker>,
}

/// The guide's §4.3 lists: domains it says to keep, and those to extract when justified.
fn guide_list(name: &str) -> Option<&'static str> {
    let n = name.to_lowercase();
    if [
        "skills",
        "auth",
        "authentication",
        "users",
        "categories",
        "dashboard",
    ]
    .contains(&n.as_str())
    {
        Some("the guide keeps it in the monolith (§4.3: fast, tightly coupled)")
    } else if ["ai", "github", "integrations", "jobs", "analytics"].contains(&n.as_str()) {
        Some("the guide lists it as a candidate when justified (§4.3)")
    } else {
        None
    }
}

/// Code the guide keeps in the monolith whatever the matrix says (§4.3):
/// apps, shared libraries and the data layer, auth (security critical) and
/// aggregators (high fan-out, like its Dashboard APIs).
fn kept_by_nature(e: &Evidence) -> Option<String> {
    if e.role != Role::Domain {
        return Some(format!(
            "a {}: everything else builds on it, so it is never extracted",
            e.role.label()
        ));
    }
    let n = e.name.to_lowercase();
    if [
        "auth",
        "authentication",
        "session",
        "sessions",
        "login",
        "2fa",
        "sso",
    ]
    .contains(&n.as_str())
    {
        return Some("auth is security critical: the guide keeps it in the monolith (§4.3)".into());
    }
    if e.fan_out >= 5 && e.fan_out * 2 >= e.domains.saturating_sub(1) {
        return Some(format!(
            "aggregates {} of {} domains, like the guide's Dashboard APIs: kept in the monolith (§4.3)",
            e.fan_out, e.domains
        ));
    }
    None
}

#[must_use]
#[allow(clippy::too_many_lines)] // one matrix row per factor, read top to bottom like the guide's table
pub fn decide(e: &Evidence, t: &Thresholds) -> Decision {
    let traffic = match e.traffic_avg {
        Some(avg) => Factor {
            name: "traffic",
            value: format!("{avg:.0} req/min avg, {} peak", e.traffic_peak.unwrap_or(0)),
            threshold: format!("> {:.0} req/min", t.traffic_per_min),
            verdict: if avg > t.traffic_per_min {
                Verdict::Extract
            } else {
                Verdict::Monolith
            },
        },
        None => Factor {
            name: "traffic",
            value: "unknown".into(),
            threshold: format!("> {:.0} req/min", t.traffic_per_min),
            verdict: Verdict::Unknown,
        },
    };
    let team = match e.authors {
        Some(n) => Factor {
            name: "team",
            value: format!("{n} developers"),
            threshold: format!("> {}", t.team_size),
            verdict: if n > t.team_size {
                Verdict::Extract
            } else {
                Verdict::Monolith
            },
        },
        None => Factor {
            name: "team",
            value: "unknown".into(),
            threshold: format!("> {}", t.team_size),
            verdict: Verdict::Unknown,
        },
    };
    let complexity = Factor {
        name: "complexity",
        value: format!("{} LOC", e.code_lines),
        threshold: format!("> {} LOC", t.loc),
        verdict: if e.code_lines > t.loc {
            Verdict::Extract
        } else {
            Verdict::Monolith
        },
    };
    let deployment = Factor {
        name: "deployment",
        value: match e.independent_deploys {
            Some(true) => "independent deploys needed".into(),
            Some(false) => "weekly releases with the app".into(),
            None => "not declared".into(),
        },
        threshold: "needs independent deploys".into(),
        verdict: if e.independent_deploys == Some(true) {
            Verdict::Extract
        } else {
            Verdict::Monolith
        },
    };
    let different_stack = e.stack.as_deref().is_some_and(|s| {
        !["node", "typescript", "nextjs", "next.js"].contains(&s.to_lowercase().as_str())
    });
    let technology = Factor {
        name: "technology",
        value: match (&e.stack, e.own_packages.is_empty()) {
            (Some(stack), _) => format!("stack: {stack}"),
            (None, false) => format!("only here: {}", e.own_packages.join(", ")),
            (None, true) => "same stack".into(),
        },
        threshold: "different stack needed".into(),
        verdict: if different_stack || !e.own_packages.is_empty() {
            Verdict::Extract
        } else {
            Verdict::Monolith
        },
    };
    let data = Factor {
        name: "data",
        value: match (e.needs_data_isolation, e.shared_models.is_empty()) {
            (Some(true), _) => "needs data isolation".into(),
            (_, false) => format!("shares {} model(s)", e.shared_models.len()),
            _ => "own data or none".into(),
        },
        threshold: "needs data isolation".into(),
        verdict: if e.needs_data_isolation == Some(true) {
            Verdict::Extract
        } else {
            Verdict::Monolith
        },
    };
    let crosses = |f: &Factor| f.verdict == Verdict::Extract;
    let size_or_traffic = crosses(&complexity) || crosses(&traffic);
    let team_or_deploys = crosses(&team) || crosses(&deployment);
    let mut reasons = Vec::new();
    let crossing: Vec<&str> = [
        &traffic,
        &team,
        &complexity,
        &deployment,
        &technology,
        &data,
    ]
    .iter()
    .filter(|f| crosses(f))
    .map(|f| f.name)
    .collect();
    let recommendation = if size_or_traffic && team_or_deploys {
        reasons.push(format!(
            "meets the checklist: {} and {}",
            if crosses(&complexity) {
                "> 1000 LOC"
            } else {
                "> 1000 req/min"
            },
            if crosses(&team) {
                "more than 3 developers"
            } else {
                "needs independent deploys"
            }
        ));
        Recommendation::Extract
    } else if crossing.is_empty() {
        reasons.push("no factor crosses its threshold".into());
        Recommendation::Keep
    } else {
        reasons.push(format!("{} cross(es) the threshold, but the checklist needs size or traffic and team or independent deploys", crossing.join(", ")));
        Recommendation::Watch
    };
    if e.fan_in >= 3 {
        reasons.push(format!(
            "{} other domains import it (tightly coupled)",
            e.fan_in
        ));
    }
    if let Some(note) = guide_list(&e.name) {
        reasons.push(note.to_owned());
    }
    let blockers = blockers(e);
    let ready = !blockers.iter().any(|b| b.blocking);
    let recommendation = match kept_by_nature(e) {
        Some(why) => {
            reasons.insert(0, why);
            Recommendation::Keep
        }
        None if recommendation == Recommendation::Extract && !ready => {
            let first = blockers.iter().find(|b| b.blocking).map_or("", |b| b.kind);
            reasons.push(format!(
                "justified but not ready: solve the blockers first, starting with {first}"
            ));
            Recommendation::Prepare
        }
        None => recommendation,
    };
    let (confidence, confidence_notes) = confidence(e, &[&traffic, &team]);
    Decision {
        factors: vec![traffic, team, complexity, deployment, technology, data],
        recommendation,
        reasons,
        confidence,
        confidence_notes,
        ready,
        blockers,
    }
}

/// What stands between the domain and a service of its own, in the order to
/// work on it: cycles first (nothing moves while they stand), then an API for
/// the importers, the shared data, the change coupling, then the tests and
/// the monitoring the checklist asks for before extraction.
fn blockers(e: &Evidence) -> Vec<Blocker> {
    const ISOLATED: &str = "Service logic is well-isolated and tested";
    let mut blockers = Vec::new();
    // One blocker per cycle: in a large knot every other member is listed once.
    if !e.cycles_with.is_empty() {
        const LISTED: usize = 5;
        let others = &e.cycles_with;
        let detail = if others.len() <= LISTED {
            format!("import cycle with {}", others.join(", "))
        } else {
            format!(
                "import cycle with {} domains: {} and {} more",
                others.len(),
                others[..LISTED].join(", "),
                others.len() - LISTED
            )
        };
        blockers.push(Blocker {
            kind: "cycle",
            detail,
            checklist: ISOLATED,
            blocking: true,
        });
    }
    if e.fan_in >= 3 {
        blockers.push(Blocker {
            kind: "fan-in",
            detail: format!("{} domains import it; give them an API first", e.fan_in),
            checklist: "Create service package with same API interface",
            blocking: true,
        });
    }
    for (model, others) in &e.shared_models {
        blockers.push(Blocker {
            kind: "shared-data",
            detail: format!("model {model} is also used by {}", others.join(", ")),
            checklist: "Data dependencies are clearly identified",
            // Listed is identified; with its own database it must be split first.
            blocking: e.needs_data_isolation == Some(true),
        });
    }
    for (other, degree) in &e.strong_coupling {
        blockers.push(Blocker {
            kind: "change-coupling",
            detail: format!("changes together with {other} ({degree:.0}% of commits)"),
            checklist: ISOLATED,
            blocking: true,
        });
    }
    if e.test_files == 0 {
        blockers.push(Blocker {
            kind: "tests",
            detail: "no test file in its folders or importing it".into(),
            checklist: ISOLATED,
            blocking: true,
        });
    }
    if e.monitoring == Monitoring::None {
        blockers.push(Blocker {
            kind: "monitoring",
            detail: "no logging, metrics or health endpoint found in it or in the project".into(),
            checklist: "Monitoring and logging are in place",
            blocking: true,
        });
    }
    blockers
}

/// 1 with every factor measured on enough data; less for each factor that is
/// unknown, or measured on little (a few commits, a few requests), and for
/// facts nobody declared.
fn confidence(e: &Evidence, measured: &[&Factor]) -> (f64, Vec<String>) {
    let mut confidence: f64 = 1.0;
    let mut notes = Vec::new();
    for factor in measured {
        if factor.verdict == Verdict::Unknown {
            confidence -= 0.25;
            notes.push(format!("{}: unknown", factor.name));
        }
    }
    match e.revisions {
        Some(n) if e.authors.is_some() && n < 5 => {
            confidence -= 0.15;
            notes.push(format!("team: only {n} commit(s) in the window"));
        }
        Some(n) if e.authors.is_some() && n < 20 => {
            confidence -= 0.05;
            notes.push(format!("team: {n} commits in the window"));
        }
        _ => {}
    }
    match e.requests {
        Some(n) if e.traffic_avg.is_some() && n < 100 => {
            confidence -= 0.1;
            notes.push(format!("traffic: only {n} request(s) seen"));
        }
        _ => {}
    }
    if e.independent_deploys.is_none() {
        confidence -= 0.05;
        notes.push("deployment: not declared ([facts])".into());
    }
    if e.needs_data_isolation.is_none() {
        confidence -= 0.05;
        notes.push("data isolation: not declared ([facts])".into());
    }
    ((confidence.max(0.05) * 100.0).round() / 100.0, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checklist_needs_size_or_traffic_and_team_or_deploys() {
        let t = Thresholds::default();
        let ai = Evidence {
            name: "ai".into(),
            code_lines: 1260,
            authors: Some(5),
            traffic_avg: Some(150.0),
            own_packages: vec!["openai".into()],
            test_files: 2,
            monitoring: Monitoring::Project("health checks".into()),
            ..Evidence::default()
        };
        assert_eq!(decide(&ai, &t).recommendation, Recommendation::Extract);
        let skills = Evidence {
            name: "skills".into(),
            code_lines: 414,
            authors: Some(3),
            traffic_avg: Some(1464.8),
            fan_in: 4,
            ..Evidence::default()
        };
        let d = decide(&skills, &t);
        assert_eq!(d.recommendation, Recommendation::Watch);
        assert!(d.blockers.iter().any(|b| b.kind == "fan-in"));
        let categories = Evidence {
            name: "categories".into(),
            code_lines: 106,
            authors: Some(1),
            traffic_avg: Some(205.6),
            ..Evidence::default()
        };
        assert_eq!(decide(&categories, &t).recommendation, Recommendation::Keep);
        let unknown = Evidence {
            name: "x".into(),
            code_lines: 10,
            ..Evidence::default()
        };
        assert!(decide(&unknown, &t).confidence < 0.5);
    }

    /// Justified but blocked is `prepare`, with the blockers in the order to
    /// work on them; listed shared data only blocks when the domain needs
    /// its own database.
    #[test]
    fn justified_but_blocked_is_prepare_with_blockers_in_working_order() {
        let t = Thresholds::default();
        let blocked = Evidence {
            name: "billing".into(),
            code_lines: 5000,
            authors: Some(6),
            revisions: Some(3),
            fan_in: 4,
            cycles_with: vec!["orders".into()],
            shared_models: vec![("Invoice".into(), vec!["orders".into()])],
            strong_coupling: vec![("orders".into(), 70.0)],
            ..Evidence::default()
        };
        let d = decide(&blocked, &t);
        assert_eq!(d.recommendation, Recommendation::Prepare);
        assert!(!d.ready);
        let kinds: Vec<&str> = d.blockers.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                "cycle",
                "fan-in",
                "shared-data",
                "change-coupling",
                "tests",
                "monitoring"
            ]
        );
        assert!(!d.blockers[2].blocking, "listed shared data is to plan");
        assert!(d.reasons.last().unwrap().contains("starting with cycle"));
        // Three commits back the team figure: the confidence says so.
        assert!(
            d.confidence_notes
                .iter()
                .any(|n| n.contains("only 3 commit"))
        );
        let ready = Evidence {
            cycles_with: Vec::new(),
            fan_in: 0,
            strong_coupling: Vec::new(),
            test_files: 1,
            monitoring: Monitoring::Domain("pino".into()),
            revisions: Some(40),
            ..blocked.clone()
        };
        let d = decide(&ready, &t);
        assert_eq!(d.recommendation, Recommendation::Extract);
        assert!(d.ready);
        let isolated = Evidence {
            needs_data_isolation: Some(true),
            ..ready
        };
        let d = decide(&isolated, &t);
        assert_eq!(d.recommendation, Recommendation::Prepare);
        assert!(
            d.blockers
                .iter()
                .all(|b| b.kind != "shared-data" || b.blocking)
        );
        // Not justified stays watch or keep, whatever its blockers.
        let small = Evidence {
            name: "notes".into(),
            code_lines: 50,
            authors: Some(1),
            ..Evidence::default()
        };
        assert_eq!(decide(&small, &t).recommendation, Recommendation::Keep);
    }

    #[test]
    fn a_large_cycle_is_one_blocker_naming_the_first_members() {
        let e = Evidence {
            name: "a".into(),
            cycles_with: (1..=8).map(|n| format!("d{n}")).collect(),
            ..Evidence::default()
        };
        let cycles: Vec<String> = decide(&e, &Thresholds::default())
            .blockers
            .into_iter()
            .filter(|b| b.kind == "cycle")
            .map(|b| b.detail)
            .collect();
        assert_eq!(
            cycles,
            ["import cycle with 8 domains: d1, d2, d3, d4, d5 and 3 more"]
        );
    }
}
