//! The probe engine, as a library call: resolved targets in, a health report
//! out. health-check is its command-line face; rollout calls it as a gate.
//! It never prints and never sees clap: progress goes to an [`Observer`].
//!
//! - [`targets`]: config entries and URLs → [`Target`]s (pure, located errors).
//! - [`engine`]: one attempt per target kind, retries with backoff, concurrency.
//! - [`wait`]: polling until every target is up `successes` times in a row.
//! - [`formats`]: reading health bodies (the guide's, IETF, Spring, terminus, …).
//! - [`health`]: the health model (healthy, warn, unhealthy).
//! - [`verdict`]: the judgement of an HTTP answer, and `--wait`'s streaks.
//! - [`report`]: the serialisable [`HealthReport`] with its table.

pub mod engine;
pub mod formats;
pub mod health;
pub mod report;
pub mod targets;
pub mod verdict;
pub mod wait;

use std::time::Duration;

pub use engine::{Engine, ProbeError};
pub use formats::{BodyReading, NestedCheck};
pub use health::Health;
pub use report::{HealthReport, TargetResult};
pub use targets::{Kind, Target, TargetError};
pub use wait::{Observer, Quiet, WaitSettings};

/// How a probe run proceeds.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// Probe every target once, each with its retries.
    Once,
    /// Poll until every target is up, see [`WaitSettings`].
    Wait(WaitSettings),
}

/// Probes `targets` per `mode` and returns the report; `strict` counts
/// warnings as failures. Call it inside a tokio runtime.
pub async fn run(
    targets: Vec<Target>,
    mode: Mode,
    strict: bool,
    observer: &dyn Observer,
) -> Result<HealthReport, ProbeError> {
    let engine = Engine::new(targets)?;
    Ok(match mode {
        Mode::Once => engine.check_once(strict).await,
        Mode::Wait(settings) => engine.wait(settings, strict, observer).await,
    })
}

/// Milliseconds since `started`, for reports.
fn elapsed_ms(started: std::time::Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default retries after a failed attempt.
pub const DEFAULT_RETRIES: u32 = 2;
