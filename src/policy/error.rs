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

/// The candidate closest to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (
                strsim::jaro_winkler(&lower, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|&(score, _)| score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// ` (did you mean `x`?)`, or nothing.
pub fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates)
        .map(|candidate| format!(" (did you mean `{candidate}`?)"))
        .unwrap_or_default()
}
