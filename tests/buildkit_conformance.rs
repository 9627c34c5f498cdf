//! BuildKit's own parser test suite (vendored from moby/buildkit, Apache-2.0, see
//! tests/buildkit-parser/LICENSE and SOURCE): every `Dockerfile` must dump to its
//! `result` byte for byte, and every negative file must be rejected.

use dockgate::dockerfile::{buildkit_dump::dump, parse_bytes};
use std::fs;
use std::path::{Path, PathBuf};

fn cases(folder: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/buildkit-parser")
        .join(folder);
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn all_positive_cases_match_buildkit_byte_for_byte() {
    let dirs = cases("testfiles");
    assert_eq!(dirs.len(), 33, "the vendored suite has 33 cases");
    let mut failures = Vec::new();
    for dir in &dirs {
        let source = fs::read(dir.join("Dockerfile")).unwrap();
        let expected = fs::read_to_string(dir.join("result")).unwrap();
        match dump(&parse_bytes(&source)) {
            Ok(actual) if actual == expected => {}
            Ok(actual) => failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                dir.display()
            )),
            Err(error) => failures.push(format!("{}: rejected: {error}", dir.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 33 differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn all_negative_cases_are_rejected() {
    let dirs = cases("testfiles-negative");
    assert_eq!(dirs.len(), 4);
    for dir in &dirs {
        let source = fs::read(dir.join("Dockerfile")).unwrap();
        let result = dump(&parse_bytes(&source));
        assert!(
            result.is_err(),
            "{} was accepted: {result:?}",
            dir.display()
        );
    }
}

/// The same suite through the binary, as `dockgate debug parse --format buildkit FILE`:
/// stdout is the result byte for byte; a negative file exits 2 with a located message.
#[test]
fn the_cli_prints_buildkit_results_and_rejects_negatives_with_exit_2() {
    let binary = env!("CARGO_BIN_EXE_dockgate");
    let run = |file: &Path| {
        std::process::Command::new(binary)
            .args(["debug", "parse", "--format", "buildkit"])
            .arg(file)
            .output()
            .unwrap()
    };
    for dir in cases("testfiles") {
        let output = run(&dir.join("Dockerfile"));
        assert!(output.status.success(), "{}", dir.display());
        assert_eq!(
            output.stdout,
            fs::read(dir.join("result")).unwrap(),
            "{}",
            dir.display()
        );
    }
    for dir in cases("testfiles-negative") {
        let file = dir.join("Dockerfile");
        let output = run(&file);
        assert_eq!(output.status.code(), Some(2), "{}", dir.display());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&*file.to_string_lossy()), "{stderr}");
    }
}
