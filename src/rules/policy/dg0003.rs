//! DG0003: an ignore pragma where the policy forbids them.

crate::declare_rule! {
    /// ## What it does
    /// With `pragmas: forbidden` in the policy, reports every
    /// `# hadolint ignore=CODE` (or `# dockgate ignore=CODE`) comment, global ones
    /// too. No pragma silences anything under that policy, and nothing silences this
    /// finding. (hadolint's `disable-ignore-pragma` is `pragmas: forbidden` with this
    /// rule off, as in `builtin:hadolint`; hadolint's DL1001 reports inline pragmas
    /// that still work.)
    ///
    /// ## Why is this bad?
    /// Some organisations want every waiver in one reviewed place, the policy's
    /// `exceptions`, with an owner and an expiry date, rather than scattered through
    /// Dockerfiles where anyone can add one.
    ///
    /// ## Example
    /// ```dockerfile
    /// # hadolint ignore=DL3007
    /// FROM debian:latest
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// exceptions:
    ///   - rules: [DL3007]
    ///     paths: [nightly/Dockerfile]
    ///     owner: "@acme/release"
    ///     reason: the nightly build tracks latest on purpose
    ///     expires: 2027-06-30
    /// ```
    code: "DG0003",
    name: "pragma-forbidden",
    severity: Error,
    category: Correctness,
    fixable: false,
    message: "The policy forbids ignore pragmas; waive findings with an exception in the policy instead",
    check: policy,
}
