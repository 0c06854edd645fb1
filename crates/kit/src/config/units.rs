//! Go-style durations (`1h30m`, `500ms`) and byte sizes (`128MB`) as used in Ory configs.

use std::time::Duration;

/// Why a duration or byte size string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// Not Go `time.ParseDuration` syntax.
    #[error("{0:?} is not a valid duration")]
    Duration(String),
    /// Not a byte size such as `128MB`.
    #[error("{0:?} is not a valid byte size")]
    ByteSize(String),
}

const UNITS: [(&str, u128); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60 * 1_000_000_000),
    ("h", 3600 * 1_000_000_000),
];

/// Parses a duration in Go syntax: `10s`, `15m`, `1h30m`, `1.5h`, `500ms`, `0`.
/// Negative durations are rejected (no config value means "in the past").
pub fn parse_duration(s: &str) -> Result<Duration, UnitError> {
    let err = || UnitError::Duration(s.to_string());
    let rest = s.strip_prefix('+').unwrap_or(s);
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(err());
    }
    let mut rest = rest;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            frac_part = &r[..n];
            rest = &r[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err());
        }
        let (unit, scale) = UNITS
            .iter()
            .filter(|(u, _)| rest.starts_with(u))
            .max_by_key(|(u, _)| u.len())
            .ok_or_else(err)?;
        rest = &rest[unit.len()..];
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| err())?
        };
        let mut nanos = whole.checked_mul(*scale).ok_or_else(err)?;
        // Fraction digits beyond nanosecond precision are dropped, like Go.
        let mut place = *scale;
        for d in frac_part.chars().take(30) {
            place /= 10;
            nanos += u128::from(d.to_digit(10).unwrap_or(0)) * place;
        }
        total = total.checked_add(nanos).ok_or_else(err)?;
    }
    let total = u64::try_from(total).map_err(|_| err())?;
    Ok(Duration::from_nanos(total))
}

/// Formats a duration the way Go's `Duration.String` does (`1h30m0s`, `500ms`, `0s`).
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000_000_000 {
        let (div, unit) = match nanos {
            n if n < 1_000 => (1, "ns"),
            n if n < 1_000_000 => (1_000, "µs"),
            _ => (1_000_000, "ms"),
        };
        return format!("{}{unit}", trim_fraction(nanos, div));
    }
    let secs = nanos / 1_000_000_000;
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    let s = trim_fraction(nanos % 60_000_000_000, 1_000_000_000);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m{s}s"),
        (h, m) => format!("{h}h{m}m{s}s"),
    }
}

fn trim_fraction(n: u128, div: u128) -> String {
    let (whole, frac) = (n / div, n % div);
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Parses a byte size like Kratos (`github.com/inhies/go-bytesize`): `128MB`, `1GB`, `64KB`,
/// `512B`; multiples of 1024. Returns bytes.
pub fn parse_byte_size(s: &str) -> Result<u64, UnitError> {
    let err = || UnitError::ByteSize(s.to_string());
    let t = s.trim();
    let n = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
    let (num, unit) = t.split_at(n);
    let num: u64 = num.parse().map_err(|_| err())?;
    let pow = match unit.trim().to_ascii_uppercase().as_str() {
        "B" => 0,
        "KB" | "K" => 1,
        "MB" | "M" => 2,
        "GB" | "G" => 3,
        "TB" | "T" => 4,
        "PB" | "P" => 5,
        "EB" | "E" => 6,
        _ => return Err(err()),
    };
    num.checked_mul(1024u64.pow(pow)).ok_or_else(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        let d = |s| parse_duration(s).unwrap();
        assert_eq!(d("1h"), Duration::from_secs(3600));
        assert_eq!(d("15m"), Duration::from_secs(900));
        assert_eq!(d("500ms"), Duration::from_millis(500));
        assert_eq!(d("1h30m"), Duration::from_secs(5400));
        assert_eq!(d("10s"), Duration::from_secs(10));
        assert_eq!(d("1.5h"), Duration::from_secs(5400));
        assert_eq!(d("0"), Duration::ZERO);
        assert_eq!(d("2us"), Duration::from_micros(2));
        assert_eq!(d("720h"), Duration::from_secs(720 * 3600));
        for bad in ["", "1x", "1", "h", "1d", "-1h", "1h 30m", "."] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_duration("1x").unwrap_err().to_string(),
            "\"1x\" is not a valid duration"
        );
    }

    #[test]
    fn formats_like_go() {
        for (s, want) in [
            ("1h30m", "1h30m0s"),
            ("500ms", "500ms"),
            ("90s", "1m30s"),
            ("0", "0s"),
        ] {
            assert_eq!(format_duration(parse_duration(s).unwrap()), want);
        }
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(parse_byte_size("128MB").unwrap(), 128 << 20);
        assert_eq!(parse_byte_size("1GB").unwrap(), 1 << 30);
        assert_eq!(parse_byte_size("64KB").unwrap(), 64 << 10);
        assert_eq!(parse_byte_size("10B").unwrap(), 10);
        assert!(parse_byte_size("MB").is_err());
        assert!(parse_byte_size("12XB").is_err());
    }
}
