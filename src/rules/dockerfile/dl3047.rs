//! DL3047: `wget` without a progress setting.

use crate::finding::Fix;
use crate::rules::Context;
use crate::source::TextRange;

use super::scripts::{command_word, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `wget` without `--progress`, `-q`/`--quiet`, `-nv`/`--no-verbose`, or a
    /// log file (`-o`, `-a`).
    ///
    /// ## Why is this bad?
    /// wget's default progress bar writes a line per step when there is no terminal:
    /// a large download fills the build log with thousands of lines.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget https://example.com/big.tar.gz
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget --progress=dot:giga https://example.com/big.tar.gz
    /// ```
    ///
    /// ## Fix
    /// Adds `--progress=dot:giga` after `wget`.
    ///
    /// ## References
    /// - [hadolint DL3047](https://github.com/hadolint/hadolint/wiki/DL3047)
    code: "DL3047",
    name: "wget-progress",
    severity: Info,
    category: BestPractice,
    fixable: true,
    fix: Safe("Add `--progress=dot:giga`"),
    message: "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`).",
    check: check,
}

fn check(context: &mut Context) {
    for run in runs(context) {
        let noisy = run.script.commands_named("wget").find(|command| {
            !command.has_flag(&["--progress", "-q", "--quiet", "--no-verbose", "-o", "--output-file", "-a", "--append-output"])
                && !command.has_arg("-nv")
        });
        if let Some(command) = noisy {
            let word = command_word(command);
            let fix = Fix::replace("Add `--progress=dot:giga`", TextRange::empty(word.end), " --progress=dot:giga");
            context.report(run.instruction, word).fix = Some(fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn noisy() {
        assert_catches("DL3047", "FROM debian:12\nRUN wget https://x/y");
        assert_catches("DL3047", "FROM debian:12\nRUN wget -O f https://x/y");
    }

    #[test]
    fn quiet() {
        for flags in ["--progress=dot:giga", "-q", "-qO-", "--quiet", "-nv", "--no-verbose", "-o log", "--output-file=log", "-a log"] {
            assert_catches_not("DL3047", &format!("FROM debian:12\nRUN wget {flags} https://x/y"));
        }
        assert_catches_not("DL3047", "FROM debian:12\nRUN curl -fsSL https://x/y");
    }

    #[test]
    fn fix_sets_progress() {
        assert_fix(
            "DL3047",
            "FROM debian:12\nRUN wget https://x/y\n",
            "FROM debian:12\nRUN wget --progress=dot:giga https://x/y\n",
        );
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL3047", "FROM debian:12\nONBUILD RUN wget https://example.com/x");
    }
}
