//! The port specs of EXPOSE as BuildKit splits them (`dockerfile2llb/convert_expose.go`,
//! `parsePort`): `[ip:][host-port:]container-port[/proto]`, for the rules about their
//! form (DG1105, DG1106).

use crate::dockerfile::{Args, Instruction, Keyword, Word};
use crate::finding::Fix;
use crate::rules::Context;

/// One port of an EXPOSE, after variable expansion.
pub(super) struct PortSpec<'a> {
    pub instruction: &'a Instruction,
    /// The word it came from.
    pub word: &'a Word,
    /// The port as BuildKit sees it, expanded (what its messages quote).
    pub raw: String,
    /// Whether `raw` is the word exactly as written (no variables, no quotes), so a
    /// fix may rewrite it.
    pub literal: bool,
    pub ip: String,
    pub host_port: String,
    pub container_port: String,
    /// As written, `""` when absent.
    pub proto: String,
}

impl PortSpec<'_> {
    /// Reports `message` on the port's word, with the fix `title` that writes it as `port` when
    /// the word is written without variables.
    pub fn report(&self, context: &mut Context, message: String, title: &str, port: String) {
        let fix = self
            .literal
            .then(|| Fix::replace(title, self.word.range, port));
        let finding = context.report(self.instruction, self.word.range);
        finding.message = message;
        finding.fix = fix;
    }
}

/// Every port of every top-level EXPOSE, in order. Like BuildKit, an EXPOSE stops at
/// its first port without a number or with an unknown protocol (the build fails
/// there); words whose value only the build knows are left out.
pub(super) fn port_specs<'a>(context: &Context<'a>) -> Vec<PortSpec<'a>> {
    let mut specs = Vec::new();
    for (index, instruction) in context.instructions().iter().enumerate() {
        if instruction.keyword != Keyword::Expose {
            continue;
        }
        let Args::List(words) = &instruction.args else {
            continue;
        };
        'words: for word in words {
            let Ok(processed) = context.model().process(index, &word.value) else {
                break;
            };
            if processed.unknown {
                continue;
            }
            let literal = processed.words.len() == 1
                && processed.words[0] == word.value
                && context.text(word.range) == word.value;
            for raw in &processed.words {
                let (ip, host_port, container) = split_parts(raw);
                let (port, proto) = container.split_once('/').unwrap_or((container, ""));
                let known = matches!(proto.to_lowercase().as_str(), "" | "tcp" | "udp" | "sctp");
                if port.is_empty() || !known {
                    break 'words;
                }
                specs.push(PortSpec {
                    instruction,
                    word,
                    raw: raw.clone(),
                    literal,
                    ip: ip.to_string(),
                    host_port: host_port.to_string(),
                    container_port: port.to_string(),
                    proto: proto.to_string(),
                });
            }
        }
    }
    specs
}

/// BuildKit's `splitParts`: the last `:`-separated part is the container port, the one
/// before it the host port, everything before that the IP address.
fn split_parts(raw: &str) -> (&str, &str, &str) {
    let mut parts = raw.rsplitn(3, ':');
    let container = parts.next().unwrap_or("");
    let host = parts.next().unwrap_or("");
    let ip = parts.next().unwrap_or("");
    (ip, host, container)
}

#[cfg(test)]
mod tests {
    use super::split_parts;

    #[test]
    fn splits_like_buildkit() {
        assert_eq!(split_parts("80"), ("", "", "80"));
        assert_eq!(split_parts("8080:80"), ("", "8080", "80"));
        assert_eq!(
            split_parts("127.0.0.1:8080:80/tcp"),
            ("127.0.0.1", "8080", "80/tcp")
        );
        assert_eq!(split_parts("[::1]:8080:80"), ("[::1]", "8080", "80"));
        assert_eq!(split_parts(":80"), ("", "", "80"));
    }
}
