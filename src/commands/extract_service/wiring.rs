//! Wiring the new package in, as text edits that keep each file's comments
//! and layout (pure): the workspace (package.json `workspaces`,
//! pnpm-workspace.yaml, a Cargo workspace), a docker-compose service with a
//! healthcheck, and tsconfig `paths` for the new package's name wherever the
//! monolith maps its packages that way.

use std::fmt::Write as _;

use crate::repo::jsonc;

/// Why a file cannot be edited; the plan is refused (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct WiringError {
    pub file: String,
    pub message: String,
}

fn error(file: &str, message: impl Into<String>) -> WiringError {
    WiringError {
        file: file.to_owned(),
        message: message.into(),
    }
}

/// Whether a workspace pattern (`packages/*`) already takes `dir`.
#[must_use]
pub fn covered(patterns: &[String], dir: &str) -> bool {
    patterns.iter().any(|p| {
        let p = p.trim_start_matches("./").trim_end_matches('/');
        glob::Pattern::new(p).is_ok_and(|g| g.matches(dir))
    })
}

/// package.json with `dir` added to `workspaces` (an array, or `packages` in it).
pub fn package_json_workspace(text: &str, dir: &str) -> Result<String, WiringError> {
    let item = [format!("\"{dir}\"")];
    let out = jsonc::append(text, &["workspaces"], &item)
        .or_else(|| jsonc::append(text, &["workspaces", "packages"], &item))
        .ok_or_else(|| {
            error(
                "package.json",
                "has no `workspaces` list to add the package to",
            )
        })?;
    serde_json::from_str::<serde_json::Value>(&out)
        .map_err(|e| error("package.json", format!("would not stay valid JSON: {e}")))?;
    Ok(out)
}

/// pnpm-workspace.yaml with `dir` added under `packages:`.
pub fn pnpm_workspace(text: &str, dir: &str) -> Result<String, WiringError> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "packages:")
        .ok_or_else(|| error("pnpm-workspace.yaml", "has no `packages:` list"))?;
    let mut end = start + 1;
    let mut indent = "  ".to_owned();
    while end < lines.len() {
        let line = lines[end];
        let trimmed = line.trim_start();
        if trimmed.starts_with("- ") {
            line[..line.len() - trimmed.len()].clone_into(&mut indent);
        } else if !(trimmed.is_empty() || trimmed.starts_with('#')) {
            break;
        }
        end += 1;
    }
    while end > start + 1 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    out.insert(end, format!("{indent}- '{dir}'"));
    let mut text_out = out.join("\n");
    text_out.push('\n');
    Ok(text_out)
}

/// Cargo.toml with `dir` added to `[workspace] members`.
pub fn cargo_workspace(text: &str, dir: &str) -> Result<String, WiringError> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| error("Cargo.toml", e.message().to_owned()))?;
    let members = doc
        .get_mut("workspace")
        .and_then(|w| w.get_mut("members"))
        .and_then(toml_edit::Item::as_array_mut)
        .ok_or_else(|| error("Cargo.toml", "has no `[workspace] members` list"))?;
    members.push(dir);
    Ok(doc.to_string())
}

/// What the compose service needs.
pub struct ComposeService<'a> {
    pub name: &'a str,
    pub dir: &'a str,
    pub port: &'a str,
    pub uses_database: bool,
    pub uses_redis: bool,
}

/// The compose file with the service added at the end of `services:`, its
/// connection settings copied from the service that already has them (the
/// app), `depends_on` the database and cache services, and a healthcheck on
/// `/health`. `Ok(None)` when a service of that name is there already.
pub fn compose(
    text: &str,
    file: &str,
    service: &ComposeService<'_>,
) -> Result<Option<String>, WiringError> {
    let doc: serde_json::Value =
        serde_norway::from_str(text).map_err(|e| error(file, format!("not valid YAML: {e}")))?;
    let services = doc
        .get("services")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| error(file, "has no `services:`"))?;
    if services.contains_key(service.name) {
        return Ok(None);
    }
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "services:")
        .ok_or_else(|| error(file, "`services:` is not a top-level block"))?;
    let mut end = start + 1;
    let mut indent = None;
    let mut last_content = start;
    while end < lines.len() {
        let line = lines[end];
        let trimmed = line.trim_start();
        if !trimmed.is_empty() && !line.starts_with([' ', '\t']) && !trimmed.starts_with('#') {
            break;
        }
        if !trimmed.is_empty() && line.starts_with([' ', '\t']) {
            indent.get_or_insert_with(|| line[..line.len() - trimmed.len()].to_owned());
            last_content = end;
        }
        end += 1;
    }
    let indent = indent.unwrap_or_else(|| "  ".to_owned());
    let block = service_block(&indent, service, services);
    let mut out: Vec<String> = lines[..=last_content]
        .iter()
        .map(|l| (*l).to_owned())
        .collect();
    out.push(String::new());
    out.extend(block.lines().map(str::to_owned));
    out.extend(lines[last_content + 1..].iter().map(|l| (*l).to_owned()));
    let mut text_out = out.join("\n");
    text_out.push('\n');
    let check: serde_json::Value = serde_norway::from_str(&text_out)
        .map_err(|e| error(file, format!("would not stay valid YAML: {e}")))?;
    if check["services"].get(service.name).is_none() {
        return Err(error(
            file,
            "the new service did not land under `services:`",
        ));
    }
    Ok(Some(text_out))
}

fn service_block(
    i: &str,
    service: &ComposeService<'_>,
    existing: &serde_json::Map<String, serde_json::Value>,
) -> String {
    let (name, port) = (service.name, service.port);
    let mut env = vec![format!("PORT={port}")];
    let wanted: Vec<&str> = [
        service.uses_database.then_some("DATABASE_URL"),
        service.uses_redis.then_some("REDIS_URL"),
    ]
    .into_iter()
    .flatten()
    .collect();
    for key in &wanted {
        if let Some(value) = existing.values().find_map(|s| env_value(s, key)) {
            env.push(format!("{key}={value}"));
        }
    }
    let mut depends: Vec<&str> = Vec::new();
    for (other, spec) in existing {
        let image = spec["image"].as_str().unwrap_or_default();
        if (service.uses_database && image.contains("postgres"))
            || (service.uses_redis && image.contains("redis"))
        {
            depends.push(other);
        }
    }
    let mut out = format!(
        "{i}# The {name} service, extracted by skillsctl (its checklist: {dir}/EXTRACTION.md).\n\
         {i}{name}:\n\
         {i}{i}build:\n\
         {i}{i}{i}context: ./{dir}\n\
         {i}{i}ports:\n\
         {i}{i}{i}- \"{port}:{port}\"\n\
         {i}{i}environment:\n",
        dir = service.dir
    );
    for line in env {
        let _ = writeln!(out, "{i}{i}{i}- {line}");
    }
    if !depends.is_empty() {
        let _ = writeln!(out, "{i}{i}depends_on:");
        for d in depends {
            let _ = writeln!(out, "{i}{i}{i}- {d}");
        }
    }
    let _ = write!(
        out,
        "{i}{i}healthcheck:\n\
         {i}{i}{i}test: [\"CMD\", \"wget\", \"-qO-\", \"http://localhost:{port}/health\"]\n\
         {i}{i}{i}interval: 10s\n\
         {i}{i}{i}timeout: 3s\n\
         {i}{i}{i}retries: 5\n"
    );
    out
}

/// A service's environment value for `key`, in list or map form.
fn env_value(service: &serde_json::Value, key: &str) -> Option<String> {
    let env = &service["environment"];
    if let Some(list) = env.as_array() {
        return list
            .iter()
            .filter_map(serde_json::Value::as_str)
            .find_map(|line| {
                line.strip_prefix(key)
                    .and_then(|r| r.strip_prefix('='))
                    .map(str::to_owned)
            });
    }
    env.get(key).and_then(|v| v.as_str().map(str::to_owned))
}

/// tsconfig text with `paths` for the new package beside the existing
/// workspace-package entries; `None` when it maps no workspace package (or
/// maps this one already). `target` is the package's `src`, written relative
/// to where that tsconfig's paths start.
#[must_use]
pub fn tsconfig_paths(
    text: &str,
    workspace_names: &[String],
    package: &str,
    target: &str,
) -> Option<String> {
    let keys = jsonc::keys(text, &["compilerOptions", "paths"])?;
    let maps_workspace = keys.iter().any(|k| {
        let name = k.trim_end_matches("/*");
        workspace_names.iter().any(|w| w == name)
    });
    if !maps_workspace || keys.iter().any(|k| k.trim_end_matches("/*") == package) {
        return None;
    }
    jsonc::append(
        text,
        &["compilerOptions", "paths"],
        &[
            format!("\"{package}\": [\"{target}\"]"),
            format!("\"{package}/*\": [\"{target}/*\"]"),
        ],
    )
}

#[cfg(test)]
mod tests;
