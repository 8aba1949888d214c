//! Reading typed values out of a TOML document with their places: every
//! problem becomes a [`SuiteError`] at file:line:col naming the key, and
//! every string has `${ENV}` expanded and `{{name}}` parsed on the way.

use std::ops::Range;
use std::time::Duration;

use toml_edit::{Item, TableLike, Value};

use super::super::template::Template;
use super::SuiteError;
use crate::config::{interpolate, span};

/// The document being read, for locating errors.
pub struct Reader<'a> {
    pub text: &'a str,
    pub file: &'a str,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// A `{{name}}` use and where it is written, checked once the step is read.
#[derive(Debug, Clone)]
pub struct Use {
    pub name: String,
    pub key: String,
    pub span: Option<Range<usize>>,
}

impl Reader<'_> {
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        key: &str,
        message: impl Into<String>,
    ) -> SuiteError {
        let (line, column) = span.map_or((1, 1), |s| span::line_col(self.text, s.start));
        SuiteError {
            path: self.file.to_owned(),
            line,
            column,
            key: (!key.is_empty()).then(|| key.to_owned()),
            message: message.into(),
        }
    }

    /// Refuses keys outside `allowed`, naming the allowed ones.
    pub fn only_keys(
        &self,
        table: &dyn TableLike,
        path: &str,
        allowed: &[&str],
    ) -> Result<(), SuiteError> {
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

    pub fn table<'t>(&self, item: &'t Item, key: &str) -> Result<&'t dyn TableLike, SuiteError> {
        item.as_table_like().ok_or_else(|| {
            self.error(
                item.span(),
                key,
                format!("expected a table, found {}", item.type_name()),
            )
        })
    }

    /// A string, `${ENV}` expanded.
    pub fn string(&self, item: &Item, key: &str) -> Result<String, SuiteError> {
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
    ) -> Result<String, SuiteError> {
        interpolate::expand(raw, self.env).map_err(|e| self.error(span, key, e.to_string()))
    }

    /// A string with `{{name}}` holes; the names used go to `uses`.
    pub fn template(
        &self,
        item: &Item,
        key: &str,
        uses: &mut Vec<Use>,
    ) -> Result<Template, SuiteError> {
        let text = self.string(item, key)?;
        self.template_of(&text, item.span().as_ref(), key, uses)
    }

    pub fn template_of(
        &self,
        text: &str,
        span: Option<&Range<usize>>,
        key: &str,
        uses: &mut Vec<Use>,
    ) -> Result<Template, SuiteError> {
        let span = span.cloned();
        let template =
            Template::parse(text).map_err(|e| self.error(span.clone(), key, e.message))?;
        uses.extend(template.names().map(|name| Use {
            name: name.to_owned(),
            key: key.to_owned(),
            span: span.clone(),
        }));
        Ok(template)
    }

    pub fn bool(&self, item: &Item, key: &str) -> Result<bool, SuiteError> {
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
    ) -> Result<i64, SuiteError> {
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
    pub fn duration(&self, item: &Item, key: &str) -> Result<Duration, SuiteError> {
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
    pub fn strings(&self, item: &Item, key: &str) -> Result<Vec<String>, SuiteError> {
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

    /// A TOML value as JSON, strings `${ENV}`-expanded and their `{{name}}`
    /// holes checked (they are filled when the request is made).
    pub fn json(
        &self,
        value: &Value,
        key: &str,
        uses: &mut Vec<Use>,
    ) -> Result<serde_json::Value, SuiteError> {
        Ok(match value {
            Value::String(s) => {
                let text = self.expand(s.value(), value.span(), key)?;
                self.template_of(&text, value.span().as_ref(), key, uses)?;
                serde_json::Value::String(text)
            }
            Value::Integer(n) => serde_json::Value::from(*n.value()),
            Value::Float(f) => serde_json::Number::from_f64(*f.value())
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Boolean(b) => serde_json::Value::Bool(*b.value()),
            Value::Datetime(d) => serde_json::Value::String(d.value().to_string()),
            Value::Array(array) => serde_json::Value::Array(
                array
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.json(v, &format!("{key}[{i}]"), uses))
                    .collect::<Result<_, _>>()?,
            ),
            Value::InlineTable(table) => {
                let mut map = serde_json::Map::new();
                for (k, v) in table {
                    map.insert(k.to_owned(), self.json(v, &join(key, k), uses)?);
                }
                serde_json::Value::Object(map)
            }
        })
    }

    /// An [`Item`] as JSON (tables written as `[x]` sections too).
    pub fn item_json(
        &self,
        item: &Item,
        key: &str,
        uses: &mut Vec<Use>,
    ) -> Result<serde_json::Value, SuiteError> {
        match item {
            Item::Value(value) => self.json(value, key, uses),
            Item::Table(table) => {
                let mut map = serde_json::Map::new();
                for (k, v) in table {
                    map.insert(k.to_owned(), self.item_json(v, &join(key, k), uses)?);
                }
                Ok(serde_json::Value::Object(map))
            }
            _ => Err(self.error(item.span(), key, "expected a value")),
        }
    }
}

/// `a.b` from `a` and `b`; keys that are not bare are quoted.
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
