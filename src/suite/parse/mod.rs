//! Loading a suite file: TOML with located errors (file:line:col and the key)
//! for an unknown key, a wrong type, a bad regex, JSON path or status, an
//! undefined `{{name}}` or a capture used before a step makes it. Nothing is
//! sent before a suite loads whole.

mod reader;
mod step;

use std::collections::HashSet;
use std::path::Path;

use toml_edit::{Item, TableLike};

use super::model::{Defaults, LoadSpec, Metric, Suite, Test, Threshold, ThresholdOp, Var};
use reader::{Reader, SuiteReader, Use, join};

/// A suite that cannot be used; always exit 2.
pub type SuiteError = crate::config::reader::LocatedError;

/// Every invalid suite of a run, one error each.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct SuiteErrors(pub Vec<SuiteError>);

/// What the command line adds to a suite.
pub struct LoadOptions<'a> {
    /// `--env NAME`: the `[env.NAME]` section to apply.
    pub env: Option<&'a str>,
    /// `--var` and `--vars-file` values; they win over the suite's.
    pub vars: &'a [Var],
    /// The process environment, for `${ENV}`.
    pub lookup: &'a dyn Fn(&str) -> Option<String>,
}

const SUITE_KEYS: &[&str] = &[
    "name", "base_url", "tags", "vars", "env", "defaults", "cookies", "load", "test",
];

/// Parses the suite at `file` (its text is `text`); schema files are read
/// relative to the file's folder.
pub fn parse(text: &str, file: &Path, options: &LoadOptions<'_>) -> Result<Suite, SuiteError> {
    let shown = file.display().to_string();
    let reader = Reader {
        text,
        file: &shown,
        env: options.lookup,
    };
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        reader.error(
            e.span(),
            "",
            format!("not valid TOML: {}", first_line(e.message())),
        )
    })?;
    let root = doc.as_table();
    reader.only_keys(root, "", SUITE_KEYS)?;
    let name = match root.get("name") {
        Some(item) => reader.string(item, "name")?,
        None => file
            .file_stem()
            .map_or_else(|| shown.clone(), |s| s.to_string_lossy().into_owned()),
    };
    let mut scratch = Vec::new();
    let mut base_url = match root.get("base_url") {
        Some(item) => Some(reader.template(item, "base_url", &mut scratch)?),
        None => None,
    };
    let tags = match root.get("tags") {
        Some(item) => reader.strings(item, "tags")?,
        None => Vec::new(),
    };
    let mut vars = match root.get("vars") {
        Some(item) => read_vars(&reader, item, "vars")?,
        None => Vec::new(),
    };
    if let Some(env) = options.env {
        let (env_base, env_vars) = read_env(&reader, root, env)?;
        if env_base.is_some() {
            base_url = env_base;
        }
        merge(&mut vars, env_vars);
    }
    merge(&mut vars, options.vars.to_vec());
    // Variables may use earlier ones only through the environment: keep them plain.
    let defaults = match root.get("defaults") {
        Some(item) => read_defaults(&reader, item, &mut scratch)?,
        None => Defaults::default(),
    };
    let cookies = match root.get("cookies") {
        Some(item) => reader.bool(item, "cookies")?,
        None => false,
    };
    let load = match root.get("load") {
        Some(item) => Some(read_load(&reader, item)?),
        None => None,
    };
    let known: HashSet<String> = vars.iter().map(|v| v.name.clone()).collect();
    check_uses(&reader, &scratch, &known, "a suite variable or --var")?;
    let base_dir = file.parent().unwrap_or(Path::new("."));
    let tests = read_tests(&reader, root, &known, base_dir)?;
    if tests.is_empty() {
        return Err(reader.error(None, "test", "the suite has no [[test]]"));
    }
    let suite = Suite {
        file: file.to_path_buf(),
        name,
        base_url,
        tags,
        vars,
        defaults,
        cookies,
        load,
        tests,
    };
    if suite.base_url.is_none()
        && let Some(step) = suite
            .steps()
            .find(|s| matches!(s.target, super::model::RequestTarget::Path(_)))
    {
        let (line, column) = (step.line, 1);
        return Err(SuiteError {
            path: shown,
            line,
            column,
            key: Some("path".to_owned()),
            message: "a `path` needs `base_url` at the top of the suite (or --base-url); or write a full `url`".to_owned(),
        });
    }
    Ok(suite)
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

/// Later values win; order is kept (first definition's place).
fn merge(vars: &mut Vec<Var>, more: Vec<Var>) {
    for var in more {
        match vars.iter_mut().find(|v| v.name == var.name) {
            Some(existing) => {
                // A value once secret stays secret.
                let secret = existing.secret || var.secret;
                *existing = Var { secret, ..var };
            }
            None => vars.push(var),
        }
    }
}

/// `name = "value"` or `name = { value = "…", secret = true }`.
fn read_vars(reader: &Reader<'_>, item: &Item, path: &str) -> Result<Vec<Var>, SuiteError> {
    let table = reader.table(item, path)?;
    let mut vars = Vec::new();
    for (name, value) in table.iter() {
        let key = join(path, name);
        let (value, secret) = match value.as_table_like() {
            Some(inner) => {
                reader.only_keys(inner, &key, &["value", "secret"])?;
                let text = inner.get("value").ok_or_else(|| {
                    reader.error(value.span(), &key, "a table variable needs `value`")
                })?;
                let secret = match inner.get("secret") {
                    Some(s) => reader.bool(s, &join(&key, "secret"))?,
                    None => false,
                };
                (scalar(reader, text, &join(&key, "value"))?, secret)
            }
            None => (scalar(reader, value, &key)?, false),
        };
        vars.push(Var {
            name: name.to_owned(),
            value,
            secret,
        });
    }
    Ok(vars)
}

/// A string, number or boolean as text.
fn scalar(reader: &Reader<'_>, item: &Item, key: &str) -> Result<String, SuiteError> {
    if item.is_str() {
        return reader.string(item, key);
    }
    match item.as_value() {
        Some(toml_edit::Value::Integer(n)) => Ok(n.value().to_string()),
        Some(toml_edit::Value::Float(f)) => Ok(f.value().to_string()),
        Some(toml_edit::Value::Boolean(b)) => Ok(b.value().to_string()),
        _ => Err(reader.error(
            item.span(),
            key,
            format!(
                "expected a string, number or boolean, found {}",
                item.type_name()
            ),
        )),
    }
}

fn read_env(
    reader: &Reader<'_>,
    root: &dyn TableLike,
    env: &str,
) -> Result<(Option<super::template::Template>, Vec<Var>), SuiteError> {
    let names = || -> String {
        root.get("env")
            .and_then(Item::as_table_like)
            .map(|t| {
                t.iter()
                    .map(|(k, _)| k.to_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "none".to_owned())
    };
    let Some(section) = root
        .get("env")
        .and_then(Item::as_table_like)
        .and_then(|t| t.get(env))
    else {
        return Err(reader.error(
            None,
            "",
            format!(
                "--env {env}: the suite has no [env.{env}] (it has: {})",
                names()
            ),
        ));
    };
    let path = format!("env.{env}");
    let table = reader.table(section, &path)?;
    reader.only_keys(table, &path, &["base_url", "vars"])?;
    let mut scratch = Vec::new();
    let base = match table.get("base_url") {
        Some(item) => Some(reader.template(item, &join(&path, "base_url"), &mut scratch)?),
        None => None,
    };
    let vars = match table.get("vars") {
        Some(item) => read_vars(reader, item, &join(&path, "vars"))?,
        None => Vec::new(),
    };
    Ok((base, vars))
}

fn read_defaults(
    reader: &Reader<'_>,
    item: &Item,
    uses: &mut Vec<Use>,
) -> Result<Defaults, SuiteError> {
    let table = reader.table(item, "defaults")?;
    reader.only_keys(table, "defaults", &["headers", "timeout"])?;
    let headers = match table.get("headers") {
        Some(item) => step::headers(reader, item, "defaults.headers", uses)?,
        None => Vec::new(),
    };
    let timeout = match table.get("timeout") {
        Some(item) => Some(reader.duration(item, "defaults.timeout")?),
        None => None,
    };
    Ok(Defaults { headers, timeout })
}

fn read_load(reader: &Reader<'_>, item: &Item) -> Result<LoadSpec, SuiteError> {
    let table = reader.table(item, "load")?;
    reader.only_keys(table, "load", &["repeat", "concurrency", "thresholds"])?;
    let repeat = match table.get("repeat") {
        Some(item) => {
            u32::try_from(reader.integer(item, "load.repeat", 1..=1_000_000)?).unwrap_or(1)
        }
        None => 1,
    };
    let concurrency = match table.get("concurrency") {
        Some(item) => {
            u32::try_from(reader.integer(item, "load.concurrency", 1..=1024)?).unwrap_or(1)
        }
        None => 1,
    };
    let mut thresholds = Vec::new();
    if let Some(item) = table.get("thresholds") {
        let array = item.as_array().ok_or_else(|| {
            reader.error(
                item.span(),
                "load.thresholds",
                "expected a list such as [\"p95 < 200ms\", \"errors < 1%\"]",
            )
        })?;
        for (i, value) in array.iter().enumerate() {
            let key = format!("load.thresholds[{i}]");
            let text = value.as_str().ok_or_else(|| {
                reader.error(
                    value.span(),
                    &key,
                    "expected a string such as \"p95 < 200ms\"",
                )
            })?;
            thresholds
                .push(parse_threshold(text).map_err(|m| reader.error(value.span(), &key, m))?);
        }
    }
    Ok(LoadSpec {
        repeat,
        concurrency,
        thresholds,
    })
}

/// `p95 < 200ms`, `max <= 1s`, `errors < 1%`, `rps > 100`.
pub fn parse_threshold(text: &str) -> Result<Threshold, String> {
    let bad = || {
        format!(
            "`{text}` is not a threshold: write e.g. `p95 < 200ms`, `errors < 1%` or `rps > 50`"
        )
    };
    let mut words = text.split_whitespace();
    let (Some(metric), Some(op), Some(value), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(bad());
    };
    let op = match op {
        "<" => ThresholdOp::Less,
        "<=" => ThresholdOp::LessOrEqual,
        ">" => ThresholdOp::Greater,
        ">=" => ThresholdOp::GreaterOrEqual,
        _ => return Err(bad()),
    };
    let (metric, value) = match metric {
        "p50" | "p95" | "p99" | "max" | "median" => {
            let percentile = match metric {
                "p50" | "median" => 50,
                "p95" => 95,
                "p99" => 99,
                _ => 100,
            };
            let duration = humantime::parse_duration(value).map_err(|_| bad())?;
            (Metric::Latency(percentile), duration.as_secs_f64() * 1000.0)
        }
        "errors" => {
            let percent: f64 = value
                .strip_suffix('%')
                .ok_or_else(bad)?
                .parse()
                .map_err(|_| bad())?;
            (Metric::Errors, percent)
        }
        "rps" => (Metric::Rps, value.parse().map_err(|_| bad())?),
        _ => return Err(bad()),
    };
    Ok(Threshold {
        metric,
        op,
        value,
        text: text.to_owned(),
    })
}

fn read_tests(
    reader: &Reader<'_>,
    root: &dyn TableLike,
    known: &HashSet<String>,
    base_dir: &Path,
) -> Result<Vec<Test>, SuiteError> {
    let Some(item) = root.get("test") else {
        return Ok(Vec::new());
    };
    let array = item.as_array_of_tables().ok_or_else(|| {
        reader.error(item.span(), "test", "write each test as a [[test]] section")
    })?;
    let mut tests = Vec::new();
    for (index, table) in array.iter().enumerate() {
        let path = format!("test[{index}]");
        let line = table
            .span()
            .map_or(1, |s| crate::config::span::line_col(reader.text, s.start).0);
        reader.only_keys(
            table,
            &path,
            &["name", "tags", "exclusive", "step", "teardown"],
        )?;
        let name = table
            .get("name")
            .ok_or_else(|| reader.error(table.span(), &path, "a test needs a `name`"))
            .and_then(|item| reader.string(item, &join(&path, "name")))?;
        let tags = match table.get("tags") {
            Some(item) => reader.strings(item, &join(&path, "tags"))?,
            None => Vec::new(),
        };
        let exclusive = match table.get("exclusive") {
            Some(item) => reader.bool(item, &join(&path, "exclusive"))?,
            None => false,
        };
        let mut in_scope = known.clone();
        let steps = read_steps(reader, table, &path, "step", &mut in_scope, base_dir)?;
        if steps.is_empty() {
            return Err(reader.error(
                table.span(),
                &path,
                "a test needs at least one [[test.step]]",
            ));
        }
        let teardown = read_steps(reader, table, &path, "teardown", &mut in_scope, base_dir)?;
        tests.push(Test {
            name,
            tags,
            line,
            exclusive,
            steps,
            teardown,
        });
    }
    Ok(tests)
}

/// The steps of one list, each checked against the names in scope before
/// it; its captures join the scope after it.
fn read_steps(
    reader: &Reader<'_>,
    test: &toml_edit::Table,
    path: &str,
    list: &str,
    in_scope: &mut HashSet<String>,
    base_dir: &Path,
) -> Result<Vec<super::model::Step>, SuiteError> {
    let Some(item) = test.get(list) else {
        return Ok(Vec::new());
    };
    let key = join(path, list);
    let array = item.as_array_of_tables().ok_or_else(|| {
        reader.error(
            item.span(),
            &key,
            format!("write each as a [[test.{list}]] section"),
        )
    })?;
    let mut steps = Vec::new();
    for (index, table) in array.iter().enumerate() {
        let step_path = format!("{key}[{index}]");
        let mut uses = Vec::new();
        let step = step::read(reader, table, &step_path, &mut uses, base_dir)?;
        check_uses(
            reader,
            &uses,
            in_scope,
            "a suite variable, --var or a capture of an earlier step",
        )?;
        in_scope.extend(step.captures.iter().map(|c| c.name.clone()));
        steps.push(step);
    }
    Ok(steps)
}

fn check_uses(
    reader: &Reader<'_>,
    uses: &[Use],
    known: &HashSet<String>,
    what: &str,
) -> Result<(), SuiteError> {
    for used in uses {
        if !known.contains(&used.name) {
            return Err(reader.error(
                used.span.clone(),
                &used.key,
                format!(
                    "`{{{{{}}}}}` is not defined here: it must be {what}",
                    used.name
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
