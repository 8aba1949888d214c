//! `extract-service <name> --update`: the package's template rendered again
//! with its recorded answers and merged three ways into the files on disk,
//! with what the template rendered last time as the base. The new base and
//! answers are written with the merge, in the same change set.

use std::collections::BTreeMap;
use std::path::Path;

use super::plan::{self, ANSWERS, BASE, Built};
use super::report::ExtractReport;
use crate::adapters::fs::ChangeSet;
use crate::exit::UsageError;
use crate::scaffold::{self, merge::Step};

/// The merge plan for the package at `package_dir`.
pub fn build(root: &Path, package_dir: &str, dirs: &[&Path]) -> anyhow::Result<Built> {
    let answers_path = format!("{package_dir}/{ANSWERS}");
    let answers_text = std::fs::read_to_string(root.join(&answers_path)).map_err(|_| {
        UsageError::new(format!(
            "{answers_path} not found: --update works on packages extract-service generated"
        ))
    })?;
    let answers: toml::Table = toml::from_str(&answers_text)
        .map_err(|e| UsageError::new(format!("{answers_path}: {}", e.message())))?;
    let template_name = answers
        .get("template")
        .and_then(toml::Value::as_str)
        .ok_or_else(|| UsageError::new(format!("{answers_path}: no `template`")))?;
    let context: serde_json::Value = serde_json::to_value(
        answers
            .get("values")
            .cloned()
            .unwrap_or(toml::Value::Table(toml::Table::new())),
    )?;
    let template = scaffold::builtin::find(template_name, dirs)?;
    let theirs = scaffold::render::render(&template, &context)?;
    let base: BTreeMap<String, String> = std::fs::read_to_string(root.join(package_dir).join(BASE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let base: BTreeMap<String, Vec<u8>> =
        base.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
    let theirs_map: BTreeMap<String, Vec<u8>> = theirs
        .iter()
        .map(|f| (f.path.clone(), f.bytes.clone()))
        .collect();
    let mut set = ChangeSet::new(root);
    let mut ours = BTreeMap::new();
    for path in base.keys().chain(theirs_map.keys()) {
        let full = format!("{package_dir}/{path}");
        ours.insert(path.clone(), set.read(&full)?.map(<[u8]>::to_vec));
    }
    let mut conflicts = Vec::new();
    for (path, step) in scaffold::merge::plan(&base, &ours, &theirs_map) {
        let full = format!("{package_dir}/{path}");
        match step {
            Step::Write(bytes) => set.write(&full, bytes)?,
            Step::Conflict(bytes) => {
                set.write(&full, bytes)?;
                conflicts.push(full);
            }
            Step::Delete => set.delete(&full)?,
            Step::Keep(_) => {}
        }
    }
    set.write(&format!("{package_dir}/{BASE}"), plan::base_text(&theirs))?;
    set.write(&answers_path, plan::answers_text(&template, &context)?)?;
    let report = ExtractReport {
        service: context["name"].as_str().unwrap_or_default().to_owned(),
        template: template.name.clone(),
        package: package_dir.to_owned(),
        status: "planned".into(),
        changes: set.preview(),
        moved_files: 0,
        rewritten_imports: 0,
        outgoing: Vec::new(),
        incoming: Vec::new(),
        shared_models: Vec::new(),
        packages: Vec::new(),
        conflicts,
        warnings: Vec::new(),
        diff: None,
        next: Vec::new(),
    };
    Ok(Built { set, report })
}
