//! HAProxy: a whole `haproxy.cfg`. The frontend matches each prefix by whole
//! segments (`path` or `path_beg prefix/`), pinned requests go to the
//! service's own backend, the rest to a backend whose servers carry the
//! weights (round robin, so the split is exact). Weights can also change at
//! run time on the admin socket: [`weight_commands`].

use std::fmt::Write as _;

use super::super::model::{Gateway, HaproxyTarget, Mode, Route, ident};
use super::{GENERATED, host_port};

#[must_use]
pub fn render(gateway: &Gateway, target: &HaproxyTarget) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {GENERATED}");
    let _ = writeln!(out, "global");
    if let Some(socket) = &target.socket {
        let _ = writeln!(out, "    stats socket {socket} mode 600 level admin");
    }
    let _ = writeln!(
        out,
        "\ndefaults\n    mode http\n    option http-keep-alive\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n"
    );
    let _ = writeln!(out, "frontend skillsctl\n    bind {}", target.bind);
    for route in &gateway.routes {
        let id = ident(&route.service);
        let _ = writeln!(out, "    acl route_{id} path {}", route.prefix);
        if route.prefix != "/" {
            let _ = writeln!(
                out,
                "    acl route_{id} path_beg {}/",
                route.prefix.trim_end_matches('/')
            );
        }
        if route.mode == Mode::External
            && let Some(pin) = &route.pin
        {
            let _ = writeln!(
                out,
                "    acl pin_{id} req.hdr({}) -m str {}",
                pin.header, pin.value
            );
        }
    }
    for route in gateway
        .routes
        .iter()
        .filter(|r| r.mode == Mode::External && r.pin.is_some())
    {
        let id = ident(&route.service);
        let _ = writeln!(out, "    use_backend svc_{id} if route_{id} pin_{id}");
    }
    // Longest prefix first, as nginx chooses locations.
    let mut ordered: Vec<&Route> = gateway.routes.iter().collect();
    ordered.sort_by_key(|r| std::cmp::Reverse(r.prefix.len()));
    for route in ordered {
        let id = ident(&route.service);
        let backend = match (route.mode, &route.monolith) {
            (Mode::External, _) => format!("route_{id}"),
            (Mode::Internal, Some(_)) => format!("monolith_{id}"),
            (Mode::Internal, None) => "monolith".to_owned(),
        };
        let _ = writeln!(out, "    use_backend {backend} if route_{id}");
    }
    let _ = writeln!(out, "    default_backend monolith\n");
    backend(
        &mut out,
        "monolith",
        &[("monolith", &gateway.monolith, None)],
        None,
    );
    for route in gateway
        .routes
        .iter()
        .filter(|r| r.mode == Mode::Internal && r.monolith.is_some())
    {
        let own = gateway.monolith_of(route).to_vec();
        let name = format!("monolith_{}", ident(&route.service));
        backend(&mut out, &name, &[("monolith", &own, None)], Some(route));
    }
    for route in gateway.routes.iter().filter(|r| r.mode == Mode::External) {
        let id = ident(&route.service);
        let (monolith_weight, service_weight) = server_weights(gateway, route);
        backend(
            &mut out,
            &format!("route_{id}"),
            &[
                (
                    "monolith",
                    &gateway.monolith_of(route).to_vec(),
                    Some(monolith_weight),
                ),
                (&id, &route.urls, Some(service_weight)),
            ],
            Some(route),
        );
        backend(
            &mut out,
            &format!("svc_{id}"),
            &[(&id, &route.urls, None)],
            Some(route),
        );
    }
    out
}

/// Per-server weights: the monolith's servers share `100 - weight`, the
/// service's share `weight` (HAProxy weights go up to 256).
#[must_use]
pub fn server_weights(gateway: &Gateway, route: &Route) -> (u32, u32) {
    let share = |total: u32, servers: usize| -> u32 {
        let servers = u32::try_from(servers.max(1)).unwrap_or(1);
        if total == 0 {
            0
        } else {
            (total / servers).max(1)
        }
    };
    (
        share(
            100 - u32::from(route.weight),
            gateway.monolith_of(route).len(),
        ),
        share(u32::from(route.weight), route.urls.len()),
    )
}

fn backend(
    out: &mut String,
    name: &str,
    groups: &[(&str, &Vec<String>, Option<u32>)],
    route: Option<&Route>,
) {
    let _ = writeln!(out, "backend {name}\n    balance roundrobin");
    if let Some(route) = route {
        if let Some(t) = route.connect_timeout {
            let _ = writeln!(out, "    timeout connect {}ms", t.as_millis());
        }
        if let Some(t) = route.timeout {
            let _ = writeln!(out, "    timeout server {}ms", t.as_millis());
        }
    }
    for (prefix, urls, weight) in groups {
        for (i, url) in urls.iter().enumerate() {
            let ssl = if url.starts_with("https://") {
                " ssl verify none"
            } else {
                ""
            };
            let weight = weight.map(|w| format!(" weight {w}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "    server {prefix}{} {}{weight}{ssl}",
                i + 1,
                host_port(url)
            );
        }
    }
    let _ = writeln!(out);
}

/// The admin-socket commands that set a route's weights without a reload.
#[must_use]
pub fn weight_commands(gateway: &Gateway, route: &Route) -> Vec<String> {
    let id = ident(&route.service);
    let (monolith, service) = server_weights(gateway, route);
    let mut commands = Vec::new();
    for i in 1..=gateway.monolith_of(route).len() {
        commands.push(format!(
            "set server route_{id}/monolith{i} weight {monolith}"
        ));
    }
    for i in 1..=route.urls.len() {
        commands.push(format!("set server route_{id}/{id}{i} weight {service}"));
    }
    commands
}
