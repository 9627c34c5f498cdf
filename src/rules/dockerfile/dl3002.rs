//! DL3002: the image runs as root.

use crate::rules::{Context, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Reports the last `USER` of the stage `docker build` builds by default (the last
    /// one) when it switches to root (`root` or UID `0`, with or without a group). A
    /// `USER` in a stage the last one is built `FROM` counts when the last stage sets
    /// none. The value is expanded: `USER ${U}` with `ARG U=root` is root.
    ///
    /// Builder stages are not reported by default: they never ship, and installing
    /// packages in them needs root. hadolint reports the last `USER` of every stage;
    /// the `all_stages` option (on in `builtin:hadolint`) does the same. A stage
    /// without any `USER` is DG1003's (it runs as its base image's user, root for most
    /// images); DG2001 checks the built image.
    ///
    /// ## Why is this bad?
    /// A process that runs as root in the container is root on the host too once it
    /// escapes, and can write everywhere in the image's filesystem.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// USER root
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// USER root
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// USER 10001
    /// ```
    ///
    /// ## Options
    /// - `all_stages`: report the last `USER` of every stage, as hadolint does.
    code: "DL3002",
    name: "last-user-root",
    severity: Warning,
    category: Security,
    fixable: false,
    message: "Last USER should not be root",
    options: [RuleOption::new("all_stages", OptionKind::Bool, "Report the last `USER` of every stage, not only of the stage that is built, as hadolint does.")],
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    let stages: Vec<_> = match context.option_bool("all_stages") {
        true => model.stages.iter().collect(),
        false => model.last_stage().into_iter().collect(),
    };
    let mut reported = Vec::new();
    for stage in stages {
        let Some(user) = &stage.user else { continue };
        let is_root = user.value.as_deref().is_some_and(|value| {
            matches!(value.trim().split(':').next(), Some("root" | "0"))
        });
        if is_root && !reported.contains(&user.instruction) {
            reported.push(user.instruction);
            let instruction = &context.instructions()[user.instruction];
            context.report(instruction, instruction.range);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn root_last() {
        assert_catches("DL3002", "FROM debian:12\nUSER root");
        assert_catches("DL3002", "FROM debian:12\nUSER 0");
        assert_catches("DL3002", "FROM debian:12\nUSER root:root");
        assert_catches("DL3002", "FROM debian:12\nUSER 0:0");
        assert_catches("DL3002", "FROM debian:12\nUSER app\nRUN x\nUSER root");
        assert_catches("DL3002", "FROM debian:12 AS a\nUSER root\nFROM a");
        assert_catches("DL3002", "ARG U=root\nFROM debian:12\nARG U\nUSER ${U}");
        assert_catches("DL3002", "FROM debian:12\nENV U=root\nUSER $U");
        assert_catches("DL3002", "FROM debian:12\nUSER app\nFROM debian:12 AS b\nUSER root");
    }

    #[test]
    fn not_root_or_not_shipped() {
        assert_catches_not("DL3002", "FROM debian:12\nUSER root\nRUN x\nUSER app");
        assert_catches_not("DL3002", "FROM debian:12\nUSER ROOT");
        assert_catches_not("DL3002", "FROM debian:12");
        assert_catches_not("DL3002", "FROM debian:12\nUSER $U");
        assert_catches_not("DL3002", "FROM debian:12 AS b\nUSER root\nFROM debian:12\nUSER app");
        assert_catches_not("DL3002", "FROM debian:12\nUSER root\nFROM debian:12");
    }

    #[test]
    fn every_stage_with_the_option() {
        let options = switched_on("all_stages");
        assert_catches_with("DL3002", &options, "FROM debian:12 AS b\nUSER root\nFROM debian:12\nUSER app");
        assert_catches_with("DL3002", &options, "FROM debian:12\nUSER root\nFROM debian:12");
        assert_catches_not_with("DL3002", &options, "FROM debian:12 AS a\nUSER app\nFROM a");
    }
}
