//! Requests per minute per domain from access logs: nginx/Apache "combined"
//! lines and JSON lines as the guide's logging middleware writes them. Routes
//! map to domains by the longest matching prefix (Next.js route folders and
//! `[traffic.routes]`). Malformed lines are counted, never fatal. Pure.

use std::collections::BTreeMap;

use serde::Serialize;

/// Per-domain request rates over the window the logs cover.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Traffic {
    pub sources: Vec<String>,
    pub requests: u64,
    pub malformed_lines: u64,
    /// Requests whose path matched no domain route.
    pub unmatched: u64,
    /// Minutes from the first to the last request, inclusive.
    pub window_minutes: u64,
    pub per_domain: BTreeMap<String, Rate>,
}

/// Average and peak requests per minute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rate {
    pub requests: u64,
    pub avg_per_min: f64,
    pub peak_per_min: u64,
}

/// Route prefixes to domains, longest first.
#[derive(Debug, Clone, Default)]
pub struct RouteMap {
    routes: Vec<(String, String)>,
}

impl RouteMap {
    /// `(prefix, domain)` pairs; `[id]`-style dynamic segments end the prefix.
    #[must_use]
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut routes: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(prefix, domain)| {
                let cut = prefix.find("/[").map_or(prefix.as_str(), |i| &prefix[..i]);
                (cut.trim_end_matches('/').to_owned(), domain)
            })
            .filter(|(prefix, _)| !prefix.is_empty())
            .collect();
        routes.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        routes.dedup();
        RouteMap { routes }
    }

    #[must_use]
    pub fn domain_of(&self, path: &str) -> Option<&str> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        self.routes
            .iter()
            .find(|(prefix, _)| {
                path == prefix
                    || path
                        .strip_prefix(prefix.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
            .map(|(_, domain)| domain.as_str())
    }
}

/// Counts requests per (domain, minute).
#[derive(Debug, Default)]
pub struct TrafficCounter {
    buckets: BTreeMap<String, BTreeMap<i64, u64>>,
    first: Option<i64>,
    last: Option<i64>,
    requests: u64,
    malformed: u64,
    unmatched: u64,
}

impl TrafficCounter {
    /// Adds one log line (either format); returns whether it was understood.
    pub fn add_line(&mut self, line: &str, routes: &RouteMap) -> bool {
        let line = line.trim();
        if line.is_empty() {
            return true;
        }
        let parsed = if line.starts_with('{') {
            parse_json(line)
        } else {
            parse_combined(line)
        };
        let Some((minute, path)) = parsed else {
            self.malformed += 1;
            return false;
        };
        self.requests += 1;
        self.first = Some(self.first.map_or(minute, |f| f.min(minute)));
        self.last = Some(self.last.map_or(minute, |l| l.max(minute)));
        match routes.domain_of(&path) {
            Some(domain) => {
                *self
                    .buckets
                    .entry(domain.to_owned())
                    .or_default()
                    .entry(minute)
                    .or_default() += 1;
            }
            None => self.unmatched += 1,
        }
        true
    }

    /// A line that could not be read whole (too long).
    pub fn add_malformed(&mut self) {
        self.malformed += 1;
    }

    #[must_use]
    pub fn finish(self, sources: Vec<String>) -> Traffic {
        let window = match (self.first, self.last) {
            (Some(first), Some(last)) => u64::try_from(last - first + 1).unwrap_or(1),
            _ => 0,
        };
        let per_domain = self
            .buckets
            .into_iter()
            .map(|(domain, minutes)| {
                let requests: u64 = minutes.values().sum();
                let peak = minutes.values().copied().max().unwrap_or(0);
                #[allow(clippy::cast_precision_loss)] // request counts stay far below 2^52
                let avg = if window == 0 {
                    0.0
                } else {
                    requests as f64 / window as f64
                };
                (
                    domain,
                    Rate {
                        requests,
                        avg_per_min: (avg * 10.0).round() / 10.0,
                        peak_per_min: peak,
                    },
                )
            })
            .collect();
        Traffic {
            sources,
            requests: self.requests,
            malformed_lines: self.malformed,
            unmatched: self.unmatched,
            window_minutes: window,
            per_domain,
        }
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix minute of `24/Nov/2026:10:00:00 +0000`.
fn combined_time(text: &str) -> Option<i64> {
    let (stamp, zone) = text.split_once(' ')?;
    let mut parts = stamp.split([':', '/']);
    let day: i64 = parts.next()?.parse().ok()?;
    let month_name = parts.next()?;
    let month = i64::try_from(MONTHS.iter().position(|m| *m == month_name)?).ok()? + 1;
    let year: i64 = parts.next()?.parse().ok()?;
    let hour: i64 = parts.next()?.parse().ok()?;
    let minute: i64 = parts.next()?.parse().ok()?;
    let _seconds: i64 = parts.next()?.parse().ok()?;
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let zone_digits = zone.trim_start_matches(['+', '-']);
    if zone_digits.len() != 4 {
        return None;
    }
    let offset = sign
        * (zone_digits[..2].parse::<i64>().ok()? * 60 + zone_digits[2..].parse::<i64>().ok()?);
    Some(days_from_civil(year, month, day) * 1440 + hour * 60 + minute - offset)
}

/// `IP - user [time] "METHOD /path HTTP/1.1" status bytes …` → (minute, path).
fn parse_combined(line: &str) -> Option<(i64, String)> {
    let open = line.find('[')?;
    let close = open + line[open..].find(']')?;
    let minute = combined_time(&line[open + 1..close])?;
    let rest = &line[close + 1..];
    let q1 = rest.find('"')?;
    let q2 = q1 + 1 + rest[q1 + 1..].find('"')?;
    let mut request = rest[q1 + 1..q2].split(' ');
    let _method = request.next()?;
    let path = request.next()?;
    let _protocol = request.next()?;
    let mut fields = rest[q2 + 1..].split_whitespace();
    let status: u16 = fields.next()?.parse().ok()?;
    // The body size (a number or `-`) completes a well-formed line.
    let bytes = fields.next()?;
    if !(bytes == "-" || bytes.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    if !(100..=599).contains(&status) || !path.starts_with('/') {
        return None;
    }
    Some((minute, path.to_owned()))
}

/// ISO 8601 `2026-11-24T10:00:00.123Z` (or with an offset) → unix minute.
fn iso_minute(text: &str) -> Option<i64> {
    let (date, time) = text.split_once(['T', ' '])?;
    let mut d = date.split('-');
    let (year, month, day): (i64, i64, i64) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    let hour: i64 = time.get(0..2)?.parse().ok()?;
    let minute: i64 = time.get(3..5)?.parse().ok()?;
    let zone = &time[time.find(['Z', '+', '-']).unwrap_or(time.len())..];
    let offset = match zone {
        "" | "Z" => 0,
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let digits: String = z[1..].chars().filter(char::is_ascii_digit).collect();
            sign * (digits.get(0..2)?.parse::<i64>().ok()? * 60
                + digits.get(2..4).unwrap_or("0").parse::<i64>().ok()?)
        }
    };
    Some(days_from_civil(year, month, day) * 1440 + hour * 60 + minute - offset)
}

/// A JSON line: time in `ts`/`time`/`timestamp` (ISO 8601 or epoch ms/s), path
/// in `path`/`url`/`route`.
fn parse_json(line: &str) -> Option<(i64, String)> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let time = ["ts", "time", "timestamp", "@timestamp"]
        .iter()
        .find_map(|k| value.get(k))?;
    let minute = match time {
        serde_json::Value::String(s) => iso_minute(s)?,
        serde_json::Value::Number(n) => {
            let raw = n.as_i64()?;
            // Milliseconds or seconds since the epoch.
            if raw > 100_000_000_000 {
                raw / 60_000
            } else {
                raw / 60
            }
        }
        _ => return None,
    };
    let path = ["path", "url", "route"]
        .iter()
        .find_map(|k| value.get(k)?.as_str())?;
    let path = path
        .split_once("://")
        .map_or(path, |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]));
    path.starts_with('/').then(|| (minute, path.to_owned()))
}

/// The PromQL skillsctl asks for: requests per minute by route.
pub const PROMETHEUS_QUERY: &str = "sum by (route) (rate(http_requests_total[1m])) * 60";

/// Per-domain rates from a Prometheus `query_range` answer (a matrix of
/// requests-per-minute series by `route`).
pub fn from_prometheus(
    answer: &serde_json::Value,
    routes: &RouteMap,
    source: &str,
) -> Result<Traffic, String> {
    if answer.get("status").and_then(serde_json::Value::as_str) != Some("success") {
        let error = answer
            .get("error")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("not a Prometheus answer");
        return Err(format!("Prometheus answered: {error}"));
    }
    let series = answer
        .pointer("/data/result")
        .and_then(serde_json::Value::as_array)
        .ok_or("the answer has no data.result")?;
    // domain → timestamp → requests per minute
    let mut per_domain: BTreeMap<String, BTreeMap<i64, f64>> = BTreeMap::new();
    let mut stamps: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    let mut unmatched = 0.0;
    for s in series {
        let route = s
            .pointer("/metric/route")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        let Some(values) = s.get("values").and_then(serde_json::Value::as_array) else {
            continue;
        };
        for point in values {
            let (Some(ts), Some(v)) = (
                point.get(0).and_then(serde_json::Value::as_f64),
                point
                    .get(1)
                    .and_then(serde_json::Value::as_str)
                    .and_then(|v| v.parse::<f64>().ok()),
            ) else {
                continue;
            };
            #[allow(clippy::cast_possible_truncation)] // Unix seconds fit in i64
            let ts = ts as i64;
            stamps.insert(ts);
            match routes.domain_of(route) {
                Some(domain) => {
                    *per_domain
                        .entry(domain.to_owned())
                        .or_default()
                        .entry(ts)
                        .or_default() += v;
                }
                None => unmatched += v,
            }
        }
    }
    let window = stamps.len() as u64;
    let per_domain = per_domain
        .into_iter()
        .map(|(domain, points)| {
            let total: f64 = points.values().sum();
            let peak = points.values().copied().fold(0.0, f64::max);
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )] // rates are small and positive
            let rate = Rate {
                requests: total.round() as u64,
                avg_per_min: if window == 0 {
                    0.0
                } else {
                    (total / window as f64 * 10.0).round() / 10.0
                },
                peak_per_min: peak.round() as u64,
            };
            (domain, rate)
        })
        .collect();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let unmatched = unmatched.round() as u64;
    Ok(Traffic {
        sources: vec![source.to_owned()],
        requests: 0,
        malformed_lines: 0,
        unmatched,
        window_minutes: window,
        per_domain,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> RouteMap {
        RouteMap::new([
            ("/api/v1/skills/[id]".to_owned(), "skills".to_owned()),
            ("/api/v1/skills".to_owned(), "skills".to_owned()),
            (
                "/api/v1/integrations/github".to_owned(),
                "github".to_owned(),
            ),
        ])
    }

    #[test]
    fn combined_and_json_lines() {
        let mut counter = TrafficCounter::default();
        let r = routes();
        assert!(counter.add_line(r#"10.0.0.1 - - [24/Nov/2026:10:00:59 +0000] "GET /api/v1/skills?x=1 HTTP/1.1" 200 512 "-" "curl/8""#, &r));
        assert!(counter.add_line(r#"10.0.0.1 - - [24/Nov/2026:11:01:00 +0100] "GET /api/v1/skills/abc HTTP/1.1" 304 0 "-" "curl/8""#, &r));
        assert!(counter.add_line(r#"{"ts":"2026-11-24T10:02:10.5Z","method":"GET","path":"/api/v1/integrations/github","status":200}"#, &r));
        assert!(counter.add_line(r#"10.0.0.1 - - [24/Nov/2026:10:03:00 +0000] "GET /api/health HTTP/1.1" 200 5 "-" "k8s""#, &r));
        assert!(!counter.add_line("2026/11/24 10:00:00 [error] 12#12: upstream timed out", &r));
        assert!(!counter.add_line(
            r#"10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" ok 1"#,
            &r
        ));
        let t = counter.finish(vec![]);
        assert_eq!(
            (t.requests, t.malformed_lines, t.unmatched, t.window_minutes),
            (4, 2, 1, 4)
        );
        assert_eq!(
            t.per_domain["skills"],
            Rate {
                requests: 2,
                avg_per_min: 0.5,
                peak_per_min: 1
            }
        );
        assert_eq!(t.per_domain["github"].requests, 1);
    }

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    proptest::proptest! {
        /// Hostile input: any log line is counted or counted as malformed, and
        /// any JSON answer is read or refused with a reason; never a panic.
        #[test]
        fn any_log_line_or_prometheus_answer_is_taken_or_refused(
            line in "[ -~]{0,300}",
            json in r#"[\[\]{}":,0-9a-z. -]{0,300}"#,
        ) {
            let mut counter = TrafficCounter::default();
            let _ = counter.add_line(&line, &routes());
            let _ = counter.add_line(&format!("{{{line}}}"), &routes());
            let real = format!("127.0.0.1 - - [10/Oct/2026:13:55:36 +0000] \"GET {line} HTTP/1.1\" 200 2326 \"-\" \"curl\"");
            let _ = counter.add_line(&real, &routes());
            let _ = counter.finish(Vec::new());
            if let Ok(answer) = serde_json::from_str::<serde_json::Value>(&json) {
                let _ = from_prometheus(&answer, &routes(), "prometheus");
            }
            let wrapped = format!(r#"{{"status":"success","data":{{"resultType":"matrix","result":[{json}]}}}}"#);
            if let Ok(answer) = serde_json::from_str::<serde_json::Value>(&wrapped) {
                let _ = from_prometheus(&answer, &routes(), "prometheus");
            }
        }
    }
}
