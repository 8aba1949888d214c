//! What a workspace package is to the architecture: an app, a shared library,
//! the data layer, or a package that holds one business domain. Pure: it reads
//! only what detection already found (name, folder, Next.js, Prisma schema).

use serde::{Deserialize, Serialize};

use crate::repo::Package;

/// The role of a domain or workspace package. Only `domain` is ever a
/// candidate for extraction: apps are the monolith's shell, shared libraries
/// are imported by everything, and the data layer owns the schema every
/// domain uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A business domain (a vertical slice, or a package of its own).
    #[default]
    Domain,
    /// A deployable app: a Next.js app, or a package under `apps/`.
    App,
    /// ui, design system, utils, config, tsconfig, eslint, types, email, lib…
    Shared,
    /// The package or folder that owns the Prisma schema or the database client.
    Data,
}

impl Role {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Role::Domain => "domain",
            Role::App => "app",
            Role::Shared => "shared library",
            Role::Data => "data layer",
        }
    }
}

/// Last words of a package name that mark a shared library.
const SHARED: &[&str] = &[
    "ui",
    "design-system",
    "designsystem",
    "components",
    "utils",
    "util",
    "lib",
    "libs",
    "common",
    "shared",
    "config",
    "configs",
    "tsconfig",
    "eslint",
    "eslint-config",
    "prettier",
    "prettier-config",
    "tailwind",
    "tailwind-config",
    "typescript-config",
    "types",
    "email",
    "emails",
    "i18n",
    "translations",
    "icons",
    "assets",
    "logger",
    "logging",
    "env",
    "testing",
    "test-utils",
    "tooling",
    "eslint-plugin",
    "assets",
    "tokens",
];

/// Last words that mark the data layer.
const DATA: &[&str] = &["database", "db", "prisma", "drizzle", "orm", "kysely"];

/// A package's short name: `@documenso/ui` → `ui`, else its folder's name.
#[must_use]
pub fn short_name(package: &Package) -> String {
    package
        .name
        .as_deref()
        .map(|n| n.rsplit('/').next().unwrap_or(n))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| package.path.rsplit('/').next().unwrap_or(&package.path))
        .to_owned()
}

/// The role of `package`, and why, in a few words for `init`'s comment.
#[must_use]
pub fn classify(package: &Package, prisma_schema: Option<&str>) -> (Role, String) {
    let short = short_name(package).to_lowercase();
    let folder = package.path.rsplit('/').next().unwrap_or("").to_lowercase();
    // An app that keeps the schema is still an app; its schema folder is the data layer.
    let owns_schema = !package.next_app
        && !package.path.starts_with("apps/")
        && prisma_schema.is_some_and(|schema| {
            package.path != "." && schema.starts_with(&format!("{}/", package.path))
        });
    if owns_schema {
        return (Role::Data, "owns the Prisma schema".to_owned());
    }
    if DATA.contains(&short.as_str()) || DATA.contains(&folder.as_str()) {
        return (Role::Data, format!("named `{short}`"));
    }
    if package.path.starts_with("apps/") {
        return (Role::App, "an app under apps/".to_owned());
    }
    let shared_word = |n: &str| {
        SHARED.contains(&n)
            || ["eslint", "tsconfig", "prettier", "tailwind"]
                .iter()
                .any(|p| n.starts_with(p))
            || [
                "-config",
                "-ui",
                "-utils",
                "-types",
                "-tsconfig",
                "-tests",
                "e2e",
            ]
            .iter()
            .any(|s| n.ends_with(s))
    };
    // A ui library with `next` as a peer dependency is still a library.
    if shared_word(&short) || shared_word(&folder) {
        return (Role::Shared, format!("named `{short}`"));
    }
    if package.next_app {
        return (Role::App, "a Next.js app".to_owned());
    }
    (Role::Domain, "no app, library or database name".to_owned())
}

/// The role of a configured domain that `[roles]` does not name: a domain
/// whose folders are all workspace packages takes their role; the folder of
/// the Prisma schema is the data layer; anything else is a domain.
#[must_use]
pub fn infer(folders: &[String], packages: &[Package], prisma_schema: Option<&str>) -> Role {
    let clean = |f: &str| f.trim_start_matches("./").trim_end_matches('/').to_owned();
    let roles: Vec<Role> = folders
        .iter()
        .map(|folder| {
            let folder = clean(folder);
            if prisma_schema.is_some_and(|s| s.rsplit_once('/').is_some_and(|(d, _)| d == folder)) {
                return Some(Role::Data);
            }
            packages
                .iter()
                .find(|p| p.path == folder)
                .map(|p| classify(p, prisma_schema).0)
        })
        .collect::<Option<Vec<Role>>>()
        .unwrap_or_default();
    match roles.first() {
        Some(first) if roles.iter().all(|r| r == first) => *first,
        _ => Role::Domain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(path: &str, name: &str, next_app: bool) -> Package {
        Package {
            path: path.into(),
            name: Some(name.into()),
            kind: "npm",
            next_app,
            api_routes: Vec::new(),
        }
    }

    #[test]
    fn packages_get_the_role_a_team_would_give_them() {
        let schema = Some("packages/prisma/schema.prisma");
        let role = |p: &Package| classify(p, schema).0;
        assert_eq!(
            role(&package("packages/prisma", "@x/prisma", false)),
            Role::Data
        );
        assert_eq!(
            role(&package("packages/database", "@x/database", false)),
            Role::Data
        );
        assert_eq!(role(&package("apps/web", "@x/web", true)), Role::App);
        assert_eq!(role(&package("apps/docs", "@x/docs", false)), Role::App);
        for shared in [
            "ui",
            "lib",
            "tsconfig",
            "eslint-config-custom",
            "email",
            "tailwind-config",
        ] {
            assert_eq!(
                role(&package(
                    &format!("packages/{shared}"),
                    &format!("@x/{shared}"),
                    false
                )),
                Role::Shared,
                "{shared}"
            );
        }
        assert_eq!(
            role(&package("packages/billing", "@x/billing", false)),
            Role::Domain
        );
        assert_eq!(
            role(&package("packages/trpc", "@x/trpc", false)),
            Role::Domain
        );
    }
}
