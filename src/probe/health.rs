//! The health model every probe reports in. A leaf: the body formats and the
//! verdicts both speak it without importing each other.

use serde::Serialize;

/// How a target or nested check is doing; ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Healthy,
    Warn,
    Unhealthy,
}

impl Health {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Warn => "warn",
            Health::Unhealthy => "unhealthy",
        }
    }

    /// Whether this counts as up: healthy, or warn unless `strict`.
    #[must_use]
    pub fn is_up(self, strict: bool) -> bool {
        match self {
            Health::Healthy => true,
            Health::Warn => !strict,
            Health::Unhealthy => false,
        }
    }
}
