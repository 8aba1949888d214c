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

/// What a byte means to the `Code` state.
const PLAIN: u8 = 0;
const SPACE: u8 = 1;
const NEWLINE: u8 = 2;
/// Can start a comment or string marker.
const TRIGGER: u8 = 3;

/// The class of every byte in `Code` state. Spaces are those `trim_ascii`
/// removes (the newline has its own class).
fn byte_classes(syntax: &Syntax) -> [u8; 256] {
    let mut table = [PLAIN; 256];
    for space in [b' ', b'\t', b'\r', b'\x0c'] {
        table[usize::from(space)] = SPACE;
    }
    table[usize::from(b'\n')] = NEWLINE;
    let firsts = syntax
        .line
        .iter()
        .chain(syntax.block.iter().map(|(open, _)| open))
        .chain(syntax.quotes.iter().map(|(open, _)| open))
        .chain(syntax.verbatim.iter().map(|(open, _)| open));
    for marker in firsts {
        table[usize::from(marker.as_bytes()[0])] = TRIGGER;
    }
    table
}

/// The bytes that stop a scan through code once the line is known to hold
/// code: the first byte of every marker, and the newline. Padded with
/// newlines to a fixed five so the search below unrolls.
fn stop_bytes(syntax: &Syntax) -> [u8; 5] {
    let mut stops = [b'\n'; 5];
    let firsts = syntax
        .line
        .iter()
        .chain(syntax.block.iter().map(|(open, _)| open))
        .chain(syntax.quotes.iter().map(|(open, _)| open))
        .chain(syntax.verbatim.iter().map(|(open, _)| open))
        .map(|marker| marker.as_bytes()[0]);
    let mut used = 0;
    for first in firsts {
        if !stops[..used].contains(&first) {
            assert!(used < 4, "at most four marker bytes per language");
            stops[used] = first;
            used += 1;
        }
    }
    stops
}

/// Where the first byte equal to one of `stops` is, eight bytes at a time
/// (the classic has-zero-byte trick on each byte XORed with a stop byte; the
/// lowest flagged byte is always a true match).
fn find_stop(haystack: &[u8], stops: [u8; 5]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let (words, rest) = words(haystack);
    let mut offset = 0;
    for word in words {
        let mut hits = 0;
        for stop in stops {
            let x = word ^ (ONES * u64::from(stop));
            hits |= x.wrapping_sub(ONES) & !x & HIGHS;
        }
        if hits != 0 {
            return Some(offset + (hits.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    rest.iter()
        .position(|b| stops.contains(b))
        .map(|at| offset + at)
}

/// `bytes` as little-endian 64-bit words, and the (at most seven) bytes after
/// the last whole word.
fn words(bytes: &[u8]) -> (impl Iterator<Item = u64> + '_, &[u8]) {
    let chunks = bytes.chunks_exact(8);
    let rest = chunks.remainder();
    let words = chunks.map(|chunk| {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        u64::from_le_bytes(word)
    });
    (words, rest)
}

/// How many `\n` bytes `bytes` holds, eight at a time (a byte equal to the
/// newline becomes zero after XOR, and zero bytes are counted exactly).
#[must_use]
pub fn count_newlines(bytes: &[u8]) -> usize {
    const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let (words, rest) = words(bytes);
    let mut count = 0;
    for word in words {
        let x = word ^ NEWLINES;
        // The high bit of each byte is set exactly where `x` has a zero byte.
        let zeros = !(((x & LOWS) + LOWS) | x | LOWS);
        count += zeros.count_ones() as usize;
    }
    #[allow(clippy::naive_bytecount)] // at most seven bytes
    let rest = rest.iter().filter(|&&b| b == b'\n').count();
    count + rest
}

/// Counts the lines of `text` in `language`, in one pass over its bytes
/// (every marker is ASCII). Code is read a byte at a time through a class
/// table; strings and comments skip ahead with `memchr` to the next byte that
/// can end them or the line.
#[must_use]
pub fn count(text: &str, language: Language) -> LineCounts {
    let syntax = language.syntax();
    let classes = byte_classes(&syntax);
    let stops = stop_bytes(&syntax);
    let bytes = text.as_bytes();
    let mut counts = LineCounts::default();
    let mut state = State::Code;
    let mut at = 0;
    while at < bytes.len() {
        let started_in_string = matches!(state, State::Str(..));
        let started_in_comment = matches!(state, State::Block(..));
        // Leading spaces are not content.
        let mut i = at;
        while i < bytes.len() && classes[usize::from(bytes[i])] == SPACE {
            i += 1;
        }
        if i == bytes.len() || bytes[i] == b'\n' {
            if started_in_string {
                counts.code += 1;
            } else if started_in_comment {
                counts.comment += 1;
            } else {
                counts.blank += 1;
            }
            at = i + 1;
            continue;
        }
        let (has_code, has_comment, end) =
            scan_line(bytes, i, &syntax, &classes, stops, &mut state);
        if has_code || started_in_string || !(has_comment || started_in_comment) {
            counts.code += 1;
        } else {
            counts.comment += 1;
        }
        at = end + 1;
    }
    counts
}

/// From `i`, where the next newline or `first` (or `second`, when given) is;
/// `None` when the text ends first.
fn next_of(bytes: &[u8], i: usize, first: u8, second: Option<u8>) -> Option<usize> {
    let rest = &bytes[i..];
    match second {
        Some(second) => memchr::memchr3(b'\n', first, second, rest),
        None => memchr::memchr2(b'\n', first, rest),
    }
    .map(|at| i + at)
}

/// Scans one line from its first non-space byte `i` in `state`, leaving the
/// state the line ends in; says whether the line held code, whether it held a
/// comment, and where it ends (its newline, or the end of the text). Spaces
/// count as code only between other bytes, as in a trimmed line.
#[allow(clippy::too_many_lines)] // one state machine, kept whole for speed and for reading
fn scan_line(
    bytes: &[u8],
    mut i: usize,
    syntax: &Syntax,
    classes: &[u8; 256],
    stops: [u8; 5],
    state: &mut State,
) -> (bool, bool, usize) {
    let mut has_code = false;
    let mut has_comment = false;
    let mut after_space = false;
    loop {
        if i >= bytes.len() {
            return (has_code, has_comment, bytes.len());
        }
        match *state {
            State::Block(open, close, depth) => {
                let (open_bytes, close_bytes) = (open.as_bytes(), close.as_bytes());
                let nested_open = syntax.nested.then_some(open_bytes[0]);
                let Some(at) = next_of(bytes, i, close_bytes[0], nested_open) else {
                    return (has_code, has_comment, bytes.len());
                };
                i = at;
                let rest = &bytes[i..];
                if rest[0] == b'\n' {
                    return (has_code, has_comment, i);
                } else if rest.starts_with(close_bytes) {
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
                let Some(at) = next_of(bytes, i, close_bytes[0], escapes.then_some(b'\\')) else {
                    return (has_code, has_comment, bytes.len());
                };
                i = at;
                let rest = &bytes[i..];
                if rest[0] == b'\n' {
                    return (has_code, has_comment, i);
                } else if escapes && rest[0] == b'\\' {
                    // An escape never swallows the newline: a line ending in `\`
                    // continues the string on the next line.
                    i += if rest.get(1) == Some(&b'\n') { 1 } else { 2 };
                } else if rest.starts_with(close_bytes) {
                    *state = State::Code;
                    i += close_bytes.len();
                } else {
                    i += 1;
                }
            }
            State::Code => {
                if has_code {
                    // The hot path: the line holds code, so only markers and
                    // the newline matter.
                    i = find_stop(&bytes[i..], stops).map_or(bytes.len(), |at| i + at);
                } else {
                    // Plain code and spaces up to a marker or the newline.
                    while i < bytes.len() {
                        match classes[usize::from(bytes[i])] {
                            PLAIN => {
                                has_code = true;
                                break;
                            }
                            SPACE => after_space = true,
                            _ => break,
                        }
                        i += 1;
                    }
                    if has_code {
                        continue;
                    }
                }
                if i == bytes.len() {
                    return (has_code, has_comment, i);
                }
                if bytes[i] == b'\n' {
                    return (has_code, has_comment, i);
                }
                // A marker after a space: the space sat between content.
                has_code |= after_space;
                after_space = false;
                let rest = &bytes[i..];
                if syntax.line.iter().any(|m| rest.starts_with(m.as_bytes())) {
                    has_comment = true;
                    let end = memchr::memchr(b'\n', rest).map_or(bytes.len(), |at| i + at);
                    return (has_code, has_comment, end);
                }
                if let Some((open, close)) = syntax
                    .block
                    .iter()
                    .find(|(open, _)| rest.starts_with(open.as_bytes()))
                {
                    has_comment = true;
                    *state = State::Block(open, close, 1);
                    i += open.len();
                } else if let Some((index, (open, close))) = syntax
                    .verbatim
                    .iter()
                    .chain(syntax.quotes)
                    .enumerate()
                    .find(|(_, (open, _))| rest.starts_with(open.as_bytes()))
                {
                    has_code = true;
                    // Verbatim strings (listed first) have no escapes.
                    let escapes = index >= syntax.verbatim.len();
                    *state = State::Str(close, escapes);
                    i += open.len();
                } else {
                    has_code = true;
                    i += 1;
                }
            }
        }
    }
}

/// How much of a file's start is searched for a generator's banner.
const HEAD_BYTES: usize = 400;

/// Searchers for generator banners, built once: building one costs more than
/// searching 400 bytes.
static BANNERS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
    std::sync::LazyLock::new(|| {
        ["@generated", "do not edit", "generated"].map(memchr::memmem::Finder::new)
    });

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
    let [at_generated, do_not_edit, generated] = &*BANNERS;
    let has = |finder: &memchr::memmem::Finder<'_>| finder.find(lower).is_some();
    if has(at_generated) || has(do_not_edit) && has(generated) {
        return true;
    }
    // Minified: very long lines on average.
    text.len() as u64 / lines.max(1) > 500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_are_counted_at_every_offset_and_length() {
        let text = b"a\nbc\n\n\x8a\x0b\n\xff\nlong line without one\n\n\n\x0a";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let slice = &text[start..end];
                #[allow(clippy::naive_bytecount)]
                let naive = slice.iter().filter(|&&b| b == b'\n').count();
                assert_eq!(count_newlines(slice), naive, "{start}..{end}");
            }
        }
    }

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
    fn spaces_count_only_between_content_and_escapes_keep_the_newline() {
        // A space between two comments is code to tokei; trailing spaces are not.
        assert_eq!(
            count("/* a */ /* b */\n/* c */   \n", Language::TypeScript),
            LineCounts {
                code: 1,
                comment: 1,
                blank: 0
            }
        );
        // A string continued with `\` at the end of a line, then a comment.
        assert_eq!(
            count(
                "const s = 'one \\\n\n  two';\n// done\n",
                Language::JavaScript
            ),
            LineCounts {
                code: 3,
                comment: 1,
                blank: 0
            }
        );
    }

    #[test]
    fn stop_search_finds_the_first_stop_in_any_word() {
        let stops = stop_bytes(&Language::TypeScript.syntax());
        for at in 0..40 {
            let mut text = vec![b'x'; 40];
            text[at] = b'`';
            if at + 3 < 40 {
                text[at + 3] = b'/';
            }
            assert_eq!(find_stop(&text, stops), Some(at), "stop at {at}");
        }
        assert_eq!(find_stop(b"plain code without stops", stops), None);
    }

    #[test]
    fn minified_files_are_generated() {
        assert!(is_generated("vendor/chart.min.js", "x", 1));
        assert!(is_generated("a.js", &"x".repeat(5000), 1));
        assert!(!is_generated("a.ts", "const a = 1;\n", 1));
    }
}
