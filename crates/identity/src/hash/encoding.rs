//! Shared helpers for stored-hash parsing: base64 flavours, `k=v` parameter lists, salting
//! patterns and constant-time comparison.

use base64::alphabet;
use base64::engine::general_purpose::{
    GeneralPurpose, GeneralPurposeConfig, STANDARD, STANDARD_NO_PAD,
};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::HashError;

/// Padded standard base64 that tolerates non-zero trailing bits (Go's non-strict decoder).
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Decodes padded standard base64, rejecting non-canonical input (Go `StdEncoding.Strict()`).
pub(crate) fn b64_padded(s: &str, format: &'static str) -> Result<Vec<u8>, HashError> {
    STANDARD
        .decode(s)
        .map_err(|_| HashError::invalid(format, "bad base64"))
}

/// Decodes unpadded standard base64 (PHC strings; Go `RawStdEncoding.Strict()`).
pub(crate) fn b64_unpadded(s: &str, format: &'static str) -> Result<Vec<u8>, HashError> {
    STANDARD_NO_PAD
        .decode(s)
        .map_err(|_| HashError::invalid(format, "bad base64"))
}

/// Decodes padded standard base64 leniently (trailing bits allowed), as Kratos does for SSHA.
pub(crate) fn b64_padded_lenient(s: &str, format: &'static str) -> Result<Vec<u8>, HashError> {
    STANDARD_LENIENT
        .decode(s)
        .map_err(|_| HashError::invalid(format, "bad base64"))
}

/// Encodes bytes as unpadded standard base64.
pub(crate) fn b64_encode_unpadded(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(bytes)
}

/// Compares two byte strings in constant time (for equal lengths; a length mismatch is
/// answered at once, lengths are not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Parses a parameter list such as `m=65536,t=3,p=4` whose keys must appear exactly in `keys`
/// order; returns the values.
pub(crate) fn parse_params<const N: usize>(
    s: &str,
    keys: [&str; N],
    format: &'static str,
) -> Result<[u64; N], HashError> {
    let mut out = [0u64; N];
    let mut parts = s.split(',');
    for (slot, key) in out.iter_mut().zip(keys) {
        let part = parts
            .next()
            .ok_or(HashError::invalid(format, "missing parameter"))?;
        let value = part
            .strip_prefix(key)
            .and_then(|rest| rest.strip_prefix('='))
            .ok_or(HashError::invalid(format, "unexpected parameter"))?;
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HashError::invalid(format, "parameter is not a number"));
        }
        *slot = value
            .parse()
            .map_err(|_| HashError::invalid(format, "parameter is not a number"))?;
    }
    if parts.next().is_some() {
        return Err(HashError::invalid(format, "unexpected parameter"));
    }
    Ok(out)
}

/// Decodes a `pf=<base64 pattern>` field into the pattern bytes.
pub(crate) fn decode_pattern(field: &str, format: &'static str) -> Result<Vec<u8>, HashError> {
    let encoded = field
        .strip_prefix("pf=")
        .ok_or(HashError::invalid(format, "missing pf= salting pattern"))?;
    if encoded.is_empty() {
        return Err(HashError::invalid(format, "empty salting pattern"));
    }
    b64_padded(encoded, format)
}

/// Expands a salting pattern such as `{SALT}{PASSWORD}` in a single left-to-right pass (like
/// Go's `strings.Replacer`: substituted text is never rescanned).
pub(crate) fn apply_pattern(pattern: &[u8], salt: &[u8], password: &[u8]) -> Zeroizing<Vec<u8>> {
    const SALT: &[u8] = b"{SALT}";
    const PASSWORD: &[u8] = b"{PASSWORD}";
    let mut out = Zeroizing::new(Vec::with_capacity(
        pattern.len() + salt.len() + password.len(),
    ));
    let mut i = 0;
    while i < pattern.len() {
        let rest = &pattern[i..];
        if rest.starts_with(SALT) {
            out.extend_from_slice(salt);
            i += SALT.len();
        } else if rest.starts_with(PASSWORD) {
            out.extend_from_slice(password);
            i += PASSWORD.len();
        } else {
            out.push(pattern[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_in_order() {
        assert_eq!(
            parse_params("m=64,t=3,p=4", ["m", "t", "p"], "x").unwrap(),
            [64, 3, 4]
        );
        assert!(parse_params("t=3,m=64,p=4", ["m", "t", "p"], "x").is_err());
        assert!(parse_params("m=64,t=3", ["m", "t", "p"], "x").is_err());
        assert!(parse_params("m=64,t=3,p=4,x=1", ["m", "t", "p"], "x").is_err());
        assert!(parse_params("m=-1,t=3,p=4", ["m", "t", "p"], "x").is_err());
    }

    #[test]
    fn pattern_is_single_pass() {
        let out = apply_pattern(b"{SALT}$${PASSWORD}", b"{PASSWORD}", b"pw");
        assert_eq!(&out[..], b"{PASSWORD}$$pw");
    }
}
