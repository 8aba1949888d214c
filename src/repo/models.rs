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

/// The Prisma Client's query methods.
const QUERY_METHODS: &str = "findMany|findUnique|findUniqueOrThrow|findFirst|findFirstOrThrow|create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany|count|aggregate|groupBy";

/// The query methods, longest first so that the leftmost match is the whole
/// name (`createMany`, not `create`): a literal set, which the regex engine
/// searches for with SIMD.
static METHOD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    let mut methods: Vec<&str> = QUERY_METHODS.split('|').collect();
    methods.sort_by_key(|m| std::cmp::Reverse(m.len()));
    regex::Regex::new(&methods.join("|")).expect("valid regex")
});

/// The client name of a call `.<name> . <method> (` (or `<` for a type
/// argument) whose method spans `start..end` in `text`; `None` when the
/// method is part of a longer name or not such a call. Spaces are ASCII.
fn client_name_of_call(text: &[u8], start: usize, end: usize) -> Option<&[u8]> {
    let is_ident = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let after = text[end..].iter().find(|b| !b.is_ascii_whitespace())?;
    if is_ident(&text.get(end).copied().unwrap_or(b' ')) || !matches!(after, b'(' | b'<') {
        return None;
    }
    let before = text[..start]
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())?;
    if text[before] != b'.' {
        return None;
    }
    let name_end = text[..before]
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())?
        + 1;
    let name_start = text[..name_end]
        .iter()
        .rposition(|b| !is_ident(b))
        .map_or(0, |at| at + 1);
    let name = &text[name_start..name_end];
    let starts_well = name
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
    (starts_well && name_start > 0 && text[name_start - 1] == b'.').then_some(name)
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
        self.resolve(&ModelRefs::of(text))
    }

    /// The models among what a file names.
    #[must_use]
    pub fn resolve(&self, refs: &ModelRefs) -> BTreeSet<String> {
        let clients = refs
            .clients
            .iter()
            .filter_map(|name| self.by_client_name.get(name.as_str()));
        let tables = refs
            .quoted
            .iter()
            .filter_map(|name| self.by_table.get(name.as_str()));
        clients.chain(tables).cloned().collect()
    }
}

/// What a file names that may be a model, read before the schema is known
/// (so the repository walk need not wait for it): the client names of its
/// query calls (`.<name>.<method>(`) and, when it runs raw SQL, its
/// double-quoted identifiers. Sorted, without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelRefs {
    clients: Vec<compact_str::CompactString>,
    quoted: Vec<compact_str::CompactString>,
}

impl ModelRefs {
    /// What `text` names.
    #[must_use]
    pub fn of(text: &str) -> Self {
        static QUOTED: OnceLock<regex::Regex> = OnceLock::new();
        let mut refs = ModelRefs::default();
        // `.<client name> . <method> (`, found from the method names: a
        // pattern that began with the client name had nothing rare to search
        // for, and looked at every `.` of every file.
        for method in METHOD.find_iter(text) {
            if let Some(name) = client_name_of_call(text.as_bytes(), method.start(), method.end())
                && let Ok(name) = std::str::from_utf8(name)
            {
                refs.clients.push(name.into());
            }
        }
        let raw_sql = RAW_SQL
            .iter()
            .any(|finder| finder.find(text.as_bytes()).is_some());
        if raw_sql {
            let quoted = QUOTED.get_or_init(|| {
                regex::Regex::new(r#""([A-Za-z_][A-Za-z0-9_]*)""#).expect("valid regex")
            });
            refs.quoted = quoted
                .captures_iter(text)
                .map(|caps| caps[1].into())
                .collect();
        }
        for names in [&mut refs.clients, &mut refs.quoted] {
            names.sort_unstable();
            names.dedup();
        }
        refs
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

    /// The search from the method names finds what the pattern for any
    /// identifier, checked against the client names afterwards, finds: names inside longer names,
    /// names that are prefixes of others, spacing, generics, chains.
    #[test]
    fn calls_found_from_the_method_names_match_the_pattern_for_any_identifier() {
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
            "user.count(); $skill.count(); .1skill.count(); .skill.xcount(); .skill..count(",
            "a.skill\t.\tgroupBy\n<T>(); .user.deleteMany(); .user.updateManyAndReturn ;",
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
