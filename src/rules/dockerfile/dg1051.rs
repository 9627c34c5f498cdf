//! DG1051: a downloaded script piped into a shell.

use super::scripts::{command_word, runs};
use crate::dockerfile::shell::Command;
use crate::rules::Context;

const DOWNLOADERS: &[&str] = &["curl", "wget"];
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

crate::declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that runs what it downloads without keeping it: `curl ... |
    /// sh`, `wget -O- ... | bash` (also through `sudo`), and `sh -c "$(curl ...)"`,
    /// in every stage.
    ///
    /// ## Why is this bad?
    /// The script is executed as it arrives: nothing checks what it is, a truncated
    /// download runs half a script, and the same line runs different code tomorrow.
    /// The build cannot be reviewed or reproduced.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN curl -fsSL https://example.com/install.sh | sh
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12-slim
    /// ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \
    ///     https://example.com/install.sh /tmp/install.sh
    /// RUN sh /tmp/install.sh && rm /tmp/install.sh
    /// ```
    code: "DG1051",
    name: "pipe-to-shell",
    severity: Warning,
    category: Security,
    fixable: false,
    message: "A downloaded script is piped into a shell: download it, verify it, then run it",
    check: check,
}

/// The shell a command runs, itself or behind `sudo`/`env`.
fn shell_of(command: &Command) -> Option<&str> {
    let word = if command.is("sudo") || command.is("env") {
        command.args().iter().find(|w| !w.value.starts_with('-') && !w.value.contains('='))?
    } else {
        command.name()?
    };
    let name = word.value.rsplit('/').next()?;
    SHELLS.contains(&name).then_some(name)
}

fn check(context: &mut Context) {
    for run in runs(context) {
        let commands = &run.script.commands;
        for (at, command) in commands.iter().enumerate() {
            let Some(shell) = shell_of(command) else { continue };
            let downloader = DOWNLOADERS.iter().find(|tool| {
                commands[..at].iter().any(|earlier| {
                    earlier.is(tool) && earlier.pipeline == command.pipeline && !earlier.substitution
                })
            });
            let substituted = DOWNLOADERS.iter().find(|tool| {
                commands.iter().any(|inner| {
                    inner.is(tool)
                        && inner.substitution
                        && command.args().iter().any(|arg| arg.range.start <= inner.range.start && inner.range.end <= arg.range.end)
                })
            });
            let message = match (downloader, substituted) {
                (Some(tool), _) => format!("`{tool} ... | {shell}` runs a downloaded script unverified: download it, check its checksum, then run it"),
                (None, Some(tool)) => format!("`{shell} -c \"$({tool} ...)\"` runs a downloaded script unverified: download it, check its checksum, then run it"),
                (None, None) => continue,
            };
            context.report(run.instruction, command_word(command)).message = message;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn piped_into_a_shell() {
        assert_catches("DG1051", "FROM a:1\nRUN curl -fsSL https://e.com/i.sh | sh");
        assert_catches("DG1051", "FROM a:1\nRUN wget -qO- https://e.com/i.sh | bash -s -- --yes");
        assert_catches("DG1051", "FROM a:1\nRUN curl -sL https://deb.nodesource.com/setup_20.x | sudo -E bash -");
        assert_catches("DG1051", "FROM a:1\nRUN apt-get update && curl https://e.com/i | /bin/sh");
        assert_catches("DG1051", "FROM a:1\nRUN sh -c \"$(curl -fsSL https://e.com/install.sh)\"");
    }

    #[test]
    fn downloaded_then_run_or_no_shell() {
        assert_catches_not("DG1051", "FROM a:1\nRUN curl -fsSLo /tmp/i.sh https://e.com/i.sh && sh /tmp/i.sh");
        assert_catches_not("DG1051", "FROM a:1\nRUN curl -fsSL https://e.com/k.gpg | gpg --dearmor -o /k.gpg");
        assert_catches_not("DG1051", "FROM a:1\nRUN curl -fsSL https://e.com/x.tgz | tar -xz");
        assert_catches_not("DG1051", "FROM a:1\nRUN echo hi | sh");
    }
}
