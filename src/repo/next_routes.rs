//! Next.js API routes: app router `app/api/**/route.{ts,js}` and pages router
//! `pages/api/**`, each with the URL path it serves.

use std::path::Path;

use serde::Serialize;

use super::{SKIPPED_DIRS, relative};

/// One API route file and the URL path it serves (`/api/v1/skills/[id]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiRoute {
    pub route: String,
    pub file: String,
    /// `app` or `pages`.
    pub router: &'static str,
}

const SOURCE_EXTENSIONS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs"];

/// Route files of the Next.js app in `package_dir` (relative to `root`), sorted by route.
#[must_use]
pub fn detect(root: &Path, package_dir: &str) -> Vec<ApiRoute> {
    let package = root.join(package_dir);
    let mut routes = Vec::new();
    for base in ["src/app/api", "app/api"] {
        let dir = package.join(base);
        let mut files = Vec::new();
        collect_files(&dir, &mut files);
        for file in files {
            let is_route =
                file.file_stem().is_some_and(|s| s == "route") && has_source_extension(&file);
            if !is_route {
                continue;
            }
            let Some(parent) = file.parent() else {
                continue;
            };
            let sub = parent
                .strip_prefix(&dir)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let route = url_path(&sub);
            if let Some(rel) = relative(root, &file) {
                routes.push(ApiRoute {
                    route,
                    file: rel,
                    router: "app",
                });
            }
        }
    }
    for base in ["src/pages/api", "pages/api"] {
        let dir = package.join(base);
        let mut files = Vec::new();
        collect_files(&dir, &mut files);
        for file in files.into_iter().filter(|f| has_source_extension(f)) {
            let rel_in_api = file
                .strip_prefix(&dir)
                .map(|p| p.with_extension("").to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let sub = rel_in_api
                .strip_suffix("index")
                .map_or(rel_in_api.as_str(), |s| s.trim_end_matches('/'));
            let route = url_path(sub);
            if let Some(rel) = relative(root, &file) {
                routes.push(ApiRoute {
                    route,
                    file: rel,
                    router: "pages",
                });
            }
        }
    }
    routes.sort_by(|a, b| a.route.cmp(&b.route).then_with(|| a.file.cmp(&b.file)));
    routes
}

/// The URL path for a folder under `api/`: route groups `(name)` vanish, as in Next.js.
fn url_path(sub: &str) -> String {
    let segments: Vec<&str> = sub
        .split('/')
        .filter(|s| !(s.is_empty() || is_route_group(s)))
        .collect();
    if segments.is_empty() {
        "/api".to_owned()
    } else {
        format!("/api/{}", segments.join("/"))
    }
}

/// `(admin)`: a folder that groups routes without adding to the URL.
pub(crate) fn is_route_group(segment: &str) -> bool {
    segment.starts_with('(') && segment.ends_with(')')
}

fn has_source_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e))
        && !path.to_string_lossy().ends_with(".d.ts")
}

fn collect_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !SKIPPED_DIRS.iter().any(|s| entry.file_name() == *s) {
                collect_files(&path, out);
            }
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::url_path;

    #[test]
    fn route_groups_vanish_from_url_paths() {
        assert_eq!(url_path("v1/skills/[id]"), "/api/v1/skills/[id]");
        assert_eq!(url_path("(internal)/health"), "/api/health");
        assert_eq!(url_path(""), "/api");
    }
}
