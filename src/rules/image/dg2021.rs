//! DG2021: an environment variable of the image holds a secret.

use crate::image::provenance::Subject;
use crate::rules::ImageContext;

crate::declare_rule! {
    /// ## What it does
    /// Checks the config's environment variables for secrets: a name that says so
    /// (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`, ...) with a literal value,
    /// or any value that is a well-known token (`ghp_...`, `AKIA...`). Names ending in
    /// `_FILE` or `_PATH`, and values that are paths, are not secrets themselves.
    ///
    /// ## Why is this bad?
    /// `ENV` values are part of the image config: `docker inspect` and every registry
    /// UI show them, and every container inherits them.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV DB_PASSWORD=hunter2
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # pass it at run time, or mount it and point to it
    /// ENV DB_PASSWORD_FILE=/run/secrets/db_password
    /// ```
    code: "DG2021",
    name: "image-secret-env",
    severity: Error,
    category: Security,
    message: "An environment variable of the image holds a secret",
    enabled_by_default: true,
    needs_layers: false,
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let secrets: Vec<String> = context
        .facts()
        .env
        .iter()
        .filter(|(name, value)| crate::image::secrets::env_is_secret(name, value))
        .map(|(name, _)| name.clone())
        .collect();
    for name in secrets {
        // The value is deliberately not repeated in the report.
        context.report_about(
            Subject::Env(name.clone()),
            format!("Environment variable `{name}` holds a secret in the image config"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::Image;
    use crate::rules::testing::*;

    #[test]
    fn secrets() {
        assert_image_message("DG2021", Image::new().env("DB_PASSWORD=hunter2"), "`DB_PASSWORD`");
        assert_image_catches("DG2021", Image::new().env(&format!("HELPER=AKIA{}", "Z".repeat(16))));
    }

    #[test]
    fn not_secrets() {
        assert_image_catches_not("DG2021", Image::new().env("DB_PASSWORD_FILE=/run/secrets/db").env("PATH=/usr/bin").env("TOKEN_URL="));
    }
}
