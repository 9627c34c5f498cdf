//! DL4005: `ln` over `/bin/sh` instead of SHELL.

use crate::rules::Context;

use super::scripts::{command_word, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `ln -s ... /bin/sh`: replacing the default shell with a link.
    ///
    /// ## Why is this bad?
    /// Changing what `/bin/sh` is changes it for every program in the image, not only
    /// for the build's `RUN`s, and hides the change from anyone reading the Dockerfile.
    /// `SHELL` changes the shell of the following instructions only, and says so.
    /// hadolint also reports a link that *points to* `/bin/sh` (`ln -s /bin/sh
    /// /bin/bash`), which leaves `/bin/sh` alone; dockgate reports only links made at
    /// `/bin/sh`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN ln -sf /bin/bash /bin/sh
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// SHELL ["/bin/bash", "-c"]
    /// ```
    ///
    /// ## References
    /// - [hadolint DL4005](https://github.com/hadolint/hadolint/wiki/DL4005)
    code: "DL4005",
    name: "ln-bin-sh",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Use SHELL to change the default shell",
    check: check,
}

fn check(context: &mut Context) {
    for run in runs(context) {
        let link = run.script.commands_named("ln").find(|command| {
            command.has_flag(&["-s", "--symbolic"])
                && command.positional(&["-t", "--target-directory", "-S", "--suffix"]).last().is_some_and(|target| {
                    target.value == "/bin/sh"
                })
        });
        if let Some(link) = link {
            context.report(run.instruction, command_word(link));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn replaces_sh() {
        assert_catches("DL4005", "FROM debian:12\nRUN ln -s /bin/bash /bin/sh");
        assert_catches("DL4005", "FROM debian:12\nRUN ln -sf /bin/bash /bin/sh");
        assert_catches("DL4005", "FROM debian:12\nRUN ln -snf /bin/bash /bin/sh");
    }

    #[test]
    fn leaves_sh() {
        assert_catches_not("DL4005", "FROM debian:12\nRUN ln -s /bin/sh /bin/bash");
        assert_catches_not("DL4005", "FROM debian:12\nRUN ln /bin/bash /tmp/sh && ln -s /a /b");
        assert_catches_not("DL4005", "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]");
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL4005", "FROM debian:12\nONBUILD RUN ln -s /bin/bash /bin/sh");
    }
}
