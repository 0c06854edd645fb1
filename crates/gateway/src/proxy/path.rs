//! Path handling: cleaning for matching and the documented `strip_path` + join for upstreams.

/// Go's `path.Clean`, except that a trailing slash is kept (`/graphql/` stays `/graphql/`, so
/// rules written for it keep matching; `.`/`..`/`//` are resolved, so traversal cannot dodge a
/// rule).
pub fn clean_path(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut s = String::with_capacity(p.len() + 1);
    for seg in &out {
        s.push('/');
        s.push_str(seg);
    }
    let trailing = p.ends_with('/') || p.ends_with("/.") || p.ends_with("/..");
    if s.is_empty() || trailing {
        s.push('/');
    }
    s
}

/// The upstream path: `strip_path` removed when it is a leading, segment-aligned prefix of the
/// request path, then joined under the upstream URL's path (trailing slash preserved).
pub fn upstream_path(upstream_base: &str, strip: &str, request_path: &str) -> String {
    let mut path = request_path;
    let strip = strip.trim_end_matches('/');
    if !strip.is_empty() {
        let strip_abs = if strip.starts_with('/') {
            strip.to_owned()
        } else {
            format!("/{strip}")
        };
        if let Some(rest) = path.strip_prefix(strip_abs.as_str()) {
            if rest.is_empty() || rest.starts_with('/') {
                path = if rest.is_empty() { "/" } else { rest };
            }
        }
    }
    let base = upstream_base.trim_end_matches('/');
    if path == "/" && !base.is_empty() {
        return if upstream_base.ends_with('/') {
            format!("{base}/")
        } else {
            base.to_owned()
        };
    }
    format!("{base}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_keeps_trailing_slash() {
        assert_eq!(clean_path("/graphql/"), "/graphql/");
        assert_eq!(clean_path("/a/../b"), "/b");
        assert_eq!(clean_path("//a/./b"), "/a/b");
        assert_eq!(clean_path(""), "/");
        assert_eq!(clean_path("/../.."), "/");
    }

    #[test]
    fn strip_path_is_a_leading_segment_prefix() {
        assert_eq!(upstream_path("", "/api/v1", "/api/v1/users"), "/users");
        assert_eq!(upstream_path("", "/api", "/apix/users"), "/apix/users");
        assert_eq!(
            upstream_path("", "/api", "/other/api/users"),
            "/other/api/users"
        );
        assert_eq!(
            upstream_path("/base", "/api", "/api/users/"),
            "/base/users/"
        );
        assert_eq!(upstream_path("/base", "", "/x"), "/base/x");
        assert_eq!(upstream_path("", "/api", "/api"), "/");
    }
}
