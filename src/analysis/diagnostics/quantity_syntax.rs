//! FLY218: a Kubernetes quantity that does not parse (`8GB`, `1.5 Gi`, `500mi`), and the
//! quantity reader the resource rules share.
//!
//! Mirrors `staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go` (`ParseQuantity`,
//! `parseQuantityString`, `UnmarshalJSON`) and `suffix.go` (`interpret`). A bad quantity fails
//! at decode time, before any validation: `quantities must match the regular expression ...`
//! (`ErrFormatWrong`) or `unable to parse quantity's suffix` (`ErrSuffix`).

use std::cmp::Ordering;

use crate::yaml::{Node, Reading};

use super::pod_values::requote;
use super::{Ctx, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY218",
    name: "invalid-quantity",
    severity: Severity::Error,
    summary: "The value is not a Kubernetes quantity: a number with an optional suffix, binary \
              (`Ki Mi Gi Ti Pi Ei`), decimal (`n u m k M G T P E`) or an exponent (`e3`). `GB`, \
              `mb` and spaces are not quantities, and the API server cannot even decode the pod \
              (`quantities must match the regular expression \
              '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: 8GB\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: 8Gi\n",
    source: "`staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go` (`ParseQuantity`); \
             `suffix.go`",
};

const FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX: &str = "unable to parse quantity's suffix";

/// A parsed quantity: `±digits × 10^exp10 × 2^exp2`, exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Quantity {
    pub negative: bool,
    /// The significant digits (numerator and fraction), without leading zeros; `""` is zero.
    digits: String,
    exp10: i64,
    exp2: u32,
}

/// Why a string is not a quantity, with the API server's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum QuantityError {
    FormatWrong,
    Suffix,
}

impl QuantityError {
    pub fn message(self) -> &'static str {
        match self {
            QuantityError::FormatWrong => FORMAT_WRONG,
            QuantityError::Suffix => SUFFIX,
        }
    }
}

/// `ParseQuantity` after `UnmarshalJSON`'s `TrimSpace`.
pub(super) fn parse(text: &str) -> Result<Quantity, QuantityError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(QuantityError::FormatWrong);
    }
    let b = s.as_bytes();
    let mut pos = 0;
    let mut negative = false;
    match b[0] {
        b'-' => {
            negative = true;
            pos = 1;
        }
        b'+' => pos = 1,
        _ => {}
    }
    // Leading zeros, then the numerator; a string of only a sign and zeros is zero.
    while pos < b.len() && b[pos] == b'0' {
        pos += 1;
    }
    if pos == b.len() {
        return Ok(Quantity::zero());
    }
    let num_start = pos;
    while pos < b.len() && b[pos].is_ascii_digit() {
        pos += 1;
    }
    let num = &s[num_start..pos];
    let mut denom = "";
    if pos < b.len() && b[pos] == b'.' {
        pos += 1;
        let start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            pos += 1;
        }
        denom = &s[start..pos];
    }
    // The suffix: letters from the suffix alphabet, an optional sign, then digits only.
    let suffix_start = pos;
    while pos < b.len() && b"eEinumkKMGTP".contains(&b[pos]) {
        pos += 1;
    }
    if pos < b.len() && matches!(b[pos], b'-' | b'+') {
        pos += 1;
    }
    while pos < b.len() && b[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos < b.len() {
        return Err(QuantityError::FormatWrong);
    }
    let (exp10, exp2) = interpret(&s[suffix_start..]).ok_or(QuantityError::Suffix)?;
    let mut digits = format!("{num}{denom}");
    let trimmed = digits.trim_start_matches('0').len();
    digits.drain(..digits.len() - trimmed);
    let exp10 = exp10 - denom.len() as i64;
    Ok(Quantity {
        negative: negative && !digits.is_empty(),
        digits,
        exp10,
        exp2,
    })
}

/// `suffixHandler.interpret`: decimal suffixes, then binary ones, then `e<int>`/`E<int>`.
fn interpret(suffix: &str) -> Option<(i64, u32)> {
    let decimal = match suffix {
        "n" => Some(-9),
        "u" => Some(-6),
        "m" => Some(-3),
        "" => Some(0),
        "k" => Some(3),
        "M" => Some(6),
        "G" => Some(9),
        "T" => Some(12),
        "P" => Some(15),
        "E" => Some(18),
        _ => None,
    };
    if let Some(e) = decimal {
        return Some((e, 0));
    }
    let binary = match suffix {
        "Ki" => Some(10),
        "Mi" => Some(20),
        "Gi" => Some(30),
        "Ti" => Some(40),
        "Pi" => Some(50),
        "Ei" => Some(60),
        _ => None,
    };
    if let Some(e) = binary {
        return Some((0, e));
    }
    let rest = suffix.strip_prefix(['e', 'E'])?;
    if rest.is_empty() {
        return None;
    }
    // Go's ParseInt accepts a leading sign; the exponent is then narrowed to int32.
    rest.parse::<i64>()
        .ok()
        .map(|e| (e.clamp(-1_000_000, 1_000_000), 0))
}

impl Quantity {
    fn zero() -> Quantity {
        Quantity {
            negative: false,
            digits: String::new(),
            exp10: 0,
            exp2: 0,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// `(mantissa, exp10)` with the binary factor folded in, when it fits in an i128.
    fn exact(&self) -> Option<(i128, i64)> {
        let mut m: i128 = if self.digits.is_empty() {
            0
        } else {
            self.digits.parse().ok()?
        };
        m = m.checked_mul(1i128.checked_shl(self.exp2)?)?;
        Some((if self.negative { -m } else { m }, self.exp10))
    }

    fn approx(&self) -> f64 {
        let m: f64 = self.digits.parse().unwrap_or(0.0);
        let v = m * 10f64.powi(self.exp10 as i32) * 2f64.powi(self.exp2 as i32);
        if self.negative {
            -v
        } else {
            v
        }
    }

    /// `Quantity.Value()`: the value rounded up to a whole number, when it fits in an i128.
    pub fn whole_value(&self) -> Option<i128> {
        let (m, e) = self.exact()?;
        let p = 10i128.checked_pow(u32::try_from(e.unsigned_abs()).ok()?)?;
        if e >= 0 {
            m.checked_mul(p)
        } else {
            Some(m.div_euclid(p) + i128::from(m.rem_euclid(p) != 0))
        }
    }

    /// Numeric comparison across suffixes (`1Gi` = `1073741824`, `1000m` = `1`).
    pub fn cmp_value(&self, other: &Quantity) -> Ordering {
        if let (Some((a, ea)), Some((b, eb))) = (self.exact(), other.exact()) {
            let e = ea.min(eb);
            let scale = |m: i128, from: i64| -> Option<i128> {
                let shift = u32::try_from(from - e).ok()?;
                m.checked_mul(10i128.checked_pow(shift)?)
            };
            if let (Some(a), Some(b)) = (scale(a, ea), scale(b, eb)) {
                return a.cmp(&b);
            }
        }
        self.approx()
            .partial_cmp(&other.approx())
            .unwrap_or(Ordering::Equal)
    }

    /// `value.MilliValue() % 1000 != 0`, as the API server tests whole numbers (the milli-value
    /// is rounded up, so `0.9995` counts as whole).
    pub fn is_fractional(&self) -> bool {
        if self.is_zero() {
            return false;
        }
        // N = digits × 2^exp2 in decimal digits; milli = ceil(N × 10^(exp10 + 3)).
        let mut n = self.digits.as_bytes().to_vec();
        for _ in 0..self.exp2 {
            n = multiply_small(&n, 2);
        }
        let milli_exp = self.exp10 + 3;
        let milli = if milli_exp >= 0 {
            // Three more zeros are all the `% 1000` test can see.
            n.extend(std::iter::repeat_n(b'0', milli_exp.min(3) as usize));
            n
        } else {
            let cut = n.len().saturating_sub(milli_exp.unsigned_abs() as usize);
            let rounds_up = n[cut..].iter().any(|d| *d != b'0');
            let mut head = n[..cut].to_vec();
            if rounds_up {
                increment(&mut head);
            }
            head
        };
        !ends_with_three_zeros(&milli)
    }
}

fn increment(digits: &mut Vec<u8>) {
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return;
        }
    }
    digits.insert(0, b'1');
}

fn multiply_small(digits: &[u8], by: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(digits.len() + 2);
    let mut carry = 0u32;
    for d in digits.iter().rev() {
        let v = u32::from(d - b'0') * by + carry;
        out.push(b'0' + (v % 10) as u8);
        carry = v / 10;
    }
    while carry > 0 {
        out.push(b'0' + (carry % 10) as u8);
        carry /= 10;
    }
    out.reverse();
    out
}

fn ends_with_three_zeros(digits: &[u8]) -> bool {
    let all_zero = digits.iter().all(|d| *d == b'0');
    all_zero || (digits.len() >= 3 && digits[digits.len() - 3..].iter().all(|d| *d == b'0'))
}

/// The quantity a YAML node decodes to: a number is read as its JSON text, a string is parsed.
/// `None` for null, booleans, collections and unparsable strings (FLY103/FLY218 report those).
pub(super) fn quantity_of(node: &Node) -> Option<Quantity> {
    let scalar = node.as_scalar()?;
    match node.reading()? {
        Reading::Int(i) => parse(&i.to_string()).ok(),
        Reading::Float(f) if f.is_finite() => parse(&f.to_string()).ok(),
        Reading::Str => parse(&scalar.value).ok(),
        _ => None,
    }
}

/// Reports `node` when it is a string that does not parse as a quantity; called by the schema
/// walk for every `Quantity` field.
pub(super) fn check(ctx: &mut Ctx<'_>, node: &Node) {
    let Some(scalar) = node.as_scalar() else {
        return;
    };
    if node.reading() != Some(Reading::Str) {
        return;
    }
    let text = scalar.value.as_str();
    let Err(err) = parse(text) else { return };
    let message = format!("Invalid value: \"{text}\": {}", err.message());
    let cpu = key_before(ctx.source, node.span.start) == Some("cpu");
    let suggestions = suggest(text, cpu);
    let diag = ctx.report(&RULE, node.span.clone(), message);
    for s in suggestions {
        let new = requote(node, &s);
        diag.with_fix(format!("Change to `{s}`"), node.span.clone(), new);
    }
}

/// The map key written just before `offset` on its line (`cpu` in `  cpu: 500mi`), so that a
/// fix can tell CPU from bytes.
fn key_before(source: &str, offset: usize) -> Option<&str> {
    let before = source.get(..offset)?;
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let head = line.trim_end().strip_suffix(':')?.trim_end();
    let head = head.trim_end_matches(['"', '\'']);
    let start = head
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | '_')))
        .map_or(0, |i| i + 1);
    Some(&head[start..])
}

/// Likely meant quantities: `8GB` → `8G` then `8Gi`; `512mb` → `512M`, `512Mi`; `1.5 Gi` →
/// `1.5Gi`; `100mi` → `100Mi`. For CPU only millicores make sense: `500mi` → `500m`.
fn suggest(text: &str, cpu: bool) -> Vec<String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    if number.is_empty() || parse(number).is_err() {
        return Vec::new();
    }
    let unit: String = unit.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = unit.to_ascii_lowercase();
    let stem = lower
        .strip_suffix("bytes")
        .or_else(|| lower.strip_suffix("byte"))
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let candidates: Vec<String> = match stem {
        "" => vec![String::new()],
        "m" | "mi" | "mc" if cpu => vec!["m".into()],
        _ if cpu => Vec::new(),
        "k" => vec!["k".into(), "Ki".into()],
        "m" | "g" | "t" | "p" => {
            let up = stem.to_ascii_uppercase();
            vec![up.clone(), format!("{up}i")]
        }
        "ki" | "mi" | "gi" | "ti" | "pi" | "ei" => {
            let mut c = stem.chars();
            let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or('K');
            vec![format!("{first}i")]
        }
        _ => Vec::new(),
    };
    // `512m` is a valid (milli) quantity, so a lone lower-case `m` never reaches here; `mb`
    // does, and means megabytes.
    candidates
        .into_iter()
        .map(|c| format!("{number}{c}"))
        .filter(|c| c != t && parse(c).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use super::*;
    use crate::analysis::diagnostics::fixture::check_fix;

    fn q(s: &str) -> Quantity {
        match parse(s) {
            Ok(q) => q,
            Err(e) => panic!("{s}: {e:?}"),
        }
    }

    #[test]
    fn accepts_what_the_api_server_accepts() {
        for ok in [
            "1",
            "1.5",
            "500m",
            "1e3",
            "12e6",
            "128974848",
            "129M",
            "123Mi",
            ".5",
            "+1",
            "0",
            "1E",
            "2Ei",
            "100u",
            "1.",
            "-1",
            "1e-3",
            "1E+3",
            " 2Gi ",
            "0.0",
            "-",
            "+",
            "000",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_what_the_api_server_rejects() {
        use QuantityError::*;
        for (bad, err) in [
            ("", FormatWrong),
            ("8GB", FormatWrong),
            ("1Kb", FormatWrong),
            ("500 m", FormatWrong),
            ("1..5", FormatWrong),
            ("abc", FormatWrong),
            ("true", FormatWrong),
            ("1.5.5", FormatWrong),
            ("1e3.5", FormatWrong),
            ("1mi", Suffix),
            ("1MMi", Suffix),
            ("1e", Suffix),
            ("1k3", Suffix),
            ("1Ki3", Suffix),
        ] {
            assert_eq!(parse(bad), Err(err), "{bad}");
        }
    }

    #[test]
    fn compares_across_suffixes() {
        assert_eq!(q("1Gi").cmp_value(&q("1073741824")), Ordering::Equal);
        assert_eq!(q("1000m").cmp_value(&q("1")), Ordering::Equal);
        assert_eq!(q("1.5").cmp_value(&q("1500m")), Ordering::Equal);
        assert_eq!(q("2").cmp_value(&q("1")), Ordering::Greater);
        assert_eq!(q("129M").cmp_value(&q("123Mi")), Ordering::Greater);
        assert_eq!(q("1e3").cmp_value(&q("1k")), Ordering::Equal);
        assert_eq!(q("1n").cmp_value(&q("1E")), Ordering::Less);
        assert_eq!(q("-1").cmp_value(&q("0")), Ordering::Less);
        assert!(q("-1").negative);
        assert!(!q("-0").negative);
    }

    #[test]
    fn fractional_values_as_milli_values() {
        for whole in ["1", "1.0", "100Mi", "1e3", "0.5Ki", "0.9995", "1k", "0"] {
            assert!(!q(whole).is_fractional(), "{whole}");
        }
        for frac in ["100.5", "0.5", "1m", "1500m", "0.1Ki", "1e-1"] {
            assert!(q(frac).is_fractional(), "{frac}");
        }
    }

    #[test]
    fn bad_quantities_in_every_quantity_field() {
        check_k8s(
            r#"pod_spec:
  overhead:
    cpu: 1 core
#        ^^^^^^ error FLY218: Invalid value: "1 core": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
  containers:
    - name: primary
      resources:
        requests:
          cpu: 500mi
#              ^^^^^ error FLY218: Invalid value: "500mi": unable to parse quantity's suffix
          memory: "4 Gi"
#                 ^^^^^^ error FLY218: Invalid value: "4 Gi": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
        limits:
          memory: 8GB
#                 ^^^ error FLY218: Invalid value: "8GB": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
          cpu: "2"
          ephemeral-storage: 1e3
  volumes:
    - name: scratch
      emptyDir:
        sizeLimit: 20gb
#                  ^^^^ error FLY218: Invalid value: "20gb": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
"#,
        );
    }

    #[test]
    fn fixes() {
        check_fix(
            "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: 8GB\n",
            "Change to `8G`",
            "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: 8G\n",
        );
        check_fix(
            "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: \"8GB\"\n",
            "Change to `8Gi`",
            "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: \"8Gi\"\n",
        );
        assert_eq!(suggest("512mb", false), ["512M", "512Mi"]);
        assert_eq!(suggest("100mi", false), ["100Mi"]);
        assert_eq!(suggest("500mi", true), ["500m"]);
        assert_eq!(suggest("500 m", true), ["500m"]);
        assert!(suggest("2GB", true).is_empty());
        assert_eq!(suggest("1.5 Gi", false), ["1.5Gi"]);
        assert_eq!(suggest("4 GiB", false), ["4Gi"]);
        assert_eq!(suggest("1KB", false), ["1k", "1Ki"]);
        assert!(suggest("lots", false).is_empty());
        assert_eq!(super::key_before("  cpu: 5", 7), Some("cpu"));
        assert_eq!(super::key_before("x: {cpu: 5", 9), Some("cpu"));
        assert_eq!(super::key_before("  - 5", 4), None);
    }
}
