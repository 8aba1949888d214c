//! A readable difference of two JSON values: one line per path where they
//! part, `$.skills[2].proficiency: expected 8, got "8"`, the way a person
//! would point at it, rather than two long bodies side by side.

use serde_json::Value;

/// Lines shown at most; the rest is counted in a last line.
pub const MAX_LINES: usize = 20;

/// The differences between `want` and `got`, both found at `path`.
#[must_use]
pub fn json(path: &str, want: &Value, got: &Value, max_lines: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut more = 0;
    walk(path, want, got, &mut |line| {
        if lines.len() < max_lines {
            lines.push(line);
        } else {
            more += 1;
        }
    });
    if more > 0 {
        lines.push(format!("… and {more} more difference(s)"));
    }
    lines
}

fn walk(path: &str, want: &Value, got: &Value, out: &mut dyn FnMut(String)) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (key, w_value) in w {
                let child = child_key(path, key);
                match g.get(key) {
                    Some(g_value) => walk(&child, w_value, g_value, out),
                    None => out(format!("{child}: expected {}, missing", short(w_value))),
                }
            }
            for (key, g_value) in g {
                if !w.contains_key(key) {
                    out(format!(
                        "{}: not expected, got {}",
                        child_key(path, key),
                        short(g_value)
                    ));
                }
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            for (index, (w_value, g_value)) in w.iter().zip(g).enumerate() {
                walk(&format!("{path}[{index}]"), w_value, g_value, out);
            }
            if w.len() != g.len() {
                out(format!(
                    "{path}: expected {} element(s), got {}",
                    w.len(),
                    g.len()
                ));
            }
        }
        (w, g) if w != g => out(format!("{path}: expected {}, got {}", short(w), short(g))),
        _ => {}
    }
}

/// `$.a` for a plain key, `$['a b']` for anything else.
fn child_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_owned()))
    }
}

/// A value cut to a readable length.
fn short(value: &Value) -> String {
    const MAX: usize = 60;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        return text;
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json as j;

    #[test]
    fn each_difference_is_named_by_its_path() {
        let want = j!({"skills": [{"name": "Rust", "proficiency": 8}], "total": 1, "a b": true});
        let got = j!({"skills": [{"name": "Rust", "proficiency": "8"}, {"name": "Go"}], "extra": null, "a b": true});
        assert_eq!(
            json("$", &want, &got, MAX_LINES),
            [
                "$.skills[0].proficiency: expected 8, got \"8\"",
                "$.skills: expected 1 element(s), got 2",
                "$.total: expected 1, missing",
                "$.extra: not expected, got null",
            ]
        );
        assert!(json("$", &want, &want, MAX_LINES).is_empty());
        let odd = json("$", &j!({"a b": 1}), &j!({"a b": 2}), MAX_LINES);
        assert_eq!(odd, ["$[\"a b\"]: expected 1, got 2"]);
    }

    #[test]
    fn long_values_and_many_differences_are_cut() {
        let want = j!((0..30).collect::<Vec<_>>());
        let got = j!((100..130).collect::<Vec<_>>());
        let lines = json("$", &want, &got, 5);
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[5], "… and 25 more difference(s)");
        let long = j!("x".repeat(500));
        let line = &json("$.s", &long, &j!(1), 5)[0];
        assert!(line.len() < 120 && line.contains('…'), "{line}");
    }
}
