//! DL1000: the Dockerfile has a syntax error.

use crate::dockerfile::parser::instruction_errors;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports each place where BuildKit refuses the Dockerfile: what its parser rejects
    /// (an unterminated heredoc, a JSON array with a non-string, `ENV` without a value,
    /// a bad parser directive or `# check=` value, ...), instructions it does not know (a run of them is one
    /// finding), and what its builder refuses: a wrong number of arguments
    /// (`FROM image AS`), an unknown or malformed flag, an invalid stage name, ... (the
    /// list is in docs/parser.md).
    ///
    /// ## Why is this bad?
    /// `docker build` rejects the file, or reads it differently from what it looks
    /// like. Unlike hadolint, dockgate reports the exact line and column and goes on
    /// linting the rest of the file, so one error does not hide every other finding.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN <<EOF
    /// apt-get update
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN <<EOF
    /// apt-get update
    /// EOF
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    code: "DL1000",
    name: "syntax-error",
    severity: Error,
    category: Syntax,
    fixable: false,
    message: "Syntax error",
    check: check,
}

fn check(context: &mut Context) {
    for error in &context.dockerfile().errors {
        context.report_at(error.range, error.range).message = error.message.clone();
    }
    // BuildKit refuses to build with a `# check=` value it cannot read.
    if let Some((Err(message), range)) = crate::rules::check_directive::of(context.dockerfile()) {
        context.report_at(range, range).message = message;
    }
    // What BuildKit's parser accepts but its builder refuses: unknown instructions,
    // argument counts, flags.
    for found in instruction_errors(context.dockerfile()) {
        context.report_at(found.instruction, found.error.range).message = found.error.message;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn reports_syntax_errors() {
        assert_catches("DL1000", "FROM debian:12\nRUN <<EOF\necho hi\n");
        assert_catches_not("DL1000", "FROM debian:12\nRUN <<EOF\necho hi\nEOF\n");
        assert_catches_not("DL1000", "FROM debian:12\nRUN echo hi");
    }

    #[test]
    fn reports_check_directives_buildkit_refuses() {
        assert_catches("DL1000", "# check=skip\nFROM debian:12\n");
        assert_catches("DL1000", "# check=error=maybe\nFROM debian:12\n");
        assert_catches_not("DL1000", "# check=skip=all;error=true\nFROM debian:12\n");
        // Only the directive: the same text further down is a comment.
        assert_catches_not("DL1000", "FROM debian:12\n# check=skip\n");
    }

    #[test]
    fn reports_unknown_instructions_buildkit_refuses() {
        assert_catches("DL1000", "FROM debian:12\nINVALID x\n");
        assert_catches_not("DL1000", "FROM debian:12\nrun echo hi\n");
    }

    #[test]
    fn reports_what_buildkit_refuses_when_it_builds() {
        assert_catches("DL1000", "FROM debian:12 AS\n");
        assert_catches("DL1000", "FROM debian:12\nCOPY --form=a b c\n");
        assert_catches_not("DL1000", "FROM debian:12 AS build\nCOPY --from=a b c\n");
    }
}
