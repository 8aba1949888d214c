//! Findings where people look in CI: GitHub Actions workflow commands
//! (`::error file=F,line=L,col=C,title=RULE::message`, shown on the pull
//! request's diff) and SARIF 2.1.0 (GitHub code scanning), both built from
//! one located-finding type that every command with file:line results maps
//! its results to. Pure.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Value, json};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
}

/// A rule a finding breaks, with its help text (SARIF's `rules`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub summary: String,
    pub help: String,
}

/// One finding at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub level: Level,
    pub rule: String,
    /// Relative to the repository root, with `/`; empty when the finding has no file.
    pub file: String,
    pub line: usize,
    pub column: Option<usize>,
    pub message: String,
    /// Stable across commits (no line numbers in it), for code scanning.
    pub fingerprint: String,
}

/// GitHub Actions workflow commands, one line per annotation.
#[must_use]
pub fn github(annotations: &[Annotation]) -> String {
    let mut out = String::new();
    for a in annotations {
        let command = match a.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        // A finding without a file (a health target from the command line) is
        // shown on the run, not on a line.
        let mut properties = String::new();
        if !a.file.is_empty() {
            let _ = write!(properties, "file={},line={},", property(&a.file), a.line);
            if let Some(col) = a.column {
                let _ = write!(properties, "col={col},");
            }
        }
        let _ = write!(properties, "title={}", property(&a.rule));
        let _ = writeln!(out, "::{command} {properties}::{}", data(&a.message));
    }
    out
}

/// A command's message: `%`, CR and LF escaped, as the runner reads them.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF 2.1.0 log with one run of `tool`.
#[must_use]
pub fn sarif(tool: &str, version: &str, rules: &[Rule], annotations: &[Annotation]) -> Value {
    let rule_index = |id: &str| rules.iter().position(|r| r.id == id);
    let results: Vec<Value> = annotations
        .iter()
        .map(|a| {
            let mut region = json!({ "startLine": a.line.max(1) });
            if let Some(col) = a.column {
                region["startColumn"] = json!(col.max(1));
            }
            let mut result = json!({
                "ruleId": a.rule,
                "level": a.level,
                "message": { "text": a.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": a.file },
                        "region": region,
                    }
                }],
                "partialFingerprints": { "skillsctl/v1": a.fingerprint },
            });
            if let Some(i) = rule_index(&a.rule) {
                result["ruleIndex"] = json!(i);
            }
            result
        })
        .collect();
    let rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": { "text": r.summary },
                "help": { "text": r.help },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": tool,
                    "version": version,
                    "informationUri": "https://github.com/skillsctl/skillsctl",
                    "rules": rules,
                }
            },
            "results": results,
        }]
    })
}

/// A short stable fingerprint of `parts` (hex of SHA-256, 16 bytes).
#[must_use]
pub fn fingerprint(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let mut out = String::with_capacity(32);
    for b in &hasher.finalize()[..16] {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding() -> Annotation {
        Annotation {
            level: Level::Error,
            rule: "require-concurrent-index-creation".into(),
            file: "prisma/migrations/2_idx/migration.sql".into(),
            line: 3,
            column: Some(1),
            message: "Creating an index blocks writes.\nUse CONCURRENTLY: 100% safe, really".into(),
            fingerprint: fingerprint(&["a", "b"]),
        }
    }

    #[test]
    fn workflow_commands_escape_what_the_runner_would_misread() {
        let text = github(&[finding()]);
        assert_eq!(
            text,
            "::error file=prisma/migrations/2_idx/migration.sql,line=3,col=1,title=require-concurrent-index-creation::Creating an index blocks writes.%0AUse CONCURRENTLY: 100%25 safe, really\n"
        );
        let mut odd = finding();
        odd.file = "a,b:c.sql".into();
        odd.level = Level::Warning;
        odd.column = None;
        assert!(github(&[odd.clone()]).starts_with("::warning file=a%2Cb%3Ac.sql,line=3,title="));
        odd.file = String::new();
        assert!(github(&[odd]).starts_with("::warning title=require-concurrent-index-creation::"));
    }

    #[test]
    fn sarif_results_point_at_their_rule_and_carry_a_fingerprint() {
        let rules = [Rule {
            id: "require-concurrent-index-creation".into(),
            summary: "Index creation blocks writes".into(),
            help: "Use CREATE INDEX CONCURRENTLY".into(),
        }];
        let log = sarif("skillsctl", "0.1.0", &rules, &[finding()]);
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["ruleIndex"], 0);
        assert_eq!(result["level"], "error");
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"],
            json!({"startLine": 3, "startColumn": 1})
        );
        assert_eq!(
            result["partialFingerprints"]["skillsctl/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }
}
