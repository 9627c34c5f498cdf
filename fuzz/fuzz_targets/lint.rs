//! Parses arbitrary bytes and runs every rule: no panic, findings inside the source,
//! fixes that apply.
#![no_main]

use dockgate::dockerfile::parse_bytes;
use dockgate::rules::{self, RuleSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dockerfile = parse_bytes(data);
    let source = dockerfile.source.as_str();
    let rules = RuleSet::all();
    for finding in rules::lint("Dockerfile", &dockerfile, &rules) {
        for range in [finding.range, finding.instruction_range] {
            assert!(
                range.start <= range.end && range.end <= source.len(),
                "{finding:?}"
            );
            assert!(source.is_char_boundary(range.start) && source.is_char_boundary(range.end));
        }
        assert!(finding.line() >= 1 && finding.column() >= 1, "{finding:?}");
        assert!(
            (finding.line(), finding.column()) <= (finding.end_line(), finding.end_column()),
            "{finding:?}"
        );
        if let Some(fix) = &finding.fix {
            let mut edits: Vec<_> = fix.edits.iter().map(|edit| edit.range).collect();
            edits.sort();
            for pair in edits.windows(2) {
                assert!(pair[0].end <= pair[1].start, "overlapping edits {fix:?}");
            }
            for range in edits {
                assert!(range.end <= source.len());
                assert!(source.is_char_boundary(range.start) && source.is_char_boundary(range.end));
            }
            fix.apply(source);
        }
    }
});
