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

/// Parses a size: `200MB`, `1.5GiB`, `512`, `10 kB`. Units B, kB/MB/GB/TB (powers of
/// 1000) and KiB/MiB/GiB/TiB (powers of 1024); a bare number is bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let invalid = || {
        format!(
            "invalid size `{text}` (expected e.g. 200MB or 1.5GiB; units B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)"
        )
    };
    let multiplier: u64 = match unit.trim() {
        "" | "B" => 1,
        "kB" | "KB" | "k" => 1000,
        "MB" | "M" => 1000_u64.pow(2),
        "GB" | "G" => 1000_u64.pow(3),
        "TB" | "T" => 1000_u64.pow(4),
        "KiB" | "Ki" => 1 << 10,
        "MiB" | "Mi" => 1 << 20,
        "GiB" | "Gi" => 1 << 30,
        "TiB" | "Ti" => 1 << 40,
        _ => return Err(invalid()),
    };
    if number.is_empty() || number.matches('.').count() > 1 || number.ends_with('.') {
        return Err(invalid());
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| invalid())?
    };
    let mut bytes = whole.checked_mul(multiplier).ok_or_else(invalid)?;
    // The fraction in exact integer arithmetic: "1.5GiB" is exactly 1610612736.
    if !fraction.is_empty() {
        let digits = fraction.len().min(18) as u32;
        let numerator: u64 = fraction[..digits as usize].parse().map_err(|_| invalid())?;
        let part = u128::from(numerator) * u128::from(multiplier) / 10_u128.pow(digits);
        bytes = bytes.checked_add(part as u64).ok_or_else(invalid)?;
    }
    Ok(bytes)
}

/// A size for people: `1.5 GiB`, `12.3 MB` style with binary units, `512 B`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_decimal_and_binary_units() {
        assert_eq!(parse_size("200MB"), Ok(200_000_000));
        assert_eq!(parse_size("1.5GiB"), Ok(1_610_612_736));
        assert_eq!(parse_size("10 kB"), Ok(10_000));
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("3KiB"), Ok(3072));
        assert_eq!(parse_size("0.5MB"), Ok(500_000));
        for bad in [
            "",
            "MB",
            "1.2.3MB",
            "12XB",
            "-1MB",
            "1.MB",
            "99999999999999999999GB",
        ] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_format_for_people() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(200 << 20), "200.0 MiB");
    }
}
