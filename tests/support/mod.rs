//! Shared by the integration tests that declare `mod support;`. Each test binary uses a
//! different part, so unused items are expected here.
#![allow(dead_code)]

pub mod fake_github;
pub mod image_env;
