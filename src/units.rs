//! Values with units in policy files: sizes (`200MB`, `1.5GiB`) and percentages (`10%`).

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A number of bytes, written as `200MB`, `1.5GiB`, `512KiB` or a plain byte count.
/// Decimal units (kB, MB, GB, TB) are powers of 1000, binary units (KiB, MiB, GiB,
/// TiB) powers of 1024, as in the design's interface and in `docker images`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Size(pub u64);

const SIZE_UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("kB", 1000),
    ("KB", 1000),
    ("MB", 1000 * 1000),
    ("GB", 1000 * 1000 * 1000),
    ("TB", 1000 * 1000 * 1000 * 1000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
];

/// What every size error says was expected.
pub const SIZE_EXPECTED: &str =
    "a size such as `200MB`, `1.5GiB` or `1048576` (units B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)";

impl FromStr for Size {
    type Err = String;

    fn from_str(text: &str) -> Result<Size, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = (&text[..split], text[split..].trim_start());
        let invalid = || format!("invalid size `{text}`: expected {SIZE_EXPECTED}");
        if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
            return Err(invalid());
        }
        let multiplier = if unit.is_empty() {
            1
        } else {
            SIZE_UNITS
                .iter()
                .find(|(name, _)| *name == unit)
                .map(|&(_, multiplier)| multiplier)
                .ok_or_else(|| {
                    match SIZE_UNITS
                        .iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case(unit))
                    {
                        Some((name, _)) => {
                            format!("invalid size `{text}`: unit `{unit}` is written `{name}`")
                        }
                        None => invalid(),
                    }
                })?
        };
        let bytes = match number.split_once('.') {
            None => number
                .parse::<u64>()
                .ok()
                .and_then(|whole| whole.checked_mul(multiplier)),
            // Exact decimal arithmetic: 1.5GiB is 1610612736 bytes, not a float's
            // approximation of it.
            Some((whole, fraction)) if !fraction.contains('.') => (|| {
                let whole: u128 = whole.parse().ok()?;
                let scale = 10u128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
                let fraction: u128 = fraction.parse().ok()?;
                let bytes =
                    (whole.checked_mul(scale)? + fraction).checked_mul(multiplier as u128)? / scale;
                u64::try_from(bytes).ok()
            })(),
            Some(_) => None,
        };
        bytes.map(Size).ok_or_else(invalid)
    }
}

impl fmt::Display for Size {
    /// The shortest exact form: `200MB`, `1.5GiB`, or bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut units: Vec<(&str, u64)> = SIZE_UNITS
            .iter()
            .copied()
            .filter(|(name, _)| !matches!(*name, "B" | "KB"))
            .collect();
        units.sort_by_key(|&(_, multiplier)| std::cmp::Reverse(multiplier));
        // The largest unit that writes the size exactly with at most one decimal.
        for (name, multiplier) in &units {
            if self.0 >= *multiplier && (self.0 * 10).is_multiple_of(*multiplier) {
                let tenths = self.0 * 10 / multiplier;
                return if tenths.is_multiple_of(10) {
                    write!(f, "{}{name}", tenths / 10)
                } else {
                    write!(f, "{}.{}{name}", tenths / 10, tenths % 10)
                };
            }
        }
        write!(f, "{}B", self.0)
    }
}

impl Size {
    /// A human approximation for reports (`12.3 MB`), unlike `Display`, which is exact.
    pub fn human(bytes: u64) -> String {
        const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
        let mut value = bytes as f64;
        let mut unit = 0;
        while value >= 1000.0 && unit + 1 < UNITS.len() {
            value /= 1000.0;
            unit += 1;
        }
        if unit == 0 {
            format!("{bytes} B")
        } else {
            format!("{value:.1} {}", UNITS[unit])
        }
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Size, D::Error> {
        struct SizeVisitor;
        impl Visitor<'_> for SizeVisitor {
            type Value = Size;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(SIZE_EXPECTED)
            }
            fn visit_u64<E: de::Error>(self, bytes: u64) -> Result<Size, E> {
                Ok(Size(bytes))
            }
            fn visit_i64<E: de::Error>(self, bytes: i64) -> Result<Size, E> {
                u64::try_from(bytes).map(Size).map_err(|_| {
                    E::custom(format!("invalid size `{bytes}`: expected {SIZE_EXPECTED}"))
                })
            }
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Size, E> {
                Err(E::custom(format!(
                    "invalid size `{value}`: a byte count must be whole; write a unit (`{value}MB`)"
                )))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Size, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(SizeVisitor)
    }
}

impl Serialize for Size {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl JsonSchema for Size {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Size".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A size: a byte count, or a number with a unit (B, kB, MB, GB, TB = powers of 1000; KiB, MiB, GiB, TiB = powers of 1024), e.g. `200MB`, `1.5GiB`.",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\\s*$" }
            ]
        })
    }
}

/// A share of something, written `10%` (or `0.1`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Percent(pub f64);

impl FromStr for Percent {
    type Err = String;

    fn from_str(text: &str) -> Result<Percent, String> {
        let invalid =
            || format!("invalid percentage `{text}`: expected a percentage such as `10%`");
        let number = text
            .trim()
            .strip_suffix('%')
            .ok_or_else(invalid)?
            .trim_end();
        let value: f64 = number.parse().map_err(|_| invalid())?;
        if !(0.0..=100.0).contains(&value) {
            return Err(format!("invalid percentage `{text}`: expected 0% to 100%"));
        }
        Ok(Percent(value / 100.0))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0 * 100.0)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Percent, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl JsonSchema for Percent {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Percent".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A percentage such as `10%`.",
            "type": "string",
            "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*%\\s*$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(text: &str) -> Result<u64, String> {
        text.parse::<Size>().map(|size| size.0)
    }

    #[test]
    fn sizes_in_every_unit() {
        assert_eq!(size("200MB"), Ok(200_000_000));
        assert_eq!(size("1.5GiB"), Ok(1_610_612_736));
        assert_eq!(size("512 KiB"), Ok(524_288));
        assert_eq!(size("80kB"), Ok(80_000));
        assert_eq!(size("7"), Ok(7));
        assert_eq!(size("7B"), Ok(7));
        assert_eq!(size("0.5MB"), Ok(500_000));
    }

    #[test]
    fn bad_sizes_say_what_was_expected() {
        for bad in [
            "",
            "MB",
            "12 parsecs",
            "1.2.3MB",
            "-5MB",
            ".5MB",
            "5.MB",
            "99999999999TB",
        ] {
            let error = size(bad).unwrap_err();
            assert!(error.contains("expected a size"), "{bad}: {error}");
        }
        assert_eq!(
            size("200mb").unwrap_err(),
            "invalid size `200mb`: unit `mb` is written `MB`"
        );
    }

    #[test]
    fn display_is_exact_and_round_trips() {
        for text in ["200MB", "1.5GiB", "80kB", "7B", "1TiB"] {
            let parsed: Size = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
        }
        assert_eq!(Size(1_234_567).to_string(), "1234567B");
    }

    #[test]
    fn percentages() {
        assert_eq!("10%".parse::<Percent>(), Ok(Percent(0.1)));
        assert!("10".parse::<Percent>().is_err());
        assert!("120%".parse::<Percent>().is_err());
    }
}
