//! What update-gateway-config did: the field changes, the diff, the files
//! written (or that would be), the reloads; or, with `--check`, each
//! rendered file's drift.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::adapters::fs::changeset::Planned;
use crate::exit::Outcome;
use crate::gateway::edit::FieldChange;
use crate::gateway::{self, Gateway};
use crate::output::{Report, Styler, Tone};

#[derive(Debug, Serialize)]
pub struct GatewayReport {
    pub file: String,
    pub changes: Vec<FieldChange>,
    /// Unified diffs of every file the run writes.
    pub diff: String,
    pub files: Vec<Planned>,
    pub dry_run: bool,
    pub reloaded: Vec<String>,
    /// With `--check`: every rendered target and whether it matches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<Drift>,
}

#[derive(Debug, Serialize)]
pub struct Drift {
    pub kind: &'static str,
    pub path: String,
    /// `up to date`, `drifted` or `missing`.
    pub state: &'static str,
}

impl GatewayReport {
    #[must_use]
    pub fn changed(
        file: &str,
        changes: Vec<FieldChange>,
        diff: &str,
        files: Vec<Planned>,
        dry_run: bool,
    ) -> Self {
        // A service URL may carry a password: shown masked, like every URL.
        let mask = |v: Option<String>| v.map(|v| crate::redact::text(&v, &[]));
        let changes = changes
            .into_iter()
            .map(|c| FieldChange {
                old: mask(c.old),
                new: mask(c.new),
                ..c
            })
            .collect();
        GatewayReport {
            file: file.to_owned(),
            changes,
            diff: crate::redact::text(diff, &[]),
            files,
            dry_run,
            reloaded: Vec::new(),
            drift: Vec::new(),
        }
    }

    /// Each target rendered in memory against the file on disk.
    #[must_use]
    pub fn drift(file: &str, base: &Path, gateway: &Gateway) -> Self {
        let drift = gateway::render_all(gateway)
            .into_iter()
            .map(|rendered| {
                let state = match std::fs::read_to_string(base.join(&rendered.path)) {
                    Ok(text) if text == rendered.text => "up to date",
                    Ok(_) => "drifted",
                    Err(_) => "missing",
                };
                Drift {
                    kind: rendered.kind,
                    path: rendered.path,
                    state,
                }
            })
            .collect();
        GatewayReport {
            file: file.to_owned(),
            changes: Vec::new(),
            diff: String::new(),
            files: Vec::new(),
            dry_run: true,
            reloaded: Vec::new(),
            drift,
        }
    }
}

impl Report for GatewayReport {
    fn render_human(&self, style: &Styler) -> String {
        let mut out = String::new();
        if !self.drift.is_empty() {
            for d in &self.drift {
                let tone = if d.state == "up to date" {
                    Tone::Good
                } else {
                    Tone::Bad
                };
                let _ = writeln!(
                    out,
                    "{:<10} {} {}",
                    d.kind,
                    style.paint(tone, d.state),
                    d.path
                );
            }
            return out;
        }
        for change in &self.changes {
            let _ = writeln!(
                out,
                "{} {}: {} → {}",
                change.service,
                change.field,
                change.old.as_deref().unwrap_or("(none)"),
                change.new.as_deref().unwrap_or("(removed)")
            );
        }
        out.push_str(&self.diff);
        for file in &self.files {
            let verb = if self.dry_run { "would" } else { "" };
            let _ = writeln!(
                out,
                "{verb:>5} {} {}",
                style.paint(Tone::Strong, file.action.label()),
                file.path
            );
        }
        if self.files.is_empty() {
            let _ = writeln!(out, "nothing to change");
        }
        out
    }

    fn outcome(&self) -> Outcome {
        if self.drift.iter().any(|d| d.state != "up to date") {
            Outcome::Failures
        } else {
            Outcome::Success
        }
    }
}
