//! Reports of the `migrate` subcommands.

use std::fmt::Write as _;

use serde::Serialize;

use super::lint::Finding;
use super::plan::{Entry, State};
use crate::exit::Outcome;
use crate::output::{Report, Styler, Tone};

fn state_tone(state: State) -> Tone {
    match state {
        State::Applied => Tone::Good,
        State::Pending => Tone::Warn,
        State::Failed | State::ChecksumMismatch | State::MissingOnDisk => Tone::Bad,
    }
}

fn ms(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.1}ms")).unwrap_or_default()
}

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub layout: &'static str,
    /// The database URL with the password masked.
    pub database: String,
    pub source: String,
    pub migrations: Vec<Entry>,
    pub applied: usize,
    pub pending: usize,
    pub problems: usize,
    /// With --check, pending or inconsistent migrations fail the run.
    pub check: bool,
}

impl Report for StatusReport {
    fn render_human(&self, style: &Styler) -> String {
        let mut table = style.table(&[
            "migration",
            "description",
            "state",
            "applied at",
            "duration",
            "detail",
        ]);
        for e in &self.migrations {
            table.add_row(vec![
                e.id.clone(),
                e.description.clone(),
                style.paint(state_tone(e.state), e.state.label()),
                e.applied_at.clone().unwrap_or_default(),
                ms(e.duration_ms),
                e.detail.clone().unwrap_or_default(),
            ]);
        }
        let mut text = style.render_table(&table);
        let tone = if self.problems > 0 {
            Tone::Bad
        } else if self.pending > 0 {
            Tone::Warn
        } else {
            Tone::Good
        };
        let summary = format!(
            "{} applied, {} pending, {} need attention ({} ledger, {})",
            self.applied, self.pending, self.problems, self.layout, self.database
        );
        let _ = writeln!(text, "\n{}", style.paint(tone, &summary));
        text
    }

    fn outcome(&self) -> Outcome {
        if self.check && (self.pending > 0 || self.problems > 0) {
            Outcome::Failures
        } else {
            Outcome::Success
        }
    }
}

/// One migration that ran (or, with --dry-run, would run).
#[derive(Debug, Serialize)]
pub struct RanItem {
    pub id: String,
    pub description: String,
    /// `transaction`, `own-transaction`, `no-transaction` or `statements` (MySQL).
    pub mode: &'static str,
    pub duration_ms: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct RunReport {
    /// `run` or `revert`.
    pub action: &'static str,
    pub layout: &'static str,
    pub database: String,
    pub dry_run: bool,
    pub migrations: Vec<RanItem>,
}

impl Report for RunReport {
    fn render_human(&self, style: &Styler) -> String {
        if self.migrations.is_empty() {
            let what = if self.action == "run" {
                "up to date: nothing to apply"
            } else {
                "nothing to revert"
            };
            return format!("{}\n", style.paint(Tone::Good, what));
        }
        let mut table = style.table(&["migration", "description", "mode", "duration"]);
        for m in &self.migrations {
            table.add_row(vec![
                m.id.clone(),
                m.description.clone(),
                m.mode.to_owned(),
                ms(m.duration_ms),
            ]);
        }
        let mut text = style.render_table(&table);
        let verb = match (self.action, self.dry_run) {
            ("run", true) => "would apply",
            ("run", false) => "applied",
            (_, true) => "would revert",
            _ => "reverted",
        };
        let total: f64 = self.migrations.iter().filter_map(|m| m.duration_ms).sum();
        let _ = writeln!(
            text,
            "\n{} {} migration(s) in {total:.1}ms ({})",
            style.paint(Tone::Good, verb),
            self.migrations.len(),
            self.database
        );
        text
    }
}

/// One file or ledger change of `add`, `baseline`, `resolve` or `verify`.
#[derive(Debug, Serialize)]
pub struct ActionItem {
    pub id: String,
    pub description: String,
    pub effect: String,
    /// Whether this item is a problem (verify: an edited or missing migration).
    pub problem: bool,
}

#[derive(Debug, Serialize)]
pub struct ActionReport {
    /// `add`, `baseline`, `resolve` or `verify`.
    pub action: &'static str,
    pub items: Vec<ActionItem>,
}

impl Report for ActionReport {
    fn render_human(&self, style: &Styler) -> String {
        let mut table = style.table(&["migration", "description", "effect"]);
        for item in &self.items {
            let tone = if item.problem { Tone::Bad } else { Tone::Good };
            table.add_row(vec![
                item.id.clone(),
                item.description.clone(),
                style.paint(tone, &item.effect),
            ]);
        }
        let mut text = style.render_table(&table);
        let problems = self.items.iter().filter(|i| i.problem).count();
        let summary = match self.action {
            "verify" if problems == 0 => format!(
                "{} applied migration(s) match their files",
                self.items.len()
            ),
            "verify" => format!("{problems} applied migration(s) no longer match their files"),
            action => format!("{action}: {} item(s)", self.items.len()),
        };
        let _ = writeln!(
            text,
            "\n{}",
            style.paint(if problems > 0 { Tone::Bad } else { Tone::Good }, &summary)
        );
        text
    }

    fn outcome(&self) -> Outcome {
        if self.items.iter().any(|i| i.problem) {
            Outcome::Failures
        } else {
            Outcome::Success
        }
    }
}

#[derive(Debug, Serialize)]
pub struct LintReport {
    /// Marks a saved report, so `--baseline` knows it is lint's.
    pub report: &'static str,
    pub files: usize,
    pub findings: Vec<Finding>,
    /// Findings the baseline already records (not shown, not failing).
    pub accepted: usize,
    /// `--since REF`: only files added or changed since it were linted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

impl LintReport {
    fn annotations(&self) -> Vec<crate::annotate::Annotation> {
        self.findings
            .iter()
            .map(|f| crate::annotate::Annotation {
                level: crate::annotate::Level::Error,
                rule: f.rule.clone(),
                file: f.file.clone(),
                line: f.line,
                column: Some(f.column),
                message: f.hint.as_ref().map_or_else(
                    || f.message.clone(),
                    |hint| format!("{} (hint: {hint})", f.message),
                ),
                fingerprint: f.fingerprint.clone(),
            })
            .collect()
    }

    fn rules(&self) -> Vec<crate::annotate::Rule> {
        let mut rules: Vec<crate::annotate::Rule> = Vec::new();
        for f in &self.findings {
            if !rules.iter().any(|r| r.id == f.rule) {
                rules.push(crate::annotate::Rule {
                    id: f.rule.clone(),
                    summary: f.message.clone(),
                    help: f.hint.clone().unwrap_or_else(|| f.message.clone()),
                });
            }
        }
        rules
    }
}

impl Report for LintReport {
    fn render_human(&self, style: &Styler) -> String {
        let mut text = String::new();
        for f in &self.findings {
            let _ = writeln!(
                text,
                "{}:{}:{}: {} {}",
                f.file,
                f.line,
                f.column,
                style.paint(Tone::Bad, &f.rule),
                f.message
            );
            if let Some(hint) = &f.hint {
                let _ = writeln!(text, "  {} {hint}", style.paint(Tone::Dim, "hint:"));
            }
        }
        let mut summary = format!(
            "{} finding(s) in {} file(s)",
            self.findings.len(),
            self.files
        );
        if let Some(since) = &self.since {
            let _ = write!(summary, " changed since {since}");
        }
        if self.accepted > 0 {
            let _ = write!(summary, "; {} accepted by the baseline", self.accepted);
        }
        let _ = writeln!(
            text,
            "{}{}",
            if text.is_empty() { "" } else { "\n" },
            style.paint(
                if self.findings.is_empty() {
                    Tone::Good
                } else {
                    Tone::Bad
                },
                &summary
            )
        );
        text
    }

    fn render_alternate(&self, format: crate::format::Format) -> Option<String> {
        use crate::format::Format;
        match format {
            Format::Github => Some(crate::annotate::github(&self.annotations())),
            Format::Sarif => {
                let log = crate::annotate::sarif(
                    "skillsctl migrate lint",
                    env!("CARGO_PKG_VERSION"),
                    &self.rules(),
                    &self.annotations(),
                );
                Some(format!("{}\n", serde_json::to_string_pretty(&log).ok()?))
            }
            Format::Markdown => Some(self.markdown()),
            _ => None,
        }
    }

    fn outcome(&self) -> Outcome {
        if self.findings.is_empty() {
            Outcome::Success
        } else {
            Outcome::Failures
        }
    }
}

impl LintReport {
    /// For a pull request or a step summary.
    fn markdown(&self) -> String {
        let mut out = format!(
            "### Migration lint\n\n{} finding(s) in {} file(s){}{}\n",
            self.findings.len(),
            self.files,
            self.since
                .as_ref()
                .map(|r| format!(", changed since `{r}`"))
                .unwrap_or_default(),
            if self.accepted > 0 {
                format!("; {} accepted by the baseline", self.accepted)
            } else {
                String::new()
            }
        );
        if !self.findings.is_empty() {
            out.push_str("\n| file | rule | message |\n| --- | --- | --- |\n");
            for f in &self.findings {
                let _ = writeln!(
                    out,
                    "| `{}:{}:{}` | {} | {} |",
                    f.file,
                    f.line,
                    f.column,
                    f.rule,
                    f.message.replace('|', "\\|")
                );
            }
        }
        out
    }
}
