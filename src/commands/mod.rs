//! One room per subcommand. Each `mod.rs` is glue (args → plan → adapters →
//! report); the files beside it hold pure logic that never prints and never
//! touches clap or network/database crates; each command's report derives
//! `Serialize` and renders for people through [`crate::output::Report`].

pub mod analyze_boundaries;
pub mod completions;
pub mod config;
pub mod extract_service;
pub mod health_check;
pub mod init;
pub mod migrate;
pub mod rollout;
pub mod smoke;
pub mod update_gateway_config;
