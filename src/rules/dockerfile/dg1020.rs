//! DG1020: a secret value written into the Dockerfile.

use super::scripts::runs;
use crate::dockerfile::{Args, Keyword, Word};
use crate::image::secrets;
use crate::rules::Context;
use crate::source::TextRange;

crate::declare_rule! {
    /// ## What it does
    /// Reports a secret value of a known format in an `ENV`, `ARG` or `LABEL` value,
    /// in the words of a `RUN` command, in any other instruction's arguments and in
    /// heredoc bodies (`COPY <<EOF`): GitHub tokens (`ghp_`, `gho_`, `ghs_`,
    /// `github_pat_`), AWS access key IDs (`AKIA...`), Slack (`xoxb-`, `xoxp-`) and
    /// GitLab (`glpat-`) tokens, JSON Web Tokens and PEM private keys. The formats are
    /// the image gate's (DG2020 finds them in layers). Every stage is checked: a
    /// builder's `ENV` stays in its build cache and history. The value is never
    /// printed in full: messages and snippets show its prefix only. A variable whose
    /// name says it is secret (`ENV DB_PASSWORD=...`) is BuildKit's
    /// `SecretsUsedInArgOrEnv` check's.
    ///
    /// ## Why is this bad?
    /// A value in the Dockerfile is in the repository, in every image layer or
    /// history entry built from it (`docker history` shows `ARG` and `RUN` lines), and
    /// in every build log. Anyone who can read any of them has the credential.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB
    /// RUN git clone https://$GITHUB_TOKEN@github.com/acme/private.git
    /// ```
    ///
    /// ## Use instead
    /// Pass it as a build secret (`docker build --secret id=gh,env=GITHUB_TOKEN`):
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN --mount=type=secret,id=gh \
    ///     git clone https://$(cat /run/secrets/gh)@github.com/acme/private.git
    /// ```
    code: "DG1020",
    name: "secret-in-dockerfile",
    severity: Error,
    category: Security,
    fixable: false,
    message: "A secret value is written into the Dockerfile: pass it with `RUN --mount=type=secret`",
    check: check,
}

/// A place a value was read from, for the message.
/// What a place is, said only for the few that hold a secret.
#[derive(Clone, Copy)]
enum What<'a> {
    Argument(&'a str),
    Value(&'a str, &'a str),
    Heredoc(&'a str, &'a str),
    Run,
}

impl What<'_> {
    fn describe(self) -> String {
        match self {
            What::Argument(keyword) => keyword.to_ascii_uppercase(),
            What::Value(keyword, key) => format!("{} `{key}`", keyword.to_ascii_uppercase()),
            What::Heredoc(keyword, name) => {
                format!("the {} heredoc `{name}`", keyword.to_ascii_uppercase())
            }
            What::Run => "RUN".into(),
        }
    }
}

struct Place<'a> {
    what: What<'a>,
    text: &'a str,
    /// Where `text` starts in the source, when its characters map one to one.
    range: TextRange,
}

fn words_of(args: &Args) -> Vec<(&Word, Option<&Word>)> {
    match args {
        Args::List(words) | Args::Exec(words) => words.iter().map(|w| (w, None)).collect(),
        Args::Shell(word) => vec![(word, None)],
        Args::KeyValues(pairs) => pairs.iter().map(|pair| (&pair.value, Some(&pair.key))).collect(),
        Args::Healthcheck { command, .. } => words_of(command),
        Args::Empty | Args::Onbuild(_) => Vec::new(),
    }
}

fn check(context: &mut Context) {
    let mut places: Vec<(usize, Place)> = Vec::new();
    for (index, instruction) in context.instructions().iter().enumerate() {
        let keyword = instruction.name.as_str();
        let instruction = match (&instruction.keyword, &instruction.args) {
            (Keyword::Onbuild, Args::Onbuild(inner)) => inner.as_ref(),
            _ => instruction,
        };
        if instruction.keyword != Keyword::Run {
            for (word, key) in words_of(&instruction.args) {
                let what = match key {
                    Some(key) => What::Value(keyword, &key.value),
                    None => What::Argument(keyword),
                };
                places.push((index, Place { what, text: &word.value, range: word.range }));
            }
        }
        for heredoc in &instruction.heredocs {
            places.push((index, Place {
                what: What::Heredoc(keyword, &heredoc.name),
                text: &heredoc.content,
                range: heredoc.range,
            }));
        }
    }
    let runs = runs(context);
    for run in &runs {
        for command in &run.script.commands {
            for word in command.assignments.iter().chain(&command.argv) {
                places.push((run.index, Place { what: What::Run, text: &word.value, range: word.range }));
            }
        }
    }
    places.sort_by_key(|(index, place)| (*index, place.range.start));
    let mut found_in: Vec<(usize, TextRange, String)> = Vec::new();
    for (index, place) in places {
        let Some(found) = secrets::find(place.text.as_bytes()).into_iter().next() else {
            continue;
        };
        if found_in.iter().any(|(_, range, _)| range.start <= place.range.start && place.range.end <= range.end) {
            continue;
        }
        let message = format!(
            "{} holds {} (`{}`): pass it at build time with `RUN --mount=type=secret` instead",
            place.what.describe(),
            found.kind.describe(),
            found.redacted(place.text)
        );
        found_in.push((index, place.range, message));
    }
    for (index, range, message) in found_in {
        let instruction = &context.instructions()[index];
        context.report(instruction, range).message = message;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const TOKEN: &str = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";

    #[test]
    fn secret_values() {
        assert_catches("DG1020", &format!("FROM a:1\nENV GITHUB_TOKEN={TOKEN}"));
        assert_catches("DG1020", &format!("FROM a:1\nARG T={TOKEN}"));
        assert_catches("DG1020", &format!("ARG T={TOKEN}\nFROM a:1"));
        assert_catches("DG1020", "FROM a:1\nLABEL key=AKIAQWERTYUIOPASDFGHJ");
        assert_catches("DG1020", &format!("FROM a:1\nRUN curl -H \"Authorization: token {TOKEN}\" https://api.github.com"));
        assert_catches("DG1020", "FROM a:1\nRUN echo xoxb-1234-5678-abcdefghijklmnop > /t");
        assert_catches("DG1020", "FROM a:1\nCOPY <<EOF /root/.ssh/id_rsa\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\nEOF");
        assert_catches("DG1020", "FROM a:1\nENV JWT=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U");
        assert_lines("DG1020", &format!("FROM a:1 AS b\nENV T={TOKEN}\nFROM c:1"), &[2]);
    }

    #[test]
    fn no_secret_values() {
        assert_catches_not("DG1020", "FROM a:1\nENV GITHUB_TOKEN=\"\"");
        assert_catches_not("DG1020", "FROM a:1\nARG GITHUB_TOKEN\nRUN --mount=type=secret,id=gh cat /run/secrets/gh");
        assert_catches_not("DG1020", "FROM a:1\nENV KEY=AKIAIOSFODNN7EXAMPLE");
        assert_catches_not("DG1020", "FROM a:1\nRUN echo ghp_short");
    }

    #[test]
    fn the_value_is_redacted() {
        let found = findings("DG1020", &format!("FROM a:1\nENV GITHUB_TOKEN={TOKEN}"));
        assert!(found[0].message.contains("`ghp_***`"), "{}", found[0].message);
        assert!(!found[0].message.contains(TOKEN));
    }
}
