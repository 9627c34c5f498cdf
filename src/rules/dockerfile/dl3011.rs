//! DL3011: EXPOSE of a port outside 0-65535.

use crate::dockerfile::{Args, Keyword};
use crate::rules::Context;

crate::declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` port, or an end of a port range, above 65535. Ports are
    /// expanded first; one that depends on a value only the build knows is not
    /// reported.
    ///
    /// ## Why is this bad?
    /// TCP and UDP ports are 16-bit numbers: such a port cannot be published, and
    /// BuildKit rejects the file.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80800
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 8080
    /// ```
    code: "DL3011",
    name: "invalid-port",
    severity: Error,
    category: Correctness,
    fixable: false,
    message: "Valid UNIX ports range from 0 to 65535",
    check: check,
}

fn check(context: &mut Context) {
    for (index, instruction) in context.instructions().iter().enumerate() {
        let (Keyword::Expose, Args::List(words)) = (&instruction.keyword, &instruction.args) else {
            continue;
        };
        for word in words {
            let Some(value) = context.expand(index, &word.value) else { continue };
            let port = value.split('/').next().unwrap_or("");
            let out_of_range = port
                .split('-')
                .filter(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .any(|part| part.parse::<u64>().map_or(true, |n| n > 65535));
            if out_of_range {
                context.report(instruction, word.range);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn out_of_range() {
        assert_catches("DL3011", "FROM debian:12\nEXPOSE 80 65536");
        assert_catches("DL3011", "FROM debian:12\nEXPOSE 70000/udp");
        assert_catches("DL3011", "FROM debian:12\nEXPOSE 1-70000");
        assert_catches("DL3011", "FROM debian:12\nARG P=99999\nEXPOSE $P");
        assert_catches("DL3011", "FROM debian:12\nEXPOSE 99999999999999999999999");
    }

    #[test]
    fn valid_or_unknown() {
        assert_catches_not("DL3011", "FROM debian:12\nEXPOSE 0 80 65535");
        assert_catches_not("DL3011", "FROM debian:12\nEXPOSE 80-90 8080/tcp");
        assert_catches_not("DL3011", "FROM debian:12\nEXPOSE $P");
    }
}
