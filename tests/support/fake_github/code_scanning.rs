//! SARIF uploads for code scanning: the body's `sarif` must be gzip-compressed and
//! base64-encoded, at most 10 MB compressed (docs.github.com, "SARIF support for code
//! scanning"; 413 otherwise), and decode to a SARIF 2.1.0 log.

use std::io::Read;

use base64::Engine as _;
use serde_json::{Value, json};

use super::http::Response;
use super::state::State;
use super::{Call, error};

/// The largest gzip-compressed SARIF file code scanning accepts.
pub const MAX_COMPRESSED_BYTES: usize = 10 * 1024 * 1024;

/// One accepted upload, for the inspection API.
#[derive(Debug, Clone)]
pub struct SarifUpload {
    pub id: String,
    pub repo: (String, String),
    pub commit_sha: String,
    pub reference: String,
    /// The decoded SARIF log.
    pub sarif: Value,
}

impl SarifUpload {
    pub fn to_json(&self) -> Value {
        json!({"id": self.id, "owner": self.repo.0, "repo": self.repo.1,
            "commit_sha": self.commit_sha, "ref": self.reference, "sarif": self.sarif})
    }
}

pub fn upload(call: &Call, state: &mut State) -> Response {
    let encoded = call.body["sarif"].as_str().unwrap_or_default();
    let Ok(compressed) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return error(400, "sarif is not valid base64");
    };
    if compressed.len() > MAX_COMPRESSED_BYTES {
        return error(
            413,
            "Payload Too Large: the gzip-compressed SARIF file is over 10 MB",
        );
    }
    let mut text = String::new();
    if flate2::read::GzDecoder::new(compressed.as_slice())
        .read_to_string(&mut text)
        .is_err()
    {
        return error(400, "sarif is not gzip-compressed UTF-8");
    }
    let Ok(sarif) = serde_json::from_str::<Value>(&text) else {
        return error(400, "sarif does not decode to JSON");
    };
    if sarif["version"] != "2.1.0" || !sarif["runs"].is_array() {
        return error(
            400,
            "sarif is not a SARIF 2.1.0 log (version \"2.1.0\" and a runs array)",
        );
    }
    let number = state.next_id();
    let id = format!("00000000-0000-4000-8000-{number:012}");
    let url = format!(
        "{}/repos/{}/{}/code-scanning/sarifs/{id}",
        state.api_url,
        call.owner(),
        call.repo()
    );
    state.sarif_uploads.push(SarifUpload {
        id: id.clone(),
        repo: (call.owner().to_string(), call.repo().to_string()),
        commit_sha: call.body["commit_sha"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        reference: call.body["ref"].as_str().unwrap_or_default().to_string(),
        sarif,
    });
    Response::json(202, &json!({"id": id, "url": url}))
}
