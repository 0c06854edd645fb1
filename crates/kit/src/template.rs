//! Go `text/template` rendering over `gtmpl`, with the sprig-like functions Ory configs use.
//!
//! Generic on purpose: a template string is compiled once ([`Template::parse`]) and rendered
//! against any `serde_json::Value` context. JSON objects become Go maps, so a missing key
//! renders as `<no value>` (Go's `missingkey=zero` on `map[string]interface{}`) and
//! `{{ print .Missing }}` renders as the empty string, as in Oathkeeper.

mod funcs;
mod syntax;
mod value;

pub use value::{from_json, to_json};

use std::fmt;

/// A template failed to parse or render.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The template text is not valid Go template syntax.
    #[error("template parse error: {0}")]
    Parse(String),
    /// Rendering failed (missing field chain, bad function argument, …).
    #[error("template render error: {0}")]
    Render(String),
}

/// A parsed, reusable Go template.
pub struct Template {
    inner: gtmpl::Template,
    text: String,
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template")
            .field("text", &self.text)
            .finish()
    }
}

impl Template {
    /// Parses `text` with the built-in and sprig-like functions available.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        syntax::check(text).map_err(TemplateError::Parse)?;
        let mut inner = gtmpl::Template::default();
        inner.add_funcs(funcs::FUNCS);
        inner
            .parse(text)
            .map_err(|e| TemplateError::Parse(e.to_string()))?;
        Ok(Self {
            inner,
            text: text.to_owned(),
        })
    }

    /// Parses `text` together with named companion templates whose `{{define}}` blocks it
    /// may call with `{{template "name" .}}` (Go's `ParseGlob` over several files).
    pub fn parse_with(text: &str, companions: &[(&str, &str)]) -> Result<Self, TemplateError> {
        let mut t = Self::parse(text)?;
        for (name, body) in companions {
            syntax::check(body).map_err(TemplateError::Parse)?;
            t.inner
                .add_template(*name, *body)
                .map_err(|e| TemplateError::Parse(e.to_string()))?;
        }
        Ok(t)
    }

    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Renders against a JSON context.
    pub fn render(&self, ctx: &serde_json::Value) -> Result<String, TemplateError> {
        self.render_value(from_json(ctx))
    }

    /// Renders against an already converted `gtmpl` value (lets callers convert once).
    pub fn render_value(&self, ctx: gtmpl::Value) -> Result<String, TemplateError> {
        // A template without actions renders to itself; skip the interpreter.
        if !self.text.contains("{{") {
            return Ok(self.text.clone());
        }
        self.inner
            .render(&gtmpl::Context::from(ctx))
            .map_err(|e| TemplateError::Render(e.to_string()))
    }
}

/// Parses and renders in one go.
pub fn render(text: &str, ctx: &serde_json::Value) -> Result<String, TemplateError> {
    Template::parse(text)?.render(ctx)
}

#[cfg(test)]
mod tests;
