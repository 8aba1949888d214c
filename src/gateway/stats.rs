//! What HAProxy saw of a service's share, from two `show stat` readings: the
//! counters of the service's servers (in the route's weighted backend and
//! its pinned one) taken apart. HAProxy keeps no percentiles; its `rtime` is
//! the average response time of a server's last 1024 requests, so that is
//! what a latency threshold is judged on here, and the report says so. Pure:
//! the caller reads the socket.

use std::collections::BTreeMap;

use super::model::{Gateway, Route, ident};

/// One server's counters, as `show stat` prints them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ServerCounters {
    /// Answers the server gave (`hrsp_1xx` .. `hrsp_other`).
    pub answers: u64,
    /// Its 5xx answers.
    pub server_errors: u64,
    /// Connections it refused or broke, and responses it broke (`econ`, `eresp`).
    pub failures: u64,
    /// HAProxy's average response time of its last 1024 requests, in ms.
    pub rtime_ms: u64,
}

/// `(backend, server)` → counters, from `show stat` CSV; columns are found by
/// the header's names, so versions that add columns read the same.
#[must_use]
pub fn parse(csv: &str) -> BTreeMap<(String, String), ServerCounters> {
    let mut lines = csv.lines();
    let Some(header) = lines.next().and_then(|h| h.strip_prefix("# ")) else {
        return BTreeMap::new();
    };
    let names: Vec<&str> = header.split(',').collect();
    let column = |name: &str| names.iter().position(|n| *n == name);
    let answer_columns: Vec<usize> = [
        "hrsp_1xx",
        "hrsp_2xx",
        "hrsp_3xx",
        "hrsp_4xx",
        "hrsp_5xx",
        "hrsp_other",
    ]
    .iter()
    .filter_map(|n| column(n))
    .collect();
    let (five, econ, eresp, rtime) = (
        column("hrsp_5xx"),
        column("econ"),
        column("eresp"),
        column("rtime"),
    );
    let mut out = BTreeMap::new();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let (Some(backend), Some(server)) = (fields.first(), fields.get(1)) else {
            continue;
        };
        if matches!(*server, "FRONTEND" | "BACKEND") || server.is_empty() {
            continue;
        }
        let number = |i: Option<usize>| -> u64 {
            i.and_then(|i| fields.get(i))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        let counters = ServerCounters {
            answers: answer_columns.iter().map(|i| number(Some(*i))).sum(),
            server_errors: number(five),
            failures: number(econ) + number(eresp),
            rtime_ms: number(rtime),
        };
        out.insert(((*backend).to_owned(), (*server).to_owned()), counters);
    }
    out
}

/// The servers that carry `route`'s service, as the HAProxy renderer names
/// them: in the weighted backend and in the pinned one.
#[must_use]
pub fn service_servers(route: &Route) -> Vec<(String, String)> {
    let id = ident(&route.service);
    let mut out = Vec::new();
    for backend in [format!("route_{id}"), format!("svc_{id}")] {
        for i in 1..=route.urls.len() {
            out.push((backend.clone(), format!("{id}{i}")));
        }
    }
    out
}

/// The service's share between two readings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    pub requests: u64,
    pub errors: u64,
    /// The servers' `rtime`, weighted by the requests each took; `None`
    /// when they took none.
    pub average_ms: Option<f64>,
}

/// What `servers` did between `before` and `after`. A server whose counters
/// went down was restarted with the gateway (a reload): its `after` counts
/// from zero.
#[must_use]
// Request counts stay far below 2^52: the float conversions are exact.
#[allow(clippy::cast_precision_loss)]
pub fn share(
    before: &BTreeMap<(String, String), ServerCounters>,
    after: &BTreeMap<(String, String), ServerCounters>,
    servers: &[(String, String)],
) -> Share {
    let (mut requests, mut errors, mut weighted) = (0u64, 0u64, 0f64);
    for key in servers {
        let Some(now) = after.get(key) else { continue };
        let was = before.get(key).copied().unwrap_or_default();
        let reset = now.answers < was.answers || now.failures < was.failures;
        let was = if reset {
            ServerCounters::default()
        } else {
            was
        };
        let answered = now.answers - was.answers;
        let failed = now.failures - was.failures;
        let taken = answered + failed;
        requests += taken;
        errors += now.server_errors.saturating_sub(was.server_errors) + failed;
        weighted += now.rtime_ms as f64 * taken as f64;
    }
    Share {
        requests,
        errors,
        average_ms: (requests > 0).then(|| weighted / requests as f64),
    }
}

/// The admin socket of the gateway's HAProxy target, when it names one.
#[must_use]
pub fn socket(gateway: &Gateway) -> Option<&str> {
    gateway
        .render
        .haproxy
        .as_ref()
        .and_then(|h| h.socket.as_deref())
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // the values are exact by construction
mod tests {
    use super::*;

    const HEADER: &str = "# pxname,svname,qcur,econ,eresp,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,rtime,\n";

    fn reading(rows: &[&str]) -> BTreeMap<(String, String), ServerCounters> {
        parse(&format!("{HEADER}{}\n", rows.join("\n")))
    }

    #[test]
    fn the_share_is_the_service_servers_difference() {
        let before = reading(&[
            "route_ai,monolith1,0,0,0,0,90,0,0,0,0,3,",
            "route_ai,ai1,0,0,0,0,10,0,0,1,0,20,",
            "route_ai,BACKEND,0,0,0,0,100,0,0,1,0,5,",
        ]);
        let after = reading(&[
            "route_ai,monolith1,0,0,0,0,900,0,0,0,0,3,",
            "route_ai,ai1,0,2,1,0,100,0,5,4,0,40,",
            "svc_ai,ai1,0,0,0,0,10,0,0,0,0,10,",
        ]);
        let servers = [
            ("route_ai".to_owned(), "ai1".to_owned()),
            ("svc_ai".to_owned(), "ai1".to_owned()),
        ];
        let share = share(&before, &after, &servers);
        // route_ai/ai1: 98 answers + 3 failures, 3 of the answers 5xx; svc_ai/ai1: 10.
        assert_eq!((share.requests, share.errors), (111, 6));
        assert_eq!(share.average_ms, Some((40.0 * 101.0 + 10.0 * 10.0) / 111.0));
    }

    #[test]
    fn a_reloaded_gateway_counts_from_zero_and_no_traffic_has_no_average() {
        let before = reading(&["route_ai,ai1,0,0,0,0,500,0,0,0,0,20,"]);
        let after = reading(&["route_ai,ai1,0,0,0,0,7,0,0,1,0,30,"]);
        let servers = [("route_ai".to_owned(), "ai1".to_owned())];
        let share = share(&before, &after, &servers);
        assert_eq!((share.requests, share.errors), (8, 1));
        let idle = super::share(&after, &after, &servers);
        assert_eq!((idle.requests, idle.average_ms), (0, None));
    }

    #[test]
    fn columns_are_found_by_name_and_junk_is_skipped() {
        let no_counters = parse("# pxname,svname\nb,s1\nb,BACKEND\n");
        assert_eq!(
            no_counters.into_iter().collect::<Vec<_>>(),
            [(("b".to_owned(), "s1".to_owned()), ServerCounters::default())]
        );
        assert!(parse("").is_empty());
        let moved = "# pxname,svname,hrsp_2xx,extra,rtime\nb,s1,42,x,7\n";
        let counters = parse(moved)[&("b".to_owned(), "s1".to_owned())];
        assert_eq!((counters.answers, counters.rtime_ms), (42, 7));
    }
}
