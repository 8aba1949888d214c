use super::*;

fn import(specifier: &str, start: u32, target: Option<&str>) -> Import {
    Import {
        specifier: specifier.to_owned(),
        kind: EdgeKind::Static,
        line: 1,
        span: Some(Span {
            start,
            end: start + u32::try_from(specifier.len()).unwrap(),
        }),
        target: target.map(str::to_owned),
        package: None,
    }
}

fn moved() -> BTreeMap<String, String> {
    [
        (
            "core/src/services/ai/index.ts",
            "packages/ai/src/services/ai/index.ts",
        ),
        (
            "core/src/services/ai/config.ts",
            "packages/ai/src/services/ai/config.ts",
        ),
        (
            "core/src/services/ai/p/openai.ts",
            "packages/ai/src/services/ai/p/openai.ts",
        ),
        (
            "app/src/api/rec/route.ts",
            "packages/ai/src/services/rec/route.ts",
        ),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect()
}

const PACKAGE: NewPackage<'static> = NewPackage {
    name: "@s/ai",
    src: "packages/ai/src",
};

#[test]
fn relative_paths_between_files() {
    assert_eq!(relative("a/b/c.ts", "a/b/d"), "./d");
    assert_eq!(relative("a/b/c.ts", "a/x/d.ts"), "../x/d.ts");
    assert_eq!(relative("a/b/c.ts", "a/b"), ".");
    assert_eq!(relative("a/b/c.ts", "a"), "..");
    assert_eq!(relative("a/b/c.ts", "q"), "../../q");
}

#[test]
fn every_kind_of_import_is_rewritten_to_where_its_file_went() {
    let files = vec![
        FileImports {
            path: "core/src/services/ai/p/openai.ts".into(),
            imports: vec![
                import("../config", 10, Some("core/src/services/ai/config.ts")),
                import("../../../lib/cache", 40, Some("core/src/lib/cache.ts")),
                import("@s/core/lib/db", 70, Some("core/src/lib/db.ts")),
            ],
        },
        FileImports {
            path: "app/src/api/rec/route.ts".into(),
            imports: vec![import(
                "@s/core/services/ai",
                5,
                Some("core/src/services/ai/index.ts"),
            )],
        },
        FileImports {
            path: "core/src/jobs/job.ts".into(),
            imports: vec![
                import("../services/ai", 3, Some("core/src/services/ai/index.ts")),
                import(
                    "../services/ai/config.js",
                    30,
                    Some("core/src/services/ai/config.ts"),
                ),
                import("../lib/cache", 60, Some("core/src/lib/cache.ts")),
            ],
        },
    ];
    let plan = plan(&files, &moved(), &PACKAGE);
    let edits = |path: &str| -> Vec<&str> {
        plan.edits
            .get(path)
            .map(|e| e.iter().map(|(_, s)| s.as_str()).collect())
            .unwrap_or_default()
    };
    // Inside the moved code: relative between the new places (also for the alias).
    assert_eq!(edits("app/src/api/rec/route.ts"), ["../ai"]);
    // Moved code → monolith: the relative path still reaches the same file; the alias stays.
    assert_eq!(
        edits("core/src/services/ai/p/openai.ts"),
        ["../../../../../../core/src/lib/cache"]
    );
    assert_eq!(plan.outgoing.len(), 2);
    assert_eq!(plan.outgoing[1].rewritten, "@s/core/lib/db");
    // Monolith → moved code: the new package's name, written as before.
    assert_eq!(
        edits("core/src/jobs/job.ts"),
        ["@s/ai/services/ai", "@s/ai/services/ai/config.js"]
    );
    assert_eq!(plan.incoming.len(), 2);
    assert_eq!(plan.incoming[0].file, "core/src/jobs/job.ts");
    assert_eq!(plan.internal_rewrites, 2);
}

#[test]
fn edits_replace_just_the_spans() {
    let text = "import { a } from \"./x\"; // keep\nconst b = require('./y');\n";
    let edits = vec![
        (Span { start: 19, end: 22 }, "../z/x".to_owned()),
        (Span { start: 52, end: 55 }, "@s/ai/y".to_owned()),
    ];
    assert_eq!(
        apply_edits(text, &edits),
        "import { a } from \"../z/x\"; // keep\nconst b = require('@s/ai/y');\n"
    );
}
