//! A template: `template.toml` (its description and variables) and the files
//! under `files/`. A file whose name ends in `.tera` is rendered and loses the
//! suffix; any other file is copied byte for byte, so CI files and
//! Dockerfiles with brace syntax of their own need no escaping.

use crate::config::reader::{LocatedError, Reader};

/// One template, wherever it came from.
#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    /// `built-in`, or the folder it was read from.
    pub source: String,
    pub description: String,
    pub variables: Vec<Variable>,
    /// Sorted by path.
    pub files: Vec<TemplateFile>,
}

/// A variable the user may set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    pub kind: Kind,
    pub default: Option<String>,
    pub help: String,
}

/// What a variable's value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Lowercase kebab-case: no path separators, no `..`.
    Name,
    /// 1 to 65535.
    Port,
    /// One line of text.
    String,
    /// `20`, `1.85`, `1.2.3`.
    Version,
}

impl Kind {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Kind::Name => "name",
            Kind::Port => "port",
            Kind::String => "string",
            Kind::Version => "version",
        }
    }

    fn parse(text: &str) -> Option<Kind> {
        Some(match text {
            "name" => Kind::Name,
            "port" => Kind::Port,
            "string" => Kind::String,
            "version" => Kind::Version,
            _ => return None,
        })
    }
}

/// A file of the template, its path relative to `files/`, with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl TemplateFile {
    /// Whether tera renders it (`.tera` suffix).
    #[must_use]
    pub fn rendered(&self) -> bool {
        std::path::Path::new(&self.path)
            .extension()
            .is_some_and(|e| e == "tera")
    }
}

impl Template {
    /// A template from its manifest's text (shown as `manifest_path`) and files.
    pub fn new(
        name: &str,
        source: &str,
        manifest_path: &str,
        manifest: &str,
        mut files: Vec<TemplateFile>,
    ) -> Result<Template, LocatedError> {
        let env = |_: &str| None;
        let reader = Reader {
            text: manifest,
            file: manifest_path,
            env: &env,
        };
        let doc = reader.document()?;
        let root = doc.as_table();
        reader.only_keys(root, "", &["description", "variables"])?;
        let description = match root.get("description") {
            Some(item) => reader.string(item, "description")?,
            None => String::new(),
        };
        let mut variables = Vec::new();
        if let Some(item) = root.get("variables") {
            let tables = item.as_array_of_tables().ok_or_else(|| {
                reader.error(item.span(), "variables", "expected [[variables]] tables")
            })?;
            for (i, table) in tables.iter().enumerate() {
                variables.push(variable(&reader, table, i)?);
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Template {
            name: name.to_owned(),
            source: source.to_owned(),
            description,
            variables,
            files,
        })
    }
}

fn variable(
    reader: &Reader<'_>,
    table: &toml_edit::Table,
    index: usize,
) -> Result<Variable, LocatedError> {
    let path = format!("variables[{index}]");
    reader.only_keys(table, &path, &["name", "kind", "default", "help"])?;
    let get = |key: &str| -> Result<Option<String>, LocatedError> {
        table
            .get(key)
            .map(|item| reader.string(item, &format!("{path}.{key}")))
            .transpose()
    };
    let name = get("name")?.ok_or_else(|| {
        reader.error(
            table.span(),
            &format!("{path}.name"),
            "a variable needs a `name`",
        )
    })?;
    let kind_text = get("kind")?.unwrap_or_else(|| "string".to_owned());
    let kind = Kind::parse(&kind_text).ok_or_else(|| {
        reader.error(
            table.get("kind").and_then(toml_edit::Item::span),
            &format!("{path}.kind"),
            format!("unknown kind `{kind_text}` (expected one of: name, port, string, version)"),
        )
    })?;
    Ok(Variable {
        name,
        kind,
        default: get("default")?,
        help: get("help")?.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_and_its_mistakes_are_located() {
        let manifest = "description = \"x\"\n[[variables]]\nname = \"port\"\nkind = \"port\"\ndefault = \"4001\"\n";
        let template =
            Template::new("t", "built-in", "t/template.toml", manifest, Vec::new()).unwrap();
        assert_eq!(template.variables[0].kind, Kind::Port);
        assert_eq!(template.variables[0].default.as_deref(), Some("4001"));
        let bad = "[[variables]]\nname = \"port\"\nkind = \"number\"\n";
        let err = Template::new("t", "built-in", "t/template.toml", bad, Vec::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t/template.toml:3:8: unknown kind `number` (expected one of: name, port, string, version) (key `variables[0].kind`)"
        );
    }
}
