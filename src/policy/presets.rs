//! The built-in policies, `builtin:NAME`: YAML files in `policies/`, embedded in the
//! binary so they work offline and match the binary's rules.

/// Every built-in policy name, as `builtin:NAME` takes it.
pub const NAMES: &[&str] = &["recommended", "strict", "hadolint"];

const TEXTS: &[(&str, &str)] = &[
    (
        "recommended",
        include_str!("../../policies/recommended.yml"),
    ),
    ("strict", include_str!("../../policies/strict.yml")),
    ("hadolint", include_str!("../../policies/hadolint.yml")),
];

/// The static name of a built-in policy.
pub fn find(name: &str) -> Option<&'static str> {
    NAMES.iter().copied().find(|known| *known == name)
}

/// The YAML text of a built-in policy; `name` comes from [`find`].
pub fn text(name: &str) -> &'static str {
    TEXTS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, text)| *text)
        .unwrap_or_default()
}
