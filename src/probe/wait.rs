//! `--wait`: polls until every target has `successes` up results in a row, or
//! the deadline passes. Each round probes only the targets not yet done, each
//! attempt capped by the time left. What happens is told to an [`Observer`].

use std::time::{Duration, Instant};

use super::elapsed_ms;
use super::engine::Engine;
use super::report::{HealthReport, TargetResult};
use super::verdict::{Change, Streaks};

/// How long and how hard to wait.
#[derive(Debug, Clone, Copy)]
pub struct WaitSettings {
    pub deadline: Duration,
    /// Consecutive up results each target needs.
    pub successes: u32,
    /// Pause between rounds.
    pub interval: Duration,
}

/// Told of every result while waiting, to draw progress. The engine itself
/// never prints.
pub trait Observer: Sync {
    /// A target's new result: `line` is its one-line state (`healthy (1/2)`,
    /// `unhealthy: connection refused`, `healthy after 1.2s`), `done` whether it
    /// needs no more rounds, `changed` whether it differs from the last result.
    fn result(&self, index: usize, result: &TargetResult, line: &str, done: bool, changed: bool);
}

/// An observer that ignores everything (rollout gates, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Observer for Quiet {
    fn result(&self, _: usize, _: &TargetResult, _: &str, _: bool, _: bool) {}
}

impl Engine {
    /// Polls per `settings` and reports the last result of every target, with
    /// the time waited and whether the deadline ran out.
    pub async fn wait(
        &self,
        settings: WaitSettings,
        strict: bool,
        observer: &dyn Observer,
    ) -> HealthReport {
        let WaitSettings {
            deadline,
            successes,
            interval,
        } = settings;
        let started = Instant::now();
        let targets = self.targets();
        let mut streaks = Streaks::new(targets.len(), successes, strict);
        let mut latest: Vec<Option<TargetResult>> = vec![None; targets.len()];
        let timed_out = loop {
            let pending: Vec<usize> = (0..targets.len()).filter(|&i| !streaks.done(i)).collect();
            let remaining = deadline.saturating_sub(started.elapsed());
            let results = self
                .check_some(
                    &pending,
                    Some(remaining.max(Duration::from_millis(1))),
                    false,
                )
                .await;
            for (&index, result) in pending.iter().zip(results) {
                // A probe cut short by the deadline says less than the previous answer.
                let cut_by_deadline =
                    remaining < targets[index].timeout && result.detail.starts_with("timed out");
                if cut_by_deadline && latest[index].is_some() {
                    continue;
                }
                let change = streaks.record(index, result.health, &result.detail);
                let line = state_line(&result, &streaks, index, successes, strict, started);
                observer.result(
                    index,
                    &result,
                    &line,
                    streaks.done(index),
                    change == Change::Changed,
                );
                latest[index] = Some(result);
            }
            if streaks.all_done() {
                break false;
            }
            let left = deadline.saturating_sub(started.elapsed());
            if left.is_zero() {
                break true;
            }
            tokio::time::sleep(interval.min(left)).await;
            if deadline.saturating_sub(started.elapsed()).is_zero() {
                break true;
            }
        };
        let results: Vec<TargetResult> = latest.into_iter().flatten().collect();
        let mut report = HealthReport::new(results, strict, elapsed_ms(started));
        report.waited_ms = Some(elapsed_ms(started));
        report.timed_out = timed_out;
        report
    }
}

/// A target's state in one line, as progress shows it.
fn state_line(
    result: &TargetResult,
    streaks: &Streaks,
    index: usize,
    successes: u32,
    strict: bool,
    started: Instant,
) -> String {
    if !result.health.is_up(strict) {
        return format!("{}: {}", result.health.label(), result.detail);
    }
    if streaks.done(index) {
        format!(
            "{} after {:.1}s",
            result.health.label(),
            started.elapsed().as_secs_f64()
        )
    } else {
        format!(
            "{} ({}/{successes})",
            result.health.label(),
            streaks.streak(index)
        )
    }
}
