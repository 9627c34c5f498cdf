//! DG1104: an empty line inside a continued instruction (BuildKit's
//! NoEmptyContinuation).

use crate::finding::{Edit, Fix};
use crate::rules::Context;
use crate::source::TextRange;

crate::declare_rule! {
    /// ## What it does
    /// Reports an instruction continued with the escape character (`\`) across an empty
    /// line. This is BuildKit's build check
    /// [`NoEmptyContinuation`](https://docs.docker.com/reference/build-checks/no-empty-continuation/):
    /// its parser drops such lines and warns "Empty continuation line" once per
    /// instruction (`parser/parser.go`), however many empty lines it has; dockgate's
    /// parser records them as it reads the file, and this rule reports them.
    ///
    /// ## Why is this bad?
    /// An empty line looks like the end of the instruction, but the next line still
    /// belongs to it. BuildKit says empty continuation lines will become errors in a
    /// future release.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && \
    ///
    ///     apt-get install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && \
    ///     apt-get install -y curl
    /// ```
    ///
    /// ## Fix
    /// Deletes the empty lines, which BuildKit ignores anyway.
    code: "DG1104",
    name: "no-empty-continuation",
    severity: Warning,
    category: Syntax,
    fixable: true,
    fix: Safe("Delete the empty continuation lines"),
    message: "Empty continuation line",
    buildkit: "NoEmptyContinuation",
    check: check,
}

fn check(context: &mut Context) {
    let source = context.source();
    let instructions = context.instructions();
    // Each empty line with the instruction it is inside, when one parsed.
    let mut groups: Vec<(Option<usize>, Vec<TextRange>)> = Vec::new();
    for warning in &context.dockerfile().warnings {
        let at = warning.range.start;
        let owner = instructions
            .iter()
            .position(|instruction| instruction.range.start <= at && at <= instruction.range.end);
        match groups.last_mut() {
            Some((last, lines)) if owner.is_some() && *last == owner => lines.push(warning.range),
            _ => groups.push((owner, vec![warning.range])),
        }
    }
    for (owner, lines) in groups {
        let edits = lines
            .iter()
            .map(|line| Edit {
                range: TextRange::new(line.start, line_end(source, line.end)),
                content: String::new(),
            })
            .collect();
        let fix = Fix {
            title: RULE.fixes[0].title.into(),
            edits,
            applicability: crate::finding::Applicability::Safe,
        };
        let finding = match owner {
            Some(index) => context.report(&instructions[index], lines[0]),
            None => context.report_at(lines[0], lines[0]),
        };
        finding.fix = Some(fix);
    }
}

/// The offset just past the line break that ends the line whose content ends at `end`.
fn line_end(source: &str, end: usize) -> usize {
    let rest = &source[end..];
    if rest.starts_with("\r\n") {
        end + 2
    } else if rest.starts_with(['\n', '\r']) {
        end + 1
    } else {
        end
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn empty_continuation_lines() {
        assert_catches("DG1104", "FROM scratch\nCOPY Dockerfile \\\n\n.\n");
        assert_catches("DG1104", "FROM debian\nRUN a \\\n   \n  b\n");
    }

    #[test]
    fn no_empty_continuation_lines() {
        assert_catches_not("DG1104", "FROM scratch\nCOPY Dockerfile \\\n.\n");
        assert_catches_not("DG1104", "FROM debian\n\nRUN a \\\n  b\n\n");
        // A comment line inside the instruction is not empty.
        assert_catches_not("DG1104", "FROM debian\nRUN a \\\n# note\n  b\n");
    }

    #[test]
    fn one_finding_per_instruction() {
        assert_lines(
            "DG1104",
            "FROM debian\nRUN a \\\n\n\n  b\nRUN c \\\n\n  d\n",
            &[2, 6],
        );
    }

    #[test]
    fn fix_deletes_the_empty_lines() {
        assert_fix(
            "DG1104",
            "FROM debian\nRUN a \\\n\n  \n  b\n",
            "FROM debian\nRUN a \\\n  b\n",
        );
        assert_fix(
            "DG1104",
            "FROM debian\r\nRUN a \\\r\n\r\n  b\r\n",
            "FROM debian\r\nRUN a \\\r\n  b\r\n",
        );
    }
}
