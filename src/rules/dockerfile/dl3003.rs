//! DL3003: `cd` instead of WORKDIR.

use crate::rules::Context;

use super::scripts::{command_word, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `cd` in a `RUN`.
    ///
    /// ## Why is this bad?
    /// A `cd` lasts only until the end of its `RUN`, so the next instruction runs
    /// somewhere else than the reader expects, and the commands after `cd` depend on
    /// it succeeding. `WORKDIR` sets the folder for every later instruction and creates
    /// it when missing.
    ///
    /// A `cd` inside a subshell (`(cd dir && make)`, `$(cd dir && pwd)`) is not
    /// reported: its effect ends with the subshell, which is the point of writing it.
    /// hadolint reports those too (see `docs/hadolint-compatibility.md`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN cd /usr/src/app && make
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// WORKDIR /usr/src/app
    /// RUN make
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3003](https://github.com/hadolint/hadolint/wiki/DL3003)
    code: "DL3003",
    name: "cd-instead-of-workdir",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Use WORKDIR to switch to a directory",
    check: check,
}

fn check(context: &mut Context) {
    for run in runs(context) {
        let cd = run.script.commands_named("cd").find(|command| !command.subshell);
        if let Some(cd) = cd {
            context.report(run.instruction, command_word(cd));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cd() {
        assert_catches("DL3003", "FROM debian:12\nRUN cd /usr/src/app && git clone x");
        assert_catches("DL3003", "FROM debian:12\nRUN make; cd -");
        assert_catches("DL3003", "FROM debian:12\nRUN [\"cd\", \"/tmp\"]");
        assert_catches("DL3003", "FROM debian:12\nRUN (cd /a && make) && cd /b");
        assert_lines("DL3003", "FROM debian:12\nRUN cd /a && cd /b", &[2]);
    }

    #[test]
    fn no_cd_or_in_a_subshell() {
        assert_catches_not("DL3003", "FROM debian:12\nWORKDIR /usr/src/app\nRUN make");
        assert_catches_not("DL3003", "FROM debian:12\nRUN (cd /usr/src/app && make)");
        assert_catches_not("DL3003", "FROM debian:12\nRUN x=$(cd /a && pwd)");
        assert_catches_not("DL3003", "FROM debian:12\nRUN echo cd /a");
    }

    /// hadolint skips DL3003 in ONBUILD; the trigger's `cd` leaks the same way.
    #[test]
    fn onbuild_run() {
        assert_catches("DL3003", "FROM debian:12\nONBUILD RUN cd /x && make");
    }
}
