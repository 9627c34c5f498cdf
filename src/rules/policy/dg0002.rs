//! DG0002: an ignore pragma without a reason, where the policy requires one.

crate::declare_rule! {
    /// ## What it does
    /// With `pragmas: reason-required` in the policy, reports each
    /// `# hadolint ignore=CODE` (or `# dockgate ignore=CODE`) comment that gives no
    /// reason after the codes. Such a pragma silences nothing.
    ///
    /// ## Why is this bad?
    /// A silenced rule with no recorded reason cannot be reviewed: nobody can tell
    /// later whether it was a considered decision or a shortcut.
    ///
    /// ## Example
    /// ```dockerfile
    /// # hadolint ignore=DL3007
    /// FROM debian:latest
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # hadolint ignore=DL3007 the nightly build tracks latest on purpose
    /// FROM debian:latest
    /// ```
    code: "DG0002",
    name: "pragma-without-reason",
    severity: Error,
    category: Correctness,
    fixable: false,
    message: "This ignore pragma gives no reason, so the policy does not honour it; add one after the codes",
    check: policy,
}
