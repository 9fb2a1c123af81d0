//! YAML 1.1 reading of scalars, the way Kubernetes (Go yaml) and Flyte (PyYAML) read them.
//!
//! The parser itself is YAML 1.2 and leaves plain scalars as text; this module says what a
//! plain scalar becomes for the consumers that matter: `yes`/`on` are booleans, `0644` is the
//! octal integer 420, `~` is null. It only classifies, it never fails.

/// How a scalar was written in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl ScalarStyle {
    pub fn is_quoted(self) -> bool {
        !matches!(self, ScalarStyle::Plain)
    }
}

/// What a scalar means to a YAML 1.1 reader.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str,
}

impl Reading {
    /// Describes the reading for a message: "the boolean true", "the integer 420".
    pub fn describe(&self) -> String {
        match self {
            Reading::Null => "null".to_string(),
            Reading::Bool(b) => format!("the boolean {b}"),
            Reading::Int(i) => format!("the integer {i}"),
            Reading::Float(f) => format!("the number {f}"),
            Reading::Str => "a string".to_string(),
        }
    }
}

/// Reads a scalar as YAML 1.1 does. Quoted and block scalars are strings; an explicit core tag
/// (`!!str`, `!!int`, ...) decides on its own.
pub fn read(value: &str, style: ScalarStyle, tag: Option<&str>) -> Reading {
    if let Some(tag) = tag {
        match tag
            .trim_start_matches("tag:yaml.org,2002:")
            .trim_start_matches("!!")
        {
            "str" => return Reading::Str,
            "null" => return Reading::Null,
            _ => {}
        }
    }
    if style.is_quoted() {
        return Reading::Str;
    }
    read_plain(value)
}

/// The YAML 1.1 resolution of a plain scalar (yaml.org/type/{null,bool,int,float}.html).
pub fn read_plain(v: &str) -> Reading {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return Reading::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Reading::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Reading::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Reading::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Reading::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Reading::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = read_int(v) {
        return Reading::Int(i);
    }
    if let Some(f) = read_float(v) {
        return Reading::Float(f);
    }
    Reading::Str
}

fn split_sign(v: &str) -> (i128, &str) {
    if let Some(rest) = v.strip_prefix('-') {
        (-1, rest)
    } else if let Some(rest) = v.strip_prefix('+') {
        (1, rest)
    } else {
        (1, v)
    }
}

fn read_int(v: &str) -> Option<i128> {
    let (sign, body) = split_sign(v);
    if body.is_empty() || body.starts_with('_') {
        return None;
    }
    let digits: String = body.chars().filter(|c| *c != '_').collect();
    let parsed = if let Some(bin) = digits.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).ok()
    } else if let Some(hex) = digits.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()
    } else if digits.len() > 1 && digits.starts_with('0') {
        // YAML 1.1: a leading zero means octal (`0644` is 420).
        i128::from_str_radix(&digits[1..], 8).ok()
    } else if body.contains(':') {
        read_sexagesimal(body)
    } else if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i128>().ok()
    } else {
        None
    };
    parsed.map(|p| sign * p)
}

/// Base 60 integers such as `1:30` (= 90), a YAML 1.1 oddity that still bites port lists.
fn read_sexagesimal(body: &str) -> Option<i128> {
    let mut parts = body.split(':');
    let first = parts.next()?;
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) || first.starts_with('0') {
        return None;
    }
    let mut total: i128 = first.parse().ok()?;
    for p in parts {
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: i128 = p.parse().ok()?;
        if n >= 60 {
            return None;
        }
        total = total.checked_mul(60)?.checked_add(n)?;
    }
    Some(total)
}

fn read_float(v: &str) -> Option<f64> {
    let (sign, body) = split_sign(v);
    let digits: String = body.chars().filter(|c| *c != '_').collect();
    // YAML 1.1 floats need a dot: `[-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?`.
    if !digits.contains('.') {
        return None;
    }
    let valid = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if !valid || !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    digits.parse::<f64>().ok().map(|f| f * sign as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_booleans_and_nulls() {
        for v in ["yes", "on", "Y", "TRUE"] {
            assert_eq!(read_plain(v), Reading::Bool(true), "{v}");
        }
        for v in ["no", "off", "n", "False"] {
            assert_eq!(read_plain(v), Reading::Bool(false), "{v}");
        }
        assert_eq!(read_plain("~"), Reading::Null);
        assert_eq!(read_plain(""), Reading::Null);
        assert_eq!(read_plain("yess"), Reading::Str);
    }

    #[test]
    fn yaml_1_1_numbers() {
        assert_eq!(read_plain("0644"), Reading::Int(420));
        assert_eq!(read_plain("0x1F"), Reading::Int(31));
        assert_eq!(read_plain("1_000"), Reading::Int(1000));
        assert_eq!(read_plain("1:30"), Reading::Int(90));
        assert_eq!(read_plain("-5"), Reading::Int(-5));
        assert_eq!(read_plain("1.5"), Reading::Float(1.5));
        assert_eq!(read_plain("500m"), Reading::Str);
        assert_eq!(
            read_plain("1e3"),
            Reading::Str,
            "YAML 1.1 floats need a dot"
        );
        assert_eq!(read_plain("08"), Reading::Str, "8 is not an octal digit");
        assert_eq!(read_plain("2Gi"), Reading::Str);
    }

    #[test]
    fn quoting_and_tags_make_strings() {
        assert_eq!(read("yes", ScalarStyle::DoubleQuoted, None), Reading::Str);
        assert_eq!(
            read("8080", ScalarStyle::Plain, Some("tag:yaml.org,2002:str")),
            Reading::Str
        );
        assert_eq!(read("8080", ScalarStyle::Plain, None), Reading::Int(8080));
    }
}
