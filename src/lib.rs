//! skillsctl carries out the operational steps of the hybrid-backend plan for the
//! skills-evaluation monolith (see `../shared/seed/hybrid-backend-guide.md`).
//!
//! Map of the modules:
//! - [`cli`]: the clap definition of global flags and the subcommand list.
//! - [`app`]: the run loop: parse, load config, build the output, dispatch, map to an exit code.
//! - [`context`]: what every command receives (output, config, global flags); a leaf.
//! - [`args`]: argument groups several commands flatten (the HTTP options).
//! - [`config`]: `skillsctl.toml` discovery, `${VAR}` interpolation, span-aware errors.
//! - [`format`]: the `--format` and `--color` choices, shared by CLI, config and output.
//! - [`output`]: the only module that prints: reports as tables or JSON, diagnostics, progress.
//! - [`annotate`]: located findings as GitHub workflow commands and SARIF 2.1.0.
//! - [`exit`]: the exit-code contract (0, 1, 2, 3) and the one place errors map to it.
//! - [`adapters`]: I/O at the edges: filesystem (atomic writes, change sets, the
//!   walk), git, the HTTP client, databases, Redis, raw network probes, prompts.
//! - [`probe`]: the probe engine (targets, attempts, retries, waiting, health bodies),
//!   a library call for health-check and rollout.
//! - [`expect`]: what an HTTP response must show, with expected/actual/source per failure.
//! - [`gateway`]: the gateway file: routes by prefix, edits that keep comments, renderers.
//! - [`suite`]: smoke suites: TOML suites with located errors, the runner, load stats, reports.
//! - [`scaffold`]: service-package templates (embedded or the user's), checked
//!   variables, tera rendering and `--update`'s three-way merge.
//! - [`repo`]: repository layout detection, the domain map, imports (parse with
//!   spans, resolve) and line counts, shared by init, analysis and extraction.
//! - [`retry`]: exponential backoff with jitter for retries and polling.
//! - [`runtime`]: the one tokio runtime builder.
//! - [`text`]: line/column bookkeeping for messages that point into files.
//! - [`redact`]: hides passwords and credentials before anything is shown.
//! - [`commands`]: one room per subcommand (`commands/<name>/`), glue in `mod.rs`,
//!   pure logic beside it, and a serialisable report. Rooms import no other
//!   room and never the run loop.

pub mod adapters;
pub mod annotate;
pub mod app;
pub mod args;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod exit;
pub mod expect;
pub mod format;
pub mod gateway;
pub mod output;
pub mod probe;
pub mod redact;
pub mod repo;
pub mod retry;
pub mod runtime;
pub mod scaffold;
pub mod suite;
pub mod text;

#[cfg(test)]
mod hostile_input;

pub use app::run;
