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
    Extract,
}

impl Recommendation {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Recommendation::Keep => "keep in monolith",
            Recommendation::Watch => "watch",
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
}

/// The decision with its reasons.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub factors: Vec<Factor>,
    pub recommendation: Recommendation,
    pub reasons: Vec<String>,
    /// 0..=1: lower when factors are unknown.
    pub confidence: f64,
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
    let recommendation = match kept_by_nature(e) {
        Some(why) => {
            reasons.insert(0, why);
            Recommendation::Keep
        }
        None => recommendation,
    };
    let mut blockers = Vec::new();
    for (model, others) in &e.shared_models {
        blockers.push(Blocker {
            kind: "shared-data",
            detail: format!("model {model} is also used by {}", others.join(", ")),
            checklist: "Data dependencies are clearly identified",
        });
    }
    for other in &e.cycles_with {
        blockers.push(Blocker {
            kind: "cycle",
            detail: format!("import cycle with {other}"),
            checklist: "Service logic is well-isolated and tested",
        });
    }
    for (other, degree) in &e.strong_coupling {
        blockers.push(Blocker {
            kind: "change-coupling",
            detail: format!("changes together with {other} ({degree:.0}% of commits)"),
            checklist: "Service logic is well-isolated and tested",
        });
    }
    if e.fan_in >= 3 {
        blockers.push(Blocker {
            kind: "fan-in",
            detail: format!("{} domains import it; give them an API first", e.fan_in),
            checklist: "Create service package with same API interface",
        });
    }
    let mut confidence: f64 = 1.0;
    for factor in [&traffic, &team] {
        if factor.verdict == Verdict::Unknown {
            confidence -= 0.25;
        }
    }
    if e.independent_deploys.is_none() {
        confidence -= 0.05;
    }
    if e.needs_data_isolation.is_none() {
        confidence -= 0.05;
    }
    Decision {
        factors: vec![traffic, team, complexity, deployment, technology, data],
        recommendation,
        reasons,
        confidence: (confidence * 100.0).round() / 100.0,
        blockers,
    }
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
}
