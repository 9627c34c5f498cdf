//! The repository side of a run: which Dockerfiles to lint.

mod discover;

pub use discover::{Discovery, InputError, discover, is_dockerfile_name};
