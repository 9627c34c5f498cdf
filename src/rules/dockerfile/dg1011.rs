//! DG1011: the build context is copied without a `.dockerignore` that keeps secrets
//! and `.git` out.

use super::practices::{context_sources, is_whole_context};
use crate::rules::{Context, OptionKind, RuleOption};

/// What a `.dockerignore` must exclude when the whole context is copied.
const MUST_EXCLUDE: &[&str] = &[".git", ".env", ".env.local", "id_rsa", "server.key", "private.pem"];

crate::declare_rule! {
    /// ## What it does
    /// When any stage copies the whole build context (`COPY . .`, `ADD . /app`),
    /// reports that copy if the context has no ignore file, or if its ignore file does
    /// not exclude `.git`, `.env` files and private keys (`id_rsa`, `*.key`, `*.pem`).
    ///
    /// The ignore file is found as BuildKit finds it: `<Dockerfile>.dockerignore` next
    /// to the Dockerfile (`api.Dockerfile.dockerignore`) first, then `.dockerignore`
    /// at the root of the context. It is read with BuildKit's pattern rules: patterns
    /// are anchored at the context root (`*.pem` excludes only the root's, `**/*.pem`
    /// all of them), a leading `/` is dropped, `**` spans directories, `!` re-includes
    /// and the last matching pattern wins.
    ///
    /// The context is the Dockerfile's directory (`docker build .` run next to it).
    /// Where the build runs from the repository root (`docker build -f
    /// svc/Dockerfile .`), set `context_at_root` (in `overrides` for those paths).
    /// Text linted without a file (standard input) has no context: nothing is reported.
    ///
    /// ## Why is this bad?
    /// Without an ignore file, `COPY . .` sends and copies everything: the Git
    /// history (with every secret ever committed), local `.env` files and keys. They
    /// end up in a layer anyone who can pull the image can read, and every commit
    /// invalidates the build cache.
    ///
    /// ## Example
    /// A project with no `.dockerignore`:
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// ```
    ///
    /// ## Use instead
    /// A `.dockerignore` next to it:
    /// ```text
    /// .git
    /// **/.env*
    /// **/*.pem
    /// **/*.key
    /// **/id_rsa*
    /// node_modules
    /// ```
    ///
    /// ## Options
    /// - `must_exclude`: the context paths the ignore file must exclude (default
    ///   `.git`, `.env`, `.env.local`, `id_rsa`, `server.key`, `private.pem`);
    /// - `context_at_root`: the context is the repository root, not the Dockerfile's
    ///   directory.
    code: "DG1011",
    name: "dockerignore-missing-or-incomplete",
    severity: Warning,
    category: Security,
    fixable: false,
    message: "The whole build context is copied but no `.dockerignore` keeps `.git`, `.env` files and keys out of it",
    options: [
        RuleOption::new("must_exclude", OptionKind::Strings, "Paths of the context the ignore file must exclude (default `.git`, `.env`, `.env.local`, `id_rsa`, `server.key`, `private.pem`)."),
        RuleOption::new("context_at_root", OptionKind::Bool, "The build context is the repository root (`docker build -f svc/Dockerfile .`), not the Dockerfile's directory."),
    ],
    check: check,
}

fn check(context: &mut Context) {
    let Some(build_context) = context.build_context() else {
        return;
    };
    let sources = context_sources(context);
    let Some(copy) = sources
        .iter()
        .find(|source| source.expanded.as_deref().is_some_and(is_whole_context))
    else {
        return;
    };
    let at_root = context.option_bool("context_at_root");
    let directory = build_context.directory(at_root).display().to_string();
    let message = match build_context.ignore_file(at_root) {
        None => format!(
            "The whole build context (`{directory}`) is copied and it has no `.dockerignore`: add one that excludes `.git`, `.env*` and private keys"
        ),
        Some(ignore) => {
            let options = context.options();
            let required: Vec<&str> = if options.is_set("must_exclude") {
                options.strings("must_exclude")
            } else {
                MUST_EXCLUDE.to_vec()
            };
            let kept: Vec<&str> = required
                .into_iter()
                .filter(|path| !ignore.excludes(path))
                .collect();
            if kept.is_empty() {
                return;
            }
            format!(
                "The whole build context is copied and {} does not exclude {}",
                ignore.path.display(),
                kept.iter()
                    .map(|path| format!("`{path}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };
    let (instruction, range) = (copy.instruction, copy.word.range);
    context.report(instruction, range).message = message;
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn catches(patterns: Option<&str>, source: &str) -> bool {
        let found = findings_in("DG1011", &Default::default(), source, &context_with_ignore(patterns));
        !found.is_empty()
    }

    #[test]
    fn missing_or_incomplete() {
        assert!(catches(None, "FROM debian:12\nCOPY . ."));
        assert!(catches(None, "FROM golang:1.22 AS build\nCOPY . .\nFROM scratch"));
        assert!(catches(Some("node_modules\n"), "FROM debian:12\nADD . /app"));
        assert!(catches(Some(".git\n.env\n"), "FROM debian:12\nCOPY ./ /app"));
        assert!(catches(Some(".git\n**/.env*\n*.pem\n*.key\nid_rsa\n!.env.local\n"), "FROM debian:12\nCOPY . ."));
    }

    #[test]
    fn complete_or_no_whole_copy() {
        let good = ".git\n**/.env*\n**/*.pem\n**/*.key\n**/id_rsa*\n";
        assert!(!catches(Some(good), "FROM debian:12\nCOPY . ."));
        assert!(!catches(Some("*\n!src\n"), "FROM debian:12\nCOPY . ."));
        assert!(!catches(None, "FROM debian:12\nCOPY src/ /app/"));
        assert_catches_not("DG1011", "FROM debian:12\nCOPY . .");
        let mut options = serde_json::Map::new();
        options.insert("must_exclude".into(), serde_json::json!([".git"]));
        let found = findings_in("DG1011", &options, "FROM debian:12\nCOPY . .", &context_with_ignore(Some(".git")));
        assert!(found.is_empty());
    }
}
