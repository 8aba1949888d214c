//! One `[[test.step]]` (or teardown step): the request, `[expect]` and
//! `capture`, every value checked where it is written.

use std::path::Path;
use std::sync::Arc;

use toml_edit::Item;

use super::SuiteError;
use super::reader::{Reader, SuiteReader, Use, join};
use crate::config::{JsonPathExpr, Pattern, StatusSet};
use crate::expect::{Comparison, HeaderTest, JsonTest, JsonType, schema::Schema};
use crate::suite::model::{
    AuthSpec, BodySpec, Capture, CaptureFrom, ExpectSpec, HeaderSpec, RequestTarget, Step,
};
use crate::suite::template::Template;

const STEP_KEYS: &[&str] = &[
    "name",
    "method",
    "path",
    "url",
    "query",
    "headers",
    "json",
    "form",
    "body",
    "content_type",
    "auth",
    "timeout",
    "follow_redirects",
    "expect",
    "capture",
    "repeat",
    "expect_last",
];

/// Reads a step at `path`; the `{{name}}` uses go to `uses`.
pub fn read(
    reader: &Reader<'_>,
    table: &toml_edit::Table,
    path: &str,
    uses: &mut Vec<Use>,
    base_dir: &Path,
) -> Result<Step, SuiteError> {
    reader.only_keys(table, path, STEP_KEYS)?;
    let key = |k: &str| join(path, k);
    let line = table
        .span()
        .map_or(1, |s| crate::config::span::line_col(reader.text, s.start).0);
    let (method, target, name) = read_target(reader, table, path, uses)?;
    let query = match table.get("query") {
        Some(item) => pairs(reader, item, &key("query"), uses)?,
        None => Vec::new(),
    };
    let headers = match table.get("headers") {
        Some(item) => headers(reader, item, &key("headers"), uses)?,
        None => Vec::new(),
    };
    let body = read_body(reader, table, path, uses)?;
    let auth = match table.get("auth") {
        Some(item) => Some(read_auth(reader, item, &key("auth"), uses)?),
        None => None,
    };
    let timeout = match table.get("timeout") {
        Some(item) => Some(reader.duration(item, &key("timeout"))?),
        None => None,
    };
    let follow_redirects = match table.get("follow_redirects") {
        Some(item) => reader.bool(item, &key("follow_redirects"))?,
        None => true,
    };
    let expect = match table.get("expect") {
        Some(item) => read_expect(reader, item, &key("expect"), uses, base_dir)?,
        None => ExpectSpec::default(),
    };
    let captures = match table.get("capture") {
        Some(item) => read_captures(reader, item, &key("capture"))?,
        None => Vec::new(),
    };
    let repeat = match table.get("repeat") {
        Some(item) => {
            u32::try_from(reader.integer(item, &key("repeat"), 1..=100_000)?).unwrap_or(1)
        }
        None => 1,
    };
    let expect_last = match table.get("expect_last") {
        Some(item) => Some(
            u16::try_from(reader.integer(item, &key("expect_last"), 100..=599)?).unwrap_or(200),
        ),
        None => None,
    };
    if expect_last.is_some() && repeat < 2 {
        let item = table.get("expect_last").expect("read above");
        return Err(reader.error(
            item.span(),
            &key("expect_last"),
            "`expect_last` goes with `repeat` of 2 or more",
        ));
    }
    Ok(Step {
        name,
        line,
        method,
        target,
        query,
        headers,
        body,
        auth,
        timeout,
        follow_redirects,
        expect,
        captures,
        repeat,
        expect_last,
    })
}

/// The method, where the request goes, and the step's name (by default
/// `METHOD path` as written).
fn read_target(
    reader: &Reader<'_>,
    table: &toml_edit::Table,
    path: &str,
    uses: &mut Vec<Use>,
) -> Result<(String, RequestTarget, String), SuiteError> {
    let key = |k: &str| join(path, k);
    let method = match table.get("method") {
        Some(item) => {
            let method = reader.string(item, &key("method"))?.to_ascii_uppercase();
            if !crate::adapters::http::headers::is_token(&method) {
                return Err(reader.error(
                    item.span(),
                    &key("method"),
                    format!("`{method}` is not an HTTP method"),
                ));
            }
            method
        }
        None => "GET".to_owned(),
    };
    let target = match (table.get("path"), table.get("url")) {
        (Some(_), Some(url)) => {
            return Err(reader.error(url.span(), &key("url"), "give `path` or `url`, not both"));
        }
        (Some(item), None) => {
            let text = reader.string(item, &key("path"))?;
            if !text.starts_with('/') && !text.starts_with("{{") {
                return Err(reader.error(
                    item.span(),
                    &key("path"),
                    format!("`{text}` must start with `/` (or use `url` for a full URL)"),
                ));
            }
            RequestTarget::Path(reader.template_of(
                &text,
                item.span().as_ref(),
                &key("path"),
                uses,
            )?)
        }
        (None, Some(item)) => RequestTarget::Url(reader.template(item, &key("url"), uses)?),
        (None, None) => {
            return Err(reader.error(
                table.span(),
                path,
                "a step needs `path` (joined to base_url) or `url`",
            ));
        }
    };
    let name = match table.get("name") {
        Some(item) => reader.string(item, &key("name"))?,
        None => match &target {
            RequestTarget::Path(_) | RequestTarget::Url(_) => {
                let written = table
                    .get("path")
                    .or_else(|| table.get("url"))
                    .and_then(Item::as_str)
                    .unwrap_or_default();
                format!("{method} {written}")
            }
        },
    };
    Ok((method, target, name))
}

/// `{ name = "value" }` pairs, values templated.
fn pairs(
    reader: &Reader<'_>,
    item: &Item,
    path: &str,
    uses: &mut Vec<Use>,
) -> Result<Vec<(String, Template)>, SuiteError> {
    let table = reader.table(item, path)?;
    table
        .iter()
        .map(|(name, value)| {
            let key = join(path, name);
            let text = match value.as_value() {
                Some(toml_edit::Value::Integer(n)) => n.value().to_string(),
                Some(toml_edit::Value::Float(f)) => f.value().to_string(),
                Some(toml_edit::Value::Boolean(b)) => b.value().to_string(),
                _ => reader.string(value, &key)?,
            };
            Ok((
                name.to_owned(),
                reader.template_of(&text, value.span().as_ref(), &key, uses)?,
            ))
        })
        .collect()
}

/// Request headers: names must be HTTP tokens.
pub fn headers(
    reader: &Reader<'_>,
    item: &Item,
    path: &str,
    uses: &mut Vec<Use>,
) -> Result<Vec<(String, Template)>, SuiteError> {
    let table = reader.table(item, path)?;
    for (name, _) in table.iter() {
        if !crate::adapters::http::headers::is_token(name) {
            let span = table.key(name).and_then(toml_edit::Key::span);
            return Err(reader.error(
                span,
                &join(path, name),
                format!("`{name}` is not a valid header name"),
            ));
        }
    }
    pairs(reader, item, path, uses)
}

fn read_body(
    reader: &Reader<'_>,
    table: &toml_edit::Table,
    path: &str,
    uses: &mut Vec<Use>,
) -> Result<BodySpec, SuiteError> {
    let key = |k: &str| join(path, k);
    let given: Vec<&str> = ["json", "form", "body"]
        .into_iter()
        .filter(|k| table.contains_key(k))
        .collect();
    if given.len() > 1 {
        let item = table.get(given[1]).expect("present");
        return Err(reader.error(
            item.span(),
            &key(given[1]),
            format!(
                "a step has one body: `{}` or `{}`, not both",
                given[0], given[1]
            ),
        ));
    }
    let content_type = match table.get("content_type") {
        Some(item) => Some(reader.string(item, &key("content_type"))?),
        None => None,
    };
    Ok(match given.first().copied() {
        Some("json") => BodySpec::Json(reader.item_json(&table["json"], &key("json"), uses)?),
        Some("form") => BodySpec::Form(pairs(reader, &table["form"], &key("form"), uses)?),
        Some(_) => BodySpec::Raw {
            text: reader.template(&table["body"], &key("body"), uses)?,
            content_type,
        },
        None => BodySpec::None,
    })
}

fn read_auth(
    reader: &Reader<'_>,
    item: &Item,
    path: &str,
    uses: &mut Vec<Use>,
) -> Result<AuthSpec, SuiteError> {
    let table = reader.table(item, path)?;
    reader.only_keys(table, path, &["bearer", "user", "password"])?;
    if let Some(token) = table.get("bearer") {
        if table.contains_key("user") {
            return Err(reader.error(
                item.span(),
                path,
                "`auth` is `bearer` or `user`/`password`, not both",
            ));
        }
        return Ok(AuthSpec::Bearer(reader.template(
            token,
            &join(path, "bearer"),
            uses,
        )?));
    }
    let user_item = table.get("user").ok_or_else(|| {
        reader.error(
            item.span(),
            path,
            "`auth` needs `bearer` or `user` (and `password`)",
        )
    })?;
    Ok(AuthSpec::Basic {
        user: reader.template(user_item, &join(path, "user"), uses)?,
        password: match table.get("password") {
            Some(p) => Some(reader.template(p, &join(path, "password"), uses)?),
            None => None,
        },
    })
}

fn read_expect(
    reader: &Reader<'_>,
    item: &Item,
    path: &str,
    uses: &mut Vec<Use>,
    base_dir: &Path,
) -> Result<ExpectSpec, SuiteError> {
    let table = reader.table(item, path)?;
    reader.only_keys(
        table,
        path,
        &["status", "headers", "json", "schema", "body", "latency"],
    )?;
    let key = |k: &str| join(path, k);
    let mut spec = ExpectSpec::default();
    if let Some(item) = table.get("status") {
        spec.status = Some(read_status(reader, item, &key("status"))?);
    }
    if let Some(item) = table.get("headers") {
        let headers = reader.table(item, &key("headers"))?;
        for (name, rule) in headers.iter() {
            spec.headers.push((
                name.to_owned(),
                header_rule(reader, rule, &join(&key("headers"), name), uses)?,
            ));
        }
    }
    if let Some(item) = table.get("json") {
        let rules = reader.table(item, &key("json"))?;
        for (expr, rule) in rules.iter() {
            let rule_key = join(&key("json"), expr);
            let span = rules.key(expr).and_then(toml_edit::Key::span);
            let path_expr: JsonPathExpr = expr
                .parse()
                .map_err(|m: String| reader.error(span, &rule_key, m))?;
            spec.json
                .push((path_expr, json_tests(reader, rule, &rule_key, uses)?));
        }
    }
    if let Some(item) = table.get("schema") {
        spec.schema = Some(Arc::new(read_schema(
            reader,
            item,
            &key("schema"),
            base_dir,
        )?));
    }
    if let Some(item) = table.get("body") {
        let body = reader.table(item, &key("body"))?;
        reader.only_keys(body, &key("body"), &["matches", "contains"])?;
        if let Some(m) = body.get("matches") {
            spec.body_matches = Some(pattern(reader, m, &join(&key("body"), "matches"))?);
        }
        if let Some(c) = body.get("contains") {
            spec.body_contains = Some(reader.template(c, &join(&key("body"), "contains"), uses)?);
        }
    }
    if let Some(item) = table.get("latency") {
        let text = reader.string(item, &key("latency"))?;
        let budget = text
            .trim()
            .trim_start_matches("<=")
            .trim_start_matches('<')
            .trim();
        spec.latency = Some(humantime::parse_duration(budget).map_err(|_| {
            reader.error(
                item.span(),
                &key("latency"),
                format!("`{text}` is not a latency budget: write e.g. \"< 200ms\""),
            )
        })?);
    }
    Ok(spec)
}

/// `201`, `"2xx"`, `"200-299"`, `[200, 201]`.
fn read_status(reader: &Reader<'_>, item: &Item, key: &str) -> Result<StatusSet, SuiteError> {
    let one = |value: &toml_edit::Value| -> Result<Vec<(u16, u16)>, SuiteError> {
        let text = match value {
            toml_edit::Value::Integer(n) => n.value().to_string(),
            toml_edit::Value::String(s) => s.value().clone(),
            _ => {
                return Err(reader.error(
                    value.span(),
                    key,
                    "a status is a number such as 200 or a class such as \"2xx\"",
                ));
            }
        };
        text.parse::<StatusSet>()
            .map(|set| set.0)
            .map_err(|m| reader.error(value.span(), key, m))
    };
    let ranges = match item.as_value() {
        Some(toml_edit::Value::Array(array)) => {
            let mut ranges = Vec::new();
            for value in array {
                ranges.extend(one(value)?);
            }
            ranges
        }
        Some(value) => one(value)?,
        None => return Err(reader.error(item.span(), key, "expected a status")),
    };
    if ranges.is_empty() {
        return Err(reader.error(item.span(), key, "the list of statuses is empty"));
    }
    Ok(StatusSet(ranges))
}

fn pattern(reader: &Reader<'_>, item: &Item, key: &str) -> Result<Pattern, SuiteError> {
    let text = reader.string(item, key)?;
    text.parse()
        .map_err(|m: String| reader.error(item.span(), key, m))
}

/// A bare string means equals; a table holds `equals`, `contains`, `matches`, `exists`.
fn header_rule(
    reader: &Reader<'_>,
    item: &Item,
    key: &str,
    uses: &mut Vec<Use>,
) -> Result<HeaderSpec, SuiteError> {
    if item.is_str() {
        return Ok(HeaderSpec::Equals(reader.template(item, key, uses)?));
    }
    let table = reader.table(item, key)?;
    reader.only_keys(table, key, &["equals", "contains", "matches", "exists"])?;
    let (op, value) = table.iter().next().ok_or_else(|| {
        reader.error(
            item.span(),
            key,
            "say what the header must show: equals, contains, matches or exists",
        )
    })?;
    if table.len() > 1 {
        return Err(reader.error(
            item.span(),
            key,
            "one rule per header: equals, contains, matches or exists",
        ));
    }
    let op_key = join(key, op);
    Ok(match op {
        "equals" => HeaderSpec::Equals(reader.template(value, &op_key, uses)?),
        "contains" => HeaderSpec::Contains(reader.template(value, &op_key, uses)?),
        "matches" => HeaderSpec::Test(HeaderTest::Matches(pattern(reader, value, &op_key)?)),
        _ => {
            if !reader.bool(value, &op_key)? {
                return Err(reader.error(
                    value.span(),
                    &op_key,
                    "a header that must be absent is not supported yet; write `exists = true`",
                ));
            }
            HeaderSpec::Test(HeaderTest::Exists)
        }
    })
}

const JSON_OPS: &[&str] = &[
    "equals", "contains", "matches", "type", "length", "exists", "gt", "gte", "lt", "lte",
];

/// A bare value means equals; a table holds any of [`JSON_OPS`].
fn json_tests(
    reader: &Reader<'_>,
    item: &Item,
    key: &str,
    uses: &mut Vec<Use>,
) -> Result<Vec<JsonTest>, SuiteError> {
    let ops = item
        .as_table_like()
        .filter(|t| t.iter().next().is_some_and(|(k, _)| JSON_OPS.contains(&k)));
    let Some(table) = ops else {
        return Ok(vec![JsonTest::Equals(reader.item_json(item, key, uses)?)]);
    };
    reader.only_keys(table, key, JSON_OPS)?;
    let mut tests = Vec::new();
    for (op, value) in table.iter() {
        let op_key = join(key, op);
        let number = |v: &Item| -> Result<f64, SuiteError> {
            // Bounds in suites are small: no precision is lost.
            #[allow(clippy::cast_precision_loss)]
            v.as_float()
                .or_else(|| v.as_integer().map(|n| n as f64))
                .ok_or_else(|| reader.error(v.span(), &op_key, "expected a number"))
        };
        tests.push(match op {
            "equals" => JsonTest::Equals(reader.item_json(value, &op_key, uses)?),
            "contains" => JsonTest::Contains(reader.item_json(value, &op_key, uses)?),
            "matches" => JsonTest::Matches(pattern(reader, value, &op_key)?),
            "type" => {
                let name = reader.string(value, &op_key)?;
                JsonTest::Type(JsonType::parse(&name).ok_or_else(|| {
                    reader.error(value.span(), &op_key, format!("`{name}` is not a JSON type (string, number, integer, boolean, array, object, null)"))
                })?)
            }
            "length" => JsonTest::Length(usize::try_from(reader.integer(value, &op_key, 0..=i64::MAX)?).unwrap_or(usize::MAX)),
            "exists" => JsonTest::Exists(reader.bool(value, &op_key)?),
            "gt" => JsonTest::Compare(Comparison::Greater, number(value)?),
            "gte" => JsonTest::Compare(Comparison::GreaterOrEqual, number(value)?),
            "lt" => JsonTest::Compare(Comparison::Less, number(value)?),
            _ => JsonTest::Compare(Comparison::LessOrEqual, number(value)?),
        });
    }
    Ok(tests)
}

/// A schema file beside the suite, or an inline table.
fn read_schema(
    reader: &Reader<'_>,
    item: &Item,
    key: &str,
    base_dir: &Path,
) -> Result<Schema, SuiteError> {
    let schema = if item.is_str() {
        let file = reader.string(item, key)?;
        let path = base_dir.join(&file);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            reader.error(
                item.span(),
                key,
                format!("cannot read the schema {}: {e}", path.display()),
            )
        })?;
        serde_json::from_str(&text).map_err(|e| {
            reader.error(
                item.span(),
                key,
                format!(
                    "{}:{}:{}: not JSON: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                ),
            )
        })?
    } else {
        reader.item_json(item, key, &mut Vec::new())?
    };
    Schema::new(&schema)
        .map_err(|m| reader.error(item.span(), key, format!("not a valid JSON Schema: {m}")))
}

/// `name = "$.id"` (a JSON path) or `name = { json | header | regex = "…", secret = true }`.
fn read_captures(reader: &Reader<'_>, item: &Item, path: &str) -> Result<Vec<Capture>, SuiteError> {
    let table = reader.table(item, path)?;
    let mut captures = Vec::new();
    for (name, spec) in table.iter() {
        let key = join(path, name);
        let (from, secret) = if spec.is_str() {
            (capture_json(reader, spec, &key)?, false)
        } else {
            let inner = reader.table(spec, &key)?;
            reader.only_keys(inner, &key, &["json", "header", "regex", "secret"])?;
            let secret = match inner.get("secret") {
                Some(s) => reader.bool(s, &join(&key, "secret"))?,
                None => false,
            };
            let from = if let Some(p) = inner.get("json") {
                capture_json(reader, p, &join(&key, "json"))?
            } else if let Some(h) = inner.get("header") {
                CaptureFrom::Header(reader.string(h, &join(&key, "header"))?)
            } else if let Some(r) = inner.get("regex") {
                CaptureFrom::Regex(pattern(reader, r, &join(&key, "regex"))?)
            } else {
                return Err(reader.error(
                    spec.span(),
                    &key,
                    "a capture takes `json`, `header` or `regex`",
                ));
            };
            (from, secret)
        };
        captures.push(Capture {
            name: name.to_owned(),
            from,
            secret,
        });
    }
    Ok(captures)
}

fn capture_json(reader: &Reader<'_>, item: &Item, key: &str) -> Result<CaptureFrom, SuiteError> {
    let text = reader.string(item, key)?;
    text.parse()
        .map(CaptureFrom::Json)
        .map_err(|m: String| reader.error(item.span(), key, m))
}
