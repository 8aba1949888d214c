//! The names of output choices (`--format`, `--color`), shared by the CLI, the
//! config file and the output. A leaf, so `config` need not import `output`.

use serde::{Deserialize, Serialize};

/// How reports are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Aligned columns for people.
    #[default]
    Table,
    /// One JSON document on stdout, for scripts and CI.
    Json,
    /// Markdown, for a pull request or a wiki (reports that have one).
    Markdown,
    /// A Mermaid graph (reports that are graphs).
    Mermaid,
    /// A Graphviz DOT graph (reports that are graphs).
    Dot,
    /// One self-contained HTML page, no network fetches (reports that have one).
    Html,
    /// GitHub Actions workflow commands: annotations on the pull request (reports with located findings).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning (reports with located findings).
    Sarif,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ColorChoice {
    /// Colour when writing to a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    Always,
    Never,
}
