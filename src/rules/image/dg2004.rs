//! DG2004: the runtime user is not one the policy allows.

use crate::image::provenance::Subject;
use crate::rules::{ImageContext, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// When the policy lists `image.allowed_users`, checks that the image runs as one
    /// of them. An entry matches the user's name (resolved through the image's own
    /// `/etc/passwd`) or its UID, so `app` and `10001` both allow `USER app` when `app`
    /// is UID 10001. Without the list the rule reports nothing.
    ///
    /// ## Why is this bad?
    /// Platforms that map UIDs to storage permissions, or that run every service under
    /// a known set of UIDs, break in confusing ways when an image picks its own: volume
    /// writes fail, or two services share a UID by accident.
    ///
    /// ## Example
    /// With `allowed_users: ["10001"]`:
    /// ```dockerfile
    /// USER 1000
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// USER 10001
    /// ```
    code: "DG2004",
    name: "image-user-not-allowed",
    severity: Error,
    category: Security,
    message: "The runtime user is not one of the policy's allowed users",
    enabled_by_default: true,
    needs_layers: true,
    options: [
        RuleOption::new("allowed_users", OptionKind::Strings, "Names or UIDs the image may run as; unset: any non-root user.").from_policy("image.allowed_users"),
    ],
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let allowed = context.options().strings("allowed_users");
    if allowed.is_empty() {
        return;
    }
    let user = &context.facts().user;
    let uid = user.uid.map(|uid| uid.to_string());
    let matches = |entry: &&str| Some(*entry) == user.name.as_deref() || Some(*entry) == uid.as_deref();
    if allowed.iter().any(matches) {
        return;
    }
    let shown = match (user.configured.trim(), &uid) {
        ("", _) => "root (no user configured)".to_string(),
        (configured, Some(uid)) => format!("`{configured}` (UID {uid})"),
        (configured, None) => format!("`{configured}`"),
    };
    context.report_about(Subject::User, format!(
        "The image runs as {shown}, which is not one of the allowed users: {}",
        allowed.join(", ")
    ));
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    fn image(user: &str) -> Image {
        Image::new()
            .user(user)
            .layer(Layer::new().file("etc/passwd", b"app:x:10001:10001::/:/bin/sh\nother:x:1000:1000::/:/bin/sh\n"), GZ, "base")
    }

    fn allowing(users: &[&str]) -> serde_json::Value {
        serde_json::json!({ "allowed_users": users })
    }

    #[test]
    fn not_allowed() {
        assert_image_catches_with("DG2004", image("other"), allowing(&["app"]));
        assert_image_catches_with("DG2004", image("1000"), allowing(&["10001"]));
        assert_image_catches_with("DG2004", image(""), allowing(&["app"]));
    }

    #[test]
    fn allowed_or_no_list() {
        assert_image_catches_not_with("DG2004", image("app"), allowing(&["10001"]));
        assert_image_catches_not_with("DG2004", image("10001:10001"), allowing(&["app"]));
        assert_image_catches_not_with("DG2004", image("other"), serde_json::json!({}));
    }
}
