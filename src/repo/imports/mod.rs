//! The imports of a repository's files, shared by analyze-boundaries (the
//! domain graph), extract-service (rewriting them in place) and init.
//!
//! - [`parse`]: TypeScript/JavaScript imports with lines and specifier spans (oxc).
//! - [`resolve`]: where a specifier leads (tsconfig, package.json, workspaces).
//! - [`links`]: the node_modules links of workspace packages, for a tree without them.
//! - [`rust`]: Rust `use` paths and where they lead.

mod links;
pub mod parse;
pub mod resolve;
pub mod rust;

pub use parse::{EdgeKind, ParsedImports, RawImport, Span, Specifier, parse};
pub use resolve::{
    FileIndex, ImportResolver, Resolved, Target, TreeResolver, WorkspacePackage, folder_of,
    package_name,
};
