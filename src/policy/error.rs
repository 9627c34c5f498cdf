//! A policy error: always `FILE:LINE:COLUMN: message`, with what was expected.

use std::fmt;

use super::locate::Location;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The policy as the user named it: a path, `builtin:NAME` or `github:...`.
    pub file: String,
    pub location: Location,
    pub message: String,
}

impl PolicyError {
    pub fn new(
        file: impl Into<String>,
        location: Location,
        message: impl Into<String>,
    ) -> PolicyError {
        PolicyError {
            file: file.into(),
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.location.line, self.location.column, self.message
        )
    }
}

impl std::error::Error for PolicyError {}
