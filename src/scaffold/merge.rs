//! `extract-service --update`: a newer template merged into a generated
//! package, as copier does: the base is what the old template rendered
//! (kept in the package), ours is the file on disk, theirs is what the new
//! template renders. Both sides' changes survive; where they touch the same
//! lines the file gets conflict markers and the report names it, so nothing
//! is overwritten silently.

use std::collections::BTreeMap;

/// What `--update` does to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Write these bytes (a merge without conflicts, or a new template file).
    Write(Vec<u8>),
    /// Write these bytes, which hold conflict markers.
    Conflict(Vec<u8>),
    /// The template dropped a file nobody edited.
    Delete,
    /// Nothing to do (unchanged, deleted locally, or edited locally and dropped by the template).
    Keep(&'static str),
}

/// The step for each path of base, ours and theirs (`None`: absent).
#[must_use]
pub fn plan(
    base: &BTreeMap<String, Vec<u8>>,
    ours: &BTreeMap<String, Option<Vec<u8>>>,
    theirs: &BTreeMap<String, Vec<u8>>,
) -> BTreeMap<String, Step> {
    let mut paths: Vec<&String> = base.keys().chain(theirs.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .map(|path| {
            let disk = ours.get(path).cloned().flatten();
            let step = one(base.get(path), disk.as_deref(), theirs.get(path));
            (path.clone(), step)
        })
        .collect()
}

fn one(base: Option<&Vec<u8>>, ours: Option<&[u8]>, theirs: Option<&Vec<u8>>) -> Step {
    match (base, ours, theirs) {
        (_, None, Some(t)) if base.is_none() => Step::Write(t.clone()),
        (Some(_), None, _) => Step::Keep("deleted locally"),
        (Some(b), Some(o), None) if b.as_slice() == o => Step::Delete,
        (Some(_), Some(_), None) => Step::Keep("edited locally; the template dropped it"),
        (base, Some(o), Some(t)) => {
            if o == t.as_slice() {
                return Step::Keep("unchanged");
            }
            let b = base.map_or(&[][..], Vec::as_slice);
            match diffy::merge_bytes(b, o, t) {
                Ok(merged) if merged == o => Step::Keep("unchanged"),
                Ok(merged) => Step::Write(merged),
                Err(conflicted) => Step::Conflict(conflicted),
            }
        }
        _ => Step::Keep("unchanged"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn local_edits_and_template_changes_both_survive_and_clashes_are_marked() {
        let base = map(&[
            ("a.ts", "one\ntwo\nthree\nfour\n"),
            ("b.ts", "x\n"),
            ("gone.ts", "old\n"),
        ]);
        let ours: BTreeMap<String, Option<Vec<u8>>> = [
            ("a.ts", Some("ONE\ntwo\nthree\nfour\n")),
            ("b.ts", Some("mine\n")),
            ("gone.ts", Some("old\n")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.map(|v| v.as_bytes().to_vec())))
        .collect();
        let theirs = map(&[
            ("a.ts", "one\ntwo\nthree\nFOUR\n"),
            ("b.ts", "theirs\n"),
            ("new.ts", "fresh\n"),
        ]);
        let steps = plan(&base, &ours, &theirs);
        assert_eq!(
            steps["a.ts"],
            Step::Write(b"ONE\ntwo\nthree\nFOUR\n".to_vec())
        );
        let Step::Conflict(text) = &steps["b.ts"] else {
            panic!("{:?}", steps["b.ts"])
        };
        let text = String::from_utf8_lossy(text);
        assert!(
            text.contains("<<<<<<<") && text.contains("mine") && text.contains("theirs"),
            "{text}"
        );
        assert_eq!(steps["gone.ts"], Step::Delete);
        assert_eq!(steps["new.ts"], Step::Write(b"fresh\n".to_vec()));
    }
}
