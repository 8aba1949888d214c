//! The one HTTP client, for every command: health-check's probes, smoke's
//! requests, rollout's gates and the Prometheus source of analyze-boundaries.
//! rustls with the ring provider, system roots plus an optional custom CA,
//! client certificates, proxies from the environment, any method, body and
//! credentials, per-request timeouts and redirect policy, an optional cookie
//! jar, and bodies read up to a cap so a huge response cannot exhaust memory.
//!
//! - [`request`]: what a request is ([`Request`], [`Body`], [`Auth`], [`Redirects`]).
//! - [`headers`]: `Name: value` parsing and masked display.
//! - [`pool`]: clients shared by every request with the same TLS settings.

pub mod headers;
pub mod pool;
pub mod request;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use pool::ClientPool;
pub use request::{Auth, Body, Redirects, Request};

/// TLS settings; requests with equal settings share one client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ClientOptions {
    /// A PEM bundle of extra trusted roots.
    pub ca_cert: Option<PathBuf>,
    /// A PEM client certificate (chain) and its PEM private key.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// Accept any certificate (self-signed, wrong host). Explicit opt-in only.
    pub insecure: bool,
}

/// Why a request failed, in words a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("timed out after {}", humantime::format_duration(*.0))]
    Timeout(Duration),
    #[error("connection refused")]
    Refused,
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{0}")]
    Other(String),
    #[error("cannot read {path}: {source}")]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    BadPem { path: PathBuf, message: String },
    /// A method or URL that cannot be sent.
    #[error("{0}")]
    BadRequest(String),
}

/// A response with its body read up to the cap.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body was longer than the cap and was cut.
    pub truncated: bool,
    /// From sending the request to the end of the (capped) body.
    pub elapsed: Duration,
}

impl HttpResponse {
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Installs rustls's ring provider once per process; reqwest and sqlx both use it.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A configured client: one TLS setting, both redirect policies, and the
/// cookie jar when it was made with one.
#[derive(Debug, Clone)]
pub struct HttpClient {
    follow: reqwest::Client,
    stop: reqwest::Client,
    follow_limit: usize,
    jar: Option<Arc<reqwest::cookie::Jar>>,
}

impl HttpClient {
    /// A client without cookies.
    pub fn new(options: &ClientOptions) -> Result<Self, HttpError> {
        Self::build(options, None)
    }

    /// A client that keeps the cookies servers set and sends them back, as a
    /// browser session does (smoke suites that log in).
    pub fn with_cookie_jar(options: &ClientOptions) -> Result<Self, HttpError> {
        Self::build(options, Some(Arc::new(reqwest::cookie::Jar::default())))
    }

    fn build(
        options: &ClientOptions,
        jar: Option<Arc<reqwest::cookie::Jar>>,
    ) -> Result<Self, HttpError> {
        let follow_limit = 5;
        let follow = builder(options, jar.as_ref())?
            .redirect(reqwest::redirect::Policy::limited(follow_limit))
            .build()
            .map_err(|e| HttpError::Other(error_chain(&e)))?;
        let stop = builder(options, jar.as_ref())?
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| HttpError::Other(error_chain(&e)))?;
        Ok(HttpClient {
            follow,
            stop,
            follow_limit,
            jar,
        })
    }

    /// Whether this client keeps cookies.
    #[must_use]
    pub fn has_cookie_jar(&self) -> bool {
        self.jar.is_some()
    }

    /// GETs `url` with `headers`, giving up after `timeout` (connect, headers and
    /// body together) and reading at most `body_cap` bytes of body.
    pub async fn get(
        &self,
        url: &str,
        headers: &[(String, String)],
        timeout: Duration,
        body_cap: usize,
    ) -> Result<HttpResponse, HttpError> {
        self.send(
            &Request::get(url)
                .headers(headers)
                .timeout(timeout)
                .body_cap(body_cap),
        )
        .await
    }

    /// Sends one request and reads its response, body capped.
    pub async fn send(&self, request: &Request) -> Result<HttpResponse, HttpError> {
        let started = Instant::now();
        let built = self.prepare(request)?;
        let work = async {
            let mut response = built
                .send()
                .await
                .map_err(|e| classify(e, request.timeout))?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let mut body = Vec::new();
            let mut truncated = false;
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| classify(e, request.timeout))?
            {
                let room = request.body_cap.saturating_sub(body.len());
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            Ok(HttpResponse {
                status,
                headers,
                body,
                truncated,
                elapsed: started.elapsed(),
            })
        };
        match tokio::time::timeout(request.timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(HttpError::Timeout(request.timeout)),
        }
    }

    /// The reqwest request for `request`; a method or URL that cannot be sent
    /// is an [`HttpError::BadRequest`].
    fn prepare(&self, request: &Request) -> Result<reqwest::RequestBuilder, HttpError> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            HttpError::BadRequest(format!("`{}` is not an HTTP method", request.method))
        })?;
        let mut url = url::Url::parse(&request.url).map_err(|e| {
            HttpError::BadRequest(format!(
                "`{}` is not a URL ({e})",
                crate::redact::url(&request.url)
            ))
        })?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        let client = match request.redirects {
            Redirects::Follow(n) if n == self.follow_limit => &self.follow,
            Redirects::Follow(_) | Redirects::Stop => &self.stop,
        };
        let mut built = client.request(method, url);
        for (name, value) in &request.headers {
            built = built.header(name, value);
        }
        built = match &request.auth {
            None => built,
            Some(Auth::Basic { user, password }) => built.basic_auth(user, password.as_ref()),
            Some(Auth::Bearer(token)) => built.bearer_auth(token),
        };
        let has = |name: &str| {
            request
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        let content_type = |built: reqwest::RequestBuilder, value: &str| {
            if has("content-type") {
                built
            } else {
                built.header("content-type", value)
            }
        };
        Ok(match &request.body {
            Body::Empty => built,
            Body::Json(value) => content_type(built, "application/json").body(value.to_string()),
            Body::Form(pairs) => {
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish();
                content_type(built, "application/x-www-form-urlencoded").body(encoded)
            }
            Body::Raw {
                bytes,
                content_type: kind,
            } => match kind {
                Some(kind) => content_type(built, kind).body(bytes.clone()),
                None => built.body(bytes.clone()),
            },
        })
    }
}

/// A reqwest client builder with skillsctl's defaults and `options`' TLS.
fn builder(
    options: &ClientOptions,
    jar: Option<&Arc<reqwest::cookie::Jar>>,
) -> Result<reqwest::ClientBuilder, HttpError> {
    install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("skillsctl/", env!("CARGO_PKG_VERSION")))
        .pool_idle_timeout(Duration::from_secs(30));
    if let Some(jar) = jar {
        builder = builder.cookie_provider(Arc::clone(jar));
    }
    if let Some(path) = &options.ca_cert {
        let pem = read(path)?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| HttpError::BadPem {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if certs.is_empty() {
            return Err(HttpError::BadPem {
                path: path.clone(),
                message: "no certificate in the file".into(),
            });
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    if let Some((cert, key)) = &options.client_cert {
        let mut pem = read(cert)?;
        pem.push(b'\n');
        pem.extend(read(key)?);
        let identity = reqwest::Identity::from_pem(&pem).map_err(|e| HttpError::BadPem {
            path: cert.clone(),
            message: e.to_string(),
        })?;
        builder = builder.identity(identity);
    }
    if options.insecure {
        builder = builder.danger_accept_invalid_certs(true);
    }
    Ok(builder)
}

fn read(path: &Path) -> Result<Vec<u8>, HttpError> {
    std::fs::read(path).map_err(|source| HttpError::ReadFile {
        path: path.to_path_buf(),
        source,
    })
}

/// The error and its causes in one line, innermost last, without repeats.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

#[allow(clippy::needless_pass_by_value)] // consumed to drop the URL (it may carry credentials)
fn classify(err: reqwest::Error, timeout: Duration) -> HttpError {
    let err = err.without_url();
    let chain = error_chain(&err);
    let lower = chain.to_lowercase();
    if err.is_timeout() {
        HttpError::Timeout(timeout)
    } else if lower.contains("connection refused") {
        HttpError::Refused
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        HttpError::Tls(strip_url(&chain))
    } else if err.is_connect() {
        HttpError::Connect(strip_url(&chain))
    } else {
        HttpError::Other(strip_url(&chain))
    }
}

/// reqwest prefixes messages with the URL; the report names the target already,
/// and the URL may carry credentials.
fn strip_url(text: &str) -> String {
    match (text.find(" for url ("), text.find(')')) {
        (Some(start), Some(end)) if end > start => {
            format!("{}{}", &text[..start], &text[end + 1..])
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests;
