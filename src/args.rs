//! Argument groups that several commands flatten into their own, so a flag
//! means the same everywhere: the HTTP options of health-check, smoke and
//! rollout.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use crate::adapters::http::ClientOptions;
use crate::adapters::http::headers::{self, HeaderError};
use crate::config::HumanDuration;

/// How requests are sent: extra headers, TLS trust and identity, a timeout.
/// Display orders leave room for the flattening command's own flags.
#[derive(Debug, Clone, Default, Args)]
pub struct HttpArgs {
    /// Request header, `Name: value` (repeatable)
    #[arg(
        short = 'H',
        long = "header",
        value_name = "NAME: VALUE",
        display_order = 8
    )]
    pub headers: Vec<String>,

    /// Extra trusted CA certificates (PEM)
    #[arg(long, value_name = "PATH", display_order = 11)]
    pub ca_cert: Option<PathBuf>,

    /// Client certificate (PEM) for mutual TLS, with --client-key
    #[arg(long, value_name = "PATH", requires = "client_key", display_order = 12)]
    pub client_cert: Option<PathBuf>,

    /// Client private key (PEM) for mutual TLS, with --client-cert
    #[arg(
        long,
        value_name = "PATH",
        requires = "client_cert",
        display_order = 13
    )]
    pub client_key: Option<PathBuf>,

    /// Accept any TLS certificate (self-signed, wrong host)
    #[arg(long, display_order = 14)]
    pub insecure: bool,

    /// Per-request timeout
    #[arg(long, value_name = "DURATION", display_order = 1)]
    pub timeout: Option<HumanDuration>,
}

impl HttpArgs {
    /// The `-H` headers, parsed and checked.
    pub fn headers(&self) -> Result<Vec<(String, String)>, HeaderError> {
        headers::parse_all(&self.headers)
    }

    /// The TLS settings, paths taken relative to `cwd`.
    #[must_use]
    pub fn tls(&self, cwd: &Path) -> ClientOptions {
        ClientOptions {
            ca_cert: self.ca_cert.as_ref().map(|p| cwd.join(p)),
            client_cert: self
                .client_cert
                .as_ref()
                .zip(self.client_key.as_ref())
                .map(|(c, k)| (cwd.join(c), cwd.join(k))),
            insecure: self.insecure,
        }
    }

    /// `--timeout`, if given.
    #[must_use]
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout.map(|d| d.0)
    }
}
