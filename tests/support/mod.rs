//! Shared by the integration tests that declare `mod support;`. Each test binary uses a
//! different part, so unused items are expected here.
#![allow(dead_code)]

pub mod action;
pub mod app_image;
pub mod fake_github;
pub mod image_env;

/// A temporary directory holding `files` (path, content).
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}
