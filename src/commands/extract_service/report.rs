//! What extract-service shows: the plan (CREATE / UPDATE / MOVE lines, the
//! crossings, shared data, what comes next), whether it was written, and the
//! templates `--list-templates` finds.

use std::fmt::Write as _;

use serde::Serialize;

use super::moves::Crossing;
use crate::adapters::fs::changeset::Planned;
use crate::exit::Outcome;
use crate::output::{Report, Styler, Tone};

#[derive(Debug, Serialize)]
pub struct ExtractReport {
    pub service: String,
    pub template: String,
    pub package: String,
    /// `planned` (dry run or declined), `written`.
    pub status: String,
    pub changes: Vec<Planned>,
    pub moved_files: usize,
    pub rewritten_imports: usize,
    pub outgoing: Vec<Crossing>,
    pub incoming: Vec<Crossing>,
    pub shared_models: Vec<SharedModel>,
    pub packages: Vec<String>,
    /// `--update`: files whose merge left conflict markers.
    pub conflicts: Vec<String>,
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    pub next: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SharedModel {
    pub model: String,
    pub also_used_by: Vec<String>,
}

impl Report for ExtractReport {
    fn render_human(&self, style: &Styler) -> String {
        let mut out = String::new();
        for change in &self.changes {
            let label = style.paint(Tone::Strong, change.action.label());
            match &change.from {
                Some(from) => {
                    let _ = writeln!(out, "{label} {} (from {from})", change.path);
                }
                None => {
                    let _ = writeln!(out, "{label} {}", change.path);
                }
            }
        }
        if self.moved_files > 0 {
            let _ = writeln!(
                out,
                "\n{} files move, {} imports rewritten",
                self.moved_files, self.rewritten_imports
            );
        }
        section(
            &mut out,
            "The service imports from the monolith (it must receive or call these):",
            &self.outgoing,
        );
        section(
            &mut out,
            "The monolith calls the service (the API it must offer):",
            &self.incoming,
        );
        if !self.shared_models.is_empty() {
            out.push_str("\nShared data (Prisma models):\n");
            for m in &self.shared_models {
                let others = if m.also_used_by.is_empty() {
                    "only this service".to_owned()
                } else {
                    format!("also {}", m.also_used_by.join(", "))
                };
                let _ = writeln!(out, "  {}: {others}", m.model);
            }
        }
        if !self.conflicts.is_empty() {
            let _ = writeln!(
                out,
                "\n{} (resolve the <<<<<<< markers):",
                style.paint(Tone::Bad, "Conflicts")
            );
            for path in &self.conflicts {
                let _ = writeln!(out, "  {path}");
            }
        }
        for warning in &self.warnings {
            let _ = writeln!(out, "\n{} {warning}", style.paint(Tone::Warn, "warning:"));
        }
        if let Some(diff) = &self.diff {
            out.push('\n');
            out.push_str(diff);
        }
        let status = if self.status == "written" {
            style.paint(Tone::Good, "written")
        } else {
            style.paint(Tone::Warn, "nothing written (plan only)")
        };
        let _ = writeln!(
            out,
            "\n{}: {} changes, {status}",
            self.package,
            self.changes.len()
        );
        if self.status == "written" && !self.next.is_empty() {
            out.push_str("Next:\n");
            for step in &self.next {
                let _ = writeln!(out, "  {step}");
            }
        }
        out
    }

    fn outcome(&self) -> Outcome {
        if self.conflicts.is_empty() {
            Outcome::Success
        } else {
            Outcome::Failures
        }
    }
}

fn section(out: &mut String, title: &str, list: &[Crossing]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    for c in list {
        let _ = writeln!(
            out,
            "  {}:{} {} -> {}",
            c.file, c.line, c.rewritten, c.target
        );
    }
}

/// `--list-templates`.
#[derive(Debug, Serialize)]
pub struct TemplatesReport {
    pub templates: Vec<TemplateInfo>,
}

#[derive(Debug, Serialize)]
pub struct TemplateInfo {
    pub name: String,
    pub source: String,
    pub description: String,
    pub variables: Vec<VariableInfo>,
}

#[derive(Debug, Serialize)]
pub struct VariableInfo {
    pub name: String,
    pub kind: &'static str,
    pub default: Option<String>,
    pub help: String,
}

impl Report for TemplatesReport {
    fn render_human(&self, style: &Styler) -> String {
        let mut out = String::new();
        for t in &self.templates {
            let _ = writeln!(
                out,
                "{} ({}): {}",
                style.paint(Tone::Strong, &t.name),
                t.source,
                t.description
            );
            let mut table = style.table(&["variable", "kind", "default", "what it is"]);
            for v in &t.variables {
                table.add_row(vec![
                    v.name.clone(),
                    v.kind.to_owned(),
                    v.default.clone().unwrap_or_else(|| "(required)".into()),
                    v.help.clone(),
                ]);
            }
            out.push_str(&style.render_table(&table));
            out.push('\n');
        }
        out
    }
}
