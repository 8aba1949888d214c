//! The one HTTP client (health-check today; smoke tests and rollout gates use the
//! same). rustls with the ring provider, system roots plus an optional custom CA,
//! client certificates, proxies from the environment, and bodies read up to a cap
//! so a huge response cannot exhaust memory.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// TLS and connection settings; targets with equal settings share one client.
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

/// A configured client.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
}

impl HttpClient {
    pub fn new(options: &ClientOptions) -> Result<Self, HttpError> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("skillsctl/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::limited(5))
            .pool_idle_timeout(Duration::from_secs(30));
        if let Some(path) = &options.ca_cert {
            let pem = read(path)?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| HttpError::BadPem {
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
        let inner = builder
            .build()
            .map_err(|e| HttpError::Other(error_chain(&e)))?;
        Ok(HttpClient { inner })
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
        let started = Instant::now();
        let work = async {
            let mut request = self.inner.get(url);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            let mut response = request.send().await.map_err(classify)?;
            let status = response.status().as_u16();
            let response_headers = response
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
            while let Some(chunk) = response.chunk().await.map_err(classify)? {
                let room = body_cap.saturating_sub(body.len());
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            Ok(HttpResponse {
                status,
                headers: response_headers,
                body,
                truncated,
                elapsed: started.elapsed(),
            })
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(HttpError::Timeout(timeout)),
        }
    }
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
fn classify(err: reqwest::Error) -> HttpError {
    let err = err.without_url();
    let chain = error_chain(&err);
    let lower = chain.to_lowercase();
    if err.is_timeout() {
        HttpError::Other(chain)
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
