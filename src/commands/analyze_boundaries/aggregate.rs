//! From walked files, the domain graph, history and traffic to the report:
//! sums per domain (by index; names come back at the end), fan-in and fan-out,
//! shared models, each domain's own packages, the matrix decision and the
//! boundary edges. Pure.

use std::collections::{BTreeMap, BTreeSet};

use super::decision::{self, Recommendation, Thresholds};
use super::graph::{Crossing, DomainGraph, EdgeTarget, WalkedFile};
use super::history::{Coupling, History};
use super::report::{self, BoundaryReport, DomainReport};
use super::traffic::Traffic;
use crate::config::Config;
use crate::repo::domains::Role;
use crate::repo::loc::{Language, LineCounts};

/// Boundary edges listed per domain (all are counted).
const MAX_LISTED_EDGES: usize = 200;

/// What the report is made from, all borrowed.
pub struct Parts<'a> {
    pub project: String,
    pub root: String,
    pub facts: &'a [WalkedFile],
    pub graph: &'a DomainGraph,
    /// Domain names, sorted: index order is name order.
    pub names: &'a [String],
    pub domain_paths: &'a BTreeMap<String, Vec<String>>,
    pub roles: &'a BTreeMap<String, Role>,
    /// The workspace's own package names (never a domain's "own" stack).
    pub workspace_names: BTreeSet<&'a str>,
    pub history: Option<&'a History>,
    pub history_window_days: u64,
    pub traffic: Option<&'a Traffic>,
    pub settings: &'a Config,
    pub warnings: Vec<String>,
    pub fail_on: Option<Recommendation>,
    /// Monitoring the whole project has (a health endpoint, health checks
    /// in skillsctl.toml), which every domain inside it shares.
    pub project_monitoring: Option<String>,
}

/// One domain's sums over its files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DomainTotals {
    pub files: usize,
    pub lines: LineCounts,
    pub languages: BTreeMap<Language, LineCounts>,
    pub models: BTreeSet<String>,
}

/// Sums over every file: per domain, unassigned, per language, and in all.
#[derive(Debug)]
pub struct Totals {
    pub per_domain: Vec<DomainTotals>,
    pub unassigned: report::Unassigned,
    pub total: LineCounts,
    pub languages: BTreeMap<String, report::LanguageTotal>,
    pub parse_failures: Vec<String>,
}

/// Adds up `facts` for `domains` domains.
#[must_use]
pub fn totals(facts: &[WalkedFile], domains: usize) -> Totals {
    let mut per_domain = vec![DomainTotals::default(); domains];
    let mut unassigned = report::Unassigned {
        files: 0,
        lines: LineCounts::default(),
    };
    let mut total = LineCounts::default();
    let mut language_totals: BTreeMap<Language, report::LanguageTotal> = BTreeMap::new();
    let mut parse_failures = Vec::new();
    for fact in facts {
        total.add(fact.lines);
        let language = language_totals.entry(fact.language).or_default();
        language.files += 1;
        language.lines.add(fact.lines);
        if fact.parse_failed {
            parse_failures.push(fact.path.clone());
        }
        let Some(domain) = fact.domain else {
            unassigned.files += 1;
            unassigned.lines.add(fact.lines);
            continue;
        };
        let totals = &mut per_domain[domain];
        totals.files += 1;
        totals.lines.add(fact.lines);
        totals
            .languages
            .entry(fact.language)
            .or_default()
            .add(fact.lines);
        totals.models.extend(fact.models.iter().cloned());
    }
    Totals {
        per_domain,
        unassigned,
        total,
        languages: language_totals
            .into_iter()
            .map(|(language, t)| (language.label().to_owned(), t))
            .collect(),
        parse_failures,
    }
}

/// Who imports whom, by domain index, each list in index order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Fans {
    pub fan_in: Vec<Vec<usize>>,
    pub fan_out: Vec<Vec<usize>>,
}

#[must_use]
pub fn fans(graph: &DomainGraph, domains: usize) -> Fans {
    let mut fans = Fans {
        fan_in: vec![Vec::new(); domains],
        fan_out: vec![Vec::new(); domains],
    };
    for &(from, to) in graph.edges.keys() {
        fans.fan_out[from].push(to);
        fans.fan_in[to].push(from);
    }
    fans
}

/// For each domain, the shared models: its models that other domains use
/// too, with those domains.
#[must_use]
pub fn shared_models(
    per_domain: &[DomainTotals],
    names: &[String],
) -> Vec<Vec<(String, Vec<String>)>> {
    let mut model_users: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (domain, totals) in per_domain.iter().enumerate() {
        for m in &totals.models {
            model_users.entry(m.as_str()).or_default().push(domain);
        }
    }
    per_domain
        .iter()
        .enumerate()
        .map(|(index, totals)| {
            totals
                .models
                .iter()
                .filter_map(|m| {
                    let others: Vec<String> = model_users
                        .get(m.as_str())?
                        .iter()
                        .filter(|&&d| d != index)
                        .map(|&d| names[d].clone())
                        .collect();
                    (!others.is_empty()).then(|| (m.clone(), others))
                })
                .collect()
        })
        .collect()
}

/// For each domain, the packages only it imports (its own stack), the
/// workspace's own packages excluded.
#[must_use]
pub fn own_packages(graph: &DomainGraph, workspace_names: &BTreeSet<&str>) -> Vec<Vec<String>> {
    let mut package_users: BTreeMap<&str, usize> = BTreeMap::new();
    for packages in &graph.packages {
        for p in packages {
            *package_users.entry(p.as_str()).or_default() += 1;
        }
    }
    graph
        .packages
        .iter()
        .map(|packages| {
            packages
                .iter()
                .filter(|p| {
                    package_users.get(p.as_str()) == Some(&1)
                        && !workspace_names.contains(p.as_str())
                })
                .cloned()
                .collect()
        })
        .collect()
}

/// The whole report.
#[must_use]
fn history_summary(h: &super::history::History, since_days: u64) -> report::HistorySummary {
    report::HistorySummary {
        source: h.source.clone(),
        since_days,
        until: h.window_end_unix.map(super::history::date_of),
        commits_read: h.commits_read,
        commits_used: h.commits_used,
        bot_commits: h.bot_commits,
        large_commits: h.large_commits,
    }
}

pub fn report(parts: Parts<'_>) -> BoundaryReport<'_> {
    let Parts {
        facts,
        graph,
        names,
        settings,
        history,
        traffic,
        ..
    } = parts;
    let totals = totals(facts, names.len());
    let fans = fans(graph, names.len());
    let edges = domain_edges(graph, names);
    // Crossing edges per domain (both ends), in (file, line) order already.
    let mut crossings_of: Vec<Vec<&Crossing>> = vec![Vec::new(); names.len()];
    for crossing in &graph.crossings {
        crossings_of[crossing.from].push(crossing);
        crossings_of[crossing.to].push(crossing);
    }
    let graph_by_name: BTreeMap<String, BTreeSet<String>> = names
        .iter()
        .zip(&fans.fan_out)
        .map(|(n, out)| (n.clone(), out.iter().map(|&to| names[to].clone()).collect()))
        .collect();
    let cycles = super::cycles::strongly_connected(&graph_by_name);
    let min_shared = settings.analysis.min_shared_commits.unwrap_or(5);
    let min_degree = settings.analysis.min_coupling_degree.unwrap_or(30.0);
    let coupling = history
        .map(|h| h.couplings(min_shared, min_degree))
        .unwrap_or_default();
    let context = DomainContext {
        facts,
        names,
        fans: &fans,
        shared: shared_models(&totals.per_domain, names),
        own: own_packages(graph, &parts.workspace_names),
        cycles: &cycles,
        coupling: &coupling,
        history,
        traffic,
        settings,
        thresholds: Thresholds {
            traffic_per_min: settings.matrix.traffic_per_min.unwrap_or(1000.0),
            team_size: settings.matrix.team_size.unwrap_or(3),
            loc: settings.matrix.loc.unwrap_or(1000),
        },
        domain_paths: parts.domain_paths,
        roles: parts.roles,
        graph,
        project_monitoring: parts.project_monitoring.as_deref(),
    };
    let domains: Vec<DomainReport<'_>> = totals
        .per_domain
        .iter()
        .enumerate()
        .map(|(index, domain)| context.domain(index, domain, &crossings_of[index]))
        .collect();
    let pick = |r: Recommendation| {
        domains
            .iter()
            .filter(|d| d.decision.recommendation == r)
            .map(|d| d.name.clone())
            .collect::<Vec<_>>()
    };
    BoundaryReport {
        unresolved: BTreeMap::new(),
        report: "analyze-boundaries",
        project: parts.project,
        regressions: None,
        suggestion: None,
        root: parts.root,
        files: facts.len(),
        lines: totals.total,
        languages: totals.languages,
        extract: pick(Recommendation::Extract),
        prepare: pick(Recommendation::Prepare),
        watch: pick(Recommendation::Watch),
        keep: pick(Recommendation::Keep),
        edges,
        domains,
        unassigned: totals.unassigned,
        cycles,
        coupling,
        history: history.map(|h| history_summary(h, parts.history_window_days)),
        traffic: traffic.map(|t| report::TrafficSummary {
            sources: t.sources.clone(),
            requests: t.requests,
            malformed_lines: t.malformed_lines,
            unmatched: t.unmatched,
            window_minutes: t.window_minutes,
        }),
        parse_failures: totals.parse_failures,
        warnings: parts.warnings,
        fail_on: parts.fail_on,
    }
}

/// Imports between domain pairs, by kind.
fn domain_edges(graph: &DomainGraph, names: &[String]) -> Vec<report::DomainEdge> {
    graph
        .edges
        .iter()
        .map(|(&(from, to), kinds)| {
            let kinds: BTreeMap<String, usize> = kinds
                .iter()
                .map(|(kind, n)| (kind.label().to_owned(), *n))
                .collect();
            report::DomainEdge {
                from: names[from].clone(),
                to: names[to].clone(),
                imports: kinds.values().sum(),
                kinds,
            }
        })
        .collect()
}

/// What every domain's row is judged against: `'a` outlives the report
/// (its boundary edges borrow the files' paths), `'l` lives while it is made.
struct DomainContext<'a, 'l> {
    facts: &'a [WalkedFile],
    names: &'a [String],
    fans: &'l Fans,
    shared: Vec<Vec<(String, Vec<String>)>>,
    own: Vec<Vec<String>>,
    cycles: &'l [Vec<String>],
    coupling: &'l [Coupling],
    history: Option<&'a History>,
    traffic: Option<&'a Traffic>,
    settings: &'a Config,
    thresholds: Thresholds,
    domain_paths: &'a BTreeMap<String, Vec<String>>,
    roles: &'a BTreeMap<String, Role>,
    graph: &'l DomainGraph,
    project_monitoring: Option<&'l str>,
}

impl<'a> DomainContext<'a, '_> {
    fn domain(
        &self,
        index: usize,
        totals: &DomainTotals,
        crossings: &[&'a Crossing],
    ) -> DomainReport<'a> {
        let names = self.names;
        let name = &names[index];
        let to_names = |domains: &[usize]| -> Vec<String> {
            domains.iter().map(|&d| names[d].clone()).collect()
        };
        let fan_in = to_names(&self.fans.fan_in[index]);
        let fan_out = to_names(&self.fans.fan_out[index]);
        let authors: Option<Vec<String>> = self.history.map(|h| {
            h.authors
                .get(name)
                .map(|a| {
                    a.values()
                        .cloned()
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect()
                })
                .unwrap_or_default()
        });
        let shared = &self.shared[index];
        let own_packages = self.own[index].clone();
        let rate = self
            .traffic
            .map(|t| t.per_domain.get(name).copied().unwrap_or_default());
        let evidence = self.evidence(
            name,
            totals,
            authors.as_ref().map(Vec::len),
            rate,
            shared,
            &own_packages,
            fan_in.len(),
        );
        let monitoring = match (
            self.graph.monitoring.get(index).and_then(Option::as_ref),
            self.project_monitoring,
        ) {
            (Some(found), _) => decision::Monitoring::Domain(found.clone()),
            (None, Some(project)) => decision::Monitoring::Project(project.to_owned()),
            (None, None) => decision::Monitoring::None,
        };
        let evidence = decision::Evidence {
            fan_out: fan_out.len(),
            test_files: self.graph.test_files.get(index).copied().unwrap_or(0),
            monitoring,
            revisions: self
                .history
                .map(|h| h.revisions.get(name).copied().unwrap_or(0)),
            requests: rate.map(|r| r.requests),
            ..evidence
        };
        // Enough to act on; the count says how many there are in all.
        let facts = self.facts;
        let boundary_edges = crossings
            .iter()
            .take(MAX_LISTED_EDGES)
            .map(|c| report::BoundaryEdge {
                file: &facts[c.file as usize].path,
                line: c.line,
                kind: c.kind,
                target: match &c.target {
                    EdgeTarget::File(found) => &facts[*found as usize].path,
                    EdgeTarget::Path(path) => path,
                },
                target_domain: &names[c.to],
            })
            .collect();
        DomainReport {
            name: name.clone(),
            role: evidence.role,
            paths: self.domain_paths.get(name).cloned().unwrap_or_default(),
            files: totals.files,
            lines: totals.lines,
            languages: totals
                .languages
                .iter()
                .map(|(language, lines)| (language.label().to_owned(), *lines))
                .collect(),
            fan_in,
            fan_out,
            authors,
            revisions: self
                .history
                .map(|h| h.revisions.get(name).copied().unwrap_or(0)),
            traffic: rate,
            models: totals.models.iter().cloned().collect(),
            shared_models: shared.iter().map(|(m, _)| m.clone()).collect(),
            own_packages,
            decision: decision::decide(&evidence, &self.thresholds),
            boundary_edges,
            boundary_edges_total: crossings.len(),
        }
    }

    #[allow(clippy::too_many_arguments)] // one call site, every factor named
    fn evidence(
        &self,
        name: &str,
        totals: &DomainTotals,
        authors: Option<usize>,
        rate: Option<super::traffic::Rate>,
        shared: &[(String, Vec<String>)],
        own_packages: &[String],
        fan_in: usize,
    ) -> decision::Evidence {
        let facts_cfg = self.settings.facts.get(name);
        decision::Evidence {
            name: name.to_owned(),
            role: self.roles.get(name).copied().unwrap_or(Role::Domain),
            code_lines: totals.lines.code,
            authors,
            traffic_avg: rate.map(|r| r.avg_per_min),
            traffic_peak: rate.map(|r| r.peak_per_min),
            independent_deploys: facts_cfg.and_then(|f| f.independent_deploys),
            stack: facts_cfg.and_then(|f| f.stack.clone()),
            own_packages: own_packages.to_vec(),
            needs_data_isolation: facts_cfg.and_then(|f| f.data_isolation),
            shared_models: shared.to_vec(),
            fan_in,
            cycles_with: self
                .cycles
                .iter()
                .filter(|c| c.iter().any(|d| d == name))
                .flat_map(|c| c.iter().filter(|d| *d != name).cloned())
                .collect(),
            fan_out: 0,
            test_files: 0,
            monitoring: decision::Monitoring::None,
            revisions: None,
            requests: None,
            domains: self.names.len(),
            strong_coupling: self
                .coupling
                .iter()
                .filter(|c| (c.a == name || c.b == name) && c.degree >= 50.0)
                .map(|c| {
                    (
                        if c.a == name {
                            c.b.clone()
                        } else {
                            c.a.clone()
                        },
                        c.degree,
                    )
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
