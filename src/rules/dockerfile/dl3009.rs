//! DL3009: apt lists left in the image.

use crate::rules::Context;

use super::scripts::runs;

crate::declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that runs `apt-get update` (or `apt update`) without removing
    /// `/var/lib/apt/lists` in the same `RUN`, in a stage that ends up in the image
    /// (the last stage or one it is built `FROM`).
    ///
    /// ## Why is this bad?
    /// The package lists are tens of megabytes the image never needs at run time, and
    /// once a layer holds them, deleting them in a later layer does not shrink the
    /// image. A cache mount on `/var/lib/apt/lists` keeps them out of the image too.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3009](https://github.com/hadolint/hadolint/wiki/DL3009)
    code: "DL3009",
    name: "apt-lists-not-removed",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "Delete the apt lists (/var/lib/apt/lists) after installing something",
    check: check,
}

const LISTS: &str = "/var/lib/apt/lists";

fn check(context: &mut Context) {
    let model = context.model();
    let in_image: Vec<usize> = model
        .last_stage()
        .map(|last| model.chain(last.index).iter().map(|s| s.index).collect())
        .unwrap_or_default();
    for run in runs(context) {
        let Some(stage) = model.stage_of(run.index) else {
            continue;
        };
        if !in_image.contains(&stage.index) || run.has_cache_mount(LISTS) {
            continue;
        }
        let update = run.script.commands.iter().find(|command| {
            (command.is("apt-get") || command.is("apt"))
                && command.subcommand(super::scripts::APT_GET_VALUE_FLAGS).is_some_and(|w| w.value == "update")
        });
        let Some(update) = update else { continue };
        let removed = run
            .script
            .commands_named("rm")
            .any(|rm| rm.args().iter().any(|arg| arg.value.starts_with(LISTS)));
        if !removed {
            let range = update.name().map_or(update.range, |word| word.range);
            context.report(run.instruction, range);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn lists_left() {
        assert_catches("DL3009", "FROM debian:12\nRUN apt-get update && apt-get install -y python");
        assert_catches("DL3009", "FROM debian:12\nRUN apt update");
        assert_catches("DL3009", "FROM debian:12\nRUN apt-get update && apt-get clean");
        assert_catches("DL3009", "FROM debian:12\nRUN apt-get update\nRUN rm -rf /var/lib/apt/lists/*");
        assert_catches("DL3009", "FROM debian:12 AS base\nRUN apt-get update\nFROM base\nRUN true");
    }

    #[test]
    fn lists_removed_or_not_in_the_image() {
        assert_catches_not("DL3009", "FROM debian:12\nRUN apt-get update && apt-get install -y python && rm -rf /var/lib/apt/lists/*");
        assert_catches_not("DL3009", "FROM debian:12\nRUN apt-get update && rm -fr /var/lib/apt/lists");
        assert_catches_not("DL3009", "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update");
        assert_catches_not("DL3009", "FROM debian:12 AS build\nRUN apt-get update\nFROM debian:12\nRUN true");
        assert_catches_not("DL3009", "FROM debian:12\nRUN apt-get install -y python");
    }
}
