//! `serde` adapters for Go durations and byte sizes in typed config structs.

/// `#[serde(with = "nexus_kit::config::go_duration")]` for `std::time::Duration` fields holding
/// Go duration strings (`"1h"`); integers are read as nanoseconds, like Go.
pub mod go_duration {
    use serde::{de, Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Str(String),
        Nanos(u64),
    }

    /// Reads `"1h30m"` or a nanosecond count.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        match Raw::deserialize(d)? {
            Raw::Str(s) => super::super::parse_duration(&s).map_err(de::Error::custom),
            Raw::Nanos(n) => Ok(Duration::from_nanos(n)),
        }
    }

    /// Writes Go's `Duration.String` form.
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::super::format_duration(*d))
    }

    /// The same for `Option<Duration>` (absent or `null` → `None`).
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use std::time::Duration;

        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "super")] Duration);

        /// Reads an optional Go duration.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
            Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
        }

        /// Writes `null` or Go's `Duration.String` form.
        pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }
    }
}

/// `#[serde(with = "nexus_kit::config::byte_size")]` for `u64` byte counts written as `"128MB"`
/// (plain integers are bytes).
pub mod byte_size {
    use serde::{de, Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Str(String),
        Bytes(u64),
    }

    /// Reads `"128MB"` or a byte count.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        match Raw::deserialize(d)? {
            Raw::Str(s) => super::super::parse_byte_size(&s).map_err(de::Error::custom),
            Raw::Bytes(n) => Ok(n),
        }
    }

    /// Writes the largest exact unit (`"128MB"`).
    pub fn serialize<S: Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];
        let (mut v, mut i) = (*n, 0);
        while v != 0 && v % 1024 == 0 && i < units.len() - 1 {
            v /= 1024;
            i += 1;
        }
        s.serialize_str(&format!("{v}{}", units[i]))
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use std::time::Duration;

    #[derive(Deserialize, Serialize, Debug, PartialEq)]
    struct T {
        #[serde(with = "super::go_duration")]
        d: Duration,
        #[serde(default, with = "super::go_duration::option")]
        o: Option<Duration>,
        #[serde(with = "super::byte_size")]
        b: u64,
    }

    #[test]
    fn round_trips() {
        let t: T = serde_json::from_str(r#"{"d":"1h30m","b":"128MB"}"#).unwrap();
        assert_eq!(t.d, Duration::from_secs(5400));
        assert_eq!(t.o, None);
        assert_eq!(t.b, 128 << 20);
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["d"], "1h30m0s");
        assert_eq!(v["b"], "128MB");
        let t: T = serde_json::from_str(r#"{"d":1000,"o":"5m","b":2048}"#).unwrap();
        assert_eq!(
            (t.d, t.o),
            (Duration::from_micros(1), Some(Duration::from_secs(300)))
        );
        let e = serde_json::from_str::<T>(r#"{"d":"1x","b":1}"#).unwrap_err();
        assert!(
            e.to_string().contains("\"1x\" is not a valid duration"),
            "{e}"
        );
    }
}
