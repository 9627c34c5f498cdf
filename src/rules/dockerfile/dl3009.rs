//! DL3009: apt lists left in the image.

use crate::dockerfile::{Args, Instruction};
use crate::finding::Fix;
use crate::rules::Context;
use crate::source::TextRange;

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
    /// ## Fix
    /// Appends ` && rm -rf /var/lib/apt/lists/*` to the `RUN`, when its last line ends
    /// a command list (no heredoc, comment or open operator there).
    ///
    /// ## References
    /// - [hadolint DL3009](https://github.com/hadolint/hadolint/wiki/DL3009)
    code: "DL3009",
    name: "apt-lists-not-removed",
    severity: Info,
    category: BestPractice,
    fixable: true,
    fix: Unsafe("Remove the apt lists at the end of the RUN"),
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
            let fix = append_removal(run.run, context.source());
            context.report(run.instruction, range).fix = fix;
        }
    }
}

/// Appends ` && rm -rf /var/lib/apt/lists/*` to a shell-form RUN, when the end of its
/// command is plainly the end of a command list: no heredoc, no comment on its last
/// line, and no operator or continuation left open.
fn append_removal(run: &Instruction, source: &str) -> Option<Fix> {
    let Args::Shell(command) = &run.args else {
        return None;
    };
    if !run.heredocs.is_empty() {
        return None;
    }
    let text = source.get(command.range.start..command.range.end)?;
    let trimmed = text.trim_end();
    let last_line = trimmed.rsplit('\n').next().unwrap_or(trimmed);
    if trimmed.is_empty()
        || last_line.contains('#')
        || trimmed.ends_with([';', '&', '|', '\\', '`', '('])
    {
        return None;
    }
    Some(Fix::replace(
        "Remove the apt lists at the end of the RUN",
        TextRange::empty(command.range.start + trimmed.len()),
        format!(" && rm -rf {LISTS}/*"),
    )
    // A later `apt-get install` in the image (or a derived one) now needs an update.
    .unsafe_fix())
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
    fn the_fix_removes_the_lists_at_the_end() {
        assert_fix(
            "DL3009",
            "FROM debian:12\nRUN apt-get update && apt-get install -y python\n",
            "FROM debian:12\nRUN apt-get update && apt-get install -y python && rm -rf /var/lib/apt/lists/*\n",
        );
        assert_fix(
            "DL3009",
            "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y python  \nUSER 1000\n",
            "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y python && rm -rf /var/lib/apt/lists/*  \nUSER 1000\n",
        );
        assert_fix(
            "DL3009",
            "FROM debian:12\nRUN if true; then apt-get update; fi",
            "FROM debian:12\nRUN if true; then apt-get update; fi && rm -rf /var/lib/apt/lists/*",
        );
        // Where the end of the RUN is not plainly the end of a command list: no fix.
        for source in [
            "FROM debian:12\nRUN apt-get update # lists\n",
            "FROM debian:12\nRUN apt-get update &\n",
            "FROM debian:12\nRUN apt-get update && cat <<EOF > /etc/x\nhi\nEOF\n",
        ] {
            let found = findings("DL3009", source);
            assert!(found.len() == 1 && found[0].fix.is_none(), "{source}");
        }
    }

    #[test]
    fn lists_removed_or_not_in_the_image() {
        assert_catches_not("DL3009", "FROM debian:12\nRUN apt-get update && apt-get install -y python && rm -rf /var/lib/apt/lists/*");
        assert_catches_not("DL3009", "FROM debian:12\nRUN apt-get update && rm -fr /var/lib/apt/lists");
        assert_catches_not("DL3009", "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update");
        assert_catches_not("DL3009", "FROM debian:12 AS build\nRUN apt-get update\nFROM debian:12\nRUN true");
        assert_catches_not("DL3009", "FROM debian:12\nRUN apt-get install -y python");
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL3009", "FROM debian:12\nONBUILD RUN apt-get update");
    }
}
