//! Service packages from tera templates (extract-service): templates embedded
//! in the binary or read from a folder, their variables checked before
//! anything is written, rendered in memory, and re-applied to a generated
//! package with a three-way merge.
//!
//! - [`template`]: a template's manifest (`template.toml`) and files.
//! - [`builtin`]: the templates of the top-level `templates/` folder, embedded.
//! - [`values`]: variables from flags, a values file, prompts and defaults, checked.
//! - [`render`]: files rendered with tera, paths kept inside the package.
//! - [`merge`]: `--update`'s three-way merge of a newer template into local edits.

pub mod builtin;
pub mod merge;
pub mod render;
pub mod template;
pub mod values;

pub use template::{Kind, Template, TemplateFile, Variable};

/// Why a template cannot be loaded or rendered; always a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(transparent)]
    Manifest(#[from] crate::config::reader::LocatedError),
    #[error("unknown template `{name}` (known: {known})")]
    UnknownTemplate { name: String, known: String },
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: cannot render: {message}")]
    Render { file: String, message: String },
    #[error("{file}: the template would write `{path}`, outside the package")]
    Outside { file: String, path: String },
    #[error("{}", .0.join("\n"))]
    Values(Vec<String>),
    #[error("{path}: {message}")]
    Folder { path: String, message: String },
}
