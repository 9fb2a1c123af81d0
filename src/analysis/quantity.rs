//! Kubernetes resource quantities (`500m`, `2Gi`, `1e3`): parsing to an exact decimal and
//! describing the value for hover.
//!
//! The grammar is apimachinery's `resource.Quantity`: an optionally signed decimal number, then
//! a binary suffix (`Ki` … `Ei`), a decimal SI suffix (`n u m k M G T P E`) or an exponent
//! (`e3`, `E-2`). Values are kept exact as `mantissa / 10^scale`; anything that does not fit in
//! 128 bits is refused rather than rounded.

/// An exact decimal: `mantissa / 10^scale`, with a sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    pub negative: bool,
    pub mantissa: u128,
    pub scale: u32,
}

/// Largest exponent accepted; beyond it values overflow anyway.
const MAX_EXPONENT: i64 = 36;

/// Parses a quantity; `None` when it is not one.
pub fn parse(text: &str) -> Option<Quantity> {
    let s = text.trim();
    let (negative, s) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let number_len = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(number_len);
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
        return None;
    }
    let mut mantissa: u128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(u128::from(b - b'0'))?;
    }
    let mut scale = u32::try_from(frac.len()).ok()?;
    let exponent: i64 = match suffix {
        "" => 0,
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => {
            let power = match suffix {
                "Ki" => 1,
                "Mi" => 2,
                "Gi" => 3,
                "Ti" => 4,
                "Pi" => 5,
                _ => 6,
            };
            mantissa = mantissa.checked_mul(1024u128.checked_pow(power)?)?;
            0
        }
        "n" => -9,
        "u" => -6,
        "m" => -3,
        "k" => 3,
        "M" => 6,
        "G" => 9,
        "T" => 12,
        "P" => 15,
        "E" => 18,
        _ => {
            let digits = suffix.strip_prefix(['e', 'E'])?;
            let unsigned = digits.strip_prefix(['+', '-']).unwrap_or(digits);
            if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let e: i64 = digits.parse().ok()?;
            if e.abs() > MAX_EXPONENT {
                return None;
            }
            e
        }
    };
    if exponent >= 0 {
        let e = u32::try_from(exponent).ok()?;
        if scale >= e {
            scale -= e;
        } else {
            mantissa = mantissa.checked_mul(10u128.checked_pow(e - scale)?)?;
            scale = 0;
        }
    } else {
        scale += u32::try_from(-exponent).ok()?;
    }
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    Some(Quantity {
        negative: negative && mantissa != 0,
        mantissa,
        scale,
    })
}

impl Quantity {
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
    let q = parse(text)?;
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

    fn value(s: &str) -> String {
        parse(s).map_or("none".into(), |q| q.to_grouped())
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
    fn rejects_what_is_not_a_quantity() {
        for bad in [
            "", "Gi", "1GB", "1gi", "1K", "1.2.3", "1e", "1e+", "abc", "1 Gi", "1e99", ".",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(parse("99999999999999999999999999999999999999999Ei"), None);
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
