//! The exit-code contract shared by every subcommand, and the one place that maps
//! errors to it.
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success |
//! | 1 | the run completed and found failures (unhealthy target, lint finding, threshold crossed) |
//! | 2 | usage, configuration or input error |
//! | 3 | runtime error that stopped the run (I/O, network, database) |

use crate::adapters::fs::{ChangeError, FsError};
use crate::adapters::http::HttpError;
use crate::config::ConfigError;

/// What a finished run means for the caller. Commands return this on success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything checked out.
    Success,
    /// The run completed but found failures (exit 1).
    Failures,
}

/// The process exit status, one variant per documented code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success = 0,
    Failures = 1,
    Usage = 2,
    Runtime = 3,
}

impl From<Outcome> for ExitStatus {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Success => ExitStatus::Success,
            Outcome::Failures => ExitStatus::Failures,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status as u8)
    }
}

/// A mistake in how skillsctl was called or in what it was given (exit 2).
///
/// Use it for input problems found after argument parsing: a malformed URL in a
/// flag, a path that is not a directory, an unsupported `--format` for a report.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        UsageError(message.into())
    }
}

/// Maps an error to its exit status by looking for known error types along the
/// cause chain, outermost first. Anything unrecognised stopped the run at
/// runtime (exit 3).
#[must_use]
pub fn classify(err: &anyhow::Error) -> ExitStatus {
    err.chain()
        .find_map(status_of)
        .unwrap_or(ExitStatus::Runtime)
}

/// The exit status one typed error stands for, or `None` for a type this map
/// does not know (the search goes on along the chain).
fn status_of(cause: &(dyn std::error::Error + 'static)) -> Option<ExitStatus> {
    use crate::commands::migrate;
    let usage = cause.is::<UsageError>()
        || cause.is::<ConfigError>()
        || cause.is::<crate::config::interpolate::InterpolateError>()
        || cause.is::<crate::repo::RepoError>()
        || cause.is::<crate::adapters::git_log::GitLogError>()
        || cause.is::<crate::repo::domains::DomainError>()
        || cause.is::<migrate::Blocked>()
        || cause.is::<migrate::SourceError>()
        || cause.is::<migrate::ResolveError>()
        || cause.is::<crate::probe::TargetError>()
        || cause.is::<crate::gateway::edit::EditError>()
        || cause.is::<crate::commands::rollout::StateError>()
        || cause.is::<crate::config::reader::LocatedError>()
        || cause.is::<crate::suite::SuiteErrors>()
        || cause.is::<crate::adapters::http::headers::HeaderError>()
        || cause.is::<crate::scaffold::ScaffoldError>()
        || cause.is::<crate::commands::extract_service::WiringError>();
    if usage {
        return Some(ExitStatus::Usage);
    }
    if let Some(fs) = cause.downcast_ref::<FsError>() {
        return Some(fs.exit_status());
    }
    if let Some(gateway) = cause.downcast_ref::<crate::adapters::gateway::GatewayError>() {
        return Some(match gateway {
            // The rendered config is the input's fault: nothing was written.
            crate::adapters::gateway::GatewayError::Rejected { .. } => ExitStatus::Usage,
            _ => ExitStatus::Runtime,
        });
    }
    if let Some(change) = cause.downcast_ref::<ChangeError>() {
        return match change {
            ChangeError::Fs(fs) => Some(fs.exit_status()),
            // The failed step is next in the chain.
            ChangeError::RolledBack { .. } | ChangeError::Broken { .. } => None,
            _ => Some(ExitStatus::Usage),
        };
    }
    if let Some(http) = cause.downcast_ref::<HttpError>() {
        return Some(match http {
            HttpError::ReadFile { .. } | HttpError::BadPem { .. } => ExitStatus::Usage,
            _ => ExitStatus::Runtime,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::http::HttpError;

    fn io() -> std::io::Error {
        std::io::Error::other("disk full")
    }

    #[test]
    fn typed_errors_map_along_the_chain() {
        let usage = anyhow::Error::new(crate::repo::RepoError::NotADirectory("x".into()))
            .context("cannot inspect the repository");
        assert_eq!(classify(&usage), ExitStatus::Usage);
        let blocked = anyhow::Error::new(crate::commands::migrate::Blocked::Missing("1".into()));
        assert_eq!(classify(&blocked), ExitStatus::Usage);
        let pem = anyhow::Error::new(HttpError::BadPem {
            path: "ca.pem".into(),
            message: "no certificate".into(),
        });
        assert_eq!(classify(&pem), ExitStatus::Usage);
        let refused = anyhow::Error::new(HttpError::Refused);
        assert_eq!(classify(&refused), ExitStatus::Runtime);
        let write = FsError::Write {
            path: "a".into(),
            source: io(),
        };
        assert_eq!(classify(&anyhow::Error::new(write)), ExitStatus::Runtime);
    }

    #[test]
    fn change_set_errors_map_by_their_cause() {
        let stale = anyhow::Error::new(ChangeError::Stale("a.ts".into()));
        assert_eq!(classify(&stale), ExitStatus::Usage);
        let rolled_back = ChangeError::RolledBack {
            source: Box::new(ChangeError::Fs(FsError::Write {
                path: "a".into(),
                source: io(),
            })),
            undone: 2,
        };
        assert_eq!(
            classify(&anyhow::Error::new(rolled_back)),
            ExitStatus::Runtime
        );
        let exists = ChangeError::Fs(FsError::AlreadyExists { path: "a".into() });
        assert_eq!(classify(&anyhow::Error::new(exists)), ExitStatus::Usage);
    }
}
