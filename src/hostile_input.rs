//! Hostile input for every parser of user input: random text, and real files
//! of ours with random bytes replaced, inserted or cut. Required of each: no
//! panic, and a rejection that says where (file:line:col, or the file).
//! `PROPTEST_CASES` sets how many inputs each property sees (256 by default;
//! `bench/fuzz.sh` runs many more). Parsers private to a command have their
//! property next to them (traffic logs, Prometheus answers).

use proptest::prelude::*;

/// Byte edits: (where, what, replace/insert/delete).
fn edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..12)
}

/// `base` with `edits` applied, as text (invalid UTF-8 replaced).
fn mutate(base: &str, edits: &[(usize, u8, u8)]) -> String {
    let mut bytes = base.as_bytes().to_vec();
    for (at, byte, op) in edits {
        let at = if bytes.is_empty() {
            0
        } else {
            at % bytes.len()
        };
        match op {
            0 if !bytes.is_empty() => bytes[at] = *byte,
            1 => bytes.insert(at, *byte),
            _ if !bytes.is_empty() => {
                bytes.remove(at);
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Printable text with the characters parsers split on, weighted up.
fn texts() -> impl Strategy<Value = String> {
    prop::string::string_regex(r#"[\[\]{}=",'#;:$\\\n a-z0-9._*/-]{0,400}"#).expect("regex")
}

const CONFIG: &str = include_str!("../fixtures/skills-monorepo/skillsctl.toml");
const GATEWAY: &str = include_str!("../fixtures/skills-monorepo/gateway.toml");
const SUITE: &str = include_str!("../fixtures/smoke/skills-api.toml");
const MIGRATION: &str =
    include_str!("../fixtures/skills-monorepo/prisma/migrations/20250512093011_init/migration.sql");
const MANIFEST: &str = include_str!("../templates/express-ts/template.toml");
const COMPOSE: &str = include_str!("../fixtures/skills-monorepo/docker-compose.dev.yml");
const TSCONFIG: &str = include_str!("../fixtures/skills-monorepo/packages/app/tsconfig.json");

fn env(name: &str) -> Option<String> {
    (name == "HOME").then(|| "/home/t".to_owned())
}

proptest! {
    #[test]
    fn config_files_are_read_or_refused_at_their_place(e in edits(), t in texts()) {
        for text in [mutate(CONFIG, &e), t.clone()] {
            if let Err(err) = crate::config::parse(&text, "skillsctl.toml") {
                prop_assert!(err.to_string().starts_with("skillsctl.toml:"), "{err}");
            }
        }
    }

    #[test]
    fn gateway_files_are_read_or_refused_at_their_place(e in edits(), t in texts()) {
        for text in [mutate(GATEWAY, &e), t.clone()] {
            if let Err(err) = crate::gateway::parse(&text, "gateway.toml", &env) {
                prop_assert!(err.to_string().starts_with("gateway.toml:"), "{err}");
            }
            // Edits of a file that parses keep it parsing, or refuse.
            let _ = crate::gateway::edit::apply(&text, "ai", &[crate::gateway::edit::Change::Weight(10)]);
        }
    }

    #[test]
    fn smoke_suites_are_read_or_refused_at_their_place(e in edits(), t in texts()) {
        let options = crate::suite::LoadOptions { env: None, vars: &[], lookup: &env };
        for text in [mutate(SUITE, &e), t.clone()] {
            if let Err(err) = crate::suite::parse(&text, std::path::Path::new("smoke.toml"), &options) {
                prop_assert!(err.to_string().contains("smoke.toml"), "{err}");
            }
        }
    }

    #[test]
    fn sql_splits_or_says_where_it_stopped(e in edits(), t in texts()) {
        use crate::commands::migrate::{SqlDialect, split_statements};
        for text in [mutate(MIGRATION, &e), t.clone()] {
            for dialect in [SqlDialect::Postgres, SqlDialect::Mysql, SqlDialect::Sqlite] {
                match split_statements(&text, dialect) {
                    Ok(statements) => {
                        for s in statements {
                            prop_assert!(s.offset <= text.len());
                        }
                    }
                    Err(err) => prop_assert!(err.line >= 1, "{}", err.message),
                }
            }
        }
    }

    #[test]
    fn lint_never_panics_on_any_sql(e in edits()) {
        let text = mutate(MIGRATION, &e);
        for in_transaction in [true, false] {
            let _ = crate::commands::migrate::lint_text("m.sql", &text, in_transaction, crate::commands::migrate::DEFAULT_RULES);
        }
    }

    #[test]
    fn health_bodies_of_any_shape_are_read(body in prop::collection::vec(any::<u8>(), 0..600), json in texts()) {
        for content_type in [None, Some("application/json"), Some("application/health+json"), Some("text/plain")] {
            let _ = crate::probe::formats::read(content_type, &body);
            let _ = crate::probe::formats::read(content_type, json.as_bytes());
        }
    }

    #[test]
    fn migration_file_names_are_taken_or_refused_by_name(names in prop::collection::vec("[0-9a-zA-Z_.-]{1,24}", 1..6)) {
        use crate::commands::migrate::Layout;
        let dir = tempfile::tempdir().unwrap();
        for name in &names {
            let _ = std::fs::write(dir.path().join(format!("{name}.sql")), "SELECT 1;\n");
            let _ = std::fs::create_dir_all(dir.path().join(name));
            let _ = std::fs::write(dir.path().join(name).join("migration.sql"), "SELECT 1;\n");
        }
        for layout in [Layout::Sqlx, Layout::Prisma] {
            if let Err(err) = crate::commands::migrate::read_dir(dir.path(), layout) {
                let text = err.to_string();
                prop_assert!(names.iter().any(|n| text.contains(n.as_str())) || text.contains("migration"), "{text}");
            }
        }
    }

    #[test]
    fn template_manifests_and_values_files_say_where(e in edits(), t in texts()) {
        for text in [mutate(MANIFEST, &e), t.clone()] {
            if let Err(err) = crate::scaffold::Template::new("t", "built-in", "template.toml", &text, Vec::new()) {
                prop_assert!(err.to_string().starts_with("template.toml:"), "{err}");
            }
            if let Err(err) = crate::scaffold::values::parse_file(&text, "values.toml") {
                prop_assert!(err.to_string().starts_with("values.toml:"), "{err}");
            }
        }
    }

    #[test]
    fn jsonc_edits_never_panic(e in edits(), t in texts()) {
        for text in [mutate(TSCONFIG, &e), t.clone()] {
            let _ = crate::repo::jsonc::append(&text, &["compilerOptions", "paths"], &["\"a\": [\"b\"]".to_owned()]);
            let _ = crate::repo::jsonc::keys(&text, &["compilerOptions"]);
        }
    }

    #[test]
    fn compose_edits_never_panic_and_keep_valid_yaml(e in edits()) {
        let text = mutate(COMPOSE, &e);
        let service = crate::commands::extract_service::ComposeService {
            name: "ai",
            dir: "packages/ai",
            port: "4001",
            uses_database: true,
            uses_redis: true,
        };
        if let Ok(Some(out)) = crate::commands::extract_service::compose(&text, "dc.yml", &service) {
            prop_assert!(serde_norway::from_str::<serde_json::Value>(&out).is_ok());
        }
    }

    #[test]
    fn baselines_of_any_shape_are_refused_with_a_place(t in texts(), e in edits()) {
        let report = mutate(r#"{"report":"migrate-lint","findings":[{"fingerprint":"ab"}]}"#, &e);
        for text in [t.clone(), report] {
            if let Err(err) = crate::commands::migrate::read_baseline(&text, "base.json") {
                prop_assert!(err.to_string().starts_with("base.json:"), "{err}");
            }
        }
    }
}
