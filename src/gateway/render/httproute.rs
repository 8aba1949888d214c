//! A Kubernetes Gateway API `HTTPRoute`: one rule per route with a
//! `PathPrefix` match (which matches whole path elements) and weighted
//! `backendRefs`, a rule before it for the pin header, and a catch-all for
//! the monolith. The backends are Services named after the services.

use std::fmt::Write as _;

use super::super::model::{Gateway, HttpRouteTarget, Mode};
use super::GENERATED;

#[must_use]
pub fn render(gateway: &Gateway, target: &HttpRouteTarget) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {GENERATED}");
    let _ = writeln!(
        out,
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: {}\nspec:\n  parentRefs:\n    - name: {}\n  rules:",
        target.name, target.gateway
    );
    let monolith = format!(
        "name: {}\n          port: {}",
        target.monolith_service, target.port
    );
    for route in &gateway.routes {
        let service_port = route
            .urls
            .first()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.port_or_known_default())
            .unwrap_or(80);
        let service = format!("name: {}\n          port: {service_port}", route.service);
        let path = format!(
            "        - path:\n            type: PathPrefix\n            value: {}",
            route.prefix
        );
        if route.mode == Mode::External
            && let Some(pin) = &route.pin
        {
            let _ = writeln!(
                out,
                "    - matches:\n{path}\n          headers:\n            - name: {}\n              value: \"{}\"\n      backendRefs:\n        - {service}",
                pin.header, pin.value
            );
        }
        let _ = writeln!(out, "    - matches:\n{path}\n      backendRefs:");
        let weight = Gateway::effective_weight(route);
        if weight < 100 {
            let _ = writeln!(
                out,
                "        - {monolith}\n          weight: {}",
                100 - weight
            );
        }
        if weight > 0 {
            let _ = writeln!(out, "        - {service}\n          weight: {weight}");
        }
    }
    let _ = writeln!(
        out,
        "    - matches:\n        - path:\n            type: PathPrefix\n            value: /\n      backendRefs:\n        - {monolith}"
    );
    out
}
