//! I/O at the edges, one adapter per kind of outside world. Command logic never
//! touches these directly; the command's `mod.rs` glue does.
//!
//! - [`fs`]: atomic file writes (temp file + rename), no-clobber creation, dry-run.
//! - [`gateway`]: nginx -t, haproxy -c, reload commands, HAProxy's admin socket.
//! - [`git`]: history streamed from `git log -z --name-only`.
//! - [`git_log`]: a saved `git log` (code-maat's formats) read the same way.
//! - [`http`]: the one HTTP client (TLS options, capped bodies, timeouts).
//! - [`db`]: SQL connections (PostgreSQL, MySQL/MariaDB, SQLite), locks, migration ledgers.
//! - [`kv`]: Redis connections (PING, key checks).
//! - [`net`]: raw TCP, DNS, AMQP and NATS probes.
//! - [`prompts`]: questions on a terminal, defaults everywhere else.

pub mod db;
pub mod fs;
pub mod gateway;
pub mod git;
pub mod git_log;
pub mod http;
pub mod kv;
pub mod net;
pub mod prompts;
