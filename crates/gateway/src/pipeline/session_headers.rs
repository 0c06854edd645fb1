//! The header fields the mutators and authorizers set for the upstream request (or the
//! decisions answer): a name holds one value, set again it is replaced (`http.Header.Set`).
//!
//! A short list rather than a `HeaderMap`: a request gets one or two such fields (`header`
//! mutator, `id_token`), and the list costs one allocation to fill and a few comparisons to
//! search, where a map hashes, allocates its index and entries, and drops both.

use http::{HeaderName, HeaderValue};

/// The session's header fields, in the order their names were first set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionHeaders(Vec<(HeaderName, HeaderValue)>);

impl SessionHeaders {
    /// No fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`, replacing its value if it has one (in its place).
    pub fn insert(&mut self, name: HeaderName, value: HeaderValue) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => *v = value,
            None => self.0.push((name, value)),
        }
    }

    /// The value of `name`.
    pub fn get(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Whether `name` is set.
    pub fn contains_key(&self, name: &HeaderName) -> bool {
        self.get(name).is_some()
    }

    /// Whether a field named `name` (as a client wrote it: in any case) is set.
    pub fn has_raw(&self, name: &[u8]) -> bool {
        self.0
            .iter()
            .any(|(n, _)| name.eq_ignore_ascii_case(n.as_str().as_bytes()))
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields in order.
    pub fn iter(&self) -> <&Self as IntoIterator>::IntoIter {
        self.into_iter()
    }
}

impl<'a> IntoIterator for &'a SessionHeaders {
    type Item = (&'a HeaderName, &'a HeaderValue);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (HeaderName, HeaderValue)>,
        fn(&'a (HeaderName, HeaderValue)) -> (&'a HeaderName, &'a HeaderValue),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(n, v)| (n, v))
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderMap;
    use serde_json::json;

    use super::*;
    use crate::pipeline::session::headers_to_json;

    fn name(n: &'static str) -> HeaderName {
        HeaderName::from_static(n)
    }

    fn value(v: &'static str) -> HeaderValue {
        HeaderValue::from_static(v)
    }

    /// The same sets on a `HeaderMap`, the type this one stands in for.
    fn both(sets: &[(&'static str, &'static str)]) -> (SessionHeaders, HeaderMap) {
        let mut list = SessionHeaders::new();
        let mut map = HeaderMap::new();
        for &(n, v) in sets {
            list.insert(name(n), value(v));
            map.insert(name(n), value(v));
        }
        (list, map)
    }

    #[test]
    fn a_name_set_again_keeps_one_value_in_its_place_as_a_header_map_does() {
        let (list, map) = both(&[
            ("x-user-id", "a"),
            ("authorization", "Bearer 1"),
            ("x-user-id", "b"),
        ]);
        let fields: Vec<_> = list.iter().collect();
        assert_eq!(
            fields,
            vec![
                (&name("x-user-id"), &value("b")),
                (&name("authorization"), &value("Bearer 1"))
            ]
        );
        assert_eq!(fields, map.iter().collect::<Vec<_>>());
        assert_eq!(list.len(), map.len());
        assert_eq!(list.get(&name("x-user-id")), Some(&value("b")));
        assert!(list.contains_key(&name("authorization")));
        assert!(!list.contains_key(&name("cookie")));
    }

    #[test]
    fn raw_names_match_in_any_case() {
        let (list, _) = both(&[("x-user-id", "a")]);
        assert!(list.has_raw(b"X-User-ID"));
        assert!(list.has_raw(b"x-user-id"));
        assert!(!list.has_raw(b"x-user"));
        assert!(!list.has_raw(b"bad name"));
        assert!(!SessionHeaders::new().has_raw(b"x-user-id"));
    }

    #[test]
    fn json_is_what_the_header_map_gives() {
        let (list, map) = both(&[("x-user-id", "a"), ("x-email", "b@example.com")]);
        assert_eq!(headers_to_json(&list, true), headers_to_json(&map, true));
        assert_eq!(
            headers_to_json(&list, true),
            json!({"X-User-Id": ["a"], "X-Email": ["b@example.com"]})
        );
        assert_eq!(headers_to_json(&SessionHeaders::new(), true), json!({}));
        assert!(SessionHeaders::new().is_empty());
    }
}
