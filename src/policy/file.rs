//! The policy file format: what one `dockgate.yml` may say, as Rust types.
//!
//! These types are the single source of truth for the format: serde validates files
//! with them (unknown keys are errors), schemars turns them into
//! `policies/dockgate.schema.json`, and their doc comments are the descriptions editors
//! show. Every field is optional because a file only says what it changes; the
//! effective policy ([`super::Policy`]) fills in the defaults after merging.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::units::{Percent, Size};

/// A dockgate policy file (`dockgate.yml`, `.dockgate.yml` or `.github/dockgate.yml`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "dockgate policy")]
pub struct PolicyFile {
    /// Policies this one builds on, applied in order before this file: `builtin:NAME`
    /// (recommended, strict, hadolint), a path relative to this file, or
    /// `github:OWNER/REPO/PATH@REF` fetched through the GitHub contents API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<Vec<String>>,

    /// Settings that policies extending this one may tighten but not weaken: `rules`
    /// (every rule this file configures), `rules.CODE`, `image`, `image.KEY`,
    /// `base_images`, `base_images.KEY`, `labels`, `labels.KEY`, `fail_on`, `pragmas`,
    /// `exceptions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<Vec<String>>,

    /// The lowest severity that fails the run; `never` only reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<FailOn>,

    /// Whether inline `# hadolint ignore=` / `# dockgate ignore=` comments are honoured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pragmas: Option<PragmaPolicy>,

    /// Which Dockerfiles are checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Files>,

    /// Images `dockgate check` inspects, one transport reference each
    /// (`docker-daemon:app:latest`, `docker://ghcr.io/acme/app:pr-1`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<ListValue<String>>,

    /// Per rule, by code (`DL3008`) or name: `off`, a severity, or a map with
    /// `severity` and `options`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<BTreeMap<String, RuleSetting>>,

    /// Rule settings for some paths only, applied after `rules`, later entries winning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<ListValue<Override>>,

    /// Which base images `FROM` may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_images: Option<BaseImages>,

    /// Labels every image must carry, with the type of their value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,

    /// Requirements on the built image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRequirements>,

    /// Where and how findings are reported on GitHub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting: Option<Reporting>,

    /// ShellCheck on the shell-form `RUN` commands (`SCxxxx` findings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shellcheck: Option<Shellcheck>,

    /// Waivers: findings of these rules in these places are accepted until `expires`.
    /// An expired exception is itself a violation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exceptions: Option<ListValue<Exception>>,

    /// The furthest an exception's `expires` may be in the future, in days from the
    /// day of the run; an exception beyond it is refused (exit 2, at its `expires`).
    /// Unset: any date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_exception_days: Option<u32>,
}

/// A list a policy either replaces (`[a, b]`) or extends (`{append: [a, b]}`).
#[derive(Debug, Clone, PartialEq)]
pub enum ListValue<T> {
    Replace(Vec<T>),
    Append(Vec<T>),
}

impl<T> ListValue<T> {
    pub fn items(&self) -> &[T] {
        match self {
            ListValue::Replace(items) | ListValue::Append(items) => items,
        }
    }
}

impl<T> Default for ListValue<T> {
    fn default() -> Self {
        ListValue::Replace(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ListValue<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = ListValue<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list, or `{append: [...]}` to add to the inherited list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(ListValue::Replace)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut items = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "append" {
                        return Err(de::Error::unknown_field(&key, &["append"]));
                    }
                    if items.is_some() {
                        return Err(de::Error::duplicate_field("append"));
                    }
                    items = Some(map.next_value::<Vec<T>>()?);
                }
                items
                    .map(ListValue::Append)
                    .ok_or_else(|| de::Error::missing_field("append"))
            }
        }
        deserializer.deserialize_any(ListVisitor(std::marker::PhantomData))
    }
}

impl<T: Serialize> Serialize for ListValue<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ListValue::Replace(items) => items.serialize(serializer),
            ListValue::Append(items) => {
                let mut map = BTreeMap::new();
                map.insert("append", items);
                map.serialize(serializer)
            }
        }
    }
}

impl<T: JsonSchema> JsonSchema for ListValue<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("ListOf{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let items = generator.subschema_for::<Vec<T>>();
        schemars::json_schema!({
            "anyOf": [
                items,
                {
                    "type": "object",
                    "description": "Adds these items to the list inherited through `extends`.",
                    "properties": { "append": items },
                    "required": ["append"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// The threshold of `fail_on` / `--fail-on`: the lowest severity that fails the run.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Deserialize,
    Serialize,
    JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Style,
    Info,
    Warning,
    Error,
    /// Never fail because of findings (input errors still exit 2).
    Never,
}

impl FailOn {
    /// The lowest severity that fails the run; `None` for `never`.
    pub fn threshold(self) -> Option<crate::finding::Severity> {
        use crate::finding::Severity;
        match self {
            FailOn::Style => Some(Severity::Style),
            FailOn::Info => Some(Severity::Info),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Error => Some(Severity::Error),
            FailOn::Never => None,
        }
    }
}

/// What inline ignore pragmas may do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PragmaPolicy {
    /// Any `# hadolint ignore=CODE` silences the rule.
    Allowed,
    /// A pragma silences a rule only with a reason after the codes
    /// (`# hadolint ignore=DL3008 pinned by the base image`); one without is a finding.
    ReasonRequired,
    /// Pragmas are not honoured; each one is a finding.
    Forbidden,
}

/// Which Dockerfiles are checked, as globs relative to the repository root.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Files {
    /// Only files matching one of these are checked (default: every Dockerfile and
    /// Containerfile discovery finds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<ListValue<Glob>>,
    /// Files matching one of these are skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<ListValue<Glob>>,
}

/// A glob over slash-separated paths: `*` stays within a directory, `**` crosses them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Glob(pub String);

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Glob, D::Error> {
        let text = String::deserialize(deserializer)?;
        globset::GlobBuilder::new(&text)
            .literal_separator(true)
            .build()
            .map_err(|error| {
                de::Error::custom(format!(
                    "invalid glob `{text}`: {}; expected a glob such as `services/**/Dockerfile`",
                    error.kind()
                ))
            })?;
        Ok(Glob(text))
    }
}

impl Glob {
    pub fn matcher(&self) -> globset::GlobMatcher {
        globset::GlobBuilder::new(&self.0)
            .literal_separator(true)
            .build()
            .expect("validated when the policy was read")
            .compile_matcher()
    }
}

/// How severe a rule's findings are, or `off`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Style,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn severity(self) -> Option<crate::finding::Severity> {
        use crate::finding::Severity;
        match self {
            Level::Off => None,
            Level::Style => Some(Severity::Style),
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Style => "style",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl From<crate::finding::Severity> for Level {
    fn from(severity: crate::finding::Severity) -> Level {
        use crate::finding::Severity;
        match severity {
            Severity::Style => Level::Style,
            Severity::Info => Level::Info,
            Severity::Warning => Level::Warning,
            Severity::Error => Level::Error,
        }
    }
}

/// One rule's setting: `off`, `on` (its default severity), a severity, or a map.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSetting {
    /// `off`, or the severity of the rule's findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Level>,
    /// The rule's options; `dockgate rules CODE` lists them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<BTreeMap<String, serde_json::Value>>,
}

/// The map form of [`RuleSetting`], for serde's field validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSettingMap {
    #[serde(default)]
    severity: Option<Level>,
    #[serde(default)]
    options: Option<BTreeMap<String, serde_json::Value>>,
}

const RULE_SETTING_EXPECTED: &str =
    "`off`, `on`, a severity (error, warning, info, style), or a map with `severity` and `options`";

impl<'de> Deserialize<'de> for RuleSetting {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RuleSetting, D::Error> {
        struct SettingVisitor;
        impl<'de> Visitor<'de> for SettingVisitor {
            type Value = RuleSetting;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(RULE_SETTING_EXPECTED)
            }
            fn visit_bool<E: de::Error>(self, on: bool) -> Result<RuleSetting, E> {
                Ok(RuleSetting {
                    severity: (!on).then_some(Level::Off),
                    options: None,
                })
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<RuleSetting, E> {
                if text == "on" {
                    return Ok(RuleSetting::default());
                }
                let severity = Level::deserialize(de::value::StrDeserializer::<E>::new(text))
                    .map_err(|_| {
                        let levels = ["off", "on", "error", "warning", "info", "style"];
                        E::custom(format!(
                            "invalid rule setting `{text}`: expected {RULE_SETTING_EXPECTED}{}",
                            crate::policy::suggestion(text, levels)
                        ))
                    })?;
                Ok(RuleSetting {
                    severity: Some(severity),
                    options: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RuleSetting, A::Error> {
                let RuleSettingMap { severity, options } =
                    RuleSettingMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RuleSetting { severity, options })
            }
        }
        deserializer.deserialize_any(SettingVisitor)
    }
}

/// Rule settings for some paths only.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Dockerfile paths (globs, relative to the repository root) this override covers.
    pub paths: Vec<Glob>,
    /// Rule settings for those paths, as in the top-level `rules`.
    pub rules: BTreeMap<String, RuleSetting>,
}

/// Which base images `FROM` may use (rule DG1001), and how they must be pinned.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaseImages {
    /// Only these images may be used, as globs over the full reference without tag
    /// (`docker.io/library/*`, `ghcr.io/acme/**`). Empty: any image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<ListValue<Glob>>,
    /// These images may never be used, even when `allow` matches them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny: Option<ListValue<Glob>>,
    /// Every base image must be pinned by digest (`@sha256:...`; rule DG1002).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_digest: Option<bool>,
}

/// Labels every image must carry (hadolint's label schema).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// Label name to the type its value must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<BTreeMap<String, LabelType>>,
    /// Labels not in `required` are findings too (hadolint's `strict-labels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

/// The type of a label's value, as in hadolint's label schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LabelType {
    /// Any non-empty text.
    Text,
    /// An absolute URL.
    Url,
    /// An SPDX license expression.
    Spdx,
    /// An RFC 3339 timestamp.
    Rfc3339,
    /// A semantic version.
    Semver,
    /// A git commit hash.
    Hash,
    /// An email address.
    Email,
}

/// Requirements on the built image.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageRequirements {
    /// The image must not run as UID 0 (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_root: Option<bool>,
    /// The runtime user must be one of these names or UIDs. Empty: any non-root user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_users: Option<ListValue<String>>,
    /// The runtime user must be numeric (`USER 10001`), as Kubernetes `runAsNonRoot`
    /// needs to verify it without reading /etc/passwd.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numeric_user: Option<bool>,
    /// Largest uncompressed size of the whole image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<Size>,
    /// Largest sum of the compressed layer blobs (what a pull downloads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_compressed_size: Option<Size>,
    /// Largest uncompressed size of a single layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_layer_size: Option<Size>,
    /// Most layers an image may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_layers: Option<u32>,
    /// Largest growth of the uncompressed size against the baseline image
    /// (`--baseline`), in total; the finding names the layers that grew most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_growth: Option<Size>,
    /// Most bytes of files that later layers overwrite or delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wasted: Option<Size>,
    /// Largest share of wasted bytes in the image's size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wasted_ratio: Option<Percent>,
    /// Ports the image may expose (`8080`, `8080/tcp`, `53/udp`). Empty: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_ports: Option<ListValue<String>>,
    /// Setuid/setgid files that are expected (`/usr/bin/passwd`), as globs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_setuid: Option<ListValue<Glob>>,
    /// Files the secret scan skips (test fixtures, public certificates), as globs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets_allowlist: Option<ListValue<Glob>>,
    /// The image must have no shell (distroless); a shell present is a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distroless: Option<bool>,
}

/// ShellCheck on the shell-form `RUN` commands, as hadolint runs it: each `SCxxxx`
/// finding is reported at its line and column, and is a rule like any other
/// (`rules: {SC2086: off}`, pragmas, exceptions).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shellcheck {
    /// Run ShellCheck (default true). Without a `shellcheck` program the checks are
    /// skipped with a note on stderr.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The `shellcheck` program to run (default: the first on `PATH`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Where and how findings are reported on GitHub.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reporting {
    /// Pull-request review comments: `off`, on `changed-lines` only, or on `all` lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_comments: Option<ReviewComments>,
    /// Most inline review comments per run; the rest go to the summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_inline_comments: Option<u32>,
    /// The name of the check run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_name: Option<String>,
    /// One summary comment on the pull request, updated in place on every run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_comment: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewComments {
    Off,
    ChangedLines,
    All,
}

/// A waiver with an owner, a reason and an expiry date.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The rules waived, by code or name.
    pub rules: Vec<String>,
    /// Dockerfile paths (globs) the waiver covers. Omitted: every path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<Glob>>,
    /// Image references (globs) the waiver covers. Omitted: every image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<Glob>>,
    /// Who answers for it: a team or a person (`@acme/payments`).
    pub owner: String,
    /// Why the finding is acceptable for now.
    pub reason: String,
    /// The last day the waiver holds, `YYYY-MM-DD`. From the next day on it is a
    /// finding itself.
    pub expires: Date,
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Today in UTC.
    pub fn today() -> Date {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or(0);
        Date::from_days(i64::try_from(seconds / 86_400).unwrap_or(0))
    }

    /// The date `days` after this one.
    pub fn plus_days(self, days: i64) -> Date {
        Date::from_days(self.days() + days)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    fn days(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400);
        let month = i64::from(self.month);
        let mp = if month > 2 { month - 3 } else { month + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The civil date `days` after 1970-01-01 (Howard Hinnant's algorithm).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl std::str::FromStr for Date {
    type Err = String;

    fn from_str(text: &str) -> Result<Date, String> {
        let invalid = || format!("invalid date `{text}`: expected a date `YYYY-MM-DD`");
        let mut parts = text.splitn(3, '-');
        let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        if year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return Err(invalid());
        }
        let (Ok(year), Ok(month), Ok(day)) = (
            year.parse::<i32>(),
            month.parse::<u32>(),
            day.parse::<u32>(),
        ) else {
            return Err(invalid());
        };
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(format!("invalid date `{text}`: there is no month {month}")),
        };
        if !(1..=days_in_month).contains(&day) {
            return Err(format!(
                "invalid date `{text}`: that month has {days_in_month} days"
            ));
        }
        Ok(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A date, `YYYY-MM-DD`.",
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_780).to_string(), "2026-11-23");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
        for days in [0, 11_016, 20_780, -1, 60_000] {
            assert_eq!(Date::from_days(days).days(), days);
        }
        let date: Date = "2026-12-03".parse().unwrap();
        assert_eq!(date.plus_days(90).to_string(), "2027-03-03");
    }

    #[test]
    fn dates_are_validated() {
        assert!("2027-02-29".parse::<Date>().is_err());
        assert!("2028-02-29".parse::<Date>().is_ok());
        assert!("2027-13-01".parse::<Date>().is_err());
        assert!("27-01-01".parse::<Date>().is_err());
        assert!("2027-1-1".parse::<Date>().is_err());
    }
}
