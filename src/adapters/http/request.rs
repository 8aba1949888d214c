//! What one HTTP request is, before it is sent: method, URL, query, headers, a
//! body, credentials, a timeout and whether redirects are followed. Plain data,
//! built by health-check, smoke and rollout alike.

use std::time::Duration;

/// How much of a response body is read unless a request says otherwise.
pub const DEFAULT_BODY_CAP: usize = 1024 * 1024;

/// A request body.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Body {
    #[default]
    Empty,
    /// Sent as `application/json`.
    Json(serde_json::Value),
    /// Sent as `application/x-www-form-urlencoded`, in this order.
    Form(Vec<(String, String)>),
    /// Sent as is, with this content type when one is given.
    Raw {
        bytes: Vec<u8>,
        content_type: Option<String>,
    },
}

/// Credentials sent in the Authorization header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    Basic {
        user: String,
        password: Option<String>,
    },
    Bearer(String),
}

/// Whether redirects are followed, and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Redirects {
    /// Follow up to this many (health-check's default is 5, as curl -L's is 50).
    Follow(usize),
    /// Return the 3xx response itself.
    Stop,
}

impl Default for Redirects {
    fn default() -> Self {
        Redirects::Follow(5)
    }
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// An HTTP method token, `GET` by default.
    pub method: String,
    pub url: String,
    /// Appended to the URL's own query, in this order.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    pub auth: Option<Auth>,
    /// Connect, headers and the (capped) body together.
    pub timeout: Duration,
    pub redirects: Redirects,
    /// Bodies are read up to this many bytes; the rest is dropped and flagged.
    pub body_cap: usize,
}

impl Request {
    /// A GET of `url` with a 5 s timeout, following redirects.
    #[must_use]
    pub fn get(url: impl Into<String>) -> Self {
        Request::new("GET", url)
    }

    #[must_use]
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        Request {
            method: method.into(),
            url: url.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
            auth: None,
            timeout: Duration::from_secs(5),
            redirects: Redirects::default(),
            body_cap: DEFAULT_BODY_CAP,
        }
    }

    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    #[must_use]
    pub fn headers(mut self, headers: &[(String, String)]) -> Self {
        self.headers.extend_from_slice(headers);
        self
    }

    #[must_use]
    pub fn body_cap(mut self, cap: usize) -> Self {
        self.body_cap = cap;
        self
    }
}
