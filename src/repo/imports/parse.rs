//! Imports of TypeScript and JavaScript files, from a real parser (oxc):
//! static imports, `import type`, re-exports (`export … from`), dynamic
//! `import()` and CommonJS `require()`, each with its line and the byte span of
//! its specifier, so a rewrite can replace it in place. A file that does not
//! parse falls back to a regular-expression scan, and says so.

use std::sync::OnceLock;

use oxc_allocator::Allocator;
use oxc_ast::ast::{Argument, CallExpression, Expression};
use oxc_ast_visit::{Visit, walk};
use oxc_parser::Parser;
use oxc_span::SourceType;
use serde::Serialize;

use crate::text::LineIndex;

/// How one file refers to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    Static,
    TypeOnly,
    ReExport,
    Dynamic,
    Require,
}

impl EdgeKind {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            EdgeKind::Static => "static",
            EdgeKind::TypeOnly => "type-only",
            EdgeKind::ReExport => "re-export",
            EdgeKind::Dynamic => "dynamic",
            EdgeKind::Require => "require",
        }
    }
}

/// An import's specifier as written.
pub type Specifier = compact_str::CompactString;

/// Where a specifier's text is in its file: the bytes between the quotes,
/// so `text[start..end]` is the specifier and a rewrite replaces just that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// The span inside a string literal's quotes, from the literal's own span.
    #[must_use]
    pub fn inside_quotes(start: u32, end: u32) -> Self {
        Span {
            start: start + 1,
            end: end.saturating_sub(1).max(start + 1),
        }
    }

    #[must_use]
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One import as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawImport {
    /// Inline up to 24 bytes: most specifiers need no allocation of their own.
    pub specifier: Specifier,
    pub kind: EdgeKind,
    pub line: usize,
    /// The specifier's bytes in the file; `None` where there is no string to
    /// rewrite (Rust `use` paths).
    pub span: Option<Span>,
}

/// The imports of one file in line order, and whether the parser had to give up.
#[derive(Debug, Default)]
pub struct ParsedImports {
    pub imports: Vec<RawImport>,
    pub parse_failed: bool,
}

struct RequireFinder {
    /// Specifier and its literal's span (quotes included).
    found: Vec<(String, oxc_span::Span)>,
}

impl<'a> Visit<'a> for RequireFinder {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if let Expression::Identifier(callee) = &it.callee
            && callee.name == "require"
            && let Some(Argument::StringLiteral(literal)) = it.arguments.first()
        {
            self.found.push((literal.value.to_string(), literal.span));
        }
        walk::walk_call_expression(self, it);
    }
}

/// The searcher for `require`, built once: building one per file costs more
/// than many searches.
static REQUIRE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("require"));

/// Parses `text` (the file at `path`) and lists its imports. `allocator` is
/// reused between files of one thread and reset here.
///
/// Only the file's import section is parsed: the text up to the end of the
/// line of its last `import`, `require` or `from "…"` ([`import_section_end`]),
/// since no import can stand in text without one of those words. That is a
/// sixth of a real monorepo's bytes. When the section does not parse on its
/// own (the cut fell inside a function that calls `import()`), it is tried up
/// to the end of that top-level block ([`statement_end`]), then as the whole
/// file; when that fails too, a regular-expression scan finds the imports and
/// the file is listed. A syntax error after the last import changes no
/// import, so it is not looked for.
pub fn parse(path: &str, text: &str, allocator: &mut Allocator) -> ParsedImports {
    let section = import_section_end(text.as_bytes());
    // Each cut is found only when the one before it did not parse.
    let cuts = std::iter::once(Some(section).filter(|&end| end < text.len()))
        .chain(std::iter::once_with(|| {
            statement_end(text.as_bytes(), section)
        }))
        .chain(std::iter::once(Some(text.len())))
        .flatten();
    for end in cuts {
        if let Some(imports) = parse_with_oxc(path, &text[..end], allocator) {
            return ParsedImports {
                imports,
                parse_failed: false,
            };
        }
    }
    ParsedImports {
        imports: regex_scan(text),
        parse_failed: true,
    }
}

/// Where the import section of a script ends: just past the newline that
/// ends the line of the last word that any import needs (`import` for static
/// and dynamic imports and `import x = require()`, `require` for CommonJS,
/// `from` before a string or a comment for re-exports), or 0 when there is
/// none. Words inside longer names (`importCsv`, `Array.from(`) do not count;
/// one in a string or a comment only makes the section longer.
#[must_use]
pub fn import_section_end(text: &[u8]) -> usize {
    let last = IMPORT_WORDS
        .iter()
        .filter_map(|finder| {
            let len = finder.needle().len();
            // Forward, where memchr's searcher is vectorised; its reverse
            // searcher is not and took longer than the parse it saves.
            let at = finder
                .find_iter(text)
                .filter(|&at| is_import_word(text, at, len))
                .last()?;
            Some((at, len))
        })
        .max();
    let Some((at, len)) = last else {
        return 0;
    };
    // A `from` ends its statement only once its string is read, and the
    // string may stand on a later line.
    let mut end = at + len;
    if len == 4 {
        while end < text.len() && text[end].is_ascii_whitespace() {
            end += 1;
        }
    }
    memchr::memchr(b'\n', &text[end..]).map_or(text.len(), |nl| end + nl + 1)
}

/// Just past the first line after `from` that starts with `}` or `)` (the
/// end of a top-level block or call, in formatted code), if it is not the
/// end of the text.
fn statement_end(text: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while at < text.len() {
        let line_end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |nl| at + nl + 1);
        if matches!(text[at], b'}' | b')') {
            return (line_end < text.len()).then_some(line_end);
        }
        at = line_end;
    }
    None
}

/// Whether the word found at `at` stands alone (no identifier byte either
/// side) and, for `from` (the only word of four bytes), is followed by a
/// string or a comment.
fn is_import_word(text: &[u8], at: usize, len: usize) -> bool {
    // Bytes of non-ASCII characters count as a boundary: one may be a space
    // (U+00A0), and a word too many only makes the section longer.
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let before = at.checked_sub(1).map(|i| text[i]);
    let after = text.get(at + len).copied();
    if before.is_some_and(is_ident) || after.is_some_and(is_ident) {
        return false;
    }
    if len != 4 {
        return true;
    }
    text[at + len..]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'"' | b'\'' | b'/'))
}

/// The words of [`import_section_end`].
static IMPORT_WORDS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
    std::sync::LazyLock::new(|| ["import", "require", "from"].map(memchr::memmem::Finder::new));

/// The imports oxc finds in `text`, or `None` when it does not parse.
fn parse_with_oxc(path: &str, text: &str, allocator: &mut Allocator) -> Option<Vec<RawImport>> {
    allocator.reset();
    let source_type = source_type_of(path);
    let ret = Parser::new(allocator, text, source_type)
        .with_options(oxc_parser::ParseOptions {
            // Only imports are read from the tree: no parenthesis nodes, and no
            // identifier hashes (those serve semantic analysis, which never runs).
            preserve_parens: false,
            enable_ident_hashes: false,
            ..oxc_parser::ParseOptions::default()
        })
        .parse();
    if ret.panicked || ret.diagnostics.has_errors() {
        return None;
    }
    // `line` holds the byte offset until the lines are counted below.
    let mut imports = Vec::with_capacity(
        ret.module_record.requested_modules.len() + ret.module_record.dynamic_imports.len(),
    );
    for (specifier, occurrences) in &ret.module_record.requested_modules {
        for occurrence in occurrences {
            let kind = if !occurrence.is_import {
                EdgeKind::ReExport
            } else if occurrence.is_type {
                EdgeKind::TypeOnly
            } else {
                EdgeKind::Static
            };
            imports.push(RawImport {
                specifier: Specifier::from(specifier.as_str()),
                kind,
                line: occurrence.span.start as usize,
                span: Some(Span::inside_quotes(
                    occurrence.span.start,
                    occurrence.span.end,
                )),
            });
        }
    }
    for dynamic in &ret.module_record.dynamic_imports {
        let request =
            &text[dynamic.module_request.start as usize..dynamic.module_request.end as usize];
        if let Some((specifier, start)) = string_literal(request) {
            let start = dynamic.module_request.start + start;
            let end = start + u32::try_from(specifier.len()).unwrap_or(u32::MAX);
            imports.push(RawImport {
                specifier: specifier.into(),
                kind: EdgeKind::Dynamic,
                line: dynamic.span.start as usize,
                span: Some(Span { start, end }),
            });
        }
    }
    // Walking the whole AST costs; most TypeScript has no require() at all.
    let mut finder = RequireFinder { found: Vec::new() };
    if REQUIRE.find(text.as_bytes()).is_some() {
        finder.visit_program(&ret.program);
    }
    for (specifier, span) in finder.found {
        imports.push(RawImport {
            specifier: specifier.into(),
            kind: EdgeKind::Require,
            line: span.start as usize,
            span: Some(Span::inside_quotes(span.start, span.end)),
        });
    }
    // Offsets to line numbers in one pass up to the last import, not one
    // count from the start per import.
    // Every import starts at its own offset: source order, whatever the sort.
    imports.sort_unstable_by_key(|import| import.line);
    let (mut line, mut counted) = (1, 0);
    for import in &mut imports {
        let offset = import.line.min(text.len());
        line += crate::repo::loc::count_newlines(&text.as_bytes()[counted..offset]);
        counted = offset;
        import.line = line;
    }
    Some(imports)
}

/// What oxc's `SourceType::from_path` makes of a file name (`.ts`, `.d.ts`,
/// `.tsx`, `.mts`, `.js`, …), from the `/`-separated path as it is: no path
/// parsing and no substring searcher per file.
fn source_type_of(path: &str) -> SourceType {
    let name = path.rsplit('/').next().unwrap_or(path);
    // A dot file (`.ts`) has no extension, as for `Path::extension`.
    let Some((stem, extension)) = name.rsplit_once('.').filter(|(stem, _)| !stem.is_empty()) else {
        return SourceType::default();
    };
    let Ok(source_type) = SourceType::from_extension(extension) else {
        return SourceType::default();
    };
    // `x.d.ts` and `x.d.css.ts` for `.ts`; `x.d.mts` and `x.d.cts` for those.
    let declaration = match extension {
        "ts" => name
            .as_bytes()
            .windows(3)
            .rposition(|w| w[0] == b'.' && w[1] == b'd' && w[2] == b'.')
            .is_some_and(|at| at != 0),
        // oxc compares case-sensitively too.
        #[allow(clippy::case_sensitive_file_extension_comparisons)]
        "mts" | "cts" => stem.len() > 2 && stem.ends_with(".d"),
        _ => false,
    };
    source_type.with_typescript_definition(declaration)
}

/// `'./x'`, `"./x"` or a template without `${` → `./x`, with the offset of
/// its first byte in `text`.
fn string_literal(text: &str) -> Option<(String, u32)> {
    let leading = text.len() - text.trim_start().len();
    let text = text.trim();
    let quote = text.chars().next()?;
    if !matches!(quote, '\'' | '"' | '`') || text.len() < 2 || !text.ends_with(quote) {
        return None;
    }
    let inner = &text[1..text.len() - 1];
    let start = u32::try_from(leading + 1).ok()?;
    (!inner.contains("${")).then(|| (inner.to_owned(), start))
}

/// The fallback for files oxc cannot parse.
fn regex_scan(text: &str) -> Vec<RawImport> {
    static PATTERN: OnceLock<regex::Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        regex::Regex::new(
            r#"(?m)^\s*import\s+type\s[^'"]*?from\s*['"](?P<type>[^'"]+)['"]|^\s*export\s[^'"]*?from\s*['"](?P<reexport>[^'"]+)['"]|^\s*import\s[^'"]*?from\s*['"](?P<from>[^'"]+)['"]|^\s*import\s*['"](?P<bare>[^'"]+)['"]|import\(\s*['"](?P<dynamic>[^'"]+)['"]\s*\)|require\(\s*['"](?P<require>[^'"]+)['"]\s*\)"#,
        )
        .expect("valid import regex")
    });
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    for caps in pattern.captures_iter(text) {
        let (name, kind) = [
            ("type", EdgeKind::TypeOnly),
            ("reexport", EdgeKind::ReExport),
            ("from", EdgeKind::Static),
            ("bare", EdgeKind::Static),
            ("dynamic", EdgeKind::Dynamic),
            ("require", EdgeKind::Require),
        ]
        .into_iter()
        .find(|(name, _)| caps.name(name).is_some())
        .unwrap_or(("from", EdgeKind::Static));
        if let Some(m) = caps.name(name) {
            out.push(RawImport {
                specifier: Specifier::from(m.as_str()),
                kind,
                line: index.line_col(text, m.start()).0,
                span: u32::try_from(m.start())
                    .ok()
                    .zip(u32::try_from(m.end()).ok())
                    .map(|(start, end)| Span { start, end }),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn source_types_match_oxcs_own_reading_of_the_path() {
        for name in [
            "a.ts",
            "a.d.ts",
            "a.d.css.ts",
            ".d.ts",
            "d.ts",
            "a.tsx",
            "a.mts",
            "a.d.mts",
            "a.cts",
            "a.d.cts",
            "x.d.cts",
            "a.js",
            "a.jsx",
            "a.mjs",
            "a.cjs",
            "a.json",
            "a",
            "dir/b.d.ts",
            "dir.d.x/b.ts",
            "dir/.ts",
        ] {
            let expected = SourceType::from_path(Path::new(name)).unwrap_or_default();
            assert_eq!(source_type_of(name), expected, "{name}");
        }
    }

    #[test]
    fn every_edge_kind_is_found() {
        let text = "import a from './a';\nimport type { B } from './b';\nexport { c } from './c';\nexport * from './d';\nconst e = await import('./e');\nconst f = require('./f');\nimport './g';\n";
        let mut allocator = Allocator::default();
        let parsed = parse("x.ts", text, &mut allocator);
        assert!(!parsed.parse_failed);
        let got: Vec<(&str, EdgeKind, usize)> = parsed
            .imports
            .iter()
            .map(|i| (i.specifier.as_str(), i.kind, i.line))
            .collect();
        assert_eq!(
            got,
            [
                ("./a", EdgeKind::Static, 1),
                ("./b", EdgeKind::TypeOnly, 2),
                ("./c", EdgeKind::ReExport, 3),
                ("./d", EdgeKind::ReExport, 4),
                ("./e", EdgeKind::Dynamic, 5),
                ("./f", EdgeKind::Require, 6),
                ("./g", EdgeKind::Static, 7),
            ]
        );
    }

    /// Each span covers exactly the specifier's text, for every kind, with
    /// other quotes, spacing and a template literal, so a rewrite in place
    /// leaves everything around it as it was.
    #[test]
    fn spans_cover_the_specifier_between_its_quotes() {
        let text = "import a from \"./a\"; // a\nexport * from '@x/b';\nconst e = await import( `./e` );\nconst f = require('./f');\nimport type { T } from '../t.js';\n";
        let mut allocator = Allocator::default();
        let parsed = parse("x.ts", text, &mut allocator);
        assert!(!parsed.parse_failed);
        for import in &parsed.imports {
            let span = import.span.expect("every script import has a span");
            assert_eq!(&text[span.range()], import.specifier.as_str(), "{import:?}");
        }
        assert_eq!(parsed.imports.len(), 5);
        // The regex fallback gives spans too.
        let broken = "import a from './a';\nconst = ;\nexport { b } from \"./b\";\n";
        let parsed = parse("y.ts", broken, &mut allocator);
        assert!(parsed.parse_failed);
        for import in &parsed.imports {
            let span = import.span.expect("span");
            assert_eq!(&broken[span.range()], import.specifier.as_str());
        }
        assert_eq!(parsed.imports.len(), 2);
    }

    #[test]
    fn unparsable_files_fall_back_to_a_scan() {
        let mut allocator = Allocator::default();
        let parsed = parse(
            "x.ts",
            "import a from './a';\nexport function (( {\nconst b = require(\"b\");\n",
            &mut allocator,
        );
        assert!(parsed.parse_failed);
        let specs: Vec<&str> = parsed
            .imports
            .iter()
            .map(|i| i.specifier.as_str())
            .collect();
        assert_eq!(specs, ["./a", "b"]);
    }

    /// The section ends on the line of the last word an import needs; words
    /// inside names, `from` not before a string, and words after the cut
    /// that are neither change nothing.
    #[test]
    fn the_import_section_ends_after_the_last_import_word() {
        let cases: [(&str, &str); 7] = [
            (
                "import a from './a';\nconst x = 1;\n",
                "import a from './a';\n",
            ),
            (
                "import {\n  a,\n} from\n  './a';\nexport const b = Array.from(c);\nimportCsv();\n",
                "import {\n  a,\n} from\n  './a';\n",
            ),
            (
                "const a = 1;\nexport * from \"./b\"; // end\nlet c;",
                "const a = 1;\nexport * from \"./b\"; // end\n",
            ),
            (
                "f();\nconst m = require('m')\n.default;\n",
                "f();\nconst m = require('m')\n",
            ),
            ("const x = y.from('z');\nreimport(); required();\n", ""),
            ("export const a = 1;", ""),
            ("let p = import('./p')", "let p = import('./p')"),
        ];
        for (text, section) in cases {
            assert_eq!(
                &text[..import_section_end(text.as_bytes())],
                section,
                "{text:?}"
            );
        }
    }

    /// A cut inside a function (a dynamic import in its body) does not parse
    /// on its own: the whole file is parsed, and every import is found. An
    /// error after the last import is not an import's concern.
    #[test]
    fn a_section_that_does_not_parse_alone_falls_back_to_the_whole_file() {
        let mut allocator = Allocator::default();
        let text = "import a from './a';\nexport function load() {\n  return import('./b')\n    .then((m) => m.default);\n}\nexport const c = 1;\n";
        let parsed = parse("x.ts", text, &mut allocator);
        assert!(!parsed.parse_failed);
        let got: Vec<(&str, usize)> = parsed
            .imports
            .iter()
            .map(|i| (i.specifier.as_str(), i.line))
            .collect();
        assert_eq!(got, [("./a", 1), ("./b", 3)]);
        // The cut falls inside a template literal that no line closes: only
        // the whole file parses, and the `import(` in the string is no import.
        let template =
            "import a from './a';\nconst s = `\n} import('./x')\n`;\nexport const c = 1;\n";
        let parsed = parse("t.ts", template, &mut allocator);
        assert!(!parsed.parse_failed);
        let got: Vec<&str> = parsed
            .imports
            .iter()
            .map(|i| i.specifier.as_str())
            .collect();
        assert_eq!(got, ["./a"]);
        let broken_after = "import a from './a';\nexport function (( {\n";
        let parsed = parse("y.ts", broken_after, &mut allocator);
        assert!(!parsed.parse_failed);
        assert_eq!(parsed.imports.len(), 1);
    }
}
