//! DG1114: a `COPY`/`ADD` source that the `.dockerignore` leaves out of the build
//! context (BuildKit's `CopyIgnoredFile` build check).
//!
//! Ported from BuildKit's `validateCopySourcePath` and `copySourceRootIgnored`
//! (`frontend/dockerfile/dockerfile2llb/validations.go`), called from `dispatchCopy`
//! (`convert_copy.go`) for each local source of an `ADD` and of a `COPY` without
//! `--from`.

use super::practices::context_sources;
use crate::dockerfile::buildkit_dump::go_quote;
use crate::dockerfile::Keyword;
use crate::rules::{Context, OptionKind, RuleOption};
use crate::workspace::clean_path;

crate::declare_rule! {
    /// ## What it does
    /// Reports a source of `COPY` (without `--from`) or `ADD` (not a URL) that the
    /// build context's ignore file excludes: BuildKit does not send it, so the copy
    /// fails or copies less than it names. This is BuildKit's `CopyIgnoredFile`
    /// build check
    /// ([docs](https://docs.docker.com/reference/build-checks/copy-ignored-file/)),
    /// with its message and its conditions:
    ///
    /// - the source is matched, after cleaning (`./tmp/a` is `tmp/a`), against the
    ///   ignore file's patterns as BuildKit's pattern matcher does it, a pattern that
    ///   excludes a parent directory excluding the source too;
    /// - nothing is reported when the ignore file re-includes anything (`!pattern`):
    ///   an excluded directory may then hold a file that is sent after all;
    /// - the whole context (`COPY . .`) is reported only when a pattern excludes
    ///   every root entry (`*`, `**`, `**/*`).
    ///
    /// The ignore file is found as DG1011 finds it (`<Dockerfile>.dockerignore`
    /// first, then the context's `.dockerignore`); the context is the Dockerfile's
    /// directory unless `context_at_root` says it is the repository root. A source
    /// that depends on a value only the build knows is not checked. Text linted
    /// without a file has no context: nothing is reported.
    ///
    /// The corpus of real Dockerfiles holds no `.dockerignore` files, so this rule
    /// cannot fire there; the end-to-end tests build projects that have one.
    ///
    /// ## Why is this bad?
    /// The file is not in the context: `COPY` fails with "not found", or, for a
    /// directory or a wildcard, silently copies less than the Dockerfile says.
    ///
    /// ## Example
    /// With a `.dockerignore` holding `*/tmp/*`:
    /// ```dockerfile
    /// FROM scratch
    /// COPY ./tmp/helloworld.txt /helloworld.txt
    /// ```
    ///
    /// ## Use instead
    /// Copy a file the context keeps, or stop ignoring the file:
    /// ```dockerfile
    /// FROM scratch
    /// COPY ./forever/helloworld.txt /helloworld.txt
    /// ```
    ///
    /// ## Options
    /// - `context_at_root`: the build context is the repository root, not the
    ///   Dockerfile's directory.
    code: "DG1114",
    name: "copy-ignored-file",
    severity: Warning,
    category: Correctness,
    fixable: false,
    message: "Attempting to Copy file that is excluded by .dockerignore",
    buildkit: "CopyIgnoredFile",
    options: [RuleOption::new("context_at_root", OptionKind::Bool, "The build context is the repository root (`docker build -f svc/Dockerfile .`), not the Dockerfile's directory.")],
    check: check,
}

fn check(context: &mut Context) {
    let Some(build_context) = context.build_context() else {
        return;
    };
    let Some(ignore) = build_context.ignore_file(context.option_bool("context_at_root")) else {
        return;
    };
    if ignore.is_empty() || ignore.has_exclusions() {
        return;
    }
    for source in context_sources(context) {
        let Some(expanded) = &source.expanded else {
            continue;
        };
        let path = clean_path(expanded);
        if (path == "." || path == "/") && !ignore.excludes_every_root_entry() {
            continue;
        }
        if !ignore.matches_or_parent_matches(&path) {
            continue;
        }
        let verb = if source.instruction.keyword == Keyword::Add { "Add" } else { "Copy" };
        let message = format!("Attempting to {verb} file {} that is excluded by .dockerignore", go_quote(&path));
        context.report(source.instruction, source.word.range).message = message;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn messages(ignore: &str, source: &str) -> Vec<String> {
        findings_in("DG1114", &Default::default(), source, &context_with_ignore(Some(ignore)))
            .into_iter()
            .map(|finding| finding.message)
            .collect()
    }

    #[test]
    fn ignored_sources() {
        assert_eq!(
            messages("Dockerfile\n", "FROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy"),
            [
                "Attempting to Copy file \"Dockerfile\" that is excluded by .dockerignore",
                "Attempting to Add file \"Dockerfile\" that is excluded by .dockerignore"
            ]
        );
        assert_eq!(messages("*\n", "FROM scratch\nCOPY . ."), ["Attempting to Copy file \".\" that is excluded by .dockerignore"]);
        assert_eq!(messages("*/tmp/*\n", "FROM scratch\nCOPY ./a/tmp/hello.txt /"), ["Attempting to Copy file \"a/tmp/hello.txt\" that is excluded by .dockerignore"]);
        assert_eq!(messages("node_modules\n", "FROM node\nCOPY node_modules/x/ /app/").len(), 1);
        assert_eq!(messages("build\n", "FROM node\nARG DIR=build\nCOPY $DIR /app/").len(), 1);
    }

    #[test]
    fn kept_sources() {
        assert!(messages("foobar\n", "FROM scratch AS base\nCOPY Dockerfile /foobar\nFROM base\nCOPY --from=base /foobar /Dockerfile").is_empty());
        assert!(messages("**\n!Dockerfile\n", "FROM scratch\nCOPY ./Dockerfile .").is_empty());
        assert!(messages(".*\n", "FROM scratch\nCOPY . .").is_empty());
        assert!(messages(".git\n", "FROM scratch\nCOPY . .").is_empty());
        assert!(messages("*.md\n", "FROM scratch\nCOPY docs/a.md /").is_empty());
        assert!(messages("app\n", "FROM scratch\nCOPY /app /app").is_empty());
        assert!(messages("x\n", "FROM scratch\nADD https://example.com/x /x").is_empty());
        assert!(messages("x\n", "FROM scratch\nARG X\nCOPY $X /x").is_empty());
        assert_catches_not("DG1114", "FROM scratch\nCOPY Dockerfile .");
        // The repository root's ignore file applies only with `context_at_root`.
        let root_only = crate::workspace::BuildContext {
            root_ignore: Some(std::sync::Arc::new(crate::workspace::Dockerignore::parse(
                ".dockerignore",
                "x\n",
            ))),
            ..Default::default()
        };
        let source = "FROM scratch\nCOPY x .";
        assert!(findings_in("DG1114", &Default::default(), source, &root_only).is_empty());
        let found = findings_in("DG1114", &switched_on("context_at_root"), source, &root_only);
        assert_eq!(found.len(), 1);
        let none = findings_in("DG1114", &Default::default(), "FROM scratch\nCOPY x .", &context_with_ignore(None));
        assert!(none.is_empty());
    }
}
