//! Email templates: which exist, where each comes from, and rendering them.
//!
//! Each template type has three parts (subject, HTML body, plain-text body). A part comes from,
//! in Kratos' order: a `courier.templates.<type>.<valid|invalid>.email…` URI; else a file under
//! `courier.template_override_path` — Kratos' nested layout
//! `<type>/<valid|invalid>/email.{subject,body,body.plaintext}.gotmpl`, or the flat
//! `<type>_<valid|invalid>.email.{…}.gotmpl`; else the built-in text. Everything is loaded and
//! parsed at start-up, so a broken template stops the server with its file and line.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use nexus_kit::template::{Template, TemplateError};
use serde_json::Value;

use super::builtin;
use crate::config::courier::Courier as CourierConfig;

/// The courier template types (openapi.json `message.template_type`, minus the test stub).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum TemplateType {
    /// Recovery link asked for an unknown address.
    recovery_invalid,
    /// Recovery link (`.RecoveryURL`).
    recovery_valid,
    /// Recovery code asked for an unknown address.
    recovery_code_invalid,
    /// Recovery code (`.RecoveryCode`).
    recovery_code_valid,
    /// Verification link asked for an unknown address.
    verification_invalid,
    /// Verification link (`.VerificationURL`).
    verification_valid,
    /// Verification code asked for an unknown address.
    verification_code_invalid,
    /// Verification code (`.VerificationCode`, `.VerificationURL`).
    verification_code_valid,
    /// Sign-in code (`.LoginCode`).
    login_code_valid,
    /// Sign-up code (`.RegistrationCode`).
    registration_code_valid,
}

impl TemplateType {
    /// Every type.
    pub const ALL: [TemplateType; 10] = [
        TemplateType::recovery_invalid,
        TemplateType::recovery_valid,
        TemplateType::recovery_code_invalid,
        TemplateType::recovery_code_valid,
        TemplateType::verification_invalid,
        TemplateType::verification_valid,
        TemplateType::verification_code_invalid,
        TemplateType::verification_code_valid,
        TemplateType::login_code_valid,
        TemplateType::registration_code_valid,
    ];

    /// The Kratos name (`verification_code_valid`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateType::recovery_invalid => "recovery_invalid",
            TemplateType::recovery_valid => "recovery_valid",
            TemplateType::recovery_code_invalid => "recovery_code_invalid",
            TemplateType::recovery_code_valid => "recovery_code_valid",
            TemplateType::verification_invalid => "verification_invalid",
            TemplateType::verification_valid => "verification_valid",
            TemplateType::verification_code_invalid => "verification_code_invalid",
            TemplateType::verification_code_valid => "verification_code_valid",
            TemplateType::login_code_valid => "login_code_valid",
            TemplateType::registration_code_valid => "registration_code_valid",
        }
    }

    /// Parses a Kratos name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// `(family, variant)`: `verification_code_valid` → `("verification_code", "valid")`.
    pub fn split(self) -> (&'static str, &'static str) {
        let s = self.as_str();
        match s.rsplit_once('_') {
            Some((family, variant)) => (family, variant),
            None => (s, ""),
        }
    }
}

impl fmt::Display for TemplateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One part of an email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// Subject line.
    Subject,
    /// HTML body.
    Html,
    /// Plain-text body.
    Plaintext,
}

impl Part {
    pub(super) const ALL: [Part; 3] = [Part::Subject, Part::Html, Part::Plaintext];

    /// The Kratos file name of this part.
    fn file_name(self) -> &'static str {
        match self {
            Part::Subject => "email.subject.gotmpl",
            Part::Html => "email.body.gotmpl",
            Part::Plaintext => "email.body.plaintext.gotmpl",
        }
    }

    /// Its key under `courier.templates.<type>.<variant>.email`.
    fn config_path(self) -> &'static [&'static str] {
        match self {
            Part::Subject => &["subject"],
            Part::Html => &["body", "html"],
            Part::Plaintext => &["body", "plaintext"],
        }
    }
}

/// A template that could not be loaded or parsed; names where it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("courier template {source_name}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct TemplateLoadError {
    /// File path, config key or built-in name.
    pub source_name: String,
    /// 1-based line of a syntax error, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// The rendered parts of an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    /// Subject line (trimmed).
    pub subject: String,
    /// HTML body.
    pub html: String,
    /// Plain-text body.
    pub plaintext: String,
}

/// A parsed part and where it came from.
struct Loaded {
    template: Template,
    source: String,
}

/// All templates, parsed.
pub struct Templates {
    parts: HashMap<(TemplateType, Part), Loaded>,
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sources: Vec<_> = self.parts.values().map(|l| l.source.as_str()).collect();
        sources.sort_unstable();
        f.debug_struct("Templates")
            .field("sources", &sources)
            .finish()
    }
}

impl Templates {
    /// The built-in templates only.
    pub fn builtin() -> Self {
        let mut parts = HashMap::new();
        for t in TemplateType::ALL {
            for p in Part::ALL {
                let text = builtin::text(t, p);
                let template = Template::parse(text)
                    .unwrap_or_else(|e| panic!("built-in template {t} {p:?} is invalid: {e}"));
                parts.insert(
                    (t, p),
                    Loaded {
                        template,
                        source: format!("built-in {t} {}", p.file_name()),
                    },
                );
            }
        }
        Templates { parts }
    }

    /// Loads the configured overrides over the built-ins (see the module doc for the order).
    pub async fn load(
        config: &CourierConfig,
        http: &reqwest::Client,
    ) -> Result<Self, TemplateLoadError> {
        let mut set = Self::builtin();
        let dir = config
            .template_override_path
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| PathBuf::from(d.trim_start_matches("file://")));
        if let Some(dir) = &dir {
            if !dir.is_dir() {
                return Err(TemplateLoadError {
                    source_name: dir.display().to_string(),
                    line: None,
                    message: "courier.template_override_path is not a readable directory".into(),
                });
            }
        }
        for t in TemplateType::ALL {
            for p in Part::ALL {
                if let Some(loaded) = from_config(config, t, p, http).await? {
                    set.parts.insert((t, p), loaded);
                } else if let Some(dir) = &dir {
                    if let Some(loaded) = from_dir(dir, t, p)? {
                        set.parts.insert((t, p), loaded);
                    }
                }
            }
        }
        Ok(set)
    }

    /// Where each part of `t` comes from (file path, config key or `built-in …`).
    pub fn sources(&self, t: TemplateType) -> [String; 3] {
        Part::ALL.map(|p| self.parts[&(t, p)].source.clone())
    }

    /// Renders the three parts of `t` with `model` (Kratos' Go field names). Strings in the
    /// model are HTML-escaped for the HTML body, as Go's `html/template` would.
    pub fn render(
        &self,
        t: TemplateType,
        model: &Value,
    ) -> Result<RenderedEmail, TemplateLoadError> {
        let part = |p: Part, m: &Value| {
            let loaded = &self.parts[&(t, p)];
            loaded.template.render(m).map_err(|e| TemplateLoadError {
                source_name: loaded.source.clone(),
                line: None,
                message: e.to_string(),
            })
        };
        let escaped = escape_html(model);
        Ok(RenderedEmail {
            subject: part(Part::Subject, model)?.trim().to_string(),
            html: part(Part::Html, &escaped)?,
            plaintext: part(Part::Plaintext, model)?,
        })
    }
}

/// `courier.templates.<family>.<variant>.email.<part>` when set.
async fn from_config(
    config: &CourierConfig,
    t: TemplateType,
    p: Part,
    http: &reqwest::Client,
) -> Result<Option<Loaded>, TemplateLoadError> {
    let (family, variant) = t.split();
    let mut node = &config.templates.0;
    for k in [family, variant, "email"].iter().chain(p.config_path()) {
        match node.get(*k) {
            Some(next) => node = next,
            None => return Ok(None),
        }
    }
    let Some(uri) = node.as_str().filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let name = format!(
        "courier.templates.{family}.{variant}.email.{}",
        p.config_path().join(".")
    );
    let text = super::source::fetch(uri, http)
        .await
        .map_err(|message| TemplateLoadError {
            source_name: name.clone(),
            line: None,
            message,
        })?;
    parse(&name, &text, &[]).map(Some)
}

/// The nested file, else the flat one, when present.
fn from_dir(dir: &Path, t: TemplateType, p: Part) -> Result<Option<Loaded>, TemplateLoadError> {
    let (family, variant) = t.split();
    let nested_dir = dir.join(family).join(variant);
    let nested = nested_dir.join(p.file_name());
    let flat = dir.join(format!("{}.{}", t.as_str(), p.file_name()));
    let (path, companions_in) = if nested.is_file() {
        (nested, Some(nested_dir))
    } else if flat.is_file() {
        (flat, None)
    } else {
        return Ok(None);
    };
    let name = path.display().to_string();
    let text = read(&path)?;
    // Kratos parses `email.body*` as one glob: companion files may hold `{{define}}` blocks.
    let mut companions = Vec::new();
    if let (Some(cdir), Part::Html | Part::Plaintext) = (companions_in, p) {
        companions = companion_files(&cdir, p)?;
    }
    let refs: Vec<(&str, &str)> = companions
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    parse(&name, &text, &refs).map(Some)
}

/// Other `email.body*.gotmpl` files beside the main one (plain-text ones for the plain-text
/// body, the others for the HTML body), checked one by one so an error names its file.
fn companion_files(dir: &Path, p: Part) -> Result<Vec<(String, String)>, TemplateLoadError> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| TemplateLoadError {
        source_name: dir.display().to_string(),
        line: None,
        message: e.to_string(),
    })?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("email.body") && n.ends_with(".gotmpl"))
        .filter(|n| n != Part::Html.file_name() && n != Part::Plaintext.file_name())
        .filter(|n| n.starts_with("email.body.plaintext") == (p == Part::Plaintext))
        .collect();
    names.sort();
    for n in names {
        let path = dir.join(&n);
        let text = read(&path)?;
        parse(&path.display().to_string(), &text, &[])?;
        out.push((n, text));
    }
    Ok(out)
}

fn read(path: &Path) -> Result<String, TemplateLoadError> {
    std::fs::read_to_string(path).map_err(|e| TemplateLoadError {
        source_name: path.display().to_string(),
        line: None,
        message: format!("cannot read: {e}"),
    })
}

fn parse(name: &str, text: &str, companions: &[(&str, &str)]) -> Result<Loaded, TemplateLoadError> {
    Template::parse_with(text, companions)
        .map(|template| Loaded {
            template,
            source: name.to_string(),
        })
        .map_err(|e| {
            // gtmpl places "unexpected EOF" past the end; name the unclosed block instead.
            let (line, message) = unbalanced(text)
                .map(|(l, m)| (Some(l), m))
                .unwrap_or_else(|| locate(text, &e));
            TemplateLoadError {
                source_name: name.to_string(),
                line,
                message,
            }
        })
}

/// The line of a parse error: gtmpl says `template: <name>:<line>:<msg>`, the delimiter
/// pre-check says `… at byte <n>`.
fn locate(text: &str, e: &TemplateError) -> (Option<usize>, String) {
    let raw = match e {
        TemplateError::Parse(m) | TemplateError::Render(m) => m.as_str(),
    };
    if let Some(rest) = raw.strip_prefix("template: ") {
        // `<name>:<line>:<message>`; the name is empty for the main template.
        let mut it = rest.splitn(3, ':');
        if let (Some(_), Some(line), Some(msg)) = (it.next(), it.next(), it.next()) {
            if let Ok(n) = line.trim().parse::<usize>() {
                return (Some(n), msg.trim().to_string());
            }
        }
    }
    if let Some(pos) = raw.rfind("at byte ") {
        if let Ok(offset) = raw[pos + 8..].trim().parse::<usize>() {
            let line = text
                .as_bytes()
                .iter()
                .take(offset)
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            return (Some(line), raw[..pos].trim().to_string());
        }
    }
    (None, raw.to_string())
}

/// The first unbalanced block: an `{{end}}` with nothing open, or an `{{if}}`, `{{range}}`,
/// `{{with}}`, `{{define}}` or `{{block}}` never closed. `(line, message)`.
fn unbalanced(text: &str) -> Option<(usize, String)> {
    let mut open: Vec<(usize, String)> = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("{{") {
        let action_at = offset + start;
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let body = after[..end].trim_start_matches('-').trim_start();
        let word: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let line = text[..action_at].matches('\n').count() + 1;
        match word.as_str() {
            "if" | "range" | "with" | "define" | "block" => open.push((line, word)),
            "end" => {
                if open.pop().is_none() {
                    return Some((line, "{{end}} without an open block".into()));
                }
            }
            _ => {}
        }
        offset = action_at + 2 + end + 2;
        rest = &text[offset..];
    }
    open.pop().map(|(line, word)| {
        (
            line,
            format!("{{{{{word}}}}} is never closed (missing {{{{end}}}})"),
        )
    })
}

/// A copy of `v` with every string HTML-escaped.
fn escape_html(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(html_escape(s)),
        Value::Array(a) => Value::Array(a.iter().map(escape_html).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), escape_html(v))).collect())
        }
        other => other.clone(),
    }
}

/// Escapes like Go's `html/template` in text and quoted attributes.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
