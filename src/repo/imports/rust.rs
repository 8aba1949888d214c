//! Rust dependencies from a real parser (syn): `use` paths (`pub use` is a
//! re-export), `mod` declarations and `extern crate`, resolved to files of the
//! same crate (`crate::`, `super::`, `self::`), to workspace crates, or to
//! external crates. Pure.

use std::path::{Path, PathBuf};

use super::{EdgeKind, RawImport, Target};

/// `use` trees flattened to their paths (`crate::a::b`), with kinds and lines.
#[must_use]
pub fn parse(text: &str) -> Option<Vec<RawImport>> {
    let file = syn::parse_file(text).ok()?;
    let mut out = Vec::new();
    collect(&file.items, &mut out);
    Some(out)
}

fn collect(items: &[syn::Item], out: &mut Vec<RawImport>) {
    for item in items {
        match item {
            syn::Item::Use(item_use) => {
                let kind = if matches!(item_use.vis, syn::Visibility::Public(_)) {
                    EdgeKind::ReExport
                } else {
                    EdgeKind::Static
                };
                let line = line_of(item_use.use_token.span);
                let mut paths = Vec::new();
                flatten(&item_use.tree, String::new(), &mut paths);
                for path in paths {
                    out.push(RawImport {
                        specifier: path.into(),
                        kind,
                        line,
                        span: None,
                    });
                }
            }
            syn::Item::Mod(item_mod) => {
                if let Some((_, inner)) = &item_mod.content {
                    collect(inner, out);
                } else {
                    out.push(RawImport {
                        specifier: format!("self::{}", item_mod.ident).into(),
                        kind: EdgeKind::Static,
                        line: line_of(item_mod.ident.span()),
                        span: None,
                    });
                }
            }
            syn::Item::ExternCrate(krate) => {
                out.push(RawImport {
                    specifier: krate.ident.to_string().into(),
                    kind: EdgeKind::Static,
                    line: line_of(krate.ident.span()),
                    span: None,
                });
            }
            _ => {}
        }
    }
}

fn line_of(span: proc_macro2::Span) -> usize {
    span.start().line
}

fn flatten(tree: &syn::UseTree, prefix: String, out: &mut Vec<String>) {
    let join = |name: String| {
        if prefix.is_empty() {
            name
        } else {
            format!("{prefix}::{name}")
        }
    };
    match tree {
        syn::UseTree::Path(path) => flatten(&path.tree, join(path.ident.to_string()), out),
        syn::UseTree::Name(name) => out.push(join(name.ident.to_string())),
        syn::UseTree::Rename(rename) => out.push(join(rename.ident.to_string())),
        syn::UseTree::Glob(_) => out.push(prefix),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                flatten(tree, prefix.clone(), out);
            }
        }
    }
}

/// The `src` folder of the crate a file belongs to (the nearest folder with a
/// Cargo.toml, plus `src`).
fn crate_src(root: &Path, file: &Path) -> Option<PathBuf> {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if root.join(d).join("Cargo.toml").is_file() {
            return Some(d.join("src"));
        }
        if d.as_os_str().is_empty() {
            break;
        }
        dir = d.parent();
    }
    None
}

/// The module file for `segments` under `base` (`a/b.rs` or `a/b/mod.rs`), or the
/// longest prefix of it that exists.
fn module_file(root: &Path, base: &Path, segments: &[&str]) -> Option<PathBuf> {
    for take in (1..=segments.len()).rev() {
        let mut path = base.to_path_buf();
        for segment in &segments[..take] {
            path.push(segment);
        }
        let file = path.with_extension("rs");
        if root.join(&file).is_file() {
            return Some(file);
        }
        let module = path.join("mod.rs");
        if root.join(&module).is_file() {
            return Some(module);
        }
    }
    None
}

/// Resolves a Rust path used in `file` (relative to `root`). `workspace` maps
/// crate names (with `_`) to their `src` folders.
#[must_use]
pub fn resolve(
    root: &Path,
    file: &str,
    specifier: &str,
    workspace: &[(String, PathBuf)],
) -> Target {
    let file = Path::new(file);
    let segments: Vec<&str> = specifier.split("::").filter(|s| !s.is_empty()).collect();
    let Some((&first, rest)) = segments.split_first() else {
        return Target::Unresolved;
    };
    let to_target = |path: Option<PathBuf>| {
        path.map_or(Target::Unresolved, |p| {
            Target::Internal(p.to_string_lossy().replace('\\', "/"))
        })
    };
    // The folder that holds this file's child modules.
    let own_dir = || {
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let parent = file.parent().unwrap_or(Path::new(""));
        if matches!(stem, "mod" | "lib" | "main") {
            parent.to_path_buf()
        } else {
            parent.join(stem)
        }
    };
    match first {
        "crate" => to_target(crate_src(root, file).and_then(|src| module_file(root, &src, rest))),
        "self" => to_target(module_file(root, &own_dir(), rest)),
        "super" => to_target(
            own_dir()
                .parent()
                .and_then(|dir| module_file(root, dir, rest)),
        ),
        "std" | "core" | "alloc" => Target::External(format!("std:{first}")),
        name => match workspace.iter().find(|(krate, _)| krate == name) {
            Some((_, src)) => {
                to_target(module_file(root, src, rest).or_else(|| Some(src.join("lib.rs"))))
            }
            None => Target::External(name.replace('_', "-")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_trees_mods_and_reexports() {
        let text = "use crate::billing::{invoice::Invoice, tax};\npub use crate::orders::Order;\nmod helpers;\nuse serde::Serialize;\n";
        let imports = parse(text).unwrap();
        let got: Vec<(&str, EdgeKind, usize)> = imports
            .iter()
            .map(|i| (i.specifier.as_str(), i.kind, i.line))
            .collect();
        assert_eq!(
            got,
            [
                ("crate::billing::invoice::Invoice", EdgeKind::Static, 1),
                ("crate::billing::tax", EdgeKind::Static, 1),
                ("crate::orders::Order", EdgeKind::ReExport, 2),
                ("self::helpers", EdgeKind::Static, 3),
                ("serde::Serialize", EdgeKind::Static, 4),
            ]
        );
        assert!(parse("fn broken(").is_none());
    }
}
