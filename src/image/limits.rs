//! What the image policy allows: budgets, limits and allowlists. A plain struct with
//! defaults; the policy file fills it in.

/// The image checks' options. `Default` is the recommended policy.
#[derive(Debug, Clone)]
pub struct ImageLimits {
    /// The image must not run as UID 0 (DG2001).
    pub non_root: bool,
    /// Budget for the uncompressed size of all layers, in bytes (DG2010).
    pub max_size: Option<u64>,
    /// Budget for the sum of the compressed layer blobs, in bytes (DG2011).
    pub max_compressed_size: Option<u64>,
    /// Budget for the uncompressed growth against the baseline image (DG2015).
    pub max_growth: Option<u64>,
    /// Budget for one layer's uncompressed size (DG2012).
    pub max_layer_size: Option<u64>,
    /// Budget for the number of layers (DG2013).
    pub max_layers: Option<usize>,
    /// Bytes of files that later layers overwrite or delete (DG2014).
    pub max_wasted: u64,
    /// Share of the uncompressed size those wasted bytes may be, 0.0 to 1.0 (DG2014).
    pub max_wasted_ratio: Option<f64>,
    /// Names or UIDs the image may run as; empty: any non-root user (DG2004).
    pub allowed_users: Vec<String>,
    /// Exposed ports that are allowed, `8080/tcp` or `8080` (= tcp). `None`: any port
    /// (DG2033).
    pub allowed_ports: Option<Vec<String>>,
    /// Paths of setuid/setgid files that are expected (DG2022).
    pub allowed_setuid: Vec<String>,
    /// Glob patterns of image paths whose secrets are known and accepted (DG2020).
    pub secret_allowlist: Vec<String>,
    /// Limits that keep a hostile layer from exhausting the machine.
    pub walk: WalkLimits,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            non_root: true,
            max_size: None,
            max_compressed_size: None,
            max_growth: None,
            max_layer_size: None,
            max_layers: None,
            max_wasted: 20 * 1_000_000,
            max_wasted_ratio: None,
            allowed_users: Vec::new(),
            allowed_ports: None,
            allowed_setuid: Vec::new(),
            secret_allowlist: Vec::new(),
            walk: WalkLimits::default(),
        }
    }
}

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
    crate::policy::units::Size::human(bytes)
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
