//! Which Prisma models each domain uses: client calls (`prisma.skill.findMany`,
//! `tx.skill.update`) and table names in raw SQL (`$queryRaw`). A model used by
//! more than one domain is shared data. Pure.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The models of a schema with the names code uses for them.
#[derive(Debug, Clone, Default)]
pub struct Models {
    /// lowerCamel client name → model name.
    by_client_name: BTreeMap<String, String>,
    /// Table name (`@@map` or the model name) → model name.
    by_table: BTreeMap<String, String>,
}

impl Models {
    /// Reads `model X { … @@map("x") }` blocks from schema text (one or many files).
    #[must_use]
    pub fn from_schema(texts: &[String]) -> Self {
        let mut models = Models::default();
        for text in texts {
            let mut current: Option<String> = None;
            for line in text.lines() {
                let line = line.split("//").next().unwrap_or("").trim();
                if let Some(rest) = line.strip_prefix("model ") {
                    let name = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_end_matches('{')
                        .to_owned();
                    let mut client = name.clone();
                    if let Some(first) = client.get_mut(0..1) {
                        first.make_ascii_lowercase();
                    }
                    models.by_client_name.insert(client, name.clone());
                    models.by_table.insert(name.clone(), name.clone());
                    current = Some(name);
                } else if line.starts_with('}') {
                    current = None;
                } else if let (Some(model), Some(rest)) = (&current, line.strip_prefix("@@map("))
                    && let Some(table) = rest.split('"').nth(1)
                {
                    models.by_table.insert(table.to_owned(), model.clone());
                }
            }
        }
        models
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_client_name.is_empty()
    }

    /// The models a source file uses.
    #[must_use]
    pub fn used_in(&self, text: &str) -> BTreeSet<String> {
        static CALL: OnceLock<regex::Regex> = OnceLock::new();
        static GATE: OnceLock<regex::Regex> = OnceLock::new();
        static QUOTED: OnceLock<regex::Regex> = OnceLock::new();
        let call = CALL.get_or_init(|| {
            regex::Regex::new(r"\.([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*(findMany|findUnique|findUniqueOrThrow|findFirst|findFirstOrThrow|create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany|count|aggregate|groupBy)\s*[(<]")
                .expect("valid regex")
        });
        let quoted = QUOTED.get_or_init(|| {
            regex::Regex::new(r#""([A-Za-z_][A-Za-z0-9_]*)""#).expect("valid regex")
        });
        let gate = GATE.get_or_init(|| {
            regex::Regex::new(
                r"find|create|update|upsert|delete|count|aggregate|groupBy|\$queryRaw|\$executeRaw",
            )
            .expect("valid regex")
        });
        let mut used = BTreeSet::new();
        // One literal scan decides whether the real patterns can match at all.
        if !gate.is_match(text) {
            return used;
        }
        let raw_sql = text.contains("$queryRaw") || text.contains("$executeRaw");
        for caps in call.captures_iter(text) {
            if let Some(model) = self.by_client_name.get(&caps[1]) {
                used.insert(model.clone());
            }
        }
        if raw_sql {
            for caps in quoted.captures_iter(text) {
                if let Some(model) = self.by_table.get(&caps[1]) {
                    used.insert(model.clone());
                }
            }
        }
        used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_calls_and_raw_sql() {
        let models = Models::from_schema(&["model Skill {\n  id String @id\n}\nmodel AnalyticsEvent {\n  id String\n  @@map(\"analytics_events\")\n}\n".to_owned()]);
        let used = models.used_in("await prisma.skill.findMany({});\nawait tx.skill.update({});\nthis.prisma.$queryRaw`SELECT * FROM \"analytics_events\" JOIN \"Skill\"`;\nfoo.bar.findMany()");
        assert_eq!(
            used.into_iter().collect::<Vec<_>>(),
            ["AnalyticsEvent", "Skill"]
        );
    }
}
