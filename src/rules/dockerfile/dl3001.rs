//! DL3001: commands that make no sense in a container build.

use crate::rules::Context;

use super::scripts::{command_word, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports commands that make no sense while building an image: `ssh`, `vim`,
    /// `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`.
    ///
    /// ## Why is this bad?
    /// A build step has no services running, no terminal and no network interfaces to
    /// configure; interactive and system-administration commands either do nothing,
    /// hang, or fail. They usually mean the Dockerfile was written like a setup script
    /// for a virtual machine.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN service nginx start
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3001](https://github.com/hadolint/hadolint/wiki/DL3001)
    code: "DL3001",
    name: "pointless-command",
    severity: Info,
    category: BestPractice,
    fixable: false,
    message: "For some bash commands it makes no sense running them in a Docker container like `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`",
    check: check,
}

const POINTLESS: &[&str] = &["ssh", "vim", "shutdown", "service", "ps", "free", "top", "kill", "mount", "ifconfig"];

fn check(context: &mut Context) {
    for run in runs(context) {
        let found = run
            .script
            .commands
            .iter()
            .find(|command| command.name().is_some_and(|word| POINTLESS.contains(&word.value.as_str())));
        if let Some(command) = found {
            context.report(run.instruction, command_word(command));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn pointless() {
        assert_catches("DL3001", "FROM debian:12\nRUN top");
        assert_catches("DL3001", "FROM debian:12\nRUN apt-get install -y x && service x start");
        assert_catches("DL3001", "FROM debian:12\nRUN ls; vim y");
    }

    #[test]
    fn useful() {
        assert_catches_not("DL3001", "FROM debian:12\nRUN apt-get install -y vim openssh-client procps");
        assert_catches_not("DL3001", "FROM debian:12\nRUN echo top ps");
        assert_catches_not("DL3001", "FROM debian:12\nRUN /usr/bin/mount --version");
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL3001", "FROM debian:12\nONBUILD RUN mount /x");
    }
}
