//! Retry pacing shared by every command that polls or retries (health-check
//! attempts, migration lock waits).

use std::time::Duration;

/// Exponential backoff with "equal jitter": half the step is fixed, half random.
/// `random` is in `[0, 1)`.
#[must_use]
pub fn backoff(attempt: u32, base: Duration, max: Duration, random: f64) -> Duration {
    let step = base
        .saturating_mul(2u32.saturating_pow(attempt.min(16)))
        .min(max);
    step.mul_f64(0.5 + random.clamp(0.0, 1.0) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(2);
        assert_eq!(backoff(0, base, max, 0.0), Duration::from_millis(50));
        assert_eq!(backoff(0, base, max, 1.0), Duration::from_millis(100));
        assert_eq!(backoff(3, base, max, 1.0), Duration::from_millis(800));
        assert_eq!(backoff(10, base, max, 1.0), max);
    }
}
