//! The client's header fields as the pipeline sees them. A request read by the gateway's own
//! HTTP/1.1 loop keeps them as the text of its head (positions into it), so the usual request
//! never builds a header map: the few lookups the proxy makes scan a handful of fields, and
//! the upstream request copies them as they came. A [`HeaderMap`] is built on first use, for
//! the handlers that want one (templates, hydrator, remote calls); it then stays.

use std::sync::OnceLock;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};

/// Start and end of a field's name, then of its value, in the head.
pub type FieldSpan = [u32; 4];

/// The client's header fields (see the module docs). Dereferences to a [`HeaderMap`].
/// Its `Debug` form names the fields without their values (cookies and tokens among them).
#[derive(Clone, Default)]
pub struct ClientHeaders {
    text: Option<HeadText>,
    map: OnceLock<HeaderMap>,
}

#[derive(Clone)]
struct HeadText {
    head: Bytes,
    fields: Vec<FieldSpan>,
}

impl ClientHeaders {
    /// The fields at `fields` in `head`. Every name must be a valid field name and every
    /// value a valid field value (as `httparse` checks them; [`HeaderMap`] agrees).
    pub fn from_head(head: Bytes, fields: Vec<FieldSpan>) -> Self {
        Self {
            text: Some(HeadText { head, fields }),
            map: OnceLock::new(),
        }
    }

    /// The fields as a header map (built on the first call).
    pub fn map(&self) -> &HeaderMap {
        self.map.get_or_init(|| match &self.text {
            Some(t) => t.to_map(),
            None => HeaderMap::new(),
        })
    }

    /// The fields as a header map, taken.
    pub fn into_map(mut self) -> HeaderMap {
        self.map();
        self.map.take().unwrap_or_default()
    }

    /// Every field in order, `(name, value)`: names as the client wrote them, or lower case
    /// when the fields came as a map.
    pub fn fields(&self) -> Fields<'_> {
        match &self.text {
            Some(t) => Fields(Over::Text(t, t.fields.iter())),
            None => Fields(Over::Map(self.map().iter())),
        }
    }

    /// The values of the fields named `name` (in any case), in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.fields()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v)
    }

    /// The first value of the field named `name` (in any case).
    pub fn first(&self, name: &str) -> Option<&[u8]> {
        self.fields()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v)
    }

    /// The first value of `name` as text, when it is visible ASCII (what
    /// [`HeaderValue::to_str`] accepts).
    pub fn first_str(&self, name: &str) -> Option<&str> {
        self.first(name).and_then(visible_ascii)
    }

    /// Whether a field is named `name` (in any case).
    pub fn has(&self, name: &str) -> bool {
        self.first(name).is_some()
    }

    /// How many fields there are (repeated names count each time).
    pub fn count(&self) -> usize {
        match &self.text {
            Some(t) => t.fields.len(),
            None => self.map().len(),
        }
    }
}

/// Whether `v` is visible ASCII or tabs (what [`HeaderValue::to_str`] and
/// [`HeaderValue::from_str`] accept).
pub fn is_visible_ascii(v: &[u8]) -> bool {
    v.iter().all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// `v` as text when it is visible ASCII or tabs.
pub fn visible_ascii(v: &[u8]) -> Option<&str> {
    is_visible_ascii(v)
        .then(|| std::str::from_utf8(v).ok())
        .flatten()
}

impl HeadText {
    fn slice(&self, start: u32, end: u32) -> &[u8] {
        &self.head[start as usize..end as usize]
    }

    fn to_map(&self) -> HeaderMap {
        let mut map = HeaderMap::with_capacity(self.fields.len());
        for &[ns, ne, vs, ve] in &self.fields {
            // Checked by the parser already; a field either would refuse is left out.
            let name = HeaderName::from_bytes(self.slice(ns, ne));
            let value = HeaderValue::from_maybe_shared(self.head.slice(vs as usize..ve as usize));
            if let (Ok(n), Ok(v)) = (name, value) {
                map.append(n, v);
            }
        }
        map
    }
}

impl std::fmt::Debug for ClientHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.fields().map(|(n, _)| String::from_utf8_lossy(n)))
            .finish()
    }
}

impl std::ops::Deref for ClientHeaders {
    type Target = HeaderMap;

    fn deref(&self) -> &HeaderMap {
        self.map()
    }
}

impl From<HeaderMap> for ClientHeaders {
    fn from(map: HeaderMap) -> Self {
        Self {
            text: None,
            map: OnceLock::from(map),
        }
    }
}

/// The iterator of [`ClientHeaders::fields`].
pub struct Fields<'a>(Over<'a>);

enum Over<'a> {
    Text(&'a HeadText, std::slice::Iter<'a, FieldSpan>),
    Map(http::header::Iter<'a, HeaderValue>),
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Over::Text(t, it) => {
                let &[ns, ne, vs, ve] = it.next()?;
                Some((t.slice(ns, ne), t.slice(vs, ve)))
            }
            Over::Map(it) => {
                let (n, v) = it.next()?;
                Some((n.as_str().as_bytes(), v.as_bytes()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_text(fields: &[(&str, &[u8])]) -> ClientHeaders {
        let mut head = Vec::new();
        let mut spans = Vec::new();
        for (n, v) in fields {
            let ns = head.len() as u32;
            head.extend_from_slice(n.as_bytes());
            let ne = head.len() as u32;
            head.extend_from_slice(b": ");
            let vs = head.len() as u32;
            head.extend_from_slice(v);
            let ve = head.len() as u32;
            head.extend_from_slice(b"\r\n");
            spans.push([ns, ne, vs, ve]);
        }
        ClientHeaders::from_head(Bytes::from(head), spans)
    }

    const FIELDS: &[(&str, &[u8])] = &[
        ("Host", b"example.com"),
        ("Cookie", b"a=1"),
        ("X-Odd", b"caf\xc3\xa9\t!"),
        ("cookie", b"b=2"),
        ("Accept", b""),
    ];

    #[test]
    fn lookups_on_the_text_agree_with_the_map() {
        let text = from_text(FIELDS);
        let map = ClientHeaders::from(text.map().clone());
        assert_eq!(text.count(), FIELDS.len());
        assert_eq!(map.count(), FIELDS.len());
        for h in [&text, &map] {
            for name in ["host", "cookie", "x-odd", "accept", "missing"] {
                let ours: Vec<&[u8]> = h.all(name).collect();
                let theirs: Vec<&[u8]> = h.get_all(name).iter().map(|v| v.as_bytes()).collect();
                assert_eq!(ours, theirs, "{name}");
                assert_eq!(h.has(name), h.contains_key(name), "{name}");
                let text = h.get(name).and_then(|v| v.to_str().ok());
                assert_eq!(h.first_str(name), text, "{name}");
            }
        }
    }

    #[test]
    fn fields_keep_the_client_s_order_and_spelling() {
        let text = from_text(FIELDS);
        let got: Vec<(&[u8], &[u8])> = text.fields().collect();
        let want: Vec<(&[u8], &[u8])> = FIELDS.iter().map(|(n, v)| (n.as_bytes(), *v)).collect();
        assert_eq!(got, want);
        assert_eq!(text.into_map().len(), FIELDS.len());
    }

    #[test]
    fn debug_names_the_fields_without_their_values() {
        let shown = format!("{:?}", from_text(FIELDS));
        assert_eq!(shown, r#"["Host", "Cookie", "X-Odd", "cookie", "Accept"]"#);
    }
}
