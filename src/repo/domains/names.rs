//! How a folder or file name in one layer becomes a domain name, so that the
//! slices of one business domain across layers meet: `document-router`,
//! `documents`, `document.service.ts` and `DocumentRouter.ts` are all
//! `document`. Pure.

/// Layer suffixes a team adds to a domain's name in one layer.
const LAYER_SUFFIXES: &[&str] = &[
    "router",
    "routers",
    "routes",
    "route",
    "service",
    "services",
    "controller",
    "controllers",
    "handler",
    "handlers",
    "api",
    "actions",
    "action",
    "resolver",
    "resolvers",
    "repository",
    "module",
    "slice",
    "store",
    "queries",
    "mutations",
    "validation",
    "types",
    "schema",
    "server",
    "client",
];

/// Names that are never a business domain: plumbing, layers, conventions.
const GENERIC: &[&str] = &[
    "",
    "index",
    "utils",
    "util",
    "helper",
    "helpers",
    "lib",
    "libs",
    "type",
    "types",
    "common",
    "shared",
    "component",
    "components",
    "hook",
    "hooks",
    "constant",
    "constants",
    "config",
    "configs",
    "test",
    "tests",
    "mock",
    "mocks",
    "fixture",
    "fixtures",
    "api",
    "ui",
    "style",
    "styles",
    "asset",
    "assets",
    "public",
    "internal",
    "base",
    "core",
    "main",
    "root",
    "app",
    "apps",
    "page",
    "pages",
    "layout",
    "layouts",
    "server",
    "client",
    "trpc",
    "router",
    "routers",
    "route",
    "routes",
    "service",
    "services",
    "module",
    "modules",
    "feature",
    "features",
    "schema",
    "schemas",
    "model",
    "models",
    "middleware",
    "middlewares",
    "context",
    "provider",
    "providers",
    "health",
    "healthz",
    "readyz",
    "livez",
    "error",
    "errors",
    "not-found",
    "global",
    "globals",
    "env",
    "generated",
    "ee",
    "integrations",
    "v1",
    "v2",
    "v3",
    "misc",
    "other",
    "default",
    "example",
    "examples",
    "demo",
    "scripts",
    "script",
    "migration",
    "migrations",
    "seed",
    "seeds",
    "icons",
    "icon",
    "images",
    "locales",
    "i18n",
    "translations",
    "email",
    "emails",
    "template",
    "templates",
    "store",
    "stores",
    "swr",
    "state",
    "validators",
    "validation",
    "zod",
    "db",
    "prisma",
    "database",
    "data",
    "dto",
    "dtos",
    "interfaces",
    "enums",
    "src",
    "dist",
    "docs",
    "static",
];

/// Words whose trailing `s` is not a plural.
const NOT_PLURAL: &[&str] = &[
    "analytics",
    "news",
    "status",
    "access",
    "address",
    "business",
    "series",
    "settings",
    "insights",
    "metrics",
    "statistics",
    "stats",
    "ops",
    "devops",
    "credentials",
    "sms",
    "cms",
    "aws",
    "dns",
    "https",
    "canvas",
    "alias",
    "campus",
    "bonus",
    "corpus",
    "radius",
];

/// The domain key a name in one layer stands for (`None` for a name that is
/// never a domain): kebab-case, the layer suffix and the file extension cut
/// off, the last word singular.
#[must_use]
pub fn key(name: &str) -> Option<String> {
    let mut words = domain_words(name);
    if let Some(last) = words.last_mut() {
        *last = singular(last);
    }
    let joined = words.join("-");
    if GENERIC.contains(&joined.as_str()) || joined.len() < 2 || !starts_with_letter(&joined) {
        return None;
    }
    Some(joined)
}

/// The name a team would read: the key's words as written in this layer
/// (`documents`, `team-members`), suffix and extension cut off.
#[must_use]
pub fn display(name: &str) -> String {
    domain_words(name).join("-")
}

/// A name's words without extension, hook prefix (`use-partners.ts`,
/// `useRules.tsx`) and layer suffixes.
fn domain_words(name: &str) -> Vec<String> {
    let mut words = words(strip_extension(name));
    if words.len() > 1 && words[0] == "use" {
        words.remove(0);
    }
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| LAYER_SUFFIXES.contains(&w.as_str()))
    {
        words.pop();
    }
    words
}

fn starts_with_letter(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
}

/// `team.router.ts` → `team.router`; `document.service.ts` → `document.service`.
fn strip_extension(name: &str) -> &str {
    for ext in [".tsx", ".ts", ".jsx", ".js", ".mjs", ".cjs", ".mts", ".cts"] {
        if let Some(stem) = name.strip_suffix(ext) {
            return stem;
        }
    }
    name
}

/// Lower-case words of a name in any of kebab, snake, dot or camel case.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for ch in name.chars() {
        if ch == '-' || ch == '_' || ch == '.' || ch == ' ' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if ch.is_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = ch.is_lowercase() || ch.is_ascii_digit();
        current.extend(ch.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// English singular of a lower-case word, for the regular plurals names use.
fn singular(word: &str) -> String {
    if NOT_PLURAL.contains(&word) || word.len() <= 3 {
        return word.to_owned();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for ending in ["sses", "xes", "ches", "shes", "zzes"] {
        if word.ends_with(ending) {
            return word[..word.len() - 2].to_owned();
        }
    }
    if word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return word.to_owned();
    }
    word.strip_suffix('s').unwrap_or(word).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_of_one_domain_meet_across_layers() {
        for name in [
            "document",
            "documents",
            "document-router",
            "document.router.ts",
            "documentRouter.ts",
            "DocumentService.ts",
            "document.service.ts",
            "documents-api",
        ] {
            assert_eq!(key(name).as_deref(), Some("document"), "{name}");
        }
        assert_eq!(key("categories").as_deref(), Some("category"));
        assert_eq!(key("team-members").as_deref(), Some("team-member"));
        assert_eq!(key("analytics").as_deref(), Some("analytics"));
        assert_eq!(key("addresses").as_deref(), Some("address"));
        assert_eq!(key("api-keys").as_deref(), Some("api-key"));
        assert_eq!(key("webhooks.ts").as_deref(), Some("webhook"));
        assert_eq!(key("useRules.tsx").as_deref(), Some("rule"));
        assert_eq!(key("rule.validation.ts").as_deref(), Some("rule"));
        assert_eq!(key("actionClass").as_deref(), Some("action-class"));
    }

    #[test]
    fn plumbing_is_never_a_domain() {
        for name in [
            "utils", "index.ts", "router", "types.ts", "[id]", "_app", "404", "trpc", "api",
        ] {
            assert_eq!(key(name), None, "{name}");
        }
        assert_eq!(display("team-router"), "team");
        assert_eq!(display("documents"), "documents");
    }
}
