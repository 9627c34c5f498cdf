//! Property tests for the shell front end: no RUN text panics it, and every word and
//! command range it hands out is a valid slice of the Dockerfile source.

use dockgate::dockerfile::{parse, shell};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn config() -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 400;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x5e11_f00d);
    }
    config.failure_persistence = None;
    config
}

const PIECES: &[&str] = &[
    "apt-get", "install", "-y", "curl=1", "&&", "||", "|", ";", "&", "(", ")", "{", "}", "$(", "`",
    "'", "\"", "\\", "\\\n", "\n", " ", "\t", "#", "<<", "<<-EOF", "EOF", ">", "2>&1", "<(", "$",
    "${A", "}", "=", "A=", "case", "in", "esac", ";;", "if", "then", "fi", "for", "do", "done",
    "[[", "]]", "((", "))", "cd", "é", "\u{2028}", "\r\n", "  # c\n",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|pieces| pieces.concat())
}

fn check(body: &str) -> Result<(), TestCaseError> {
    let source = format!("FROM debian:12\nRUN {body}\n");
    let dockerfile = parse(&source);
    for instruction in &dockerfile.instructions {
        let Some(script) = shell::parse_run(&dockerfile, instruction) else {
            continue;
        };
        for command in &script.commands {
            prop_assert!(source.get(command.range.start..command.range.end).is_some());
            for word in command.argv.iter().chain(&command.assignments) {
                prop_assert!(
                    source.get(word.range.start..word.range.end).is_some(),
                    "bad range {:?} for {:?} in {source:?}",
                    word.range,
                    word.value
                );
            }
        }
        for pipe in script.pipes() {
            prop_assert_eq!(source.get(pipe.start..pipe.start + 1), Some("|"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn shell_soup_never_panics(body in soup()) {
        check(&body)?;
    }

    #[test]
    fn arbitrary_run_text_never_panics(body in any::<String>()) {
        check(&body)?;
    }
}
