//! What BuildKit refuses in a file its parser accepts: the checks of its
//! `frontend/dockerfile/instructions` package (`parse.go`, `bflag.go` and the RUN flag
//! hooks), run when it turns the parse into build steps. Argument counts, the flags
//! each instruction takes, and the values BuildKit reads before any expansion (stage
//! names, HEALTHCHECK durations and retries, RUN `--device`, `--mount`, `--network` and
//! `--security`), with BuildKit's wording. The list is in docs/parser.md.
//!
//! BuildKit stops at the first such error in the file; here each instruction gets at most
//! one (the first BuildKit would raise for it), and every instruction is checked.
//! Consecutive unknown instructions (a shell script pasted without `RUN`, a template that
//! is not a Dockerfile) are one error for the run of lines, not one per line.

use super::heredoc_from_word;
use crate::dockerfile::buildkit_dump::go_quote;
use crate::dockerfile::syntax::{Args, Dockerfile, Instruction, Keyword, SyntaxError, Word};
use crate::source::TextRange;

/// An error BuildKit raises for an instruction, with the instruction it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionError {
    /// The instruction (for an unknown run, the first one).
    pub instruction: TextRange,
    pub error: SyntaxError,
}

/// Every instruction BuildKit would refuse, in file order.
pub fn instruction_errors(dockerfile: &Dockerfile) -> Vec<InstructionError> {
    let mut errors = Vec::new();
    unknown_instructions(dockerfile, &mut errors);
    for instruction in &dockerfile.instructions {
        if let Err(error) = check(instruction) {
            errors.push(InstructionError {
                instruction: instruction.range,
                error,
            });
        }
    }
    errors.sort_by_key(|e| (e.instruction.start, e.error.range.start));
    errors
}

/// The instruction names BuildKit knows, for its suggestions.
const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// BuildKit's parser keeps unknown instructions; its builder refuses the first one.
/// A run of them with nothing but blank lines and comments between is one error.
fn unknown_instructions(dockerfile: &Dockerfile, errors: &mut Vec<InstructionError>) {
    let mut error_starts: Vec<usize> = dockerfile.errors.iter().map(|e| e.range.start).collect();
    error_starts.sort_unstable();
    let error_between = |from: usize, to: usize| {
        let first = error_starts.partition_point(|&start| start < from);
        error_starts.get(first).is_some_and(|&start| start < to)
    };
    let instructions = &dockerfile.instructions;
    let line = |offset| dockerfile.lines.position(&dockerfile.source, offset).line;
    let mut i = 0;
    while i < instructions.len() {
        let first = &instructions[i];
        if first.keyword != Keyword::Unknown {
            i += 1;
            continue;
        }
        let mut last = i;
        while instructions
            .get(last + 1)
            .is_some_and(|next| next.keyword == Keyword::Unknown)
            && !error_between(
                instructions[last].range.end,
                instructions[last + 1].range.start,
            )
        {
            last += 1;
        }
        let (message, range) = if last == i {
            (unknown_instruction_message(&first.name), first.name_range)
        } else {
            let end = instructions[last].range.end;
            (
                format!(
                    "unknown instruction: {} (and {} more unknown instruction{}: lines {}-{})",
                    first.name,
                    last - i,
                    if last - i == 1 { "" } else { "s" },
                    line(first.range.start),
                    line(end),
                ),
                TextRange::new(first.name_range.start, end),
            )
        };
        errors.push(InstructionError {
            instruction: first.range,
            error: SyntaxError { message, range },
        });
        i = last + 1;
    }
}

/// BuildKit's wording, with the closest instruction name when one is a likely typo.
fn unknown_instruction_message(name: &str) -> String {
    let upper = name.to_uppercase();
    let closest = INSTRUCTIONS
        .iter()
        .map(|candidate| (edit_distance(&upper, candidate), *candidate))
        .min()
        .filter(|&(distance, _)| distance <= 2 && distance < upper.chars().count());
    match closest {
        Some((_, suggestion)) => {
            format!("unknown instruction: {name} (did you mean {suggestion}?)")
        }
        None => format!("unknown instruction: {name}"),
    }
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

type Check = Result<(), SyntaxError>;

fn error(message: impl Into<String>, range: TextRange) -> SyntaxError {
    SyntaxError {
        message: message.into(),
        range,
    }
}

/// BuildKit's `nodeArgs`: how many arguments the instruction has.
fn arg_count(args: &Args) -> usize {
    match args {
        Args::Empty => 0,
        Args::Shell(_) | Args::Onbuild(_) => 1,
        Args::Exec(words) | Args::List(words) => words.len(),
        Args::KeyValues(pairs) => 3 * pairs.len(),
        Args::Healthcheck { command, .. } => 1 + arg_count(command),
    }
}

/// The argument words, where they are words (exec form, whitespace-delimited lists).
fn arg_words(args: &Args) -> &[Word] {
    match args {
        Args::Exec(words) | Args::List(words) => words,
        _ => &[],
    }
}

fn at_least_one(instruction: &Instruction, name: &str) -> Check {
    if arg_count(&instruction.args) == 0 {
        return Err(error(
            format!("{name} requires at least one argument"),
            instruction.range,
        ));
    }
    Ok(())
}

fn exactly_one(instruction: &Instruction, name: &str) -> Check {
    if arg_count(&instruction.args) != 1 {
        return Err(error(
            format!("{name} requires exactly one argument"),
            instruction.range,
        ));
    }
    Ok(())
}

/// BuildKit's `parse*` function of each instruction, in its order of checks.
fn check(instruction: &Instruction) -> Check {
    use FlagType::{Bool, Strings, Text};
    let args = &instruction.args;
    match instruction.keyword {
        Keyword::Env | Keyword::Label => {
            let name = instruction.keyword.as_str().unwrap_or_default();
            flags(instruction, &[])?;
            at_least_one(instruction, name)?;
            if let Args::KeyValues(pairs) = args
                && let Some(pair) = pairs.iter().find(|pair| pair.key.value.is_empty())
            {
                return Err(error(
                    format!("{name} names can not be blank"),
                    pair.key.range.cover(pair.value.range),
                ));
            }
            Ok(())
        }
        Keyword::Maintainer => {
            exactly_one(instruction, "MAINTAINER")?;
            flags(instruction, &[])
        }
        Keyword::Add => sources_and_destination(instruction, "ADD", || {
            flags(
                instruction,
                &[
                    ("checksum", Text),
                    ("chmod", Text),
                    ("chown", Text),
                    ("exclude", Strings),
                    ("keep-git-dir", Bool),
                    ("link", Bool),
                    ("unpack", Bool),
                ],
            )
        }),
        Keyword::Copy => sources_and_destination(instruction, "COPY", || {
            flags(
                instruction,
                &[
                    ("chmod", Text),
                    ("chown", Text),
                    ("exclude", Strings),
                    ("from", Text),
                    ("link", Bool),
                    ("parents", Bool),
                ],
            )
        }),
        Keyword::From => {
            stage_name(instruction)?;
            flags(instruction, &[("platform", Text)])
        }
        Keyword::Onbuild => {
            at_least_one(instruction, "ONBUILD")?;
            flags(instruction, &[])?;
            let Args::Onbuild(trigger) = args else {
                return Ok(());
            };
            let name = trigger.name.trim().to_uppercase();
            match name.as_str() {
                "ONBUILD" => Err(error(
                    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                    trigger.name_range,
                )),
                "MAINTAINER" | "FROM" => Err(error(
                    format!("{name} isn't allowed as an ONBUILD trigger"),
                    trigger.name_range,
                )),
                _ => Ok(()),
            }
        }
        Keyword::Workdir => {
            exactly_one(instruction, "WORKDIR")?;
            flags(instruction, &[])
        }
        Keyword::Run => run(instruction),
        Keyword::Cmd | Keyword::Entrypoint => flags(instruction, &[]),
        Keyword::Healthcheck => healthcheck(instruction),
        Keyword::Expose => {
            at_least_one(instruction, "EXPOSE")?;
            flags(instruction, &[])
        }
        Keyword::User => {
            exactly_one(instruction, "USER")?;
            flags(instruction, &[])
        }
        Keyword::Volume => {
            at_least_one(instruction, "VOLUME")?;
            flags(instruction, &[])?;
            match arg_words(args).iter().find(|w| w.value.trim().is_empty()) {
                Some(word) => Err(error(
                    "VOLUME specified can not be an empty string",
                    word.range,
                )),
                None => Ok(()),
            }
        }
        // BuildKit parses no flags for STOPSIGNAL and ARG.
        Keyword::Stopsignal => exactly_one(instruction, "STOPSIGNAL"),
        Keyword::Arg => {
            at_least_one(instruction, "ARG")?;
            match arg_words(args).iter().find(|w| {
                w.value
                    .split_once('=')
                    .is_some_and(|(key, _)| key.is_empty())
            }) {
                Some(word) => Err(error("ARG names can not be blank", word.range)),
                None => Ok(()),
            }
        }
        Keyword::Shell => {
            flags(instruction, &[])?;
            at_least_one(instruction, "SHELL")?;
            if !matches!(args, Args::Exec(_)) {
                return Err(error(
                    "SHELL requires the arguments to be in JSON form",
                    instruction.range,
                ));
            }
            Ok(())
        }
        Keyword::Unknown => Ok(()),
    }
}

/// ADD and COPY: a destination, the flags, and a destination that is not a heredoc.
fn sources_and_destination(
    instruction: &Instruction,
    name: &str,
    flags: impl FnOnce() -> Check,
) -> Check {
    if arg_count(&instruction.args) < 2 {
        return Err(error(
            format!(
                "{name} requires at least two arguments, but only one was provided. \
                 Destination could not be determined"
            ),
            instruction.range,
        ));
    }
    flags()?;
    if let Some(destination) = arg_words(&instruction.args).last()
        && matches!(heredoc_from_word(&destination.value), Ok(Some(_)))
    {
        return Err(error(
            format!("{name} cannot accept a heredoc as a destination"),
            destination.range,
        ));
    }
    Ok(())
}

/// `FROM image [AS name]`: one or three arguments, and a valid stage name.
fn stage_name(instruction: &Instruction) -> Check {
    let words = arg_words(&instruction.args);
    match words {
        [_, as_word, name] if as_word.value.eq_ignore_ascii_case("as") => {
            if !is_valid_stage_name(&name.value.to_lowercase()) {
                return Err(error(
                    format!(
                        "invalid name for build stage: {}, name can't start with a number \
                         or contain symbols",
                        go_quote(&name.value)
                    ),
                    name.range,
                ));
            }
            Ok(())
        }
        [_] => Ok(()),
        _ => Err(error(
            "FROM requires either one or three arguments",
            instruction.range,
        )),
    }
}

/// `^[a-z][a-z0-9-_.]*$`
fn is_valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

/// RUN: the flags its hooks add, then, in the hooks' order, the `--device` values, the
/// `--mount` values as far as BuildKit reads them before expansion, `--network` and
/// `--security`.
fn run(instruction: &Instruction) -> Check {
    use FlagType::{Strings, Text};
    flags(
        instruction,
        &[
            ("device", Strings),
            ("mount", Strings),
            ("network", Text),
            ("security", Text),
        ],
    )?;
    let values = |name: &'static str| {
        instruction
            .flags
            .iter()
            .filter(move |flag| flag.name == name)
            .map(|flag| (flag, flag.value.as_deref().unwrap_or_default()))
    };
    for (flag, value) in values("device") {
        device(value).map_err(|message| error(message, flag.range))?;
    }
    for (flag, value) in values("mount") {
        mount(value).map_err(|message| error(message, flag.range))?;
    }
    for (flag, value) in values("network") {
        if !matches!(value, "default" | "none" | "host") {
            return Err(error(
                format!("invalid network mode {}", go_quote(value)),
                flag.range,
            ));
        }
    }
    for (flag, value) in values("security") {
        if !matches!(value, "sandbox" | "insecure") {
            return Err(error(
                format!("security {} is not valid", go_quote(value)),
                flag.range,
            ));
        }
    }
    Ok(())
}

/// BuildKit's `parseMount` without an expander (when it parses the instruction): the
/// value is CSV, and `from` may not use a variable; every other key is read later,
/// after expansion.
fn mount(value: &str) -> Result<(), String> {
    let fields = csv_fields(value).map_err(|e| format!("failed to parse csv mounts: {e}"))?;
    for field in fields {
        if let Some((key, value)) = field.split_once('=')
            && key.to_lowercase() == "from"
            && value.find('$').is_some_and(|i| i + 1 != value.len())
        {
            return Err(
                "'from' doesn't support variable expansion, define alias stage instead".into(),
            );
        }
    }
    Ok(())
}

/// BuildKit's `ParseDevice`: `--device=name[,required[=bool]]`, CSV.
fn device(value: &str) -> Result<(), String> {
    let fields = csv_fields(value).map_err(|e| format!("failed to parse csv devices: {e}"))?;
    let mut name = String::new();
    for field in &fields {
        let Some((key, value)) = field.split_once('=') else {
            if field.to_lowercase() == "required" {
                continue;
            }
            if name.is_empty() {
                name.clone_from(field);
                continue;
            }
            return Err(format!("invalid field '{field}' must be a key=value pair"));
        };
        let key = key.to_lowercase();
        match key.as_str() {
            "name" => {
                if !name.is_empty() {
                    return Err(format!("device name already set to {name}"));
                }
                name = value.to_string();
            }
            "required" => {
                if go_bool(value).is_none() {
                    return Err(format!("invalid value for {key}: {value}"));
                }
            }
            _ if name.is_empty() => name.clone_from(field),
            _ => {
                let mut message = format!("unexpected key '{key}' in '{field}'");
                if let Some(suggestion) = suggest(&key, ["name", "required"]) {
                    message.push_str(&format!(" (did you mean {suggestion}?)"));
                }
                return Err(message);
            }
        }
    }
    Ok(())
}

/// Go's `strconv.ParseBool`.
fn go_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// One CSV record (`go-csvvalue`'s `Fields`: Go's `encoding/csv` rules, strict quotes),
/// with Go's error messages.
fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let line = line
        .strip_suffix("\r\n")
        .or_else(|| line.strip_suffix('\n'))
        .unwrap_or(line);
    if line.is_empty() {
        return Err("EOF".into());
    }
    let parse_error =
        |pos: usize, what: &str| format!("parse error on line 1, column {}: {what}", pos + 1);
    let bare = "bare \" in non-quoted-field";
    let quote = "extraneous or missing \" in quoted-field";
    let mut fields: Vec<String> = Vec::new();
    let mut rest = line;
    let mut pos = 0;
    'fields: loop {
        if !rest.starts_with('"') {
            let field = rest.find(',').map_or(rest, |i| &rest[..i]);
            if let Some(j) = field.find('"') {
                return Err(parse_error(pos + j, bare));
            }
            fields.push(field.to_string());
            if field.len() == rest.len() {
                break;
            }
            rest = &rest[field.len() + 1..];
            pos += field.len() + 1;
            continue;
        }
        rest = &rest[1..];
        pos += 1;
        let mut half_open = false;
        loop {
            let Some(i) = rest.find('"') else {
                return Err(parse_error(pos, quote));
            };
            match fields.last_mut() {
                Some(last) if half_open => last.push_str(&rest[..i]),
                _ => fields.push(rest[..i].to_string()),
            }
            rest = &rest[i + 1..];
            pos += i + 1;
            match rest.chars().next() {
                Some('"') => {
                    if let Some(last) = fields.last_mut() {
                        last.push('"');
                    }
                    rest = &rest[1..];
                    pos += 1;
                    half_open = true;
                }
                Some(',') => {
                    rest = &rest[1..];
                    pos += 1;
                    continue 'fields;
                }
                None => break 'fields,
                Some(_) => return Err(parse_error(pos - 1, quote)),
            }
        }
    }
    Ok(fields)
}

fn healthcheck(instruction: &Instruction) -> Check {
    use FlagType::Text;
    at_least_one(instruction, "HEALTHCHECK")?;
    let Args::Healthcheck { kind, command } = &instruction.args else {
        return Ok(());
    };
    let kind_name = kind.value.to_uppercase();
    if kind_name == "NONE" {
        if arg_count(command) != 0 {
            return Err(error(
                "HEALTHCHECK NONE takes no arguments",
                instruction.range,
            ));
        }
        return Ok(());
    }
    let durations = ["interval", "timeout", "start-period", "start-interval"];
    flags(
        instruction,
        &[
            (durations[0], Text),
            (durations[1], Text),
            (durations[2], Text),
            (durations[3], Text),
            ("retries", Text),
        ],
    )?;
    if kind_name != "CMD" {
        return Err(error(
            format!(
                "Unknown type {} in HEALTHCHECK (try CMD)",
                go_quote(&kind_name)
            ),
            kind.range,
        ));
    }
    if arg_count(command) == 0 {
        return Err(error(
            "Missing command after HEALTHCHECK CMD",
            instruction.range,
        ));
    }
    // BuildKit reads the last value of a flag given more than once.
    let last = |name: &str| instruction.flags.iter().rev().find(|f| f.name == name);
    for name in durations {
        let Some(flag) = last(name) else { continue };
        let value = flag.value.as_deref().unwrap_or_default();
        if value.is_empty() {
            continue;
        }
        match go_duration(value) {
            Err(message) => return Err(error(message, flag.range)),
            Ok(0) => {}
            Ok(nanos) if nanos < 1_000_000 => {
                return Err(error(
                    format!("Interval {} cannot be less than 1ms", go_quote(name)),
                    flag.range,
                ));
            }
            Ok(_) => {}
        }
    }
    if let Some(flag) = last("retries") {
        let value = flag.value.as_deref().unwrap_or_default();
        if !value.is_empty() {
            match value.parse::<i32>() {
                Ok(retries) if retries < 0 => {
                    return Err(error(
                        format!("--retries cannot be negative ({retries})"),
                        flag.range,
                    ));
                }
                Ok(_) => {}
                Err(e) => {
                    let reason = match e.kind() {
                        std::num::IntErrorKind::PosOverflow
                        | std::num::IntErrorKind::NegOverflow => "value out of range",
                        _ => "invalid syntax",
                    };
                    return Err(error(
                        format!("strconv.ParseInt: parsing {}: {reason}", go_quote(value)),
                        flag.range,
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Go's `time.ParseDuration`, in nanoseconds, with its error messages.
fn go_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(text));
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        if !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let mut whole: u64 = 0;
        for b in rest[..digits].bytes() {
            whole = whole
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
                .filter(|&v| v <= LIMIT)
                .ok_or_else(invalid)?;
        }
        rest = &rest[digits..];
        let (mut fraction, mut scale, mut fraction_digits) = (0u64, 1f64, 0);
        if let Some(after) = rest.strip_prefix('.') {
            fraction_digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let mut overflow = false;
            for b in after[..fraction_digits].bytes() {
                if overflow {
                    continue;
                }
                match fraction
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(b - b'0')))
                    .filter(|&v| v <= LIMIT)
                {
                    Some(v) => {
                        fraction = v;
                        scale *= 10.0;
                    }
                    None => overflow = true,
                }
            }
            rest = &after[fraction_digits..];
        }
        if digits == 0 && fraction_digits == 0 {
            return Err(invalid());
        }
        let unit_len = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", go_quote(text)));
        }
        let unit_name = &rest[..unit_len];
        rest = &rest[unit_len..];
        let unit: u64 = match unit_name {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_quote(unit_name),
                    go_quote(text)
                ));
            }
        };
        if whole > LIMIT / unit {
            return Err(invalid());
        }
        let mut value = whole * unit;
        if fraction > 0 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let part = (fraction as f64 * (unit as f64 / scale)) as u64;
            value = value
                .checked_add(part)
                .filter(|&v| v <= LIMIT)
                .ok_or_else(invalid)?;
        }
        total = total
            .checked_add(value)
            .filter(|&v| v <= LIMIT)
            .ok_or_else(invalid)?;
    }
    if negative {
        // -(1 << 63) is i64::MIN.
        return Ok(0i64.wrapping_sub_unsigned(total));
    }
    i64::try_from(total).map_err(|_| invalid())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FlagType {
    Bool,
    /// A string flag (BuildKit's `stringType`).
    Text,
    /// A flag that may be repeated (BuildKit's `stringsType`).
    Strings,
}

/// BuildKit's `BFlags.Parse` with the flags the instruction defines.
fn flags(instruction: &Instruction, known: &[(&str, FlagType)]) -> Check {
    let mut used: Vec<&str> = Vec::new();
    for flag in &instruction.flags {
        let raw = flag.raw.as_str();
        let (flag_name, value) = match raw.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (raw, None),
        };
        let name = flag_name.strip_prefix("--").unwrap_or(flag_name);
        let Some(&(_, kind)) = known.iter().find(|(known, _)| *known == name) else {
            let mut message = format!("unknown flag: {flag_name}");
            if let Some(suggestion) = suggest(name, known.iter().map(|&(known, _)| known)) {
                message.push_str(&format!(" (did you mean {suggestion}?)"));
            }
            return Err(error(message, flag.range));
        };
        if used.contains(&name) && kind != FlagType::Strings {
            return Err(error(
                format!("duplicate flag specified: {flag_name}"),
                flag.range,
            ));
        }
        used.push(name);
        let missing = || error(format!("missing a value on flag: {flag_name}"), flag.range);
        match (kind, value) {
            (FlagType::Bool, Some("")) => return Err(missing()),
            (FlagType::Bool, Some(value))
                if !["true", "false"].contains(&value.to_lowercase().as_str()) =>
            {
                return Err(error(
                    format!("expecting boolean value for flag {flag_name}, not: {value}"),
                    flag.range,
                ));
            }
            (FlagType::Text | FlagType::Strings, None) => return Err(missing()),
            _ => {}
        }
    }
    Ok(())
}

/// BuildKit's `suggest.Search`, case-sensitive: the closest name under distance 3.
fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best = None;
    let mut best_distance = 3;
    for candidate in candidates {
        let distance = edit_distance(name, candidate);
        if distance < best_distance {
            best = Some(candidate);
            best_distance = distance;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each text has exactly one error: this message, at this 1-based (line, column).
    fn each(cases: &[(&str, &str, (usize, usize))]) {
        for &(text, message, at) in cases {
            let df = crate::dockerfile::parse(text);
            assert!(df.errors.is_empty(), "parse errors: {:?}", df.errors);
            let errors = instruction_errors(&df);
            assert_eq!(errors.len(), 1, "{text:?}: {errors:?}");
            let error = &errors[0].error;
            let position = df.lines.position(&df.source, error.range.start);
            assert_eq!(
                (error.message.as_str(), (position.line, position.column)),
                (message, at),
                "{text:?}"
            );
        }
    }

    fn none(text: &str) {
        let df = crate::dockerfile::parse(text);
        assert!(df.errors.is_empty(), "parse errors: {:?}", df.errors);
        assert_eq!(instruction_errors(&df), [], "{text:?}");
    }

    #[test]
    fn valid_instructions_raise_nothing() {
        none(
            "ARG BASE=debian:12\nFROM --platform=$BUILDPLATFORM ${BASE} AS build-1.x\n\
             COPY --from=build --chown=1:1 --link --exclude=a --exclude=b a /b/\n\
             ADD --checksum=sha256:x --keep-git-dir=false https://x /y\n\
             RUN --mount=type=cache,target=/c --mount=type=tmpfs,target=/t --network=none \
             --security=insecure echo\nRUN --mount=from=a$,\"target=/x,y\",type=$T x\nRUN --device=name=/dev/x,required=T --device=vendor.com/gpu=all,required x\nRUN\nCMD []\nENTRYPOINT\nEXPOSE 80 443/udp\n\
             ENV A=1 B=2\nENV C 3\nLABEL a=b\nUSER app group\nWORKDIR /a b\nVOLUME [\"/v\"]\n\
             STOPSIGNAL SIGTERM\nSHELL [\"/bin/sh\", \"-c\"]\nONBUILD RUN x\nONBUILD COPY a\n\
             HEALTHCHECK --interval=1m30s --timeout=.5s --retries=3 CMD curl x\n\
             HEALTHCHECK NONE\nHEALTHCHECK --interval=0 CMD [\"a\"]\nMAINTAINER me\n\
             COPY <<EOF /dst\nbody\nEOF\nARG --x y\nSTOPSIGNAL --x SIGKILL\n\
             FROM a as Build\nHEALTHCHECK --bogus NONE\n",
        );
    }

    #[test]
    fn argument_counts() {
        let from = "FROM requires either one or three arguments";
        let copy = "COPY requires at least two arguments, but only one was provided. \
                    Destination could not be determined";
        let mut cases = vec![
            ("FROM image a b c\n", from),
            ("FROM image AS\n", from),
            ("FROM image FOR x\n", from),
            ("FROM\n", from),
            ("COPY a\n", copy),
            ("COPY [\"a\"]\n", copy),
            ("COPY\n", copy),
            (
                "ADD --chown=1 x\n",
                "ADD requires at least two arguments, but only one was provided. \
                 Destination could not be determined",
            ),
            ("VOLUME []\n", "VOLUME requires at least one argument"),
            ("SHELL []\n", "SHELL requires at least one argument"),
            // The argument count comes before the flags.
            ("USER --x\n", "USER requires exactly one argument"),
        ];
        let exactly_one = ["MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL"].map(|name| {
            (
                format!("{name}\n"),
                format!("{name} requires exactly one argument"),
            )
        });
        let at_least_one = [
            "EXPOSE",
            "VOLUME",
            "ARG",
            "ENV",
            "LABEL",
            "ONBUILD",
            "HEALTHCHECK",
            "SHELL",
        ]
        .map(|name| {
            (
                format!("{name}\n"),
                format!("{name} requires at least one argument"),
            )
        });
        for (text, message) in exactly_one.iter().chain(&at_least_one) {
            cases.push((text, message));
        }
        let cases: Vec<_> = cases.into_iter().map(|(t, m)| (t, m, (1, 1))).collect();
        each(&cases);
    }

    #[test]
    fn argument_values() {
        each(&[
            (
                "FROM a AS 1st\n",
                "invalid name for build stage: \"1st\", name can't start with a number or \
                 contain symbols",
                (1, 11),
            ),
            ("ARG =x\n", "ARG names can not be blank", (1, 5)),
            ("ARG a b =x\n", "ARG names can not be blank", (1, 9)),
            ("ENV a=1 =2\n", "ENV names can not be blank", (1, 9)),
            ("LABEL =x\n", "LABEL names can not be blank", (1, 7)),
            (
                "VOLUME [\"/a\", \" \"]\n",
                "VOLUME specified can not be an empty string",
                (1, 15),
            ),
            (
                "SHELL /bin/sh -c\n",
                "SHELL requires the arguments to be in JSON form",
                (1, 1),
            ),
            (
                "COPY a <<EOF\nx\nEOF\n",
                "COPY cannot accept a heredoc as a destination",
                (1, 8),
            ),
            (
                "ONBUILD ONBUILD RUN x\n",
                "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                (1, 9),
            ),
            (
                "ONBUILD from x\n",
                "FROM isn't allowed as an ONBUILD trigger",
                (1, 9),
            ),
            (
                "ONBUILD MAINTAINER x\n",
                "MAINTAINER isn't allowed as an ONBUILD trigger",
                (1, 9),
            ),
            (
                "HEALTHCHECK NONE x\n",
                "HEALTHCHECK NONE takes no arguments",
                (1, 1),
            ),
            (
                "HEALTHCHECK CMD\n",
                "Missing command after HEALTHCHECK CMD",
                (1, 1),
            ),
            (
                "HEALTHCHECK CMD []\n",
                "Missing command after HEALTHCHECK CMD",
                (1, 1),
            ),
        ]);
    }

    #[test]
    fn healthcheck_types_durations_and_retries() {
        let cases = [
            ("curl x", "Unknown type \"CURL\" in HEALTHCHECK (try CMD)"),
            ("--interval=5 CMD x", "time: missing unit in duration \"5\""),
            (
                "--timeout=3x CMD x",
                "time: unknown unit \"x\" in duration \"3x\"",
            ),
            ("--start-period=s CMD x", "time: invalid duration \"s\""),
            (
                "--interval=10us CMD x",
                "Interval \"interval\" cannot be less than 1ms",
            ),
            ("--retries=-1 CMD x", "--retries cannot be negative (-1)"),
            (
                "--retries=three CMD x",
                "strconv.ParseInt: parsing \"three\": invalid syntax",
            ),
            (
                "--retries=9999999999 CMD x",
                "strconv.ParseInt: parsing \"9999999999\": value out of range",
            ),
            (
                "--intervl=1s CMD x",
                "unknown flag: --intervl (did you mean interval?)",
            ),
        ]
        .map(|(args, message)| (format!("HEALTHCHECK {args}\n"), message));
        let cases: Vec<_> = cases
            .iter()
            .map(|(text, message)| (text.as_str(), *message, (1, 13)))
            .collect();
        each(&cases);
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration("1h2m3.5s"), Ok(3_723_500_000_000));
        assert_eq!(go_duration("-1.5ms"), Ok(-1_500_000));
        assert_eq!(go_duration("1\u{b5}s"), Ok(1_000));
        assert_eq!(go_duration(".5s"), Ok(500_000_000));
        assert_eq!(go_duration("+0"), Ok(0));
        for invalid in ["", ".s", "9999999999999h", "1s2"] {
            assert!(go_duration(invalid).is_err(), "{invalid:?}");
        }
    }

    #[test]
    fn flags() {
        each(&[
            (
                "FROM --plaform=x a\n",
                "unknown flag: --plaform (did you mean platform?)",
                (1, 6),
            ),
            (
                "COPY --form=build a b\n",
                "unknown flag: --form (did you mean from?)",
                (1, 6),
            ),
            (
                "COPY --frm=x --foo a b\n",
                "unknown flag: --frm (did you mean from?)",
                (1, 6),
            ),
            (
                "MAINTAINER --boo joe@example.com\n",
                "unknown flag: --boo",
                (1, 12),
            ),
            ("RUN --bogus x\n", "unknown flag: --bogus", (1, 5)),
            ("CMD --x echo\n", "unknown flag: --x", (1, 5)),
            ("ENV --x a=b\n", "unknown flag: --x", (1, 5)),
            (
                "COPY --from=a --from=b x y\n",
                "duplicate flag specified: --from",
                (1, 15),
            ),
            (
                "COPY --from x y\n",
                "missing a value on flag: --from",
                (1, 6),
            ),
            (
                "COPY --link= x y\n",
                "missing a value on flag: --link",
                (1, 6),
            ),
            (
                "COPY --link=yes x y\n",
                "expecting boolean value for flag --link, not: yes",
                (1, 6),
            ),
            (
                "RUN --network=bridge x\n",
                "invalid network mode \"bridge\"",
                (1, 5),
            ),
            (
                "RUN --security=bad --network=bad x\n",
                "invalid network mode \"bad\"",
                (1, 20),
            ),
            (
                "RUN --mount=type=bind,from=$STAGE x\n",
                "'from' doesn't support variable expansion, define alias stage instead",
                (1, 5),
            ),
            (
                "RUN --mount=type=cache,target=/a\\\"b x\n",
                "failed to parse csv mounts: parse error on line 1, column 21: bare \" in \
                 non-quoted-field",
                (1, 5),
            ),
            (
                "RUN --mount=\\\"type=cache\\\"x x\n",
                "failed to parse csv mounts: parse error on line 1, column 12: extraneous or \
                 missing \" in quoted-field",
                (1, 5),
            ),
            (
                "RUN --mount= x\n",
                "failed to parse csv mounts: EOF",
                (1, 5),
            ),
            (
                "RUN --device=a,b x\n",
                "invalid field 'b' must be a key=value pair",
                (1, 5),
            ),
            (
                "RUN --device=a,name=b x\n",
                "device name already set to a",
                (1, 5),
            ),
            (
                "RUN --device=a,required=maybe x\n",
                "invalid value for required: maybe",
                (1, 5),
            ),
            (
                "RUN --device=a,nme=b x\n",
                "unexpected key 'nme' in 'nme=b' (did you mean name?)",
                (1, 5),
            ),
            (
                "RUN --security=privileged x\n",
                "security \"privileged\" is not valid",
                (1, 5),
            ),
        ]);
    }

    #[test]
    fn csv_records() {
        let strings = |fields: &[&str]| Ok(fields.iter().map(|f| f.to_string()).collect());
        assert_eq!(csv_fields("a,b=c,"), strings(&["a", "b=c", ""]));
        assert_eq!(csv_fields("\"a,b\",c"), strings(&["a,b", "c"]));
        assert_eq!(csv_fields("\"a\"\"b\""), strings(&["a\"b"]));
        assert_eq!(csv_fields("x\n"), strings(&["x"]));
        assert!(csv_fields("\"open").is_err());
    }

    #[test]
    fn consecutive_unknown_instructions_are_one_error() {
        each(&[
            (
                "apt-get update\n\n# x\napt-get install \\\n  curl\n",
                "unknown instruction: apt-get (and 1 more unknown instruction: lines 1-5)",
                (1, 1),
            ),
            (
                "RUNN x\n",
                "unknown instruction: RUNN (did you mean RUN?)",
                (1, 1),
            ),
            ("let x\n", "unknown instruction: let", (1, 1)),
        ]);
        // A known instruction, or a parse error, ends the run.
        let df = crate::dockerfile::parse("a\nRUN x\nb\nENV X\nc\n");
        let messages: Vec<String> = instruction_errors(&df)
            .into_iter()
            .map(|e| e.error.message)
            .collect();
        assert_eq!(
            messages,
            [
                "unknown instruction: a",
                "unknown instruction: b",
                "unknown instruction: c"
            ]
        );
    }
}
