//! Where templates come from: the top-level `templates/` folder, embedded in
//! the binary at build time (an installed skillsctl needs no checkout), and
//! folders of the user's own (`--template-dir`, `[extract] template_dirs`),
//! which win over a built-in of the same name.

use std::path::Path;

use include_dir::{Dir, include_dir};

use super::{ScaffoldError, Template, TemplateFile};

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The default template.
pub const DEFAULT: &str = "express-ts";

/// Every template: the user's folders' first (in order), then the built-ins.
pub fn all(dirs: &[&Path]) -> Result<Vec<Template>, ScaffoldError> {
    let mut found: Vec<Template> = Vec::new();
    for dir in dirs {
        for template in from_folder(dir)? {
            if !found.iter().any(|t| t.name == template.name) {
                found.push(template);
            }
        }
    }
    for template in embedded()? {
        if !found.iter().any(|t| t.name == template.name) {
            found.push(template);
        }
    }
    Ok(found)
}

/// The template called `name`.
pub fn find(name: &str, dirs: &[&Path]) -> Result<Template, ScaffoldError> {
    let templates = all(dirs)?;
    let known = templates
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    templates
        .into_iter()
        .find(|t| t.name == name)
        .ok_or_else(|| ScaffoldError::UnknownTemplate {
            name: name.to_owned(),
            known,
        })
}

fn embedded() -> Result<Vec<Template>, ScaffoldError> {
    let mut out = Vec::new();
    for dir in TEMPLATES.dirs() {
        let name = dir.path().to_string_lossy().into_owned();
        let Some(manifest) = dir.get_file(dir.path().join("template.toml")) else {
            continue;
        };
        let files_root = dir.path().join("files");
        let mut files = Vec::new();
        collect(dir, &files_root, &mut files);
        let manifest_text = String::from_utf8_lossy(manifest.contents()).into_owned();
        out.push(Template::new(
            &name,
            "built-in",
            &format!("templates/{name}/template.toml"),
            &manifest_text,
            files,
        )?);
    }
    Ok(out)
}

fn collect(dir: &Dir<'_>, files_root: &Path, out: &mut Vec<TemplateFile>) {
    for file in dir.files() {
        if let Ok(rel) = file.path().strip_prefix(files_root) {
            out.push(TemplateFile {
                path: rel.to_string_lossy().replace('\\', "/"),
                bytes: file.contents().to_vec(),
            });
        }
    }
    for sub in dir.dirs() {
        collect(sub, files_root, out);
    }
}

/// The templates in `dir`: each sub-folder with a `template.toml`, or `dir`
/// itself when it has one.
fn from_folder(dir: &Path) -> Result<Vec<Template>, ScaffoldError> {
    let folder_err = |message: String| ScaffoldError::Folder {
        path: dir.display().to_string(),
        message,
    };
    if dir.join("template.toml").is_file() {
        return Ok(vec![one_folder(dir)?]);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| folder_err(e.to_string()))?;
    let mut out = Vec::new();
    let mut subdirs: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    subdirs.sort();
    for sub in subdirs {
        if sub.join("template.toml").is_file() {
            out.push(one_folder(&sub)?);
        }
    }
    if out.is_empty() {
        return Err(folder_err(
            "no templates here (a template is a folder with template.toml and files/)".into(),
        ));
    }
    Ok(out)
}

fn one_folder(dir: &Path) -> Result<Template, ScaffoldError> {
    let manifest_path = dir.join("template.toml");
    let folder_err = |e: crate::adapters::fs::FsError| ScaffoldError::Folder {
        path: dir.display().to_string(),
        message: e.to_string(),
    };
    let manifest = crate::adapters::fs::read_to_string(&manifest_path).map_err(folder_err)?;
    let files_dir = dir.join("files");
    let files = if files_dir.is_dir() {
        crate::adapters::fs::read_tree(&files_dir)
            .map_err(folder_err)?
            .into_iter()
            .map(|(path, bytes)| TemplateFile { path, bytes })
            .collect()
    } else {
        Vec::new()
    };
    let name = dir
        .file_name()
        .map_or_else(|| "template".into(), |n| n.to_string_lossy().into_owned());
    Ok(Template::new(
        &name,
        &dir.display().to_string(),
        &manifest_path.display().to_string(),
        &manifest,
        files,
    )?)
}
