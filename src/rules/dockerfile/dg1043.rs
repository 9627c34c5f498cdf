//! DG1043: the application's files are writable by the user it runs as.

use super::practices::{final_chain, in_final_chain, is_root, user_name};
use super::scripts::runs;
use crate::dockerfile::Keyword;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports, in the stage `docker build` builds (or a stage it is built `FROM`),
    /// what makes files writable by the user the container runs as (the last
    /// `USER`, expanded): a `COPY`/`ADD --chown` to that user, a `chown -R` to it,
    /// and `chmod` that grants everyone write access (`777`, `666`, `a+w`, `o+w`).
    /// Off by default: many teams give the runtime user its files on purpose
    /// (`--chown` is the usual fix for permission errors), and this practice is the
    /// opposite choice. Nothing is reported while the runtime user is root or unset.
    ///
    /// ## Why is this bad?
    /// A process that can rewrite its own code lets an attacker who gets in make the
    /// change permanent for the life of the container, and hide it: with the code
    /// owned by root and read-only to the service, an exploit cannot plant a backdoor.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY --chown=node:node . /app
    /// USER node
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY . /app
    /// USER node
    /// ```
    /// Give the user write access only where it writes (`/app/tmp`, a volume).
    code: "DG1043",
    name: "code-writable-by-runtime-user",
    severity: Warning,
    category: Security,
    fixable: false,
    message: "The application's files are writable by the user it runs as",
    enabled_by_default: false,
    check: check,
}

/// Modes that let everyone write: `777`, `0666`, `a+w`, `o+rwx`, `+w`.
fn world_writable(mode: &str) -> bool {
    if mode.chars().all(|c| c.is_ascii_digit()) && !mode.is_empty() {
        return mode
            .chars()
            .last()
            .and_then(|c| c.to_digit(8))
            .is_some_and(|others| others & 2 != 0);
    }
    mode.split(',').any(|clause| {
        let (who, perms) = clause.split_once(['+', '=']).unwrap_or(("", ""));
        (who.is_empty() || who.contains('a') || who.contains('o')) && perms.contains('w')
    })
}

fn check(context: &mut Context) {
    let model = context.model();
    let Some(last) = final_chain(model).first().copied() else {
        return;
    };
    let Some(runtime) = last.user.as_ref().and_then(|user| user.value.as_deref()) else {
        return;
    };
    let runtime = user_name(runtime).to_string();
    if runtime.is_empty() || is_root(&runtime) {
        return;
    }
    for (index, instruction) in context.instructions().iter().enumerate() {
        if !matches!(instruction.keyword, Keyword::Copy | Keyword::Add) || !in_final_chain(model, index) {
            continue;
        }
        let Some(flag) = instruction.flags.iter().find(|flag| flag.name == "chown") else {
            continue;
        };
        let owner = flag.value.as_deref().and_then(|value| context.expand(index, value));
        if owner.as_deref().is_some_and(|owner| user_name(owner) == runtime) {
            context.report(instruction, flag.range).message = format!(
                "`--chown` gives the runtime user `{runtime}` the copied files: it can rewrite the code it runs"
            );
        }
    }
    for run in runs(context) {
        if !in_final_chain(model, run.index) {
            continue;
        }
        for command in &run.script.commands {
            let recursive = command.has_flag(&["-R", "--recursive"]);
            let positional: Vec<_> = command.positional(&["--reference"]).collect();
            let Some(first) = positional.first() else { continue };
            let message = if command.is("chown") && recursive && user_name(&first.value) == runtime {
                format!("`chown -R {}` gives the runtime user `{runtime}` the files: it can rewrite the code it runs", first.value)
            } else if command.is("chmod") && world_writable(&first.value) {
                format!("`chmod {}` lets every user, `{runtime}` included, rewrite the files", first.value)
            } else {
                continue;
            };
            context.report(run.instruction, command.range).message = message;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn writable_code() {
        assert_catches("DG1043", "FROM node:22\nCOPY --chown=node:node . /app\nUSER node");
        assert_catches("DG1043", "FROM node:22\nARG U=app\nCOPY --chown=$U src /app\nUSER app");
        assert_catches("DG1043", "FROM debian:12\nRUN chown -R app:app /app\nUSER app");
        assert_catches("DG1043", "FROM debian:12\nRUN chmod -R 777 /app\nUSER app");
        assert_catches("DG1043", "FROM debian:12\nRUN chmod a+w /app/config.py\nUSER 10001");
    }

    #[test]
    fn read_only_code_or_root() {
        assert_catches_not("DG1043", "FROM node:22\nCOPY . /app\nUSER node");
        assert_catches_not("DG1043", "FROM node:22\nCOPY --chown=root:root . /app\nUSER node");
        assert_catches_not("DG1043", "FROM debian:12\nRUN chmod -R 755 /app && chown -R app /app/tmp-not-recursive-owner\nUSER other");
        assert_catches_not("DG1043", "FROM debian:12\nRUN chown -R app /app");
        assert_catches_not("DG1043", "FROM debian:12 AS build\nRUN chmod 777 /x\nFROM debian:12\nUSER app");
    }
}
