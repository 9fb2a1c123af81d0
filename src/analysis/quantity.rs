//! Kubernetes resource quantities (`500m`, `2Gi`, `1e3`): the one parser every feature uses.
//!
//! [`parse`] is apimachinery's `ParseQuantity` (after `UnmarshalJSON`'s `TrimSpace`): an
//! optionally signed decimal number, then a decimal SI suffix (`n u m k M G T P E`), a binary
//! suffix (`Ki` … `Ei`) or an exponent (`e3`, `E-2`), with the API server's two error messages.
//! It keeps the value exactly as `±digits × 10^exp10 × 2^exp2`, whatever its size, so that the
//! rules compare and round as the API server does. [`Exact`] is the same value as
//! `mantissa / 10^scale` in 128 bits, for arithmetic (sums of requests) and for printing
//! (`2Gi` = 2,147,483,648 in hovers); values that do not fit are `None` rather than rounded.
//!
//! Mirrors `staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go` (`ParseQuantity`,
//! `parseQuantityString`, `UnmarshalJSON`, `Cmp`, `MilliValue`) and `suffix.go` (`interpret`).

use compact_str::CompactString;
use std::cmp::Ordering;

const FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX: &str = "unable to parse quantity's suffix";

/// A parsed quantity: `±digits × 10^exp10 × 2^exp2`, exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    pub negative: bool,
    /// The significant digits (numerator and fraction), without leading zeros; `""` is zero.
    /// Inline up to 24 digits, so that parsing a quantity (every request and limit, several
    /// times over) allocates nothing.
    digits: CompactString,
    exp10: i64,
    exp2: u32,
}

/// Why a string is not a quantity, with the API server's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityError {
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
pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
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
    // `num` has no leading zero; without it, the fraction's own leading zeros go.
    let mut digits = CompactString::default();
    if num.is_empty() {
        digits.push_str(denom.trim_start_matches('0'));
    } else {
        digits.push_str(num);
        digits.push_str(denom);
    }
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
            digits: CompactString::default(),
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

    /// The value as a float, for comparisons where exactness does not matter.
    pub fn to_f64(&self) -> f64 {
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
        self.to_f64()
            .partial_cmp(&other.to_f64())
            .unwrap_or(Ordering::Equal)
    }

    /// `value.MilliValue() % 1000 != 0`, as the API server tests whole numbers (the milli-value
    /// is rounded up, so `0.9995` counts as whole).
    pub fn is_fractional(&self) -> bool {
        // A whole number of units (`8Gi`, `2`, `5e3`) has three zeros past its milli-value's
        // last digit: no big-number arithmetic needed (`Gi` alone is 30 doublings).
        if self.is_zero() || self.exp10 >= 0 {
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

/// An exact decimal: `mantissa / 10^scale`, with a sign, normalized (no trailing zero digits
/// in the mantissa while `scale > 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exact {
    pub negative: bool,
    pub mantissa: u128,
    pub scale: u32,
}

/// Largest power of ten an [`Exact`] is built with; beyond it values overflow anyway.
const MAX_EXACT_EXPONENT: i64 = 38;

impl Quantity {
    /// The value as an [`Exact`], when it fits in 128 bits with at most 38 decimals.
    pub fn to_exact(&self) -> Option<Exact> {
        let mut mantissa: u128 = if self.digits.is_empty() {
            0
        } else {
            self.digits.parse().ok()?
        };
        mantissa = mantissa.checked_mul(1u128.checked_shl(self.exp2)?)?;
        let mut scale = 0u32;
        if self.exp10 >= 0 {
            if self.exp10 > MAX_EXACT_EXPONENT {
                return None;
            }
            mantissa =
                mantissa.checked_mul(10u128.checked_pow(u32::try_from(self.exp10).ok()?)?)?;
        } else {
            if -self.exp10 > MAX_EXACT_EXPONENT {
                return None;
            }
            scale = u32::try_from(-self.exp10).ok()?;
        }
        while scale > 0 && mantissa.is_multiple_of(10) {
            mantissa /= 10;
            scale -= 1;
        }
        Some(Exact {
            negative: self.negative && mantissa != 0,
            mantissa,
            scale,
        })
    }
}

/// Parses `text` as a quantity and returns its exact value; `None` when it is not a quantity
/// or too large for 128 bits.
pub fn parse_exact(text: &str) -> Option<Exact> {
    parse(text).ok()?.to_exact()
}

impl Exact {
    /// The value as a float, for comparisons (exact enough for resource sizes).
    pub fn to_f64(&self) -> f64 {
        let v = self.mantissa as f64 / 10f64.powi(self.scale as i32);
        if self.negative {
            -v
        } else {
            v
        }
    }

    /// True when the value has no fractional part.
    pub fn is_whole(&self) -> bool {
        self.scale == 0
    }

    /// The value with thousands separators: `2,147,483,648`, `0.5`.
    pub fn to_grouped(&self) -> String {
        let digits = self.mantissa.to_string();
        let scale = self.scale as usize;
        let (int, frac) = if digits.len() > scale {
            let (i, f) = digits.split_at(digits.len() - scale);
            (i.to_string(), f.to_string())
        } else {
            ("0".to_string(), format!("{digits:0>scale$}"))
        };
        let mut grouped = String::new();
        for (n, c) in int.chars().enumerate() {
            if n > 0 && (int.len() - n) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.negative { "-" } else { "" };
        if frac.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}.{frac}")
        }
    }
}

/// What a quantity measures, by the resource it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// CPU cores.
    Cpu,
    /// Bytes: memory, storage, hugepages, shared memory.
    Bytes,
    /// A count: GPUs and other extended resources.
    Count,
}

impl Unit {
    /// The unit of the resource named `name` (`cpu`, `memory`, `nvidia.com/gpu`, `sizeLimit`).
    pub fn of(name: &str) -> Unit {
        match name {
            "cpu" => Unit::Cpu,
            "memory" | "ephemeral-storage" | "storage" | "sizeLimit" | "disk" | "shm" => {
                Unit::Bytes
            }
            n if n.starts_with("hugepages-") => Unit::Bytes,
            _ => Unit::Count,
        }
    }
}

/// A one-line Markdown explanation of `text` as a quantity of `unit`, or `None` when it is
/// not a quantity. Fractions of a byte get a hint, since `500m` for memory is a classic slip
/// for `500M` or `500Mi`.
pub fn describe(text: &str, unit: Unit) -> Option<String> {
    let q = parse_exact(text)?;
    let value = q.to_grouped();
    Some(match unit {
        Unit::Cpu => {
            let one = q.scale == 0 && q.mantissa == 1;
            let word = if one || !q.is_whole() { "CPU" } else { "CPUs" };
            format!("`{text}` = {value} {word}")
        }
        Unit::Bytes if q.is_whole() => {
            let word = if q.mantissa == 1 { "byte" } else { "bytes" };
            format!("`{text}` = {value} {word}")
        }
        Unit::Bytes => format!(
            "`{text}` = {value} bytes: a fraction of a byte (`m` means milli, one thousandth). \
             Did you mean `M` (10⁶) or `Mi` (2²⁰)?"
        ),
        Unit::Count => format!("`{text}` = {value}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn value(s: &str) -> String {
        parse_exact(s).map_or("none".into(), |q| q.to_grouped())
    }

    #[test]
    fn binary_decimal_and_exponent_suffixes() {
        assert_eq!(value("2Gi"), "2,147,483,648");
        assert_eq!(value("1.5Gi"), "1,610,612,736");
        assert_eq!(value("1Ki"), "1,024");
        assert_eq!(value("1Ei"), "1,152,921,504,606,846,976");
        assert_eq!(value("500m"), "0.5");
        assert_eq!(value("100u"), "0.0001");
        assert_eq!(value("5n"), "0.000000005");
        assert_eq!(value("1k"), "1,000");
        assert_eq!(value("2M"), "2,000,000");
        assert_eq!(value("1G"), "1,000,000,000");
        assert_eq!(value("1T"), "1,000,000,000,000");
        assert_eq!(value("1P"), "1,000,000,000,000,000");
        assert_eq!(value("1E"), "1,000,000,000,000,000,000");
        assert_eq!(value("1e3"), "1,000");
        assert_eq!(value("1.5E-2"), "0.015");
        assert_eq!(value("12e+0"), "12");
        assert_eq!(value(".5"), "0.5");
        assert_eq!(value("1."), "1");
        assert_eq!(value("+3"), "3");
        assert_eq!(value("-1.5"), "-1.5");
        assert_eq!(value("0.100"), "0.1");
    }

    #[test]
    fn exact_values_only_for_quantities_that_fit() {
        for bad in ["", "1GB", "1gi", "1K", "1.2.3", "1e", "1e+", "abc", "1 Gi"] {
            assert_eq!(parse_exact(bad), None, "{bad}");
        }
        // Quantities, but too large for 128 bits: no exact value rather than a rounded one.
        assert!(parse("1e99").is_ok());
        assert_eq!(parse_exact("1e99"), None);
        assert_eq!(
            parse_exact("99999999999999999999999999999999999999999Ei"),
            None
        );
        // `ParseQuantity` reads a missing number as 0: `Gi` is zero bytes, not an error.
        assert_eq!(value("Gi"), "0");
        assert_eq!(value("."), "0");
    }

    #[test]
    fn descriptions_by_unit() {
        assert_eq!(
            describe("2Gi", Unit::Bytes).as_deref(),
            Some("`2Gi` = 2,147,483,648 bytes")
        );
        assert_eq!(
            describe("500m", Unit::Cpu).as_deref(),
            Some("`500m` = 0.5 CPU")
        );
        assert_eq!(describe("2", Unit::Cpu).as_deref(), Some("`2` = 2 CPUs"));
        assert_eq!(describe("1", Unit::Cpu).as_deref(), Some("`1` = 1 CPU"));
        assert!(describe("500m", Unit::Bytes).is_some_and(|d| d.contains("Did you mean `M`")));
        assert_eq!(describe("1", Unit::Count).as_deref(), Some("`1` = 1"));
        assert_eq!(Unit::of("hugepages-2Mi"), Unit::Bytes);
        assert_eq!(Unit::of("nvidia.com/gpu"), Unit::Count);
    }
}
