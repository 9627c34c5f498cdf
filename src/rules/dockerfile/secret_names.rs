//! Where a Dockerfile assigns a value to a variable whose name says it is secret
//! (`ENV DB_PASSWORD=...`, `ARG API_TOKEN=...`): reports that quote the source mask
//! those values, since no format tells the value apart from any other text.

use crate::dockerfile::{Args, Dockerfile, Keyword};
use crate::source::TextRange;

/// The source ranges of the values of `ARG` and `ENV` variables that DL3064 or DG1113
/// take for secrets.
pub fn secret_value_ranges(dockerfile: &Dockerfile) -> Vec<TextRange> {
    let secret =
        |name: &str| super::dl3064::is_sensitive(name) || super::dg1113::is_secret_name(name);
    let mut ranges = Vec::new();
    for instruction in &dockerfile.instructions {
        match (&instruction.keyword, &instruction.args) {
            (Keyword::Arg, Args::List(words)) => {
                for word in words {
                    let Some((name, value)) = word.value.split_once('=') else {
                        continue;
                    };
                    if secret(name) && !value.is_empty() {
                        // The value is what follows the first `=` of the word as written.
                        let raw = dockerfile.source.get(word.range.start..word.range.end);
                        if let Some(at) = raw.and_then(|raw| raw.find('=')) {
                            ranges.push(TextRange::new(word.range.start + at + 1, word.range.end));
                        }
                    }
                }
            }
            (Keyword::Env, Args::KeyValues(pairs)) => ranges.extend(
                pairs
                    .iter()
                    .filter(|pair| secret(&pair.key.value) && !pair.value.value.is_empty())
                    .map(|pair| pair.value.range),
            ),
            _ => {}
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::secret_value_ranges;

    fn masked(source: &str) -> Vec<&str> {
        let dockerfile = crate::dockerfile::parse(source);
        secret_value_ranges(&dockerfile)
            .into_iter()
            .map(|range| &source[range.start..range.end])
            .collect()
    }

    #[test]
    fn values_of_secret_names_only() {
        assert_eq!(
            masked(
                "FROM a\nENV DB_PASSWORD=hunter2 MODE=prod\nARG API_TOKEN=\"s3cr3t\" VERSION=1\n"
            ),
            vec!["hunter2", "\"s3cr3t\""]
        );
        assert_eq!(masked("FROM a\nENV DB_PASSWORD hunter2\n"), vec!["hunter2"]);
        assert!(masked("FROM a\nARG API_TOKEN\nENV PASSWORD_FILE=/run/secrets/db\n").is_empty());
    }
}
