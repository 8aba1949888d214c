//! Import cycles between domains: the strongly connected components of the
//! domain graph with more than one domain (Tarjan's algorithm). Pure.

use std::collections::{BTreeMap, BTreeSet};

/// Cycles between domains: strongly connected components with more than one domain (Tarjan).
pub fn strongly_connected(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: usize,
        indices: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.indices.insert(v, s.index);
        s.low.insert(v, s.index);
        s.index += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.graph.get(v) {
            for w in next {
                let w = w.as_str();
                if !s.indices.contains_key(w) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.indices[w]);
                    s.low.insert(v, low);
                }
            }
        }
        if s.low[v] == s.indices[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: 0,
        indices: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !state.indices.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.out.sort();
    state.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &str)], nodes: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
        let mut graph: BTreeMap<String, BTreeSet<String>> = nodes
            .iter()
            .map(|n| ((*n).to_owned(), BTreeSet::new()))
            .collect();
        for (from, to) in edges {
            graph
                .entry((*from).to_owned())
                .or_default()
                .insert((*to).to_owned());
        }
        graph
    }

    #[test]
    fn a_chain_has_no_cycle_and_a_self_edge_is_not_one() {
        let g = graph(&[("a", "b"), ("b", "c"), ("c", "c")], &["a", "b", "c"]);
        assert!(strongly_connected(&g).is_empty());
    }

    #[test]
    fn cycles_are_found_sorted_and_separate() {
        let g = graph(
            &[
                ("skills", "users"),
                ("users", "skills"),
                ("ai", "jobs"),
                ("jobs", "queue"),
                ("queue", "ai"),
                ("queue", "skills"),
                ("ui", "skills"),
            ],
            &["ai", "jobs", "queue", "skills", "ui", "users"],
        );
        assert_eq!(
            strongly_connected(&g),
            [vec!["ai", "jobs", "queue"], vec!["skills", "users"]]
        );
    }

    #[test]
    fn one_large_cycle_is_one_component() {
        let names: Vec<String> = (0..50).map(|i| format!("d{i:02}")).collect();
        let edges: Vec<(&str, &str)> = (0..50)
            .map(|i| (names[i].as_str(), names[(i + 1) % 50].as_str()))
            .collect();
        let nodes: Vec<&str> = names.iter().map(String::as_str).collect();
        let found = strongly_connected(&graph(&edges, &nodes));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0], names);
    }
}
