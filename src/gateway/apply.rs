//! Writing a gateway change as one unit: the new gateway file, its backup,
//! a history line per field, and the rendered configs (each checked by its
//! gateway first) in one change set; then the reload commands, and when one
//! fails, everything put back. update-gateway-config and rollout both write
//! through here.

use std::path::Path;

use super::edit::FieldChange;
use super::{Gateway, Rendered};
use crate::adapters::fs::{ChangeError, ChangeSet, FileWriter};
use crate::adapters::gateway as real;
use crate::exit::UsageError;

/// The gateway file: `--gateway`, else `[gateway] file` from the config's
/// folder, else `gateway.toml` there.
#[must_use]
pub fn file_path(
    explicit: Option<&Path>,
    cwd: &Path,
    config_root: &Path,
    configured: Option<&str>,
) -> std::path::PathBuf {
    match explicit {
        Some(file) => cwd.join(file),
        None => config_root.join(configured.unwrap_or("gateway.toml")),
    }
}

/// The probe targets of a route's service: each URL's health path.
pub fn health_targets(
    route: &super::Route,
) -> Result<Vec<crate::probe::Target>, crate::probe::TargetError> {
    let defaults = crate::probe::targets::Defaults {
        timeout: crate::probe::DEFAULT_TIMEOUT,
        retries: 1,
        http: crate::probe::targets::HttpSpec::default(),
    };
    let mut targets = Vec::new();
    for url in &route.urls {
        let arg = format!(
            "{}={}{}",
            route.service,
            url.trim_end_matches('/'),
            route.health_path
        );
        targets.push(crate::probe::targets::from_arg(&arg, &defaults)?);
    }
    crate::probe::targets::dedupe_names(&mut targets);
    Ok(targets)
}

/// The change set for a new gateway file (`file_name` in `base`): backup,
/// history and the rendered files included.
pub fn plan(
    base: &Path,
    file_name: &str,
    old_text: &str,
    new_text: &str,
    fields: &[FieldChange],
    rendered: &[Rendered],
) -> Result<ChangeSet, ChangeError> {
    let mut set = ChangeSet::new(base);
    plan_into(&mut set, file_name, old_text, new_text, fields, rendered)?;
    Ok(set)
}

/// [`plan`]'s changes added to a larger change set (extract-service's):
/// `file` is the gateway file's path in that set, and the backup, history
/// and renders go beside it, as in [`plan`].
pub fn plan_into(
    set: &mut ChangeSet,
    file: &str,
    old_text: &str,
    new_text: &str,
    fields: &[FieldChange],
    rendered: &[Rendered],
) -> Result<(), ChangeError> {
    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
    let beside = |name: &str| {
        if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        }
    };
    if new_text != old_text {
        set.write(&format!("{file}.bak"), old_text.as_bytes())?;
        set.replace(file, new_text.as_bytes())?;
        let history = format!("{}.history.jsonl", file_stem(file));
        let text = history_text(set, &history, fields)?;
        set.write(&history, text)?;
    }
    for rendered_file in rendered {
        set.write(&beside(&rendered_file.path), rendered_file.text.as_bytes())?;
    }
    Ok(())
}

/// Renders every target, each checked by its gateway before anything is written.
pub fn render_checked(base: &Path, gateway: &Gateway) -> anyhow::Result<Vec<Rendered>> {
    let rendered = super::render_all(gateway);
    if rendered.is_empty() {
        return Err(UsageError::new(
            "the gateway file names no render targets ([render] app, nginx, haproxy, httproute)",
        )
        .into());
    }
    for file in &rendered {
        let full = base.join(&file.path);
        let folder = full.parent().unwrap_or(base);
        if !folder.is_dir() {
            return Err(UsageError::new(format!(
                "render target {}: the folder {} does not exist",
                file.path,
                folder.display()
            ))
            .into());
        }
        match file.kind {
            "nginx" => real::nginx_test(&file.text)?,
            "haproxy" => real::haproxy_check(&file.text)?,
            _ => {}
        }
    }
    Ok(rendered)
}

/// The history file with one JSON line per field change appended.
fn history_text(
    set: &mut ChangeSet,
    history: &str,
    fields: &[FieldChange],
) -> Result<Vec<u8>, ChangeError> {
    let mut text = set.read(history)?.map(<[u8]>::to_vec).unwrap_or_default();
    let time = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    for field in fields {
        let line = serde_json::json!({
            "time": time,
            "user": user,
            "service": field.service,
            "field": field.field,
            // The history is a log: URL passwords are masked there too.
            "old": field.old.as_deref().map(|v| crate::redact::text(v, &[])),
            "new": field.new.as_deref().map(|v| crate::redact::text(v, &[])),
        });
        text.extend_from_slice(line.to_string().as_bytes());
        text.push(b'\n');
    }
    Ok(text)
}

fn file_stem(file_name: &str) -> &str {
    file_name.strip_suffix(".toml").unwrap_or(file_name)
}

/// Runs the configured reload commands; when one fails, the previous
/// gateway file and renders go back and are reloaded, and the run fails.
pub fn reload(base: &Path, updated: &Gateway, set: &ChangeSet) -> anyhow::Result<Vec<String>> {
    let commands: Vec<&String> = [
        updated
            .render
            .nginx
            .as_ref()
            .and_then(|n| n.reload.as_ref()),
        updated
            .render
            .haproxy
            .as_ref()
            .and_then(|h| h.reload.as_ref()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut done: Vec<String> = Vec::new();
    for command in commands {
        if let Err(err) = real::reload(command, base) {
            restore(base, set)?;
            for again in &done {
                let _ = real::reload(again, base);
            }
            return Err(anyhow::Error::new(err).context("the new config was rolled back"));
        }
        done.push(command.clone());
    }
    Ok(done)
}

/// Puts back what an applied change set wrote: old contents return, files
/// it created go.
pub fn restore(base: &Path, applied: &ChangeSet) -> anyhow::Result<()> {
    let mut undo = ChangeSet::new(base);
    for line in applied.preview() {
        match applied.original(&line.path) {
            Some(old) => undo.write(&line.path, old.to_vec())?,
            None => undo.delete(&line.path)?,
        }
    }
    undo.apply(&FileWriter::new(false))?;
    Ok(())
}

/// Sets `service`'s weights from `gateway` on HAProxy's admin socket
/// (`[render.haproxy] socket`, relative to `base`): no render, no reload.
pub fn set_runtime_weights(base: &Path, gateway: &Gateway, service: &str) -> anyhow::Result<()> {
    let route = gateway
        .route(service)
        .ok_or_else(|| UsageError::new(format!("unknown service `{service}`")))?;
    let socket = gateway
        .render
        .haproxy
        .as_ref()
        .and_then(|h| h.socket.as_ref())
        .ok_or_else(|| {
            UsageError::new("--haproxy-runtime needs [render.haproxy] socket in the gateway file")
        })?;
    real::haproxy_runtime(
        &base.join(socket),
        &super::render::haproxy::weight_commands(gateway, route),
    )?;
    Ok(())
}
