//! DL3046: `useradd` with a high UID and without `-l`.

use crate::finding::Fix;
use crate::rules::Context;
use crate::source::TextRange;

use super::scripts::{command_word, report_runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports `useradd` with a high UID (six digits or more, or one only the build
    /// knows; an ARG or ENV with a known value counts as that value) and without `-l`
    /// (`--no-log-init`). hadolint reads only `-u N`, and reports `-u $UID` whatever
    /// `UID`'s default.
    ///
    /// ## Why is this bad?
    /// `useradd` reserves the user's entries in `/var/log/lastlog` and
    /// `/var/log/faillog`, sparse files indexed by UID. Docker does not keep layers
    /// sparse, so a UID in the millions adds gigabytes of zeros to the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd -u 1000000 app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd -l -u 1000000 app
    /// ```
    ///
    /// ## Fix
    /// Adds `-l` after `useradd`.
    ///
    /// ## References
    /// - [hadolint DL3046](https://github.com/hadolint/hadolint/wiki/DL3046)
    code: "DL3046",
    name: "useradd-high-uid",
    severity: Warning,
    category: BestPractice,
    fixable: true,
    fix: Unsafe("Add `-l`"),
    message: "`useradd` without flag `-l` and high UID will result in excessively large Image.",
    check: check,
}

/// The UID `useradd` is given: `-u N`, `-uN`, `--uid N`, `--uid=N`.
fn uid(args: &[crate::dockerfile::shell::ShellWord]) -> Option<&str> {
    args.iter().enumerate().find_map(|(i, word)| {
        let value = word.value.as_str();
        match value {
            "-u" | "--uid" => args.get(i + 1).map(|next| next.value.as_str()),
            _ => value
                .strip_prefix("--uid=")
                .or_else(|| value.strip_prefix("-u").filter(|rest| !rest.is_empty())),
        }
    })
}

fn check(context: &mut Context) {
    let model = context.model();
    report_runs(context, |run| {
        // A UID from an ARG or ENV with a known value is that value; one only the
        // build knows may be high.
        let is_high = |uid: &str| match uid.contains('$') {
            true => model.expand(run.index, uid).is_none_or(|value| value.trim().len() > 5),
            false => uid.len() > 5,
        };
        let command = run.script.commands_named("useradd").find(|command| {
            !command.has_flag(&["-l", "--no-log-init"]) && uid(command.args()).is_some_and(is_high)
        })?;
        let word = command_word(command);
        // The user is then missing from lastlog and faillog.
        let fix = Fix::replace("Add `-l`", TextRange::empty(word.end), " -l").unsafe_fix();
        Some((word, Some(fix)))
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn high_uid() {
        assert_catches("DL3046", "FROM debian:12\nRUN useradd -u 123456 app");
        assert_catches("DL3046", "FROM debian:12\nRUN useradd -u $UID app");
        assert_catches("DL3046", "FROM debian:12\nRUN useradd --uid=1234567 app");
    }

    #[test]
    fn low_uid_or_no_log_init() {
        assert_catches_not("DL3046", "FROM debian:12\nRUN useradd -u 12345 app");
        assert_catches_not("DL3046", "FROM debian:12\nRUN useradd -l -u 1234567 app");
        assert_catches_not("DL3046", "FROM debian:12\nRUN useradd --no-log-init -u 1234567 app");
        assert_catches_not("DL3046", "FROM debian:12\nRUN useradd app");
        assert_catches_not("DL3046", "FROM debian:12\nARG APP_UID=8983\nRUN useradd -r --uid \"$APP_UID\" app");
    }

    #[test]
    fn fix_adds_l() {
        assert_fix(
            "DL3046",
            "FROM debian:12\nRUN useradd -u 123456 app\n",
            "FROM debian:12\nRUN useradd -l -u 123456 app\n",
        );
    }
}
