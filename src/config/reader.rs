//! Reading typed values out of a TOML document with their places, for files
//! read with toml_edit (smoke suites, the gateway file): every problem becomes
//! a [`LocatedError`] at file:line:col naming the key, every unknown key is
//! refused with the allowed ones, every string has `${ENV}` expanded.

use std::ops::Range;
use std::time::Duration;

use toml_edit::{Item, TableLike};

use super::{interpolate, span};

/// A mistake in a file, at its place; always exit 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}{}", key.as_ref().map(|k| format!(" (key `{k}`)")).unwrap_or_default())]
pub struct LocatedError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub key: Option<String>,
    pub message: String,
}

/// The document being read, for locating errors.
pub struct Reader<'a> {
    pub text: &'a str,
    pub file: &'a str,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl Reader<'_> {
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        key: &str,
        message: impl Into<String>,
    ) -> LocatedError {
        let (line, column) = span.map_or((1, 1), |s| span::line_col(self.text, s.start));
        LocatedError {
            path: self.file.to_owned(),
            line,
            column,
            key: (!key.is_empty()).then(|| key.to_owned()),
            message: message.into(),
        }
    }

    /// The text as a TOML document; a syntax error at its file:line:col.
    pub fn document(&self) -> Result<toml_edit::Document<String>, LocatedError> {
        toml_edit::Document::parse(self.text.to_owned()).map_err(|e| {
            let message = e
                .message()
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            self.error(e.span(), "", format!("not valid TOML: {message}"))
        })
    }

    /// Refuses keys outside `allowed`, naming the allowed ones.
    pub fn only_keys(
        &self,
        table: &dyn TableLike,
        path: &str,
        allowed: &[&str],
    ) -> Result<(), LocatedError> {
        for (key, _) in table.iter() {
            if !allowed.contains(&key) {
                let span = table.key(key).and_then(toml_edit::Key::span);
                return Err(self.error(
                    span,
                    &join(path, key),
                    format!(
                        "unknown key `{key}` (expected one of: {})",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn table<'t>(&self, item: &'t Item, key: &str) -> Result<&'t dyn TableLike, LocatedError> {
        item.as_table_like().ok_or_else(|| {
            self.error(
                item.span(),
                key,
                format!("expected a table, found {}", item.type_name()),
            )
        })
    }

    /// A string, `${ENV}` expanded.
    pub fn string(&self, item: &Item, key: &str) -> Result<String, LocatedError> {
        let raw = item.as_str().ok_or_else(|| {
            self.error(
                item.span(),
                key,
                format!("expected a string, found {}", item.type_name()),
            )
        })?;
        self.expand(raw, item.span(), key)
    }

    pub fn expand(
        &self,
        raw: &str,
        span: Option<Range<usize>>,
        key: &str,
    ) -> Result<String, LocatedError> {
        interpolate::expand(raw, self.env).map_err(|e| self.error(span, key, e.to_string()))
    }

    pub fn bool(&self, item: &Item, key: &str) -> Result<bool, LocatedError> {
        item.as_bool().ok_or_else(|| {
            self.error(
                item.span(),
                key,
                format!("expected true or false, found {}", item.type_name()),
            )
        })
    }

    /// A whole number in `range`.
    pub fn integer(
        &self,
        item: &Item,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<i64, LocatedError> {
        let n = item.as_integer().ok_or_else(|| {
            self.error(
                item.span(),
                key,
                format!("expected a whole number, found {}", item.type_name()),
            )
        })?;
        if range.contains(&n) {
            Ok(n)
        } else {
            Err(self.error(
                item.span(),
                key,
                format!("{n} is out of range ({} to {})", range.start(), range.end()),
            ))
        }
    }

    /// `5s`, `250ms`, `1m 30s`.
    pub fn duration(&self, item: &Item, key: &str) -> Result<Duration, LocatedError> {
        let text = self.string(item, key)?;
        humantime::parse_duration(text.trim()).map_err(|e| {
            self.error(
                item.span(),
                key,
                format!("`{text}` is not a duration ({e}); write e.g. `5s` or `250ms`"),
            )
        })
    }

    /// A list of strings.
    pub fn strings(&self, item: &Item, key: &str) -> Result<Vec<String>, LocatedError> {
        let array = item.as_array().ok_or_else(|| {
            self.error(
                item.span(),
                key,
                format!("expected a list of strings, found {}", item.type_name()),
            )
        })?;
        array
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let key = format!("{key}[{i}]");
                value
                    .as_str()
                    .ok_or_else(|| self.error(value.span(), &key, "expected a string"))
                    .and_then(|s| self.expand(s, value.span(), &key))
            })
            .collect()
    }
}

/// `text` (the file `file`) as JSON; a syntax error at its line and column.
pub fn json_document(
    text: &str,
    file: &str,
    what: &str,
) -> Result<serde_json::Value, LocatedError> {
    serde_json::from_str(text).map_err(|e| LocatedError {
        path: file.to_owned(),
        line: e.line().max(1),
        column: e.column().max(1),
        key: None,
        message: format!("not {what}: {e}"),
    })
}

/// `a.b` from `a` and `b`; keys that are not bare are quoted.
#[must_use]
pub fn join(path: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key = if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}
