//! DL3028: gem unpinned.

use crate::rules::Context;

use super::scripts::report_runs;

/// `gem install` options that take a value.
const VALUE_FLAGS: &[&str] = &["-v", "--version", "-i", "--install-dir", "-n", "--bindir", "-s", "--source", "-P", "--trust-policy", "--platform"];

crate::declare_rule! {
    /// ## What it does
    /// Reports `gem install` of a gem without a version (`rails` rather than `rails:7.1.3`,
    /// or `-v`/`--version`).
    ///
    /// ## Why is this bad?
    /// Without a version each build installs the newest release: builds stop being
    /// reproducible and a new major release can break the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ruby:3.3
    /// RUN gem install bundler
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM ruby:3.3
    /// RUN gem install bundler:2.5.6
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3028](https://github.com/hadolint/hadolint/wiki/DL3028)
    code: "DL3028",
    name: "gem-unpinned",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`",
    check: check,
}

fn check(context: &mut Context) {
    report_runs(context, |run| {
        let gem = run
            .script
            .commands_with("gem", &["install"], VALUE_FLAGS)
            .filter(|command| !command.has_flag(&["-v", "--version"]))
            .flat_map(|command| command.operands(VALUE_FLAGS))
            .find(|gem| !gem.value.contains(':'))?;
        Some((gem.range, None))
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unpinned() {
        assert_catches("DL3028", "FROM ruby:3\nRUN gem install rails");
        assert_catches("DL3028", "FROM ruby:3\nRUN gem install bundler:2.1 rake");
    }

    #[test]
    fn pinned() {
        for args in ["rails:7.1", "rails -v 7.1", "rails --version 7.1", "rails --version=7.1", "-N rails:7"] {
            assert_catches_not("DL3028", &format!("FROM ruby:3\nRUN gem install {args}"));
        }
        assert_catches_not("DL3028", "FROM ruby:3\nRUN gem update --system");
    }
}
