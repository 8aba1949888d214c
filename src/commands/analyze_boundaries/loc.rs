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
/// ASCII, so only bytes that can start one are looked at twice.
#[must_use]
#[allow(clippy::too_many_lines)] // one state machine, kept whole for speed and for reading
pub fn count(text: &str, language: Language) -> LineCounts {
    let syntax = language.syntax();
    let triggers = trigger_table(&syntax);
    let mut counts = LineCounts::default();
    let mut state = State::Code;
    let bytes = text.as_bytes();
    let mut lines = bytes.split(|&b| b == b'\n').peekable();
    while let Some(raw_line) = lines.next() {
        // `str::lines` semantics: a final empty piece after the last newline is no line.
        if raw_line.is_empty() && lines.peek().is_none() {
            break;
        }
        let line = raw_line.trim_ascii();
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
        let mut has_code = started_in_string;
        let mut has_comment = started_in_comment;
        let mut i = 0;
        'scan: while i < line.len() {
            let rest = &line[i..];
            match state {
                State::Block(open, close, depth) => {
                    // First bytes are compared inline: a slice compare per byte would cost a call.
                    if rest[0] == close.as_bytes()[0] && rest.starts_with(close.as_bytes()) {
                        state = if depth > 1 {
                            State::Block(open, close, depth - 1)
                        } else {
                            State::Code
                        };
                        i += close.len();
                    } else if syntax.nested
                        && rest[0] == open.as_bytes()[0]
                        && rest.starts_with(open.as_bytes())
                    {
                        state = State::Block(open, close, depth + 1);
                        i += open.len();
                    } else {
                        i += 1;
                    }
                }
                State::Str(close, escapes) => {
                    has_code = true;
                    if escapes && rest[0] == b'\\' {
                        i += 2;
                    } else if rest[0] == close.as_bytes()[0] && rest.starts_with(close.as_bytes()) {
                        state = State::Code;
                        i += close.len();
                    } else {
                        i += 1;
                    }
                }
                State::Code => {
                    if !triggers[usize::from(rest[0])] {
                        has_code = true;
                        i += 1;
                        continue;
                    }
                    if syntax.line.iter().any(|m| rest.starts_with(m.as_bytes())) {
                        has_comment = true;
                        break 'scan;
                    }
                    if let Some((open, close)) = syntax
                        .block
                        .iter()
                        .find(|(open, _)| rest.starts_with(open.as_bytes()))
                    {
                        has_comment = true;
                        state = State::Block(open, close, 1);
                        i += open.len();
                        continue;
                    }
                    if let Some((open, close)) = syntax
                        .verbatim
                        .iter()
                        .find(|(open, _)| rest.starts_with(open.as_bytes()))
                    {
                        has_code = true;
                        state = State::Str(close, false);
                        i += open.len();
                        continue;
                    }
                    if let Some((open, close)) = syntax
                        .quotes
                        .iter()
                        .find(|(open, _)| rest.starts_with(open.as_bytes()))
                    {
                        has_code = true;
                        state = State::Str(close, true);
                        i += open.len();
                        continue;
                    }
                    has_code = true;
                    i += 1;
                }
            }
        }
        if has_code || !has_comment {
            counts.code += 1;
        } else {
            counts.comment += 1;
        }
    }
    counts
}

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
    let head_end = text.char_indices().nth(400).map_or(text.len(), |(i, _)| i);
    let head = text[..head_end].to_ascii_lowercase();
    if head.contains("@generated") || head.contains("do not edit") && head.contains("generated") {
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
