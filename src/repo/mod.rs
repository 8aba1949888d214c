//! What a repository looks like to skillsctl: its workspace packages, Next.js API
//! routes, Prisma schema, migrations, docker-compose services, Cargo workspace and
//! the domain map. Detection only reads files; it never prints or writes.
//! `init` writes what it finds into `skillsctl.toml`; the analysis commands read
//! the same map. [`jsonc`] edits package.json and tsconfig files in place.

pub mod communities;
pub mod compose;
pub mod domains;
pub mod imports;
pub mod jsonc;
pub mod loc;
pub mod models;
pub mod next_routes;
pub mod prisma;
pub mod signals;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::MigrationLayout;

/// Folders never descended into, by detection or analysis: dependencies,
/// build output, caches, vendored and generated code, skillsctl's own state.
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    ".next",
    "dist",
    "build",
    "out",
    "coverage",
    "target",
    ".turbo",
    "vendor",
    "generated",
    "__generated__",
    ".skillsctl",
];

/// Why a repository could not be inspected.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("{0} is not a directory")]
    NotADirectory(PathBuf),
    #[error("{path}: {message}")]
    Malformed { path: String, message: String },
}

/// Everything detected in a repository. Paths are relative to `root`, with `/`.
#[derive(Debug, Default, Serialize)]
pub struct RepoLayout {
    #[serde(skip)]
    pub root: PathBuf,
    /// The root package.json `name`, if any.
    pub name: Option<String>,
    /// npm, pnpm or yarn, from the lock file.
    pub package_manager: Option<String>,
    /// Workspace patterns as written (package.json `workspaces`, pnpm-workspace.yaml).
    pub workspace_patterns: Vec<String>,
    pub packages: Vec<Package>,
    pub prisma: Option<prisma::PrismaSchema>,
    pub migrations: Vec<MigrationsDir>,
    pub compose: Vec<compose::ComposeFile>,
    /// Members of a Cargo workspace at the root.
    pub cargo_members: Vec<String>,
    /// Domain name → folders, see [`domains::detect`].
    pub domains: BTreeMap<String, Vec<String>>,
    /// Domain name → its role (app, shared library, data layer, domain).
    pub domain_roles: BTreeMap<String, domains::Role>,
    /// Domain name → where detection found it, for `init`'s comments.
    pub domain_found: BTreeMap<String, String>,
}

/// One workspace package.
#[derive(Debug, Clone, Serialize)]
pub struct Package {
    pub path: String,
    pub name: Option<String>,
    /// `npm` for package.json packages, `cargo` for crates.
    pub kind: &'static str,
    /// Whether it is a Next.js app (depends on `next` or has a next.config.*).
    pub next_app: bool,
    pub api_routes: Vec<next_routes::ApiRoute>,
}

/// A folder of migrations and the ledger layout its files follow.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationsDir {
    pub path: String,
    pub layout: MigrationLayout,
    pub count: usize,
}

/// Inspects `root`.
pub fn detect(root: &Path) -> Result<RepoLayout, RepoError> {
    if !root.is_dir() {
        return Err(RepoError::NotADirectory(root.to_path_buf()));
    }
    let mut layout = RepoLayout {
        root: root.to_path_buf(),
        ..RepoLayout::default()
    };
    let root_manifest = read_json(&root.join("package.json"))?;
    if let Some(manifest) = &root_manifest {
        layout.name = manifest
            .get("name")
            .and_then(|n| n.as_str())
            .map(str::to_owned);
        match manifest.get("workspaces") {
            Some(serde_json::Value::Array(items)) => {
                layout.workspace_patterns.extend(strings(items));
            }
            Some(serde_json::Value::Object(obj)) => {
                if let Some(serde_json::Value::Array(items)) = obj.get("packages") {
                    layout.workspace_patterns.extend(strings(items));
                }
            }
            _ => {}
        }
    }
    let pnpm = root.join("pnpm-workspace.yaml");
    if pnpm.is_file() {
        #[derive(serde::Deserialize)]
        struct PnpmWorkspace {
            #[serde(default)]
            packages: Vec<String>,
        }
        let text = read_text(&pnpm)?;
        let parsed: PnpmWorkspace =
            serde_norway::from_str(&text).map_err(|e| RepoError::Malformed {
                path: display(&pnpm),
                message: e.to_string(),
            })?;
        layout.workspace_patterns.extend(parsed.packages);
    }
    layout.package_manager = [
        ("pnpm-lock.yaml", "pnpm"),
        ("yarn.lock", "yarn"),
        ("package-lock.json", "npm"),
        ("bun.lockb", "bun"),
    ]
    .iter()
    .find(|(file, _)| root.join(file).is_file())
    .map(|(_, pm)| (*pm).to_owned())
    .or_else(|| root_manifest.as_ref().map(|_| "npm".to_owned()));

    for dir in expand_workspace_patterns(root, &layout.workspace_patterns) {
        let Some(manifest) = read_json(&root.join(&dir).join("package.json"))? else {
            continue;
        };
        layout.packages.push(npm_package(root, &dir, &manifest));
    }
    if layout.packages.is_empty() {
        // A single-package repo: the root itself may be the Next.js app.
        if let Some(manifest) = &root_manifest {
            let package = npm_package(root, ".", manifest);
            if package.next_app {
                layout.packages.push(package);
            }
        }
    }
    layout.cargo_members = cargo_members(root)?;
    for member in &layout.cargo_members {
        layout.packages.push(Package {
            path: member.clone(),
            name: None,
            kind: "cargo",
            next_app: false,
            api_routes: Vec::new(),
        });
    }
    layout.prisma = prisma::detect(root, &layout.packages)?;
    layout.migrations = detect_migrations(root, &layout);
    layout.compose = compose::detect(root)?;
    let detected = domains::detect(
        root,
        &layout.packages,
        layout.prisma.as_ref().map(|p| p.path.as_str()),
    );
    layout.domains = detected.domains;
    layout.domain_roles = detected.roles;
    layout.domain_found = detected.found;
    Ok(layout)
}

impl RepoLayout {
    /// The first Next.js health route (`/api/health`, `/api/healthz`, …), if any.
    #[must_use]
    pub fn health_route(&self) -> Option<&str> {
        self.packages
            .iter()
            .flat_map(|p| &p.api_routes)
            .map(|r| r.route.as_str())
            .find(|r| {
                r.rsplit('/')
                    .next()
                    .is_some_and(|last| last.starts_with("health"))
            })
    }
}

fn npm_package(root: &Path, dir: &str, manifest: &serde_json::Value) -> Package {
    let depends_on_next = ["dependencies", "devDependencies"]
        .iter()
        .any(|section| manifest.get(section).and_then(|d| d.get("next")).is_some());
    let abs = root.join(dir);
    let has_next_config = [
        "next.config.js",
        "next.config.mjs",
        "next.config.ts",
        "next.config.cjs",
    ]
    .iter()
    .any(|f| abs.join(f).is_file());
    let next_app = depends_on_next || has_next_config;
    Package {
        path: dir.to_owned(),
        name: manifest
            .get("name")
            .and_then(|n| n.as_str())
            .map(str::to_owned),
        kind: "npm",
        next_app,
        api_routes: if next_app {
            next_routes::detect(root, dir)
        } else {
            Vec::new()
        },
    }
}

/// Expands workspace globs (`packages/*`, `apps/**`) to package folders, honouring
/// `!pattern` exclusions, sorted and without duplicates.
fn expand_workspace_patterns(root: &Path, patterns: &[String]) -> Vec<String> {
    let mut found = std::collections::BTreeSet::new();
    let excluded: Vec<glob::Pattern> = patterns
        .iter()
        .filter_map(|p| p.strip_prefix('!'))
        .filter_map(|p| glob::Pattern::new(p.trim_end_matches('/')).ok())
        .collect();
    for pattern in patterns.iter().filter(|p| !p.starts_with('!')) {
        let full = root.join(pattern.trim_end_matches('/'));
        let Ok(paths) = glob::glob(&full.to_string_lossy()) else {
            continue;
        };
        for path in paths.flatten() {
            if !path.is_dir() || path.components().any(|c| c.as_os_str() == "node_modules") {
                continue;
            }
            if let Some(rel) = relative(root, &path)
                && !excluded.iter().any(|ex| ex.matches(&rel))
            {
                found.insert(rel);
            }
        }
    }
    found.into_iter().collect()
}

fn cargo_members(root: &Path) -> Result<Vec<String>, RepoError> {
    let manifest = root.join("Cargo.toml");
    if !manifest.is_file() {
        return Ok(Vec::new());
    }
    let text = read_text(&manifest)?;
    let value: toml::Table = toml::from_str(&text).map_err(|e| RepoError::Malformed {
        path: display(&manifest),
        message: e.message().to_owned(),
    })?;
    let members: Vec<String> = value
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut dirs = expand_workspace_patterns(root, &members);
    dirs.retain(|d| root.join(d).join("Cargo.toml").is_file());
    Ok(dirs)
}

fn detect_migrations(root: &Path, layout: &RepoLayout) -> Vec<MigrationsDir> {
    let mut candidates: Vec<String> = vec!["prisma/migrations".into(), "migrations".into()];
    if let Some(prisma) = &layout.prisma {
        let schema_dir = Path::new(&prisma.path)
            .parent()
            .map(|p| p.to_string_lossy().replace('\\', "/"));
        if let Some(dir) = schema_dir {
            // A multi-file schema folder lives inside prisma/, its migrations beside it.
            let base = if prisma.multi_file {
                Path::new(&dir)
                    .parent()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default()
            } else {
                dir
            };
            candidates.push(if base.is_empty() {
                "migrations".into()
            } else {
                format!("{base}/migrations")
            });
        }
    }
    for package in &layout.packages {
        candidates.push(format!("{}/prisma/migrations", package.path));
        candidates.push(format!("{}/migrations", package.path));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    for candidate in candidates {
        let candidate = candidate.trim_start_matches("./").to_owned();
        if !seen.insert(candidate.clone()) {
            continue;
        }
        let dir = root.join(&candidate);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let entries: Vec<_> = entries.flatten().collect();
        let prisma_count = entries
            .iter()
            .filter(|e| e.path().join("migration.sql").is_file())
            .count();
        let sqlx_count = entries
            .iter()
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                Path::new(&name)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
                    && !name.ends_with(".down.sql")
                    && name.split_once('_').is_some_and(|(v, _)| {
                        !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
                    })
            })
            .count();
        if dir.join("migration_lock.toml").is_file() || prisma_count > 0 {
            found.push(MigrationsDir {
                path: candidate,
                layout: MigrationLayout::Prisma,
                count: prisma_count,
            });
        } else if sqlx_count > 0 {
            found.push(MigrationsDir {
                path: candidate,
                layout: MigrationLayout::Sqlx,
                count: sqlx_count,
            });
        }
    }
    found
}

fn strings(items: &[serde_json::Value]) -> impl Iterator<Item = String> + '_ {
    items.iter().filter_map(|i| i.as_str().map(str::to_owned))
}

fn read_text(path: &Path) -> Result<String, RepoError> {
    std::fs::read_to_string(path).map_err(|e| RepoError::Malformed {
        path: display(path),
        message: e.to_string(),
    })
}

/// Reads a JSON file if it exists; a malformed one is an error naming line and column.
pub(crate) fn read_json(path: &Path) -> Result<Option<serde_json::Value>, RepoError> {
    if !path.is_file() {
        return Ok(None);
    }
    let text = read_text(path)?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| RepoError::Malformed {
            path: format!("{}:{}:{}", display(path), e.line(), e.column()),
            message: e.to_string(),
        })
}

pub(crate) fn display(path: &Path) -> String {
    path.display().to_string()
}

/// `path` relative to `root` with `/` separators.
pub(crate) fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let text = rel.to_string_lossy().replace('\\', "/");
    Some(if text.is_empty() {
        ".".to_owned()
    } else {
        text
    })
}

/// The workspace's packages for import resolution: name, folder, and
/// package.json `exports` (subpaths, `*` patterns; conditions `types`,
/// `import`, `require`, `default`, in that order), else `types`/`module`/
/// `main`, else `src/index.ts`-like entries, as `.`.
#[must_use]
pub fn workspace_entries(root: &Path, layout: &RepoLayout) -> Vec<imports::WorkspacePackage> {
    layout
        .packages
        .iter()
        .filter_map(|p| {
            let name = p.name.clone()?;
            let dir = root.join(&p.path);
            let manifest: serde_json::Value = std::fs::read_to_string(dir.join("package.json"))
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
            Some(imports::WorkspacePackage {
                exports: package_exports(&manifest, &dir),
                name,
                dir,
            })
        })
        .collect()
}

/// `exports` as (subpath, target) pairs, most specific first.
fn package_exports(manifest: &serde_json::Value, dir: &Path) -> Vec<(String, String)> {
    fn condition(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Object(map) => ["types", "import", "require", "node", "default"]
                .iter()
                .find_map(|c| map.get(*c).and_then(condition)),
            serde_json::Value::Array(items) => items.iter().find_map(condition),
            _ => None,
        }
    }
    let mut out: Vec<(String, String)> = match &manifest["exports"] {
        serde_json::Value::Object(map) if map.keys().any(|k| k.starts_with('.')) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), condition(v)?)))
            .collect(),
        other => condition(other)
            .map(|t| vec![(".".to_owned(), t)])
            .unwrap_or_default(),
    };
    if out.is_empty() {
        let field = ["types", "module", "main"]
            .iter()
            .find_map(|f| manifest[*f].as_str().map(str::to_owned));
        let fallback = [
            "src/index.ts",
            "src/index.tsx",
            "index.ts",
            "src/index.js",
            "index.js",
        ]
        .iter()
        .find(|f| dir.join(f).is_file())
        .map(|f| format!("./{f}"));
        if let Some(entry) = field.or(fallback) {
            out.push((".".to_owned(), entry));
        }
    }
    // Exact subpaths before patterns, longer patterns before shorter.
    out.sort_by_key(|(k, _)| (k.contains('*'), std::cmp::Reverse(k.len())));
    out
}

/// The Prisma schema's text: one file, or every file of a schema folder.
#[must_use]
pub fn schema_texts(root: &Path, layout: &RepoLayout) -> Vec<String> {
    layout
        .prisma
        .as_ref()
        .map(|p| {
            let path = root.join(&p.path);
            if path.is_dir() {
                std::fs::read_dir(&path)
                    .map(|e| {
                        e.flatten()
                            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                            .collect()
                    })
                    .unwrap_or_default()
            } else {
                std::fs::read_to_string(&path).into_iter().collect()
            }
        })
        .unwrap_or_default()
}
