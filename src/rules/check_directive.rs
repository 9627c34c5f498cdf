//! BuildKit's `# check=` directive, which configures its build checks for one
//! Dockerfile (read in BuildKit's `linter.ParseLintOptions` and
//! `dockerfile2llb/convert.go`, `newRuleLinter`; documented in "Configure build checks",
//! docs.docker.com/build/checks/):
//!
//! - `# check=skip=FromAsCasing,StageNameCasing` skips those checks, `skip=all` every
//!   check (but not the experimental ones a Dockerfile asks for);
//! - `# check=error=true` makes the build fail when a check reports anything;
//! - `# check=experimental=InvalidDefinitionDescription` (or `all`) runs experimental
//!   checks;
//! - options are joined with `;`, and BuildKit reads the value only up to its first
//!   space, so a reason may follow one: `# check=skip=FromAsCasing legacy images`.
//!
//! BuildKit also reads a `# check=skip=...` comment directly above an instruction, for
//! that instruction only (`WithMergedConfigFromComments`): only `skip` and
//! `experimental` count there, a malformed one is ignored.
//!
//! An experimental check a Dockerfile asks for runs for that file unless the policy
//! turned its rule off ([`enable_experimental`]); above one instruction, BuildKit's
//! `experimental=` is not read.
//!
//! dockgate applies a check to each rule that names the BuildKit check it is
//! ([`crate::rules::Rule::buildkit`]), DL or DG, in the gate's one suppression step:
//! skips are pragmas, `error=true` raises the remaining findings of those rules to
//! errors.

use crate::dockerfile::Dockerfile;
use crate::dockerfile::buildkit_dump::go_quote;
use crate::rules::{Options, RuleSet};
use crate::source::TextRange;

/// Every build check BuildKit defines (`frontend/dockerfile/linter/ruleset.go`), so a
/// name dockgate has no rule for is still no typo.
pub const BUILDKIT_CHECKS: &[&str] = &[
    "ConsistentInstructionCasing",
    "CopyIgnoredFile",
    "DuplicateStageName",
    "ExposeInvalidFormat",
    "ExposeProtoCasing",
    "FromAsCasing",
    "FromPlatformFlagConstDisallowed",
    "InvalidBaseImagePlatform",
    "InvalidDefaultArgInFrom",
    "InvalidDefinitionDescription",
    "JSONArgsRecommended",
    "LegacyKeyValueFormat",
    "MaintainerDeprecated",
    "MultipleInstructionsDisallowed",
    "NoEmptyContinuation",
    "RedundantTargetPlatform",
    "ReservedStageName",
    "SecretsUsedInArgOrEnv",
    "StageNameCasing",
    "UndefinedArgInFrom",
    "UndefinedVar",
    "WorkdirRelativePath",
];

/// The checks BuildKit marks experimental: they run only when asked for, and `skip`
/// does not apply to them.
pub const EXPERIMENTAL_CHECKS: &[&str] = &["InvalidDefinitionDescription"];

/// The options of one `check` directive or comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    pub skip: Vec<String>,
    pub skip_all: bool,
    pub experimental: Vec<String>,
    pub experimental_all: bool,
    pub error: bool,
    /// Text after the first space, which BuildKit ignores.
    pub has_reason: bool,
}

impl CheckOptions {
    /// Whether the options skip the BuildKit check `name`.
    pub fn skips(&self, name: &str) -> bool {
        !EXPERIMENTAL_CHECKS.contains(&name)
            && (self.skip_all || self.skip.iter().any(|skipped| skipped == name))
    }

    /// Whether the options ask for the experimental check `name`.
    pub fn runs_experimental(&self, name: &str) -> bool {
        self.experimental_all || self.experimental.iter().any(|asked| asked == name)
    }
}

/// The value of a `check` directive or comment, as BuildKit reads it: up to the first
/// space, then `linter.ParseLintOptions`. The error is BuildKit's message.
pub fn parse(value: &str) -> Result<CheckOptions, String> {
    let (value, reason) = value.split_once(' ').unwrap_or((value, ""));
    let mut options = parse_lint_options(value)
        .map_err(|error| format!("failed to parse check options: {error}"))?;
    options.has_reason = !reason.trim().is_empty();
    Ok(options)
}

/// BuildKit's `ParseLintOptions`, message for message.
fn parse_lint_options(value: &str) -> Result<CheckOptions, String> {
    let mut options = CheckOptions::default();
    let value = value.trim();
    if value.is_empty() {
        return Ok(options);
    }
    let names = |v: &str| v.split(',').map(|name| name.trim().to_string()).collect();
    for part in value.splitn(3, ';') {
        let Some((key, v)) = part.split_once('=') else {
            return Err(format!("invalid check option {}", go_quote(part)));
        };
        match key.trim() {
            "skip" => match v.trim() {
                "all" => options.skip_all = true,
                v => options.skip = names(v),
            },
            "experimental" => match v.trim() {
                "all" => options.experimental_all = true,
                v => options.experimental = names(v),
            },
            "error" => {
                options.error = parse_bool(v.trim()).ok_or_else(|| {
                    format!(
                        "failed to parse check option {}: strconv.ParseBool: parsing {}: invalid syntax",
                        go_quote(part),
                        go_quote(v.trim())
                    )
                })?;
            }
            other => return Err(format!("invalid check option {}", go_quote(other))),
        }
    }
    Ok(options)
}

/// Go's `strconv.ParseBool`.
fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// A name in `skip=` or `experimental=` that is no BuildKit check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCheck {
    pub name: String,
    /// Where the name is written (the directive, when it cannot be found in it).
    pub range: TextRange,
}

/// The file's `# check=` directive: its options, or BuildKit's error with the
/// directive's range; `None` without one.
pub fn of(dockerfile: &Dockerfile) -> Option<(Result<CheckOptions, String>, TextRange)> {
    let directive = dockerfile.directives.iter().find(|d| d.name == "check")?;
    Some((parse(&directive.value), directive.range))
}

/// Adds to `rules` the experimental checks the file's directive asks for
/// (`# check=experimental=NAME|all`), as BuildKit runs them, unless the policy turned
/// them off (`builtin:hadolint` does, to stay hadolint's set).
pub fn enable_experimental(dockerfile: &Dockerfile, rules: &mut RuleSet) {
    let Some((Ok(options), _)) = of(dockerfile) else {
        return;
    };
    for &rule in crate::rules::all() {
        let Some(name) = rule.buildkit else {
            continue;
        };
        if EXPERIMENTAL_CHECKS.contains(&name)
            && options.runs_experimental(name)
            && rules.get(rule.code).is_none()
            && !rules.turned_off(rule.code)
        {
            rules.set(rule, rule.severity, Options::default());
        }
    }
}

/// The names of `options` that are no BuildKit check, located in `source[range]`.
pub fn unknown_names(options: &CheckOptions, source: &str, range: TextRange) -> Vec<UnknownCheck> {
    let text = &source[range.start..range.end];
    options
        .skip
        .iter()
        .chain(&options.experimental)
        // An empty name (`skip=A,`) names nothing; BuildKit ignores it.
        .filter(|name| !name.is_empty() && !BUILDKIT_CHECKS.contains(&name.as_str()))
        .map(|name| {
            let at = text.find(name.as_str());
            UnknownCheck {
                name: name.clone(),
                range: at.map_or(range, |at| {
                    TextRange::new(range.start + at, range.start + at + name.len())
                }),
            }
        })
        .collect()
}

/// A comment's text as a `check=...` comment BuildKit reads above an instruction
/// (the directive syntax without `#`), when it is one and parses.
pub fn comment_options(comment: &str) -> Option<CheckOptions> {
    let rest = comment.trim_start();
    let name_end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    if !rest[..name_end].eq_ignore_ascii_case("check") {
        return None;
    }
    let value = rest[name_end..].trim_start().strip_prefix('=')?.trim();
    if value.is_empty() {
        return None;
    }
    parse(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let options = parse("skip=JSONArgsRecommended,FromAsCasing;error=true").unwrap();
        assert_eq!(options.skip, ["JSONArgsRecommended", "FromAsCasing"]);
        assert!(options.error && !options.skip_all && !options.has_reason);
        // Everything after a space is ignored, even what looks like more names.
        let options = parse("skip=JSONArgsRecommended, FromAsCasing;error=true").unwrap();
        assert_eq!(options.skip, ["JSONArgsRecommended", ""]);
        assert!(!options.error && options.has_reason);
        assert!(parse("skip=all").unwrap().skip_all);
        assert!(parse("experimental=all").unwrap().experimental_all);
        assert!(!parse("error=false").unwrap().error);
        assert_eq!(parse("").unwrap(), CheckOptions::default());
        // BuildKit reads up to the first space.
        let options = parse("skip=A,B legacy base images").unwrap();
        assert_eq!(options.skip, ["A", "B"]);
        assert!(options.has_reason);
    }

    #[test]
    fn skip_all_leaves_experimental_checks() {
        let options = parse("skip=all").unwrap();
        assert!(options.skips("FromAsCasing"));
        assert!(!options.skips("InvalidDefinitionDescription"));
    }

    #[test]
    fn buildkit_errors() {
        assert_eq!(
            parse("skip").unwrap_err(),
            "failed to parse check options: invalid check option \"skip\""
        );
        assert_eq!(
            parse("skp=all").unwrap_err(),
            "failed to parse check options: invalid check option \"skp\""
        );
        assert_eq!(
            parse("error=yes").unwrap_err(),
            "failed to parse check options: failed to parse check option \"error=yes\": strconv.ParseBool: parsing \"yes\": invalid syntax"
        );
    }

    #[test]
    fn comments_above_instructions() {
        assert_eq!(
            comment_options("check=skip=FromAsCasing").map(|o| o.skip),
            Some(vec!["FromAsCasing".to_string()])
        );
        assert_eq!(comment_options("checks=skip=FromAsCasing"), None);
        assert_eq!(comment_options("check=nonsense"), None);
        assert_eq!(comment_options("just a comment"), None);
    }

    #[test]
    fn unknown_names_are_located() {
        let source = "# check=skip=FromAsCasng,StageNameCasing\nFROM a\n";
        let options = parse("skip=FromAsCasng,StageNameCasing").unwrap();
        let unknown = unknown_names(&options, source, TextRange::new(0, 40));
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].name, "FromAsCasng");
        assert_eq!(
            &source[unknown[0].range.start..unknown[0].range.end],
            "FromAsCasng"
        );
    }
}
