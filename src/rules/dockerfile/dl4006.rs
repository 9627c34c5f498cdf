//! DL4006: a pipe without `pipefail`.

use crate::rules::Context;

use super::scripts::runs;

crate::declare_rule! {
    /// ## What it does
    /// Reports a `RUN` with a pipe (`a | b`) when the shell does not run with
    /// `-o pipefail`.
    ///
    /// ## Why is this bad?
    /// A pipeline's status is its last command's: `wget -O - URL | tar x` succeeds when
    /// the download fails, and the build goes on with a broken layer. With `pipefail`
    /// the pipeline fails when any command in it fails.
    ///
    /// `pipefail` counts when an earlier `SHELL` of the stage, or of a stage it is
    /// built `FROM`, passes `-o pipefail` (also `-eo pipefail`), or when `set -o
    /// pipefail` runs in the same `RUN` before the pipe. hadolint looks only at the
    /// `SHELL` of the same stage and ignores `set -o pipefail` (see
    /// `docs/hadolint-compatibility.md`). A `SHELL` that is not a POSIX shell
    /// (PowerShell, cmd) turns the check off.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget -O - https://example.com/app.tar.gz | tar xz
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN wget -O - https://example.com/app.tar.gz | tar xz
    /// ```
    ///
    /// ## References
    /// - [hadolint DL4006](https://github.com/hadolint/hadolint/wiki/DL4006)
    code: "DL4006",
    name: "pipe-without-pipefail",
    severity: Warning,
    category: Correctness,
    fixable: false,
    message: "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check",
    check: check,
}

fn check(context: &mut Context) {
    for run in runs(context) {
        if context.shell(run.index).pipefail() {
            continue;
        }
        let unguarded = run
            .script
            .pipes()
            .find(|pipe| !run.script.pipefail_before(pipe.start));
        if let Some(pipe) = unguarded {
            context.report(run.instruction, pipe);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn pipes() {
        assert_catches("DL4006", "FROM debian:12\nRUN wget -O - https://x | tar xz");
        assert_catches("DL4006", "FROM debian:12\nRUN a && (b | c)");
        assert_catches("DL4006", "FROM debian:12\nRUN x=$(a | b)");
        assert_catches("DL4006", "FROM debian:12\nRUN a | b && set -o pipefail");
        assert_catches("DL4006", "FROM debian:12\nSHELL [\"/bin/sh\", \"-c\"]\nRUN a | b");
        assert_catches("DL4006", "FROM debian:12\nRUN [\"sh\", \"-c\", \"a | b\"]");
        assert_catches("DL4006", "FROM debian:12\nONBUILD RUN a | b");
        assert_lines("DL4006", "FROM debian:12\nRUN a | b\nRUN c | d", &[2, 3]);
    }

    #[test]
    fn no_pipe_or_pipefail() {
        assert_catches_not("DL4006", "FROM debian:12\nRUN a || b");
        assert_catches_not("DL4006", "FROM debian:12\nRUN echo \"a | b\" 'c|d'");
        assert_catches_not(
            "DL4006",
            "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b",
        );
        assert_catches_not(
            "DL4006",
            "FROM alpine:3\nSHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN a | b",
        );
        assert_catches_not("DL4006", "FROM debian:12\nSHELL [\"pwsh\", \"-c\"]\nRUN a | b");
        assert_catches_not("DL4006", "FROM debian:12\nRUN set -o pipefail && a | b");
        assert_catches_not("DL4006", "FROM debian:12\nRUN set -euxo pipefail; a | b");
    }

    #[test]
    fn shell_inherited_from_an_earlier_stage() {
        assert_catches_not(
            "DL4006",
            "FROM debian:12 AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM base\nRUN a | b",
        );
        assert_catches(
            "DL4006",
            "FROM debian:12 AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM debian:12\nRUN a | b",
        );
    }

    #[test]
    fn span_is_the_pipe() {
        let found = findings("DL4006", "FROM debian:12\nRUN a \\\n  | b\n");
        let location = found[0].location.as_ref().unwrap();
        assert_eq!(found[0].line(), 2);
        assert_eq!(location.range.start, "FROM debian:12\nRUN a \\\n  ".len());
    }
}
