//! `match.url` patterns simple enough to match without a regex engine: literal text, plain
//! alternatives (`<https|http>`, `<{a,b}>`, `<https?>`) and repeats of one character class
//! (`<**>`, `<*>`, `<.*>`, `<[0-9]+>`): the shapes nearly every access rule has.
//!
//! Why: a compiled regex keeps kilobytes of lazy-DFA cache per rule. With hundreds of rules in
//! use those caches stop fitting the CPU cache, and matching slows with the number of rules
//! even though the index only evaluates one or two of them per request. A [`SimplePattern`] is
//! a few dozen bytes and walks the URL once.
//!
//! The semantics are the regex's the pattern would otherwise compile to, including the text a
//! capture group takes (leftmost-first: alternatives in order, repeats longest first). To keep
//! the walk linear, at most one repeat may be followed by more of the pattern, and the
//! alternatives' combinations are bounded. Everything else compiles to a regex as before.

use crate::config::MatchingStrategy;

/// Patterns whose alternatives combine in more ways than this compile to a regex.
const MAX_BRANCHES: usize = 64;

/// Bytes a repeat accepts. Classes are built from ASCII, so the bytes of a non-ASCII character
/// are either all in or all out, and testing bytes is testing characters.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ByteClass([u64; 4]);

impl ByteClass {
    /// Regex `.` (and so glob `**`): every character but a newline.
    const NOT_NEWLINE: Self = Self([!(1 << b'\n'), !0, !0, !0]);

    fn none() -> Self {
        Self([0; 4])
    }

    /// Every byte but `excluded` (a negated class; glob `*`).
    fn all_but(excluded: &ByteClass) -> Self {
        Self(excluded.0.map(|w| !w))
    }

    fn of(bytes: &[u8]) -> Self {
        let mut c = Self::none();
        bytes.iter().for_each(|&b| c.insert(b));
        c
    }

    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] >> (b & 63) & 1 == 1
    }

    /// How long the run of class members at the start of `text` is.
    fn run(&self, text: &str) -> usize {
        if *self == Self::NOT_NEWLINE {
            return text.find('\n').unwrap_or(text.len());
        }
        text.bytes().take_while(|&c| self.contains(c)).count()
    }

    /// Where the run of class members at the end of `text` starts.
    fn tail(&self, text: &str) -> usize {
        if *self == Self::NOT_NEWLINE {
            return text.rfind('\n').map_or(0, |at| at + 1);
        }
        text.len() - text.bytes().rev().take_while(|&c| self.contains(c)).count()
    }
}

/// One piece of a pattern.
#[derive(Clone, Debug)]
enum Segment {
    Literal(Box<str>),
    /// Tried in order.
    OneOf(Vec<Box<str>>),
    Repeat {
        class: ByteClass,
        at_least_one: bool,
    },
}

#[derive(Clone, Debug)]
struct Part {
    segment: Segment,
    /// The capture group this part fills (regexp sections are one group each; globs have none).
    group: Option<usize>,
}

/// A pattern matched by walking it over the URL.
#[derive(Clone, Debug)]
pub struct SimplePattern {
    parts: Vec<Part>,
    groups: usize,
}

/// One match attempt's state.
struct Walk<'a> {
    text: &'a str,
    /// Where the bytes up to the end start all being in the last repeat's class (computed on
    /// first use, so that a trailing repeat costs one scan however often it is reached).
    tail_from: Option<usize>,
    /// Capture spans, when asked for.
    spans: Option<Vec<(usize, usize)>>,
}

impl SimplePattern {
    /// The pattern for `sections` (from `matcher::split`), or `None` when it needs a regex.
    pub fn parse(sections: &[(bool, &str)], strategy: MatchingStrategy) -> Option<Self> {
        let mut parts: Vec<Part> = Vec::new();
        let mut groups = 0;
        for &(dynamic, text) in sections {
            if !dynamic {
                push_literal(&mut parts, text);
                continue;
            }
            match strategy {
                MatchingStrategy::Regexp => {
                    let segment = regexp_section(text)?;
                    parts.push(Part {
                        segment,
                        group: Some(groups),
                    });
                    groups += 1;
                }
                MatchingStrategy::Glob => glob_section(&mut parts, text)?,
            }
        }
        let inner_repeats = parts
            .iter()
            .rev()
            .skip(1)
            .filter(|p| matches!(p.segment, Segment::Repeat { .. }))
            .count();
        let branches = parts.iter().try_fold(1usize, |n, p| match &p.segment {
            Segment::OneOf(alts) => n.checked_mul(alts.len()),
            _ => Some(n),
        })?;
        (inner_repeats <= 1 && branches <= MAX_BRANCHES).then_some(Self { parts, groups })
    }

    /// How many capture groups the pattern has (none for globs).
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// Whether the whole of `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        self.walk(0, 0, &mut Walk::new(text))
    }

    /// What the capture groups took (regexp strategy; none for globs) when all of `text`
    /// matches.
    pub fn try_match(&self, text: &str) -> Option<Vec<String>> {
        if self.groups == 0 {
            return self.is_match(text).then(Vec::new);
        }
        let mut walk = Walk::new(text);
        walk.spans = Some(vec![(0, 0); self.groups]);
        if !self.walk(0, 0, &mut walk) {
            return None;
        }
        let spans = walk.spans.unwrap_or_default();
        Some(
            spans
                .into_iter()
                .map(|(a, b)| text[a..b].to_owned())
                .collect(),
        )
    }

    /// Whether parts `i..` match `text[pos..]`, trying alternatives and repeat lengths in the
    /// regex's order of preference.
    fn walk(&self, i: usize, pos: usize, w: &mut Walk) -> bool {
        let Some(part) = self.parts.get(i) else {
            return pos == w.text.len();
        };
        let text = w.text;
        let rest = &text.as_bytes()[pos..];
        let end = match &part.segment {
            Segment::Literal(lit) => {
                return rest.starts_with(lit.as_bytes()) && self.walk(i + 1, pos + lit.len(), w);
            }
            Segment::OneOf(alts) => alts.iter().find_map(|a| {
                let end = pos + a.len();
                (rest.starts_with(a.as_bytes()) && self.walk(i + 1, end, w)).then_some(end)
            }),
            Segment::Repeat {
                class,
                at_least_one,
            } => {
                let min = pos + usize::from(*at_least_one);
                if i + 1 == self.parts.len() {
                    let from = *w.tail_from.get_or_insert_with(|| class.tail(text));
                    (pos >= from && text.len() >= min).then_some(text.len())
                } else {
                    let run = class.run(&text[pos..]);
                    self.inner_repeat_end(i, min, pos + run, w)
                }
            }
        };
        match (end, part.group, w.spans.as_mut()) {
            (Some(end), Some(g), Some(spans)) => spans[g] = (pos, end),
            (None, ..) => return false,
            _ => {}
        }
        true
    }

    /// Where the repeat at `i`, which can end anywhere in `min..=max`, ends so that the parts
    /// after it match: the furthest such end (repeats are greedy).
    fn inner_repeat_end(&self, i: usize, min: usize, max: usize, w: &mut Walk) -> Option<usize> {
        let text = w.text;
        let next = match &self.parts[i + 1].segment {
            Segment::Literal(lit) => lit.as_bytes().first().copied(),
            _ => None,
        };
        let Some(first) = next else {
            return (min..=max)
                .rev()
                .find(|&end| text.is_char_boundary(end) && self.walk(i + 1, end, w));
        };
        // Only the ends where the literal starts can do: visit those, right to left (a
        // literal starts with a leading byte, so these are character boundaries).
        let mut upto = (max + 1).min(text.len());
        loop {
            let end = text.as_bytes()[..upto].iter().rposition(|&b| b == first)?;
            if end < min {
                return None;
            }
            if self.walk(i + 1, end, w) {
                return Some(end);
            }
            upto = end;
        }
    }
}

impl<'a> Walk<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            tail_from: None,
            spans: None,
        }
    }
}

fn push_literal(parts: &mut Vec<Part>, text: &str) {
    if let Some(Part {
        segment: Segment::Literal(prev),
        group: None,
    }) = parts.last_mut()
    {
        *prev = format!("{prev}{text}").into();
        return;
    }
    parts.push(Part {
        segment: Segment::Literal(text.into()),
        group: None,
    });
}

/// Characters accepted in regexp alternatives and classes: they stand for themselves there.
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-/:@=,;!%'".contains(c)
}

/// Characters that stand for themselves in a glob (outside braces; inside, not `,` either).
fn is_glob_plain(c: char) -> bool {
    !"*?[]{}\\,".contains(c)
}

/// `.*`, `.+`, `[class]*`, `[class]+`, or literal alternatives (`a|b`, `https?`).
fn regexp_section(text: &str) -> Option<Segment> {
    let repeat = |class, quantifier: &str| match quantifier {
        "*" => Some(Segment::Repeat {
            class,
            at_least_one: false,
        }),
        "+" => Some(Segment::Repeat {
            class,
            at_least_one: true,
        }),
        _ => None,
    };
    if let Some(q) = text.strip_prefix('.') {
        return repeat(ByteClass::NOT_NEWLINE, q);
    }
    if let Some(body) = text.strip_prefix('[') {
        let (class, q) = body.split_once(']')?;
        return repeat(class_of(class)?, q);
    }
    if let Some(word) = text.strip_suffix('?') {
        let shorter = word.get(..word.len().checked_sub(1)?)?;
        return word
            .chars()
            .all(is_plain)
            .then(|| Segment::OneOf(vec![word.into(), shorter.into()]));
    }
    text.chars()
        .all(|c| c == '|' || is_plain(c))
        .then(|| Segment::OneOf(text.split('|').map(Into::into).collect()))
}

/// A bracket class body (`a-z0-9/`, `^./`): plain characters, `.` and alphanumeric ranges
/// only.
fn class_of(body: &str) -> Option<ByteClass> {
    let (negated, body) = match body.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let b = body.as_bytes();
    if b.is_empty() {
        return None;
    }
    let mut class = ByteClass::none();
    let mut i = 0;
    while i < b.len() {
        let c = char::from(b[i]);
        if !(is_plain(c) || c == '.') || c == '-' {
            return None;
        }
        if b.get(i + 1) == Some(&b'-') {
            let to = char::from(*b.get(i + 2)?);
            if !c.is_ascii_alphanumeric() || !to.is_ascii_alphanumeric() || c > to {
                return None;
            }
            (b[i]..=b[i + 2]).for_each(|x| class.insert(x));
            i += 3;
        } else {
            class.insert(b[i]);
            i += 1;
        }
    }
    Some(if negated {
        ByteClass::all_but(&class)
    } else {
        class
    })
}

/// A glob section: `**`, `*`, `{a,b}` with plain alternatives, plain text.
fn glob_section(parts: &mut Vec<Part>, text: &str) -> Option<()> {
    let mut rest = text;
    while !rest.is_empty() {
        let (segment, tail) = if let Some(tail) = rest.strip_prefix("**") {
            let class = ByteClass::NOT_NEWLINE;
            (
                Segment::Repeat {
                    class,
                    at_least_one: false,
                },
                tail,
            )
        } else if let Some(tail) = rest.strip_prefix('*') {
            let class = ByteClass::all_but(&ByteClass::of(b"./"));
            (
                Segment::Repeat {
                    class,
                    at_least_one: false,
                },
                tail,
            )
        } else if let Some(tail) = rest.strip_prefix('{') {
            let (body, tail) = tail.split_once('}')?;
            if !body.chars().all(|c| c == ',' || is_glob_plain(c)) {
                return None;
            }
            (
                Segment::OneOf(body.split(',').map(Into::into).collect()),
                tail,
            )
        } else {
            let n = rest.find(|c: char| !is_glob_plain(c)).unwrap_or(rest.len());
            if n == 0 {
                return None;
            }
            push_literal(parts, &rest[..n]);
            rest = &rest[n..];
            continue;
        };
        parts.push(Part {
            segment,
            group: None,
        });
        rest = tail;
    }
    Some(())
}

#[cfg(test)]
mod tests;
