//! DG1102: instructions cased unlike most of the file's (BuildKit's
//! ConsistentInstructionCasing).

use crate::dockerfile::Keyword;
use crate::finding::Fix;
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports an instruction whose name is not cased like the majority of the file's
    /// instructions (`copy` among `COPY`s), or is of mixed case (`From`). This is
    /// BuildKit's build check
    /// [`ConsistentInstructionCasing`](https://docs.docker.com/reference/build-checks/consistent-instruction-casing/),
    /// with its counting (`dockerfile2llb/validations.go`, `validateCommandCasing`):
    /// the instructions of every stage, `FROM` included, are counted as upper or lower
    /// case (mixed-case names count for neither); lower case is the majority only when
    /// strictly more names are lower case, so a tie asks for upper case. The ARGs
    /// before the first `FROM` are not counted nor reported, and an `ONBUILD` counts as
    /// the word `ONBUILD` (its trigger is not looked at), as in BuildKit.
    ///
    /// ## Why is this bad?
    /// Instruction names are case-insensitive, but a file that mixes `RUN` and `run`
    /// is harder to scan, and `docker build` warns about every instruction that
    /// breaks the majority.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// run apt-get update
    /// COPY . /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update
    /// COPY . /app
    /// ```
    ///
    /// ## Fix
    /// Writes the instruction name in the majority's casing.
    code: "DG1102",
    name: "consistent-instruction-casing",
    severity: Style,
    category: BestPractice,
    fixable: true,
    fix: Safe("Write the instruction in the casing of the others"),
    message: "All commands within the Dockerfile should use the same casing (either upper or lower)",
    buildkit: "ConsistentInstructionCasing",
    check: check,
}

fn check(context: &mut Context) {
    let instructions = context.instructions();
    let staged: Vec<usize> = context
        .model()
        .stages
        .iter()
        .flat_map(|stage| stage.instructions.clone())
        .filter(|&index| instructions[index].keyword != Keyword::Unknown)
        .collect();
    let (mut lower, mut upper) = (0, 0);
    for &index in &staged {
        let name = &instructions[index].name;
        if *name == name.to_lowercase() {
            lower += 1;
        } else if *name == name.to_uppercase() {
            upper += 1;
        }
    }
    let majority_lower = lower > upper;
    for index in staged {
        let instruction = &instructions[index];
        let name = &instruction.name;
        let (expected, casing) = match majority_lower {
            true => (name.to_lowercase(), "lowercase"),
            false => (name.to_uppercase(), "uppercase"),
        };
        if *name == expected {
            continue;
        }
        let message =
            format!("Command '{name}' should match the case of the command majority ({casing})");
        let finding = context.report(instruction, instruction.name_range);
        finding.message = message;
        finding.fix = Some(Fix::replace(
            RULE.fixes[0].title,
            instruction.name_range,
            expected,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn against_the_majority() {
        assert_catches("DG1102", "FROM debian:12\nrun echo\nRUN echo");
        assert_catches("DG1102", "from debian:12\nrun echo\nRUN echo");
        assert_catches("DG1102", "FROM debian:12\nRun echo");
        assert_catches("DG1102", "frOM scratch as base\nfrom scratch as base2");
    }

    #[test]
    fn consistent() {
        assert_catches_not("DG1102", "FROM debian:12\nRUN echo");
        assert_catches_not("DG1102", "from debian:12\nrun echo");
        // The ARGs before the first FROM are not counted nor reported.
        assert_catches_not("DG1102", "arg V=1\narg W=2\nFROM debian:$V\nRUN echo");
        // An ONBUILD's trigger is not looked at.
        assert_catches_not("DG1102", "FROM debian:12\nONBUILD run echo");
    }

    #[test]
    fn ties_ask_for_upper_case() {
        assert_lines("DG1102", "from scratch\nCOPY a /b\n", &[1]);
    }

    #[test]
    fn buildkit_messages() {
        let found = findings("DG1102", "From scratch as base\nFROM scratch AS base2\n");
        assert_eq!(
            found[0].message,
            "Command 'From' should match the case of the command majority (uppercase)"
        );
        let found = findings("DG1102", "FROM scratch\ncopy a /b\ncopy a /c\ncopy a /d\n");
        assert_eq!(
            found[0].message,
            "Command 'FROM' should match the case of the command majority (lowercase)"
        );
    }

    #[test]
    fn fix() {
        assert_fix("DG1102", "FROM debian:12\nrun echo\n", "FROM debian:12\nRUN echo\n");
    }
}
