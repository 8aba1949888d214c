//! Smoke suites as a library: load TOML suites ([`parse`]), run their tests
//! against a backend through the shared HTTP client ([`run`]), under load
//! ([`load`]), and report ([`report`], with JUnit). `skillsctl smoke` is its
//! command-line face; rollout runs suites as a gate.
//!
//! - [`model`]: what a loaded suite is.
//! - [`template`]: `{{name}}` holes in suite strings.
//! - [`parse`]: TOML → [`model::Suite`], every error at file:line:col.
//! - [`run`]: tests at once, steps in order, captures, teardown; [`result`] is what it finds.
//! - [`load`]: percentiles, error rate, throughput and thresholds.
//! - [`report`]: the report for people, JSON and JUnit.

pub mod load;
pub mod model;
pub mod parse;
pub mod report;
pub mod result;
pub mod run;
pub mod template;

pub use model::Suite;
pub use parse::{LoadOptions, SuiteError, SuiteErrors, parse};
