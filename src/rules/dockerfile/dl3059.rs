//! DL3059: consecutive RUN instructions that could be one.

use crate::dockerfile::Keyword;
use crate::dockerfile::shell::command_count;
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
    let instructions = context.instructions();
    for (index, instruction) in instructions.iter().enumerate() {
        if instruction.keyword != Keyword::Run {
            previous = None;
            continue;
        }
        let flags: Vec<String> = instruction.flags.iter().map(|f| f.raw.clone()).collect();
        // Counting is a scan of the script: skip it for a RUN with no RUN beside it
        // that it could be merged with.
        let next_is_run = instructions
            .get(index + 1)
            .is_some_and(|next| next.keyword == Keyword::Run);
        if !next_is_run && previous.as_ref() != Some(&flags) {
            previous = None;
            continue;
        }
        let single = command_count(instruction) == 1;
        if single && previous.as_ref() == Some(&flags) {
            context.report(instruction, instruction.range);
        }
        previous = single.then_some(flags);
    }
}

#[cfg(test)]
mod tests {
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
}
