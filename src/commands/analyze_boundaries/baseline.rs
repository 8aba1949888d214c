//! `--baseline FILE`: what got worse since a saved JSON report, so a CI step
//! on a project with years of history fails only on new trouble: a domain
//! whose recommendation moved toward extract, a new boundary-crossing import
//! (matched by file and target, not line, so an edit above it does not bring
//! it back), a new import cycle, a model newly shared. Pure.

use std::collections::BTreeSet;

use serde::Serialize;

use super::report::BoundaryReport;
use crate::config::reader::LocatedError;

/// What the baseline knew, read from a saved report.
#[derive(Debug, Default)]
pub struct Baseline {
    pub file: String,
    recommendations: Vec<(String, String)>,
    crossings: BTreeSet<(String, String)>,
    cycles: BTreeSet<Vec<String>>,
    shared: BTreeSet<(String, String)>,
}

/// What got worse.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Regressions {
    pub baseline: String,
    /// `domain: keep → watch`.
    pub recommendations: Vec<String>,
    pub crossings: Vec<NewCrossing>,
    pub cycles: Vec<Vec<String>>,
    /// `(domain, model)`.
    pub shared_models: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewCrossing {
    pub file: String,
    pub line: usize,
    pub target: String,
    pub domain: String,
    pub target_domain: String,
}

impl Regressions {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.recommendations.is_empty()
            && self.crossings.is_empty()
            && self.cycles.is_empty()
            && self.shared_models.is_empty()
    }
}

fn rank(recommendation: &str) -> u8 {
    match recommendation {
        "extract" => 3,
        "prepare" => 2,
        "watch" => 1,
        _ => 0,
    }
}

fn cycle_key(cycle: &[String]) -> Vec<String> {
    let mut key: Vec<String> = cycle.to_vec();
    key.sort();
    key.dedup();
    key
}

impl Baseline {
    /// Reads a saved `analyze-boundaries --format json` report of `project`.
    pub fn parse(text: &str, file: &str, project: &str) -> Result<Baseline, LocatedError> {
        let located = |line: usize, column: usize, message: String| LocatedError {
            path: file.to_owned(),
            line,
            column,
            key: None,
            message,
        };
        let doc = crate::config::reader::json_document(text, file, "a JSON report")?;
        if let Some(kind) = doc.get("report").and_then(serde_json::Value::as_str)
            && kind != "analyze-boundaries"
        {
            return Err(located(
                1,
                1,
                format!("a baseline of `{kind}`, not of analyze-boundaries"),
            ));
        }
        let domains = doc
            .get("domains")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| located(1, 1, "not an analyze-boundaries report (no `domains`); write one with --write-baseline".into()))?;
        if let Some(other) = doc.get("project").and_then(serde_json::Value::as_str)
            && other != project
        {
            return Err(located(
                1,
                1,
                format!("a baseline of project `{other}`, but this is `{project}`"),
            ));
        }
        let mut baseline = Baseline {
            file: file.to_owned(),
            ..Baseline::default()
        };
        let text_of = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        for domain in domains {
            let name = text_of(&domain["name"]);
            baseline
                .recommendations
                .push((name.clone(), text_of(&domain["recommendation"])));
            for edge in domain["boundary_edges"].as_array().into_iter().flatten() {
                baseline
                    .crossings
                    .insert((text_of(&edge["file"]), text_of(&edge["target"])));
            }
            for model in domain["shared_models"].as_array().into_iter().flatten() {
                baseline.shared.insert((name.clone(), text_of(model)));
            }
        }
        for cycle in doc["cycles"].as_array().into_iter().flatten() {
            let names: Vec<String> = cycle
                .as_array()
                .into_iter()
                .flatten()
                .map(text_of)
                .collect();
            baseline.cycles.insert(cycle_key(&names));
        }
        Ok(baseline)
    }

    /// What `report` has that the baseline did not.
    #[must_use]
    pub fn compare(&self, report: &BoundaryReport<'_>) -> Regressions {
        let mut out = Regressions {
            baseline: self.file.clone(),
            ..Regressions::default()
        };
        for domain in &report.domains {
            let now = domain.decision.recommendation.label();
            let was = self
                .recommendations
                .iter()
                .find(|(name, _)| *name == domain.name)
                .map(|(_, r)| r.as_str());
            if let Some(was) = was
                && rank(now) > rank(was)
            {
                out.recommendations
                    .push(format!("{}: {was} → {now}", domain.name));
            }
            // Each domain lists the crossings into it too: count each from its importer's side.
            for edge in domain
                .boundary_edges
                .iter()
                .filter(|e| e.target_domain != domain.name)
            {
                if !self
                    .crossings
                    .contains(&(edge.file.to_owned(), edge.target.to_owned()))
                {
                    out.crossings.push(NewCrossing {
                        file: edge.file.to_owned(),
                        line: edge.line,
                        target: edge.target.to_owned(),
                        domain: domain.name.clone(),
                        target_domain: edge.target_domain.to_owned(),
                    });
                }
            }
            for model in &domain.shared_models {
                if !self.shared.contains(&(domain.name.clone(), model.clone())) {
                    out.shared_models.push((domain.name.clone(), model.clone()));
                }
            }
        }
        for cycle in &report.cycles {
            if !self.cycles.contains(&cycle_key(cycle)) {
                out.cycles.push(cycle.clone());
            }
        }
        out
    }
}
