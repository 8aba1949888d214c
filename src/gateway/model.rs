//! The gateway as skillsctl reads it from `gateway.toml`: the monolith
//! upstream, and routes by path prefix, each internal (the monolith serves it)
//! or external (a share of its traffic, `weight` percent, goes to the
//! service's URLs). One model for update-gateway-config, rollout and
//! extract-service; every renderer reads it.

use std::time::Duration;

/// The whole gateway file.
#[derive(Debug, Clone, PartialEq)]
pub struct Gateway {
    /// Where a route goes when the service does not take it.
    pub monolith: Vec<String>,
    pub routes: Vec<Route>,
    pub render: RenderTargets,
}

/// One path prefix and who serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The service's name (`ai`), unique in the file.
    pub service: String,
    /// `/api/v1/ai`: matched by whole path segments, so `/api/v1/aix` is not it.
    pub prefix: String,
    /// This route's own monolith upstream, where it is not `[monolith]`.
    pub monolith: Option<Vec<String>>,
    pub mode: Mode,
    /// The service's URLs (external routes).
    pub urls: Vec<String>,
    /// Percent of the route's traffic sent to the service (0..=100).
    pub weight: u8,
    /// A header that sends a request to the service whatever the weight (testers).
    pub pin: Option<Pin>,
    /// The service's own timeouts.
    pub connect_timeout: Option<Duration>,
    pub timeout: Option<Duration>,
    /// Where the service answers its health check.
    pub health_path: String,
    /// This prefix is meant to sit inside another route's (no shadowing warning).
    pub nested: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The monolith serves the route (in-process, through the app's router).
    Internal,
    /// The service serves `weight` percent of it.
    External,
}

impl Mode {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Mode::Internal => "internal",
            Mode::External => "external",
        }
    }
}

/// `X-Canary: 1` always goes to the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub header: String,
    pub value: String,
}

/// Where rendered configs are written (relative to the gateway file) and how
/// the real gateways are told.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenderTargets {
    /// The app's in-process router config (JSON).
    pub app: Option<String>,
    pub nginx: Option<NginxTarget>,
    pub haproxy: Option<HaproxyTarget>,
    /// A Kubernetes Gateway API HTTPRoute (YAML).
    pub httproute: Option<HttpRouteTarget>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NginxTarget {
    pub file: String,
    /// The port the rendered `server` listens on.
    pub listen: String,
    /// Where the JSON access log that rollout reads goes.
    pub access_log: Option<String>,
    /// Run after a render, e.g. `nginx -s reload`.
    pub reload: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HaproxyTarget {
    pub file: String,
    pub bind: String,
    /// The admin socket (`stats socket … level admin`) for weight changes without a reload.
    pub socket: Option<String>,
    pub reload: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpRouteTarget {
    pub file: String,
    pub name: String,
    /// The Gateway the route attaches to.
    pub gateway: String,
    /// Kubernetes Service names and ports of the backends.
    pub monolith_service: String,
    pub port: u16,
}

impl Gateway {
    #[must_use]
    pub fn route(&self, service: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.service == service)
    }

    /// The monolith upstream of `route`: its own, else `[monolith]`.
    #[must_use]
    pub fn monolith_of<'a>(&'a self, route: &'a Route) -> &'a [String] {
        route.monolith.as_deref().unwrap_or(&self.monolith)
    }

    /// The share the service really gets: 0 for internal routes.
    #[must_use]
    pub fn effective_weight(route: &Route) -> u8 {
        match route.mode {
            Mode::Internal => 0,
            Mode::External => route.weight,
        }
    }
}

/// Whether `inner` lies inside `outer` by whole segments (`/api/v1` holds
/// `/api/v1/ai`, not `/api/v1ai`).
#[must_use]
pub fn within(outer: &str, inner: &str) -> bool {
    let outer = outer.trim_end_matches('/');
    inner == outer
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A service name as upstream and backend names need it: letters, digits, `_`.
#[must_use]
pub fn ident(service: &str) -> String {
    service
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
