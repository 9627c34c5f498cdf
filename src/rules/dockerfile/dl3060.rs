//! DL3060: `yarn install` without `yarn cache clean`.

use crate::rules::Context;

use super::scripts::{command_word, report_runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `yarn install` not followed by `yarn cache clean` in the same `RUN`.
    ///
    /// ## Why is this bad?
    /// yarn keeps a copy of every package in its cache, and the layer keeps the cache:
    /// often as large as `node_modules` itself. A cache mount on yarn's cache folder
    /// keeps it out of the image too.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// RUN yarn install --frozen-lockfile
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22
    /// RUN yarn install --frozen-lockfile && yarn cache clean
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3060](https://github.com/hadolint/hadolint/wiki/DL3060)
    code: "DL3060",
    name: "yarn-cache-not-cleaned",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "`yarn cache clean` missing after `yarn install` was run.",
    check: check,
}

fn check(context: &mut Context) {
    report_runs(context, |run| {
        if run.cache_mounts().iter().any(|target| target.contains("yarn")) {
            return None;
        }
        let install = run.script.commands_with("yarn", &["install"], &[]).find(|install| {
            !run.script.commands_with("yarn", &["cache"], &[]).any(|cache| {
                cache.range.start > install.range.start && cache.has_arg("clean")
            })
        })?;
        Some((command_word(install), None))
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn not_cleaned() {
        assert_catches("DL3060", "FROM node:22\nRUN yarn install");
        assert_catches("DL3060", "FROM node:22\nRUN yarn cache clean && yarn install");
    }

    #[test]
    fn cleaned() {
        assert_catches_not("DL3060", "FROM node:22\nRUN yarn install && yarn cache clean");
        assert_catches_not("DL3060", "FROM node:22\nRUN yarn install --frozen-lockfile; yarn cache clean --all");
        assert_catches_not(
            "DL3060",
            "FROM node:22\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install",
        );
        assert_catches_not("DL3060", "FROM node:22\nRUN yarn add foo && yarn");
    }
}
