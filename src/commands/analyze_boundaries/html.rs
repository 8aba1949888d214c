//! `--format html`: the boundary report as one self-contained page. Inline CSS
//! and SVG, no script and nothing fetched, so it opens from a CI artifact or an
//! email attachment. It holds the domain graph (import counts on the edges,
//! edges inside an import cycle in red), per domain the guide's matrix, the
//! verdicts and the blockers, the change-coupling pairs and, with
//! `--suggest`, the proposed map. Pure.

use std::collections::BTreeMap;
use std::f64::consts::PI;
use std::fmt::Write as _;

use super::decision::{Recommendation, Verdict};
use super::report::{BoundaryReport, DomainEdge, DomainReport, id};

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d232a;max-width:1200px}\
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}\
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left}\
th{background:#f6f8fa}.num{text-align:right}.badge{border-radius:1rem;padding:.1rem .6rem;color:#fff;font-weight:600}\
.rec-extract{background:#c62828}.rec-prepare{background:#e65100}.rec-watch{background:#b28704}.rec-keep{background:#2e7d32}\
.verdict-extract{color:#c62828;font-weight:600}.verdict-monolith{color:#2e7d32}.verdict-unknown{color:#6e7781}\
.muted{color:#6e7781}.graph{overflow:auto;max-height:90vh;border:1px solid #d0d7de}svg{background:#fff}\
svg text{font:12px system-ui,sans-serif}.edge line{stroke:#57606a;stroke-opacity:.7}.edge text{fill:#57606a}\
.edge.cycle line{stroke:#d32f2f}.edge.cycle text{fill:#d32f2f;font-weight:600}\
.node rect{stroke:#1d232a;stroke-width:1.2}.node text{fill:#fff;font-weight:600}";

const NODE_HEIGHT: f64 = 34.0;
const MARGIN: f64 = 40.0;

/// The whole page.
pub fn page(report: &BoundaryReport) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Service boundaries: {0}</title><style>{STYLE}</style></head><body>\n\
         <h1>Service boundaries: {0}</h1>\n<p>{1}</p>\n",
        escape(&report.project),
        escape(&report.summary_line())
    );
    html.push_str(&context(report));
    html.push_str("<h2 id=\"graph\">Domain graph</h2>\n<p class=\"muted\">An arrow is an import from one domain to another, labelled with its count; red arrows lie on an import cycle.</p>\n");
    // Full size in a scrolling frame: scaled down, a large graph's labels
    // would be too small to read.
    html.push_str("<div class=\"graph\">");
    html.push_str(&graph_svg(report));
    html.push_str("</div>\n");
    html.push_str(&overview(report));
    for domain in &report.domains {
        html.push_str(&domain_section(domain));
    }
    html.push_str(&coupling_section(report));
    if let Some(suggestion) = &report.suggestion {
        html.push_str(&suggestion_section(suggestion));
    }
    html.push_str("</body></html>\n");
    html
}

/// History window, unresolved imports and warnings: what the figures rest on.
fn context(report: &BoundaryReport) -> String {
    let mut out = String::new();
    match &report.history {
        Some(h) => {
            let _ = writeln!(
                out,
                "<p>History: {} commits used of {} read from {}, {} days up to {}.</p>",
                h.commits_used,
                h.commits_read,
                escape(&h.source),
                h.since_days,
                escape(h.until.as_deref().unwrap_or("no commit"))
            );
        }
        None => out.push_str("<p>History: not read.</p>\n"),
    }
    if !report.unresolved.is_empty() {
        let reasons: Vec<String> = report
            .unresolved
            .iter()
            .map(|(reason, n)| format!("{} {n}", escape(reason)))
            .collect();
        let _ = writeln!(out, "<p>Unresolved imports: {}.</p>", reasons.join(", "));
    }
    if !report.warnings.is_empty() {
        out.push_str("<ul class=\"warnings\">\n");
        for warning in &report.warnings {
            let _ = writeln!(out, "<li>{}</li>", escape(warning));
        }
        out.push_str("</ul>\n");
    }
    out
}

/// A node's place: centre and width.
struct Placed {
    x: f64,
    y: f64,
    width: f64,
}

/// Domains on a circle, in report order: stable from run to run, and no two
/// boxes overlap whatever the graph's shape.
fn layout<'a>(domains: &'a [DomainReport<'_>]) -> (BTreeMap<&'a str, Placed>, f64, f64) {
    let widths: Vec<f64> = domains
        .iter()
        .map(|d| {
            let name = 7.5 * count_f64(d.name.chars().count());
            let label = 6.0 * count_f64(d.decision.recommendation.label().len());
            24.0 + name.max(label)
        })
        .collect();
    let widest = widths.iter().copied().fold(0.0, f64::max);
    let radius = radius_for(&widths);
    let (cx, cy) = (
        radius + widest / 2.0 + MARGIN,
        radius + NODE_HEIGHT + MARGIN,
    );
    let placed = domains
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (d, width))| {
            let angle = angle_of(i, domains.len());
            let place = Placed {
                x: cx + radius * angle.cos(),
                y: cy + radius * angle.sin(),
                width,
            };
            (d.name.as_str(), place)
        })
        .collect();
    (placed, 2.0 * cx, 2.0 * cy)
}

fn angle_of(i: usize, n: usize) -> f64 {
    2.0 * PI * count_f64(i) / count_f64(n.max(1)) - PI / 2.0
}

/// The smallest circle on which neighbouring boxes keep a gap: a box takes
/// its width along the circle at the top and bottom, its height at the sides,
/// and neighbours sit a chord of 2·r·sin(π/n) apart.
fn radius_for(widths: &[f64]) -> f64 {
    const GAP: f64 = 14.0;
    let n = widths.len();
    if n < 2 {
        return 140.0;
    }
    let extent = |i: usize| {
        let angle = angle_of(i, n);
        widths[i] / 2.0 * angle.sin().abs() + NODE_HEIGHT / 2.0 * angle.cos().abs()
    };
    let chord = 2.0 * (PI / count_f64(n)).sin();
    (0..n)
        .map(|i| (extent(i) + extent((i + 1) % n) + GAP) / chord)
        .fold(140.0, f64::max)
}

fn count_f64(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The SVG: edges first, so the boxes sit on top of their ends.
fn graph_svg(report: &BoundaryReport) -> String {
    let (placed, width, height) = layout(&report.domains);
    let mut svg = format!(
        "<svg id=\"domain-graph\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"11\" markerHeight=\"11\" orient=\"auto-start-reverse\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#57606a\"/></marker>\
         <marker id=\"arrow-cycle\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"11\" markerHeight=\"11\" orient=\"auto-start-reverse\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#d32f2f\"/></marker></defs>\n"
    );
    for edge in &report.edges {
        let (Some(from), Some(to)) = (placed.get(edge.from.as_str()), placed.get(edge.to.as_str()))
        else {
            continue;
        };
        let both_ways = report
            .edges
            .iter()
            .any(|e| e.from == edge.to && e.to == edge.from);
        svg.push_str(&edge_svg(edge, from, to, both_ways, on_cycle(report, edge)));
    }
    for domain in &report.domains {
        svg.push_str(&node_svg(domain, &placed[domain.name.as_str()]));
    }
    svg.push_str("</svg>\n");
    svg
}

/// Cycles are strongly connected components, so an edge lies on a cycle when
/// both its ends are in the same one.
fn on_cycle(report: &BoundaryReport, edge: &DomainEdge) -> bool {
    report
        .cycles
        .iter()
        .any(|c| c.contains(&edge.from) && c.contains(&edge.to))
}

fn edge_svg(edge: &DomainEdge, from: &Placed, to: &Placed, both_ways: bool, cycle: bool) -> String {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let length = dx.hypot(dy).max(1.0);
    // A pair importing each other gets two parallel arrows, not one line.
    let shift = if both_ways { 5.0 } else { 0.0 };
    let (nx, ny) = (-dy / length * shift, dx / length * shift);
    let start = clip(from, dx, dy);
    let end = clip(to, -dx, -dy);
    let (x1, y1, x2, y2) = (
        from.x + start.0 + nx,
        from.y + start.1 + ny,
        to.x + end.0 + nx,
        to.y + end.1 + ny,
    );
    let stroke = 1.0 + count_f64(edge.imports).log2().min(6.0) * 0.6;
    let (class, marker) = if cycle {
        ("edge cycle", "arrow-cycle")
    } else {
        ("edge", "arrow")
    };
    format!(
        "<g class=\"{class}\" data-from=\"{f}\" data-to=\"{t}\" data-imports=\"{n}\"><title>{f} → {t}: {n} imports</title>\
         <line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke-width=\"{stroke:.1}\" marker-end=\"url(#{marker})\"/>\
         <text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\">{n}</text></g>\n",
        f = escape(&edge.from),
        t = escape(&edge.to),
        n = edge.imports,
        lx = f64::midpoint(x1, x2) + nx * 2.0,
        ly = f64::midpoint(y1, y2) + ny * 2.0 - 3.0,
    )
}

/// Where a line from a box's centre in direction (dx, dy) leaves the box.
fn clip(node: &Placed, dx: f64, dy: f64) -> (f64, f64) {
    let half_w = node.width / 2.0 + 2.0;
    let half_h = NODE_HEIGHT / 2.0 + 2.0;
    let tx = if dx.abs() > f64::EPSILON {
        half_w / dx.abs()
    } else {
        f64::INFINITY
    };
    let ty = if dy.abs() > f64::EPSILON {
        half_h / dy.abs()
    } else {
        f64::INFINITY
    };
    let t = tx.min(ty);
    if t.is_finite() {
        (dx * t, dy * t)
    } else {
        (0.0, 0.0)
    }
}

fn node_svg(domain: &DomainReport, place: &Placed) -> String {
    let rec = rec_class(domain.decision.recommendation);
    format!(
        "<g class=\"node rec-{rec}\" data-domain=\"{name}\" data-recommendation=\"{rec}\"><title>{name}: {label}, {code} code lines</title>\
         <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{NODE_HEIGHT}\" rx=\"6\" fill=\"{fill}\"/>\
         <text x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">{name}</text>\
         <text x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" font-size=\"10\">{label}</text></g>\n",
        name = escape(&domain.name),
        label = domain.decision.recommendation.label(),
        code = domain.lines.code,
        x = place.x - place.width / 2.0,
        y = place.y - NODE_HEIGHT / 2.0,
        w = place.width,
        fill = rec_fill(domain.decision.recommendation),
        cx = place.x,
        ty = place.y - 2.0,
        ly = place.y + 11.0,
    )
}

fn rec_class(r: Recommendation) -> &'static str {
    match r {
        Recommendation::Extract => "extract",
        Recommendation::Prepare => "prepare",
        Recommendation::Watch => "watch",
        Recommendation::Keep => "keep",
    }
}

fn rec_fill(r: Recommendation) -> &'static str {
    match r {
        Recommendation::Extract => "#c62828",
        Recommendation::Prepare => "#e65100",
        Recommendation::Watch => "#b28704",
        Recommendation::Keep => "#2e7d32",
    }
}

/// One row per domain: the decision at a glance.
fn overview(report: &BoundaryReport) -> String {
    let mut out = String::from(
        "<h2 id=\"domains\">Domains</h2>\n<table class=\"overview\"><tr><th>domain</th><th>role</th><th>recommendation</th>\
         <th>confidence</th><th>code lines</th><th>fan-in</th><th>fan-out</th><th>blockers</th></tr>\n",
    );
    for d in &report.domains {
        let rec = d.decision.recommendation;
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#domain-{id}\">{name}</a></td><td>{role}</td><td><span class=\"badge rec-{class}\">{label}</span></td>\
             <td class=\"num\">{conf:.0}%</td><td class=\"num\">{code}</td><td class=\"num\">{fan_in}</td><td class=\"num\">{fan_out}</td>\
             <td class=\"num\">{blockers}</td></tr>",
            id = id(&d.name),
            name = escape(&d.name),
            role = d.role.label(),
            class = rec_class(rec),
            label = rec.label(),
            conf = d.decision.confidence * 100.0,
            code = d.lines.code,
            fan_in = d.fan_in.len(),
            fan_out = d.fan_out.len(),
            blockers = d.decision.blockers.len(),
        );
    }
    out.push_str("</table>\n");
    out
}

/// A domain's matrix, reasons, blockers and neighbours.
fn domain_section(d: &DomainReport) -> String {
    let rec = d.decision.recommendation;
    let mut out = format!(
        "<section class=\"domain\" id=\"domain-{id}\" data-domain=\"{name}\">\n<h2>{name} <span class=\"badge rec-{class}\">{label}</span></h2>\n\
         <p class=\"muted\">{role}; {paths}; confidence {conf:.0}%; {code} code lines in {files} files</p>\n",
        id = id(&d.name),
        name = escape(&d.name),
        class = rec_class(rec),
        label = rec.label(),
        role = d.role.label(),
        paths = escape(&d.paths.join(", ")),
        conf = d.decision.confidence * 100.0,
        code = d.lines.code,
        files = d.files,
    );
    out.push_str(&list("reasons", &d.decision.reasons));
    out.push_str("<table class=\"matrix\"><tr><th>factor</th><th>value</th><th>threshold</th><th>verdict</th></tr>\n");
    for f in &d.decision.factors {
        let verdict = verdict_class(f.verdict);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"verdict-{verdict}\">{verdict}</td></tr>",
            f.name,
            escape(&f.value),
            escape(&f.threshold)
        );
    }
    out.push_str("</table>\n");
    out.push_str(&blockers(d));
    let neighbours = [("imports", &d.fan_out), ("imported by", &d.fan_in)];
    for (what, names) in neighbours {
        if !names.is_empty() {
            let _ = writeln!(out, "<p>{what}: {}</p>", escape(&names.join(", ")));
        }
    }
    out.push_str("</section>\n");
    out
}

fn blockers(d: &DomainReport) -> String {
    if d.decision.blockers.is_empty() {
        return String::new();
    }
    let mut out =
        String::from("<h3>Blockers, in the order to work on them</h3>\n<ol class=\"blockers\">\n");
    for b in &d.decision.blockers {
        let plan = if b.blocking { "blocks" } else { "to plan" };
        let _ = writeln!(
            out,
            "<li data-kind=\"{}\">{} <span class=\"muted\">({plan}; checklist: {})</span></li>",
            b.kind,
            escape(&b.detail),
            escape(b.checklist)
        );
    }
    out.push_str("</ol>\n");
    out
}

fn list(class: &str, items: &[String]) -> String {
    let mut out = format!("<ul class=\"{class}\">\n");
    for item in items {
        let _ = writeln!(out, "<li>{}</li>", escape(item));
    }
    out.push_str("</ul>\n");
    out
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Extract => "extract",
        Verdict::Monolith => "monolith",
        Verdict::Unknown => "unknown",
    }
}

/// Pairs that change together: the history's side of the boundaries.
fn coupling_section(report: &BoundaryReport) -> String {
    let mut out = String::from("<h2 id=\"coupling\">Change coupling</h2>\n");
    if report.coupling.is_empty() {
        out.push_str(
            "<p class=\"muted\">No pair of domains changes together often enough to show.</p>\n",
        );
        return out;
    }
    out.push_str("<table class=\"coupling\"><tr><th>domain</th><th>domain</th><th>shared commits</th><th>degree</th></tr>\n");
    for c in &report.coupling {
        let _ = writeln!(
            out,
            "<tr data-a=\"{a}\" data-b=\"{b}\"><td>{a}</td><td>{b}</td><td class=\"num\">{}</td><td class=\"num\">{:.0}%</td></tr>",
            c.shared_commits,
            c.degree,
            a = escape(&c.a),
            b = escape(&c.b),
        );
    }
    out.push_str("</table>\n");
    out
}

/// `--suggest`'s proposal: the scores, the map to paste, every move.
fn suggestion_section(s: &super::suggest::Suggestion) -> String {
    let mut out = format!(
        "<section id=\"suggestion\">\n<h2>Suggested boundaries</h2>\n\
         <p>Louvain over {} folders ({}): modularity <strong class=\"modularity\">{:.3}</strong>, \
         the map in use <strong class=\"configured-modularity\">{:.3}</strong>.</p>\n<pre>{}</pre>\n",
        s.folders,
        s.weights,
        s.modularity,
        s.configured_modularity,
        escape(&s.toml())
    );
    if s.moves.is_empty() {
        out.push_str("<p>No code changes domain.</p>\n</section>\n");
        return out;
    }
    let _ = writeln!(
        out,
        "<p>Moves {} of {} code lines from the map in use:</p>\n\
         <table class=\"moves\"><tr><th>folder</th><th>lines</th><th>from</th><th>to</th></tr>",
        s.moved_lines, s.lines
    );
    for m in &s.moves {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&m.path),
            m.lines,
            escape(m.from.as_deref().unwrap_or("(unassigned)")),
            escape(&m.to)
        );
    }
    out.push_str("</table>\n</section>\n");
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_names_and_text() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    /// Boxes on the circle, their widths as names of 4 to 30 characters give.
    fn placed(widths: &[f64]) -> Vec<Placed> {
        let radius = radius_for(widths);
        (0..widths.len())
            .map(|i| {
                let angle = angle_of(i, widths.len());
                Placed {
                    x: radius * angle.cos(),
                    y: radius * angle.sin(),
                    width: widths[i],
                }
            })
            .collect()
    }

    #[test]
    fn no_two_boxes_overlap_however_many_and_wide() {
        for n in [2, 3, 6, 12, 59, 98] {
            let widths: Vec<f64> = (0..n)
                .map(|i| 54.0 + 7.5 * count_f64(4 + (i * 7) % 27))
                .collect();
            let boxes = placed(&widths);
            for (i, a) in boxes.iter().enumerate() {
                for b in &boxes[i + 1..] {
                    let apart_x = (a.x - b.x).abs() >= a.width / 2.0 + b.width / 2.0;
                    let apart_y = (a.y - b.y).abs() >= NODE_HEIGHT;
                    assert!(
                        apart_x || apart_y,
                        "n={n}: boxes at ({:.0},{:.0}) and ({:.0},{:.0}) overlap",
                        a.x,
                        a.y,
                        b.x,
                        b.y
                    );
                }
            }
        }
    }

    #[test]
    fn a_line_leaves_the_box_at_its_edge() {
        let node = Placed {
            x: 100.0,
            y: 100.0,
            width: 80.0,
        };
        // Straight right: leaves at half the width plus the gap.
        let (x, y) = clip(&node, 10.0, 0.0);
        assert!((x - 42.0).abs() < 1e-9 && y.abs() < 1e-9);
        // Straight down: half the height plus the gap.
        let (x, y) = clip(&node, 0.0, -5.0);
        assert!(x.abs() < 1e-9 && (y + 19.0).abs() < 1e-9);
    }
}
