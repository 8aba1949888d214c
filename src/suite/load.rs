//! Load statistics over every request of a run: latency percentiles
//! (nearest rank, as k6 reports them), the error rate, throughput, and
//! whether each threshold held. Pure.

use serde::Serialize;

use super::model::{Metric, Threshold, ThresholdOp};

/// What the requests of a load run showed.
#[derive(Debug, Clone, Serialize)]
pub struct LoadStats {
    pub requests: usize,
    /// Requests that got no answer or failed an expectation.
    pub errors: usize,
    pub error_percent: f64,
    pub duration_s: f64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub thresholds: Vec<ThresholdResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThresholdResult {
    pub threshold: String,
    pub actual: f64,
    pub passed: bool,
}

impl LoadStats {
    /// From `(latency ms, met expectations)` samples over `duration_s` seconds.
    #[must_use]
    // Request counts stay far below 2^52: the float conversions are exact.
    #[allow(clippy::cast_precision_loss)]
    pub fn new(samples: &[(f64, bool)], duration_s: f64, thresholds: &[Threshold]) -> Self {
        let mut latencies: Vec<f64> = samples.iter().map(|(ms, _)| *ms).collect();
        latencies.sort_by(f64::total_cmp);
        let errors = samples.iter().filter(|(_, ok)| !ok).count();
        let requests = samples.len();
        let error_percent = if requests == 0 {
            0.0
        } else {
            errors as f64 * 100.0 / requests as f64
        };
        let rps = if duration_s > 0.0 {
            requests as f64 / duration_s
        } else {
            0.0
        };
        let mut stats = LoadStats {
            requests,
            errors,
            error_percent: round(error_percent),
            duration_s: round(duration_s),
            rps: round(rps),
            p50_ms: percentile(&latencies, 50),
            p95_ms: percentile(&latencies, 95),
            p99_ms: percentile(&latencies, 99),
            max_ms: latencies.last().copied().unwrap_or(0.0),
            thresholds: Vec::new(),
        };
        stats.thresholds = thresholds
            .iter()
            .map(|t| {
                let actual = stats.metric(t.metric);
                ThresholdResult {
                    threshold: t.text.clone(),
                    actual,
                    passed: holds(t.op, actual, t.value),
                }
            })
            .collect();
        stats
    }

    fn metric(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Latency(50) => self.p50_ms,
            Metric::Latency(95) => self.p95_ms,
            Metric::Latency(99) => self.p99_ms,
            Metric::Latency(_) => self.max_ms,
            Metric::Errors => self.error_percent,
            Metric::Rps => self.rps,
        }
    }

    /// Whether every threshold held.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.thresholds.iter().all(|t| t.passed)
    }
}

/// The nearest-rank percentile of sorted values.
#[must_use]
// The rank lies in 0..=len by construction.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn percentile(sorted: &[f64], p: u8) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (f64::from(p) / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Whether `actual` meets `bound` under `op`.
#[must_use]
pub fn holds(op: ThresholdOp, actual: f64, bound: f64) -> bool {
    match op {
        ThresholdOp::Less => actual < bound,
        ThresholdOp::LessOrEqual => actual <= bound,
        ThresholdOp::Greater => actual > bound,
        ThresholdOp::GreaterOrEqual => actual >= bound,
    }
}

/// Two decimals, as every report prints figures.
#[must_use]
pub fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // the values are exact by construction
mod tests {
    use super::*;
    use crate::suite::parse::parse_threshold;

    #[test]
    fn percentiles_by_nearest_rank() {
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 50), 50.0);
        assert_eq!(percentile(&sorted, 95), 95.0);
        assert_eq!(percentile(&sorted, 99), 99.0);
        assert_eq!(percentile(&[7.0], 99), 7.0);
        assert_eq!(percentile(&[], 95), 0.0);
        assert_eq!(percentile(&[1.0, 2.0, 3.0], 50), 2.0);
    }

    #[test]
    fn thresholds_hold_or_not() {
        let mut samples: Vec<(f64, bool)> = (1..=200).map(|i| (f64::from(i), true)).collect();
        samples[0].1 = false;
        samples[1].1 = false;
        let thresholds: Vec<Threshold> = [
            "p95 < 200ms",
            "p99 <= 198ms",
            "errors < 1%",
            "rps > 50",
            "max < 1s",
        ]
        .iter()
        .map(|t| parse_threshold(t).unwrap())
        .collect();
        let stats = LoadStats::new(&samples, 2.0, &thresholds);
        assert_eq!(
            (stats.requests, stats.errors, stats.error_percent),
            (200, 2, 1.0)
        );
        assert_eq!(
            (stats.p95_ms, stats.p99_ms, stats.max_ms, stats.rps),
            (190.0, 198.0, 200.0, 100.0)
        );
        let passed: Vec<bool> = stats.thresholds.iter().map(|t| t.passed).collect();
        assert_eq!(passed, [true, true, false, true, true]);
        assert!(!stats.passed());
    }
}
