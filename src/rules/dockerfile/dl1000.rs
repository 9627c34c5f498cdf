//! DL1000: the Dockerfile has a syntax error.

use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports each place where the Dockerfile cannot be parsed the way BuildKit parses
    /// it: an unterminated heredoc, an unterminated JSON array that BuildKit would not
    /// fall back from, a malformed flag, and so on.
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
}
