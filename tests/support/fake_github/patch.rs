//! The unified-diff `patch` of a pull-request file, read the way GitHub reads it to
//! place review comments: which lines of each side a hunk shows, and diff positions.

/// One `@@ -a,b +c,d @@` hunk.
#[derive(Debug, Clone, Default)]
pub struct Hunk {
    /// Diff position of the hunk's header line (0 for the first hunk).
    pub header_position: usize,
    /// (position, side, line) of every line the hunk shows; side is `LEFT` for removed
    /// lines, `RIGHT` for added ones, both for context lines (listed twice).
    pub lines: Vec<(usize, &'static str, u64)>,
    /// The hunk's text, header first, one entry per line.
    pub text: Vec<String>,
}

impl Hunk {
    pub fn shows(&self, side: &str, line: u64) -> bool {
        self.lines.iter().any(|(_, s, l)| *s == side && *l == line)
    }

    /// Diff position of SIDE LINE.
    pub fn position_of(&self, side: &str, line: u64) -> Option<usize> {
        self.lines
            .iter()
            .find(|(_, s, l)| *s == side && *l == line)
            .map(|(p, _, _)| *p)
    }

    /// GitHub's `diff_hunk` for a comment on SIDE LINE: the hunk from its header down to
    /// that line.
    pub fn excerpt_to(&self, side: &str, line: u64) -> String {
        let position = self.position_of(side, line).unwrap_or(self.header_position);
        self.text[..=position - self.header_position].join("\n")
    }
}

/// The hunks of PATCH; malformed headers end the parse (GitHub only serves well-formed
/// patches, and the fake's own fixtures come from `git diff`).
pub fn hunks(patch: &str) -> Vec<Hunk> {
    let mut hunks: Vec<Hunk> = Vec::new();
    let (mut old_line, mut new_line) = (0u64, 0u64);
    let mut position = 0usize;
    for (index, text) in patch.lines().enumerate() {
        if text.starts_with("@@") {
            let Some((old_start, new_start)) = parse_header(text) else {
                break;
            };
            // The first header is position 0; later headers count as positions.
            position = if index == 0 { 0 } else { position + 1 };
            old_line = old_start;
            new_line = new_start;
            hunks.push(Hunk {
                header_position: position,
                lines: Vec::new(),
                text: vec![text.to_string()],
            });
            continue;
        }
        let Some(hunk) = hunks.last_mut() else {
            break;
        };
        position += 1;
        hunk.text.push(text.to_string());
        match text.as_bytes().first() {
            Some(b'+') => {
                hunk.lines.push((position, "RIGHT", new_line));
                new_line += 1;
            }
            Some(b'-') => {
                hunk.lines.push((position, "LEFT", old_line));
                old_line += 1;
            }
            Some(b'\\') => {}
            _ => {
                hunk.lines.push((position, "LEFT", old_line));
                hunk.lines.push((position, "RIGHT", new_line));
                old_line += 1;
                new_line += 1;
            }
        }
    }
    hunks
}

/// (old start, new start) of `@@ -a[,b] +c[,d] @@ ...`.
fn parse_header(header: &str) -> Option<(u64, u64)> {
    let mut fields = header.split_whitespace().skip(1);
    let old = fields.next()?.strip_prefix('-')?;
    let new = fields.next()?.strip_prefix('+')?;
    let start = |range: &str| range.split(',').next()?.parse::<u64>().ok();
    Some((start(old)?, start(new)?))
}

/// (additions, deletions) of PATCH.
pub fn line_counts(patch: &str) -> (u64, u64) {
    let mut counts = (0, 0);
    for line in patch.lines().filter(|l| !l.starts_with("@@")) {
        match line.as_bytes().first() {
            Some(b'+') => counts.0 += 1,
            Some(b'-') => counts.1 += 1,
            _ => {}
        }
    }
    counts
}
