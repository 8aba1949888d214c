//! `{{name}}` templates in suite strings: parsed once when a suite loads
//! (so an unknown name is an error before anything is sent), rendered per
//! request from the variables in scope. `{{{{` is a literal `{{`. Pure.

use std::collections::HashMap;

/// A string with `{{name}}` holes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(String),
}

/// Why a template does not parse; `offset` is the byte in the string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub offset: usize,
    pub message: String,
}

/// The variables in scope: name → value.
pub type Vars = HashMap<String, String>;

impl Template {
    /// Parses `text`; names are letters, digits, `_`, `-` and `.`.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        let mut consumed = 0;
        while let Some(open) = rest.find("{{") {
            literal.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            if let Some(tail) = after.strip_prefix("{{") {
                literal.push_str("{{");
                consumed += open + 4;
                rest = tail;
                continue;
            }
            let Some(close) = after.find("}}") else {
                return Err(TemplateError {
                    offset: consumed + open,
                    message:
                        "unterminated `{{`: close it with `}}` (write `{{{{` for a literal `{{`)"
                            .to_owned(),
                });
            };
            let name = after[..close].trim();
            if !is_name(name) {
                return Err(TemplateError {
                    offset: consumed + open,
                    message: format!(
                        "`{{{{{}}}}}` is not a variable name (letters, digits, `_`, `-`, `.`)",
                        &after[..close]
                    ),
                });
            }
            if !literal.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut literal)));
            }
            parts.push(Part::Var(name.to_owned()));
            consumed += open + 2 + close + 2;
            rest = &after[close + 2..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Template { parts })
    }

    /// A template without holes.
    #[must_use]
    pub fn literal(text: &str) -> Self {
        Template {
            parts: vec![Part::Text(text.to_owned())],
        }
    }

    /// The names it uses, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Var(name) => Some(name.as_str()),
            Part::Text(_) => None,
        })
    }

    /// The text with every hole filled; a name not in `vars` renders as
    /// `{{name}}` (loading has already checked that none is missing).
    #[must_use]
    pub fn render(&self, vars: &Vars) -> String {
        if let [Part::Text(text)] = self.parts.as_slice() {
            return text.clone();
        }
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Var(name) => {
                    if let Some(value) = vars.get(name) {
                        out.push_str(value);
                    } else {
                        out.push_str("{{");
                        out.push_str(name);
                        out.push_str("}}");
                    }
                }
            }
        }
        out
    }
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn holes_are_filled() {
        let t = Template::parse("/api/v1/skills/{{ skill_id }}?x={{x}}&y=1").unwrap();
        assert_eq!(t.names().collect::<Vec<_>>(), ["skill_id", "x"]);
        assert_eq!(
            t.render(&vars(&[("skill_id", "42"), ("x", "a b")])),
            "/api/v1/skills/42?x=a b&y=1"
        );
        assert_eq!(
            Template::parse("plain").unwrap().render(&Vars::new()),
            "plain"
        );
        assert_eq!(Template::parse("").unwrap().render(&Vars::new()), "");
    }

    #[test]
    fn literal_braces_and_other_brace_syntax_stay() {
        let t = Template::parse("{{{{not a var}} ${ENV} {x} }}").unwrap();
        assert_eq!(t.names().count(), 0);
        assert_eq!(t.render(&Vars::new()), "{{not a var}} ${ENV} {x} }}");
    }

    #[test]
    fn bad_templates_say_where() {
        let err = Template::parse("/a/{{id").unwrap_err();
        assert_eq!(err.offset, 3);
        assert!(err.message.contains("unterminated"));
        let err = Template::parse("x {{bad name}}").unwrap_err();
        assert_eq!(err.offset, 2);
        assert!(err.message.contains("`{{bad name}}`"), "{}", err.message);
        assert!(Template::parse("{{}}").is_err());
    }
}
