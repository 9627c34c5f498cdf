//! Walks arbitrary bytes as a layer blob (plain, or behind gzip or zstd as the first
//! byte chooses), then merges the summary and resolves paths through it: no panic, no
//! unbounded allocation, whatever the tar headers claim.
#![no_main]

use dockgate::image::WalkLimits;
use dockgate::image::fs::MergedFs;
use dockgate::image::testing::Compression;
use dockgate::image::walker::summarize_layer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let blob = match mode % 3 {
        0 => rest.to_vec(),
        1 => Compression::Gzip.compress(rest),
        _ => Compression::Zstd.compress(rest),
    };
    let limits = WalkLimits {
        max_layer_bytes: 64 << 20,
        ..WalkLimits::default()
    };
    if let Ok(summary) = summarize_layer(&mut &blob[..], None, &limits) {
        let fs = MergedFs::merge([&summary, &summary]);
        for path in ["etc/passwd", "bin/sh", "a/b/../c"] {
            let _ = fs.resolve(path);
        }
    }
});
