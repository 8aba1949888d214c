//! Zero-downtime checks for PostgreSQL migrations, built on the squawk linter's
//! rules (squawk-linter, Apache-2.0 OR MIT), plus what these ledgers need:
//! a migration that mixes statements PostgreSQL cannot run in a transaction with
//! others loses its atomicity. `-- skillsctl-ignore <rule>` (next statement) and
//! `-- skillsctl-ignore-file <rule>` silence a finding. Pure.

use serde::Serialize;
use squawk_linter::{Linter, Rule};

use super::split::{self, LineIndex, SqlDialect};

/// The rules on by default: the ones that break a running app during a deploy.
pub const DEFAULT_RULES: &[Rule] = &[
    Rule::RequireConcurrentIndexCreation,
    Rule::RequireConcurrentIndexDeletion,
    Rule::AddingNotNullableField,
    Rule::AddingRequiredField,
    Rule::AddingFieldWithDefault,
    Rule::AddingSerialPrimaryKeyField,
    Rule::BanDropColumn,
    Rule::BanDropTable,
    Rule::BanDropDatabase,
    Rule::RenamingColumn,
    Rule::RenamingTable,
    Rule::ChangingColumnType,
    Rule::AddingForeignKeyConstraint,
    Rule::ConstraintMissingNotValid,
    Rule::DisallowedUniqueConstraint,
    Rule::RequireLockTimeout,
    Rule::BanConcurrentIndexCreationInTransaction,
    Rule::TransactionNesting,
    Rule::BanUncommittedTransaction,
];

/// skillsctl's own rule name.
pub const MIXED_TRANSACTIONAL: &str = "mixed-transactional-statements";

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub rule: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Rule, file and the statement's text (whitespace and case folded), hashed:
    /// the same finding after an edit above it, for baselines and code scanning.
    pub fingerprint: String,
}

fn fallback_hint(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::RequireConcurrentIndexCreation => {
            "use CREATE INDEX CONCURRENTLY in a migration of its own (skillsctl runs it outside a transaction)"
        }
        Rule::RequireConcurrentIndexDeletion => {
            "use DROP INDEX CONCURRENTLY in a migration of its own"
        }
        Rule::AddingNotNullableField | Rule::AddingRequiredField => {
            "add the column nullable (or with a constant default), backfill, then add NOT NULL via a NOT VALID check"
        }
        Rule::AddingFieldWithDefault => {
            "add the column without the volatile default, backfill in batches, then set the default"
        }
        Rule::BanDropColumn | Rule::BanDropTable => {
            "stop using it in the app first, deploy, then drop it in a later release"
        }
        Rule::RenamingColumn | Rule::RenamingTable => {
            "add the new name, write to both, backfill, move readers, then drop the old one"
        }
        Rule::ChangingColumnType => {
            "add a new column of the new type, backfill, switch the app, then drop the old column"
        }
        Rule::AddingForeignKeyConstraint | Rule::ConstraintMissingNotValid => {
            "add the constraint NOT VALID, then VALIDATE CONSTRAINT in a separate migration"
        }
        Rule::RequireLockTimeout => "start the migration with SET lock_timeout = '2s';",
        _ => return None,
    })
}

/// Rewrites skillsctl's ignore comments into squawk's, keeping every offset.
fn translate_ignores(text: &str) -> String {
    text.replace("skillsctl-ignore-file", "squawk-ignore-file   ")
        .replace("skillsctl-ignore", "squawk-ignore   ")
}

/// Lints one migration. `in_transaction` says whether it will run inside one.
#[must_use]
pub fn lint_text(file: &str, text: &str, in_transaction: bool, rules: &[Rule]) -> Vec<Finding> {
    // skillsctl runs a migration holding CONCURRENTLY & co. outside a transaction.
    let statements = split::split(text, SqlDialect::Postgres).ok();
    let in_transaction = in_transaction
        && !statements
            .as_ref()
            .is_some_and(|s| s.iter().any(split::Statement::needs_no_transaction));
    let translated = translate_ignores(text);
    let parse = squawk_syntax::SourceFile::parse(&translated);
    let mut linter = Linter::from(rules.iter().copied());
    linter.settings.assume_in_transaction = in_transaction;
    let index = LineIndex::new(text);
    let mut findings: Vec<Finding> = linter
        .lint(&parse, &translated)
        .into_iter()
        .map(|v| {
            let start: usize = u32::from(v.text_range.start()) as usize;
            let (line, column) = index.line_col(text, start);
            let rule = v.code.to_string();
            Finding {
                file: file.to_owned(),
                line,
                column,
                fingerprint: fingerprint(&rule, file, statement_at(statements.as_deref(), start)),
                rule,
                message: v.message,
                hint: v.help.or_else(|| fallback_hint(v.code).map(str::to_owned)),
            }
        })
        .collect();
    if let Some(statements) = statements {
        let outside: Vec<&split::Statement> = statements
            .iter()
            .filter(|s| s.needs_no_transaction())
            .collect();
        let others = statements
            .iter()
            .filter(|s| !s.needs_no_transaction() && s.head.first().is_none_or(|w| w != "SET"))
            .count();
        let ignored = text.contains(&format!("skillsctl-ignore {MIXED_TRANSACTIONAL}"))
            || text.contains(&format!("skillsctl-ignore-file {MIXED_TRANSACTIONAL}"));
        if let Some(first) = outside.first()
            && others > 0
            && !ignored
        {
            findings.push(Finding {
                file: file.to_owned(),
                line: first.line,
                column: first.column,
                fingerprint: fingerprint(MIXED_TRANSACTIONAL, file, &first.text),
                rule: MIXED_TRANSACTIONAL.to_owned(),
                message: format!("{} runs outside a transaction, so the other {others} statement(s) of this migration do too and a failure leaves it half applied", first.head.join(" ")),
                hint: Some("move the statement that cannot run in a transaction into a migration of its own".to_owned()),
            });
        }
    }
    findings.sort_by(|a, b| (a.line, a.column, &a.rule).cmp(&(b.line, b.column, &b.rule)));
    findings
}

/// What kind of saved report a lint baseline is.
const BASELINE_KIND: &str = "migrate-lint";

/// A baseline: the findings as the JSON report has them, marked as lint's.
#[must_use]
pub fn baseline_text(findings: &[Finding]) -> String {
    let doc = serde_json::json!({
        "report": BASELINE_KIND,
        "findings": findings,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The fingerprints a baseline accepts: a file from `--write-baseline`, or a
/// saved `--format json` report. Anything else is refused at file:line:col.
pub fn read_baseline(
    text: &str,
    file: &str,
) -> Result<std::collections::BTreeSet<String>, crate::config::reader::LocatedError> {
    let located =
        |line: usize, column: usize, message: String| crate::config::reader::LocatedError {
            path: file.to_owned(),
            line,
            column,
            key: None,
            message,
        };
    let doc = crate::config::reader::json_document(text, file, "a JSON baseline")?;
    if let Some(kind) = doc.get("report").and_then(serde_json::Value::as_str)
        && kind != BASELINE_KIND
    {
        return Err(located(
            1,
            1,
            format!("a baseline of `{kind}`, not of migrate lint"),
        ));
    }
    let findings = doc
        .get("findings")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| {
            located(
                1,
                1,
                "not a migrate lint baseline: no `findings` list (write one with --write-baseline)"
                    .into(),
            )
        })?;
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            f.get("fingerprint")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| located(1, 1, format!("findings[{i}] has no `fingerprint` (a report from an older skillsctl? write it again with --write-baseline)")))
        })
        .collect()
}

/// The text of the statement that holds byte `offset` (the whole script
/// when it does not split).
fn statement_at(statements: Option<&[split::Statement]>, offset: usize) -> &str {
    statements
        .and_then(|all| all.iter().rev().find(|s| s.offset <= offset))
        .map_or("", |s| s.text.as_str())
}

fn fingerprint(rule: &str, file: &str, statement: &str) -> String {
    let folded = statement
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    crate::annotate::fingerprint(&[rule, file, &folded])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_survives_an_edit_above_the_statement() {
        let text = "SET lock_timeout = '2s';\nCREATE INDEX skill_name ON \"Skill\" (name);\n";
        let edited = format!(
            "-- a note\n\n{}",
            text.replace("CREATE INDEX", "create   index")
        );
        let a = lint_text("m.sql", text, true, DEFAULT_RULES);
        let b = lint_text("m.sql", &edited, true, DEFAULT_RULES);
        assert_eq!(a.len(), 1);
        assert_ne!(a[0].line, b[0].line);
        assert_eq!(a[0].fingerprint, b[0].fingerprint);
        let other = lint_text("n.sql", text, true, DEFAULT_RULES);
        assert_ne!(a[0].fingerprint, other[0].fingerprint);
    }

    fn rules(file_text: &str) -> Vec<String> {
        lint_text("m.sql", file_text, true, DEFAULT_RULES)
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn flags_index_without_concurrently_on_an_existing_table() {
        let found = lint_text(
            "m.sql",
            "SET lock_timeout = '2s';\nCREATE INDEX skill_name ON \"Skill\" (name);\n",
            true,
            DEFAULT_RULES,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].rule.as_str(), found[0].line, found[0].column),
            ("require-concurrent-index-creation", 2, 1)
        );
        assert!(found[0].hint.is_some());
    }

    #[test]
    fn ignore_comments_silence_a_rule() {
        let text = "SET lock_timeout = '2s';\n-- skillsctl-ignore require-concurrent-index-creation\nCREATE INDEX a ON t (x);\n";
        assert!(rules(text).is_empty(), "{:?}", rules(text));
    }

    #[test]
    fn mixed_transactional_statements_are_flagged() {
        let text = "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN a text;\nCREATE INDEX CONCURRENTLY i ON t (a);\n";
        assert!(
            rules(text).contains(&MIXED_TRANSACTIONAL.to_owned()),
            "{:?}",
            rules(text)
        );
    }
}
