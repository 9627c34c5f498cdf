//! DL3044: ENV refers to a variable the same ENV defines.

use crate::dockerfile::lex::{Env, Lexer, Lookup};
use crate::dockerfile::{Args, Keyword};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports an `ENV` pair whose value refers to a variable an earlier pair of the
    /// same `ENV` defines and that was not declared (ARG or ENV) before it. A
    /// reference to the variable's own earlier value (`ENV PATH=/opt/bin:$PATH`) is
    /// fine, and so is text BuildKit does not expand (single quotes, `\$`).
    ///
    /// ## Why is this bad?
    /// All pairs of one `ENV` are expanded with the values from before the
    /// instruction: in `ENV A=1 B=$A`, `B` does not get `1` but the previous value of
    /// `A`, usually nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// ENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// ENV APP_HOME=/opt/app
    /// ENV APP_BIN=$APP_HOME/bin
    /// ```
    code: "DL3044",
    name: "env-self-reference",
    severity: Error,
    category: Correctness,
    fixable: false,
    message: "Do not refer to an environment variable within the same `ENV` statement where it is defined.",
    check: check,
}

/// Every name is set: the lexer then lists each variable a word refers to.
struct Everything;

impl Env for Everything {
    fn lookup(&self, _: &str) -> Lookup<'_> {
        Lookup::Value("")
    }
}

fn check(context: &mut Context) {
    let lexer = Lexer::new(context.model().escape());
    let model = context.model();
    for (index, instruction) in context.instructions().iter().enumerate() {
        let before = model.env(index);
        let (Keyword::Env, Args::KeyValues(pairs)) = (&instruction.keyword, &instruction.args) else {
            continue;
        };
        for (position, pair) in pairs.iter().enumerate() {
            let Ok(processed) = lexer.process(&pair.value.value, &Everything) else {
                continue;
            };
            let earlier = |name: &String| {
                pairs[..position]
                    .iter()
                    .any(|other| &other.key.value == name && other.key.value != pair.key.value)
                    // A variable declared before the ENV keeps meaning what it meant.
                    && before.variable(name).is_none()
            };
            if processed.matched.iter().any(earlier) {
                context.report(instruction, pair.value.range);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn same_env() {
        assert_catches("DL3044", "FROM debian:12\nENV A=1 B=$A");
        assert_catches("DL3044", "FROM debian:12\nENV A=1 B=${A}");
        assert_catches("DL3044", "FROM debian:12\nENV A=1 B=\"x $A\"");
        assert_catches("DL3044", "FROM debian:12\nENV A=1 \\\n    B=${A:-2}");
    }

    #[test]
    fn earlier_env_or_not_expanded() {
        assert_catches_not("DL3044", "FROM debian:12\nENV A=1\nENV B=$A");
        assert_catches_not("DL3044", "FROM debian:12\nENV A=$A:1");
        assert_catches_not("DL3044", "FROM debian:12\nENV PATH=/x:$PATH");
        assert_catches_not("DL3044", "FROM debian:12\nENV A=1 B=$AB");
        assert_catches_not("DL3044", "FROM debian:12\nENV A=1 B='$A'");
        assert_catches_not("DL3044", "FROM debian:12\nENV A=1 B=\\$A");
        assert_catches_not("DL3044", "FROM debian:12\nENV B=$A A=1");
        assert_catches_not("DL3044", "FROM debian:12\nENV A 1 $A");
        assert_catches_not("DL3044", "FROM debian:12\nARG A=1\nENV A=2 B=$A");
        assert_catches_not("DL3044", "FROM debian:12\nARG HOME=/home/u\nENV HOME=${HOME} D=${HOME}/x");
    }
}
