//! Team and change coupling from one pass over the history: distinct
//! (mailmapped) authors per domain, and pairs of domains that change together.
//! Bots and commits touching more than `max_files` files are left out. Pure.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::adapters::git::CommitRecord;
use crate::repo::domains::DomainMap;

/// How the history is read.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    /// Name or e-mail substrings that mark a bot (case-insensitive).
    pub bot_patterns: Vec<String>,
    /// Commits touching more files than this are sweeping changes, not coupling.
    pub max_files: usize,
    /// Also count co-changes between folders (for `--suggest`).
    pub folder_coupling: bool,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        HistoryOptions {
            bot_patterns: [
                "[bot]",
                "dependabot",
                "renovate",
                "github-actions",
                "greenkeeper",
                "snyk-bot",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
            max_files: 30,
            folder_coupling: false,
        }
    }
}

/// What the history says.
#[derive(Debug, Clone, Default, Serialize)]
pub struct History {
    pub commits_read: usize,
    pub commits_used: usize,
    pub bot_commits: usize,
    pub large_commits: usize,
    /// Domain → distinct authors (e-mail after .mailmap → name).
    pub authors: BTreeMap<String, BTreeMap<String, String>>,
    /// Domain → commits that touched it.
    pub revisions: BTreeMap<String, usize>,
    /// (domain, domain) → commits that touched both.
    #[serde(skip)]
    pub shared: BTreeMap<(String, String), usize>,
    /// The window's end: the newest commit's time.
    #[serde(skip)]
    pub window_end_unix: Option<i64>,
    /// Where the commits came from: `git` or the saved log's path.
    #[serde(skip)]
    pub source: String,
    /// With `folder_coupling`: (folder, folder) → co-change weight, each
    /// commit adding 1/(k−1) to each pair of the k folders it touched.
    #[serde(skip)]
    pub folder_pairs: BTreeMap<(String, String), f64>,
}

/// `2026-08-30` for a Unix time.
#[must_use]
pub fn date_of(unix: i64) -> String {
    let time =
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(u64::try_from(unix).unwrap_or(0));
    humantime::format_rfc3339_seconds(time).to_string()[..10].to_owned()
}

/// Two domains that change together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coupling {
    pub a: String,
    pub b: String,
    /// Commits that touched both.
    pub shared_commits: usize,
    /// Shared commits over the average revisions of the two, in percent (code-maat's degree).
    pub degree: f64,
}

impl History {
    /// Adds one commit.
    pub fn add(&mut self, commit: &CommitRecord, domains: &DomainMap, options: &HistoryOptions) {
        self.commits_read += 1;
        let who = format!("{} {}", commit.author_name, commit.author_email).to_lowercase();
        if options
            .bot_patterns
            .iter()
            .any(|p| who.contains(&p.to_lowercase()))
        {
            self.bot_commits += 1;
            return;
        }
        if commit.files.len() > options.max_files {
            self.large_commits += 1;
            return;
        }
        let touched: BTreeSet<&str> = commit
            .files
            .iter()
            .filter_map(|f| domains.domain_of(f))
            .collect();
        if touched.is_empty() {
            return;
        }
        self.commits_used += 1;
        for domain in &touched {
            // A saved log may name authors without e-mail: then the name is who.
            let who = if commit.author_email.is_empty() {
                &commit.author_name
            } else {
                &commit.author_email
            };
            self.authors
                .entry((*domain).to_owned())
                .or_default()
                .insert(who.to_lowercase(), commit.author_name.clone());
            *self.revisions.entry((*domain).to_owned()).or_default() += 1;
        }
        if options.folder_coupling {
            self.add_folder_pairs(commit);
        }
        let list: Vec<&str> = touched.into_iter().collect();
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                *self
                    .shared
                    .entry(((*a).to_owned(), (*b).to_owned()))
                    .or_default() += 1;
            }
        }
    }

    /// A commit's folders, pairwise: a commit touching k folders gives each
    /// pair 1/(k−1), so one commit weighs at most 1 on any folder.
    fn add_folder_pairs(&mut self, commit: &CommitRecord) {
        let folders: BTreeSet<&str> = commit
            .files
            .iter()
            .map(|f| f.rsplit_once('/').map_or("", |(folder, _)| folder))
            .collect();
        if folders.len() < 2 {
            return;
        }
        #[allow(clippy::cast_precision_loss)] // at most max_files folders
        let weight = 1.0 / (folders.len() - 1) as f64;
        let list: Vec<&str> = folders.into_iter().collect();
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                *self
                    .folder_pairs
                    .entry(((*a).to_owned(), (*b).to_owned()))
                    .or_default() += weight;
            }
        }
    }

    /// Pairs with at least `min_shared` shared commits and `min_degree` percent.
    #[must_use]
    pub fn couplings(&self, min_shared: usize, min_degree: f64) -> Vec<Coupling> {
        let mut out: Vec<Coupling> = self
            .shared
            .iter()
            .filter_map(|((a, b), &shared)| {
                let revs_a = self.revisions.get(a).copied().unwrap_or(0);
                let revs_b = self.revisions.get(b).copied().unwrap_or(0);
                #[allow(clippy::cast_precision_loss)] // commit counts are far below 2^52
                let degree = shared as f64 / ((revs_a + revs_b) as f64 / 2.0) * 100.0;
                (shared >= min_shared && degree >= min_degree).then(|| Coupling {
                    a: a.clone(),
                    b: b.clone(),
                    shared_commits: shared,
                    degree: (degree * 10.0).round() / 10.0,
                })
            })
            .collect();
        out.sort_by(|x, y| {
            y.shared_commits
                .cmp(&x.shared_commits)
                .then_with(|| x.a.cmp(&y.a))
                .then_with(|| x.b.cmp(&y.b))
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(files: &[&str]) -> CommitRecord {
        CommitRecord {
            author_name: "Ann".into(),
            author_email: "ann@example.com".into(),
            unix_time: 0,
            files: files.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    #[test]
    fn folder_pairs_weigh_each_commit_at_most_one_per_folder() {
        let mut domains = BTreeMap::new();
        domains.insert("all".to_owned(), vec!["src".to_owned()]);
        let map = DomainMap::new(&domains).unwrap();
        let options = HistoryOptions {
            folder_coupling: true,
            ..HistoryOptions::default()
        };
        let mut history = History::default();
        history.add(
            &commit(&["src/a/x.ts", "src/b/y.ts", "src/c/z.ts", "src/a/w.ts"]),
            &map,
            &options,
        );
        history.add(&commit(&["src/a/x.ts", "src/b/y.ts"]), &map, &options);
        history.add(&commit(&["src/a/x.ts", "src/a/v.ts"]), &map, &options);
        let pair = |a: &str, b: &str| history.folder_pairs[&(a.to_owned(), b.to_owned())];
        // Three folders: 1/2 a pair; then a–b once more, 1; one folder: nothing.
        assert!((pair("src/a", "src/b") - 1.5).abs() < 1e-12);
        assert!((pair("src/a", "src/c") - 0.5).abs() < 1e-12);
        assert!((pair("src/b", "src/c") - 0.5).abs() < 1e-12);
        assert_eq!(history.folder_pairs.len(), 3);

        let mut without = History::default();
        without.add(
            &commit(&["src/a/x.ts", "src/b/y.ts"]),
            &map,
            &HistoryOptions::default(),
        );
        assert!(without.folder_pairs.is_empty());
    }
}
