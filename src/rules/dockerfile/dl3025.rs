//! DL3025: CMD or ENTRYPOINT in shell form.

use crate::dockerfile::{Args, Keyword};
use crate::finding::Fix;
use crate::rules::{Context, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Checks that `CMD` and `ENTRYPOINT` use the JSON (exec) form.
    ///
    /// This is also BuildKit's build check
    /// [`JSONArgsRecommended`](https://docs.docker.com/reference/build-checks/json-args-recommended/),
    /// which `# check=skip=JSONArgsRecommended` skips. BuildKit
    /// (`dockerfile2llb/convert.go`, `dispatchCmd`) does not report a shell-form `CMD` or
    /// `ENTRYPOINT` once a `SHELL` is in effect (the image's own included, which only the
    /// build knows), nor `HEALTHCHECK`; this rule reports them regardless, as hadolint
    /// does.
    ///
    /// ## Why is this bad?
    /// In shell form the command runs as `/bin/sh -c "..."`: the shell becomes PID 1,
    /// does not forward `SIGTERM` to the program, and `docker stop` has to wait for its
    /// timeout and kill the container. A shell-form `ENTRYPOINT` also ignores the
    /// arguments given to `docker run` and every `CMD`.
    ///
    /// `HEALTHCHECK CMD` is not reported by default: a health check is not PID 1 and
    /// receives no signals. hadolint reports it too; the `healthcheck` option (on in
    /// `builtin:hadolint`) does the same.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12
    /// CMD python -m http.server
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12
    /// CMD ["python", "-m", "http.server"]
    /// ```
    ///
    /// ## Fix
    /// When the command is plain words (no quotes, variables, redirections or other
    /// shell syntax), rewrites it in JSON form. Otherwise there is no fix: the command
    /// needs a shell, so write `["/bin/sh", "-c", "..."]` yourself, or better, a script
    /// that ends with `exec`. The fix is safe for `CMD`; for `ENTRYPOINT` it is
    /// unsafe, because an exec-form `ENTRYPOINT` receives the `CMD` and `docker run`
    /// arguments a shell-form one ignores.
    ///
    /// ## Options
    /// - `healthcheck`: also report `HEALTHCHECK CMD` in shell form, as hadolint does.
    ///
    /// ## References
    /// - [Dockerfile reference: shell and exec form](https://docs.docker.com/reference/dockerfile/#shell-and-exec-form)
    code: "DL3025",
    name: "shell-form-cmd",
    severity: Warning,
    category: BestPractice,
    fixable: true,
    fix: Safe("Use the JSON (exec) form"),
    fix: Unsafe("Use the JSON (exec) form (the `CMD` then becomes the `ENTRYPOINT`'s arguments)"),
    message: "Use arguments JSON notation for CMD and ENTRYPOINT arguments",
    buildkit: "JSONArgsRecommended",
    options: [RuleOption::new("healthcheck", OptionKind::Bool, "Also report `HEALTHCHECK CMD` in shell form, as hadolint does.")],
    check: check,
}

fn check(context: &mut Context) {
    let healthcheck = context.option_bool("healthcheck");
    for instruction in context.instructions() {
        let command = match (&instruction.keyword, &instruction.args) {
            (Keyword::Cmd | Keyword::Entrypoint, Args::Shell(command)) => command,
            (Keyword::Healthcheck, Args::Healthcheck { command, .. }) if healthcheck => {
                match command.as_ref() {
                    Args::Shell(command) => command,
                    _ => continue,
                }
            }
            _ => continue,
        };
        // Flags on CMD are a BuildKit error; a rewrite would hide them.
        let fix = match instruction.flags.is_empty() {
            true => exec_form(&command.value).map(|json| {
                // A shell-form ENTRYPOINT ignores CMD and `docker run` arguments; in
                // exec form it receives them, so the container may start differently.
                match instruction.keyword {
                    Keyword::Entrypoint => Fix::replace(ENTRYPOINT_FIX, command.range, json).unsafe_fix(),
                    _ => Fix::replace("Use the JSON (exec) form", command.range, json),
                }
            }),
            false => None,
        };
        context.report(instruction, command.range).fix = fix;
    }
}

/// The JSON form of `command` when it is plain words a shell would pass on unchanged.
const ENTRYPOINT_FIX: &str = "Use the JSON (exec) form (the `CMD` then becomes the `ENTRYPOINT`'s arguments)";

fn exec_form(command: &str) -> Option<String> {
    let is_plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    let words: Vec<&str> = command.split_ascii_whitespace().collect();
    if words.is_empty() || !words.iter().all(|word| word.chars().all(is_plain)) {
        return None;
    }
    let quoted: Vec<String> = words.iter().map(|word| format!("\"{word}\"")).collect();
    Some(format!("[{}]", quoted.join(", ")))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn shell_form() {
        assert_catches("DL3025", "FROM debian:12\nCMD foo");
        assert_catches("DL3025", "FROM debian:12\nENTRYPOINT foo bar");
        assert_catches("DL3025", "FROM debian:12\nCMD [foo]");
        assert_catches("DL3025", "FROM debian:12\nCMD ['foo']");
        assert_catches("DL3025", "FROM debian:12\ncmd foo");
    }

    #[test]
    fn exec_form() {
        assert_catches_not("DL3025", "FROM debian:12\nCMD [\"foo\"]");
        assert_catches_not("DL3025", "FROM debian:12\nENTRYPOINT [\"foo\", \"bar\"]");
        assert_catches_not("DL3025", "FROM debian:12\nCMD []");
        assert_catches_not(
            "DL3025",
            "FROM debian:12\nHEALTHCHECK CMD curl -f localhost",
        );
        assert_catches_not("DL3025", "FROM debian:12\nONBUILD CMD foo");
    }

    #[test]
    fn healthcheck_only_with_the_option() {
        let mut options = serde_json::Map::new();
        options.insert("healthcheck".into(), serde_json::json!(true));
        assert_catches_with("DL3025", &options, "FROM debian:12\nHEALTHCHECK CMD curl -f localhost");
        assert_catches_not_with("DL3025", &options, "FROM debian:12\nHEALTHCHECK CMD [\"curl\", \"-f\", \"localhost\"]");
        assert_catches_not_with("DL3025", &options, "FROM debian:12\nHEALTHCHECK NONE");
    }

    #[test]
    fn fix_for_plain_words_only() {
        assert_fix(
            "DL3025",
            "FROM debian:12\nCMD python -m http.server 8000\n",
            "FROM debian:12\nCMD [\"python\", \"-m\", \"http.server\", \"8000\"]\n",
        );
        let found = findings("DL3025", "FROM debian:12\nCMD echo $HOME > /tmp/x\n");
        assert!(found[0].fix.is_none());
    }

    #[test]
    fn the_entrypoint_fix_is_unsafe() {
        assert_fix("DL3025", "FROM debian:12\nENTRYPOINT nginx\n", "FROM debian:12\nENTRYPOINT [\"nginx\"]\n");
        let cmd = findings("DL3025", "FROM debian:12\nCMD nginx\n");
        let entrypoint = findings("DL3025", "FROM debian:12\nENTRYPOINT nginx\n");
        assert_eq!(cmd[0].fix.as_ref().map(|fix| fix.applicability), Some(crate::finding::Applicability::Safe));
        assert_eq!(entrypoint[0].fix.as_ref().map(|fix| fix.applicability), Some(crate::finding::Applicability::Unsafe));
    }
}
