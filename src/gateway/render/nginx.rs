//! nginx: an include for the `http` block. Each external route gets an
//! upstream for the service, a `split_clients` that sends `weight` percent of
//! requests to it, a `map` that pins requests carrying the pin header, and
//! two locations (`= /prefix` and `/prefix/`) so a prefix matches whole path
//! segments only. Every request is logged as one JSON line (rollout reads it).

use std::fmt::Write as _;

use super::super::model::{Gateway, Mode, NginxTarget, Route, ident};
use super::{GENERATED, host_port, is_https};

/// The JSON log line: route, upstream, status and times, escaped for JSON.
pub const LOG_FORMAT: &str = r#"'{"time":"$time_iso8601","route":"$skillsctl_route","upstream":"$upstream_addr","status":$status,"upstream_status":"$upstream_status","request_time":$request_time}'"#;

#[must_use]
pub fn render(gateway: &Gateway, target: &NginxTarget) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {GENERATED}");
    let _ = writeln!(out, "log_format skillsctl_json escape=json {LOG_FORMAT};\n");
    upstream(&mut out, "skillsctl_monolith", &gateway.monolith);
    for route in gateway.routes.iter().filter(|r| r.monolith.is_some()) {
        upstream(&mut out, &monolith_of(route), gateway.monolith_of(route));
    }
    for route in gateway.routes.iter().filter(|r| r.mode == Mode::External) {
        let id = ident(&route.service);
        let monolith = monolith_of(route);
        upstream(&mut out, &format!("skillsctl_svc_{id}"), &route.urls);
        let _ = writeln!(
            out,
            "split_clients \"${{request_id}}\" $skillsctl_split_{id} {{"
        );
        match route.weight {
            0 => {}
            100 => {
                let _ = writeln!(out, "    100% skillsctl_svc_{id};");
            }
            w => {
                let _ = writeln!(out, "    {w}% skillsctl_svc_{id};");
            }
        }
        if route.weight < 100 {
            let _ = writeln!(out, "    * {monolith};");
        }
        let _ = writeln!(out, "}}\n");
        let header = route.pin.as_ref().map_or_else(
            || "skillsctl_no_pin".to_owned(),
            |pin| format!("http_{}", pin.header.to_ascii_lowercase().replace('-', "_")),
        );
        let _ = writeln!(out, "map ${header} $skillsctl_to_{id} {{");
        if let Some(pin) = &route.pin {
            let _ = writeln!(out, "    \"{}\" skillsctl_svc_{id};", escape(&pin.value));
        }
        let _ = writeln!(out, "    default $skillsctl_split_{id};\n}}\n");
    }
    let _ = writeln!(out, "server {{");
    let _ = writeln!(out, "    listen {};", target.listen);
    match &target.access_log {
        Some(log) => {
            let _ = writeln!(out, "    access_log {log} skillsctl_json;");
        }
        None => {
            let _ = writeln!(out, "    access_log off;");
        }
    }
    let _ = writeln!(
        out,
        "    proxy_http_version 1.1;\n    proxy_set_header Connection \"\";\n    proxy_set_header Host $host;\n    proxy_set_header X-Request-Id $request_id;"
    );
    // The pin map needs a variable that is always empty when there is no pin.
    let _ = writeln!(out, "    set $skillsctl_no_pin \"\";\n");
    for route in &gateway.routes {
        for (matcher, path) in [
            ("= ", route.prefix.clone()),
            ("", format!("{}/", route.prefix.trim_end_matches('/'))),
        ] {
            if route.prefix == "/" && matcher.is_empty() {
                continue;
            }
            let _ = writeln!(out, "    location {matcher}{path} {{");
            location_body(&mut out, route);
            let _ = writeln!(out, "    }}");
        }
    }
    let _ = writeln!(
        out,
        "    location / {{\n        set $skillsctl_route monolith;\n        proxy_pass {}://skillsctl_monolith;\n    }}\n}}",
        scheme(&gateway.monolith)
    );
    out
}

fn location_body(out: &mut String, route: &Route) {
    let id = ident(&route.service);
    let _ = writeln!(out, "        set $skillsctl_route {};", route.service);
    if let Some(t) = route.connect_timeout {
        let _ = writeln!(out, "        proxy_connect_timeout {}ms;", t.as_millis());
    }
    if let Some(t) = route.timeout {
        let _ = writeln!(out, "        proxy_read_timeout {}ms;", t.as_millis());
    }
    match route.mode {
        Mode::Internal => {
            let _ = writeln!(out, "        proxy_pass http://{};", monolith_of(route));
        }
        Mode::External => {
            let _ = writeln!(
                out,
                "        proxy_pass {}://$skillsctl_to_{id};",
                scheme(&route.urls)
            );
        }
    }
}

/// The upstream a route's monolith share goes to.
fn monolith_of(route: &Route) -> String {
    if route.monolith.is_some() {
        format!("skillsctl_monolith_{}", ident(&route.service))
    } else {
        "skillsctl_monolith".to_owned()
    }
}

fn upstream(out: &mut String, name: &str, urls: &[String]) {
    let _ = writeln!(out, "upstream {name} {{");
    for url in urls {
        let _ = writeln!(out, "    server {};", host_port(url));
    }
    let _ = writeln!(out, "    keepalive 16;\n}}\n");
}

fn scheme(urls: &[String]) -> &'static str {
    if is_https(urls) { "https" } else { "http" }
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}
