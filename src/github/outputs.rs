//! The step's outputs (`$GITHUB_OUTPUT`) and job summary (`$GITHUB_STEP_SUMMARY`),
//! in the formats the runner reads: `name<<DELIMITER` heredocs, so a multi-line value
//! (the JSON report) cannot end early or inject another output.

use std::io::Write as _;
use std::path::Path;

/// Appends `name=value` pairs to the output file, each as a heredoc whose delimiter
/// does not occur in its value.
pub fn append_outputs(path: &Path, outputs: &[(&str, String)]) -> std::io::Result<()> {
    let mut text = String::new();
    for (name, value) in outputs {
        let delimiter = delimiter_for(value);
        text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    append(path, &text)
}

/// A delimiter that is no line of `value`.
fn delimiter_for(value: &str) -> String {
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64
        ^ u64::from(std::process::id());
    loop {
        let delimiter = format!("ghadelimiter_{seed:016x}");
        if !value.contains(&delimiter) {
            return delimiter;
        }
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    }
}

/// Appends to the job summary (the runner shows what every step appended).
pub fn append_summary(path: &Path, markdown: &str) -> std::io::Result<()> {
    append(path, markdown)
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_values_are_heredocs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        std::fs::write(&path, "earlier=1\n").unwrap();
        append_outputs(
            &path,
            &[
                ("passed", "false".into()),
                ("report-json", "{\n  \"a\": 1\n}".into()),
            ],
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "earlier=1");
        let delimiter = lines[1].strip_prefix("passed<<").unwrap();
        assert_eq!(lines[2], "false");
        assert_eq!(lines[3], delimiter);
        assert!(lines[4].starts_with("report-json<<"));
        assert_eq!(&lines[5..8], ["{", "  \"a\": 1", "}"]);
    }
}
