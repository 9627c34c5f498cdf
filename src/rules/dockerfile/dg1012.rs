//! DG1012: dependencies are installed after the source is copied.

use super::practices::{context_sources, is_whole_context};
use super::scripts::{command_word, pip_commands, pip_install, runs};
use crate::dockerfile::shell::Command;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a dependency install that runs after the whole build context was
    /// copied into its stage (`COPY . .` then `RUN npm ci`), when the same tool did
    /// not already install from the manifests copied before: `pip install -r`,
    /// `npm ci` / `npm install`, `yarn install`, `pnpm install`, `go mod download`,
    /// `bundle install`, `composer install`, `cargo build` / `cargo fetch`,
    /// `mvn dependency:...`, `poetry install`, `uv sync`. A copy in a stage the
    /// install's stage is built `FROM` counts too. Every stage is checked: the builder
    /// stage is where this costs the most.
    ///
    /// ## Why is this bad?
    /// Docker reuses a layer only while everything before it is unchanged. Once the
    /// source is copied, any edit to any file re-runs the install: every build
    /// downloads and builds all dependencies again.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// COPY . .
    /// ```
    code: "DG1012",
    name: "dependencies-installed-after-source",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Dependencies are installed after the whole source is copied: copy the manifests and install first",
    check: check,
}

/// The tool whose dependency install `command` is, and the manifests to copy first.
fn install(command: &Command) -> Option<(&'static str, &'static str)> {
    fn sub<'c>(command: &'c Command, flags: &'c [&'c str]) -> Option<&'c str> {
        command.subcommand(flags).map(|word| word.value.as_str())
    }
    let no_operands = command.operands(&[]).next().is_none();
    if command.is("npm") {
        return match sub(command, &[]) {
            Some("ci" | "clean-install") => Some(("npm", "package.json and package-lock.json")),
            Some("install" | "i") if no_operands && !command.has_flag(&["-g", "--global"]) => {
                Some(("npm", "package.json and package-lock.json"))
            }
            _ => None,
        };
    }
    if command.is("yarn") {
        return matches!(sub(command, &[]), None | Some("install")).then_some(("yarn", "package.json and yarn.lock"));
    }
    if command.is("pnpm") {
        return matches!(sub(command, &[]), Some("install" | "i")).then_some(("pnpm", "package.json and pnpm-lock.yaml"));
    }
    if command.is("go") {
        let args: Vec<&str> = command.args().iter().map(|w| w.value.as_str()).collect();
        return args.starts_with(&["mod", "download"]).then_some(("go", "go.mod and go.sum"));
    }
    if command.is("bundle") {
        return matches!(sub(command, &[]), Some("install")).then_some(("bundle", "Gemfile and Gemfile.lock"));
    }
    if command.is("composer") {
        return matches!(sub(command, &[]), Some("install")).then_some(("composer", "composer.json and composer.lock"));
    }
    if command.is("cargo") {
        return matches!(sub(command, &["--manifest-path", "-p", "--package", "--target"]), Some("build" | "fetch"))
            .then_some(("cargo", "Cargo.toml and Cargo.lock"));
    }
    if command.is("mvn") || command.is("mvnw") {
        return command
            .args()
            .iter()
            .any(|w| w.value.starts_with("dependency:"))
            .then_some(("mvn", "pom.xml"));
    }
    if command.is("poetry") {
        return matches!(sub(command, &[]), Some("install")).then_some(("poetry", "pyproject.toml and poetry.lock"));
    }
    if command.is("uv") {
        return matches!(sub(command, &[]), Some("sync")).then_some(("uv", "pyproject.toml and uv.lock"));
    }
    None
}

fn check(context: &mut Context) {
    let model = context.model();
    let copies: Vec<(usize, usize)> = context_sources(context)
        .iter()
        .filter(|source| source.expanded.as_deref().is_some_and(is_whole_context))
        .filter_map(|source| Some((source.index, model.stage_of(source.index)?.index)))
        .collect();
    if copies.is_empty() {
        return;
    }
    // Each install, with the tool: pip's `-r` installs count as `pip`.
    let mut installs = Vec::new();
    for run in runs(context) {
        let Some(stage) = model.stage_of(run.index) else { continue };
        for command in &run.script.commands {
            let tool = install(command).or_else(|| {
                let (_, start) = pip_commands(run.script).find(|(c, _)| std::ptr::eq(*c, command))?;
                pip_install(command, start)?;
                command
                    .has_flag(&["-r", "--requirement"])
                    .then_some(("pip", "requirements.txt"))
            });
            if let Some((tool, manifests)) = tool {
                installs.push((run.index, stage.index, tool, manifests, run.instruction, command_word(command)));
            }
        }
    }
    for &(index, stage, tool, manifests, instruction, range) in &installs {
        // The stage and those it is built `FROM` hold the files the install sees.
        let chain: Vec<usize> = model.chain(stage).iter().map(|s| s.index).collect();
        let Some(&(copy, _)) = copies
            .iter()
            .find(|&&(copy, s)| chain.contains(&s) && copy < index)
        else {
            continue;
        };
        let installed_before = installs
            .iter()
            .any(|&(other, s, t, ..)| chain.contains(&s) && t == tool && other < copy);
        if installed_before {
            continue;
        }
        let line = context.lines().position(context.source(), context.instructions()[copy].range.start).line;
        context.report(instruction, range).message = format!(
            "`{tool}` installs dependencies after the whole source is copied (line {line}), so every change re-runs it: copy {manifests} and install before copying the rest"
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn install_after_source() {
        for install in [
            "pip install -r requirements.txt",
            "pip install --no-cache-dir -r requirements.txt",
            "python -m pip install -r req.txt",
            "npm ci",
            "npm install",
            "yarn install --frozen-lockfile",
            "yarn",
            "pnpm install",
            "go mod download",
            "bundle install",
            "composer install --no-dev",
            "cargo build --release",
            "cargo fetch",
            "mvn -B dependency:go-offline",
            "poetry install --no-root",
            "uv sync --frozen",
        ] {
            assert_catches("DG1012", &format!("FROM x:1\nCOPY . .\nRUN {install}"));
        }
        assert_catches("DG1012", "FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nFROM nginx:1\nCOPY --from=build /app/dist /usr/share/nginx/html");
        assert_lines("DG1012", "FROM x:1\nCOPY ./ /app\nRUN apt-get update\nRUN cd /app && go mod download", &[4]);
        assert_catches("DG1012", "FROM x:1 AS src\nCOPY . /app\nFROM src\nRUN cd /app && npm ci");
    }

    #[test]
    fn manifests_first_or_no_source_copy() {
        assert_catches_not("DG1012", "FROM x:1\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .");
        assert_catches_not("DG1012", "FROM x:1\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\nCOPY . .\nRUN poetry install");
        assert_catches_not("DG1012", "FROM x:1\nCOPY . .\nRUN npm install -g typescript");
        assert_catches_not("DG1012", "FROM x:1\nCOPY . .\nRUN pip install .");
        assert_catches_not("DG1012", "FROM x:1\nCOPY src/ /app/src\nRUN npm ci");
        assert_catches_not("DG1012", "FROM x:1 AS a\nCOPY . .\nFROM x:1\nRUN npm ci");
        assert_catches_not("DG1012", "FROM x:1\nCOPY . .\nRUN npm run build");
    }
}
