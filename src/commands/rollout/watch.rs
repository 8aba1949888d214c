//! Where a step reads what the gateway saw: the lines nginx's JSON access log
//! gained since the step began, or HAProxy's counters against the reading
//! taken when the step's weight was set. With `--haproxy-runtime`, HAProxy;
//! else nginx's log when the gateway file names one; else HAProxy's socket
//! when it names one; else nothing (health and smoke still gate the step).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::analysis::{self, Traffic};
use crate::adapters::gateway::{self as real, GatewayError};
use crate::gateway::stats::{self, ServerCounters};
use crate::gateway::{self, Gateway, Route};
use crate::suite::model::Threshold;

pub enum Watch {
    NginxLog {
        path: PathBuf,
        offset: u64,
        route: String,
        upstreams: Vec<String>,
    },
    Haproxy {
        socket: PathBuf,
        before: BTreeMap<(String, String), ServerCounters>,
        servers: Vec<(String, String)>,
    },
}

/// nginx's access log and its length now, before the step changes anything.
#[must_use]
pub fn log_mark(base: &Path, gateway: &Gateway) -> Option<(PathBuf, u64)> {
    let path = base.join(gateway.render.nginx.as_ref()?.access_log.as_ref()?);
    let offset = std::fs::metadata(&path).map_or(0, |m| m.len());
    Some((path, offset))
}

impl Watch {
    /// The watch for `route` once its weight is set; `log` is [`log_mark`]'s.
    pub fn start(
        base: &Path,
        gateway: &Gateway,
        route: &Route,
        log: Option<(PathBuf, u64)>,
        prefer_haproxy: bool,
    ) -> Result<Option<Watch>, GatewayError> {
        let socket = stats::socket(gateway).map(|s| base.join(s));
        let haproxy = |socket: PathBuf| -> Result<Option<Watch>, GatewayError> {
            Ok(Some(Watch::Haproxy {
                before: stats::parse(&real::haproxy_stats(&socket)?),
                socket,
                servers: stats::service_servers(route),
            }))
        };
        match (prefer_haproxy, socket, log) {
            (true, Some(socket), _) | (false, Some(socket), None) => haproxy(socket),
            (false, _, Some((path, offset))) => Ok(Some(Watch::NginxLog {
                path,
                offset,
                route: route.service.clone(),
                upstreams: route
                    .urls
                    .iter()
                    .map(|u| gateway::render::host_port(u))
                    .collect(),
            })),
            _ => Ok(None),
        }
    }

    /// The share so far, `seconds` into the watch, judged.
    pub fn traffic(&self, seconds: f64, thresholds: &[Threshold]) -> Result<Traffic, GatewayError> {
        Ok(match self {
            Watch::NginxLog {
                path,
                offset,
                route,
                upstreams,
            } => {
                let text = read_from(path, *offset);
                let samples = analysis::samples(&text, route, upstreams);
                Traffic::NginxLog(analysis::judge(&samples, seconds, thresholds))
            }
            Watch::Haproxy {
                socket,
                before,
                servers,
            } => {
                let after = stats::parse(&real::haproxy_stats(socket)?);
                let share = stats::share(before, &after, servers);
                Traffic::HaproxyStats(analysis::judge_haproxy(&share, seconds, thresholds))
            }
        })
    }
}

/// The log's bytes from `offset` (what the step added).
fn read_from(path: &Path, offset: u64) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return String::new();
    };
    if file.seek(SeekFrom::Start(offset)).is_err() {
        return String::new();
    }
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    text
}
