//! Changing `gateway.toml` in place with toml_edit: comments, blank lines and
//! key order survive; only the values that change are touched. Each change is
//! also returned as a field change, for the history file.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

/// One change to one service's route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Served by the service at these URLs (`weight` stays, or 0 for a new route).
    External(Vec<String>),
    /// Served by the monolith.
    Internal,
    /// The service's share, percent.
    Weight(u8),
    /// Drop the route: the monolith serves the prefix again.
    Remove,
    /// A new route (extract-service registers one): prefix, external URLs, weight.
    Add {
        prefix: String,
        urls: Vec<String>,
        weight: u8,
    },
}

/// What changed, for the history and the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldChange {
    pub service: String,
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error(
        "unknown service `{service}` (the gateway routes: {known}); pass --prefix to add a route"
    )]
    UnknownService { service: String, known: String },
    #[error("the service `{0}` has a route already")]
    Exists(String),
    #[error("`{0}` is internal: give it --external URL before a --weight")]
    WeightOnInternal(String),
    #[error("the gateway file is not valid TOML: {0}")]
    Syntax(String),
}

/// Applies `changes` to the route of `service` in `text`.
pub fn apply(
    text: &str,
    service: &str,
    changes: &[Change],
) -> Result<(String, Vec<FieldChange>), EditError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::Syntax(e.message().to_owned()))?;
    let mut log = Vec::new();
    for change in changes {
        let routes = routes_mut(&mut doc);
        let index = position(routes, service);
        match (change, index) {
            (
                Change::Add {
                    prefix,
                    urls,
                    weight,
                },
                None,
            ) => {
                let mut table = Table::new();
                table.insert("service", value(service));
                table.insert("prefix", value(prefix.as_str()));
                table.insert("mode", value("external"));
                table.insert("urls", value(string_array(urls)));
                table.insert("weight", value(i64::from(*weight)));
                routes.push(table);
                log.push(field(
                    service,
                    "route",
                    None,
                    Some(format!("{prefix} → {}", urls.join(", "))),
                ));
            }
            (Change::Add { .. }, Some(_)) => return Err(EditError::Exists(service.to_owned())),
            (_, None) => {
                let known: Vec<String> = routes
                    .iter()
                    .filter_map(|t| t.get("service").and_then(Item::as_str).map(str::to_owned))
                    .collect();
                return Err(EditError::UnknownService {
                    service: service.to_owned(),
                    known: if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    },
                });
            }
            (Change::Remove, Some(i)) => {
                let prefix = routes
                    .get(i)
                    .and_then(|t| t.get("prefix"))
                    .and_then(Item::as_str)
                    .map(str::to_owned);
                routes.remove(i);
                log.push(field(service, "route", prefix, None));
            }
            (Change::External(urls), Some(i)) => {
                let table = routes.get_mut(i).expect("found above");
                set(table, service, "mode", value("external"), &mut log);
                set(table, service, "urls", value(string_array(urls)), &mut log);
                if !table.contains_key("weight") {
                    set(table, service, "weight", value(0), &mut log);
                }
            }
            (Change::Internal, Some(i)) => {
                let table = routes.get_mut(i).expect("found above");
                set(table, service, "mode", value("internal"), &mut log);
            }
            (Change::Weight(w), Some(i)) => {
                let table = routes.get_mut(i).expect("found above");
                if table
                    .get("mode")
                    .and_then(Item::as_str)
                    .unwrap_or("internal")
                    != "external"
                {
                    return Err(EditError::WeightOnInternal(service.to_owned()));
                }
                set(table, service, "weight", value(i64::from(*w)), &mut log);
            }
        }
    }
    Ok((doc.to_string(), merge(log)))
}

/// One entry per field: the first old value, the last new one; a field
/// that ends as it began is left out.
fn merge(log: Vec<FieldChange>) -> Vec<FieldChange> {
    let mut merged: Vec<FieldChange> = Vec::new();
    for change in log {
        match merged
            .iter_mut()
            .find(|m| m.service == change.service && m.field == change.field)
        {
            Some(existing) => existing.new = change.new,
            None => merged.push(change),
        }
    }
    merged.retain(|m| m.old != m.new);
    merged
}

/// The `[[route]]` tables, made when the file has none.
fn routes_mut(doc: &mut DocumentMut) -> &mut ArrayOfTables {
    if doc
        .get("route")
        .and_then(Item::as_array_of_tables)
        .is_none()
    {
        doc.insert("route", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    doc["route"].as_array_of_tables_mut().expect("made above")
}

fn position(routes: &ArrayOfTables, service: &str) -> Option<usize> {
    routes
        .iter()
        .position(|t| t.get("service").and_then(Item::as_str) == Some(service))
}

/// Sets `key` keeping the value's own decoration (a trailing comment stays).
fn set(table: &mut Table, service: &str, key: &str, new: Item, log: &mut Vec<FieldChange>) {
    let old = table.get(key).map(|i| i.to_string().trim().to_owned());
    let shown = new.to_string().trim().to_owned();
    if old.as_deref() == Some(shown.as_str()) {
        return;
    }
    match table.get_mut(key) {
        Some(Item::Value(existing)) => {
            let decor = existing.decor().clone();
            if let Item::Value(mut fresh) = new {
                *fresh.decor_mut() = decor;
                *existing = fresh;
            }
        }
        _ => {
            table.insert(key, new);
        }
    }
    log.push(field(service, key, old, Some(shown)));
}

fn field(service: &str, name: &str, old: Option<String>, new: Option<String>) -> FieldChange {
    FieldChange {
        service: service.to_owned(),
        field: name.to_owned(),
        old,
        new,
    }
}

fn string_array(items: &[String]) -> toml_edit::Array {
    items.iter().map(String::as_str).collect()
}
