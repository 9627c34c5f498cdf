//! DG2023: application files are writable by the runtime user.

use crate::rules::ImageContext;

crate::declare_rule! {
    /// ## What it does
    /// Lists files outside scratch directories (`/tmp`, `/var/tmp`, `/run`) that the
    /// non-root runtime user may modify: owned by it and owner-writable, group-writable
    /// for its group, or world-writable. Off by default.
    ///
    /// ## Why is this bad?
    /// Running as non-root limits what an attacker can do; if the application's own
    /// code and config are writable by that user, a foothold becomes a persistent,
    /// modified application.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY --chown=app:app . /app
    /// USER app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// COPY . /app
    /// USER app
    /// ```
    code: "DG2023",
    name: "image-writable-app-files",
    severity: Warning,
    category: Security,
    message: "Application files are writable by the runtime user",
    enabled_by_default: false,
    needs_layers: true,
    image_check: check,
}

/// Paths listed in the message; the count covers the rest.
const SHOWN: usize = 5;

fn check(context: &mut ImageContext) {
    let facts = context.facts();
    let Some(files) = &facts.files else {
        return;
    };
    let writable = &files.writable_by_user;
    if writable.is_empty() {
        return;
    }
    let shown: Vec<&str> = writable.iter().take(SHOWN).map(String::as_str).collect();
    let more = if writable.len() > SHOWN {
        format!(" and {} more", writable.len() - SHOWN)
    } else {
        String::new()
    };
    context.report(format!(
        "{} writable by the runtime user `{}`: {}{more}",
        super::files(writable.len()),
        facts.user.configured,
        shown.join(", ")
    ));
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    const PASSWD: &[u8] = b"root:x:0:0::/:/bin/sh\napp:x:10001:10001::/:/bin/sh\n";

    #[test]
    fn owned_by_the_user() {
        let image = Image::new().user("app").layer(Layer::new().file("etc/passwd", PASSWD).file_with("app/main.py", b"x", 0o644, 10001, 10001), GZ, "COPY --chown=app");
        assert_image_message("DG2023", image, "/app/main.py");
        let world = Image::new().user("10001").layer(Layer::new().file_with("app/conf", b"x", 0o666, 0, 0), GZ, "COPY");
        assert_image_catches("DG2023", world);
    }

    #[test]
    fn read_only_or_scratch() {
        let image = Image::new().user("app").layer(
            Layer::new().file("etc/passwd", PASSWD).file_with("app/main.py", b"x", 0o644, 0, 0).file_with("tmp/cache", b"x", 0o666, 10001, 10001),
            GZ,
            "COPY",
        );
        assert_image_catches_not("DG2023", image);
    }
}
