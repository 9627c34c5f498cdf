//! DG2022: setuid or setgid files in the image.

use std::collections::BTreeMap;

use crate::image::provenance::Subject;
use crate::rules::{ImageContext, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Lists regular files in the final file system with the setuid or setgid bit,
    /// except the paths the policy allows.
    ///
    /// ## Why is this bad?
    /// A setuid-root binary is a way back to root for a process that dropped it: any
    /// bug in it is a privilege escalation. Containers rarely need one (`su`, `passwd`,
    /// `mount` come with base images and are never used).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// USER 10001
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +
    /// USER 10001
    /// ```
    ///
    /// ## Options
    /// `image.allowed_setuid`: paths that may keep the bit, as globs (`/usr/bin/*`).
    code: "DG2022",
    name: "image-setuid-file",
    severity: Warning,
    category: Security,
    message: "The image has setuid or setgid files",
    enabled_by_default: true,
    needs_layers: true,
    options: [
        RuleOption::new("allowed_setuid", OptionKind::Globs, "Setuid/setgid files that are expected (`/usr/bin/passwd`).").from_policy("image.allowed_setuid"),
    ],
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let Some(files) = &context.facts().files else {
        return;
    };
    let allowed = super::PathGlobs::new(context.options().strings("allowed_setuid"));
    // One finding per layer, so that each lands on the instruction that made its files.
    let mut by_layer: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for file in &files.setuid {
        if allowed.matches(&file.path) {
            continue;
        }
        let bits = match (file.mode & 0o4000 != 0, file.mode & 0o2000 != 0) {
            (true, true) => "setuid+setgid",
            (true, false) => "setuid",
            _ => "setgid",
        };
        by_layer.entry(file.layer).or_default().push(format!(
            "{} ({bits}, mode {:o}, owner {})",
            file.path,
            file.mode & 0o7777,
            file.uid
        ));
    }
    for (layer, found) in by_layer {
        context.report_about(
            Subject::Layer(layer),
            format!("{} with setuid/setgid: {}", super::files(found.len()), found.join(", ")),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    fn image() -> Image {
        Image::new().layer(Layer::new().file_with("usr/bin/su", b"x", 0o4755, 0, 0).file_with("usr/bin/ls", b"x", 0o755, 0, 0), GZ, "base")
    }

    #[test]
    fn setuid() {
        assert_image_message("DG2022", image(), "/usr/bin/su (setuid, mode 4755, owner 0)");
    }

    #[test]
    fn allowed_or_absent() {
        let limits = serde_json::json!({"allowed_setuid": ["/usr/bin/su"]});
        assert_image_catches_not_with("DG2022", image(), limits);
        let globbed = serde_json::json!({"allowed_setuid": ["usr/bin/*"]});
        assert_image_catches_not_with("DG2022", image(), globbed);
        let elsewhere = serde_json::json!({"allowed_setuid": ["/usr/*"]});
        assert_image_catches_with("DG2022", image(), elsewhere);
        let removed = image().layer(Layer::new().file_with("usr/bin/su", b"x", 0o755, 0, 0), GZ, "chmod a-s");
        assert_image_catches_not("DG2022", removed);
    }
}
