//! DL4001: both wget and curl.

use crate::rules::Context;

use super::scripts::{command_word, runs};

crate::declare_rule! {
    /// ## What it does
    /// Reports a `RUN` using `wget` or `curl` once the stage has used both.
    ///
    /// ## Why is this bad?
    /// Both tools do the same job; needing both means installing and maintaining two
    /// downloaders in the image. Pick one.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget -q https://example.com/a.tar.gz
    /// RUN curl -fsSLO https://example.com/b.tar.gz
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN curl -fsSLO https://example.com/a.tar.gz
    /// RUN curl -fsSLO https://example.com/b.tar.gz
    /// ```
    ///
    /// ## References
    /// - [hadolint DL4001](https://github.com/hadolint/hadolint/wiki/DL4001)
    code: "DL4001",
    name: "wget-and-curl",
    severity: Warning,
    category: BestPractice,
    fixable: false,
    message: "Either use Wget or Curl but not both",
    check: check,
}

fn check(context: &mut Context) {
    let model = context.model();
    let mut seen: Option<(usize, bool, bool)> = None;
    for run in runs(context) {
        let stage = model.stage_of(run.index).map_or(usize::MAX, |s| s.index);
        let (mut wget, mut curl) = match seen {
            Some((s, wget, curl)) if s == stage => (wget, curl),
            _ => (false, false),
        };
        let first = run.script.commands.iter().find(|c| c.is("wget") || c.is("curl"));
        if let Some(command) = first {
            wget |= run.script.runs("wget");
            curl |= run.script.runs("curl");
            if wget && curl {
                context.report(run.instruction, command_word(command));
            }
        }
        seen = Some((stage, wget, curl));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn both() {
        assert_catches("DL4001", "FROM debian:12\nRUN wget x && curl y");
        assert_lines("DL4001", "FROM debian:12\nRUN wget x\nRUN curl y\nRUN true\nRUN wget z", &[3, 5]);
    }

    #[test]
    fn one() {
        assert_catches_not("DL4001", "FROM debian:12\nRUN curl x && curl y");
        assert_catches_not("DL4001", "FROM debian:12\nRUN wget x\nFROM debian:12\nRUN curl y");
        assert_catches_not("DL4001", "FROM debian:12\nRUN apt-get install -y wget curl");
    }

    /// hadolint checks ONBUILD RUN too.
    #[test]
    fn onbuild_run() {
        assert_catches("DL4001", "FROM debian:12\nONBUILD RUN curl -o x http://y && wget z");
    }
}
