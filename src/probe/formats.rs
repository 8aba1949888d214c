//! Reads the bodies health endpoints send and folds their nested checks into a
//! tree: the guide's `{status: healthy|unhealthy, checks: [...]}` (§3.2), the IETF
//! `application/health+json` draft, Spring Boot Actuator, MicroProfile Health,
//! @godaddy/terminus, lightship's plain text, other plain text and empty bodies.
//! The HTTP status stays authoritative; this only adds what the body says.

use serde::Serialize;
use serde_json::Value;

use super::health::Health;

/// A nested check reported by the endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NestedCheck {
    pub name: String,
    pub health: Health,
    /// The status word as the endpoint wrote it.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<NestedCheck>,
}

/// What a body says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BodyReading {
    /// `guide`, `ietf`, `spring`, `microprofile`, `terminus`, `lightship`, `text`, `json`, `empty`.
    pub format: &'static str,
    /// The overall status the body claims, if it claims one.
    pub health: Option<Health>,
    pub status: Option<String>,
    pub checks: Vec<NestedCheck>,
}

/// Maps the status words of every known format to a health.
#[must_use]
pub fn health_of_word(word: &str) -> Option<Health> {
    match word.trim().to_ascii_lowercase().as_str() {
        "healthy" | "pass" | "ok" | "up" | "ready" | "green" | "true" | "alive"
        | "server_is_ready" => Some(Health::Healthy),
        "warn" | "warning" | "degraded" | "yellow" | "unknown" => Some(Health::Warn),
        "unhealthy"
        | "fail"
        | "failed"
        | "error"
        | "down"
        | "out_of_service"
        | "critical"
        | "red"
        | "false"
        | "server_is_not_ready"
        | "server_is_shutting_down" => Some(Health::Unhealthy),
        _ => None,
    }
}

fn status_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn check(
    name: String,
    status: Option<String>,
    detail: Option<String>,
    checks: Vec<NestedCheck>,
) -> NestedCheck {
    let from_children = worst(checks.iter().map(|c| c.health));
    let health = status
        .as_deref()
        .and_then(health_of_word)
        .or(from_children)
        .unwrap_or(Health::Warn);
    NestedCheck {
        name,
        health,
        status: status.unwrap_or_else(|| "unknown".into()),
        detail,
        checks,
    }
}

/// The worst of several healths, if any.
pub fn worst(healths: impl Iterator<Item = Health>) -> Option<Health> {
    healths.max()
}

/// Reads a body. `content_type` is the response's Content-Type, if any.
#[must_use]
pub fn read(content_type: Option<&str>, body: &[u8]) -> BodyReading {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return BodyReading {
            format: "empty",
            health: None,
            status: None,
            checks: Vec::new(),
        };
    }
    let looks_json = content_type.is_some_and(|c| c.contains("json")) || trimmed.starts_with('{');
    if looks_json && let Ok(value) = serde_json::from_str::<Value>(trimmed) {
        return read_json(content_type, &value);
    }
    let word = trimmed.lines().next().unwrap_or("").trim();
    let format = if word.starts_with("SERVER_IS_") {
        "lightship"
    } else {
        "text"
    };
    let health = if word.len() <= 40 {
        health_of_word(word)
    } else {
        None
    };
    BodyReading {
        format,
        health,
        status: health.map(|_| word.to_owned()),
        checks: Vec::new(),
    }
}

fn read_json(content_type: Option<&str>, value: &Value) -> BodyReading {
    let status = value.get("status").and_then(status_text);
    let health = status.as_deref().and_then(health_of_word);
    let ietf_type = content_type.is_some_and(|c| c.contains("health+json"));
    // IETF: `checks` is an object of "component:measurement" → [results].
    if let Some(Value::Object(checks)) = value.get("checks") {
        return BodyReading {
            format: "ietf",
            health,
            status,
            checks: ietf_checks(checks),
        };
    }
    // The guide and MicroProfile: `checks` is an array of {name, status}.
    if let Some(Value::Array(items)) = value.get("checks") {
        let nested: Vec<NestedCheck> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let name = item
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("check {}", i + 1), str::to_owned);
                let detail = item
                    .get("output")
                    .or_else(|| item.get("error"))
                    .or_else(|| item.get("message"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                check(
                    name,
                    item.get("status").and_then(status_text),
                    detail,
                    Vec::new(),
                )
            })
            .collect();
        let upper = status.as_deref().is_some_and(|s| s == "UP" || s == "DOWN");
        let format = if ietf_type {
            "ietf"
        } else if upper {
            "microprofile"
        } else {
            "guide"
        };
        return BodyReading {
            format,
            health,
            status,
            checks: nested,
        };
    }
    // Spring Boot Actuator: `components` (older: `details`) of {status, details, components}.
    if let Some(Value::Object(components)) = value.get("components") {
        return BodyReading {
            format: "spring",
            health,
            status,
            checks: spring_components(components),
        };
    }
    // @godaddy/terminus: `info` (up), `error` (down), `details` (all).
    if value.get("info").is_some() || value.get("error").is_some() || value.get("details").is_some()
    {
        let source = value
            .get("details")
            .or_else(|| value.get("info"))
            .and_then(Value::as_object);
        let mut nested: Vec<NestedCheck> = source.map(terminus_entries).unwrap_or_default();
        if value.get("details").is_none()
            && let Some(Value::Object(errors)) = value.get("error")
        {
            nested.extend(terminus_entries(errors));
        }
        return BodyReading {
            format: "terminus",
            health,
            status,
            checks: nested,
        };
    }
    BodyReading {
        format: if ietf_type { "ietf" } else { "json" },
        health,
        status,
        checks: Vec::new(),
    }
}

fn ietf_checks(checks: &serde_json::Map<String, Value>) -> Vec<NestedCheck> {
    checks
        .iter()
        .map(|(name, results)| {
            let items: Vec<NestedCheck> = match results {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| ietf_item(name, i, item))
                    .collect(),
                other => vec![ietf_item(name, 0, other)],
            };
            // One result per component: show it under the component's key.
            if items.len() == 1 {
                let mut only = items.into_iter().next().expect("one item");
                only.name.clone_from(name);
                only
            } else {
                check(name.clone(), None, None, items)
            }
        })
        .collect()
}

fn ietf_item(name: &str, index: usize, item: &Value) -> NestedCheck {
    let id = item
        .get("componentId")
        .and_then(Value::as_str)
        .map_or_else(|| format!("{name} #{}", index + 1), str::to_owned);
    let mut detail = Vec::new();
    if let Some(observed) = item.get("observedValue") {
        let unit = item
            .get("observedUnit")
            .and_then(Value::as_str)
            .unwrap_or("");
        detail.push(format!(
            "{observed}{}{unit}",
            if unit.is_empty() { "" } else { " " }
        ));
    }
    if let Some(output) = item
        .get("output")
        .and_then(Value::as_str)
        .filter(|o| !o.is_empty())
    {
        detail.push(output.to_owned());
    }
    let detail = (!detail.is_empty()).then(|| detail.join(", "));
    check(
        id,
        item.get("status").and_then(status_text),
        detail,
        Vec::new(),
    )
}

fn spring_components(components: &serde_json::Map<String, Value>) -> Vec<NestedCheck> {
    components
        .iter()
        .map(|(name, component)| {
            let children = component
                .get("components")
                .and_then(Value::as_object)
                .map(spring_components)
                .unwrap_or_default();
            let detail = component
                .get("details")
                .and_then(|d| d.get("error").or_else(|| d.get("database")))
                .and_then(Value::as_str)
                .map(str::to_owned);
            check(
                name.clone(),
                component.get("status").and_then(status_text),
                detail,
                children,
            )
        })
        .collect()
}

/// terminus entries: a plain word (`"db": "up"`, as `{db: "up"}` resolves) or
/// an object with its own `status` (`{"db": {"status": "down", "message": …}}`).
fn terminus_entries(entries: &serde_json::Map<String, Value>) -> Vec<NestedCheck> {
    entries
        .iter()
        .map(|(name, entry)| {
            let (status, detail) = match entry {
                Value::Object(_) => (
                    entry.get("status").and_then(status_text),
                    entry
                        .get("message")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                ),
                word => (status_text(word), None),
            };
            check(name.clone(), status, detail, Vec::new())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_and_health(reading: &BodyReading) -> Vec<(String, Health)> {
        reading
            .checks
            .iter()
            .map(|c| (c.name.clone(), c.health))
            .collect()
    }

    #[test]
    fn guide_format() {
        let r = read(
            Some("application/json"),
            br#"{"status":"unhealthy","checks":[{"name":"database","status":"healthy","timestamp":"2026-01-01T00:00:00Z"},{"name":"redis","status":"error","timestamp":"x"}]}"#,
        );
        assert_eq!(r.format, "guide");
        assert_eq!(r.health, Some(Health::Unhealthy));
        assert_eq!(
            names_and_health(&r),
            [
                ("database".into(), Health::Healthy),
                ("redis".into(), Health::Unhealthy)
            ]
        );
    }

    #[test]
    fn ietf_format() {
        let r = read(
            Some("application/health+json"),
            br#"{"status":"warn","version":"1","checks":{"postgres:responseTime":[{"componentId":"db-1","observedValue":250,"observedUnit":"ms","status":"warn"}],"redis:connections":[{"status":"pass"},{"status":"fail","output":"refused"}]}}"#,
        );
        assert_eq!(r.format, "ietf");
        assert_eq!(r.health, Some(Health::Warn));
        assert_eq!(r.checks[0].name, "postgres:responseTime");
        assert_eq!(r.checks[0].detail.as_deref(), Some("250 ms"));
        assert_eq!(
            r.checks[1].health,
            Health::Unhealthy,
            "worst child wins for a group"
        );
        assert_eq!(r.checks[1].checks.len(), 2);
    }

    #[test]
    fn spring_format_nests_components() {
        let r = read(
            None,
            br#"{"status":"DOWN","components":{"db":{"status":"UP","details":{"database":"PostgreSQL"}},"cache":{"status":"DOWN","components":{"primary":{"status":"DOWN","details":{"error":"timeout"}}}}}}"#,
        );
        assert_eq!(r.format, "spring");
        assert_eq!(r.health, Some(Health::Unhealthy));
        let cache = r.checks.iter().find(|c| c.name == "cache").unwrap();
        assert_eq!(cache.checks[0].detail.as_deref(), Some("timeout"));
    }

    #[test]
    fn microprofile_format() {
        let r = read(
            None,
            br#"{"status":"UP","checks":[{"name":"ping","status":"UP","data":{}}]}"#,
        );
        assert_eq!(r.format, "microprofile");
        assert_eq!(r.health, Some(Health::Healthy));
    }

    #[test]
    fn terminus_plain_words_and_objects() {
        let up = read(
            Some("application/json"),
            br#"{"status":"ok","info":{"db":"up"},"details":{"db":"up"}}"#,
        );
        assert_eq!(names_and_health(&up), [("db".to_owned(), Health::Healthy)]);
        assert_eq!(up.checks[0].status, "up");
        let down = read(
            Some("application/json"),
            br#"{"status":"error","error":{"db":"down","cache":{"status":"up"}}}"#,
        );
        assert_eq!(
            names_and_health(&down),
            [
                ("db".to_owned(), Health::Unhealthy),
                ("cache".to_owned(), Health::Healthy)
            ]
        );
        for word in ["ok", "pass", "healthy", "up"] {
            let body = format!(r#"{{"status":"ok","details":{{"x":"{word}"}}}}"#);
            assert_eq!(
                read(None, body.as_bytes()).checks[0].health,
                Health::Healthy,
                "{word}"
            );
        }
        for word in ["error", "fail", "unhealthy", "down"] {
            let body = format!(r#"{{"status":"error","details":{{"x":"{word}"}}}}"#);
            assert_eq!(
                read(None, body.as_bytes()).checks[0].health,
                Health::Unhealthy,
                "{word}"
            );
        }
    }

    #[test]
    fn terminus_format() {
        let r = read(None, br#"{"status":"error","info":{"db":{"status":"up"}},"error":{"redis":{"status":"down","message":"ECONNREFUSED"}},"details":{"db":{"status":"up"},"redis":{"status":"down","message":"ECONNREFUSED"}}}"#);
        assert_eq!(r.format, "terminus");
        assert_eq!(r.health, Some(Health::Unhealthy));
        assert_eq!(
            names_and_health(&r),
            [
                ("db".into(), Health::Healthy),
                ("redis".into(), Health::Unhealthy)
            ]
        );
    }

    #[test]
    fn plain_text_and_empty() {
        assert_eq!(
            read(Some("text/plain"), b"SERVER_IS_NOT_READY").health,
            Some(Health::Unhealthy)
        );
        assert_eq!(
            read(Some("text/plain"), b"SERVER_IS_READY").format,
            "lightship"
        );
        assert_eq!(
            read(Some("text/plain"), b"OK\n").health,
            Some(Health::Healthy)
        );
        assert_eq!(read(None, b"<html>hello</html>").health, None);
        assert_eq!(read(None, b"").format, "empty");
    }
}
