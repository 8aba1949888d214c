//! A template's variables from every source, checked before anything is
//! written: `--set` wins over a values file, which wins over an answer at the
//! prompt, which wins over the default. All problems are reported at once,
//! so a CI run learns every missing variable in one go.

use std::collections::BTreeMap;

use super::{Kind, ScaffoldError, Template, Variable};
use crate::config::reader::{LocatedError, Reader};

/// A value given by the user, and where (`--set`, `values.toml:3:1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub key: String,
    pub value: String,
    pub from: String,
}

/// `--set k=v`.
pub fn parse_set(text: &str) -> Result<Given, String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected NAME=VALUE"))?;
    if key.trim().is_empty() {
        return Err(format!("`{text}`: the name is empty"));
    }
    Ok(Given {
        key: key.trim().to_owned(),
        value: value.to_owned(),
        from: "--set".to_owned(),
    })
}

/// A values file: `name = "value"` lines (numbers and booleans too).
pub fn parse_file(text: &str, file: &str) -> Result<Vec<Given>, LocatedError> {
    let env = |_: &str| None;
    let reader = Reader {
        text,
        file,
        env: &env,
    };
    let doc = reader.document()?;
    let mut out = Vec::new();
    for (key, item) in doc.as_table() {
        let value = match item.as_value() {
            Some(toml_edit::Value::String(s)) => s.value().clone(),
            Some(toml_edit::Value::Integer(n)) => n.value().to_string(),
            Some(toml_edit::Value::Boolean(b)) => b.value().to_string(),
            _ => {
                return Err(reader.error(
                    item.span(),
                    key,
                    format!("expected a string or number, found {}", item.type_name()),
                ));
            }
        };
        let (line, column) = item
            .span()
            .map_or((1, 1), |s| crate::config::span::line_col(text, s.start));
        out.push(Given {
            key: key.to_owned(),
            value,
            from: format!("{file}:{line}:{column}"),
        });
    }
    Ok(out)
}

/// Whether `value` is a `kind`; the reason when not.
pub fn check(kind: Kind, value: &str) -> Result<(), String> {
    let ok = match kind {
        Kind::Name => {
            !value.is_empty()
                && value.len() <= 64
                && value.starts_with(|c: char| c.is_ascii_lowercase())
                && !value.ends_with('-')
                && !value.contains("--")
                && value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        }
        Kind::Port => value.parse::<u16>().is_ok_and(|p| p > 0),
        // Values land in JSON, TOML and YAML files: no quoting to get wrong.
        Kind::String => !value.contains(['\n', '\r', '"', '\\']),
        Kind::Version => {
            let parts: Vec<&str> = value.split('.').collect();
            parts.len() <= 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        }
    };
    if ok {
        return Ok(());
    }
    Err(match kind {
        Kind::Name => "a name is lowercase kebab-case (letters, digits and single dashes, starting with a letter), with no path separators or `..`".into(),
        Kind::Port => "a port is a whole number from 1 to 65535".into(),
        Kind::String => "one line of text without double quotes or backslashes".into(),
        Kind::Version => "a version is like 20, 1.85 or 1.2.3".into(),
    })
}

/// The template's variables. `extra` are the keys a template may use besides
/// its own (built-ins that `--set` may override). `ask` puts a question at a
/// terminal (`None` when nobody is there).
pub fn resolve(
    template: &Template,
    given: &[Given],
    extra: &[&str],
    ask: &mut dyn FnMut(&Variable) -> Option<String>,
) -> Result<BTreeMap<String, String>, ScaffoldError> {
    let mut problems = Vec::new();
    let declared: Vec<&str> = template.variables.iter().map(|v| v.name.as_str()).collect();
    let mut values = BTreeMap::new();
    for g in given {
        if declared.contains(&g.key.as_str()) || extra.contains(&g.key.as_str()) {
            values.insert(g.key.clone(), (g.value.clone(), g.from.clone()));
        } else {
            problems.push(format!(
                "{}: unknown variable `{}` (template {} has: {})",
                g.from,
                g.key,
                template.name,
                declared
                    .iter()
                    .chain(extra)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let mut missing = Vec::new();
    for variable in &template.variables {
        if !values.contains_key(&variable.name) {
            let answer = ask(variable).or_else(|| variable.default.clone());
            match answer {
                Some(value) => {
                    values.insert(
                        variable.name.clone(),
                        (value, "the prompt or default".into()),
                    );
                }
                None => missing.push(if variable.help.is_empty() {
                    variable.name.clone()
                } else {
                    format!("{} ({})", variable.name, variable.help)
                }),
            }
        }
        if let Some((value, from)) = values.get(&variable.name)
            && let Err(reason) = check(variable.kind, value)
        {
            problems.push(format!("{from}: {} = `{value}`: {reason}", variable.name));
        }
    }
    if !missing.is_empty() {
        problems.push(format!(
            "missing variables: {}; set them with --set NAME=VALUE or --values FILE",
            missing.join(", ")
        ));
    }
    if problems.is_empty() {
        Ok(values.into_iter().map(|(k, (v, _))| (k, v)).collect())
    } else {
        Err(ScaffoldError::Values(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::Template;

    fn template() -> Template {
        let manifest = "[[variables]]\nname = \"port\"\nkind = \"port\"\ndefault = \"4001\"\n[[variables]]\nname = \"owner\"\nhelp = \"who runs it\"\n[[variables]]\nname = \"team\"\n";
        Template::new("t", "built-in", "template.toml", manifest, Vec::new()).unwrap()
    }

    #[test]
    fn names_are_kebab_case_without_paths() {
        for good in ["ai", "ai-service", "svc2"] {
            assert!(check(Kind::Name, good).is_ok(), "{good}");
        }
        for bad in [
            "", "AI", "ai/x", "..", "../ai", "-ai", "ai-", "a--b", "ai_svc", "2ai",
        ] {
            assert!(check(Kind::Name, bad).is_err(), "{bad}");
        }
        assert!(check(Kind::Port, "0").is_err() && check(Kind::Port, "65536").is_err());
        assert!(check(Kind::Version, "20").is_ok() && check(Kind::Version, "v20").is_err());
    }

    #[test]
    fn every_missing_variable_is_named_at_once_and_bad_values_say_where() {
        let given = [
            parse_set("port=99999").unwrap(),
            parse_set("colour=red").unwrap(),
        ];
        let err = resolve(&template(), &given, &["scope"], &mut |_| None).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("--set: unknown variable `colour`"), "{text}");
        assert!(text.contains("--set: port = `99999`: a port is"), "{text}");
        assert!(
            text.contains("missing variables: owner (who runs it), team;"),
            "{text}"
        );
    }

    #[test]
    fn set_beats_the_file_which_beats_the_prompt_and_the_default() {
        let file = parse_file("owner = \"file\"\nteam = \"file\"\n", "v.toml").unwrap();
        assert_eq!(file[1].from, "v.toml:2:8");
        let mut given = file;
        given.push(parse_set("team=flag").unwrap());
        let values = resolve(&template(), &given, &[], &mut |v| {
            (v.name == "port").then(|| "5000".to_owned())
        })
        .unwrap();
        assert_eq!(values["owner"], "file");
        assert_eq!(values["team"], "flag");
        assert_eq!(values["port"], "5000");
    }
}
