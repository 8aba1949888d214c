//! `${VAR}` and `${VAR:-default}` expansion, so secrets stay in the environment and
//! out of `skillsctl.toml`. `$$` is a literal `$`. Pure: the caller passes the lookup.

/// Why a string could not be expanded. Messages name variables, never values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterpolateError {
    #[error(
        "environment variable `{0}` is not set and `${{{0}}}` has no default (write `${{{0}:-default}}` to give one)"
    )]
    Unset(String),
    #[error("unterminated `${{` in `{0}`: close it with `}}`")]
    Unterminated(String),
    #[error(
        "`${{{0}}}` is not a valid variable name (letters, digits and `_`, not starting with a digit)"
    )]
    BadName(String),
}

/// Expands every `${NAME}` / `${NAME:-default}` in `input` with `lookup`.
/// An empty variable counts as unset for `:-`, as in the shell.
pub fn expand(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, InterpolateError> {
    if !input.contains('$') {
        return Ok(input.to_owned());
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body_and_tail) = after.strip_prefix('{') {
            let Some(close) = body_and_tail.find('}') else {
                return Err(InterpolateError::Unterminated(input.to_owned()));
            };
            let body = &body_and_tail[..close];
            let (name, default) = match body.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (body, None),
            };
            if !is_valid_name(name) {
                return Err(InterpolateError::BadName(name.to_owned()));
            }
            match (lookup(name).filter(|v| !v.is_empty()), default) {
                (Some(value), _) => out.push_str(&value),
                (None, Some(default)) => out.push_str(default),
                (None, None) => return Err(InterpolateError::Unset(name.to_owned())),
            }
            rest = &body_and_tail[close + 1..];
        } else {
            // A lone `$` (as in a regex or a price) stays as it is.
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "DB_PASSWORD" => Some("hunter2".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_set_variables_and_defaults() {
        assert_eq!(
            expand(
                "postgres://app:${DB_PASSWORD}@${DB_HOST:-localhost}/x",
                &env
            )
            .unwrap(),
            "postgres://app:hunter2@localhost/x"
        );
        assert_eq!(expand("${EMPTY:-fallback}", &env).unwrap(), "fallback");
        assert_eq!(expand("${MISSING:-}", &env).unwrap(), "");
    }

    #[test]
    fn keeps_literal_dollars() {
        assert_eq!(
            expand("cost $5 and $$HOME", &env).unwrap(),
            "cost $5 and $HOME"
        );
        assert_eq!(expand("^/api/v1/.*$", &env).unwrap(), "^/api/v1/.*$");
    }

    #[test]
    fn reports_unset_unterminated_and_bad_names() {
        assert_eq!(
            expand("${NOPE}", &env),
            Err(InterpolateError::Unset("NOPE".into()))
        );
        assert!(matches!(
            expand("${NOPE", &env),
            Err(InterpolateError::Unterminated(_))
        ));
        assert!(matches!(
            expand("${1X}", &env),
            Err(InterpolateError::BadName(_))
        ));
    }
}
