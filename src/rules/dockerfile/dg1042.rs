//! DG1042: compilers and build tools installed in the shipped image.

use super::practices::in_final_chain;
use super::scripts::{APK_VALUE_FLAGS, APT_GET_VALUE_FLAGS, RPM_VALUE_FLAGS, runs};
use crate::dockerfile::shell::{Command, Script, ShellWord};
use crate::rules::Context;

const TOOLS: &[&str] = &[
    "gcc", "g++", "gcc-c++", "clang", "make", "cmake", "build-essential", "build-base",
    "autoconf", "automake", "libtool", "pkg-config", "pkgconf",
];

crate::declare_rule! {
    /// ## What it does
    /// Reports the packages of an `apt-get`/`apt install`, `apk add`,
    /// `dnf`/`yum`/`microdnf install` in the stage `docker build` builds (or a stage
    /// it is built `FROM`) that are compilers and build tools (`gcc`, `g++`,
    /// `clang`, `make`, `cmake`, `build-essential`, `build-base`, `autoconf`, ...)
    /// or development packages (`*-dev`, `*-devel`), unless the same stages remove
    /// them again (`apt-get purge`, `apk del` of the package or of its `--virtual`
    /// group, or, as the official images do, `apt-mark auto '.*'` then `apt-get purge
    /// --auto-remove` in the same `RUN`). Builder stages are where they belong and are not reported.
    ///
    /// ## Why is this bad?
    /// Build tools in the runtime image make it larger and give an attacker who gets
    /// in a compiler to build with; their vulnerabilities are reported against the
    /// service though it never runs them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
    ///     && pip install --no-cache-dir psycopg2
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12-slim AS build
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
    ///     && pip wheel --wheel-dir /wheels psycopg2
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends libpq5
    /// COPY --from=build /wheels /wheels
    /// RUN pip install --no-cache-dir /wheels/*
    /// ```
    code: "DG1042",
    name: "build-tools-in-final-image",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "A build tool is installed in the shipped image: build in a separate stage",
    check: check,
}

fn is_build_package(package: &str) -> bool {
    let name = package.split(['=', ':']).next().unwrap_or(package);
    let name = name.split_once(">").map_or(name, |(n, _)| n);
    TOOLS.contains(&name) || name.ends_with("-dev") || name.ends_with("-devel")
}

/// The install commands of a script with their package words and the `--virtual`
/// group an `apk add` puts them in.
fn installs(script: &Script) -> Vec<(&Command, Vec<&ShellWord>, Option<&str>)> {
    let mut found = Vec::new();
    for command in script.commands_with("apt-get", &["install"], APT_GET_VALUE_FLAGS)
        .chain(script.commands_with("apt", &["install"], APT_GET_VALUE_FLAGS))
    {
        found.push((command, command.operands(APT_GET_VALUE_FLAGS).collect(), None));
    }
    for command in script.commands_with("apk", &["add"], APK_VALUE_FLAGS) {
        let args = command.args();
        let virtual_group = args
            .iter()
            .position(|w| w.value == "-t" || w.value == "--virtual")
            .and_then(|at| args.get(at + 1))
            .map(|w| w.value.as_str())
            .or_else(|| args.iter().find_map(|w| w.value.strip_prefix("--virtual=")));
        found.push((command, command.operands(APK_VALUE_FLAGS).collect(), virtual_group));
    }
    for tool in ["dnf", "yum", "microdnf"] {
        for command in script.commands_with(tool, &["install"], RPM_VALUE_FLAGS) {
            found.push((command, command.operands(RPM_VALUE_FLAGS).collect(), None));
        }
    }
    found
}

/// The names a script removes: `apt-get purge/remove`, `apk del`, `dnf/yum remove`.
fn removed(script: &Script) -> Vec<&str> {
    let mut names = Vec::new();
    let removals = script
        .commands_with("apt-get", &["purge", "remove", "autoremove"], APT_GET_VALUE_FLAGS)
        .chain(script.commands_with("apt", &["purge", "remove"], APT_GET_VALUE_FLAGS))
        .chain(script.commands_with("apk", &["del"], APK_VALUE_FLAGS))
        .chain(script.commands_with("dnf", &["remove", "erase"], RPM_VALUE_FLAGS))
        .chain(script.commands_with("yum", &["remove", "erase"], RPM_VALUE_FLAGS));
    for command in removals {
        names.extend(command.operands(RPM_VALUE_FLAGS).map(|w| w.value.as_str()));
    }
    names
}

/// Where a script marks every package it installed as automatic (`apt-mark auto '.*'`)
/// and then removes them (`apt-get purge --auto-remove`, `apt-get autoremove`), as the
/// official images do after building from source: the `apt-mark` command's offset.
fn marks_installs_for_removal(script: &Script) -> Option<usize> {
    let mark = script
        .commands_with("apt-mark", &["auto"], &[])
        .next()?
        .range
        .start;
    let removes = script
        .commands_with("apt-get", &["purge", "remove", "autoremove"], APT_GET_VALUE_FLAGS)
        .any(|c| {
            c.range.start > mark
                && (c.has_flag(&["--auto-remove", "--autoremove"])
                    || c.subcommand(APT_GET_VALUE_FLAGS).is_some_and(|s| s.value == "autoremove"))
        });
    removes.then_some(mark)
}

fn check(context: &mut Context) {
    let model = context.model();
    let runs: Vec<_> = runs(context)
        .into_iter()
        .filter(|run| in_final_chain(model, run.index))
        .collect();
    let removed: Vec<&str> = runs.iter().flat_map(|run| removed(run.script)).collect();
    for run in &runs {
        let auto_removed = marks_installs_for_removal(run.script);
        for (command, packages, group) in installs(run.script) {
            if group.is_some_and(|group| removed.contains(&group)) {
                continue;
            }
            let is_apt = command.is("apt-get") || command.is("apt");
            if is_apt && auto_removed.is_some_and(|mark| command.range.start < mark) {
                continue;
            }
            for package in packages {
                let name = package.value.as_str();
                if is_build_package(name) && !removed.contains(&name) {
                    context.report(run.instruction, package.range).message = format!(
                        "`{name}` is a build tool installed in the shipped image: build in a separate stage and copy the result"
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn build_tools_shipped() {
        assert_catches("DG1042", "FROM debian:12\nRUN apt-get install -y build-essential");
        assert_catches("DG1042", "FROM debian:12\nRUN apt-get install -y --no-install-recommends gcc=4:12.2.0-3");
        assert_catches("DG1042", "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y libpq-dev");
        assert_catches("DG1042", "FROM alpine:3.20\nRUN apk add --no-cache build-base");
        assert_catches("DG1042", "FROM fedora:40\nRUN dnf install -y gcc-c++ make");
        assert_catches("DG1042", "FROM alpine:3.20\nRUN apk add --virtual .deps gcc && pip install x");
        assert_lines("DG1042", "FROM debian:12\nRUN apt-get install -y curl make", &[2]);
    }

    #[test]
    fn builder_stages_or_removed() {
        assert_catches_not("DG1042", "FROM debian:12 AS build\nRUN apt-get install -y gcc\nFROM debian:12-slim");
        assert_catches_not("DG1042", "FROM alpine:3.20\nRUN apk add --virtual .deps gcc musl-dev && make && apk del .deps");
        assert_catches_not("DG1042", "FROM debian:12\nRUN apt-get install -y gcc && make && apt-get purge -y gcc");
        assert_catches_not("DG1042", "FROM debian:12\nRUN apt-get install -y curl libpq5");
        assert_catches_not("DG1042", "FROM debian:12\nRUN apt-get install -y makedepend-doc");
        assert_catches_not("DG1042", "FROM debian:12\nRUN saved=\"$(apt-mark showmanual)\"; apt-get install -y gcc make; make; apt-mark auto '.*' > /dev/null; apt-mark manual $saved; apt-get purge -y --auto-remove");
        assert_catches("DG1042", "FROM debian:12\nRUN apt-mark auto '.*'; apt-get install -y gcc; apt-get purge -y --auto-remove");
    }
}
