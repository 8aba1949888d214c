//! Code, comment and blank lines per language, counted the way tokei counts
//! them: a line with any code is code, a line with only comments is comment,
//! a line of whitespace is blank; comment markers inside strings are not
//! comments, and lines inside a multi-line string are code. Pure.

use serde::Serialize;

/// The languages skillsctl measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Language {
    TypeScript,
    Tsx,
    JavaScript,
    Jsx,
    Rust,
    Sql,
    Prisma,
    Css,
    Scss,
}

impl Language {
    /// From a file name; `None` for files that are not measured.
    #[must_use]
    pub fn of(path: &str) -> Option<Self> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name.ends_with(".d.ts") {
            return Some(Language::TypeScript);
        }
        let ext = name.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "js" | "mjs" | "cjs" => Language::JavaScript,
            "jsx" => Language::Jsx,
            "rs" => Language::Rust,
            "sql" => Language::Sql,
            "prisma" => Language::Prisma,
            "css" => Language::Css,
            "scss" => Language::Scss,
            _ => return None,
        })
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Language::TypeScript => "TypeScript",
            Language::Tsx => "TSX",
            Language::JavaScript => "JavaScript",
            Language::Jsx => "JSX",
            Language::Rust => "Rust",
            Language::Sql => "SQL",
            Language::Prisma => "Prisma",
            Language::Css => "CSS",
            Language::Scss => "Sass",
        }
    }

    /// Whether oxc parses it for imports.
    #[must_use]
    pub fn is_script(self) -> bool {
        matches!(
            self,
            Language::TypeScript | Language::Tsx | Language::JavaScript | Language::Jsx
        )
    }

    fn syntax(self) -> Syntax {
        const C_LIKE_QUOTES: &[(&str, &str)] = &[("\"", "\""), ("'", "'"), ("`", "`")];
        match self {
            Language::TypeScript | Language::Tsx | Language::JavaScript | Language::Jsx => Syntax {
                line: &["//"],
                block: &[("/*", "*/")],
                nested: false,
                quotes: C_LIKE_QUOTES,
                verbatim: &[],
            },
            Language::Rust => Syntax {
                line: &["//"],
                block: &[("/*", "*/")],
                nested: true,
                quotes: &[("\"", "\"")],
                verbatim: &[("r#\"", "\"#"), ("r\"", "\"")],
            },
            Language::Sql => Syntax {
                line: &["--"],
                block: &[("/*", "*/")],
                nested: false,
                quotes: &[("'", "'")],
                verbatim: &[],
            },
            Language::Prisma => Syntax {
                line: &["//"],
                block: &[],
                nested: false,
                quotes: &[("\"", "\"")],
                verbatim: &[],
            },
            Language::Css => Syntax {
                line: &[],
                block: &[("/*", "*/")],
                nested: false,
                quotes: &[("\"", "\""), ("'", "'")],
                verbatim: &[],
            },
            Language::Scss => Syntax {
                line: &["//"],
                block: &[("/*", "*/")],
                nested: false,
                quotes: &[("\"", "\""), ("'", "'")],
                verbatim: &[],
            },
        }
    }
}

struct Syntax {
    line: &'static [&'static str],
    block: &'static [(&'static str, &'static str)],
    nested: bool,
    quotes: &'static [(&'static str, &'static str)],
    /// Strings without escapes (Rust raw strings).
    verbatim: &'static [(&'static str, &'static str)],
}

/// Line counts of one file or a sum of files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LineCounts {
    pub code: u64,
    pub comment: u64,
    pub blank: u64,
}

impl LineCounts {
    pub fn add(&mut self, other: LineCounts) {
        self.code += other.code;
        self.comment += other.comment;
        self.blank += other.blank;
    }

    #[must_use]
    pub fn lines(self) -> u64 {
        self.code + self.comment + self.blank
    }
}

enum State {
    Code,
    /// Inside a block comment, with its closing marker and depth.
    Block(&'static str, &'static str, usize),
    /// Inside a string, with its closing marker and whether escapes count.
    Str(&'static str, bool),
}

/// Bytes that can start a marker in `Code` state; everything else is plain code.
fn trigger_table(syntax: &Syntax) -> [bool; 256] {
    let mut table = [false; 256];
    let firsts = syntax
        .line
        .iter()
        .chain(syntax.block.iter().map(|(open, _)| open))
        .chain(syntax.quotes.iter().map(|(open, _)| open))
        .chain(syntax.verbatim.iter().map(|(open, _)| open));
    for marker in firsts {
        table[usize::from(marker.as_bytes()[0])] = true;
    }
    table
}

/// Counts the lines of `text` in `language`. Works on bytes: every marker is
/// ASCII. Each state skips ahead to the next byte that can change it (a table
/// lookup in code, `memchr` inside strings and comments), so ordinary code is
/// read once at memory speed.
#[must_use]
pub fn count(text: &str, language: Language) -> LineCounts {
    let syntax = language.syntax();
    let triggers = trigger_table(&syntax);
    let mut counts = LineCounts::default();
    let mut state = State::Code;
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |at| start + at);
        let line = bytes[start..end].trim_ascii();
        start = end + 1;
        let started_in_string = matches!(state, State::Str(..));
        let started_in_comment = matches!(state, State::Block(..));
        if line.is_empty() {
            if started_in_string {
                counts.code += 1;
            } else if started_in_comment {
                counts.comment += 1;
            } else {
                counts.blank += 1;
            }
            continue;
        }
        let (has_code, has_comment) = scan_line(line, &syntax, &triggers, &mut state);
        if has_code || started_in_string || !(has_comment || started_in_comment) {
            counts.code += 1;
        } else {
            counts.comment += 1;
        }
    }
    counts
}

/// Scans one trimmed, non-empty line from `state`, leaving the state the line
/// ends in; says whether the line held code and whether it held a comment.
fn scan_line(
    line: &[u8],
    syntax: &Syntax,
    triggers: &[bool; 256],
    state: &mut State,
) -> (bool, bool) {
    let mut has_code = false;
    let mut has_comment = false;
    let mut i = 0;
    while i < line.len() {
        match *state {
            State::Block(open, close, depth) => {
                let (open_bytes, close_bytes) = (open.as_bytes(), close.as_bytes());
                let rest = &line[i..];
                let found = if syntax.nested {
                    memchr::memchr2(close_bytes[0], open_bytes[0], rest)
                } else {
                    memchr::memchr(close_bytes[0], rest)
                };
                let Some(at) = found else {
                    break;
                };
                let rest = &rest[at..];
                i += at;
                if rest.starts_with(close_bytes) {
                    *state = if depth > 1 {
                        State::Block(open, close, depth - 1)
                    } else {
                        State::Code
                    };
                    i += close_bytes.len();
                } else if syntax.nested && rest.starts_with(open_bytes) {
                    *state = State::Block(open, close, depth + 1);
                    i += open_bytes.len();
                } else {
                    i += 1;
                }
            }
            State::Str(close, escapes) => {
                has_code = true;
                let close_bytes = close.as_bytes();
                let rest = &line[i..];
                let found = if escapes {
                    memchr::memchr2(b'\\', close_bytes[0], rest)
                } else {
                    memchr::memchr(close_bytes[0], rest)
                };
                let Some(at) = found else {
                    break;
                };
                let rest = &rest[at..];
                i += at;
                if escapes && rest[0] == b'\\' {
                    i += 2;
                } else if rest.starts_with(close_bytes) {
                    *state = State::Code;
                    i += close_bytes.len();
                } else {
                    i += 1;
                }
            }
            State::Code => {
                let from = i;
                while i < line.len() && !triggers[usize::from(line[i])] {
                    i += 1;
                }
                if i > from {
                    has_code = true;
                }
                if i == line.len() {
                    break;
                }
                let rest = &line[i..];
                if syntax.line.iter().any(|m| rest.starts_with(m.as_bytes())) {
                    has_comment = true;
                    break;
                }
                if let Some((open, close)) = syntax
                    .block
                    .iter()
                    .find(|(open, _)| rest.starts_with(open.as_bytes()))
                {
                    has_comment = true;
                    *state = State::Block(open, close, 1);
                    i += open.len();
                } else if let Some((open, close)) = syntax
                    .verbatim
                    .iter()
                    .chain(syntax.quotes)
                    .find(|(open, _)| rest.starts_with(open.as_bytes()))
                {
                    has_code = true;
                    let escapes = !syntax.verbatim.iter().any(|(o, _)| o == open);
                    *state = State::Str(close, escapes);
                    i += open.len();
                } else {
                    has_code = true;
                    i += 1;
                }
            }
        }
    }
    (has_code, has_comment)
}

/// How much of a file's start is searched for a generator's banner.
const HEAD_BYTES: usize = 400;

/// Minified or generated files, which no one maintains by hand.
#[must_use]
pub fn is_generated(path: &str, text: &str, lines: u64) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.contains(".min.")
        || std::path::Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("map"))
        || name.contains(".generated.")
    {
        return true;
    }
    // Generator banners sit in the first lines: look at 400 bytes, lowercased
    // on the stack (this runs for every file).
    let head = &text.as_bytes()[..text.len().min(HEAD_BYTES)];
    let mut buffer = [0u8; HEAD_BYTES];
    let lower = &mut buffer[..head.len()];
    lower.copy_from_slice(head);
    lower.make_ascii_lowercase();
    let has = |needle: &str| memchr::memmem::find(lower, needle.as_bytes()).is_some();
    if has("@generated") || has("do not edit") && has("generated") {
        return true;
    }
    // Minified: very long lines on average.
    text.len() as u64 / lines.max(1) > 500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typescript_lines() {
        let text = "// header\nimport x from './x'; // trailing\n\n/* block\n   still */\nconst s = \"// not a comment\";\nconst t = `line one\n\nline three`;\n/* a */ const y = 1;\n";
        assert_eq!(
            count(text, Language::TypeScript),
            LineCounts {
                code: 6,
                comment: 3,
                blank: 1
            }
        );
    }

    #[test]
    fn rust_nested_comments_and_raw_strings() {
        let text = "/* outer /* inner */ still comment */\nfn main() {\n    let s = r#\"/* not \"a\" comment */\"#;\n}\n";
        assert_eq!(
            count(text, Language::Rust),
            LineCounts {
                code: 3,
                comment: 1,
                blank: 0
            }
        );
    }

    #[test]
    fn sql_and_css() {
        assert_eq!(
            count("-- c\nSELECT '--x';\n\n/* b */\n", Language::Sql),
            LineCounts {
                code: 1,
                comment: 2,
                blank: 1
            }
        );
        assert_eq!(
            count("a { color: red; }\n/* c */\n", Language::Css),
            LineCounts {
                code: 1,
                comment: 1,
                blank: 0
            }
        );
    }

    #[test]
    fn minified_files_are_generated() {
        assert!(is_generated("vendor/chart.min.js", "x", 1));
        assert!(is_generated("a.js", &"x".repeat(5000), 1));
        assert!(!is_generated("a.ts", "const a = 1;\n", 1));
    }
}
