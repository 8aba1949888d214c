//! Splits a migration script into statements with a real SQL lexer (sqlparser's
//! tokenizer, per dialect): quotes, dollar-quoted bodies, comments and DO blocks
//! stay whole, and `BEGIN ATOMIC … END` function bodies keep their semicolons.
//! Also tells which statements cannot run inside a transaction.

use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

pub use crate::text::LineIndex;

/// The SQL dialect of the target database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlDialect {
    Postgres,
    Mysql,
    Sqlite,
}

/// One statement of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement text without the trailing `;`.
    pub text: String,
    /// Byte offset of the statement's first token in the script.
    pub offset: usize,
    /// 1-based line and column of the first token.
    pub line: usize,
    pub column: usize,
    /// The first words, upper-cased (`CREATE INDEX CONCURRENTLY`), for classification.
    pub head: Vec<String>,
}

impl Statement {
    /// Whether PostgreSQL refuses to run it inside a transaction block.
    #[must_use]
    pub fn needs_no_transaction(&self) -> bool {
        let words: Vec<&str> = self.head.iter().map(String::as_str).collect();
        let has = |w: &str| words.contains(&w);
        match words.as_slice() {
            ["VACUUM", ..] | ["CREATE" | "DROP", "DATABASE", ..] | ["ALTER", "SYSTEM", ..] => true,
            ["CREATE" | "DROP", ..] if has("INDEX") && has("CONCURRENTLY") => true,
            ["REINDEX", ..] if has("CONCURRENTLY") => true,
            ["ALTER", "TABLE", ..] if has("DETACH") && has("CONCURRENTLY") => true,
            _ => false,
        }
    }

    /// Whether MySQL runs it inside a transaction without an implicit commit:
    /// data changes and queries, not DDL.
    #[must_use]
    pub fn is_transactional_dml(&self) -> bool {
        matches!(
            self.head.first().map(String::as_str),
            Some("INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "SELECT" | "WITH" | "SET" | "DO")
        )
    }

    /// Whether it opens or closes a transaction itself (`BEGIN;`, `COMMIT;`).
    #[must_use]
    pub fn is_transaction_control(&self) -> bool {
        matches!(
            self.head.first().map(String::as_str),
            Some("BEGIN" | "COMMIT" | "ROLLBACK" | "START" | "END")
        ) && !(self.head.first().is_some_and(|w| w == "BEGIN")
            && self.head.get(1).is_some_and(|w| w == "ATOMIC"))
    }
}

/// A script the lexer cannot read (an unterminated string or comment).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct SplitError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

fn to_usize(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

/// Splits `script` into statements; comments and empty statements are dropped.
#[allow(clippy::too_many_lines)] // one pass over the tokens
pub fn split(script: &str, dialect: SqlDialect) -> Result<Vec<Statement>, SplitError> {
    let dialect_impl: Box<dyn Dialect> = match dialect {
        SqlDialect::Postgres => Box::new(PostgreSqlDialect {}),
        SqlDialect::Mysql => Box::new(MySqlDialect {}),
        SqlDialect::Sqlite => Box::new(SQLiteDialect {}),
    };
    let tokens = Tokenizer::new(dialect_impl.as_ref(), script)
        .tokenize_with_location()
        .map_err(|e| SplitError {
            line: to_usize(e.location.line),
            column: to_usize(e.location.column),
            message: e.message,
        })?;
    let index = LineIndex::new(script);
    let mut statements = Vec::new();
    let mut start: Option<(usize, usize, usize)> = None;
    let mut end = 0;
    let mut head: Vec<String> = Vec::new();
    // Depth of `BEGIN ATOMIC … END` / `CASE … END` blocks whose `;` do not end the statement.
    let mut depth = 0usize;
    let mut previous_word = String::new();
    let significant: Vec<&sqlparser::tokenizer::TokenWithSpan> = tokens
        .iter()
        .filter(|token| {
            !matches!(
                &token.token,
                Token::Whitespace(
                    Whitespace::Space
                        | Whitespace::Newline
                        | Whitespace::Tab
                        | Whitespace::SingleLineComment { .. }
                        | Whitespace::MultiLineComment(_)
                )
            )
        })
        .collect();
    let word_at = |i: usize| match significant.get(i).map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    };
    for (position, token) in significant.iter().enumerate() {
        let token_start = index.offset(
            script,
            to_usize(token.span.start.line),
            to_usize(token.span.start.column),
        );
        let token_end = index.offset(
            script,
            to_usize(token.span.end.line),
            to_usize(token.span.end.column),
        );
        if token.token == Token::SemiColon && depth == 0 {
            if let Some((offset, line, column)) = start.take() {
                statements.push(Statement {
                    text: script[offset..end].to_owned(),
                    offset,
                    line,
                    column,
                    head: std::mem::take(&mut head),
                });
            }
            previous_word.clear();
            continue;
        }
        if start.is_none() {
            start = Some((
                token_start,
                to_usize(token.span.start.line),
                to_usize(token.span.start.column),
            ));
        }
        end = token_end.max(token_start);
        if let Token::Word(word) = &token.token {
            let upper = word.value.to_ascii_uppercase();
            if word.quote_style.is_none() {
                // SQLite and MySQL routine bodies (`CREATE TRIGGER … BEGIN …; END`)
                // hold semicolons; PostgreSQL's live in dollar quotes instead.
                let routine = dialect != SqlDialect::Postgres
                    && head.first().is_some_and(|w| w == "CREATE")
                    && head.iter().any(|w| {
                        matches!(w.as_str(), "TRIGGER" | "PROCEDURE" | "FUNCTION" | "EVENT")
                    });
                let next = word_at(position + 1);
                if previous_word == "END" && upper == "CASE" {
                    // `END CASE`: the END already closed the CASE.
                } else if upper == "END"
                    && matches!(next.as_deref(), Some("IF" | "LOOP" | "WHILE" | "REPEAT"))
                {
                    // `END IF` and friends close blocks that were never counted.
                } else if (upper == "ATOMIC" && previous_word == "BEGIN")
                    || upper == "CASE"
                    || (routine && upper == "BEGIN")
                {
                    depth += 1;
                } else if upper == "END" && depth > 0 {
                    depth -= 1;
                }
                if head.len() < 8 {
                    head.push(upper.clone());
                }
            }
            previous_word = upper;
        } else if head.len() < 8 && !matches!(token.token, Token::LParen | Token::RParen) {
            previous_word.clear();
        }
    }
    if let Some((offset, line, column)) = start {
        statements.push(Statement {
            text: script[offset..end].to_owned(),
            offset,
            line,
            column,
            head,
        });
    }
    Ok(statements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_dollar_quotes_strings_and_comments_whole() {
        let script = "-- header; not a statement\nCREATE TABLE t (a text DEFAULT 'x;y');\n\nCREATE FUNCTION f() RETURNS trigger AS $body$\nBEGIN\n  NEW.a := 'z;'; RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql;\nDO $$ BEGIN PERFORM 1; END $$;\n/* block; comment */ SELECT 1";
        let statements = split(script, SqlDialect::Postgres).unwrap();
        let heads: Vec<&str> = statements.iter().map(|s| s.head[0].as_str()).collect();
        assert_eq!(heads, ["CREATE", "CREATE", "DO", "SELECT"]);
        assert_eq!((statements[0].line, statements[0].column), (2, 1));
        assert!(statements[1].text.ends_with("LANGUAGE plpgsql"));
        assert_eq!((statements[1].line, statements[1].column), (4, 1));
        assert_eq!((statements[3].line, statements[3].column), (10, 22));
    }

    #[test]
    fn begin_atomic_bodies_keep_their_semicolons() {
        let script = "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + b; SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; END; SELECT 2;";
        let statements = split(script, SqlDialect::Postgres).unwrap();
        assert_eq!(statements.len(), 2, "{statements:#?}");
    }

    #[test]
    fn sqlite_and_mysql_trigger_bodies_stay_whole() {
        let sqlite = "CREATE TABLE t (a int);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET a = 1;\n  SELECT CASE WHEN 1 THEN 2 END;\nEND;\nSELECT 1;";
        let statements = split(sqlite, SqlDialect::Sqlite).unwrap();
        assert_eq!(statements.len(), 3, "{statements:#?}");
        assert!(statements[1].text.ends_with("END"));
        let mysql = "CREATE PROCEDURE p() BEGIN\n  IF 1 THEN SELECT 1; END IF;\n  CASE WHEN 1 THEN SELECT 2; END CASE;\nEND;\nSELECT 3;";
        assert_eq!(split(mysql, SqlDialect::Mysql).unwrap().len(), 2);
    }

    #[test]
    fn classifies_non_transactional_statements() {
        let statements = split("CREATE UNIQUE INDEX CONCURRENTLY i ON t (a); DROP INDEX CONCURRENTLY IF EXISTS j; REINDEX INDEX CONCURRENTLY k; VACUUM t; CREATE INDEX l ON t (a); BEGIN; COMMIT;", SqlDialect::Postgres).unwrap();
        let flags: Vec<bool> = statements
            .iter()
            .map(Statement::needs_no_transaction)
            .collect();
        assert_eq!(flags, [true, true, true, true, false, false, false]);
        assert!(statements[5].is_transaction_control() && statements[6].is_transaction_control());
    }

    #[test]
    fn unterminated_string_is_an_error_with_a_place() {
        let err = split("SELECT 1;\nSELECT 'oops", SqlDialect::Postgres).unwrap_err();
        assert_eq!(err.line, 2);
    }
}
