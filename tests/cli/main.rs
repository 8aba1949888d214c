//! The one integration-test binary. Every test runs the real `skillsctl` binary
//! through `support::TestContext` against real files, servers and databases.

mod support;

mod analyze_boundaries;
mod ci_native;
mod config_errors;
mod crash;
mod extract;
mod extract_node;
mod gateway;
mod harness;
mod health_check;
mod help;
mod init;
mod migrate;
mod real_repos;
mod saved_history;
mod secrets;
mod smoke;
