//! The shell scripts of a Dockerfile, as ShellCheck is given them, with a map from
//! every byte of a script back to the Dockerfile.
//!
//! A script is a prelude dockgate writes — a shebang for the shell the image uses and
//! `export NAME=1` for each ARG and ENV in scope, so that ShellCheck knows them (as
//! hadolint does) — followed by the command as the shell runs it: a shell-form `RUN`
//! with its continuation lines joined (BuildKit removes the escape, the line break and
//! comment lines), and its heredocs after it; or, for `RUN <<EOF`, the body alone.

use crate::dockerfile::model::Model;
use crate::dockerfile::shell::pragma::{ShellPragma, shell_pragmas};
use crate::dockerfile::shell::{ShellOrigin, ShellSetting, shell_with};
use crate::dockerfile::{Args, Dockerfile, Instruction, Keyword};
use crate::source::TextRange;

/// One script and where each part of it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub text: String,
    /// Bytes of `text` before this are the prelude (no place in the Dockerfile).
    pub prelude: usize,
    /// (offset in `text`, offset in the source) where each contiguous piece starts.
    segments: Vec<(usize, usize)>,
    /// The instruction (the ONBUILD for `ONBUILD RUN`): pragmas refer to it.
    pub instruction: TextRange,
    /// Where findings about the prelude go: the instruction's name.
    pub anchor: TextRange,
}

impl Script {
    /// The source offset of byte `offset` of the script.
    pub fn source_offset(&self, offset: usize) -> Option<usize> {
        if offset < self.prelude {
            return None;
        }
        let at = self.segments.partition_point(|&(start, _)| start <= offset);
        let (start, source) = *self.segments.get(at.checked_sub(1)?)?;
        Some(source + (offset - start))
    }

    /// The byte offset of 1-based `line` and `column` (in characters, tabs counting
    /// one, as ShellCheck's `json1` format counts them); clamped to the text.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let mut start = 0;
        for _ in 1..line {
            match self.text[start..].find('\n') {
                Some(end) => start += end + 1,
                None => return self.text.len(),
            }
        }
        let rest = &self.text[start..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let advance = rest[..line_end]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_end, |(index, _)| index);
        start + advance
    }
}

/// The shells ShellCheck cannot read: an image whose `SHELL` names one (PowerShell,
/// cmd) has its RUNs unchecked, as hadolint leaves them.
fn is_non_posix(shell: &[String]) -> bool {
    shell.iter().any(|word| {
        let word = word.to_ascii_lowercase();
        ["pwsh", "powershell", "cmd"]
            .iter()
            .any(|name| word.contains(name))
    })
}

/// The shebang for a `SHELL` command: its interpreter (with `env`'s argument), an
/// absolute path so that the prelude itself draws no finding.
fn shebang(shell: &[String]) -> Option<String> {
    let first = shell.first()?;
    if is_non_posix(shell) {
        return None;
    }
    let base = first.rsplit('/').next().unwrap_or(first);
    if base == "env" {
        let program = shell.get(1).map_or("sh", String::as_str);
        return Some(format!("#!{first} {program}\n"));
    }
    if first.starts_with('/') {
        Some(format!("#!{first}\n"))
    } else {
        Some(format!("#!/usr/bin/env {first}\n"))
    }
}

/// How the scripts choose their shell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptOptions {
    /// Check each RUN with the shell hadolint 2.15.1 gives ShellCheck rather than the
    /// one the build runs it with ([`hadolint_resets`]).
    pub hadolint_shell: bool,
}

/// The shell ShellCheck checks instruction `index` with: the one the build runs it
/// with ([`crate::dockerfile::shell::shell_at`]), or `/bin/sh` where `options` asks for hadolint's choice and
/// hadolint resets it.
fn shell_for(
    dockerfile: &Dockerfile,
    model: &Model,
    pragmas: &[ShellPragma],
    index: usize,
    options: ScriptOptions,
) -> Vec<String> {
    let shell = shell_with(dockerfile, model, pragmas, index);
    if options.hadolint_shell && hadolint_resets(dockerfile, model, index, &shell) {
        return vec!["/bin/sh".to_string(), "-c".to_string()];
    }
    shell.argv
}

/// Whether hadolint 2.15.1 checks instruction `index` with `/bin/sh` although `shell`
/// is its shell (measured): a RUN on a Windows base image without a SHELL; an
/// `ONBUILD RUN` always; and a RUN after an `ARG` or `ENV` that comes after the SHELL
/// (or the shell pragma) in its stage or a stage it is built on.
fn hadolint_resets(
    dockerfile: &Dockerfile,
    model: &Model,
    index: usize,
    shell: &ShellSetting,
) -> bool {
    // hadolint knows no image defaults: a Windows image's cmd is /bin/sh to it.
    if shell.origin == ShellOrigin::WindowsBase {
        return true;
    }
    let Some(declared) = shell.declared else {
        return false;
    };
    if dockerfile
        .instructions
        .get(index)
        .is_some_and(|instruction| instruction.keyword == Keyword::Onbuild)
    {
        return true;
    }
    [Keyword::Arg, Keyword::Env].into_iter().any(|keyword| {
        model
            .last_before(index, keyword)
            .and_then(|at| dockerfile.instructions.get(at))
            .is_some_and(|instruction| instruction.range.start > declared.start)
    })
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The proxy ARGs BuildKit defines in every build without an `ARG` (a RUN sees them
/// when the build passes them), as hadolint exports them. Their upper-case spellings
/// are left out: ShellCheck takes upper-case names for environment variables.
const PREDEFINED_ARGS: &[&str] = &[
    "all_proxy",
    "ftp_proxy",
    "http_proxy",
    "https_proxy",
    "no_proxy",
];

/// The ARG and ENV names in scope at instruction `index`, sorted.
fn names_in_scope(model: &Model, index: usize) -> Vec<String> {
    let Some(stage) = model.stage_of(index) else {
        return Vec::new();
    };
    let mut names: Vec<String> = model
        .chain(stage.index)
        .into_iter()
        .flat_map(|stage| stage.variables())
        .filter(|variable| variable.instruction < index)
        .map(|variable| variable.name.clone())
        .filter(|name| is_identifier(name))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The scripts of every shell-form `RUN` (and `ONBUILD RUN`) of the file.
pub fn scripts(dockerfile: &Dockerfile, model: &Model, options: ScriptOptions) -> Vec<Script> {
    let mut scripts = Vec::new();
    let pragmas = shell_pragmas(dockerfile);
    for (index, instruction) in dockerfile.instructions.iter().enumerate() {
        let run = match (&instruction.keyword, &instruction.args) {
            (Keyword::Run, _) => instruction,
            (Keyword::Onbuild, Args::Onbuild(inner)) if inner.keyword == Keyword::Run => inner,
            _ => continue,
        };
        let Some(shebang) = shebang(&shell_for(dockerfile, model, &pragmas, index, options)) else {
            continue;
        };
        // An ONBUILD trigger runs in a build downstream, whose variables are unknown
        // here (hadolint does not export any for it either); the proxy ARGs are
        // predefined in every build.
        let mut names = if instruction.keyword == Keyword::Onbuild {
            Vec::new()
        } else {
            names_in_scope(model, index)
        };
        names.extend(PREDEFINED_ARGS.iter().map(|name| name.to_string()));
        names.sort();
        names.dedup();
        let mut prelude = shebang;
        if !names.is_empty() {
            prelude.push_str("export");
            for name in &names {
                prelude.push(' ');
                prelude.push_str(name);
                prelude.push_str("=1");
            }
            prelude.push('\n');
        }
        if let Some(script) = script(dockerfile, run, prelude, instruction.range) {
            scripts.push(script);
        }
    }
    scripts
}

fn script(
    dockerfile: &Dockerfile,
    run: &Instruction,
    prelude: String,
    instruction: TextRange,
) -> Option<Script> {
    let Args::Shell(command) = &run.args else {
        return None;
    };
    let source = &dockerfile.source;
    let mut script = Script {
        prelude: prelude.len(),
        text: prelude,
        segments: Vec::new(),
        instruction,
        anchor: run.name_range,
    };
    let only_heredoc = run.heredocs.len() == 1 && is_heredoc_word(command.value.trim());
    if only_heredoc {
        // `RUN <<EOF`: the body is the script; its own shebang, if any, decides.
        let heredoc = &run.heredocs[0];
        let body = source.get(heredoc.range.start..heredoc.range.start + heredoc.content.len())?;
        if let Some(first) = body.lines().next()
            && let Some(interpreter) = first.strip_prefix("#!")
        {
            let words: Vec<String> = interpreter.split_whitespace().map(String::from).collect();
            shebang(&words)?;
            let program = words.last().map_or("", String::as_str);
            let program = program.rsplit('/').next().unwrap_or(program);
            if !matches!(program, "sh" | "bash" | "dash" | "ksh" | "ash" | "busybox") {
                return None;
            }
            // The body's own shebang replaces dockgate's; the exports stay.
            let exports = script.text.find('\n').map_or(0, |end| end + 1);
            let first_len = (first.len() + 1).min(body.len());
            script.text = format!("{first}\n{}", &script.text[exports..]);
            script.prelude = script.text.len();
            script
                .segments
                .push((script.text.len(), heredoc.range.start + first_len));
            script.text.push_str(&body[first_len..]);
            return Some(script);
        }
        script
            .segments
            .push((script.text.len(), heredoc.range.start));
        script.text.push_str(body);
        return Some(script);
    }
    align(
        &mut script,
        &command.value,
        command.range,
        source,
        dockerfile.escape,
    );
    for heredoc in &run.heredocs {
        script.text.push('\n');
        script
            .segments
            .push((script.text.len(), heredoc.range.start));
        script
            .text
            .push_str(source.get(heredoc.range.start..heredoc.range.end)?);
    }
    script.text.push('\n');
    Some(script)
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"`: a heredoc redirection alone.
fn is_heredoc_word(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("<<") else {
        return false;
    };
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    !rest.is_empty() && !rest.contains(char::is_whitespace)
}

/// Appends `value` (the joined command) to the script, mapping it onto `range` of the
/// source: the value is the source with continuations removed (escape, line break,
/// then any comment or blank lines), so at each mismatch the source skips one.
fn align(script: &mut Script, value: &str, range: TextRange, source: &str, escape: char) {
    let text = source
        .get(range.start..range.end.max(range.start))
        .unwrap_or("");
    let mut at = 0; // into `text`
    let mut open = false; // whether a segment is running
    for (_, c) in value.char_indices() {
        let matches = |at: usize| text[at..].starts_with(c);
        if !(at < text.len() && matches(at)) {
            at = skip_continuation(text, at, escape);
            if !(at < text.len() && matches(at)) {
                // Not the expected shape: find the character further on.
                at = text[at.min(text.len())..]
                    .find(c)
                    .map_or(text.len(), |found| at + found);
            }
            open = false;
        }
        if !open {
            script.segments.push((script.text.len(), range.start + at));
            open = true;
        }
        script.text.push(c);
        at = (at + c.len_utf8()).min(text.len());
    }
}

/// Past an escaped line break at `at` and the comment and blank lines after it.
fn skip_continuation(text: &str, at: usize, escape: char) -> usize {
    let mut rest = &text[at.min(text.len())..];
    let Some(after) = rest.strip_prefix(escape) else {
        return at;
    };
    let after = after.trim_start_matches([' ', '\t']);
    let Some(after) = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))
    else {
        return at;
    };
    rest = after;
    loop {
        let line_end = rest.find('\n').map_or(rest.len(), |end| end + 1);
        let line = rest[..line_end].trim_start();
        if line.starts_with('#') || (line.trim().is_empty() && line_end < rest.len()) {
            rest = &rest[line_end..];
        } else {
            break;
        }
    }
    text.len() - rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::parse;

    const PROXIES: &str = "export all_proxy=1 ftp_proxy=1 http_proxy=1 https_proxy=1 no_proxy=1\n";

    fn scripts_of(source: &str) -> (Dockerfile, Vec<Script>) {
        let dockerfile = parse(source);
        let model = Model::new(&dockerfile);
        let scripts = scripts(&dockerfile, &model, ScriptOptions::default());
        (dockerfile, scripts)
    }

    /// The source text at the script's byte `offset`.
    fn at<'a>(dockerfile: &'a Dockerfile, script: &Script, offset: usize) -> &'a str {
        let source = script.source_offset(offset).unwrap();
        &dockerfile.source[source..]
    }

    #[test]
    fn continuations_map_back_to_their_lines() {
        let (dockerfile, scripts) =
            scripts_of("FROM debian:12\nARG V\nENV E=1\nRUN echo a && \\\n  # note\n    echo $b\n");
        let script = &scripts[0];
        assert_eq!(
            script.text,
            "#!/bin/sh\nexport E=1 V=1 all_proxy=1 ftp_proxy=1 http_proxy=1 https_proxy=1 no_proxy=1\necho a &&     echo $b\n"
        );
        let b = script.text.find("$b").unwrap();
        assert!(at(&dockerfile, script, b).starts_with("$b\n"));
        assert_eq!(script.offset_of(3, 20), b);
        assert_eq!(script.source_offset(3), None);
    }

    #[test]
    fn shells_heredocs_and_onbuild() {
        let (dockerfile, scripts) = scripts_of(
            "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nRUN <<EOF\necho $x\nEOF\nONBUILD RUN echo 1\nRUN cat <<EOF > f\n$y\nEOF\nSHELL [\"pwsh\", \"-c\"]\nRUN echo no\n",
        );
        assert_eq!(scripts.len(), 3);
        assert_eq!(scripts[0].text, format!("#!/bin/bash\n{PROXIES}echo $x\n"));
        let x = scripts[0].text.find("$x").unwrap();
        assert!(at(&dockerfile, &scripts[0], x).starts_with("$x\nEOF"));
        assert_eq!(scripts[1].text, format!("#!/bin/bash\n{PROXIES}echo 1\n"));
        assert_eq!(
            scripts[2].text,
            format!("#!/bin/bash\n{PROXIES}cat <<EOF > f\n$y\nEOF\n")
        );
        let y = scripts[2].text.find("$y").unwrap();
        assert!(at(&dockerfile, &scripts[2], y).starts_with("$y\nEOF\nSHELL"));
    }

    #[test]
    fn a_heredoc_with_another_interpreter_is_not_shell() {
        let (_, scripts) = scripts_of("FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n");
        assert!(scripts.is_empty());
        let (dockerfile, scripts) = scripts_of("FROM a\nRUN <<EOF\n#!/bin/bash\necho $z\nEOF\n");
        assert_eq!(scripts[0].text, format!("#!/bin/bash\n{PROXIES}echo $z\n"));
        let z = scripts[0].text.find("$z").unwrap();
        assert!(at(&dockerfile, &scripts[0], z).starts_with("$z\nEOF"));
    }
}
