//! The shell front end over many RUNs: no panic, and nearly every RUN is read. The
//! vendored sample (`tests/fixtures/shell/runs.Dockerfile`, RUN lines written for these
//! tests) always runs; the corpus (`../shared/data/corpus`) when it is present.

use std::path::Path;

use dockgate::dockerfile::model::Model;
use dockgate::dockerfile::{parse_bytes, shell};

/// What the front end made of the RUNs of one file.
#[derive(Default)]
struct Reading {
    /// RUNs in a POSIX shell.
    posix: usize,
    /// RUNs in another shell (cmd on a Windows image, PowerShell).
    other: usize,
    /// The POSIX RUNs it could not read, as (line, text).
    unread: Vec<(usize, String)>,
    /// The line of each RUN right below an `# unreadable:` comment.
    marked_unreadable: Vec<usize>,
}

fn read_runs(bytes: &[u8]) -> Reading {
    let dockerfile = parse_bytes(bytes);
    let model = Model::new(&dockerfile);
    let mut reading = Reading::default();
    let lines: Vec<&str> = dockerfile.source.lines().collect();
    for (index, instruction) in dockerfile.instructions.iter().enumerate() {
        if shell::run_of(instruction).is_none() {
            continue;
        }
        let line = dockerfile
            .lines
            .position(&dockerfile.source, instruction.range.start)
            .line;
        if line >= 2 && lines[line - 2].starts_with("# unreadable:") {
            reading.marked_unreadable.push(line);
        }
        if !shell::shell_at(&dockerfile, &model, index).is_posix() {
            reading.other += 1;
            continue;
        }
        reading.posix += 1;
        if shell::parse_run(&dockerfile, instruction).is_none() {
            reading.unread.push((line, instruction.original.clone()));
        }
    }
    reading
}

#[test]
fn every_sample_run_is_read_but_the_broken_ones() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shell/runs.Dockerfile");
    let reading = read_runs(&std::fs::read(path).unwrap());
    let unread: Vec<usize> = reading.unread.iter().map(|(line, _)| *line).collect();
    assert_eq!(unread, reading.marked_unreadable, "{:?}", reading.unread);
    assert_eq!(reading.marked_unreadable.len(), 2);
    assert_eq!((reading.posix, reading.other), (25, 3));
}

#[test]
fn every_corpus_run_parses_without_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/corpus/dockerfiles");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("no corpus at {}: skipped", dir.display());
        return;
    };
    let (mut runs, mut unread) = (0, Vec::new());
    for entry in entries.flatten() {
        let Ok(bytes) = std::fs::read(entry.path()) else {
            continue;
        };
        let reading = read_runs(&bytes);
        runs += reading.posix;
        for (_, text) in reading.unread {
            unread.push(format!("{}: {text}", entry.path().display()));
        }
    }
    for line in &unread {
        eprintln!("unread: {line}");
    }
    eprintln!("{runs} RUNs, {} unread", unread.len());
    assert!(unread.len() * 100 <= runs, "more than 1% of RUNs unread");
}
