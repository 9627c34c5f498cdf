//! DL3016: `npm install` without versions.

use crate::rules::Context;

use super::scripts::report_runs;

crate::declare_rule! {
    /// ## What it does
    /// Reports `npm install` of a package without a version (`express` rather than
    /// `express@4.19.2`). `npm install` without packages (the lock file) and `npm ci`
    /// are not reported; nor are local folders, tarballs, URLs, and git URLs with a
    /// `#ref`.
    ///
    /// ## Why is this bad?
    /// Without a version npm installs the newest release on each build: the image is
    /// not reproducible and a new release can break it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// RUN npm install -g typescript
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22
    /// RUN npm install -g typescript@5.6.3
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3016](https://github.com/hadolint/hadolint/wiki/DL3016)
    code: "DL3016",
    name: "npm-unpinned",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`",
    check: check,
}

const VALUE_FLAGS: &[&str] = &["--prefix", "--registry", "--cache", "-w", "--workspace", "--userconfig", "--tag", "--omit", "--include"];

fn is_pinned(package: &str) -> bool {
    if package.starts_with(['.', '/', '~']) || package.ends_with(".tgz") || package.ends_with(".tar.gz") {
        return true;
    }
    if package.contains("://") || package.starts_with("git+") || package.starts_with("git@") {
        return package.contains('#') || !package.starts_with("git");
    }
    let name = package.strip_prefix('@').unwrap_or(package);
    if !package.starts_with('@') && name.contains('/') {
        // `user/repo`: a GitHub shorthand, pinned only with `#ref`.
        return name.contains('#');
    }
    name.contains('@')
}

fn check(context: &mut Context) {
    report_runs(context, |run| {
        let package = run
            .script
            .commands_with("npm", &["install"], VALUE_FLAGS)
            .flat_map(|command| command.operands(VALUE_FLAGS))
            .find(|package| !is_pinned(&package.value))?;
        Some((package.range, None))
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unpinned() {
        assert_catches("DL3016", "FROM node:22\nRUN npm install express");
        assert_catches("DL3016", "FROM node:22\nRUN npm install -g foo@1 bar");
        assert_catches("DL3016", "FROM node:22\nRUN npm install @scope/foo");
        assert_catches("DL3016", "FROM node:22\nRUN npm install git+https://x/y.git");
        assert_catches("DL3016", "FROM node:22\nRUN npm install user/repo");
    }

    #[test]
    fn pinned() {
        for args in [
            "", "foo@1", "@scope/foo@1", "./foo", "foo.tgz", "git+https://x/y.git#v1", "--save-dev foo@1",
            "--prefix /x foo@1", "foo@latest", "https://x/y.tgz",
        ] {
            assert_catches_not("DL3016", &format!("FROM node:22\nRUN npm install {args}"));
        }
        assert_catches_not("DL3016", "FROM node:22\nRUN npm ci && npm i foo");
    }
}
