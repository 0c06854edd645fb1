//! bcrypt (`$2a$`, `$2b$`, `$2y$`, `$2x$`, `$2$`), the Kratos default hasher.

use super::HashError;

/// bcrypt only reads the first 72 bytes of a password; longer ones are refused, not truncated.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// Highest cost accepted in a stored hash (Kratos `maxBcryptCost`): cost 15 is ~2 s per check.
pub(crate) const MAX_COST: u32 = 15;

const FORMAT: &str = "bcrypt";

/// Whether `stored` looks like bcrypt (Kratos: `^\$2[abzy]?\$`, plus `$2x$`).
pub(crate) fn is_bcrypt(stored: &str) -> bool {
    ["$2$", "$2a$", "$2b$", "$2y$", "$2z$", "$2x$"]
        .iter()
        .any(|p| stored.starts_with(p))
}

/// Hashes `password` with `cost`, returning `$2b$<cost>$<salt+hash>`.
pub(crate) fn hash(password: &[u8], cost: u32) -> Result<String, HashError> {
    check_length(password)?;
    let parts = ::bcrypt::hash_with_result(password, cost)
        .map_err(|e| HashError::Internal(format!("bcrypt: {e}")))?;
    Ok(parts.format_for_version(::bcrypt::Version::TwoB))
}

/// Checks `password` against a stored bcrypt hash whose cost is at most `max_cost`.
pub(crate) fn verify(password: &[u8], stored: &str, max_cost: u32) -> Result<bool, HashError> {
    check_length(password)?;
    let normalised = parse(stored, max_cost)?;
    ::bcrypt::verify(password, &normalised).map_err(|_| HashError::invalid(FORMAT, "malformed"))
}

/// Validates a stored hash against the static bounds and returns its cost.
pub(crate) fn validate(stored: &str) -> Result<u32, HashError> {
    parse(stored, MAX_COST)?;
    cost_of(stored)
}

/// Reads the cost of a well-formed stored hash (no bound applied).
pub(crate) fn cost_of(stored: &str) -> Result<u32, HashError> {
    let normalised = parse(stored, 31)?;
    let cost: u32 = normalised
        .split('$')
        .nth(2)
        .and_then(|c| c.parse().ok())
        .ok_or(HashError::invalid(FORMAT, "bad cost"))?;
    Ok(cost)
}

/// Normalises the prefix to one the `bcrypt` crate reads and checks shape and cost bounds.
fn parse(stored: &str, max_cost: u32) -> Result<String, HashError> {
    // `$2$` and `$2z$` are historical spellings of the same construction; read them as `$2a$`.
    let normalised = if let Some(rest) = stored.strip_prefix("$2$") {
        format!("$2a${rest}")
    } else if let Some(rest) = stored.strip_prefix("$2z$") {
        format!("$2a${rest}")
    } else {
        stored.to_owned()
    };
    let parts: Vec<&str> = normalised.split('$').collect();
    if parts.len() != 4 || parts[2].len() != 2 || parts[3].len() != 53 {
        return Err(HashError::invalid(FORMAT, "malformed"));
    }
    let cost: u32 = parts[2]
        .parse()
        .map_err(|_| HashError::invalid(FORMAT, "bad cost"))?;
    if !(4..=31).contains(&cost) {
        return Err(HashError::invalid(FORMAT, "bad cost"));
    }
    if cost > max_cost {
        return Err(HashError::bounds(
            FORMAT,
            format!("cost={cost} exceeds max {max_cost}"),
        ));
    }
    Ok(normalised)
}

fn check_length(password: &[u8]) -> Result<(), HashError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(HashError::PasswordTooLong {
            max: MAX_PASSWORD_BYTES,
            actual: password.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_prefix() {
        let h = hash(b"secret password", 4).unwrap();
        assert!(h.starts_with("$2b$04$"), "{h}");
        assert!(verify(b"secret password", &h, MAX_COST).unwrap());
        assert!(!verify(b"secret passwore", &h, MAX_COST).unwrap());
        assert_eq!(cost_of(&h).unwrap(), 4);
    }

    #[test]
    fn known_vectors() {
        // Python `bcrypt` 4.0.1, password "test".
        let a = "$2a$04$5SXC7hy/BgmF9xR5lgwYYef7jtwG7KmbsaEZzCIgosM9FYIH7PyUq";
        assert!(verify(b"test", a, MAX_COST).unwrap());
        assert!(!verify(b"tesT", a, MAX_COST).unwrap());
        let y = "$2y$04$5SXC7hy/BgmF9xR5lgwYYef7jtwG7KmbsaEZzCIgosM9FYIH7PyUq";
        assert!(verify(b"test", y, MAX_COST).unwrap());
    }

    #[test]
    fn rejects_long_passwords_and_costly_hashes() {
        let long = [b'a'; 73];
        assert!(matches!(
            hash(&long, 4),
            Err(HashError::PasswordTooLong {
                max: 72,
                actual: 73
            })
        ));
        // Kratos test vector at cost 15 is accepted in shape; cost 16 is refused up-front.
        assert_eq!(
            validate("$2a$15$GRvRO2nrpYTEuPQX6AieaOlZ4.7nMGsXpt.QWMev1zrP86JNspZbO").unwrap(),
            15
        );
        assert!(matches!(
            validate("$2a$16$GRvRO2nrpYTEuPQX6AieaOlZ4.7nMGsXpt.QWMev1zrP86JNspZbO"),
            Err(HashError::ParametersOutOfBounds { .. })
        ));
        assert!(verify(b"x", "$2a$04$short", MAX_COST).is_err());
    }
}
