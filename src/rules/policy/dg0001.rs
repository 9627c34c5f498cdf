//! DG0001: a policy exception past its expiry date.

crate::declare_rule! {
    /// ## What it does
    /// Reports an entry of the policy's `exceptions` whose `expires` date has passed.
    /// The exception no longer waives anything: the findings it covered are reported
    /// again, and this finding points at the exception itself.
    ///
    /// ## Why is this bad?
    /// A waiver is a promise to fix something by a date. Without an expiry that
    /// bites, waivers pile up and quietly become the policy. Failing the run on the
    /// day after makes the owner renew the waiver on purpose, with a new reason, or
    /// fix the finding.
    ///
    /// ## Example
    /// ```yaml
    /// exceptions:
    ///   - rules: [DL3007]
    ///     owner: "@acme/payments"
    ///     reason: base image pinned after the migration
    ///     expires: 2024-01-31
    /// ```
    ///
    /// ## Use instead
    /// Fix the findings and delete the exception, or extend it with a new date and
    /// reason that the owner signs off in review.
    code: "DG0001",
    name: "expired-exception",
    severity: Error,
    category: Correctness,
    fixable: false,
    message: "This policy exception has expired",
    check: policy,
}
