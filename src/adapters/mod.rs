//! I/O at the edges, one adapter per kind of outside world. Command logic never
//! touches these directly; the command's `mod.rs` glue does.
//!
//! - [`fs`]: atomic file writes (temp file + rename), no-clobber creation, dry-run.
//! - [`prompts`]: questions on a terminal, defaults everywhere else.

pub mod fs;
pub mod prompts;
