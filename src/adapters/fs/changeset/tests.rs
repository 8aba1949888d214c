//! The change set on real temp trees: planning, preview, diffs, stale files,
//! dry-run, and failures injected at every step of an apply.

use super::*;

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

/// Every file under `root` with its text, and every folder.
fn snapshot(root: &Path) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for entry in ignore::WalkBuilder::new(root).hidden(false).build() {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap()
            .display()
            .to_string();
        let text = entry
            .file_type()
            .is_some_and(|t| t.is_file())
            .then(|| std::fs::read_to_string(entry.path()).unwrap());
        out.push((rel, text));
    }
    out.sort();
    out
}

fn sample() -> (tempfile::TempDir, ChangeSet) {
    let dir = tree(&[
        ("src/ai/model.ts", "export const model = 1;\n"),
        ("src/app.ts", "import { model } from './ai/model';\n"),
        ("old.txt", "bye\n"),
        ("empty/.keep", ""),
    ]);
    let mut set = ChangeSet::new(dir.path());
    set.create("packages/ai/package.json", "{}\n").unwrap();
    set.rename(
        "src/ai/model.ts",
        "packages/ai/src/model.ts",
        Some(b"export const model = 2;\n".to_vec()),
    )
    .unwrap();
    set.replace("src/app.ts", "import { model } from '@x/ai';\n")
        .unwrap();
    set.delete("old.txt").unwrap();
    (dir, set)
}

#[test]
fn preview_names_each_change_once() {
    let (_dir, set) = sample();
    let lines: Vec<String> = set
        .preview()
        .iter()
        .map(|p| match &p.from {
            Some(from) => format!("{} {from} -> {}", p.action.label(), p.path),
            None => format!("{} {}", p.action.label(), p.path),
        })
        .collect();
    assert_eq!(
        lines,
        [
            "DELETE old.txt",
            "CREATE packages/ai/package.json",
            "MOVE src/ai/model.ts -> packages/ai/src/model.ts",
            "UPDATE src/app.ts",
        ]
    );
}

#[test]
fn reads_see_the_planned_tree() {
    let (_dir, mut set) = sample();
    assert_eq!(set.read("src/ai/model.ts").unwrap(), None);
    assert_eq!(
        set.read("./packages/ai/src/../src/model.ts").unwrap(),
        Some(&b"export const model = 2;\n"[..])
    );
    assert!(!set.exists("old.txt").unwrap());
    assert!(matches!(
        set.create("src/app.ts", "x"),
        Err(ChangeError::Exists(_))
    ));
    assert!(matches!(
        set.delete("nope.ts"),
        Err(ChangeError::Missing(_))
    ));
    assert!(matches!(
        set.create("../escape.ts", "x"),
        Err(ChangeError::Outside(_))
    ));
    assert!(matches!(
        set.create("/etc/passwd", "x"),
        Err(ChangeError::Outside(_))
    ));
}

#[test]
fn diffs_are_unified_with_renames() {
    let (_dir, set) = sample();
    let diff = set.diff();
    assert!(
        diff.contains("--- /dev/null\n+++ b/packages/ai/package.json\n"),
        "{diff}"
    );
    assert!(
        diff.contains("--- a/src/ai/model.ts\n+++ b/packages/ai/src/model.ts\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-export const model = 1;\n+export const model = 2;\n"),
        "{diff}"
    );
    assert!(
        diff.contains("--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-import { model } from './ai/model';\n+import { model } from '@x/ai';\n")
    );
}

#[test]
fn apply_writes_everything() {
    let (dir, set) = sample();
    let applied = set.apply(&FileWriter::new(false)).unwrap();
    assert_eq!(applied.len(), 4);
    let root = dir.path();
    assert!(!root.join("old.txt").exists());
    assert!(!root.join("src/ai/model.ts").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("packages/ai/src/model.ts")).unwrap(),
        "export const model = 2;\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("src/app.ts")).unwrap(),
        "import { model } from '@x/ai';\n"
    );
    // No temp files are left behind.
    assert!(
        snapshot(root)
            .iter()
            .all(|(p, _)| !p.contains(".skillsctl-"))
    );
}

#[test]
fn dry_run_writes_nothing() {
    let (dir, set) = sample();
    let before = snapshot(dir.path());
    let planned = set.apply(&FileWriter::new(true)).unwrap();
    assert_eq!(planned, set.preview());
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_failure_at_any_step_leaves_the_tree_as_it_was() {
    let (dir, set) = sample();
    let before = snapshot(dir.path());
    let steps = set.steps().len();
    assert_eq!(steps, 5, "three writes and two removals");
    for failing in 0..steps {
        let err = set
            .apply_with(&FileWriter::new(false), &mut |index| {
                if index == failing {
                    Err(ChangeError::Conflict(format!("injected at {index}")))
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        match err {
            ChangeError::RolledBack { undone, .. } => assert_eq!(undone, failing),
            other => panic!("step {failing}: {other}"),
        }
        assert_eq!(
            snapshot(dir.path()),
            before,
            "after a failure at step {failing}"
        );
    }
}

#[test]
fn a_real_write_failure_rolls_back_too() {
    let (dir, mut set) = sample();
    let before = snapshot(dir.path());
    // A file where a folder must go: the write under it fails for real.
    // It sorts last, so three writes are made before it fails.
    std::fs::write(dir.path().join("zz-blocker"), "x").unwrap();
    set.create("zz-blocker/inside.ts", "x").unwrap();
    let with_blocker = snapshot(dir.path());
    let err = set.apply(&FileWriter::new(false)).unwrap_err();
    assert!(
        matches!(err, ChangeError::RolledBack { undone: 3, .. }),
        "{err}"
    );
    assert_eq!(snapshot(dir.path()), with_blocker);
    assert_ne!(before, with_blocker);
}

#[test]
fn a_file_changed_since_it_was_read_is_refused() {
    let (dir, set) = sample();
    std::fs::write(dir.path().join("src/app.ts"), "edited by a person\n").unwrap();
    let before = snapshot(dir.path());
    let err = set.apply(&FileWriter::new(false)).unwrap_err();
    assert!(
        matches!(&err, ChangeError::Stale(p) if p == "src/app.ts"),
        "{err}"
    );
    assert_eq!(snapshot(dir.path()), before);
    // A file that appeared where the plan creates one is stale too.
    let (dir, set) = sample();
    std::fs::create_dir_all(dir.path().join("packages/ai")).unwrap();
    std::fs::write(dir.path().join("packages/ai/package.json"), "{\"mine\":1}").unwrap();
    assert!(matches!(
        set.apply(&FileWriter::new(false)),
        Err(ChangeError::Stale(_))
    ));
}

#[test]
fn undo_keeps_folders_that_were_there_before() {
    let dir = tree(&[("empty/.keep", "")]);
    std::fs::remove_file(dir.path().join("empty/.keep")).unwrap();
    let mut set = ChangeSet::new(dir.path());
    set.create("empty/new/file.ts", "x").unwrap();
    set.create("z.ts", "x").unwrap();
    let err = set
        .apply_with(&FileWriter::new(false), &mut |i| {
            if i == 1 {
                Err(ChangeError::Conflict("x".into()))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
    assert!(matches!(err, ChangeError::RolledBack { undone: 1, .. }));
    assert!(
        dir.path().join("empty").is_dir(),
        "the folder that existed stays"
    );
    assert!(
        !dir.path().join("empty/new").exists(),
        "the folder the plan made goes"
    );
}

#[test]
fn moving_twice_is_one_move_and_back_is_nothing() {
    let dir = tree(&[("a.ts", "a\n")]);
    let mut set = ChangeSet::new(dir.path());
    set.rename("a.ts", "b.ts", None).unwrap();
    set.rename("b.ts", "c.ts", None).unwrap();
    let preview = set.preview();
    assert_eq!(preview.len(), 1);
    assert_eq!(
        (preview[0].action, preview[0].from.as_deref()),
        (Action::Move, Some("a.ts"))
    );
    assert_eq!(set.diff(), "rename a/a.ts => b/c.ts\n");
    set.rename("c.ts", "a.ts", None).unwrap();
    assert!(set.is_empty(), "{:?}", set.preview());
}
