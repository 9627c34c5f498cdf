//! The repository side of a run: which Dockerfiles to lint, and the build context each
//! is built from (its `.dockerignore`).

mod discover;
mod dockerignore;

pub use discover::{Discovery, InputError, discover, is_dockerfile_name};
pub use dockerignore::{BuildContext, Dockerignore, IgnoreFiles, clean as clean_path};
