//! `# hadolint shell=NAME`: the shell a Dockerfile declares for its base image, when
//! the image's default is not `/bin/sh -c` (a Windows image that runs PowerShell).
//!
//! One before the first instruction holds for the whole file; one later holds until
//! the next `FROM` (as in hadolint 2.15.1, measured). A comment between the
//! continuation lines of an instruction is not a pragma. `# dockgate shell=NAME` is
//! accepted too.

use crate::dockerfile::{Dockerfile, Keyword};
use crate::source::TextRange;

/// One `# hadolint shell=NAME` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellPragma {
    pub range: TextRange,
    /// The shell as written: `powershell`, `pwsh`, `cmd.exe`, `/bin/bash`.
    pub shell: String,
    /// Where it stops holding: the start of the next `FROM` (`usize::MAX` for the rest
    /// of the file, which is where a pragma before the first instruction holds).
    pub until: usize,
}

/// Every shell pragma of the file, in file order.
pub fn shell_pragmas(dockerfile: &Dockerfile) -> Vec<ShellPragma> {
    let instructions = &dockerfile.instructions;
    let first_instruction = instructions.first().map_or(usize::MAX, |i| i.range.start);
    // Instructions are in source order: the one that could hold `offset` is the last
    // that starts before it.
    let inside_instruction = |offset: usize| {
        let after = instructions.partition_point(|i| i.range.start < offset);
        after
            .checked_sub(1)
            .is_some_and(|i| offset < instructions[i].range.end)
    };
    dockerfile
        .comments
        .iter()
        .filter_map(|comment| {
            let shell = parse_shell(&comment.text)?;
            let at = comment.range.start;
            if inside_instruction(at) {
                return None;
            }
            let until = if at < first_instruction {
                usize::MAX
            } else {
                let after = instructions.partition_point(|i| i.range.start <= at);
                instructions[after..]
                    .iter()
                    .find(|i| i.keyword == Keyword::From)
                    .map_or(usize::MAX, |i| i.range.start)
            };
            Some(ShellPragma {
                range: comment.range,
                shell,
                until,
            })
        })
        .collect()
}

/// The pragma that declares the shell at byte `offset` (an instruction's start): the
/// last one before it that still holds there.
pub fn pragma_at(pragmas: &[ShellPragma], offset: usize) -> Option<&ShellPragma> {
    pragmas
        .iter()
        .rev()
        .find(|pragma| pragma.range.start < offset && offset < pragma.until)
}

/// Parses the text of a comment (after `#`): `hadolint shell=NAME` (spaces around `=`
/// allowed).
fn parse_shell(comment: &str) -> Option<String> {
    let rest = strip_word(comment.trim_start(), "hadolint")
        .or_else(|| strip_word(comment.trim_start(), "dockgate"))?;
    let rest = rest.strip_prefix("shell")?.trim_start();
    let shell = rest.strip_prefix('=')?.split_whitespace().next()?;
    Some(shell.to_string())
}

/// `text` without the leading `word` and the whitespace after it, if it starts so.
pub fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(word)?;
    let trimmed = rest.trim_start();
    (trimmed.len() < rest.len()).then_some(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shells(source: &str) -> Vec<(usize, Option<String>)> {
        let dockerfile = crate::dockerfile::parse(source);
        let pragmas = shell_pragmas(&dockerfile);
        dockerfile
            .instructions
            .iter()
            .filter(|instruction| instruction.keyword == Keyword::Run)
            .map(|instruction| {
                let line = dockerfile
                    .lines
                    .position(&dockerfile.source, instruction.range.start)
                    .line;
                (
                    line,
                    pragma_at(&pragmas, instruction.range.start).map(|p| p.shell.clone()),
                )
            })
            .collect()
    }

    #[test]
    fn shell_pragmas_hold_until_the_next_from_or_for_the_file() {
        let ps = || Some("powershell".to_string());
        // Later in the file: from the pragma to the next FROM.
        assert_eq!(
            shells("FROM a\nRUN x\n# hadolint shell=powershell\nRUN y\nFROM b\nRUN z\n"),
            [(2, None), (4, ps()), (6, None)]
        );
        // Before the first instruction: the whole file, unless a stage says otherwise.
        assert_eq!(
            shells(
                "# a comment\n# hadolint shell=powershell\nARG V\nFROM a\nRUN x\nFROM b\n# hadolint shell = bash\nRUN y\nFROM c\nRUN z\n"
            ),
            [(5, ps()), (8, Some("bash".to_string())), (10, ps())]
        );
        // After an instruction, even an ARG, a FROM ends it.
        assert_eq!(
            shells("ARG V\n# hadolint shell=powershell\nFROM a\nRUN x\n"),
            [(4, None)]
        );
        // Between continuation lines it is a comment.
        assert_eq!(
            shells("FROM a\nRUN x \\\n# hadolint shell=powershell\n  && y\nRUN z\n"),
            [(2, None), (5, None)]
        );
        assert_eq!(
            parse_shell("dockgate shell=cmd.exe /s"),
            Some("cmd.exe".to_string())
        );
        assert_eq!(parse_shell("hadolint shell="), None);
        assert_eq!(parse_shell("hadolint ignore=DL3006"), None);
    }
}
