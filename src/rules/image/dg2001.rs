//! DG2001: the image runs as root.

use crate::image::provenance::Subject;
use crate::rules::{ImageContext, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Checks that the image's runtime user is not UID 0. The config's `User` is
    /// resolved through the image's own `/etc/passwd`, so a user named `app` with UID 0
    /// is root, and so are `0:0`, `root:root` and no `USER` at all.
    ///
    /// With `--live` (`docker-daemon:` images), the image is run and the verdict is
    /// the real UID of its main process: an image that starts as root and drops to
    /// another user (`gosu`, `su-exec`, as the postgres and redis images do) passes, and
    /// the message of one that stays root says the live check saw it.
    ///
    /// ## Why is this bad?
    /// A process running as root in a container is root on the host's kernel: one
    /// container escape or writable host mount away from the host. Kubernetes'
    /// `runAsNonRoot` refuses such images.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// COPY server /usr/local/bin/
    /// CMD ["server"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd --uid 10001 --no-create-home app
    /// COPY server /usr/local/bin/
    /// USER 10001:10001
    /// CMD ["server"]
    /// ```
    ///
    /// ## Options
    /// `image.non_root` (default `true`): set to `false` to allow root.
    code: "DG2001",
    name: "image-runs-as-root",
    severity: Error,
    category: Security,
    message: "The image runs as root",
    enabled_by_default: true,
    needs_layers: false,
    options: [
        RuleOption::new("non_root", OptionKind::Bool, "Whether the image must not run as UID 0 (default true).").from_policy("image.non_root"),
    ],
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let facts = context.facts();
    let user = &facts.user;
    if !context.options().bool_or("non_root", true) {
        return;
    }
    // A live check saw what runs: that, not the config, is the verdict.
    if let Some(live) = context.inspection().live {
        if live.uid == 0 {
            let configured = match user.configured.trim() {
                "" => "its config sets no user".to_string(),
                configured => format!("its config sets user `{configured}`"),
            };
            context.report_about(Subject::User, format!(
                "The image runs as root: its main process ran as UID 0 in the live check ({configured})"
            ));
        }
        return;
    }
    if !user.runs_as_root {
        return;
    }
    let message = match (user.configured.trim(), user.name.as_deref()) {
        ("", _) => "The image runs as root: its config sets no user".to_string(),
        (configured, Some(name)) if configured.split(':').next() != Some(name) => {
            format!("The image runs as root: user `{configured}` is `{name}`, UID 0")
        }
        (configured, _) => format!("The image runs as root: user `{configured}` is UID 0"),
    };
    context.report_about(Subject::User, message);
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    fn with_passwd(image: Image) -> Image {
        image.layer(Layer::new().file("etc/passwd", b"root:x:0:0::/:/bin/sh\napp:x:10001:10001::/:/bin/sh\nboss:x:0:0::/:/bin/sh\n"), GZ, "base")
    }

    #[test]
    fn root() {
        assert_image_catches("DG2001", with_passwd(Image::new()));
        assert_image_catches("DG2001", with_passwd(Image::new().user("root")));
        assert_image_catches("DG2001", with_passwd(Image::new().user("0:0")));
        assert_image_catches("DG2001", with_passwd(Image::new().user("boss")));
        assert_image_message("DG2001", with_passwd(Image::new().user("boss")), "user `boss` is UID 0");
    }

    #[test]
    fn not_root() {
        assert_image_catches_not("DG2001", with_passwd(Image::new().user("app")));
        assert_image_catches_not("DG2001", with_passwd(Image::new().user("10001:10001")));
        assert_image_catches_not("DG2001", Image::new().user("65532").layer(Layer::new().file("app", b"x"), GZ, "app"));
    }

    #[test]
    fn allowed_by_policy() {
        let limits = serde_json::json!({"non_root": false});
        assert_image_catches_not_with("DG2001", with_passwd(Image::new().user("root")), limits);
    }
}
