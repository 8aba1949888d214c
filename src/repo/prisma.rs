//! The Prisma schema: a single `schema.prisma` or a multi-file schema folder,
//! with its datasource provider and model names.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Package, RepoError, display, read_json, relative};

#[derive(Debug, Clone, Serialize)]
pub struct PrismaSchema {
    /// The schema file, or the folder of a multi-file schema.
    pub path: String,
    pub multi_file: bool,
    pub provider: Option<String>,
    pub models: Vec<String>,
}

/// Finds the schema: `package.json` `prisma.schema`, then `prisma/schema.prisma`,
/// then a `prisma/schema/` folder of `.prisma` files, at the root and in packages.
pub fn detect(root: &Path, packages: &[Package]) -> Result<Option<PrismaSchema>, RepoError> {
    let mut bases = vec![".".to_owned()];
    bases.extend(
        packages
            .iter()
            .filter(|p| p.kind == "npm")
            .map(|p| p.path.clone()),
    );
    for base in &bases {
        let dir = root.join(base);
        if let Some(manifest) = read_json(&dir.join("package.json"))?
            && let Some(configured) = manifest
                .get("prisma")
                .and_then(|p| p.get("schema"))
                .and_then(|s| s.as_str())
        {
            let path = dir.join(configured);
            if path.exists() {
                return read_schema(root, &path).map(Some);
            }
        }
        for candidate in ["prisma/schema.prisma", "schema.prisma", "prisma/schema"] {
            let path = dir.join(candidate);
            if path.is_file() || (path.is_dir() && !prisma_files(&path).is_empty()) {
                return read_schema(root, &path).map(Some);
            }
        }
    }
    Ok(None)
}

fn prisma_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "prisma"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn read_schema(root: &Path, path: &Path) -> Result<PrismaSchema, RepoError> {
    let multi_file = path.is_dir();
    let files = if multi_file {
        prisma_files(path)
    } else {
        vec![path.to_path_buf()]
    };
    let mut provider = None;
    let mut models = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| RepoError::Malformed {
            path: display(file),
            message: e.to_string(),
        })?;
        let (file_provider, file_models) = scan(&text);
        provider = provider.or(file_provider);
        models.extend(file_models);
    }
    models.sort();
    Ok(PrismaSchema {
        path: relative(root, path).unwrap_or_else(|| display(path)),
        multi_file,
        provider,
        models,
    })
}

/// The datasource provider and the model names in one schema file.
#[must_use]
pub fn scan(text: &str) -> (Option<String>, Vec<String>) {
    let mut provider = None;
    let mut models = Vec::new();
    let mut in_datasource = false;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("model"), Some(name)) => {
                models.push(name.trim_end_matches('{').to_owned());
                in_datasource = false;
            }
            (Some("datasource"), _) => in_datasource = true,
            (Some("provider"), _) if in_datasource => {
                provider = line.split('"').nth(1).map(str::to_owned);
            }
            (Some("}"), _) => in_datasource = false,
            _ => {}
        }
    }
    (provider, models)
}

#[cfg(test)]
mod tests {
    #[test]
    fn scans_provider_and_models() {
        let (provider, models) = super::scan(
            "generator client {\n  provider = \"prisma-client-js\"\n}\ndatasource db {\n  provider = \"postgresql\" // main\n  url = env(\"DATABASE_URL\")\n}\nmodel Skill {\n  id String @id\n}\n// model Old {}\nmodel Category{\n}\n",
        );
        assert_eq!(provider.as_deref(), Some("postgresql"));
        assert_eq!(models, ["Skill", "Category"]);
    }
}
