//! Keyset paging of admin lists (oryx `keysetpagination`): `page_size` + an opaque, signed
//! `page_token`, the next page announced in `Link: <…>; rel="next"`. Legacy `page`/`per_page`
//! still work for the first 1,000 items, as in Kratos.
//!
//! A token is `base64url(version ‖ last id ‖ HMAC-SHA256(secret, scope ‖ version ‖ id)[..16])`:
//! callers cannot forge or alter one, and a token of one list is refused by another.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use super::query::Query;
use crate::domain::ApiError;

/// Page size when none is asked for (oryx `keysetpagination.DefaultSize`).
pub const DEFAULT_SIZE: usize = 100;
/// Largest page (oryx `keysetpagination.DefaultMaxSize`).
pub const MAX_SIZE: usize = 500;
/// Legacy `page`/`per_page` defaults and bounds (kratos v26.2.0 `x/pagination.go`).
const LEGACY_DEFAULT: usize = 250;
const LEGACY_LIMIT: usize = 1000;

const VERSION: u8 = 1;
const MAC_LEN: usize = 16;
const TOKEN_LEN: usize = 1 + 16 + MAC_LEN;

/// Which list a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `GET /admin/identities`.
    Identities,
    /// `GET /admin/sessions`, `GET /admin/identities/{id}/sessions`.
    Sessions,
    /// `GET /admin/courier/messages`.
    Messages,
}

impl Scope {
    fn label(self) -> &'static [u8] {
        match self {
            Scope::Identities => b"identities",
            Scope::Sessions => b"sessions",
            Scope::Messages => b"courier-messages",
        }
    }
}

/// A requested page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Items per page.
    pub size: usize,
    /// Keyset position: items with a larger id.
    pub after: Option<Uuid>,
    /// Items to skip first (legacy `page` only).
    pub skip: usize,
    /// Legacy page number, when the caller used `page`.
    pub legacy_page: Option<usize>,
}

impl Page {
    /// How many rows to fetch: the skipped ones, the page, and one more to see if a next
    /// page exists.
    pub fn fetch(&self) -> usize {
        self.skip + self.size + 1
    }

    /// Cuts the fetched rows down to the page; returns whether more follow.
    pub fn take<T>(&self, rows: &mut Vec<T>) -> bool {
        let skip = self.skip.min(rows.len());
        rows.drain(..skip);
        let more = rows.len() > self.size;
        rows.truncate(self.size);
        more
    }
}

/// Signs and checks page tokens.
#[derive(Clone, Copy)]
pub struct Paging<'a> {
    secrets: &'a [Vec<u8>],
    scope: Scope,
}

impl<'a> Paging<'a> {
    /// Tokens of `scope`, signed with the first secret and checked against all.
    pub fn new(secrets: &'a [Vec<u8>], scope: Scope) -> Self {
        Paging { secrets, scope }
    }

    /// The requested page; a malformed size or a token that is not ours → 400.
    pub fn parse(&self, q: &Query) -> Result<Page, ApiError> {
        if q.has("page_token") || q.has("page_size") || !q.has("page") {
            let raw_size = q.get("page_size").or_else(|| q.get("per_page"));
            let size = match raw_size {
                None => DEFAULT_SIZE,
                Some(s) => match s.parse::<i64>() {
                    Ok(n) if n <= 0 => DEFAULT_SIZE,
                    Ok(n) => (n as usize).min(MAX_SIZE),
                    Err(_) => {
                        return Err(ApiError::bad_request(format!(
                            "The page_size parameter must be a number, got {s:?}."
                        )))
                    }
                },
            };
            let after = match q.get("page_token") {
                None => None,
                Some(t) => Some(self.decode(t).ok_or_else(|| {
                    ApiError::bad_request(
                        "The page_token is invalid: pass a token from a Link header of this list.",
                    )
                })?),
            };
            return Ok(Page {
                size,
                after: after.filter(|id| !id.is_nil()),
                skip: 0,
                legacy_page: None,
            });
        }
        let page = q
            .get("page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(0);
        let per_page = q
            .get("per_page")
            .and_then(|p| p.parse::<i64>().ok())
            .map_or(LEGACY_DEFAULT, |n| n.clamp(1, MAX_SIZE as i64) as usize);
        if page.saturating_mul(per_page) > LEGACY_LIMIT {
            return Err(ApiError::bad_request(format!(
                "Legacy pagination is not supported for enumerating over {LEGACY_LIMIT} items. Please switch to using page_token and page_size."
            )));
        }
        Ok(Page {
            size: per_page,
            after: None,
            skip: page * per_page,
            legacy_page: Some(page),
        })
    }

    /// The token that continues after `id` (`Uuid::nil()`: the first page).
    pub fn token(&self, id: Uuid) -> String {
        let mut raw = Vec::with_capacity(TOKEN_LEN);
        raw.push(VERSION);
        raw.extend_from_slice(id.as_bytes());
        let secret = self.secrets.first().map(Vec::as_slice).unwrap_or_default();
        raw.extend_from_slice(&self.mac(secret, id)[..MAC_LEN]);
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// The id a token continues after, if one of our secrets signed it for this scope.
    pub fn decode(&self, token: &str) -> Option<Uuid> {
        let raw = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if raw.len() != TOKEN_LEN || raw[0] != VERSION {
            return None;
        }
        let id = Uuid::from_slice(&raw[1..17]).ok()?;
        let tag = &raw[17..];
        let valid = self.secrets.iter().fold(false, |ok, secret| {
            let mut mac = Self::keyed(secret);
            mac.update(&self.message(id));
            mac.verify_truncated_left(tag).is_ok() | ok
        });
        valid.then_some(id)
    }

    /// `Link` header value: `rel="first"` always, `rel="next"` when `next` is set. `base` is
    /// the absolute URL of the list; other query parameters (filters) are kept.
    pub fn link(&self, base: &str, q: &Query, page: &Page, next: Option<Uuid>) -> String {
        let kept = q.without(&["page_token", "page_size", "page", "per_page"]);
        let url = |extra: Vec<(String, String)>| {
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in kept.iter().chain(extra.iter()) {
                ser.append_pair(k, v);
            }
            format!("{base}?{}", ser.finish())
        };
        let size = page.size.to_string();
        let (first, following) = match page.legacy_page {
            Some(n) => (
                url(vec![
                    ("page".into(), "0".into()),
                    ("per_page".into(), size.clone()),
                ]),
                next.map(|_| {
                    url(vec![
                        ("page".into(), (n + 1).to_string()),
                        ("per_page".into(), size.clone()),
                    ])
                }),
            ),
            None => (
                url(vec![
                    ("page_size".into(), size.clone()),
                    ("page_token".into(), self.token(Uuid::nil())),
                ]),
                next.map(|id| {
                    url(vec![
                        ("page_size".into(), size.clone()),
                        ("page_token".into(), self.token(id)),
                    ])
                }),
            ),
        };
        let mut link = format!("<{first}>; rel=\"first\"");
        if let Some(n) = following {
            link.push_str(&format!(",<{n}>; rel=\"next\""));
        }
        link
    }

    fn message(&self, id: Uuid) -> Vec<u8> {
        let mut m = self.scope.label().to_vec();
        m.push(0);
        m.push(VERSION);
        m.extend_from_slice(id.as_bytes());
        m
    }

    fn keyed(secret: &[u8]) -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes keys of any length")
    }

    fn mac(&self, secret: &[u8], id: Uuid) -> Vec<u8> {
        let mut mac = Self::keyed(secret);
        mac.update(&self.message(id));
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Query {
        Query::parse(Some(s))
    }

    #[test]
    fn tokens_round_trip_and_resist_forgery() {
        let secrets = vec![b"first-secret-0123".to_vec(), b"older-secret-4567".to_vec()];
        let p = Paging::new(&secrets, Scope::Identities);
        let id = Uuid::new_v4();
        let t = p.token(id);
        assert_eq!(p.decode(&t), Some(id));
        // Signed by an older secret still verifies (rotation).
        let old = [secrets[1].clone()];
        assert_eq!(
            p.decode(&Paging::new(&old, Scope::Identities).token(id)),
            Some(id)
        );
        // Another scope, another secret, a bare id, garbage, a flipped bit: refused.
        assert_eq!(Paging::new(&secrets, Scope::Sessions).decode(&t), None);
        assert_eq!(
            Paging::new(&[b"x".to_vec()], Scope::Identities).decode(&t),
            None
        );
        assert_eq!(p.decode(&id.to_string()), None);
        assert_eq!(p.decode("!!!"), None);
        let mut raw = URL_SAFE_NO_PAD.decode(&t).unwrap();
        raw[5] ^= 1;
        assert_eq!(p.decode(&URL_SAFE_NO_PAD.encode(raw)), None);
    }

    #[test]
    fn sizes_and_legacy_pages() {
        let secrets = vec![b"first-secret-0123".to_vec()];
        let p = Paging::new(&secrets, Scope::Identities);
        assert_eq!(p.parse(&q("")).unwrap().size, DEFAULT_SIZE);
        assert_eq!(p.parse(&q("page_size=9999")).unwrap().size, MAX_SIZE);
        assert_eq!(p.parse(&q("per_page=7")).unwrap().size, 7);
        assert!(p.parse(&q("page_size=abc")).is_err());
        assert!(p.parse(&q("page_token=forged")).is_err());
        let legacy = p.parse(&q("page=2&per_page=10")).unwrap();
        assert_eq!(
            (legacy.skip, legacy.size, legacy.legacy_page),
            (20, 10, Some(2))
        );
        assert!(p.parse(&q("page=5&per_page=500")).is_err());
        let start = p
            .parse(&q(&format!("page_token={}", p.token(Uuid::nil()))))
            .unwrap();
        assert_eq!(start.after, None);
    }

    #[test]
    fn link_keeps_filters() {
        let secrets = vec![b"first-secret-0123".to_vec()];
        let p = Paging::new(&secrets, Scope::Identities);
        let query = q("credentials_identifier=a%40b.c&page_size=2");
        let page = p.parse(&query).unwrap();
        let id = Uuid::new_v4();
        let link = p.link("http://h/admin/identities", &query, &page, Some(id));
        assert!(link.contains("rel=\"first\""), "{link}");
        assert!(
            link.contains(&format!("page_token={}>; rel=\"next\"", p.token(id))),
            "{link}"
        );
        assert!(
            link.contains("credentials_identifier=a%40b.c&page_size=2"),
            "{link}"
        );
        let last = p.link("http://h/admin/identities", &query, &page, None);
        assert!(!last.contains("next"));
    }
}
