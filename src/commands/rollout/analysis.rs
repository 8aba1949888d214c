//! What the gateway saw of the service's share during a step: the JSON
//! access-log lines nginx wrote (the `log_format` skillsctl renders) for the
//! service's route that its upstream answered, as latency samples; the error
//! rate and percentiles then come from the same statistics as smoke's load
//! runs. Pure: the caller reads the new bytes of the log.

use crate::suite::load::LoadStats;
use crate::suite::model::Threshold;

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
}
