//! Hides credentials before anything reaches a terminal, a log, a report or an
//! error message: passwords in URLs (userinfo and `password=` style query
//! parameters), secret-bearing headers, and known secret values.

/// What every hidden value is replaced with.
pub const MASK: &str = "***";

const SECRET_QUERY_KEYS: &[&str] = &[
    "password",
    "pass",
    "pwd",
    "passwd",
    "sslpassword",
    "token",
    "access_token",
    "secret",
    "api_key",
    "apikey",
    "key",
];

const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-auth-token",
];

/// Returns `url` with the password of its userinfo and any secret query parameter
/// masked. Text that is not a URL comes back unchanged.
#[must_use]
pub fn url(raw: &str) -> String {
    let Some(scheme_end) = raw.find("://") else {
        return raw.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &raw[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..authority_start]);
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            match userinfo.find(':') {
                Some(colon) => {
                    out.push_str(&userinfo[..=colon]);
                    out.push_str(MASK);
                }
                None => out.push_str(userinfo),
            }
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    let tail = &rest[authority_len..];
    match tail.find('?') {
        Some(q) => {
            out.push_str(&tail[..=q]);
            let (query, fragment) = match tail[q + 1..].find('#') {
                Some(h) => (&tail[q + 1..q + 1 + h], &tail[q + 1 + h..]),
                None => (&tail[q + 1..], ""),
            };
            let masked: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if is_secret_query_key(k) => format!("{k}={MASK}"),
                    _ => pair.to_owned(),
                })
                .collect();
            out.push_str(&masked.join("&"));
            out.push_str(fragment);
        }
        None => out.push_str(tail),
    }
    out
}

fn is_secret_query_key(key: &str) -> bool {
    SECRET_QUERY_KEYS
        .iter()
        .any(|k| key.eq_ignore_ascii_case(k))
}

/// Whether a header's value must never be shown.
#[must_use]
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h))
}

/// A header value fit for display.
#[must_use]
pub fn header_value(name: &str, value: &str) -> String {
    if is_secret_header(name) {
        MASK.to_owned()
    } else {
        value.to_owned()
    }
}

/// Masks every URL credential found in free text (error messages from drivers,
/// for instance) and every occurrence of the given secret values.
#[must_use]
pub fn text(input: &str, secrets: &[&str]) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find("://") {
        // The URL starts at the scheme: walk back over scheme characters.
        let scheme_start = rest[..pos]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let url_len = rest[pos..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>'))
            .map_or(rest.len() - pos, |i| i);
        out.push_str(&rest[..scheme_start]);
        out.push_str(&url(&rest[scheme_start..pos + url_len]));
        rest = &rest[pos + url_len..];
    }
    out.push_str(rest);
    for secret in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(secret, MASK);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_userinfo_password() {
        assert_eq!(
            url("postgres://app:hunter2@db:5432/skills?sslmode=require"),
            "postgres://app:***@db:5432/skills?sslmode=require"
        );
        assert_eq!(
            url("redis://:s3cret@127.0.0.1:6379/0"),
            "redis://:***@127.0.0.1:6379/0"
        );
        assert_eq!(url("http://user@host/x"), "http://user@host/x");
    }

    #[test]
    fn masks_password_with_at_sign() {
        assert_eq!(
            url("mysql://root:p@ss@localhost/test"),
            "mysql://root:***@localhost/test"
        );
    }

    #[test]
    fn masks_secret_query_parameters() {
        assert_eq!(
            url("postgres://db/skills?user=app&password=hunter2#frag"),
            "postgres://db/skills?user=app&password=***#frag"
        );
        assert_eq!(
            url("https://x/health?token=abc"),
            "https://x/health?token=***"
        );
    }

    #[test]
    fn masks_urls_inside_text_and_known_secrets() {
        let msg = "connect to \"postgres://u:pw123@h/db\" failed; header Bearer tok-999";
        assert_eq!(
            text(msg, &["tok-999"]),
            "connect to \"postgres://u:***@h/db\" failed; header Bearer ***"
        );
    }

    #[test]
    fn secret_headers_are_masked() {
        assert_eq!(header_value("Authorization", "Bearer x"), MASK);
        assert_eq!(header_value("Cookie", "a=b"), MASK);
        assert_eq!(header_value("Accept", "json"), "json");
    }
}
