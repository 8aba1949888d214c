//! The resolved configuration as a flat list of `key = value (source)` entries.

use serde::Serialize;

use crate::config::EnvString;
use crate::context::Context;
use crate::output::{Report, Styler, Tone};
use crate::redact;

#[derive(Debug, Serialize)]
pub struct ConfigReport {
    /// The file read, or null when none was found.
    pub path: Option<String>,
    pub root: String,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Serialize)]
pub struct Entry {
    pub key: String,
    pub value: String,
    /// `flag or environment`, `file` or `default`.
    pub source: &'static str,
}

fn entry(key: impl Into<String>, value: impl Into<String>, source: &'static str) -> Entry {
    Entry {
        key: key.into(),
        value: value.into(),
        source,
    }
}

fn url(value: &EnvString) -> String {
    redact::url(value.value())
}

pub fn build(ctx: &Context) -> ConfigReport {
    let config = &ctx.config.config;
    let mut entries = Vec::new();
    let pick = |flag: bool, file: bool| {
        if flag {
            "flag or environment"
        } else if file {
            "file"
        } else {
            "default"
        }
    };
    entries.push(entry(
        "output.format",
        format!("{:?}", ctx.output.format()).to_lowercase(),
        pick(ctx.global.format.is_some(), config.output.format.is_some()),
    ));
    entries.push(entry(
        "output.color",
        format!(
            "{:?}",
            ctx.global.color.or(config.output.color).unwrap_or_default()
        )
        .to_lowercase(),
        pick(ctx.global.color.is_some(), config.output.color.is_some()),
    ));
    entries.push(entry(
        "output.progress",
        (!ctx.global.no_progress && config.output.progress.unwrap_or(true)).to_string(),
        pick(ctx.global.no_progress, config.output.progress.is_some()),
    ));
    if let Some(name) = &config.project.name {
        entries.push(entry("project.name", name.clone(), "file"));
    }
    if !config.workspace.packages.is_empty() {
        entries.push(entry(
            "workspace.packages",
            config.workspace.packages.join(", "),
            "file",
        ));
    }
    if !config.workspace.next_apps.is_empty() {
        entries.push(entry(
            "workspace.next_apps",
            config.workspace.next_apps.join(", "),
            "file",
        ));
    }
    for (name, folders) in &config.domains {
        entries.push(entry(format!("domains.{name}"), folders.join(", "), "file"));
    }
    let db = &config.database;
    if let Some(value) = &db.url {
        entries.push(entry("database.url", url(value), "file"));
    }
    if let Some(layout) = db.layout {
        entries.push(entry(
            "database.layout",
            format!("{layout:?}").to_lowercase(),
            "file",
        ));
    }
    if let Some(path) = &db.migrations {
        entries.push(entry(
            "database.migrations",
            path.display().to_string(),
            "file",
        ));
    }
    if let Some(path) = &db.schema {
        entries.push(entry("database.schema", path.display().to_string(), "file"));
    }
    if let Some(value) = &config.redis.url {
        entries.push(entry("redis.url", url(value), "file"));
    }
    if let Some(timeout) = config.health.timeout {
        entries.push(entry(
            "health.timeout",
            humantime::format_duration(timeout.0).to_string(),
            "file",
        ));
    }
    if let Some(retries) = config.health.retries {
        entries.push(entry("health.retries", retries.to_string(), "file"));
    }
    for (i, target) in config.health.targets.iter().enumerate() {
        entries.push(entry(
            format!("health.targets[{i}]"),
            format!("{} {}", target.name, url(&target.url)),
            "file",
        ));
    }
    entries.extend(smoke_entries(&config.smoke));
    ConfigReport {
        path: ctx.config.path.as_ref().map(|p| p.display().to_string()),
        root: ctx.config.root.display().to_string(),
        entries,
    }
}

/// `[smoke]`: the default suites and base URL.
fn smoke_entries(smoke: &crate::config::SmokeConfig) -> Vec<Entry> {
    let mut entries: Vec<Entry> = smoke
        .suites
        .iter()
        .enumerate()
        .map(|(i, suite)| entry(format!("smoke.suites[{i}]"), suite.clone(), "file"))
        .collect();
    if let Some(base) = &smoke.base_url {
        entries.push(entry("smoke.base_url", url(base), "file"));
    }
    entries
}

impl Report for ConfigReport {
    fn render_human(&self, style: &Styler) -> String {
        let mut table = style.table(&["key", "value", "source"]);
        for e in &self.entries {
            table.add_row(vec![e.key.clone(), e.value.clone(), e.source.to_owned()]);
        }
        let mut text = style.render_table(&table);
        let origin = self.path.as_deref().map_or_else(
            || {
                style.paint(
                    Tone::Warn,
                    "no skillsctl.toml found; defaults in effect (run `skillsctl init`)",
                )
            },
            |p| format!("{} {p}", style.paint(Tone::Good, "valid")),
        );
        text.push('\n');
        text.push_str(&origin);
        text.push('\n');
        text
    }
}
