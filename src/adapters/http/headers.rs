//! Request headers as people write them (`-H 'Name: value'`, `headers = {…}`):
//! parsing and validation, and the one way a header is shown with its secret
//! values masked.

use crate::redact;

/// A `Name: value` argument that is not a usable header. The argument is shown
/// with secret values masked and long garbage cut.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("--header `{0}` must look like `Name: value`")]
    Shape(String),
    #[error("--header `{0}` is not a valid HTTP header")]
    Invalid(String),
}

/// Parses `Name: value` (the value trimmed). Names must be RFC 9110 tokens and
/// values may not hold CR or LF, so nothing can smuggle a second header.
pub fn parse(arg: &str) -> Result<(String, String), HeaderError> {
    let (name, value) = arg
        .split_once(':')
        .filter(|(name, _)| !name.trim().is_empty())
        .ok_or_else(|| HeaderError::Shape(masked_arg(arg)))?;
    let name = name.trim();
    if !is_token(name) || value.contains(['\r', '\n']) {
        return Err(HeaderError::Invalid(masked_arg(arg)));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// Parses every argument, stopping at the first bad one.
pub fn parse_all(args: &[String]) -> Result<Vec<(String, String)>, HeaderError> {
    args.iter().map(|arg| parse(arg)).collect()
}

/// Whether `name` is an HTTP token (the characters a header name may hold).
#[must_use]
pub fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A header line fit for display: `Authorization: ****`.
#[must_use]
pub fn display(name: &str, value: &str) -> String {
    format!("{name}: {}", redact::header_value(name, value))
}

/// An argument as given, for an error message: a secret header's value masked,
/// and text without a colon cut after 12 characters (it may be a pasted token).
fn masked_arg(arg: &str) -> String {
    match arg.split_once(':') {
        Some((name, value)) => format!("{name}:{}", redact::header_value(name.trim(), value)),
        None if arg.chars().count() > 12 => {
            let cut = arg.char_indices().nth(12).map_or(arg.len(), |(i, _)| i);
            format!("{}…", &arg[..cut])
        }
        None => arg.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_trims() {
        assert_eq!(
            parse("X-Canary:  1 ").unwrap(),
            ("X-Canary".to_owned(), "1".to_owned())
        );
        assert_eq!(
            parse("Cookie: a=b: c").unwrap(),
            ("Cookie".to_owned(), "a=b: c".to_owned())
        );
    }

    #[test]
    fn rejects_bad_shapes_without_showing_secrets() {
        let err = parse("Authorization Bearer secret-token-123").unwrap_err();
        assert_eq!(err, HeaderError::Shape("Authorizatio…".to_owned()));
        let err = parse("Bad Name: x").unwrap_err();
        assert!(matches!(err, HeaderError::Invalid(_)));
        let err = parse("Authorization: a\r\nX-Evil: 1").unwrap_err();
        assert!(!err.to_string().contains("X-Evil"), "{err}");
        assert!(parse(": v").is_err());
    }

    #[test]
    fn display_masks_secret_headers() {
        assert!(!display("Authorization", "Bearer s3cret").contains("s3cret"));
        assert!(!display("cookie", "session=s3cret").contains("s3cret"));
        assert_eq!(display("X-Canary", "1"), "X-Canary: 1");
    }
}
