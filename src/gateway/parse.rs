//! Reading `gateway.toml` into the [`Gateway`] model, every mistake at
//! file:line:col with its key, then the checks that need the whole file
//! (a prefix routed two ways, a prefix inside another without `nested`).

use std::time::Duration;

use toml_edit::{Item, TableLike};

use super::model::{
    Gateway, HaproxyTarget, HttpRouteTarget, Mode, NginxTarget, Pin, RenderTargets, Route, within,
};
use crate::config::reader::{LocatedError, Reader, join};

const TOP_KEYS: &[&str] = &["monolith", "route", "render"];
const ROUTE_KEYS: &[&str] = &[
    "service",
    "prefix",
    "monolith",
    "mode",
    "urls",
    "weight",
    "pin",
    "timeout",
    "connect_timeout",
    "health_path",
    "nested",
];

/// Parses and checks the gateway file `text` (shown as `file`).
pub fn parse(
    text: &str,
    file: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Gateway, LocatedError> {
    let reader = Reader { text, file, env };
    let doc = reader.document()?;
    let root = doc.as_table();
    reader.only_keys(root, "", TOP_KEYS)?;
    let monolith_item = root.get("monolith").ok_or_else(|| {
        reader.error(None, "monolith", "the gateway needs [monolith] with `urls`")
    })?;
    let monolith_table = reader.table(monolith_item, "monolith")?;
    reader.only_keys(monolith_table, "monolith", &["urls"])?;
    let monolith = urls(&reader, monolith_table, "monolith")?.ok_or_else(|| {
        reader.error(
            monolith_item.span(),
            "monolith.urls",
            "the monolith needs `urls`",
        )
    })?;
    let mut routes = Vec::new();
    if let Some(item) = root.get("route") {
        let array = item.as_array_of_tables().ok_or_else(|| {
            reader.error(
                item.span(),
                "route",
                "write each route as a [[route]] section",
            )
        })?;
        for (index, table) in array.iter().enumerate() {
            routes.push(read_route(&reader, table, &format!("route[{index}]"))?);
        }
    }
    let targets = match root.get("render") {
        Some(item) => read_render(&reader, item)?,
        None => RenderTargets::default(),
    };
    check_routes(&reader, text, &routes)?;
    Ok(Gateway {
        monolith,
        routes,
        render: targets,
    })
}

fn read_route(
    reader: &Reader<'_>,
    table: &toml_edit::Table,
    path: &str,
) -> Result<Route, LocatedError> {
    reader.only_keys(table, path, ROUTE_KEYS)?;
    let key = |k: &str| join(path, k);
    let need = |k: &str| {
        table
            .get(k)
            .ok_or_else(|| reader.error(table.span(), path, format!("a route needs `{k}`")))
    };
    let service_item = need("service")?;
    let service = reader.string(service_item, &key("service"))?;
    if service.is_empty()
        || !service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(reader.error(
            service_item.span(),
            &key("service"),
            format!("`{service}` is not a service name (lowercase letters, digits, `-`)"),
        ));
    }
    let prefix_item = need("prefix")?;
    let prefix = reader.string(prefix_item, &key("prefix"))?;
    if !prefix.starts_with('/')
        || (prefix.len() > 1 && prefix.ends_with('/'))
        || prefix.contains(['?', '#', ' '])
    {
        return Err(reader.error(
            prefix_item.span(),
            &key("prefix"),
            format!("`{prefix}` is not a path prefix: start with `/`, no trailing `/`, no query"),
        ));
    }
    let mode = match table.get("mode") {
        None => Mode::Internal,
        Some(item) => match reader.string(item, &key("mode"))?.as_str() {
            "internal" => Mode::Internal,
            "external" => Mode::External,
            other => {
                return Err(reader.error(
                    item.span(),
                    &key("mode"),
                    format!("`{other}` is not a mode: write \"internal\" or \"external\""),
                ));
            }
        },
    };
    let urls = urls(reader, table, path)?.unwrap_or_default();
    let monolith = table
        .get("monolith")
        .map(|item| url_list(reader, item, &key("monolith")))
        .transpose()?;
    if mode == Mode::External && urls.is_empty() {
        return Err(reader.error(
            table.span(),
            &key("urls"),
            format!("the external route `{service}` needs `urls`"),
        ));
    }
    let weight = match table.get("weight") {
        Some(item) => u8::try_from(reader.integer(item, &key("weight"), 0..=100)?).unwrap_or(0),
        None => 0,
    };
    let pin = match table.get("pin") {
        Some(item) => Some(read_pin(reader, item, &key("pin"))?),
        None => None,
    };
    let duration = |k: &str| -> Result<Option<Duration>, LocatedError> {
        table
            .get(k)
            .map(|item| reader.duration(item, &key(k)))
            .transpose()
    };
    Ok(Route {
        service,
        prefix,
        monolith,
        mode,
        urls,
        weight,
        pin,
        connect_timeout: duration("connect_timeout")?,
        timeout: duration("timeout")?,
        health_path: match table.get("health_path") {
            Some(item) => reader.string(item, &key("health_path"))?,
            None => "/health".to_owned(),
        },
        nested: match table.get("nested") {
            Some(item) => reader.bool(item, &key("nested"))?,
            None => false,
        },
    })
}

/// `urls = [...]`, each an http(s) URL.
fn urls(
    reader: &Reader<'_>,
    table: &dyn TableLike,
    path: &str,
) -> Result<Option<Vec<String>>, LocatedError> {
    table
        .get("urls")
        .map(|item| url_list(reader, item, &join(path, "urls")))
        .transpose()
}

/// A list of http(s) URLs, each checked where it is written.
fn url_list(reader: &Reader<'_>, item: &Item, key: &str) -> Result<Vec<String>, LocatedError> {
    let list = reader.strings(item, key)?;
    for (i, url) in list.iter().enumerate() {
        let parsed = url::Url::parse(url);
        let ok = parsed
            .as_ref()
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        if !ok {
            let span = item
                .as_array()
                .and_then(|a| a.get(i))
                .and_then(toml_edit::Value::span);
            return Err(reader.error(
                span,
                &format!("{key}[{i}]"),
                format!("`{}` is not an http(s) URL", crate::redact::url(url)),
            ));
        }
    }
    Ok(list)
}

fn read_pin(reader: &Reader<'_>, item: &Item, key: &str) -> Result<Pin, LocatedError> {
    let table = reader.table(item, key)?;
    reader.only_keys(table, key, &["header", "value"])?;
    let header = table
        .get("header")
        .ok_or_else(|| reader.error(item.span(), key, "`pin` needs `header` and `value`"))
        .and_then(|h| reader.string(h, &join(key, "header")))?;
    if !crate::adapters::http::headers::is_token(&header) {
        return Err(reader.error(
            item.span(),
            &join(key, "header"),
            format!("`{header}` is not a header name"),
        ));
    }
    let value = table
        .get("value")
        .ok_or_else(|| reader.error(item.span(), key, "`pin` needs `header` and `value`"))
        .and_then(|v| reader.string(v, &join(key, "value")))?;
    Ok(Pin { header, value })
}

fn read_render(reader: &Reader<'_>, item: &Item) -> Result<RenderTargets, LocatedError> {
    let table = reader.table(item, "render")?;
    reader.only_keys(table, "render", &["app", "nginx", "haproxy", "httproute"])?;
    let string = |t: &dyn TableLike, path: &str, k: &str| -> Result<Option<String>, LocatedError> {
        t.get(k)
            .map(|i| reader.string(i, &join(path, k)))
            .transpose()
    };
    let required =
        |t: &dyn TableLike, at: &Item, path: &str, k: &str| -> Result<String, LocatedError> {
            string(t, path, k)?
                .ok_or_else(|| reader.error(at.span(), path, format!("[{path}] needs `{k}`")))
        };
    let mut targets = RenderTargets {
        app: string(table, "render", "app")?,
        ..RenderTargets::default()
    };
    if let Some(item) = table.get("nginx") {
        let t = reader.table(item, "render.nginx")?;
        reader.only_keys(
            t,
            "render.nginx",
            &["file", "listen", "access_log", "reload"],
        )?;
        targets.nginx = Some(NginxTarget {
            file: required(t, item, "render.nginx", "file")?,
            listen: string(t, "render.nginx", "listen")?.unwrap_or_else(|| "8080".to_owned()),
            access_log: string(t, "render.nginx", "access_log")?,
            reload: string(t, "render.nginx", "reload")?,
        });
    }
    if let Some(item) = table.get("haproxy") {
        let t = reader.table(item, "render.haproxy")?;
        reader.only_keys(t, "render.haproxy", &["file", "bind", "socket", "reload"])?;
        targets.haproxy = Some(HaproxyTarget {
            file: required(t, item, "render.haproxy", "file")?,
            bind: string(t, "render.haproxy", "bind")?.unwrap_or_else(|| ":8081".to_owned()),
            socket: string(t, "render.haproxy", "socket")?,
            reload: string(t, "render.haproxy", "reload")?,
        });
    }
    if let Some(item) = table.get("httproute") {
        let t = reader.table(item, "render.httproute")?;
        reader.only_keys(
            t,
            "render.httproute",
            &["file", "name", "gateway", "monolith_service", "port"],
        )?;
        targets.httproute = Some(HttpRouteTarget {
            file: required(t, item, "render.httproute", "file")?,
            name: string(t, "render.httproute", "name")?.unwrap_or_else(|| "skills-api".to_owned()),
            gateway: string(t, "render.httproute", "gateway")?
                .unwrap_or_else(|| "gateway".to_owned()),
            monolith_service: string(t, "render.httproute", "monolith_service")?
                .unwrap_or_else(|| "monolith".to_owned()),
            port: match t.get("port") {
                Some(p) => u16::try_from(reader.integer(p, "render.httproute.port", 1..=65_535)?)
                    .unwrap_or(80),
                None => 80,
            },
        });
    }
    Ok(targets)
}

/// No service or prefix twice; no prefix inside another unless `nested`.
fn check_routes(reader: &Reader<'_>, text: &str, routes: &[Route]) -> Result<(), LocatedError> {
    let at = |index: usize, key: &str| {
        let path = format!("route[{index}].{key}");
        let offset = crate::config::span::offset_of(text, &path);
        (offset.map(|o| o..o + 1), path)
    };
    for (i, route) in routes.iter().enumerate() {
        for (j, other) in routes.iter().enumerate().take(i) {
            if other.service == route.service {
                let (span, key) = at(i, "service");
                return Err(reader.error(
                    span,
                    &key,
                    format!(
                        "the service `{}` has two routes (route[{j}] and route[{i}])",
                        route.service
                    ),
                ));
            }
            if other.prefix == route.prefix {
                let (span, key) = at(i, "prefix");
                return Err(reader.error(
                    span,
                    &key,
                    format!(
                        "`{}` is routed two ways: to `{}` and to `{}`",
                        route.prefix, other.service, route.service
                    ),
                ));
            }
        }
    }
    for (i, route) in routes.iter().enumerate() {
        let outer = routes
            .iter()
            .find(|o| o.prefix != route.prefix && within(&o.prefix, &route.prefix));
        if let Some(outer) = outer
            && !route.nested
        {
            let (span, key) = at(i, "prefix");
            return Err(reader.error(
                span,
                &key,
                format!(
                    "`{}` lies inside `{}` (route `{}`) and takes part of its traffic; set `nested = true` on `{}` if that is meant",
                    route.prefix, outer.prefix, outer.service, route.service
                ),
            ));
        }
    }
    Ok(())
}
