//! DG0004: a change that weakens the policy (`--policy-base`).

crate::declare_rule! {
    /// ## What it does
    /// With `--policy-base REF` (in a pull request, its base), compares the
    /// repository's effective policy at `REF` with the working tree's and reports
    /// each way the change weakens it, on the line of the policy file that does it: a
    /// rule turned off or lowered (in `rules` or an `overrides` entry), a budget raised
    /// or removed, a requirement switched off, an allowlist widened or a denylist
    /// shortened, Dockerfiles excluded or an image no longer checked, ShellCheck
    /// switched off, `fail_on` raised, `pragmas` relaxed, `max_exception_days`
    /// raised, an exception added or extended, a `locked` entry or an `extends` entry
    /// removed. The message says what changed and what it was. Tightening is not
    /// reported. The severity is the one the base's policy gives this rule, so a change
    /// cannot silence the report of its own weakenings; nothing waives it.
    ///
    /// ## Why is this bad?
    /// A pull request that adds `FROM python:latest` can also turn DL3007 off in the
    /// same diff, and the gate then passes. A weakening may be right, but it should be
    /// a decision a reviewer sees on the line that makes it, not a side effect. An
    /// organisation makes it blocking by locking this rule at `error` in its required
    /// policy.
    ///
    /// ## Example
    /// ```yaml
    /// # dockgate.yml in the pull request; the base had `DL3007: error`
    /// rules:
    ///   DL3007: off
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # keep the rule; waive the one place that needs it, with an owner and an expiry
    /// rules:
    ///   DL3007: error
    /// exceptions:
    ///   - rules: [DL3007]
    ///     paths: [nightly/Dockerfile]
    ///     owner: "@acme/release"
    ///     reason: the nightly image tracks debian:latest on purpose
    ///     expires: 2027-06-30
    /// ```
    code: "DG0004",
    name: "policy-weakened",
    severity: Warning,
    category: Correctness,
    fixable: false,
    message: "This change weakens the policy",
    check: policy,
}
