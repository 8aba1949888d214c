//! The health report: one row per target with nested checks folded under it.

use std::fmt::Write as _;

use serde::Serialize;

use super::formats::NestedCheck;
use super::health::Health;
use super::targets::Kind;
use crate::exit::Outcome;
use crate::output::{Report, Styler, Tone};

#[derive(Debug, Clone, Serialize)]
pub struct TargetResult {
    pub name: String,
    pub kind: Kind,
    /// The URL with credentials masked.
    pub target: String,
    pub health: Health,
    /// Milliseconds the last attempt took (to the answer or the failure).
    pub latency_ms: Option<f64>,
    pub attempts: u32,
    pub critical: bool,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The health body format recognised (`guide`, `ietf`, `spring`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_format: Option<&'static str>,
    pub checks: Vec<NestedCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthReport {
    /// The worst health among targets (warn counts as unhealthy with --strict).
    pub status: Health,
    pub healthy: usize,
    pub warn: usize,
    pub unhealthy: usize,
    pub strict: bool,
    pub elapsed_ms: u64,
    /// With --wait: how long it waited, and whether the deadline passed first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waited_ms: Option<u64>,
    pub timed_out: bool,
    pub targets: Vec<TargetResult>,
}

impl HealthReport {
    #[must_use]
    pub fn new(targets: Vec<TargetResult>, strict: bool, elapsed_ms: u64) -> Self {
        let count = |h: Health| targets.iter().filter(|t| t.health == h).count();
        let (healthy, warn, unhealthy) = (
            count(Health::Healthy),
            count(Health::Warn),
            count(Health::Unhealthy),
        );
        let status = targets
            .iter()
            .map(|t| t.health)
            .max()
            .unwrap_or(Health::Healthy);
        HealthReport {
            status,
            healthy,
            warn,
            unhealthy,
            strict,
            elapsed_ms,
            waited_ms: None,
            timed_out: false,
            targets,
        }
    }
}

fn tone(health: Health) -> Tone {
    match health {
        Health::Healthy => Tone::Good,
        Health::Warn => Tone::Warn,
        Health::Unhealthy => Tone::Bad,
    }
}

fn add_checks(
    table: &mut comfy_table::Table,
    style: &Styler,
    checks: &[NestedCheck],
    depth: usize,
) {
    for check in checks {
        table.add_row(vec![
            format!("{}└ {}", "  ".repeat(depth), check.name),
            String::new(),
            style.paint(tone(check.health), check.health.label()),
            String::new(),
            check.detail.clone().unwrap_or_else(|| check.status.clone()),
        ]);
        add_checks(table, style, &check.checks, depth + 1);
    }
}

impl Report for HealthReport {
    fn render_human(&self, style: &Styler) -> String {
        let mut table = style.table(&["name", "kind", "status", "latency", "detail"]);
        for t in &self.targets {
            table.add_row(vec![
                t.name.clone(),
                t.kind.label().to_owned(),
                style.paint(tone(t.health), t.health.label()),
                t.latency_ms
                    .map(|ms| format!("{ms:.0}ms"))
                    .unwrap_or_default(),
                t.detail.clone(),
            ]);
            add_checks(&mut table, style, &t.checks, 1);
        }
        let mut text = style.render_table(&table);
        let mut summary = format!("{} healthy", self.healthy);
        if self.warn > 0 {
            let _ = write!(summary, ", {} warn", self.warn);
        }
        if self.unhealthy > 0 {
            let _ = write!(summary, ", {} unhealthy", self.unhealthy);
        }
        let _ = write!(summary, " in {}ms", self.elapsed_ms);
        if let Some(waited) = self.waited_ms {
            if self.timed_out {
                let _ = write!(
                    summary,
                    "; gave up waiting after {:.1}s",
                    millis_to_secs(waited)
                );
            } else {
                let _ = write!(summary, "; ready after {:.1}s", millis_to_secs(waited));
            }
        }
        let _ = writeln!(
            text,
            "\n{}",
            style.paint(tone(self.status_for_exit()), &summary)
        );
        text
    }

    fn render_alternate(&self, format: crate::format::Format) -> Option<String> {
        (format == crate::format::Format::Github)
            .then(|| crate::annotate::github(&self.annotations()))
    }

    fn outcome(&self) -> Outcome {
        if self.status_for_exit() == Health::Unhealthy || self.timed_out {
            Outcome::Failures
        } else {
            Outcome::Success
        }
    }
}

impl HealthReport {
    /// Unhealthy targets as errors, warnings as warnings (a target has no file).
    fn annotations(&self) -> Vec<crate::annotate::Annotation> {
        use crate::annotate::{Annotation, Level};
        self.targets
            .iter()
            .filter(|t| t.health != Health::Healthy)
            .map(|t| Annotation {
                level: if t.health == Health::Unhealthy && t.critical {
                    Level::Error
                } else {
                    Level::Warning
                },
                rule: format!("health-check {}", t.name),
                file: String::new(),
                line: 0,
                column: None,
                message: format!(
                    "{} ({}) is {}: {}",
                    t.name,
                    t.target,
                    t.health.label(),
                    t.detail
                ),
                fingerprint: crate::annotate::fingerprint(&["health", &t.name]),
            })
            .collect()
    }

    fn status_for_exit(&self) -> Health {
        if self.strict && self.status == Health::Warn {
            Health::Unhealthy
        } else {
            self.status
        }
    }
}

#[allow(clippy::cast_precision_loss)] // milliseconds of a wait fit in f64 exactly
fn millis_to_secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}
