//! The parse printed in the exact format of BuildKit's parser test `result` files
//! (`Node.Dump()`), for `dockgate debug parse --format buildkit`: the conformance
//! check against BuildKit's own test suite.

use crate::dockerfile::syntax::{Args, Dockerfile, Instruction, Keyword};
use std::fmt::Write;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// The dump, or the first error as `LINE:COLUMN: message` when BuildKit would reject
/// the file.
pub fn dump(dockerfile: &Dockerfile) -> Result<String, String> {
    if let Some(error) = dockerfile.errors.first() {
        let at = dockerfile
            .lines
            .position(&dockerfile.source, error.range.start);
        return Err(format!("{}:{}: {}", at.line, at.column, error.message));
    }
    let mut out = String::new();
    for instruction in &dockerfile.instructions {
        out.push('(');
        out.push_str(&dump_instruction(instruction));
        out.push_str(")\n");
    }
    let mut out = out.trim_matches(char::is_whitespace).to_string();
    out.push('\n');
    Ok(out)
}

fn dump_instruction(instruction: &Instruction) -> String {
    let mut out: String = instruction
        .name
        .chars()
        .flat_map(char::to_lowercase)
        .collect();
    if !instruction.flags.is_empty() {
        let flags: Vec<String> = instruction.flags.iter().map(|f| go_quote(&f.raw)).collect();
        let _ = write!(out, " [{}]", flags.join(" "));
    }
    if instruction.keyword == Keyword::Unknown {
        // BuildKit's parser drops the arguments of instructions it does not know.
        out.push_str(" \"\"");
        return out;
    }
    dump_args(&instruction.args, &mut out);
    out.trim_matches(char::is_whitespace).to_string()
}

fn dump_args(args: &Args, out: &mut String) {
    fn value(out: &mut String, v: &str) {
        out.push(' ');
        out.push_str(&go_quote(v));
    }
    match args {
        Args::Empty => {}
        Args::Exec(words) | Args::List(words) => words.iter().for_each(|w| value(out, &w.value)),
        Args::Shell(word) => value(out, &word.value),
        Args::KeyValues(pairs) => {
            for pair in pairs {
                value(out, &pair.key.value);
                value(out, &pair.value.value);
                value(out, &pair.separator);
            }
        }
        Args::Healthcheck { kind, command } => {
            value(out, &kind.value);
            dump_args(command, out);
        }
        Args::Onbuild(inner) => {
            let _ = write!(out, " ({})", dump_instruction(inner));
        }
    }
}

/// Go's `strconv.Quote`: printable characters (`unicode.IsPrint`) as they are, the rest
/// escaped.
pub fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII
/// space.
fn is_go_printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter
            | GeneralCategoryGroup::Mark
            | GeneralCategoryGroup::Number
            | GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol
    )
}

#[cfg(test)]
mod tests {
    use super::go_quote;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("\u{0}\u{7f}\n\t♥"), r#""\x00\x7f\n\t♥""#);
        assert_eq!(
            go_quote("\u{a0}\u{200b}\u{e000}"),
            r#""\u00a0\u200b\ue000""#
        );
        assert_eq!(go_quote("\u{10ffff}"), r#""\U0010ffff""#);
    }
}
