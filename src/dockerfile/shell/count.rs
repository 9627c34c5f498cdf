//! Counting the simple commands of a RUN from its text, as hadolint counts them: a
//! script the parser cannot read (a `cmd` or PowerShell script, an unterminated
//! quote) still has a count, one.

use crate::dockerfile::{Args, Instruction};

/// How many simple commands a RUN (shell or exec form) runs, as hadolint counts them
/// for DL3059: `RUN <<EOF` counts the commands of its body.
pub fn command_count(instruction: &Instruction) -> usize {
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
        _ => return 0,
    };
    count_commands(&script)
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
    let mut chars = Vec::with_capacity(script.len());
    chars.extend(script.chars());
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
        "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
        "in", "{", "}", "!", "[[", "]]", "function", "select",
    ];
    // `for NAME in WORDS`, `case WORD in`: a loop head or a case subject runs nothing.
    if matches!(
        segment.split_whitespace().next(),
        Some("for" | "select" | "case")
    ) {
        return false;
    }
    let command = segment.split_whitespace().find(|word| {
        !RESERVED.contains(word)
            && !is_assignment(word)
            && !word.starts_with(['>', '<'])
            && !word
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() && word.contains(['>', '<']))
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
    use super::*;

    #[test]
    fn runs_in_every_form() {
        let counts: Vec<usize> = crate::dockerfile::parse(
            "FROM a\nRUN a && b\nRUN [\"a\", \"&&\"]\nRUN <<EOF\na\nb\nc\nEOF\nRUN cat <<EOF > f\na\nb\nEOF\n",
        )
        .instructions
        .iter()
        .skip(1)
        .map(command_count)
        .collect();
        assert_eq!(counts, [2, 1, 3, 1]);
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
        assert_eq!(
            count_commands("if [ -d vendor ]; then go mod vendor; fi"),
            1
        );
        assert_eq!(count_commands("dnf -y install $(<extra-packages)"), 1);
        assert_eq!(count_commands("for i in x; do b; done"), 1);
        assert_eq!(count_commands("a=1; b"), 1);
        assert_eq!(count_commands(""), 0);
        assert_eq!(count_commands("'unterminated && x"), 1);
        assert_eq!(count_commands("echo print(\"hi\") > c:\\hello.py"), 1);
        assert_eq!(count_commands("(a; b)"), 2);
    }
}
