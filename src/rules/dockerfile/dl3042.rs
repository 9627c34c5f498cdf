//! DL3042: `pip install` keeps its cache.

use crate::finding::Fix;
use crate::rules::Context;
use crate::source::TextRange;

use super::scripts::{command_word, pip_commands, pip_install, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `pip install` without `--no-cache-dir`.
    ///
    /// ## Why is this bad?
    /// pip keeps every downloaded wheel in `~/.cache/pip`, and the layer keeps the
    /// cache: often as large as what was installed. `PIP_NO_CACHE_DIR` set by `ENV` or
    /// on the command line, or a cache mount on the pip cache, keep it out too.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12
    /// RUN pip install django==5.0
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12
    /// RUN pip install --no-cache-dir django==5.0
    /// ```
    ///
    /// ## Fix
    /// Adds `--no-cache-dir` after `install`.
    ///
    /// ## References
    /// - [hadolint DL3042](https://github.com/hadolint/hadolint/wiki/DL3042)
    code: "DL3042",
    name: "pip-cache",
    severity: Warning,
    category: BestPractice,
    fixable: true,
    fix: Unsafe("Add `--no-cache-dir`"),
    message: "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`",
    check: check,
}

fn disables_cache(value: &str) -> bool {
    !matches!(value.to_ascii_lowercase().as_str(), "" | "0" | "off" | "false" | "no")
}

fn check(context: &mut Context) {
    for run in runs(context) {
        let env = context.model().env(run.index);
        let by_env = env
            .variable("PIP_NO_CACHE_DIR")
            .and_then(|variable| variable.value.known())
            .is_some_and(disables_cache);
        if by_env || run.cache_mounts().iter().any(|target| target.ends_with(".cache/pip") || target.ends_with(".cache")) {
            continue;
        }
        let missing = pip_commands(run.script).find(|&(command, start)| {
            let args = &command.argv[start + 1..];
            pip_install(command, start).is_some()
                && !args.iter().any(|w| w.value == "--no-cache-dir" || w.value.starts_with("--no-cache-dir="))
                && !command.assignments.iter().any(|a| {
                    a.value
                        .strip_prefix("PIP_NO_CACHE_DIR=")
                        .is_some_and(disables_cache)
                })
        });
        if let Some((command, start)) = missing {
            let Some(install) = pip_install(command, start).map(|at| &command.argv[at]) else {
                continue;
            };
            let fix = Fix::replace(
                "Add `--no-cache-dir`",
                TextRange::empty(install.range.end),
                " --no-cache-dir",
            )
            // The image changes: pip's cache is no longer in it.
            .unsafe_fix();
            context.report(run.instruction, command_word(command)).fix = Some(fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cache_kept() {
        assert_catches("DL3042", "FROM python:3\nRUN pip install django");
        assert_catches("DL3042", "FROM python:3\nRUN pip3 install django==5");
        assert_catches("DL3042", "FROM python:3\nRUN pip3 -q install django==5");
        assert_catches("DL3042", "FROM python:3\nRUN python3 -m pip install django==5");
        assert_catches("DL3042", "FROM python:3\nENV PIP_NO_CACHE_DIR=off\nRUN pip install foo==1");
    }

    #[test]
    fn no_cache() {
        assert_catches_not("DL3042", "FROM python:3\nRUN pip install --no-cache-dir django");
        assert_catches_not("DL3042", "FROM python:3\nRUN pip --no-cache-dir install django");
        assert_catches_not("DL3042", "FROM python:3\nENV PIP_NO_CACHE_DIR=1\nRUN pip install django");
        assert_catches_not("DL3042", "FROM python:3\nRUN PIP_NO_CACHE_DIR=1 pip install django");
        assert_catches_not(
            "DL3042",
            "FROM python:3\nRUN --mount=type=cache,target=/root/.cache/pip pip install django",
        );
        assert_catches_not("DL3042", "FROM python:3\nRUN pip download django");
        assert_catches_not("DL3042", "FROM python:3\nRUN pipx install django");
        assert_catches_not("DL3042", "FROM python:3\nRUN uv pip install django");
    }

    #[test]
    fn fix_adds_the_flag() {
        assert_fix(
            "DL3042",
            "FROM python:3\nRUN python -m pip install -U pip\n",
            "FROM python:3\nRUN python -m pip install --no-cache-dir -U pip\n",
        );
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL3042", "FROM python:3.12\nONBUILD RUN pip install flask==3.0.0");
    }
}
