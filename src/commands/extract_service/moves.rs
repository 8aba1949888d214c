//! Moving a domain's files into the new package and rewriting the imports
//! that the move changes, each at its byte span so formatting and comments
//! survive (pure: the caller walks, parses and resolves).
//!
//! - Inside the moved code, an import of other moved code becomes the
//!   relative path between the new places, whatever it was written as.
//! - Moved code that imports monolith code keeps pointing at the same file
//!   (a relative path is recomputed; an alias or package name stays), and is
//!   listed: what the service must receive or call.
//! - Monolith code that imports moved code now names the new package
//!   (`@scope/name/services/...`), and is listed: the API the service must offer.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::repo::imports::{EdgeKind, Span};

/// One import of a walked file, resolved.
#[derive(Debug, Clone)]
pub struct Import {
    pub specifier: String,
    pub kind: EdgeKind,
    pub line: usize,
    pub span: Option<Span>,
    /// The repository file it leads to.
    pub target: Option<String>,
    /// The npm package it leads to (not Node built-ins).
    pub package: Option<String>,
}

/// One walked file and its imports.
#[derive(Debug, Clone)]
pub struct FileImports {
    pub path: String,
    pub imports: Vec<Import>,
}

/// An import that crosses the new boundary, with its call site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crossing {
    /// The importing file (where it is after the move) and line.
    pub file: String,
    pub line: usize,
    pub kind: &'static str,
    /// As written before, and after the rewrite (the same when kept).
    pub specifier: String,
    pub rewritten: String,
    /// The file it leads to (after the move).
    pub target: String,
}

/// The rewrites of one file: (span, new specifier), in file order.
pub type Edits = Vec<(Span, String)>;

/// What the move does to imports.
#[derive(Debug, Default)]
pub struct MovePlan {
    /// Old path of each file whose text changes → its edits.
    pub edits: BTreeMap<String, Edits>,
    /// Moved code → monolith code.
    pub outgoing: Vec<Crossing>,
    /// Monolith code → moved code.
    pub incoming: Vec<Crossing>,
    /// npm packages the moved code imports.
    pub packages: BTreeSet<String>,
    /// Imports inside the moved code that were rewritten.
    pub internal_rewrites: usize,
}

/// The new package as imports name it.
pub struct NewPackage<'a> {
    /// `@scope/name`.
    pub name: &'a str,
    /// Its `src` folder, relative to the root (`packages/ai/src`).
    pub src: &'a str,
}

/// The import rewrites for moving `moved` (old path → new path).
#[must_use]
pub fn plan(
    files: &[FileImports],
    moved: &BTreeMap<String, String>,
    package: &NewPackage<'_>,
) -> MovePlan {
    let mut out = MovePlan::default();
    for file in files {
        let new_home = moved.get(&file.path);
        for import in &file.imports {
            if new_home.is_some()
                && let Some(name) = &import.package
            {
                out.packages.insert(name.clone());
            }
            let Some(target) = &import.target else {
                continue;
            };
            let target_moved = moved.get(target);
            let rewritten = match (new_home, target_moved) {
                (Some(from), Some(to)) => {
                    out.internal_rewrites += 1;
                    Some(relative(from, &form(to, target, &import.specifier)))
                }
                (Some(from), None) => {
                    let kept = if import.specifier.starts_with('.') {
                        relative(from, &form(target, target, &import.specifier))
                    } else {
                        import.specifier.clone()
                    };
                    out.outgoing.push(crossing(from, import, &kept, target));
                    Some(kept)
                }
                (None, Some(to)) => {
                    let spec = package_specifier(package, &form(to, target, &import.specifier));
                    out.incoming.push(crossing(&file.path, import, &spec, to));
                    Some(spec)
                }
                (None, None) => None,
            };
            if let (Some(spec), Some(span)) = (rewritten, import.span)
                && spec != import.specifier
            {
                out.edits
                    .entry(file.path.clone())
                    .or_default()
                    .push((span, spec));
            }
        }
    }
    out
}

fn crossing(file: &str, import: &Import, rewritten: &str, target: &str) -> Crossing {
    Crossing {
        file: file.to_owned(),
        line: import.line,
        kind: import.kind.label(),
        specifier: import.specifier.clone(),
        rewritten: rewritten.to_owned(),
        target: target.to_owned(),
    }
}

/// `to` written the way `specifier` wrote `was` (the same file name, moved):
/// without the extension, or without `/index.ts`, when the specifier left
/// them out; `.js` kept for a `.ts` file when the specifier used it.
fn form(to: &str, was: &str, specifier: &str) -> String {
    let last = specifier.rsplit('/').next().unwrap_or(specifier);
    let name = was.rsplit('/').next().unwrap_or(was);
    let stem = name
        .strip_suffix(".d.ts")
        .or_else(|| name.rsplit_once('.').map(|(s, _)| s))
        .unwrap_or(name);
    let to_dir = to.rsplit_once('/').map_or("", |(d, _)| d);
    if last == name {
        to.to_owned()
    } else if last == stem {
        join(to_dir, stem)
    } else if last.starts_with(stem) && last[stem.len()..].starts_with('.') {
        join(to_dir, last)
    } else if stem == "index" {
        to_dir.to_owned()
    } else {
        join(to_dir, stem)
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// The relative specifier from the file `from` to the path `to`.
#[must_use]
pub fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect::<Vec<_>>();
    let from_dir = &from_dir[..from_dir.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').filter(|p| !p.is_empty()).collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let ups = from_dir.len() - common;
    let rest = to_parts[common..].join("/");
    match (ups, rest.is_empty()) {
        (0, true) => ".".to_owned(),
        (0, false) => format!("./{rest}"),
        (n, true) => vec![".."; n].join("/"),
        (n, false) => format!("{}/{rest}", vec![".."; n].join("/")),
    }
}

fn package_specifier(package: &NewPackage<'_>, to: &str) -> String {
    let inside = to
        .strip_prefix(package.src)
        .map_or(to, |r| r.trim_start_matches('/'));
    if inside.is_empty() {
        package.name.to_owned()
    } else {
        format!("{}/{inside}", package.name)
    }
}

/// `text` with `edits` applied (spans of the original text; any order).
#[must_use]
pub fn apply_edits(text: &str, edits: &Edits) -> String {
    let mut sorted: Vec<&(Span, String)> = edits.iter().collect();
    sorted.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut out = text.to_owned();
    for (span, replacement) in sorted {
        if out.is_char_boundary(span.start as usize) && out.is_char_boundary(span.end as usize) {
            out.replace_range(span.range(), replacement);
        }
    }
    out
}

#[cfg(test)]
mod tests;
