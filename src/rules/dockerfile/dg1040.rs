//! DG1040: a Python image without `PYTHONUNBUFFERED` / `PYTHONDONTWRITEBYTECODE`.

use super::practices::shipped_and_base;
use crate::rules::Context;

const VARIABLES: &[&str] = &["PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"];

crate::declare_rule! {
    /// ## What it does
    /// Reports the `FROM` of the stage `docker build` builds when its base (or the
    /// base of the stages it is built `FROM`) is the `python` image and neither
    /// those stages set `PYTHONUNBUFFERED` or `PYTHONDONTWRITEBYTECODE` to a
    /// non-empty value. Off by default: an information for Python services.
    ///
    /// ## Why is this bad?
    /// Python buffers its output when it is not a terminal, so a container's log
    /// lags behind and the last lines before a crash are lost. Without
    /// `PYTHONDONTWRITEBYTECODE`, the first run writes `.pyc` files into the image's
    /// code directories (or fails to, for a read-only or non-root filesystem).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py /app/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
    /// COPY app.py /app/
    /// ```
    code: "DG1040",
    name: "python-env-unset",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "Set `PYTHONUNBUFFERED=1` and `PYTHONDONTWRITEBYTECODE=1` in a Python image",
    enabled_by_default: false,
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    let Some((last, root)) = shipped_and_base(model) else {
        return;
    };
    let is_python = root
        .base
        .reference
        .as_ref()
        .is_some_and(|reference| reference.repository.rsplit('/').next() == Some("python"));
    if !is_python {
        return;
    }
    let scope = model.env(context.instructions().len());
    let missing: Vec<&str> = VARIABLES
        .iter()
        .copied()
        .filter(|name| {
            scope
                .variable(name)
                .is_none_or(|variable| variable.value.known() == Some(""))
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let from = &context.instructions()[last.from];
    context.report(from, from.range).message = format!(
        "A Python image without {}: set {} so logs are not buffered and no `.pyc` files are written",
        missing.join(" and "),
        missing.iter().map(|name| format!("`{name}=1`")).collect::<Vec<_>>().join(" and ")
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn python_without_the_variables() {
        assert_catches("DG1040", "FROM python:3.12-slim\nCOPY . /app");
        assert_catches("DG1040", "FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1");
        assert_catches("DG1040", "FROM python:3 AS base\nFROM base");
        assert_catches("DG1040", "FROM python:3\nENV PYTHONUNBUFFERED=\"\" PYTHONDONTWRITEBYTECODE=1");
    }

    #[test]
    fn set_or_not_python() {
        assert_catches_not("DG1040", "FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1");
        assert_catches_not("DG1040", "FROM python:3 AS base\nENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1\nFROM base");
        assert_catches_not("DG1040", "FROM python:3 AS build\nFROM debian:12");
        assert_catches_not("DG1040", "FROM node:22");
    }
}
