//! The shell front end over every RUN of the corpus (`../shared/data/corpus`, skipped
//! when absent): no panic, and nearly every RUN is read.

use dockgate::dockerfile::shell;

#[test]
fn every_corpus_run_parses_without_panic() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/corpus/dockerfiles");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("no corpus at {}: skipped", dir.display());
        return;
    };
    let (mut runs, mut unread) = (0, Vec::new());
    for entry in entries.flatten() {
        let Ok(bytes) = std::fs::read(entry.path()) else {
            continue;
        };
        let dockerfile = dockgate::dockerfile::parse_bytes(&bytes);
        let model = dockgate::dockerfile::model::Model::new(&dockerfile);
        for (index, instruction) in dockerfile.instructions.iter().enumerate() {
            if shell::run_of(instruction).is_none()
                || !shell::shell_at(&dockerfile, &model, index).is_posix()
            {
                continue;
            }
            runs += 1;
            if shell::parse_run(&dockerfile, instruction).is_none() {
                unread.push(format!(
                    "{}: {}",
                    entry.path().display(),
                    instruction.original
                ));
            }
        }
    }
    for line in &unread {
        eprintln!("unread: {line}");
    }
    eprintln!("{runs} RUNs, {} unread", unread.len());
    assert!(unread.len() * 100 <= runs, "more than 1% of RUNs unread");
}
