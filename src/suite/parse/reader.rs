//! The suite's additions to the TOML reader: strings with `{{name}}` holes
//! (parsed and their names recorded, to check against the variables in scope)
//! and TOML values as JSON bodies.

use std::ops::Range;

use toml_edit::{Item, Value};

use super::SuiteError;
use crate::suite::template::Template;

pub use crate::config::reader::{Reader, join};

/// A `{{name}}` use and where it is written, checked once the step is read.
#[derive(Debug, Clone)]
pub struct Use {
    pub name: String,
    pub key: String,
    pub span: Option<Range<usize>>,
}

/// Templates and JSON, on top of the generic reader.
pub trait SuiteReader {
    fn template(&self, item: &Item, key: &str, uses: &mut Vec<Use>)
    -> Result<Template, SuiteError>;
    fn template_of(
        &self,
        text: &str,
        span: Option<&Range<usize>>,
        key: &str,
        uses: &mut Vec<Use>,
    ) -> Result<Template, SuiteError>;
    fn json(
        &self,
        value: &Value,
        key: &str,
        uses: &mut Vec<Use>,
    ) -> Result<serde_json::Value, SuiteError>;
    fn item_json(
        &self,
        item: &Item,
        key: &str,
        uses: &mut Vec<Use>,
    ) -> Result<serde_json::Value, SuiteError>;
}

impl SuiteReader for Reader<'_> {
    /// A string with `{{name}}` holes; the names used go to `uses`.
    fn template(
        &self,
        item: &Item,
        key: &str,
        uses: &mut Vec<Use>,
    ) -> Result<Template, SuiteError> {
        let text = self.string(item, key)?;
        self.template_of(&text, item.span().as_ref(), key, uses)
    }

    fn template_of(
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

    /// A TOML value as JSON, strings `${ENV}`-expanded and their `{{name}}`
    /// holes checked (they are filled when the request is made).
    fn json(
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
    fn item_json(
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
