//! `return_to` checks against `selfservice.allowed_return_urls` (Kratos `x/redir/secure_redirect.go`).

use url::Url;

/// Whether `target` is allowed: same scheme, host equal (or `*.suffix` match), path prefix.
pub fn is_allowed(target: &Url, allowed: &[Url]) -> bool {
    allowed.iter().any(|a| {
        if a.scheme() != target.scheme()
            || a.port_or_known_default() != target.port_or_known_default()
        {
            return false;
        }
        let (Some(ah), Some(th)) = (a.host_str(), target.host_str()) else {
            return false;
        };
        let host_ok = match ah.strip_prefix("*.") {
            Some(suffix) => th.ends_with(&format!(".{suffix}")),
            None => ah.eq_ignore_ascii_case(th),
        };
        host_ok && target.path().starts_with(a.path())
    })
}

/// Resolves a requested `return_to` (relative URLs against `base`); `Err(url)` if forbidden.
///
/// With an empty allow list the requested URL is ignored (`Ok(None)`), as Kratos does.
pub fn check(
    requested: Option<&str>,
    base: &Url,
    allowed: &[Url],
) -> Result<Option<String>, String> {
    let Some(raw) = requested.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    // Kratos always allows its own `/self-service` URLs (e.g. a settings flow asking for a
    // re-authentication returns to its submit URL).
    if let Ok(url) = base.join(raw) {
        if let Ok(own) = base.join("self-service") {
            if is_allowed(&url, std::slice::from_ref(&own)) {
                return Ok(Some(url.to_string()));
            }
        }
    }
    if allowed.is_empty() {
        return Ok(None);
    }
    let url = base.join(raw).map_err(|_| raw.to_string())?;
    if is_allowed(&url, allowed) {
        Ok(Some(url.to_string()))
    } else {
        Err(raw.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn allow_list_rules() {
        let allowed = vec![
            u("https://app.example.com/"),
            u("https://*.example.org/dash"),
        ];
        assert!(is_allowed(&u("https://app.example.com/x?y=1"), &allowed));
        assert!(!is_allowed(&u("http://app.example.com/x"), &allowed));
        assert!(!is_allowed(&u("https://evil.com/"), &allowed));
        assert!(is_allowed(&u("https://a.example.org/dash/1"), &allowed));
        assert!(!is_allowed(&u("https://a.example.org/other"), &allowed));
        assert!(!is_allowed(
            &u("https://example.org.evil.com/dash"),
            &allowed
        ));
    }

    #[test]
    fn check_resolves_and_rejects() {
        let base = u("https://auth.example.com/");
        let allowed = vec![u("https://app.example.com/")];
        assert_eq!(check(None, &base, &allowed), Ok(None));
        assert_eq!(
            check(Some("https://app.example.com/home"), &base, &allowed),
            Ok(Some("https://app.example.com/home".into()))
        );
        assert!(check(Some("https://evil.com/"), &base, &allowed).is_err());
        assert_eq!(check(Some("https://evil.com/"), &base, &[]), Ok(None));
        let own = "https://auth.example.com/self-service/settings?flow=1";
        assert_eq!(check(Some(own), &base, &[]), Ok(Some(own.into())));
        assert_eq!(check(Some(own), &base, &allowed), Ok(Some(own.into())));
    }
}
