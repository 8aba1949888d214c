//! What the gateway saw of the service's share during a step, judged
//! against the thresholds. From nginx: the JSON access-log lines (the
//! `log_format` skillsctl renders) of the service's route that its upstream
//! answered, as latency samples, with the same statistics as smoke's load
//! runs. From HAProxy: the counters of two `show stat` readings, where
//! latency is HAProxy's average response time (it keeps no percentiles).
//! Pure: the caller reads the log and the socket.

use serde::Serialize;

use crate::gateway::stats::Share;
use crate::suite::load::{LoadStats, ThresholdResult, holds, round};
use crate::suite::model::{Metric, Threshold};

/// A step's traffic, tagged by where it was read.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Traffic {
    NginxLog(LoadStats),
    HaproxyStats(HaproxyShare),
}

/// The service's share as HAProxy counted it.
#[derive(Debug, Clone, Serialize)]
pub struct HaproxyShare {
    pub requests: u64,
    pub errors: u64,
    pub error_percent: f64,
    /// HAProxy's average response time (`rtime`), not a percentile.
    pub average_ms: Option<f64>,
    pub thresholds: Vec<ThresholdResult>,
}

impl Traffic {
    /// The thresholds that broke, as `threshold (actual N)`.
    #[must_use]
    pub fn broken(&self) -> Vec<String> {
        let thresholds = match self {
            Traffic::NginxLog(stats) => &stats.thresholds,
            Traffic::HaproxyStats(share) => &share.thresholds,
        };
        thresholds
            .iter()
            .filter(|t| !t.passed)
            .map(|t| format!("{} (actual {})", t.threshold, t.actual))
            .collect()
    }

    /// One line for people: requests, errors and latency.
    #[must_use]
    pub fn summary(&self) -> String {
        match self {
            Traffic::NginxLog(t) => format!(
                "{} requests, {}% errors, p95 {} ms",
                t.requests, t.error_percent, t.p95_ms
            ),
            Traffic::HaproxyStats(t) => format!(
                "{} requests, {}% errors, average {} (HAProxy)",
                t.requests,
                t.error_percent,
                t.average_ms
                    .map_or_else(|| "-".to_owned(), |ms| format!("{ms:.1} ms"))
            ),
        }
    }
}

/// Samples `(ms, ok)` from new log text: lines of `route` whose upstream is
/// one of `upstreams` (`host:port`); 5xx and no answer are errors.
#[must_use]
pub fn samples(log: &str, route: &str, upstreams: &[String]) -> Vec<(f64, bool)> {
    log.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|entry| entry["route"] == route)
        .filter(|entry| {
            let upstream = entry["upstream"].as_str().unwrap_or_default();
            upstreams.iter().any(|u| upstream.contains(u.as_str()))
        })
        .map(|entry| {
            let ms = entry["request_time"].as_f64().unwrap_or(0.0) * 1000.0;
            let status = entry["status"].as_u64().unwrap_or(0);
            (ms, (100..500).contains(&status))
        })
        .collect()
}

/// The statistics of a step's samples against the thresholds; thresholds are
/// judged only when there are requests to judge.
#[must_use]
pub fn judge(samples: &[(f64, bool)], seconds: f64, thresholds: &[Threshold]) -> LoadStats {
    let applicable: Vec<Threshold> = if samples.is_empty() {
        Vec::new()
    } else {
        thresholds.to_vec()
    };
    LoadStats::new(samples, seconds, &applicable)
}

/// HAProxy's counts of the share against the thresholds: a latency
/// threshold of any percentile is judged on the average, and says so.
#[must_use]
// Request counts stay far below 2^52: the float conversions are exact.
#[allow(clippy::cast_precision_loss)]
pub fn judge_haproxy(share: &Share, seconds: f64, thresholds: &[Threshold]) -> HaproxyShare {
    let error_percent = if share.requests == 0 {
        0.0
    } else {
        round(share.errors as f64 * 100.0 / share.requests as f64)
    };
    let judged: &[Threshold] = if share.requests == 0 { &[] } else { thresholds };
    let thresholds = judged
        .iter()
        .map(|t| {
            let (actual, text) = match t.metric {
                Metric::Errors => (error_percent, t.text.clone()),
                Metric::Rps => (round(share.requests as f64 / seconds), t.text.clone()),
                Metric::Latency(_) => (
                    round(share.average_ms.unwrap_or(0.0)),
                    format!("{} (on HAProxy's average response time)", t.text),
                ),
            };
            ThresholdResult {
                threshold: text,
                actual,
                passed: holds(t.op, actual, t.value),
            }
        })
        .collect();
    HaproxyShare {
        requests: share.requests,
        errors: share.errors,
        error_percent,
        average_ms: share.average_ms.map(round),
        thresholds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::parse::parse_threshold;

    #[test]
    fn only_the_services_answers_count() {
        let log = r#"{"route":"ai","upstream":"127.0.0.1:4001","status":200,"request_time":0.010}
{"route":"ai","upstream":"127.0.0.1:3000","status":500,"request_time":0.020}
{"route":"skills","upstream":"127.0.0.1:4001","status":500,"request_time":0.030}
{"route":"ai","upstream":"127.0.0.1:4001","status":503,"request_time":0.100}
not json
"#;
        let found = samples(log, "ai", &["127.0.0.1:4001".to_owned()]);
        assert_eq!(found, [(10.0, true), (100.0, false)]);
        let thresholds = [parse_threshold("errors < 1%").unwrap()];
        let stats = judge(&found, 1.0, &thresholds);
        assert_eq!((stats.requests, stats.error_percent), (2, 50.0));
        assert!(!stats.passed());
        assert!(
            judge(&[], 1.0, &thresholds).passed(),
            "no traffic judges nothing"
        );
    }

    #[test]
    fn haproxy_counts_are_judged_and_latency_on_the_average() {
        let thresholds = [
            parse_threshold("errors < 1%").unwrap(),
            parse_threshold("p95 < 200ms").unwrap(),
        ];
        let share = Share {
            requests: 200,
            errors: 4,
            average_ms: Some(250.0),
        };
        let judged = judge_haproxy(&share, 10.0, &thresholds);
        assert!((judged.error_percent - 2.0).abs() < 1e-9);
        let traffic = Traffic::HaproxyStats(judged);
        assert_eq!(
            traffic.broken(),
            [
                "errors < 1% (actual 2)",
                "p95 < 200ms (on HAProxy's average response time) (actual 250)"
            ]
        );
        let idle = Share {
            requests: 0,
            errors: 0,
            average_ms: None,
        };
        assert!(
            Traffic::HaproxyStats(judge_haproxy(&idle, 1.0, &thresholds))
                .broken()
                .is_empty()
        );
    }
}
