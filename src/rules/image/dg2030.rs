//! DG2030: package-manager caches are left in the image.

use crate::image::limits::format_size;
use crate::image::provenance::Subject;
use crate::rules::ImageContext;

crate::declare_rule! {
    /// ## What it does
    /// Finds package-manager caches in the final file system: apt lists
    /// (`/var/lib/apt/lists/*`), downloaded `.deb` files, the apk cache
    /// (`/var/cache/apk`), pip's cache (`~/.cache/pip`) and npm's (`~/.npm`).
    ///
    /// ## Why is this bad?
    /// Caches are only useful while installing; left behind they add megabytes to
    /// every pull, and stale apt lists make later `apt-get install` steps in derived
    /// images install outdated packages.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    code: "DG2030",
    name: "image-package-cache",
    severity: Warning,
    category: BestPractice,
    message: "Package-manager caches are left in the image",
    enabled_by_default: true,
    needs_layers: true,
    image_check: check,
}

fn check(context: &mut ImageContext) {
    let Some(files) = &context.facts().files else {
        return;
    };
    let caches = files.caches.clone();
    for cache in caches {
        context.report_about(Subject::Layer(cache.layer), format!(
            "{} left in the image: {} ({}, {})",
            cache.kind,
            cache.path,
            super::files(cache.files),
            format_size(cache.bytes)
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::image::testing::{Image, Layer};
    use crate::rules::testing::*;

    #[test]
    fn caches() {
        let apt = Image::new().layer(Layer::new().file("var/lib/apt/lists/deb_Packages", &[0; 2048]), GZ, "RUN apt-get update");
        assert_image_message("DG2030", apt, "apt lists left in the image: /var/lib/apt/lists (1 file, 2.0 kB)");
        assert_image_catches("DG2030", Image::new().layer(Layer::new().file("var/cache/apk/APKINDEX.tar.gz", b"x"), GZ, "RUN apk add"));
        assert_image_catches("DG2030", Image::new().layer(Layer::new().file("home/app/.npm/_cacache/index", b"x"), GZ, "RUN npm ci"));
    }

    #[test]
    fn cleaned() {
        let image = Image::new()
            .layer(Layer::new().file("var/lib/apt/lists/deb_Packages", b"x").file("var/lib/apt/lists/lock", b""), GZ, "RUN apt-get update")
            .layer(Layer::new().whiteout("var/lib/apt/lists/deb_Packages"), GZ, "RUN rm -rf /var/lib/apt/lists/*");
        assert_image_catches_not("DG2030", image);
    }
}
