//! Inserting into JSON and JSONC files (package.json, tsconfig.json) in
//! place: members are added after the last one, in its indentation, and
//! everything else (comments, order, spacing) stays byte for byte.

/// A container found at a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Container {
    open: usize,
    close: usize,
    /// Where the last member's value ends.
    last_end: Option<usize>,
    /// The indentation of members that start their own line.
    indent: Option<String>,
    /// The keys of an object's members, as written (unquoted).
    keys: Vec<String>,
}

struct Frame {
    path: Vec<String>,
    object: bool,
    open: usize,
    expect_key: bool,
    key: Option<String>,
    member_start: bool,
    container: Container,
}

/// The keys an object at `path` has (`None` when there is no such object).
#[must_use]
pub fn keys(text: &str, path: &[&str]) -> Option<Vec<String>> {
    find(text, path).map(|c| c.keys)
}

/// `text` with `items` (already-formatted members: `"k": v` for an object,
/// values for an array) added at the end of the container at `path`;
/// `None` when there is no such container.
#[must_use]
pub fn append(text: &str, path: &[&str], items: &[String]) -> Option<String> {
    let found = find(text, path)?;
    if items.is_empty() {
        return Some(text.to_owned());
    }
    let mut out = String::with_capacity(text.len() + 64);
    match (found.last_end, &found.indent) {
        (Some(end), Some(indent)) => {
            out.push_str(&text[..end]);
            for item in items {
                out.push_str(",\n");
                out.push_str(indent);
                out.push_str(item);
            }
            out.push_str(&text[end..]);
        }
        (Some(end), None) => {
            out.push_str(&text[..end]);
            for item in items {
                out.push_str(", ");
                out.push_str(item);
            }
            out.push_str(&text[end..]);
        }
        (None, _) => {
            out.push_str(&text[..=found.open]);
            out.push_str(&items.join(", "));
            out.push_str(&text[found.open + 1..]);
        }
    }
    Some(out)
}

fn find(text: &str, path: &[&str]) -> Option<Container> {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&bytes[i + 2..], b"*/").map_or(bytes.len(), |n| i + n + 4);
            }
            b'{' | b'[' => {
                let path_here = child_path(&stack);
                start_member(&mut stack, text, i);
                stack.push(Frame {
                    path: path_here,
                    object: b == b'{',
                    open: i,
                    expect_key: b == b'{',
                    key: None,
                    member_start: true,
                    container: Container {
                        open: i,
                        close: i,
                        last_end: None,
                        indent: None,
                        keys: Vec::new(),
                    },
                });
                i += 1;
            }
            b'}' | b']' => {
                let mut frame = stack.pop()?;
                frame.container.close = i;
                frame.container.open = frame.open;
                if frame
                    .path
                    .iter()
                    .map(String::as_str)
                    .eq(path.iter().copied())
                {
                    return Some(frame.container);
                }
                i += 1;
                end_value(&mut stack, i);
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.expect_key = top.object;
                    top.member_start = true;
                    top.key = None;
                }
                i += 1;
            }
            b':' => {
                if let Some(top) = stack.last_mut() {
                    top.expect_key = false;
                }
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i)?;
                let value = &text[i + 1..end - 1];
                let is_key = stack.last().is_some_and(|t| t.object && t.expect_key);
                if is_key {
                    start_member(&mut stack, text, i);
                    let top = stack.last_mut().expect("checked");
                    top.key = Some(value.to_owned());
                    top.container.keys.push(value.to_owned());
                } else {
                    start_member(&mut stack, text, i);
                    end_value(&mut stack, end);
                }
                i = end;
            }
            _ => {
                // A scalar (number, true, …), or a stray byte: at least one is taken,
                // so a lone `/` cannot stop the scan in place.
                let start = i;
                i += 1;
                while i < bytes.len() && !b" \t\r\n,:]}/".contains(&bytes[i]) {
                    i += 1;
                }
                start_member(&mut stack, text, start);
                end_value(&mut stack, i);
            }
        }
    }
    None
}

fn child_path(stack: &[Frame]) -> Vec<String> {
    stack.last().map_or_else(Vec::new, |top| {
        let mut path = top.path.clone();
        path.push(top.key.clone().unwrap_or_else(|| "[]".to_owned()));
        path
    })
}

/// Notes the indentation of a member whose first token starts at `at`.
fn start_member(stack: &mut [Frame], text: &str, at: usize) {
    let Some(top) = stack.last_mut() else { return };
    if !top.member_start {
        return;
    }
    top.member_start = false;
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[line_start..at];
    if line_start > top.open && before.chars().all(|c| c == ' ' || c == '\t') {
        top.container.indent = Some(before.to_owned());
    }
}

fn end_value(stack: &mut [Frame], end: usize) {
    if let Some(top) = stack.last_mut() {
        top.container.last_end = Some(end);
    }
}

/// The byte after a string's closing quote.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_go_after_the_last_one_and_comments_stay() {
        let text = "{\n  // compiler\n  \"compilerOptions\": {\n    \"baseUrl\": \".\",\n    \"paths\": {\n      \"@a/x\": [\"x/src\"], /* the core */\n      \"@a/y/*\": [\"y/src/*\"]\n    }\n  }\n}\n";
        let out = append(
            text,
            &["compilerOptions", "paths"],
            &["\"@a/z\": [\"z/src\"]".to_owned()],
        )
        .unwrap();
        assert_eq!(
            out,
            text.replace(
                "\"@a/y/*\": [\"y/src/*\"]\n",
                "\"@a/y/*\": [\"y/src/*\"],\n      \"@a/z\": [\"z/src\"]\n"
            )
        );
        assert_eq!(
            keys(text, &["compilerOptions", "paths"]).unwrap(),
            ["@a/x", "@a/y/*"]
        );
        assert!(append(text, &["nope"], &["1".into()]).is_none());
    }

    #[test]
    fn a_lone_slash_or_an_open_comment_ends_the_scan() {
        // Found by the hostile-input tests: a `/` that starts no comment
        // used to stop the scanner in place, forever.
        assert!(append("{\"a\": 1 / 2}", &["b"], &[]).is_none());
        assert!(keys("{\"a\": [1, /", &["a"]).is_none());
        assert!(keys("{\"a\": 1 /* open", &[]).is_none());
    }

    #[test]
    fn arrays_on_one_line_and_empty_ones() {
        let text = "{\"workspaces\": [\"packages/*\"], \"b\": []}";
        assert_eq!(
            append(text, &["workspaces"], &["\"services/ai\"".into()]).unwrap(),
            "{\"workspaces\": [\"packages/*\", \"services/ai\"], \"b\": []}"
        );
        assert_eq!(
            append(text, &["b"], &["1".into()]).unwrap(),
            "{\"workspaces\": [\"packages/*\"], \"b\": [1]}"
        );
        let multi = "{\n  \"workspaces\": [\n    \"packages/*\"\n  ]\n}\n";
        assert_eq!(
            append(multi, &["workspaces"], &["\"apps/ai\"".into()]).unwrap(),
            "{\n  \"workspaces\": [\n    \"packages/*\",\n    \"apps/ai\"\n  ]\n}\n"
        );
    }
}
