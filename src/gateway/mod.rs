//! The gateway (guide §3.1): `gateway.toml` as the source of truth for which
//! service serves which path prefix, edited in place, validated, and rendered
//! for the real gateways. One model for update-gateway-config, rollout and
//! extract-service.
//!
//! - [`model`]: routes, modes, weights, pins, render targets.
//! - [`parse`]: the file → model, every mistake at file:line:col.
//! - [`edit`]: changes applied with toml_edit (comments survive).
//! - [`apply`]: one change set for the file, its backup, history and renders; reloads.
//! - [`render`]: the app's JSON, nginx, HAProxy, a Kubernetes HTTPRoute.
//! - [`stats`]: a service's share from two HAProxy `show stat` readings.

pub mod apply;
pub mod edit;
pub mod model;
pub mod parse;
pub mod render;
pub mod stats;

pub use model::{Gateway, Mode, Route};
pub use parse::parse;

/// One rendered file: where it goes (relative to the gateway file) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub kind: &'static str,
    pub path: String,
    pub text: String,
}

/// Every target the gateway file names, rendered.
#[must_use]
pub fn render_all(gateway: &Gateway) -> Vec<Rendered> {
    let mut out = Vec::new();
    let targets = &gateway.render;
    if let Some(path) = &targets.app {
        out.push(Rendered {
            kind: "app",
            path: path.clone(),
            text: render::app::render(gateway),
        });
    }
    if let Some(target) = &targets.nginx {
        out.push(Rendered {
            kind: "nginx",
            path: target.file.clone(),
            text: render::nginx::render(gateway, target),
        });
    }
    if let Some(target) = &targets.haproxy {
        out.push(Rendered {
            kind: "haproxy",
            path: target.file.clone(),
            text: render::haproxy::render(gateway, target),
        });
    }
    if let Some(target) = &targets.httproute {
        out.push(Rendered {
            kind: "httproute",
            path: target.file.clone(),
            text: render::httproute::render(gateway, target),
        });
    }
    out
}

#[cfg(test)]
mod tests;
