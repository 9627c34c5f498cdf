//! DG1113: an `ARG` or `ENV` whose name says it holds a secret (BuildKit's
//! `SecretsUsedInArgOrEnv` build check).
//!
//! Ported from BuildKit's `validateNoSecretKey` and `getSecretsRegex`
//! (`frontend/dockerfile/dockerfile2llb/validations.go`), called from `dispatchEnv`
//! and `dispatchArg` (`convert.go`).

use crate::dockerfile::buildkit_dump::go_quote;
use crate::dockerfile::{Args, Keyword};
use crate::rules::Context;

/// BuildKit's secret tokens: a name with one of them as a whole `_`-separated part
/// (`DB_PASSWORD`, `api_key`, `GITHUB_TOKEN`, `AUTH`), compared case-insensitively.
const SECRET_TOKENS: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];

/// Parts that make such a name harmless (`PUBLIC_KEY`, `PASSWORD_FILE`,
/// `AUTH_MODULE_VERSION`).
const ALLOWED_TOKENS: &[&str] = &["public", "file", "version"];

crate::declare_rule! {
    /// ## What it does
    /// Reports an `ARG` or `ENV` in a stage whose name has a secret word as one of
    /// its `_`-separated parts, compared case-insensitively: `apikey`, `auth`,
    /// `credential(s)`, `key`, `password`, `pword`, `passwd`, `secret`, `token`
    /// (`DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`, `NPM_TOKEN`), unless another part is
    /// `public`, `file` or `version` (`PUBLIC_KEY`, `PASSWORD_FILE`). This is
    /// BuildKit's `SecretsUsedInArgOrEnv` build check
    /// ([docs](https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/)),
    /// with its message; like BuildKit, it reads the ARGs of stages, not those before
    /// the first `FROM`, and the `ENV` name after expansion.
    ///
    /// Off in `builtin:recommended`: DL3064 reports secret names there, with its own
    /// word list (no `key` alone, so no `GPG_KEY`), and both on would report every
    /// such `ARG` twice. Switch this one on (and DL3064 off) to get BuildKit's exact
    /// findings, which include public key fingerprints (`ENV GPG_KEY`,
    /// `ARG GHC_RELEASE_KEY`: 81 findings in 44 files of the corpus, most of them such
    /// fingerprints in official images).
    ///
    /// It looks at the name only, whatever the value (even none: the value comes
    /// from `--build-arg`) and never prints a value. DG1020 is its complement: it
    /// finds secret values of known formats (`ghp_...`, `AKIA...`) whatever the name.
    ///
    /// ## Why is this bad?
    /// `ARG` and `ENV` values are kept in the image: `ENV` in its configuration,
    /// `ARG` in the history of every `RUN` that follows (`docker history`), and both
    /// in the build cache. Anyone who can pull the image can read them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG AWS_ACCESS_KEY_ID
    /// ARG AWS_SECRET_ACCESS_KEY
    /// RUN aws s3 cp s3://my-bucket/file .
    /// ```
    ///
    /// ## Use instead
    /// Secret mounts, given with `docker build --secret id=aws_key_id,env=AWS_ACCESS_KEY_ID ...`:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN --mount=type=secret,id=aws_key_id,env=AWS_ACCESS_KEY_ID \
    ///     --mount=type=secret,id=aws_secret_key,env=AWS_SECRET_ACCESS_KEY \
    ///     aws s3 cp s3://my-bucket/file .
    /// ```
    code: "DG1113",
    name: "secret-name-in-arg-or-env",
    severity: Warning,
    category: Security,
    fixable: false,
    message: "Do not use ARG or ENV instructions for sensitive data",
    buildkit: "SecretsUsedInArgOrEnv",
    enabled_by_default: false,
    check: check,
}

/// Whether BuildKit takes `name` for a secret's.
pub(super) fn is_secret_name(name: &str) -> bool {
    let has = |tokens: &[&str]| {
        name.split('_')
            .any(|part| tokens.iter().any(|token| part.eq_ignore_ascii_case(token)))
    };
    has(SECRET_TOKENS) && !has(ALLOWED_TOKENS)
}

fn check(context: &mut Context) {
    let model = context.model();
    for (index, instruction) in context.instructions().iter().enumerate() {
        if model.stage_of(index).is_none() {
            continue;
        }
        let names: Vec<(String, _)> = match (&instruction.keyword, &instruction.args) {
            (Keyword::Arg, Args::List(words)) => words
                .iter()
                .map(|word| {
                    let name = word.value.split_once('=').map_or(word.value.as_str(), |(name, _)| name);
                    (name.to_string(), word.range)
                })
                .collect(),
            (Keyword::Env, Args::KeyValues(pairs)) => pairs
                .iter()
                .map(|pair| {
                    let name = context
                        .expand(index, &pair.key.value)
                        .unwrap_or_else(|| pair.key.value.clone());
                    (name, pair.key.range)
                })
                .collect(),
            _ => continue,
        };
        let what = if instruction.keyword == Keyword::Arg { "ARG" } else { "ENV" };
        for (name, range) in names {
            if is_secret_name(&name) {
                context.report(instruction, range).message = format!(
                    "Do not use ARG or ENV instructions for sensitive data ({what} {})",
                    go_quote(&name)
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    /// BuildKit's own case (`testSecretsUsedInArgOrEnv`), rewritten.
    #[test]
    fn buildkit_cases() {
        let source = "FROM scratch\nARG SECRET_PASSPHRASE\nENV SUPER_Secret=foo\nENV password=bar secret=baz\nARG super_duper_secret_token=foo auth=bar\nENV apikey=bar sunflower=foo\nENV git_key=\nENV PUBLIC_KEY=\nARG public_token\nARG SECRET_PASSPHRASE_FILE\nENV password_file=bar secret_File=baz\nARG AUTH_MODULE_VERSION\n";
        let messages: Vec<String> = findings("DG1113", source).into_iter().map(|f| f.message).collect();
        let expected = [
            "(ARG \"SECRET_PASSPHRASE\")",
            "(ENV \"SUPER_Secret\")",
            "(ENV \"password\")",
            "(ENV \"secret\")",
            "(ARG \"super_duper_secret_token\")",
            "(ARG \"auth\")",
            "(ENV \"apikey\")",
            "(ENV \"git_key\")",
        ];
        let expected: Vec<String> = expected
            .iter()
            .map(|tail| format!("Do not use ARG or ENV instructions for sensitive data {tail}"))
            .collect();
        assert_eq!(messages, expected);
    }

    #[test]
    fn secret_names() {
        assert_catches("DG1113", "FROM alpine\nARG AWS_SECRET_ACCESS_KEY");
        assert_catches("DG1113", "FROM alpine\nENV NPM_TOKEN=${NPM_TOKEN}");
        assert_catches("DG1113", "FROM alpine\nARG N=DB\nENV ${N}_PASSWORD=x");
        assert_catches_not("DG1113", "ARG GITHUB_TOKEN\nFROM alpine");
        assert_catches_not("DG1113", "FROM alpine\nENV KEYCLOAK_URL=x MONKEY=1 TOKENIZER=2");
        assert_catches_not("DG1113", "FROM alpine\nENV GPG_KEY_FILE=/k");
        assert_catches_not("DG1113", "FROM alpine\nLABEL secret=no");
    }

    #[test]
    fn never_prints_the_value() {
        let found = findings("DG1113", "FROM alpine\nENV API_KEY=sk-live-0123456789abcdef");
        assert_eq!(found.len(), 1);
        assert!(!found[0].message.contains("sk-live"), "{}", found[0].message);
    }
}
