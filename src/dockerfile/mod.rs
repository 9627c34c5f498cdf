//! The Dockerfile front end: a BuildKit-faithful parser with source ranges, BuildKit's
//! shell-word lexer (quotes, escapes, variable expansion), and the semantic model
//! (stages, base images, ARG/ENV scopes).

pub mod buildkit_dump;
pub mod lex;
pub mod model;
pub mod parser;
pub mod shell;
pub mod syntax;

pub use parser::{parse, parse_bytes};
pub use syntax::*;
