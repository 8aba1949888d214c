//! Turns a byte offset in a TOML file into a line, a column and the dotted key at
//! that place, so config errors point where the user must look.

use toml_edit::{Item, Table, Value};

/// 1-based line and column (in characters) of a byte offset.
#[must_use]
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The dotted path (`health.targets[1].timeout`) of the innermost key whose key or
/// value covers `offset`, if the text parses as TOML.
#[must_use]
pub fn key_path_at(text: &str, offset: usize) -> Option<String> {
    let doc = toml_edit::Document::parse(text).ok()?;
    let mut best = None;
    walk_table(doc.as_table(), "", offset, &mut best);
    best
}

/// The byte offset where the key at a dotted path (`health.targets[1].timeout`)
/// is written, for errors found after the file was read.
#[must_use]
pub fn offset_of(text: &str, path: &str) -> Option<usize> {
    let doc = toml_edit::Document::parse(text).ok()?;
    let mut table = doc.as_table();
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let item = table.get(name)?;
        let last = segments.peek().is_none();
        match (item, index) {
            (Item::ArrayOfTables(array), Some(i)) => {
                let entry = array.get(i)?;
                if last {
                    return entry.span().map(|s| s.start);
                }
                table = entry;
            }
            (Item::Table(inner), None) if !last => table = inner,
            _ if last => {
                return table
                    .key(name)
                    .and_then(toml_edit::Key::span)
                    .map(|s| s.start)
                    .or_else(|| item.span().map(|s| s.start));
            }
            _ => return None,
        }
    }
    None
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn covers(span: Option<std::ops::Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|s| s.start <= offset && offset < s.end.max(s.start + 1))
}

fn walk_table(table: &Table, prefix: &str, offset: usize, best: &mut Option<String>) {
    for (name, item) in table {
        let path = join(prefix, name);
        let key_span = table.key(name).and_then(toml_edit::Key::span);
        if covers(key_span, offset) || covers(item.span(), offset) {
            *best = Some(path.clone());
        }
        walk_item(item, &path, offset, best);
    }
}

fn walk_item(item: &Item, path: &str, offset: usize, best: &mut Option<String>) {
    match item {
        Item::Table(table) => walk_table(table, path, offset, best),
        Item::ArrayOfTables(array) => {
            for (i, table) in array.iter().enumerate() {
                let indexed = format!("{path}[{i}]");
                if covers(table.span(), offset) {
                    *best = Some(indexed.clone());
                }
                walk_table(table, &indexed, offset, best);
            }
        }
        Item::Value(value) => walk_value(value, path, offset, best),
        Item::None => {}
    }
}

fn walk_value(value: &Value, path: &str, offset: usize, best: &mut Option<String>) {
    match value {
        Value::InlineTable(table) => {
            for (name, inner) in table {
                let inner_path = join(path, name);
                let key_span = table.key(name).and_then(toml_edit::Key::span);
                if covers(key_span, offset) || covers(inner.span(), offset) {
                    *best = Some(inner_path.clone());
                }
                walk_value(inner, &inner_path, offset, best);
            }
        }
        Value::Array(array) => {
            for (i, inner) in array.iter().enumerate() {
                let inner_path = format!("{path}[{i}]");
                if covers(inner.span(), offset) {
                    *best = Some(inner_path.clone());
                }
                walk_value(inner, &inner_path, offset, best);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, text.find('=').unwrap()), (1, 3));
        let second = text.rfind('=').unwrap();
        assert_eq!(line_col(text, second), (2, 4));
    }

    #[test]
    fn locates_keys_by_path() {
        let text = "[health]\ntimeout = 5\n\n[[health.targets]]\nname = \"a\"\n\n[[health.targets]]\nname = \"b\"\nmax_latency = \"1s\"\n";
        let at = |path: &str| offset_of(text, path).map(|o| line_col(text, o));
        assert_eq!(at("health.timeout"), Some((2, 1)));
        assert_eq!(at("health.targets[1].max_latency"), Some((9, 1)));
        assert_eq!(at("health.targets[1]"), Some((7, 1)));
        assert_eq!(at("health.nope"), None);
    }

    #[test]
    fn finds_nested_keys() {
        let text = "[output]\nformat = \"json\"\n\n[[health.targets]]\nname = \"a\"\n\n[[health.targets]]\nname = \"b\"\ntimeout = 5\n";
        let at = |needle: &str| key_path_at(text, text.rfind(needle).unwrap());
        assert_eq!(at("format").as_deref(), Some("output.format"));
        assert_eq!(at("timeout").as_deref(), Some("health.targets[1].timeout"));
        assert_eq!(at("\"a\"").as_deref(), Some("health.targets[0].name"));
    }
}
