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
    /// `.<client name>.<query method>(`, for this schema's client names.
    call: Option<regex::Regex>,
}

/// The Prisma Client's query methods.
const QUERY_METHODS: &str = "findMany|findUnique|findUniqueOrThrow|findFirst|findFirstOrThrow|create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany|count|aggregate|groupBy";

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
        models.call = models.call_pattern();
        models
    }

    /// The client names as literals in one pattern: the regex engine then
    /// skips, with a vectorised literal search, every file that names none of
    /// them, where a pattern for any identifier had to look at every `.`.
    /// Each name must be a whole identifier (a `.` must follow it), as before.
    fn call_pattern(&self) -> Option<regex::Regex> {
        let names: Vec<String> = self
            .by_client_name
            .keys()
            .filter(|name| {
                name.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
            .map(|name| regex::escape(name))
            .collect();
        if names.is_empty() {
            return None;
        }
        let pattern = format!(r"\.({})\s*\.\s*({QUERY_METHODS})\s*[(<]", names.join("|"));
        // Only an absurd schema makes a pattern over the size limit; its
        // models are then not looked for in client calls.
        regex::Regex::new(&pattern).ok()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_client_name.is_empty()
    }

    /// The models a source file uses.
    #[must_use]
    pub fn used_in(&self, text: &str) -> BTreeSet<String> {
        static QUOTED: OnceLock<regex::Regex> = OnceLock::new();
        let mut used = BTreeSet::new();
        if let Some(call) = &self.call {
            for caps in call.captures_iter(text) {
                if let Some(model) = self.by_client_name.get(&caps[1]) {
                    used.insert(model.clone());
                }
            }
        }
        let raw_sql = RAW_SQL
            .iter()
            .any(|finder| finder.find(text.as_bytes()).is_some());
        if raw_sql {
            let quoted = QUOTED.get_or_init(|| {
                regex::Regex::new(r#""([A-Za-z_][A-Za-z0-9_]*)""#).expect("valid regex")
            });
            for caps in quoted.captures_iter(text) {
                if let Some(model) = self.by_table.get(&caps[1]) {
                    used.insert(model.clone());
                }
            }
        }
        used
    }
}

/// The raw-SQL methods of the Prisma Client, whose quoted names are tables.
static RAW_SQL: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 2]> =
    std::sync::LazyLock::new(|| ["$queryRaw", "$executeRaw"].map(memchr::memmem::Finder::new));

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

    /// The literal pattern finds what a pattern for any identifier, checked
    /// against the client names afterwards, finds: names inside longer names,
    /// names that are prefixes of others, spacing, generics, chains.
    #[test]
    fn client_names_as_literals_find_what_any_identifier_found() {
        let schema = "model Skill {}\nmodel Skills {}\nmodel User {}\nmodel A_b {}\n".to_owned();
        let models = Models::from_schema(&[schema]);
        let generic = regex::Regex::new(&format!(
            r"\.([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*({QUERY_METHODS})\s*[(<]"
        ))
        .unwrap();
        for text in [
            "db.skillSet.findMany(); db.skills.findMany();",
            "db.skill .\n findFirst <T>(); x.user.count(); x.users.count();",
            "a.b.skill.createManyAndReturn(); a.skill.createMany(); a.skill.create ();",
            "x.Skill.findMany(); x.a_b.upsert(); x.skill.findManyX(); x.skill$.count();",
            ".user.update.skill.delete(",
        ] {
            let expected: BTreeSet<String> = generic
                .captures_iter(text)
                .filter_map(|caps| models.by_client_name.get(&caps[1]).cloned())
                .collect();
            assert_eq!(models.used_in(text), expected, "{text}");
        }
        assert_eq!(
            models
                .used_in("db.skills.findMany(); x.a_b.upsert();")
                .into_iter()
                .collect::<Vec<_>>(),
            ["A_b", "Skills"]
        );
    }
}
