//! JSON Schema (draft 2020-12) as an expectation, through the jsonschema
//! crate. Schemas are compiled once when a suite loads; a body is checked
//! against it with every violation named by its instance path.

use serde_json::Value;

use super::{Actual, Expected, Failure, Source};

/// Violations listed at most in one failure.
const MAX_VIOLATIONS: usize = 5;

/// A compiled schema.
pub struct Schema {
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schema")
    }
}

impl Schema {
    /// Compiles `schema` as draft 2020-12; the error says what is wrong with it.
    pub fn new(schema: &Value) -> Result<Self, String> {
        jsonschema::draft202012::new(schema)
            .map(|validator| Schema { validator })
            .map_err(|e| e.to_string())
    }

    /// The body's violations as one failure, or none.
    #[must_use]
    pub fn check(&self, body: &Value) -> Option<Failure> {
        let mut lines = Vec::new();
        let mut count = 0;
        for error in self.validator.iter_errors(body) {
            count += 1;
            if lines.len() < MAX_VIOLATIONS {
                let at = error.instance_path().to_string();
                let at = if at.is_empty() { "/".to_owned() } else { at };
                lines.push(format!("{at}: {error}"));
            }
        }
        if count == 0 {
            return None;
        }
        if count > lines.len() {
            lines.push(format!("and {} more", count - lines.len()));
        }
        Some(Failure {
            source: Source::Body,
            expected: Expected::Schema,
            actual: Actual::Violations(lines),
        })
    }
}
