//! DL3064: a secret in an ARG or ENV.

use crate::dockerfile::{Args, Keyword};
use crate::rules::{Context, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Reports an `ARG` or `ENV` whose name says it holds a secret: a word of the name
    /// (split at `_`, `-` and `.`) is `password`, `passwd`, `passphrase`, `secret`,
    /// `token` or `apikey` (or a plural), or two words are `private key`, `api key` or
    /// `access key`. A name that ends in `file`, `path` or `dir` names where a secret
    /// is, not the secret, and is not reported. One finding per instruction.
    ///
    /// hadolint matches `password`, `secret`, `token`, `private`, `username`, `api_key`
    /// and `aws_access_key` anywhere in the name, so it also reports
    /// `TOKENIZERS_PARALLELISM`, `PRIVATEBIN_VER` and `USERNAME`; the `substrings`
    /// option (on in `builtin:hadolint`) does the same.
    ///
    /// ## Why is this bad?
    /// `ARG` and `ENV` values are recorded in the image: `docker history` shows build
    /// arguments and `docker inspect` shows the environment, to anyone who can pull
    /// the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > ~/.npmrc && npm ci
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## Options
    /// - `substrings`: match hadolint's keywords anywhere in the name, as hadolint does.
    ///
    /// ## References
    /// - [Build secrets](https://docs.docker.com/build/building/secrets/)
    code: "DL3064",
    name: "secret-in-arg-or-env",
    severity: Warning,
    category: Security,
    fixable: false,
    message: "Potentially sensitive data should not be used in the `ARG` or `ENV` commands",
    options: [RuleOption::new("substrings", OptionKind::Bool, "Match hadolint's keywords anywhere in the name (`TOKENIZERS_PARALLELISM`, `USERNAME`), as hadolint does.")],
    check: check,
}

fn check(context: &mut Context) {
    let substrings = context.option_bool("substrings");
    let sensitive = |name: &str| match substrings {
        true => hadolint_sensitive(name),
        false => is_sensitive(name),
    };
    for instruction in context.instructions() {
        let found = match (&instruction.keyword, &instruction.args) {
            (Keyword::Arg, Args::List(words)) => words
                .iter()
                .find(|w| sensitive(w.value.split('=').next().unwrap_or("")))
                .map(|w| w.range),
            (Keyword::Env, Args::KeyValues(pairs)) => pairs
                .iter()
                .find(|p| sensitive(&p.key.value))
                .map(|p| p.key.range),
            _ => None,
        };
        if let Some(range) = found {
            context.report(instruction, range);
        }
    }
}

pub(super) fn is_sensitive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(['_', '-', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    if words.last().is_some_and(|w| matches!(*w, "file" | "path" | "dir" | "name")) {
        return false;
    }
    const WORDS: &[&str] = &[
        "password", "passwords", "passwd", "passphrase", "secret", "secrets", "token",
        "tokens", "apikey", "privatekey",
    ];
    words.iter().any(|w| WORDS.contains(w))
        || words.windows(2).any(|pair| {
            matches!(
                (pair[0], pair[1]),
                ("private" | "api" | "access", "key" | "keys")
            )
        })
}

/// hadolint's test: a keyword anywhere in the name.
fn hadolint_sensitive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["password", "secret", "token", "private", "username", "api_key", "aws_access_key"]
        .iter()
        .any(|keyword| lower.contains(keyword))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn secret_names() {
        assert_catches("DL3064", "FROM debian:12\nARG GITHUB_TOKEN");
        assert_catches("DL3064", "FROM debian:12\nARG SSH_PRIVATE_KEY");
        assert_catches("DL3064", "FROM debian:12\nARG nexus_password=x");
        assert_catches("DL3064", "FROM debian:12\nENV AWS_ACCESS_KEY_ID=x");
        assert_catches("DL3064", "FROM debian:12\nENV A=1 \\\n  DJANGO_SECRET_KEY=2");
        assert_catches("DL3064", "FROM debian:12\nENV API_KEY x");
        assert_catches("DL3064", "ARG DB_PASSWD\nFROM debian:12");
        assert_lines("DL3064", "FROM debian:12\nENV TOKEN=2 A=1 PASSWORD=3", &[2]);
    }

    #[test]
    fn other_names() {
        assert_catches_not("DL3064", "FROM debian:12\nENV TOKENIZERS_PARALLELISM=false");
        assert_catches_not("DL3064", "FROM debian:12\nARG PRIVATEBIN_VER=1.1.1");
        assert_catches_not("DL3064", "FROM debian:12\nARG USERNAME=vscode");
        assert_catches_not("DL3064", "FROM debian:12\nENV MINIO_SECRET_KEY_FILE=secret_key");
        assert_catches_not("DL3064", "FROM debian:12\nARG GPG_KEY=ABCD");
        assert_catches_not("DL3064", "FROM debian:12\nENV A=password");
    }

    #[test]
    fn hadolint_substrings_with_the_option() {
        let options = switched_on("substrings");
        assert_catches_with("DL3064", &options, "FROM debian:12\nENV TOKENIZERS_PARALLELISM=false");
        assert_catches_with("DL3064", &options, "FROM debian:12\nARG USERNAME=vscode");
        assert_catches_not_with("DL3064", &options, "FROM debian:12\nARG GPG_KEY=ABCD");
    }
}
