//! `EXTRACTION.md`: the guide's Service Extraction Checklist for the new
//! package. The items skillsctl can check are ticked with their evidence
//! (size, traffic and team from the same counts as analyze-boundaries, tests,
//! the health endpoint, the gateway entry); the rest stay open. Below it, the
//! calls that now cross the boundary and the data the service shares. Pure.

use std::fmt::Write as _;

use super::moves::Crossing;

/// What is known when the plan is made.
pub struct Evidence<'a> {
    pub service: &'a str,
    pub package: &'a str,
    pub code_lines: u64,
    pub moved_files: usize,
    /// Moved test files, and the package's own.
    pub tests: Vec<String>,
    pub health: Option<String>,
    /// `prefix → url (weight 0)`.
    pub gateway: Option<String>,
    /// analyze-boundaries' factor values, when its report was given.
    pub traffic: Option<(String, bool)>,
    pub team: Option<(String, bool)>,
    /// `[facts] independent_deploys`, or analyze-boundaries' deployment factor.
    pub independent_deploys: Option<bool>,
    pub outgoing: &'a [Crossing],
    pub incoming: &'a [Crossing],
    /// Model → who else uses it.
    pub models: Vec<(String, Vec<String>)>,
    pub packages: Vec<String>,
}

fn item(out: &mut String, done: bool, text: &str, evidence: &str) {
    let mark = if done { "x" } else { " " };
    let _ = writeln!(out, "- [{mark}] {text}");
    if !evidence.is_empty() {
        let _ = writeln!(out, "  - {evidence}");
    }
}

/// The document.
#[must_use]
pub fn render(e: &Evidence<'_>) -> String {
    let mut out = format!(
        "# Extracting `{}`\n\nWritten by `skillsctl extract-service`; ticked items carry the evidence skillsctl found. \
         Tick the rest by hand as the work is done.\n\n## Before Extraction\n\n",
        e.service
    );
    let big = e.code_lines > 1000 || e.traffic.as_ref().is_some_and(|t| t.1);
    let size = match &e.traffic {
        Some((value, _)) => format!(
            "{} lines of code in {} files; traffic {value}",
            e.code_lines, e.moved_files
        ),
        None => format!(
            "{} lines of code in {} files; traffic unknown (pass `--boundaries` with analyze-boundaries' JSON report)",
            e.code_lines, e.moved_files
        ),
    };
    item(
        &mut out,
        big,
        "Service has > 1000 lines of code or > 1000 req/min traffic",
        &size,
    );
    let team_done = e.team.as_ref().is_some_and(|t| t.1) || e.independent_deploys == Some(true);
    let team = match (&e.team, e.independent_deploys) {
        (Some((value, _)), deploys) => {
            format!("team: {value}; independent deploys: {}", yes_no(deploys))
        }
        (None, Some(true)) => {
            "independent deploys are needed ([facts] in skillsctl.toml)".to_owned()
        }
        (None, _) => "team size unknown (pass `--boundaries`)".to_owned(),
    };
    item(
        &mut out,
        team_done,
        "Team has > 3 developers or needs independent deployments",
        &team,
    );
    let tested = !e.tests.is_empty() && e.outgoing.is_empty();
    let isolation = format!(
        "{} test file(s){}; {} import(s) from the service into the monolith",
        e.tests.len(),
        if e.tests.is_empty() {
            String::new()
        } else {
            format!(" ({})", e.tests.join(", "))
        },
        e.outgoing.len()
    );
    item(
        &mut out,
        tested,
        "Service logic is well-isolated and tested",
        &isolation,
    );
    item(
        &mut out,
        true,
        "Data dependencies are clearly identified",
        &format!(
            "{} model(s) and {} package(s), listed below",
            e.models.len(),
            e.packages.len()
        ),
    );
    item(&mut out, false, "Monitoring and logging are in place", "");
    during(&mut out, e);
    after(&mut out, e);
    out
}

fn during(out: &mut String, e: &Evidence<'_>) {
    out.push_str("\n## During Extraction\n\n");
    item(
        out,
        false,
        "Create service package with same API interface",
        &format!(
            "the package is at `{}`; the API it must offer is listed below",
            e.package
        ),
    );
    item(out, false, "Implement service with comprehensive tests", "");
    item(
        out,
        e.health.is_some(),
        "Add health checks and monitoring",
        &e.health
            .clone()
            .map(|h| format!("health endpoint: {h}"))
            .unwrap_or_default(),
    );
    item(
        out,
        e.gateway.is_some(),
        "Update gateway to route to new service",
        &e.gateway
            .clone()
            .map(|g| format!("gateway entry: {g}"))
            .unwrap_or_default(),
    );
    item(out, false, "Deploy service alongside the monolith", "");
    item(
        out,
        false,
        "Gradually shift traffic to new service",
        &format!("`skillsctl rollout {} --steps 10,25,50,100`", e.service),
    );
}

fn after(out: &mut String, e: &Evidence<'_>) {
    out.push_str("\n## After Extraction\n\n");
    for text in [
        "Monitor service performance and errors",
        "Remove extracted code from monolith",
        "Update documentation and runbooks",
        "Train team on service operations",
    ] {
        item(out, false, text, "");
    }
    crossings(
        out,
        "What the service must receive or call (its imports of monolith code)",
        e.outgoing,
    );
    crossings(
        out,
        "The API the service must offer (monolith code that calls it)",
        e.incoming,
    );
    out.push_str("\n## Shared data\n\n");
    if e.models.is_empty() {
        out.push_str("No Prisma models are used by the moved code.\n");
    }
    for (model, others) in &e.models {
        if others.is_empty() {
            let _ = writeln!(out, "- `{model}`: only this service");
        } else {
            let _ = writeln!(out, "- `{model}`: also used by {}", others.join(", "));
        }
    }
    if !e.packages.is_empty() {
        let _ = writeln!(
            out,
            "\nnpm packages the moved code imports: {}.",
            e.packages.join(", ")
        );
    }
}

fn crossings(out: &mut String, title: &str, list: &[Crossing]) {
    let _ = writeln!(out, "\n## {title}\n");
    if list.is_empty() {
        out.push_str("None.\n");
    }
    for c in list {
        let _ = writeln!(
            out,
            "- `{}:{}` ({}) `{}` → `{}`",
            c.file, c.line, c.kind, c.rewritten, c.target
        );
    }
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}
