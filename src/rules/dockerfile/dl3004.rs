//! DL3004: `sudo` in a RUN.

use crate::rules::Context;

use super::scripts::{command_word, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `sudo` in a `RUN`.
    ///
    /// ## Why is this bad?
    /// `RUN` already runs as the `USER` in effect; `sudo` adds a TTY and PAM dependent
    /// program with unpredictable signal and environment handling, and its presence in
    /// the image is a privilege escalation path. Switch users with `USER`, or use a tool
    /// such as `gosu` or `su-exec` in an entrypoint.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// USER app
    /// RUN sudo apt-get update
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update
    /// USER app
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3004](https://github.com/hadolint/hadolint/wiki/DL3004)
    code: "DL3004",
    name: "sudo",
    severity: Error,
    category: Security,
    fixable: false,
    message: "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root",
    check: check,
}

fn check(context: &mut Context) {
    for run in runs(context) {
        if let Some(sudo) = run.script.commands_named("sudo").next() {
            context.report(run.instruction, command_word(sudo));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn sudo() {
        assert_catches("DL3004", "FROM debian:12\nRUN sudo apt-get install");
        assert_catches("DL3004", "FROM debian:12\nRUN x && sudo -u app make");
    }

    #[test]
    fn no_sudo() {
        assert_catches_not("DL3004", "FROM debian:12\nRUN apt-get install");
        assert_catches_not("DL3004", "FROM debian:12\nRUN echo sudo && apt-get install sudo");
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL3004", "FROM debian:12\nONBUILD RUN sudo make");
    }
}
