//! The sprig-like function set (the subset Ory rules and courier templates use in practice).

use base64::Engine;
use gtmpl::{Func, FuncError, Value};

use super::value::to_json;

/// All functions added on top of gtmpl's builtins (ours win on name clashes, e.g. `print`).
pub(super) const FUNCS: &[(&str, Func)] = &[
    ("print", print),
    ("printIndex", print_index),
    ("toJson", to_json_fn),
    ("toPrettyJson", to_pretty_json),
    ("toString", to_string),
    ("default", default),
    ("empty", empty),
    ("coalesce", coalesce),
    ("ternary", ternary),
    ("upper", upper),
    ("lower", lower),
    ("title", title),
    ("trim", trim),
    ("trimPrefix", trim_prefix),
    ("trimSuffix", trim_suffix),
    ("trimAll", trim_all),
    ("nospace", nospace),
    ("replace", replace),
    ("repeat", repeat),
    ("contains", contains),
    ("hasPrefix", has_prefix),
    ("hasSuffix", has_suffix),
    ("quote", quote),
    ("squote", squote),
    ("join", join),
    ("split", split_list),
    ("splitList", split_list),
    ("first", first),
    ("last", last),
    ("list", list),
    ("dict", dict),
    ("b64enc", b64enc),
    ("b64dec", b64dec),
    ("env", env),
    ("trunc", trunc),
];

/// Go's `fmt.Sprint` for one operand.
pub(super) fn go_string(v: &Value) -> String {
    match v {
        Value::NoValue => "<no value>".into(),
        Value::Nil => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Function(_) => "<func>".into(),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(go_string).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Map(m) | Value::Object(m) => {
            let mut keys: Vec<_> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", go_string(&m[k])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::NoValue | Value::Nil => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Array(a) => a.is_empty(),
        Value::Map(m) | Value::Object(m) => m.is_empty(),
        Value::Function(_) => false,
    }
}

fn arg<'a>(args: &'a [Value], i: usize) -> Result<&'a Value, FuncError> {
    args.get(i)
        .ok_or(FuncError::AtLeastXArgs("function".into(), i + 1))
}

fn s(args: &[Value], i: usize) -> Result<String, FuncError> {
    Ok(match arg(args, i)? {
        Value::NoValue | Value::Nil => String::new(),
        v => go_string(v),
    })
}

fn ok<T: Into<Value>>(v: T) -> Result<Value, FuncError> {
    Ok(v.into())
}

/// Oathkeeper's `print`: nil prints as "", anything else as `fmt.Sprint`.
fn print(args: &[Value]) -> Result<Value, FuncError> {
    let out: Vec<String> = args
        .iter()
        .map(|v| match v {
            Value::NoValue | Value::Nil => String::new(),
            v => go_string(v),
        })
        .collect();
    ok(out.concat())
}

/// Oathkeeper's `printIndex list i`: the i-th element as a string, "" when out of range.
fn print_index(args: &[Value]) -> Result<Value, FuncError> {
    let idx = match arg(args, 1)? {
        Value::Number(n) => n.as_i64().unwrap_or(-1),
        _ => -1,
    };
    let out = match (arg(args, 0)?, usize::try_from(idx)) {
        (Value::Array(a), Ok(i)) => a.get(i).map(go_string).unwrap_or_default(),
        _ => String::new(),
    };
    ok(out)
}

fn to_json_fn(args: &[Value]) -> Result<Value, FuncError> {
    ok(serde_json::to_string(&to_json(arg(args, 0)?)).unwrap_or_default())
}

fn to_pretty_json(args: &[Value]) -> Result<Value, FuncError> {
    ok(serde_json::to_string_pretty(&to_json(arg(args, 0)?)).unwrap_or_default())
}

fn to_string(args: &[Value]) -> Result<Value, FuncError> {
    ok(s(args, 0)?)
}

/// sprig `default DEFAULT VALUE` (pipelines pass VALUE last).
fn default(args: &[Value]) -> Result<Value, FuncError> {
    let d = arg(args, 0)?.clone();
    match args.get(1) {
        Some(v) if !is_empty(v) => Ok(v.clone()),
        _ => Ok(d),
    }
}

fn empty(args: &[Value]) -> Result<Value, FuncError> {
    ok(args.first().is_none_or(is_empty))
}

fn coalesce(args: &[Value]) -> Result<Value, FuncError> {
    Ok(args
        .iter()
        .find(|v| !is_empty(v))
        .cloned()
        .unwrap_or(Value::Nil))
}

/// sprig `ternary A B COND`.
fn ternary(args: &[Value]) -> Result<Value, FuncError> {
    let cond = !is_empty(arg(args, 2)?);
    Ok(if cond { arg(args, 0)? } else { arg(args, 1)? }.clone())
}

fn upper(args: &[Value]) -> Result<Value, FuncError> {
    ok(s(args, 0)?.to_uppercase())
}

fn lower(args: &[Value]) -> Result<Value, FuncError> {
    ok(s(args, 0)?.to_lowercase())
}

fn title(args: &[Value]) -> Result<Value, FuncError> {
    let text = s(args, 0)?;
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c.is_whitespace();
    }
    ok(out)
}

fn trim(args: &[Value]) -> Result<Value, FuncError> {
    ok(s(args, 0)?.trim().to_owned())
}

/// sprig `trimPrefix PREFIX S`.
fn trim_prefix(args: &[Value]) -> Result<Value, FuncError> {
    let (p, v) = (s(args, 0)?, s(args, 1)?);
    ok(v.strip_prefix(p.as_str()).unwrap_or(&v).to_owned())
}

fn trim_suffix(args: &[Value]) -> Result<Value, FuncError> {
    let (p, v) = (s(args, 0)?, s(args, 1)?);
    ok(v.strip_suffix(p.as_str()).unwrap_or(&v).to_owned())
}

fn trim_all(args: &[Value]) -> Result<Value, FuncError> {
    let (cut, v) = (s(args, 0)?, s(args, 1)?);
    ok(v.trim_matches(|c| cut.contains(c)).to_owned())
}

fn nospace(args: &[Value]) -> Result<Value, FuncError> {
    ok(s(args, 0)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>())
}

/// sprig `replace OLD NEW S`.
fn replace(args: &[Value]) -> Result<Value, FuncError> {
    ok(s(args, 2)?.replace(&s(args, 0)?, &s(args, 1)?))
}

fn repeat(args: &[Value]) -> Result<Value, FuncError> {
    let n = match arg(args, 0)? {
        Value::Number(n) => n.as_u64().unwrap_or(0).min(10_000) as usize,
        _ => 0,
    };
    ok(s(args, 1)?.repeat(n))
}

/// sprig `contains NEEDLE HAYSTACK`.
fn contains(args: &[Value]) -> Result<Value, FuncError> {
    ok(s(args, 1)?.contains(&s(args, 0)?))
}

fn has_prefix(args: &[Value]) -> Result<Value, FuncError> {
    ok(s(args, 1)?.starts_with(&s(args, 0)?))
}

fn has_suffix(args: &[Value]) -> Result<Value, FuncError> {
    ok(s(args, 1)?.ends_with(&s(args, 0)?))
}

fn quote(args: &[Value]) -> Result<Value, FuncError> {
    let parts: Vec<String> = args
        .iter()
        .filter(|v| !matches!(v, Value::Nil | Value::NoValue))
        .map(|v| serde_json::to_string(&go_string(v)).unwrap_or_default())
        .collect();
    ok(parts.join(" "))
}

fn squote(args: &[Value]) -> Result<Value, FuncError> {
    let parts: Vec<String> = args
        .iter()
        .filter(|v| !matches!(v, Value::Nil | Value::NoValue))
        .map(|v| format!("'{}'", go_string(v)))
        .collect();
    ok(parts.join(" "))
}

/// sprig `join SEP LIST`.
fn join(args: &[Value]) -> Result<Value, FuncError> {
    let sep = s(args, 0)?;
    let out = match arg(args, 1)? {
        Value::Array(a) => a.iter().map(go_string).collect::<Vec<_>>().join(&sep),
        v => go_string(v),
    };
    ok(out)
}

/// sprig `splitList SEP S`.
fn split_list(args: &[Value]) -> Result<Value, FuncError> {
    let (sep, v) = (s(args, 0)?, s(args, 1)?);
    Ok(Value::Array(
        v.split(sep.as_str())
            .map(|p| Value::from(p.to_owned()))
            .collect(),
    ))
}

fn first(args: &[Value]) -> Result<Value, FuncError> {
    match arg(args, 0)? {
        Value::Array(a) => Ok(a.first().cloned().unwrap_or(Value::Nil)),
        _ => Ok(Value::Nil),
    }
}

fn last(args: &[Value]) -> Result<Value, FuncError> {
    match arg(args, 0)? {
        Value::Array(a) => Ok(a.last().cloned().unwrap_or(Value::Nil)),
        _ => Ok(Value::Nil),
    }
}

fn list(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Array(args.to_vec()))
}

fn dict(args: &[Value]) -> Result<Value, FuncError> {
    let map = args
        .chunks(2)
        .map(|kv| {
            (
                go_string(&kv[0]),
                kv.get(1).cloned().unwrap_or(Value::from("")),
            )
        })
        .collect();
    Ok(Value::Map(map))
}

fn b64enc(args: &[Value]) -> Result<Value, FuncError> {
    ok(base64::engine::general_purpose::STANDARD.encode(s(args, 0)?))
}

fn b64dec(args: &[Value]) -> Result<Value, FuncError> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(s(args, 0)?)
        .unwrap_or_default();
    ok(String::from_utf8_lossy(&raw).into_owned())
}

fn env(args: &[Value]) -> Result<Value, FuncError> {
    ok(std::env::var(s(args, 0)?).unwrap_or_default())
}

/// sprig `trunc N S`.
fn trunc(args: &[Value]) -> Result<Value, FuncError> {
    let n = match arg(args, 0)? {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        _ => 0,
    };
    let v: Vec<char> = s(args, 1)?.chars().collect();
    let out: String = if n >= 0 {
        v.iter().take(n as usize).collect()
    } else {
        v.iter()
            .skip(v.len().saturating_sub(n.unsigned_abs() as usize))
            .collect()
    };
    ok(out)
}
