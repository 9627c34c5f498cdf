//! Parses arbitrary bytes, dumps the parse the way BuildKit's tests print it, and checks
//! that every source range is a valid slice of the decoded source with a position.
#![no_main]

use dockgate::dockerfile::{Args, Instruction, buildkit_dump, parse_bytes};
use dockgate::source::{LineIndex, TextRange};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dockerfile = parse_bytes(data);
    let _ = buildkit_dump::dump(&dockerfile);
    let source = dockerfile.source.as_str();
    let lines = LineIndex::new(source);
    let check = |range: TextRange, what: &str| {
        assert!(range.start <= range.end, "{what}: inverted {range:?}");
        assert!(
            range.end <= source.len(),
            "{what}: {range:?} past the end {}",
            source.len()
        );
        assert!(
            source.is_char_boundary(range.start) && source.is_char_boundary(range.end),
            "{what}: {range:?} not on char boundaries"
        );
        let start = lines.position(source, range.start);
        let end = lines.position(source, range.end);
        assert!(start <= end, "{what}: {range:?} ends before it starts");
    };
    let mut previous_end = 0;
    for instruction in &dockerfile.instructions {
        check_instruction(instruction, &check);
        assert!(
            previous_end <= instruction.range.start,
            "instructions overlap or are out of order at {:?}",
            instruction.range
        );
        previous_end = instruction.range.end;
    }
    for directive in &dockerfile.directives {
        check(directive.range, "directive");
    }
    for comment in &dockerfile.comments {
        check(comment.range, "comment");
    }
    for error in dockerfile.errors.iter().chain(&dockerfile.warnings) {
        check(error.range, "error");
    }
});

fn check_instruction(instruction: &Instruction, check: &dyn Fn(TextRange, &str)) {
    let outer = instruction.range;
    let inside = |range: TextRange, what: &str| {
        check(range, what);
        assert!(
            outer.start <= range.start && range.end <= outer.end,
            "{what}: {range:?} outside its instruction {outer:?}"
        );
    };
    check(outer, "instruction");
    inside(instruction.name_range, "name");
    for flag in &instruction.flags {
        inside(flag.range, "flag");
    }
    check_args(&instruction.args, &inside, check);
    for heredoc in &instruction.heredocs {
        inside(heredoc.range, "heredoc");
    }
}

fn check_args(args: &Args, inside: &dyn Fn(TextRange, &str), check: &dyn Fn(TextRange, &str)) {
    match args {
        Args::Empty => {}
        Args::Exec(words) | Args::List(words) => {
            for word in words {
                inside(word.range, "word");
            }
        }
        Args::Shell(word) => inside(word.range, "shell word"),
        Args::KeyValues(pairs) => {
            for pair in pairs {
                inside(pair.key.range, "key");
                inside(pair.value.range, "value");
            }
        }
        Args::Healthcheck { kind, command } => {
            inside(kind.range, "healthcheck kind");
            check_args(command, inside, check);
        }
        Args::Onbuild(trigger) => {
            inside(trigger.range, "onbuild trigger");
            check_instruction(trigger, check);
        }
    }
}
