//! YAML 1.1 reading of scalars, the way Kubernetes (Go yaml) and Flyte (PyYAML) read them.
//!
//! The parser itself is YAML 1.2 and leaves plain scalars as text; this module says what a
//! plain scalar becomes for the consumers that matter: `yes`/`on` are booleans, `0644` is the
//! octal integer 420, `~` is null. It only classifies, it never fails.

use crate::tree::{DocKind, Reading, ScalarStyle};

/// Reads a scalar as Kubernetes (Go YAML) does; see [`read_in`].
pub fn read(value: &str, style: ScalarStyle, tag: Option<&str>) -> Reading {
    read_in(value, style, tag, Dialect::Go)
}

/// Reads a scalar as a YAML 1.1 reader of `dialect` does. Quoted and block scalars are
/// strings; an explicit core tag (`!!str`, `!!null`) decides on its own.
pub fn read_in(value: &str, style: ScalarStyle, tag: Option<&str>, dialect: Dialect) -> Reading {
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
    read_plain_in(value, dialect)
}

/// Which YAML 1.1 reader the document is meant for. They disagree on corners: Go's
/// (sigs.k8s.io/yaml over go-yaml v2, what kubectl and the API server use) reads `y`/`n` as
/// booleans and `1e3` as a number; PyYAML (what a Flyte user's Python code uses) reads both as
/// strings, but knows base-60 numbers (`1:30`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// go-yaml v2 `resolve.go`.
    #[default]
    Go,
    /// PyYAML `resolver.py`.
    PyYaml,
}

impl Dialect {
    /// The reader of a document of `kind`: PyYAML for Flyte documents (the SDK user's loader),
    /// go-yaml for Kubernetes objects (kubectl, the API server) and anything else.
    pub fn of(kind: DocKind) -> Self {
        if kind.is_flyte() {
            Dialect::PyYaml
        } else {
            Dialect::Go
        }
    }

    /// The reader's name, for messages.
    pub fn reader(self) -> &'static str {
        match self {
            Dialect::Go => "Kubernetes (go-yaml)",
            Dialect::PyYaml => "PyYAML",
        }
    }
}

/// The Go (Kubernetes) reading of a plain scalar.
pub fn read_plain(v: &str) -> Reading {
    read_plain_in(v, Dialect::Go)
}

/// The YAML 1.1 resolution of a plain scalar by `dialect`.
pub fn read_plain_in(v: &str, dialect: Dialect) -> Reading {
    // Most plain scalars are names and paths: a first byte that starts no null, boolean,
    // infinity or number of either reader settles it before the comparisons below.
    let first = v.as_bytes().first().copied();
    if let Some(b) = first {
        if !may_not_be_string(b) {
            return Reading::Str;
        }
        // A letter starts no number, only the words of `read_plain_full`, the longest of which
        // (`false`) has five letters.
        if b.is_ascii_alphabetic() && v.len() > 5 {
            return Reading::Str;
        }
    }
    read_plain_full(v, dialect)
}

/// [`read_plain_in`] without its shortcuts: every word, then the numbers.
fn read_plain_full(v: &str, dialect: Dialect) -> Reading {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return Reading::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Reading::Bool(true)
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Reading::Bool(false)
        }
        "y" | "Y" if dialect == Dialect::Go => return Reading::Bool(true),
        "n" | "N" if dialect == Dialect::Go => return Reading::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Reading::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Reading::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Reading::Float(f64::NAN),
        _ => {}
    }
    let number = match dialect {
        Dialect::Go => go_int(v)
            .map(Reading::Int)
            .or_else(|| go_float(v).map(Reading::Float)),
        Dialect::PyYaml => py_int(v)
            .map(Reading::Int)
            .or_else(|| py_float(v).map(Reading::Float)),
    };
    number.unwrap_or(Reading::Str)
}

/// Whether a plain scalar starting with `b` can read as anything but a string: digits, signs
/// and `.` start numbers and `.inf`/`.nan`, `~` is null, and these letters start the words
/// `null`, `n`/`no`, `y`/`yes`, `true`, `false`, `on` and `off` (in each case spelling).
fn may_not_be_string(b: u8) -> bool {
    matches!(
        b,
        b'0'..=b'9'
            | b'+'
            | b'-'
            | b'.'
            | b'~'
            | b'n'
            | b'N'
            | b'y'
            | b'Y'
            | b't'
            | b'T'
            | b'f'
            | b'F'
            | b'o'
            | b'O'
    )
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

fn all_in(s: &str, ok: impl Fn(u8) -> bool) -> bool {
    !s.is_empty() && s.bytes().all(ok)
}

/// go-yaml v2 removes every `_`, then tries `strconv.ParseInt(s, 0, 64)`: `0x`, `0o`, `0b`
/// and a leading `0` (octal) prefixes. Only scalars starting with a digit or sign qualify.
fn go_int(v: &str) -> Option<i128> {
    if !v.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
        return None;
    }
    let plain: String = v.chars().filter(|c| *c != '_').collect();
    let (sign, body) = split_sign(&plain);
    let (radix, digits) =
        if let Some(d) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, d)
        } else if let Some(d) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, d)
        } else if let Some(d) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, d)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let n = i128::from_str_radix(digits, radix).ok()?;
    // ParseInt(.., 64): out of the i64 range is an error, and the float reading applies.
    i64::try_from(sign * n).ok().map(i128::from)
}

/// go-yaml v2 `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`,
/// after removing every `_`.
fn go_float(v: &str) -> Option<f64> {
    if !v.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.')) {
        return None;
    }
    let plain: String = v.chars().filter(|c| *c != '_').collect();
    let (_, body) = split_sign(&plain);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => all_in(frac, |b| b.is_ascii_digit()),
        Some((int, frac)) => {
            all_in(int, |b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => all_in(mantissa, |b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        all_in(e, |b| b.is_ascii_digit())
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    plain.parse::<f64>().ok()
}

/// PyYAML's int: `0b[01_]+`, `0[0-7_]+`, `0x[0-9a-fA-F_]+`, `(0|[1-9][0-9_]*)`, and base 60.
fn py_int(v: &str) -> Option<i128> {
    let (sign, body) = split_sign(v);
    let clean = |d: &str| -> String { d.chars().filter(|c| *c != '_').collect() };
    let n = if let Some(d) = body.strip_prefix("0b") {
        if !all_in(d, |b| matches!(b, b'0' | b'1' | b'_')) {
            return None;
        }
        i128::from_str_radix(&clean(d), 2).ok()?
    } else if let Some(d) = body.strip_prefix("0x") {
        if !all_in(d, |b| b.is_ascii_hexdigit() || b == b'_') {
            return None;
        }
        i128::from_str_radix(&clean(d), 16).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        if !all_in(&body[1..], |b| matches!(b, b'0'..=b'7' | b'_')) {
            return None;
        }
        i128::from_str_radix(&clean(&body[1..]), 8).ok()?
    } else if body.contains(':') {
        read_sexagesimal(body)?
    } else if body == "0"
        || (body.starts_with(|c: char| ('1'..='9').contains(&c))
            && all_in(body, |b| b.is_ascii_digit() || b == b'_'))
    {
        clean(body).parse::<i128>().ok()?
    } else {
        return None;
    };
    Some(sign * n)
}

/// Base 60 integers such as `1:30` (= 90), a PyYAML oddity that still bites port lists.
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

/// PyYAML's float: `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?` or `\.[0-9][0-9_]*(...)?`:
/// a dot is required, and an exponent needs its sign (`1.0e3` is a string, `1.0e+3` a number).
fn py_float(v: &str) -> Option<f64> {
    let (sign, body) = split_sign(v);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.')?;
    let int_ok = if int.is_empty() {
        // `.5` is a float, `-.5` and `+.5` are not.
        body.len() == v.len() && frac.starts_with(|c: char| c.is_ascii_digit())
    } else {
        int.starts_with(|c: char| c.is_ascii_digit())
            && int.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    };
    let frac_ok = frac.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let exponent_ok = exponent.is_none_or(|e| {
        e.strip_prefix(['-', '+'])
            .is_some_and(|d| all_in(d, |b| b.is_ascii_digit()))
    });
    if !(int_ok && frac_ok && exponent_ok) {
        return None;
    }
    let int_part: String = int.chars().filter(|c| *c != '_').collect();
    let frac_part: String = frac.chars().filter(|c| *c != '_').collect();
    let text = format!(
        "{}.{}{}",
        if int_part.is_empty() { "0" } else { &int_part },
        if frac_part.is_empty() {
            "0"
        } else {
            &frac_part
        },
        exponent.map(|e| format!("e{e}")).unwrap_or_default()
    );
    text.parse::<f64>().ok().map(|f| f * sign as f64)
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
        assert_eq!(read_plain_in("1:30", Dialect::PyYaml), Reading::Int(90));
        assert_eq!(read_plain("-5"), Reading::Int(-5));
        assert_eq!(read_plain("1.5"), Reading::Float(1.5));
        assert_eq!(read_plain("500m"), Reading::Str);
        assert_eq!(
            read_plain("1e3"),
            Reading::Float(1000.0),
            "go-yaml: no dot needed"
        );
        assert_eq!(
            read_plain("08"),
            Reading::Float(8.0),
            "not octal, so go-yaml reads a float"
        );
        assert_eq!(read_plain("2Gi"), Reading::Str);
    }

    #[test]
    fn pyyaml_differs_from_go_yaml() {
        let py = |v| read_plain_in(v, Dialect::PyYaml);
        assert_eq!(py("y"), Reading::Str);
        assert_eq!(py("n"), Reading::Str);
        assert_eq!(py("yes"), Reading::Bool(true));
        assert_eq!(py("1e3"), Reading::Str);
        assert_eq!(py("1.0e3"), Reading::Str, "the exponent needs a sign");
        assert_eq!(py("1.0e+3"), Reading::Float(1000.0));
        assert_eq!(py("0644"), Reading::Int(420));
        assert_eq!(py("08"), Reading::Str);
        assert_eq!(py("0o644"), Reading::Str);
        assert_eq!(py("1:30"), Reading::Int(90));
        assert_eq!(py(".5"), Reading::Float(0.5));
        assert_eq!(py("1."), Reading::Float(1.0));
        assert_eq!(py("1.2.3"), Reading::Str);
        assert_eq!(read_plain("y"), Reading::Bool(true));
        assert_eq!(read_plain("0o644"), Reading::Int(420));
        assert_eq!(read_plain("1:30"), Reading::Str, "go-yaml has no base 60");
        assert_eq!(read_plain("1.0e3"), Reading::Float(1000.0));
        assert_eq!(read_plain("1_000"), Reading::Int(1000));
    }

    #[test]
    fn the_shortcuts_agree_with_the_full_reading() {
        // Compared as text: `.nan` reads as NaN, which equals nothing.
        let same = |v: &str, dialect| {
            assert_eq!(
                format!("{:?}", read_plain_in(v, dialect)),
                format!("{:?}", read_plain_full(v, dialect)),
                "{v:?}"
            );
        };
        // Every ASCII first byte, followed by text that could make a number or a word.
        let rests = [
            "", "0", "1", "ull", "ULL", "o", "O", "es", "ES", "rue", "RUE", "alse", "ALSE", "n",
            "N", "ff", "FF", "inf", "Inf", "nan", "NaN", "5e3", "1.5", ".5", ":30", "x1F", "_1",
            "alsey", "ullll", "0644",
        ];
        for b in 0u8..=127 {
            let first = char::from(b);
            for rest in rests {
                let v = format!("{first}{rest}");
                for dialect in [Dialect::Go, Dialect::PyYaml] {
                    same(&v, dialect);
                }
            }
        }
        for v in [
            "", "~", "é", "éa", "+.inf", "-.Inf", ".NaN", "FALSE", "False", "Falsey",
        ] {
            for dialect in [Dialect::Go, Dialect::PyYaml] {
                same(v, dialect);
            }
        }
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
