//! The fake GitHub API of the test suite as a server of its own, for scripts (the
//! benchmark, a `docker run` end-to-end test):
//!
//! ```text
//! cargo run --example fake_github -- FIXTURE.json DIR [ADDRESS]
//! ```
//!
//! builds the fixture's git checkout under DIR (see tests/support/fake_github/
//! standalone.rs for the fixture format), serves its pull request on ADDRESS
//! (default 127.0.0.1:0, a free port), prints one JSON line with the URL, the tokens,
//! the workspace and the `GITHUB_*` environment of a run, and serves until killed.
//! `GET /_fake/state` returns everything it recorded.

#[path = "../tests/support/fake_github/mod.rs"]
mod fake_github;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(fixture_path), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: fake_github FIXTURE.json DIR [ADDRESS]");
        return ExitCode::from(2);
    };
    let address = args.get(2).map(String::as_str).unwrap_or("127.0.0.1:0");
    let text = match std::fs::read_to_string(fixture_path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{fixture_path}: {error}");
            return ExitCode::from(2);
        }
    };
    let served = match fake_github::standalone::serve_fixture(&text, dir.as_ref(), address) {
        Ok(served) => served,
        Err(error) => {
            eprintln!("{fixture_path}: {error}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{}", served.announcement);
    let _ = stdout.flush();
    loop {
        std::thread::park();
    }
}
