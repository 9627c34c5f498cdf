//! DG2020: a secret is stored in a layer.


use crate::image::provenance::Subject;
use crate::rules::{ImageContext, OptionKind, RuleOption};

crate::declare_rule! {
    /// ## What it does
    /// Looks for secrets in every layer of the image, including files that a later
    /// layer deleted: private keys (by name, `id_rsa`..., and by content, `-----BEGIN
    /// ... PRIVATE KEY-----`), `.env` files, `.aws/credentials`, `.docker/config.json`
    /// with registry auths, `.npmrc` with an `_authToken`, `.git-credentials`, and
    /// tokens with well-known prefixes (`ghp_`, `github_pat_`, `AKIA`, `xoxb-`,
    /// `glpat-`) in text files up to 256 KiB.
    ///
    /// ## Why is this bad?
    /// Anyone who can pull the image can read every layer. `RUN rm id_rsa` in a later
    /// step hides the file from the container but not from `docker save`: the key is
    /// still in the earlier layer's blob.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY id_rsa /root/.ssh/id_rsa
    /// RUN git clone git@github.com:org/private.git && rm /root/.ssh/id_rsa
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN --mount=type=ssh git clone git@github.com:org/private.git
    /// ```
    ///
    /// ## Options
    /// `image.secrets_allowlist`: glob patterns of paths to accept (test fixtures).
    code: "DG2020",
    name: "image-secret-in-layer",
    severity: Error,
    category: Security,
    message: "A secret is stored in an image layer",
    enabled_by_default: true,
    needs_layers: true,
    options: [
        RuleOption::new("secrets_allowlist", OptionKind::Globs, "Image paths whose secrets are known and accepted (test fixtures, public certificates).").from_policy("image.secrets_allowlist"),
    ],
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let facts = context.facts();
    let Some(files) = &facts.files else {
        return;
    };
    let allowlist = super::PathGlobs::new(context.options().strings("secrets_allowlist"));
    for secret in &files.secrets {
        if allowlist.matches(&secret.path) {
            continue;
        }
        let still = if secret.present {
            String::new()
        } else {
            " (deleted by a later layer, but still in this layer's blob)".to_string()
        };
        let message = format!(
            "{} is {}, in layer {} made by {}{still}",
            secret.path,
            secret.kind.describe(),
            secret.layer + 1,
            super::created_by(context.inspection(), secret.layer)
        );
        context.report_about(Subject::Layer(secret.layer), message);
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    const KEY: &[u8] = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

    #[test]
    fn deleted_in_the_next_layer() {
        let image = Image::new()
            .layer(Layer::new().file("root/.ssh/deploy", KEY), GZ, "COPY deploy /root/.ssh/")
            .layer(Layer::new().whiteout("root/.ssh/deploy"), GZ, "RUN rm /root/.ssh/deploy");
        assert_image_message("DG2020", image, "/root/.ssh/deploy is a private key, in layer 1 made by `COPY deploy /root/.ssh/` (deleted by a later layer");
    }

    #[test]
    fn by_name_and_token() {
        assert_image_catches("DG2020", Image::new().layer(Layer::new().file("app/.env", b"X=1"), GZ, "COPY . /app"));
        let token = format!("machine github.com password ghp_{}\n", "A".repeat(36));
        assert_image_message("DG2020", Image::new().layer(Layer::new().file("root/.netrc", token.as_bytes()), GZ, "COPY netrc"), "a GitHub token");
        assert_image_catches("DG2020", Image::new().layer(Layer::new().file("app/.npmrc", b"//registry.npmjs.org/:_authToken=x"), GZ, "COPY"));
    }

    #[test]
    fn clean_or_allowlisted() {
        assert_image_catches_not("DG2020", Image::new().layer(Layer::new().file("app/.env.example", b"X=").file("etc/ssl/cert.pem", b"-----BEGIN CERTIFICATE-----\n"), GZ, "COPY"));
        let limits = serde_json::json!({"secrets_allowlist": ["usr/lib/**/tests/*.pem"]});
        let image = Image::new().layer(Layer::new().file("usr/lib/python3/tests/key.pem", KEY), GZ, "COPY");
        assert_image_catches_not_with("DG2020", image, limits);
    }
}
