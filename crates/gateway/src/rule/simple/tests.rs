use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::rule::matcher::{regex_source, split};
use MatchingStrategy::*;

fn simple(pattern: &str, strategy: MatchingStrategy) -> Option<SimplePattern> {
    SimplePattern::parse(&split(pattern).unwrap(), strategy)
}

#[test]
fn the_usual_rule_shapes_need_no_regex() {
    for (pattern, strategy) in [
        ("https://api.example.com/<**>", Glob),
        ("http://<**>/<**>", Glob),
        ("<{https,http}>://api.example.com/users/<*>", Glob),
        ("https://<*>.example.com/<**>", Glob),
        ("<https|http>://api.example.com/<.*>", Regexp),
        ("<https?>://api.example.com/users/<[0-9]+>", Regexp),
        ("http://x/<[a-z0-9/]+>", Regexp),
        ("http://x/<[^/]+>/items", Regexp),
        ("http://x/<v1|v2>/<.+>", Regexp),
    ] {
        assert!(simple(pattern, strategy).is_some(), "{pattern}");
    }
}

#[test]
fn other_patterns_keep_their_regex() {
    for (pattern, strategy) in [
        ("http://x/<(?!admin).*>", Regexp),
        ("http://x/<(a|b)>", Regexp),
        ("http://x/<.*?>", Regexp),
        ("http://x/<[a-z]{2}>", Regexp),
        ("http://x/<[a-z-]+>", Regexp),
        ("http://x/<[[:alpha:]]+>", Regexp),
        ("http://x/<\\d+>", Regexp),
        ("http://x/<.*>/<.*>/<.*>", Regexp),
        ("http://x/<?>", Glob),
        ("http://x/<[abc]>", Glob),
        ("http://x/<{a,{b,c}}>", Glob),
        ("http://x/<**>/<**>/<**>", Glob),
        ("https://<*>.example.com/<**>.json", Glob),
    ] {
        assert!(simple(pattern, strategy).is_none(), "{pattern}");
    }
}

/// Patterns of every accepted shape, matched against generated URLs: the walk must say what
/// the regex says, for the match and for each capture group.
#[test]
fn matches_and_captures_what_the_regex_would() {
    let patterns = [
        ("https://a.com/<**>", Glob),
        ("http://<**>/<**>", Glob),
        ("<{https,http}>://a.com/<*>", Glob),
        ("<{http,https,}>://a.com/<*>/x", Glob),
        ("http://<*>.a.com/<**>", Glob),
        ("http://a.com/<**>.json", Glob),
        ("http://a.com/<*><**>", Glob),
        ("http://a.com/<**>/x<*>", Glob),
        ("<https|http>://a.com/<.*>", Regexp),
        ("<http|https>://a.com/<.+>/x", Regexp),
        ("<https?>://a.com/<[0-9]+>", Regexp),
        ("http://a.com/<[a-z0-9/]*><.*>", Regexp),
        ("http://a.com/<[^/]+>/<[^.]*>", Regexp),
        ("http://a.com/<x|>/<.*>", Regexp),
        ("http://a.com/<x|x/><.*>", Regexp),
        ("http://a.com/<|x>/<.*>", Regexp),
        ("http://a.com/<[A-z]+>", Regexp),
        ("http://a.com/<.*>xx<[a-z]*>", Regexp),
        ("http://a.com/<.+>/x<.*>", Regexp),
    ];
    let fragments = [
        "http", "https", "://", "a.com", "/", ".", "x", "xx", "1", "42", "\n", "é", "json", "-", "",
    ];
    let mut rng = StdRng::seed_from_u64(7);
    for (pattern, strategy) in patterns {
        let walk = simple(pattern, strategy).unwrap_or_else(|| panic!("{pattern} is simple"));
        let regex = regex::Regex::new(&regex_source(pattern, strategy).unwrap()).unwrap();
        let mut matched = 0;
        for _ in 0..8000 {
            // Most inputs start and many end like the patterns, so that many get far.
            let starts = [
                "https://a.com/",
                "http://a.com/",
                "://a.com/",
                "http://x.a.com/",
                "",
            ];
            let mut url = starts[rng.gen_range(0..starts.len())].to_owned();
            for _ in 0..rng.gen_range(0..7) {
                url.push_str(fragments[rng.gen_range(0..fragments.len())]);
            }
            if rng.gen_ratio(1, 3) {
                url.push_str(["/x", ".json"][rng.gen_range(0..2)]);
            }
            let expected = regex.is_match(&url);
            assert_eq!(walk.is_match(&url), expected, "{pattern} on {url:?}");
            matched += usize::from(expected);
            if strategy == Regexp {
                let groups: Vec<String> = regex
                    .captures(&url)
                    .map(|c| {
                        c.iter()
                            .skip(1)
                            .map(|m| m.map_or("", |m| m.as_str()).to_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                assert_eq!(
                    walk.try_match(&url).unwrap_or_default(),
                    groups,
                    "{pattern} on {url:?}"
                );
            }
        }
        assert!(matched >= 20, "{pattern}: only {matched} inputs matched");
    }
}

#[test]
fn a_repeat_before_the_end_backtracks_to_the_longest_fit() {
    let p = simple("http://a.com/<.*>/<[a-z]+>", Regexp).unwrap();
    assert_eq!(
        p.try_match("http://a.com/x/y/z"),
        Some(vec!["x/y".into(), "z".into()])
    );
    assert!(!p.is_match("http://a.com/x/y/1"));
    assert!(
        !p.is_match("http://a.com/x\n/y"),
        "`.` does not take a newline"
    );
}
