//! The app's in-process gateway config (guide §3.1): service → `internal`, or
//! `external` with its URL(s), weight and pin, as `APIGateway` reads it.

use serde_json::{Map, Value, json};

use super::super::model::{Gateway, Mode};

#[must_use]
pub fn render(gateway: &Gateway) -> String {
    let mut services = Map::new();
    for route in &gateway.routes {
        let mut entry = Map::new();
        entry.insert("type".into(), json!(route.mode.label()));
        entry.insert("prefix".into(), json!(route.prefix));
        if let Some(own) = &route.monolith {
            entry.insert("monolith".into(), json!(own));
        }
        if route.mode == Mode::External {
            entry.insert("url".into(), json!(route.urls.first()));
            entry.insert("urls".into(), json!(route.urls));
            entry.insert("weight".into(), json!(route.weight));
            if let Some(pin) = &route.pin {
                entry.insert(
                    "pin".into(),
                    json!({"header": pin.header, "value": pin.value}),
                );
            }
            if let Some(timeout) = route.timeout {
                entry.insert(
                    "timeoutMs".into(),
                    json!(u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX)),
                );
            }
        }
        services.insert(route.service.clone(), Value::Object(entry));
    }
    let doc = json!({
        "_generated": super::GENERATED,
        "monolith": gateway.monolith,
        "services": services,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
