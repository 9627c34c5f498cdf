//! DL3066: USER names a user instead of a numeric UID.

use crate::dockerfile::{Args, Keyword};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports a `USER` whose user part (before any `:group`) is a name rather than a
    /// numeric UID. The value is expanded first; a value only the build knows is
    /// reported too, since nothing shows it is numeric.
    ///
    /// ## Why is this bad?
    /// A name is resolved through the image's `/etc/passwd` when the container starts.
    /// Kubernetes' `runAsNonRoot` cannot verify a name, and a host that maps UIDs
    /// (rootless runtimes, user namespaces, volume permissions) only sees numbers.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd --uid 10001 app
    /// USER app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd --uid 10001 app
    /// USER 10001
    /// ```
    code: "DL3066",
    name: "non-numeric-user",
    severity: Info,
    category: Security,
    fixable: false,
    message: "Non-numeric user-id may not be resolvable by host system",
    check: check,
}

fn check(context: &mut Context) {
    for (index, instruction) in context.instructions().iter().enumerate() {
        let (Keyword::User, Args::Shell(word)) = (&instruction.keyword, &instruction.args) else {
            continue;
        };
        let value = context.expand(index, &word.value);
        let numeric = value.as_deref().is_some_and(|value| {
            let user = value.trim().split(':').next().unwrap_or("");
            !user.is_empty() && user.bytes().all(|b| b.is_ascii_digit())
        });
        if !numeric {
            context.report(instruction, word.range);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn names() {
        assert_catches("DL3066", "FROM debian:12\nUSER app");
        assert_catches("DL3066", "FROM debian:12\nUSER app:app");
        assert_catches("DL3066", "FROM debian:12\nUSER app:1000");
        assert_catches("DL3066", "FROM debian:12\nUSER root");
        assert_catches("DL3066", "FROM debian:12\nUSER ${U}");
        assert_catches("DL3066", "FROM debian:12\nARG U=app\nUSER $U");
    }

    #[test]
    fn numbers() {
        assert_catches_not("DL3066", "FROM debian:12\nUSER 1000");
        assert_catches_not("DL3066", "FROM debian:12\nUSER 1000:app");
        assert_catches_not("DL3066", "FROM debian:12\nUSER 0:0");
        assert_catches_not("DL3066", "FROM debian:12\nARG UID=1000\nUSER ${UID}");
    }
}
