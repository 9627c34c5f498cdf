//! DL3013: `pip install` without version pins.

use crate::rules::Context;

use super::scripts::{pip_commands, pip_install, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `pip install` (also `pipx install`) of a package without a version
    /// specifier (`django` rather than `django==5.0`).
    ///
    /// ## Why is this bad?
    /// Without a pin, each build installs the newest release: builds stop being
    /// reproducible and a new major version can break the image. A requirements file
    /// (`-r`) or constraints file (`-c`) is the usual way to pin many packages. Any
    /// specifier counts (`==`, `>=`, `~=`, `<`, `@ URL`), and so do local paths,
    /// wheels and archives.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12
    /// RUN pip install --no-cache-dir django
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12
    /// RUN pip install --no-cache-dir django==5.0
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3013](https://github.com/hadolint/hadolint/wiki/DL3013)
    code: "DL3013",
    name: "pip-unpinned",
    severity: Warning,
    category: Reproducibility,
    fixable: false,
    message: "Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`",
    check: check,
}

/// pip options that take a value.
const VALUE_FLAGS: &[&str] = &[
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
    "--src", "--trusted-host", "--upgrade-strategy", "--progress-bar", "--platform",
    "--python-version", "--implementation", "--abi", "--cache-dir", "--log", "--proxy",
    "--retries", "--timeout", "--exists-action", "--cert", "--client-cert", "--report",
    "--no-binary", "--only-binary", "--python", "--global-option", "--config-settings",
    "-C", "--pip-args", "--spec", "--root-user-action",
];

fn is_pinned(package: &str) -> bool {
    package.contains(['=', '<', '>', '@', '/'])
        || package.starts_with('.')
        || [".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2"].iter().any(|ext| package.ends_with(ext))
        || package.starts_with('$') && package.contains("==")
}

fn check(context: &mut Context) {
    for run in runs(context) {
        let pips = pip_commands(run.script).chain(
            run.script
                .commands_named("pipx")
                .map(|command| (command, 0)),
        );
        let mut unpinned = None;
        for (command, start) in pips {
            let Some(install) = pip_install(command, start) else {
                continue;
            };
            let args = &command.argv[install..];
            if args.iter().any(|w| matches!(w.value.as_str(), "-c" | "--constraint") || w.value.starts_with("--constraint=")) {
                continue;
            }
            let mut skip = false;
            for word in &args[1..] {
                let value = word.value.as_str();
                if std::mem::take(&mut skip) {
                    continue;
                }
                if value.starts_with('-') {
                    skip = VALUE_FLAGS.contains(&value);
                    continue;
                }
                if !is_pinned(value) || value.starts_with("git+") && !value.contains('@') {
                    unpinned = unpinned.or(Some(word.range));
                }
            }
        }
        if let Some(range) = unpinned {
            context.report(run.instruction, range);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unpinned() {
        assert_catches("DL3013", "FROM python:3\nRUN pip install --no-cache-dir django");
        assert_catches("DL3013", "FROM python:3\nRUN pip install --no-cache-dir -U pip setuptools");
        assert_catches("DL3013", "FROM python:3\nRUN python3 -m pip install foo");
        assert_catches("DL3013", "FROM python:3\nRUN pipx install poetry");
        assert_catches("DL3013", "FROM python:3\nRUN pip3 --no-cache-dir install --upgrade pip");
        assert_catches("DL3013", "FROM python:3\nRUN pip install --no-cache-dir $PACKAGE");
        assert_catches("DL3013", "FROM python:3\nRUN pip install --no-cache-dir foo>=1");
    }

    #[test]
    fn pinned() {
        for args in [
            "django==5.0", "'django>=5'", "\"foo<2\"", "\"foo~=1.0\"", "foo[bar]==1", "-r requirements.txt",
            ".", "-e .", "./foo.whl", "foo.tar.gz", "-i http://x foo==1", "-c c.txt foo",
            "foo@https://x/foo.zip", "/src", "--requirement r.txt",
        ] {
            assert_catches_not("DL3013", &format!("FROM python:3\nRUN pip install --no-cache-dir {args}"));
        }
        assert_catches_not("DL3013", "FROM python:3\nRUN pip download foo");
        assert_catches_not("DL3013", "FROM python:3\nRUN pip install --root-user-action ignore /src");
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL3013", "FROM python:3.12\nONBUILD RUN pip install flask");
    }
}
