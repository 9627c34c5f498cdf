//! DL3059: consecutive RUN instructions that could be one.

use crate::dockerfile::{Args, Instruction, Keyword};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that directly follows another `RUN` of the same stage when both
    /// run a single command and carry the same flags (`--mount`, `--network`, ...).
    /// Comments and blank lines between them do not matter; any other instruction
    /// does. A `RUN` that already chains several commands (`&&`, `;`, `|`, a command
    /// substitution, a multi-line heredoc script) is left alone, and so is the `RUN`
    /// after it.
    ///
    /// ## Why is this bad?
    /// Each `RUN` makes a layer. Two one-command layers in a row cost an extra layer
    /// and an extra cache entry for nothing, and files one deletes stay in the other.
    ///
    /// Commands are counted as hadolint counts them: `[ ... ]` tests, assignments
    /// and reserved words run nothing; a heredoc `RUN` counts the commands of its
    /// body; a script that is no POSIX shell (`word(`, an unterminated quote) counts
    /// as one command.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## References
    /// - [Best practices: minimize the number of layers](https://docs.docker.com/build/building/best-practices/#minimize-the-number-of-layers)
    code: "DL3059",
    name: "consecutive-run",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "Multiple consecutive `RUN` instructions. Consider consolidation.",
    check: check,
}

fn check(context: &mut Context) {
    // The flags of the previous instruction when it was a one-command RUN.
    let mut previous: Option<Vec<String>> = None;
    for instruction in context.instructions() {
        if instruction.keyword != Keyword::Run {
            previous = None;
            continue;
        }
        let flags: Vec<String> = instruction.flags.iter().map(|f| f.raw.clone()).collect();
        let single = is_single_command(instruction);
        if single && previous.as_ref() == Some(&flags) {
            context.report(instruction, instruction.range);
        }
        previous = single.then_some(flags);
    }
}

/// Whether a RUN runs exactly one simple command.
fn is_single_command(instruction: &Instruction) -> bool {
    let script = match (&instruction.args, instruction.heredocs.as_slice()) {
        // `RUN <<EOF`: the body is the script (other heredocs are files it reads).
        (Args::Shell(word), [heredoc, ..]) if word.value.trim_start().starts_with("<<") => {
            heredoc.content.clone()
        }
        (Args::Shell(word), _) => word.value.clone(),
        (Args::Exec(words), _) => words
            .iter()
            .map(|w| w.value.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        _ => return false,
    };
    count_commands(&script) == 1
}

/// The simple commands of a shell script, roughly: the command segments between
/// control operators (`&&`, `||`, `;`, `|`, `&`, newlines, parentheses) that run
/// something, plus one for each command substitution. Quotes are respected;
/// reserved words (`if`, `then`, `{`, ...) and assignments alone run nothing.
///
/// A script that is no valid POSIX shell (an unterminated quote, `word(` as in a
/// `cmd` or PowerShell script) cannot be counted: it is
/// taken for one command, as hadolint takes it.
fn count_commands(script: &str) -> usize {
    let chars: Vec<char> = script.chars().collect();
    let mut count = 0;
    let mut valid = true;
    let mut segment = String::new();
    let mut i = 0;
    let flush = |segment: &mut String, count: &mut usize| {
        if runs_something(segment) {
            *count += 1;
        }
        segment.clear();
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\\' => {
                segment.push(c);
                if let Some(n) = next {
                    segment.push(n);
                }
                i += 2;
                continue;
            }
            '\'' => {
                segment.push('x');
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
            }
            '"' => {
                segment.push('x');
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    match chars[i] {
                        '\\' => i += 1,
                        '`' => count += 1,
                        '$' if chars.get(i + 1) == Some(&'(') && chars.get(i + 2) != Some(&'(') => {
                            count += 1
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            '`' => {
                count += 1;
                segment.push('x');
                i += 1;
                while i < chars.len() && chars[i] != '`' {
                    i += 1;
                }
            }
            '$' if next == Some('(') => {
                // A command substitution counts as one command (an arithmetic
                // expansion, `$((...))`, as none); the word it stands in stays part of
                // the segment.
                let start = i + 2;
                segment.push('x');
                let mut depth = 0;
                i += 1;
                while i < chars.len() {
                    match chars[i] {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                // `$(< file)` reads a file and runs nothing.
                let inner: String = chars[start.min(i)..i].iter().collect();
                if !inner.starts_with('(') && !inner.trim_start().starts_with('<') {
                    count += 1;
                }
            }
            '&' if segment.ends_with(['>', '<']) || next == Some('>') => segment.push(c),
            '#' if segment.is_empty() || segment.ends_with(char::is_whitespace) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '(' => {
                // `f()` defines a function; `word(` is no POSIX syntax.
                let glued = segment.ends_with(|c: char| !c.is_whitespace() && !"!{=<>".contains(c));
                if glued && next != Some(')') {
                    valid = false;
                }
                flush(&mut segment, &mut count);
            }
            ')' => flush(&mut segment, &mut count),
            ';' | '&' | '|' | '\n' => flush(&mut segment, &mut count),
            _ => segment.push(c),
        }
        i += 1;
    }
    flush(&mut segment, &mut count);
    let unterminated = i > chars.len();
    match valid && !unterminated {
        true => count,
        false => 1,
    }
}

/// Whether a command segment runs a command (not only reserved words, assignments,
/// redirections or a `[ ... ]` / `[[ ... ]]` test, which hadolint does not count
/// either).
fn runs_something(segment: &str) -> bool {
    const RESERVED: &[&str] = &[
        "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until",
        "for", "in", "{", "}", "!", "[[", "]]", "function", "select",
    ];
    // `for NAME in WORDS`, `case WORD in`: a loop head or a case subject runs nothing.
    if matches!(segment.split_whitespace().next(), Some("for" | "select" | "case")) {
        return false;
    }
    let command = segment.split_whitespace().find(|word| {
        !RESERVED.contains(word)
            && !is_assignment(word)
            && !word.starts_with(['>', '<'])
            && !word.chars().next().is_some_and(|c| c.is_ascii_digit() && word.contains(['>', '<']))
    });
    command.is_some_and(|word| word != "[" && word != "[[")
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::count_commands;
    use crate::rules::testing::*;

    #[test]
    fn consecutive_one_command_runs() {
        assert_catches("DL3059", "FROM debian:12\nRUN a\nRUN b");
        assert_catches("DL3059", "FROM debian:12\nRUN a\n# c\n\nRUN b");
        assert_catches("DL3059", "FROM debian:12\nRUN a\nrun b");
        assert_catches("DL3059", "FROM debian:12\nRUN [\"a\"]\nRUN [\"b\"]");
        assert_catches("DL3059", "FROM debian:12\nRUN a 'x && y'\nRUN b");
        assert_catches("DL3059", "FROM debian:12\nRUN a > /x 2>&1\nRUN V=1 b");
        assert_catches("DL3059", "FROM debian:12\nRUN a=$(b)\nRUN c");
        assert_catches(
            "DL3059",
            "FROM debian:12\nRUN --mount=type=cache,target=/x a\nRUN --mount=type=cache,target=/x b",
        );
        assert_lines("DL3059", "FROM debian:12\nRUN a\nRUN b\nRUN c", &[3, 4]);
        assert_lines("DL3059", "FROM debian:12\nRUN a && b\nRUN c\nRUN d", &[4]);
    }

    #[test]
    fn not_consecutive_or_not_simple() {
        assert_catches_not("DL3059", "FROM debian:12\nRUN a\nENV X=1\nRUN b");
        assert_catches_not("DL3059", "FROM debian:12\nRUN a\nFROM debian:12\nRUN b");
        assert_catches_not("DL3059", "FROM debian:12\nRUN a\nONBUILD RUN b\nRUN c");
        assert_catches_not("DL3059", "FROM debian:12\nRUN --network=none a\nRUN b");
        assert_catches_not("DL3059", "FROM debian:12\nRUN a && b\nRUN c");
        assert_catches_not("DL3059", "FROM debian:12\nRUN a\nRUN b; c");
        assert_catches_not("DL3059", "FROM debian:12\nRUN a | b\nRUN c");
        assert_catches_not("DL3059", "FROM debian:12\nRUN a \"$(b)\"\nRUN c");
        assert_catches_not("DL3059", "FROM debian:12\nRUN if a; then b; fi\nRUN c");
        assert_catches_not("DL3059", "FROM debian:12\nRUN [\"sh\", \"-c\", \"a && b\"]\nRUN c");
    }

    #[test]
    fn heredoc_scripts_count_their_lines() {
        assert_catches_not(
            "DL3059",
            "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\nRUN <<EOF\na\nb\nEOF\n",
        );
        assert_catches_not("DL3059", "FROM debian:12\nRUN a\nRUN <<EOF\nb\nc\nEOF\n");
        assert_catches("DL3059", "FROM debian:12\nRUN a\nRUN <<EOF\nb\nEOF\n");
    }

    #[test]
    fn counting() {
        assert_eq!(count_commands("a"), 1);
        assert_eq!(count_commands("a && b || c"), 3);
        assert_eq!(count_commands("{ a; }"), 1);
        assert_eq!(count_commands("echo $((1 + 2))"), 1);
        assert_eq!(count_commands("a `b`"), 2);
        assert_eq!(count_commands("a # b; c"), 1);
        assert_eq!(count_commands("[ -e x ] && b"), 1);
        assert_eq!(count_commands("if [ -d vendor ]; then go mod vendor; fi"), 1);
        assert_eq!(count_commands("dnf -y install $(<extra-packages)"), 1);
        assert_eq!(count_commands("for i in x; do b; done"), 1);
        assert_eq!(count_commands("a=1; b"), 1);
        assert_eq!(count_commands(""), 0);
        assert_eq!(count_commands("'unterminated && x"), 1);
        assert_eq!(count_commands("echo print(\"hi\") > c:\\hello.py"), 1);
        assert_eq!(count_commands("(a; b)"), 2);
    }
}
