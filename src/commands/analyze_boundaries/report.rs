//! The boundary report: per-domain evidence and decision, the domain graph,
//! and its renderings (table, JSON, Markdown, Mermaid, DOT; HTML in `html.rs`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::decision::{Decision, Recommendation, Verdict};
use super::history::Coupling;
use super::traffic::Rate;
use crate::exit::Outcome;
use crate::output::{Format, Report, Styler, Tone};
use crate::repo::imports::EdgeKind;
use crate::repo::loc::LineCounts;

/// An import that would cross the boundary if the domain were extracted.
/// Borrowed from the walked files: a report lists thousands of these.
#[derive(Debug, Clone, Serialize)]
pub struct BoundaryEdge<'a> {
    pub file: &'a str,
    pub line: usize,
    pub kind: EdgeKind,
    pub target: &'a str,
    pub target_domain: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct DomainReport<'a> {
    pub name: String,
    /// domain, app, shared or data: only a domain is ever extracted.
    pub role: crate::repo::domains::Role,
    pub paths: Vec<String>,
    pub files: usize,
    pub lines: LineCounts,
    pub languages: BTreeMap<String, LineCounts>,
    /// Domains importing this one.
    pub fan_in: Vec<String>,
    /// Domains this one imports.
    pub fan_out: Vec<String>,
    pub authors: Option<Vec<String>>,
    pub revisions: Option<usize>,
    pub traffic: Option<Rate>,
    pub models: Vec<String>,
    pub shared_models: Vec<String>,
    pub own_packages: Vec<String>,
    #[serde(flatten)]
    pub decision: Decision,
    /// Imports in and out of the domain, with file:line (the first 200).
    pub boundary_edges: Vec<BoundaryEdge<'a>>,
    pub boundary_edges_total: usize,
}

/// Imports between two domains.
#[derive(Debug, Clone, Serialize)]
pub struct DomainEdge {
    pub from: String,
    pub to: String,
    pub imports: usize,
    pub kinds: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LanguageTotal {
    pub files: usize,
    #[serde(flatten)]
    pub lines: LineCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unassigned {
    pub files: usize,
    pub lines: LineCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistorySummary {
    /// `git`, or the saved log's path.
    pub source: String,
    pub since_days: u64,
    /// The window's end: the date of the newest commit (not today).
    pub until: Option<String>,
    pub commits_read: usize,
    pub commits_used: usize,
    pub bot_commits: usize,
    pub large_commits: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrafficSummary {
    pub sources: Vec<String>,
    pub requests: u64,
    pub malformed_lines: u64,
    pub unmatched: u64,
    pub window_minutes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoundaryReport<'a> {
    /// Marks a saved report, so a `--baseline` of the wrong kind is refused.
    pub report: &'static str,
    /// `[project] name`, else the root folder's name: what a baseline must match.
    pub project: String,
    pub root: String,
    pub files: usize,
    pub lines: LineCounts,
    /// Every measured file by language (files, code, comment, blank).
    pub languages: BTreeMap<String, LanguageTotal>,
    pub extract: Vec<String>,
    /// Justified but not ready: the blockers come first.
    pub prepare: Vec<String>,
    pub watch: Vec<String>,
    pub keep: Vec<String>,
    pub domains: Vec<DomainReport<'a>>,
    pub unassigned: Unassigned,
    pub edges: Vec<DomainEdge>,
    pub cycles: Vec<Vec<String>>,
    pub coupling: Vec<Coupling>,
    pub history: Option<HistorySummary>,
    pub traffic: Option<TrafficSummary>,
    /// Files the parser could not read (imports found by a regex scan instead).
    pub parse_failures: Vec<String>,
    /// Imports of domain files that lead to no file here, by reason
    /// (`external package`, `missing file`, `unknown workspace name or subpath`, …).
    pub unresolved: BTreeMap<String, usize>,
    pub warnings: Vec<String>,
    /// With --baseline: what got worse since the saved report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regressions: Option<super::baseline::Regressions>,
    /// With --suggest: proposed boundaries and what would move.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<super::suggest::Suggestion>,
    /// With --fail-on: the recommendation that fails the run.
    #[serde(skip)]
    pub fail_on: Option<Recommendation>,
}

fn rec_tone(r: Recommendation) -> Tone {
    match r {
        Recommendation::Extract => Tone::Bad,
        Recommendation::Prepare | Recommendation::Watch => Tone::Warn,
        Recommendation::Keep => Tone::Good,
    }
}

fn factor_cell(d: &DomainReport, name: &str) -> String {
    d.decision
        .factors
        .iter()
        .find(|f| f.name == name)
        .map_or_else(String::new, |f| {
            let mark = match f.verdict {
                Verdict::Extract => "▲ ",
                Verdict::Monolith => "",
                Verdict::Unknown => "? ",
            };
            format!("{mark}{}", f.value)
        })
}

impl BoundaryReport<'_> {
    pub(super) fn summary_line(&self) -> String {
        format!(
            "{} domains: {} extract, {} prepare, {} watch, {} keep in monolith ({} files, {} code lines; {} unassigned files)",
            self.domains.len(),
            self.extract.len(),
            self.prepare.len(),
            self.watch.len(),
            self.keep.len(),
            self.files,
            self.lines.code,
            self.unassigned.files
        )
    }

    fn markdown(&self) -> String {
        let mut md = String::from("# Service boundary analysis\n\n");
        let _ = writeln!(md, "{}\n", self.summary_line());
        md.push_str("| domain | recommendation | confidence | LOC | team | traffic (avg/peak req/min) | fan-in | fan-out | shared models |\n|---|---|---:|---:|---:|---|---:|---:|---|\n");
        for d in &self.domains {
            let _ = writeln!(
                md,
                "| {} | **{}** | {:.0}% | {} | {} | {} | {} | {} | {} |",
                d.name,
                d.decision.recommendation.label(),
                d.decision.confidence * 100.0,
                d.lines.code,
                d.authors
                    .as_ref()
                    .map_or_else(|| "unknown".to_owned(), |a| a.len().to_string()),
                d.traffic.map_or_else(
                    || "unknown".to_owned(),
                    |t| format!("{:.0} / {}", t.avg_per_min, t.peak_per_min)
                ),
                d.fan_in.len(),
                d.fan_out.len(),
                if d.shared_models.is_empty() {
                    "none".to_owned()
                } else {
                    d.shared_models.join(", ")
                }
            );
        }
        for d in &self.domains {
            let _ = writeln!(
                md,
                "\n## {} — {}\n",
                d.name,
                d.decision.recommendation.label()
            );
            for reason in &d.decision.reasons {
                let _ = writeln!(md, "- {reason}");
            }
            md.push_str("\n| factor | value | threshold | verdict |\n|---|---|---|---|\n");
            for f in &d.decision.factors {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {:?} |",
                    f.name, f.value, f.threshold, f.verdict
                );
            }
            if !d.decision.blockers.is_empty() {
                md.push_str("\nBlockers to solve first:\n\n");
                for b in &d.decision.blockers {
                    let plan = if b.blocking { "" } else { " (to plan)" };
                    let _ = writeln!(
                        md,
                        "- [ ] {}{plan} — checklist: *{}*",
                        b.detail, b.checklist
                    );
                }
            }
        }
        if !self.cycles.is_empty() {
            md.push_str("\n## Import cycles between domains\n\n");
            for cycle in &self.cycles {
                let _ = writeln!(md, "- {}", cycle.join(" → "));
            }
        }
        md
    }

    fn mermaid(&self) -> String {
        let mut out = String::from("graph LR\n");
        for d in &self.domains {
            let _ = writeln!(
                out,
                "  {}[\"{}<br/>{}\"]",
                id(&d.name),
                d.name,
                d.decision.recommendation.label()
            );
        }
        for e in &self.edges {
            let _ = writeln!(out, "  {} -->|{}| {}", id(&e.from), e.imports, id(&e.to));
        }
        for c in &self.coupling {
            let _ = writeln!(
                out,
                "  {} -.-|co-change {:.0}%| {}",
                id(&c.a),
                c.degree,
                id(&c.b)
            );
        }
        out
    }

    fn dot(&self) -> String {
        let mut out = String::from("digraph domains {\n  rankdir=LR;\n  node [shape=box];\n");
        for d in &self.domains {
            let color = match d.decision.recommendation {
                Recommendation::Extract => "red",
                Recommendation::Prepare => "darkorange",
                Recommendation::Watch => "orange",
                Recommendation::Keep => "darkgreen",
            };
            let _ = writeln!(
                out,
                "  \"{}\" [label=\"{}\\n{} LOC\\n{}\", color={color}];",
                d.name,
                d.name,
                d.lines.code,
                d.decision.recommendation.label()
            );
        }
        for e in &self.edges {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{}\", weight={}];",
                e.from, e.to, e.imports, e.imports
            );
        }
        for c in &self.coupling {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [dir=none, style=dashed, label=\"{:.0}%\", penwidth={:.1}];",
                c.a,
                c.b,
                c.degree,
                1.0 + c.degree / 25.0
            );
        }
        out.push_str("}\n");
        out
    }
}

/// An identifier from a domain name (names may hold `/`, `@`, `-`, spaces):
/// Mermaid node ids, HTML anchors.
pub(super) fn id(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// `--suggest`'s proposal: the scores, the map to paste, the largest moves.
fn suggestion_text(s: &super::suggest::Suggestion, style: &Styler) -> String {
    const SHOWN: usize = 20;
    let mut text = format!(
        "\n{}\nLouvain over {} folders ({}): modularity {:.3}, the map in use {:.3}\n\n{}",
        style.paint(Tone::Strong, "suggested boundaries"),
        s.folders,
        s.weights,
        s.modularity,
        s.configured_modularity,
        s.toml()
    );
    if s.moves.is_empty() {
        text.push_str("\nno code changes domain\n");
        return text;
    }
    let _ = writeln!(
        text,
        "\nmoves {} of {} code lines from the map in use:",
        s.moved_lines, s.lines
    );
    let mut table = style.table(&["folder", "lines", "from", "to"]);
    for m in s.moves.iter().take(SHOWN) {
        table.add_row(vec![
            m.path.clone(),
            m.lines.to_string(),
            m.from.clone().unwrap_or_else(|| "(unassigned)".to_owned()),
            m.to.clone(),
        ]);
    }
    text.push_str(&style.render_table(&table));
    if s.moves.len() > SHOWN {
        let _ = writeln!(
            text,
            "… and {} more (--format json lists all)",
            s.moves.len() - SHOWN
        );
    }
    text
}

impl Report for BoundaryReport<'_> {
    fn render_human(&self, style: &Styler) -> String {
        let mut table = style.table(&[
            "domain",
            "recommendation",
            "conf",
            "LOC",
            "team",
            "traffic req/min",
            "tech",
            "in/out",
            "blockers",
        ]);
        for d in &self.domains {
            table.add_row(vec![
                d.name.clone(),
                style.paint(
                    rec_tone(d.decision.recommendation),
                    d.decision.recommendation.label(),
                ),
                format!("{:.0}%", d.decision.confidence * 100.0),
                factor_cell(d, "complexity").replace(" LOC", ""),
                factor_cell(d, "team").replace(" developers", ""),
                factor_cell(d, "traffic"),
                factor_cell(d, "technology"),
                format!("{}/{}", d.fan_in.len(), d.fan_out.len()),
                d.decision.blockers.len().to_string(),
            ]);
        }
        let mut text = style.render_table(&table);
        for d in self
            .domains
            .iter()
            .filter(|d| d.decision.recommendation != Recommendation::Keep)
        {
            let _ = writeln!(
                text,
                "\n{} {}: {}",
                style.paint(
                    rec_tone(d.decision.recommendation),
                    d.decision.recommendation.label()
                ),
                d.name,
                d.decision.reasons.join("; ")
            );
            for b in &d.decision.blockers {
                let what = if b.blocking { "blocker" } else { "to plan" };
                let _ = writeln!(text, "  {what}: {} (checklist: {})", b.detail, b.checklist);
            }
        }
        if !self.cycles.is_empty() {
            let _ = writeln!(
                text,
                "\nimport cycles: {}",
                self.cycles
                    .iter()
                    .map(|c| c.join(" → "))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        if let Some(r) = &self.regressions {
            text.push_str(&regressions_text(r, style));
        }
        if let Some(s) = &self.suggestion {
            text.push_str(&suggestion_text(s, style));
        }
        if let Some(h) = &self.history {
            let _ = write!(
                text,
                "\nhistory: {} commits in the {} days",
                h.commits_used, h.since_days
            );
            if let Some(until) = &h.until {
                let _ = write!(text, " up to the newest commit ({until})");
            }
            if h.source != "git" {
                let _ = write!(text, ", from {}", h.source);
            }
            text.push('\n');
        }
        let _ = writeln!(
            text,
            "\n{}",
            style.paint(Tone::Strong, &self.summary_line())
        );
        text
    }

    fn render_alternate(&self, format: Format) -> Option<String> {
        match format {
            Format::Markdown => Some(self.markdown()),
            Format::Mermaid => Some(self.mermaid()),
            Format::Dot => Some(self.dot()),
            Format::Html => Some(super::html::page(self)),
            Format::Github => Some(crate::annotate::github(&self.annotations())),
            Format::Sarif => {
                let log = crate::annotate::sarif(
                    "skillsctl analyze-boundaries",
                    env!("CARGO_PKG_VERSION"),
                    &annotation_rules(),
                    &self.annotations(),
                );
                Some(format!("{}\n", serde_json::to_string_pretty(&log).ok()?))
            }
            Format::Table | Format::Json => None,
        }
    }

    fn outcome(&self) -> Outcome {
        // With a baseline, --fail-on fails only on what got worse.
        if let Some(regressions) = &self.regressions {
            return if self.fail_on.is_some() && !regressions.is_empty() {
                Outcome::Failures
            } else {
                Outcome::Success
            };
        }
        match self.fail_on {
            Some(level)
                if self
                    .domains
                    .iter()
                    .any(|d| d.decision.recommendation >= level) =>
            {
                Outcome::Failures
            }
            _ => Outcome::Success,
        }
    }
}

fn annotation_rules() -> Vec<crate::annotate::Rule> {
    vec![
        crate::annotate::Rule {
            id: "boundary-crossing".into(),
            summary: "An import crosses a domain boundary".into(),
            help: "Each import from one domain into another is a call the extracted service must make over the network; route it through the other domain's public module or an API.".into(),
        },
        crate::annotate::Rule {
            id: "import-cycle".into(),
            summary: "Domains import each other in a cycle".into(),
            help: "A cycle between domains keeps them from being extracted apart; break it by moving the shared code or inverting one dependency.".into(),
        },
    ]
}

impl BoundaryReport<'_> {
    /// Crossing imports at their file:line (errors when a baseline shows them
    /// new), and cycles at the first crossing that closes them.
    fn annotations(&self) -> Vec<crate::annotate::Annotation> {
        use crate::annotate::{Annotation, Level, fingerprint};
        let new: std::collections::BTreeSet<(&str, &str)> = self
            .regressions
            .iter()
            .flat_map(|r| &r.crossings)
            .map(|c| (c.file.as_str(), c.target.as_str()))
            .collect();
        let mut out = Vec::new();
        for domain in &self.domains {
            // Each domain lists the crossings into it too: annotate each once, at its importer.
            for edge in domain
                .boundary_edges
                .iter()
                .filter(|e| e.target_domain != domain.name)
            {
                let is_new = new.contains(&(edge.file, edge.target));
                if self.regressions.is_some() && !is_new {
                    continue;
                }
                out.push(Annotation {
                    level: if is_new { Level::Error } else { Level::Warning },
                    rule: "boundary-crossing".into(),
                    file: edge.file.to_owned(),
                    line: edge.line,
                    column: None,
                    message: format!(
                        "{} imports {} of {} ({}){}",
                        domain.name,
                        edge.target,
                        edge.target_domain,
                        edge.kind.label(),
                        if is_new {
                            ", new since the baseline"
                        } else {
                            ""
                        }
                    ),
                    fingerprint: fingerprint(&["boundary-crossing", edge.file, edge.target]),
                });
            }
        }
        let cycles: Vec<&Vec<String>> = match &self.regressions {
            Some(r) => r.cycles.iter().collect(),
            None => self.cycles.iter().collect(),
        };
        for cycle in cycles {
            let first = cycle.first().map(String::as_str).unwrap_or_default();
            let second = cycle.get(1).map(String::as_str).unwrap_or_default();
            let site = self
                .domains
                .iter()
                .find(|d| d.name == first)
                .and_then(|d| d.boundary_edges.iter().find(|e| e.target_domain == second));
            if let Some(edge) = site {
                out.push(Annotation {
                    level: Level::Warning,
                    rule: "import-cycle".into(),
                    file: edge.file.to_owned(),
                    line: edge.line,
                    column: None,
                    message: format!("import cycle between domains: {}", cycle.join(" → ")),
                    fingerprint: fingerprint(
                        &[
                            &["import-cycle"],
                            &cycle.iter().map(String::as_str).collect::<Vec<_>>()[..],
                        ]
                        .concat(),
                    ),
                });
            }
        }
        out
    }
}

/// The "worse than the baseline" section.
fn regressions_text(r: &super::baseline::Regressions, style: &Styler) -> String {
    let mut text = String::new();
    if r.is_empty() {
        let _ = writeln!(
            text,
            "\nNothing got worse since the baseline {}.",
            r.baseline
        );
        return text;
    }
    let _ = writeln!(
        text,
        "\n{}",
        style.paint(
            Tone::Bad,
            &format!("Worse than the baseline {}:", r.baseline)
        )
    );
    for line in &r.recommendations {
        let _ = writeln!(text, "  recommendation {line}");
    }
    for c in &r.crossings {
        let _ = writeln!(
            text,
            "  new crossing import {}:{} {} → {} ({})",
            c.file, c.line, c.domain, c.target_domain, c.target
        );
    }
    for cycle in &r.cycles {
        let _ = writeln!(text, "  new import cycle {}", cycle.join(" → "));
    }
    for (domain, model) in &r.shared_models {
        let _ = writeln!(text, "  {domain} now shares model {model}");
    }
    text
}
