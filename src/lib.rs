//! dockgate: a container policy gate for CI.
//!
//! The pipeline, one module per stage: [`workspace`] finds Dockerfiles, [`dockerfile`]
//! parses them into a syntax tree and a model, [`rules`] turn the model into
//! [`finding::Finding`]s, and [`report`] formats them. [`app`] runs one pass of it for
//! the CLI in [`cli`].

pub mod app;
pub mod cli;
pub mod commands;
pub mod dns;
pub mod dockerfile;
pub mod finding;
pub mod gate;
pub mod git;
pub mod github;
pub mod image;
pub mod policy;
pub mod reference;
pub mod report;
pub mod rules;
pub mod shellcheck;
pub mod source;
pub mod suggest;
pub mod units;
pub mod workspace;
