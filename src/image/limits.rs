//! Bounds on reading a layer, which keep a hostile image from exhausting the machine
//! (the policy's budgets are the image rules' options), and the size formatter.

/// Bounds on reading one layer.
#[derive(Debug, Clone, Copy)]
pub struct WalkLimits {
    /// Decompressed bytes per layer before the layer is rejected.
    pub max_layer_bytes: u64,
    /// Once more than `ratio_floor` bytes are decompressed, the decompressed size may be
    /// at most this many times the compressed bytes read so far. Real layers compress
    /// 2-10x; a gzip bomb of zeros reaches 1000x.
    pub max_ratio: u64,
    pub ratio_floor: u64,
    /// Files up to this size are read for secrets (larger ones only by name).
    pub secret_scan_bytes: u64,
    /// `/etc/passwd` and `/etc/group` up to this size are read.
    pub account_file_bytes: u64,
}

impl Default for WalkLimits {
    fn default() -> Self {
        WalkLimits {
            max_layer_bytes: 64 << 30,
            max_ratio: 200,
            ratio_floor: 256 << 20,
            secret_scan_bytes: 256 << 10,
            account_file_bytes: 4 << 20,
        }
    }
}

/// A size for people, in the decimal units Docker and the policy use: `512 B`,
/// `1.5 kB`, `200.0 MB`.
pub fn format_size(bytes: u64) -> String {
    crate::units::Size::human(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_format_for_people() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(1536), "1.5 kB");
        assert_eq!(format_size(200_000_000), "200.0 MB");
    }
}
