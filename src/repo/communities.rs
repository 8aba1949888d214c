//! Community detection: Louvain modularity optimisation (Blondel, Guillaume,
//! Lambiotte, Lefebvre 2008) on an undirected weighted graph. Pure.
//!
//! Written here rather than taken from a crate: the Rust crates that offer it
//! are alphas or bring a whole graph framework, and a CLI needs the same
//! answer on every run, so this one is deterministic: nodes are visited in
//! index order and ties keep a node where it is, or go to the lower community.
//!
//! Modularity follows Newman's definition for weighted graphs with self-loops
//! (as networkx computes it): `Q = Σ_c [ L_c / m − (d_c / 2m)² ]`, `m` the
//! total edge weight (a self-loop counted once), `L_c` the weight inside
//! community `c`, `d_c` the sum of its nodes' degrees (a self-loop adds twice).

use rustc_hash::FxHashMap;

/// An undirected weighted graph: each edge in both endpoints' lists, a
/// node's self-loop apart.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    neighbours: Vec<Vec<(u32, f64)>>,
    self_loops: Vec<f64>,
}

/// Communities found, by node, numbered from 0 in order of their first node.
#[derive(Debug, Clone, PartialEq)]
pub struct Partition {
    pub membership: Vec<u32>,
    pub modularity: f64,
}

/// A move must gain more than this (in units of edge weight) to be made,
/// so rounding never makes the passes run forever.
const MIN_GAIN: f64 = 1e-12;

impl Graph {
    /// A graph of `nodes` nodes from `(a, b, weight)` edges; repeated pairs
    /// add up, `a == b` is a self-loop, zero and negative weights are dropped.
    #[must_use]
    pub fn new(nodes: usize, edges: impl IntoIterator<Item = (u32, u32, f64)>) -> Self {
        let mut sums: FxHashMap<(u32, u32), f64> = FxHashMap::default();
        for (a, b, w) in edges {
            if w > 0.0 {
                *sums.entry((a.min(b), a.max(b))).or_default() += w;
            }
        }
        let mut graph = Graph {
            neighbours: vec![Vec::new(); nodes],
            self_loops: vec![0.0; nodes],
        };
        let mut pairs: Vec<((u32, u32), f64)> = sums.into_iter().collect();
        pairs.sort_unstable_by_key(|(pair, _)| *pair);
        for ((a, b), w) in pairs {
            if a == b {
                graph.self_loops[a as usize] += w;
            } else {
                graph.neighbours[a as usize].push((b, w));
                graph.neighbours[b as usize].push((a, w));
            }
        }
        graph
    }

    #[must_use]
    pub fn nodes(&self) -> usize {
        self.neighbours.len()
    }

    /// No edge to another node (a self-loop alone does not count).
    #[must_use]
    pub fn is_isolated(&self, node: usize) -> bool {
        self.neighbours[node].is_empty()
    }

    fn degree(&self, node: usize) -> f64 {
        2.0 * self.self_loops[node] + self.neighbours[node].iter().map(|(_, w)| w).sum::<f64>()
    }

    /// `2m`: the sum of all degrees.
    fn total_degree(&self) -> f64 {
        (0..self.nodes()).map(|n| self.degree(n)).sum()
    }

    /// The modularity of a partition given as a community per node.
    #[must_use]
    pub fn modularity(&self, membership: &[u32]) -> f64 {
        let two_m = self.total_degree();
        if two_m == 0.0 {
            return 0.0;
        }
        let communities = membership
            .iter()
            .map(|&c| c as usize + 1)
            .max()
            .unwrap_or(0);
        let mut inside = vec![0.0; communities];
        let mut degrees = vec![0.0; communities];
        for node in 0..self.nodes() {
            let c = membership[node] as usize;
            degrees[c] += self.degree(node);
            inside[c] += self.self_loops[node];
            for &(other, w) in &self.neighbours[node] {
                // Each edge appears twice; count it once.
                if membership[other as usize] as usize == c && (other as usize) > node {
                    inside[c] += w;
                }
            }
        }
        let m = two_m / 2.0;
        inside
            .iter()
            .zip(&degrees)
            .map(|(l, d)| l / m - (d / two_m).powi(2))
            .sum()
    }
}

/// Louvain: local moves until no node gains, then each community becomes a
/// node of a smaller graph, until a level moves nothing.
#[must_use]
pub fn louvain(graph: &Graph) -> Partition {
    let mut membership: Vec<u32> = (0..node_count(graph.nodes())).collect();
    let mut level = graph.clone();
    loop {
        let (local, moved) = local_moves(&level);
        if !moved {
            break;
        }
        let (renumbered, count) = renumber(&local);
        for community in &mut membership {
            *community = renumbered[*community as usize];
        }
        level = aggregate(&level, &renumbered, count);
    }
    let (membership, _) = renumber(&membership);
    Partition {
        modularity: graph.modularity(&membership),
        membership,
    }
}

/// Phase one: each node, in order, goes to the neighbouring community with
/// the best modularity gain; passes repeat while any node moves.
fn local_moves(graph: &Graph) -> (Vec<u32>, bool) {
    let nodes = graph.nodes();
    let mut community: Vec<u32> = (0..node_count(nodes)).collect();
    let degrees: Vec<f64> = (0..nodes).map(|n| graph.degree(n)).collect();
    let mut totals = degrees.clone();
    let two_m = graph.total_degree();
    let mut moved_any = false;
    if two_m == 0.0 {
        return (community, false);
    }
    let mut weight_to: FxHashMap<u32, f64> = FxHashMap::default();
    loop {
        let mut moved = false;
        for node in 0..nodes {
            let own = community[node];
            weight_to.clear();
            weight_to.insert(own, 0.0);
            for &(other, w) in &graph.neighbours[node] {
                *weight_to.entry(community[other as usize]).or_default() += w;
            }
            totals[own as usize] -= degrees[node];
            // Gain of joining c, up to a constant: k_i,c − tot_c · k_i / 2m.
            let gain = |c: u32, w: f64| w - totals[c as usize] * degrees[node] / two_m;
            let mut best = (own, gain(own, weight_to[&own]));
            let mut candidates: Vec<(u32, f64)> = weight_to.iter().map(|(&c, &w)| (c, w)).collect();
            candidates.sort_unstable_by_key(|(c, _)| *c);
            for (c, w) in candidates {
                let g = gain(c, w);
                if g > best.1 + MIN_GAIN {
                    best = (c, g);
                }
            }
            totals[best.0 as usize] += degrees[node];
            if best.0 != own {
                community[node] = best.0;
                moved = true;
                moved_any = true;
            }
        }
        if !moved {
            return (community, moved_any);
        }
    }
}

/// A node count as a node number bound (graphs here have far fewer than 2^32 nodes).
fn node_count(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 2^32 nodes")
}

/// Community numbers made dense (0, 1, …) in order of first appearance.
fn renumber(membership: &[u32]) -> (Vec<u32>, usize) {
    let mut seen: FxHashMap<u32, u32> = FxHashMap::default();
    let dense = membership
        .iter()
        .map(|c| {
            let next = node_count(seen.len());
            *seen.entry(*c).or_insert(next)
        })
        .collect();
    (dense, seen.len())
}

/// Phase two: one node per community; edges inside become its self-loop.
fn aggregate(graph: &Graph, community: &[u32], count: usize) -> Graph {
    let mut edges = Vec::new();
    for node in 0..graph.nodes() {
        let c = community[node];
        edges.push((c, c, graph.self_loops[node]));
        for &(other, w) in &graph.neighbours[node] {
            // Each edge appears twice; take it once.
            if (other as usize) > node {
                edges.push((c, community[other as usize], w));
            }
        }
    }
    Graph::new(count, edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unweighted(nodes: usize, edges: &[(u32, u32)]) -> Graph {
        Graph::new(nodes, edges.iter().map(|&(a, b)| (a, b, 1.0)))
    }

    #[test]
    fn two_triangles_and_a_bridge_are_two_communities() {
        let graph = unweighted(6, &[(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (2, 3)]);
        let found = louvain(&graph);
        assert_eq!(found.membership, vec![0, 0, 0, 1, 1, 1]);
        // By hand: m = 7, each side 3 edges inside and degree 7:
        // 2 · (3/7 − (7/14)²) = 6/7 − 1/2.
        assert!((found.modularity - (6.0 / 7.0 - 0.5)).abs() < 1e-12);
    }

    #[test]
    fn modularity_matches_the_definition_with_weights_and_self_loops() {
        // Nodes 0,1 (edge 2.0, self-loop 1.0 on 0) and 2 alone with a self-loop 3.0,
        // one edge 0–2 of 1.0. m = 7; degrees 0: 2+2+1 = 5, 1: 2, 2: 6+1 = 7.
        let graph = Graph::new(3, [(0, 1, 2.0), (0, 0, 1.0), (2, 2, 3.0), (0, 2, 1.0)]);
        let q = graph.modularity(&[0, 0, 1]);
        let expected = (3.0 / 7.0 - (7.0_f64 / 14.0).powi(2)) + (3.0 / 7.0 - 0.25);
        assert!((q - expected).abs() < 1e-12, "{q} vs {expected}");
        assert!(graph.modularity(&[0, 0, 0]).abs() < 1e-12);
    }

    #[test]
    fn no_edges_leaves_every_node_alone() {
        let found = louvain(&Graph::new(3, []));
        assert_eq!(found.membership, vec![0, 1, 2]);
        assert!(found.modularity.abs() < 1e-12);
        assert_eq!(louvain(&Graph::new(0, [])).membership, Vec::<u32>::new());
    }

    #[test]
    fn disconnected_cliques_are_found_apart_and_the_run_repeats() {
        let mut edges = Vec::new();
        for base in [0u32, 5, 10] {
            for a in 0..5 {
                for b in a + 1..5 {
                    edges.push((base + a, base + b));
                }
            }
        }
        let graph = unweighted(15, &edges);
        let found = louvain(&graph);
        assert_eq!(found.membership, louvain(&graph).membership);
        let expected: Vec<u32> = (0..15).map(|n| n / 5).collect();
        assert_eq!(found.membership, expected);
        assert!((found.modularity - 2.0 / 3.0).abs() < 1e-12);
    }

    /// Zachary's karate club (networkx's `karate_club_graph`, unweighted).
    /// The best partition known has Q = 0.4198 (Brandes et al. 2008);
    /// networkx's louvain_communities reaches 0.41 to 0.42 depending on its seed.
    #[test]
    fn the_karate_club_gets_close_to_its_best_known_modularity() {
        #[rustfmt::skip]
        const EDGES: &[(u32, u32)] = &[
            (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (0, 7), (0, 8), (0, 10),
            (0, 11), (0, 12), (0, 13), (0, 17), (0, 19), (0, 21), (0, 31), (1, 2),
            (1, 3), (1, 7), (1, 13), (1, 17), (1, 19), (1, 21), (1, 30), (2, 3), (2, 7),
            (2, 8), (2, 9), (2, 13), (2, 27), (2, 28), (2, 32), (3, 7), (3, 12), (3, 13),
            (4, 6), (4, 10), (5, 6), (5, 10), (5, 16), (6, 16), (8, 30), (8, 32),
            (8, 33), (9, 33), (13, 33), (14, 32), (14, 33), (15, 32), (15, 33),
            (18, 32), (18, 33), (19, 33), (20, 32), (20, 33), (22, 32), (22, 33),
            (23, 25), (23, 27), (23, 29), (23, 32), (23, 33), (24, 25), (24, 27),
            (24, 31), (25, 31), (26, 29), (26, 33), (27, 33), (28, 31), (28, 33),
            (29, 32), (29, 33), (30, 32), (30, 33), (31, 32), (31, 33), (32, 33),
        ];
        assert_eq!(EDGES.len(), 78);
        let graph = unweighted(34, EDGES);
        let found = louvain(&graph);
        assert!(
            (0.40..=0.4198 + 1e-4).contains(&found.modularity),
            "{}",
            found.modularity
        );
        assert!((graph.modularity(&found.membership) - found.modularity).abs() < 1e-12);
        // The instructor (0) and the administrator (33) end up apart.
        assert_ne!(found.membership[0], found.membership[33]);
    }
}
