//! IP addresses as the API server parses them in its legacy IP fields (`hostAliases[].ip`,
//! `dnsConfig.nameservers`): `netutils.ParseIPSloppy`, a copy of Go 1.16's `net.ParseIP`,
//! which accepts IPv4 octets with leading zeros (`010.0.0.1`) and IPv6 groups of any width
//! (`0000fd00::1`) that the standard library's parser refuses. Pure parsing: nothing here
//! touches the network.
//!
//! Mirrors `k8s.io/utils/net` (`ParseIPSloppy`) as used by
//! `staging/src/k8s.io/apimachinery/pkg/util/validation/ip.go` (`IsValidIPForLegacyField`).

/// The API server's message for a value that is not an IP address.
pub const INVALID_IP: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

/// Whether `netutils.ParseIPSloppy` (Go 1.16's `net.ParseIP`) accepts `s`.
pub fn is_legacy_ip(s: &str) -> bool {
    let b = s.as_bytes();
    // Go picks the family by the first `.` or `:` in the string.
    match b.iter().find(|&&c| c == b'.' || c == b':') {
        Some(b'.') => parse_ipv4(b),
        Some(_) => parse_ipv6(b),
        None => false,
    }
}

/// Go 1.16 `dtoi`/`xtoi` give up at this value, so long digit runs cannot overflow.
const BIG: u32 = 0x00FF_FFFF;

/// Leading decimal digits: (value, digits consumed), `None` when there are none or too many.
fn dtoi(s: &[u8]) -> Option<(u32, usize)> {
    let mut n: u32 = 0;
    let mut i = 0;
    while let Some(&c) = s.get(i).filter(|c| c.is_ascii_digit()) {
        n = n * 10 + u32::from(c - b'0');
        if n >= BIG {
            return None;
        }
        i += 1;
    }
    (i > 0).then_some((n, i))
}

/// Leading hex digits, as `dtoi`.
fn xtoi(s: &[u8]) -> Option<(u32, usize)> {
    let mut n: u32 = 0;
    let mut i = 0;
    while let Some(d) = s.get(i).and_then(|&c| char::from(c).to_digit(16)) {
        n = n * 16 + d;
        if n >= BIG {
            return None;
        }
        i += 1;
    }
    (i > 0).then_some((n, i))
}

/// `d.d.d.d`, each part decimal up to 255, leading zeros allowed (the legacy behaviour).
fn parse_ipv4(mut s: &[u8]) -> bool {
    for i in 0..4 {
        if i > 0 {
            match s.split_first() {
                Some((b'.', rest)) => s = rest,
                _ => return false,
            }
        }
        match dtoi(s) {
            Some((n, c)) if n <= 0xFF => s = &s[c..],
            _ => return false,
        }
    }
    s.is_empty()
}

/// RFC 4291 text: hex groups (any width up to 0xFFFF), one `::`, an optional trailing IPv4.
fn parse_ipv6(mut s: &[u8]) -> bool {
    const LEN: usize = 16;
    let mut ellipsis: Option<usize> = None;
    if s.starts_with(b"::") {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return true;
        }
    }
    let mut i = 0;
    while i < LEN {
        let Some((_, c)) = xtoi(s).filter(|(n, _)| *n <= 0xFFFF) else {
            return false;
        };
        if s.get(c) == Some(&b'.') {
            // A trailing IPv4 part fills the last four bytes.
            if (ellipsis.is_none() && i != LEN - 4) || i + 4 > LEN || !parse_ipv4(s) {
                return false;
            }
            s = &[];
            i += 4;
            break;
        }
        i += 2;
        s = &s[c..];
        if s.is_empty() {
            break;
        }
        if s[0] != b':' || s.len() == 1 {
            return false;
        }
        s = &s[1..];
        if s[0] == b':' {
            if ellipsis.is_some() {
                return false;
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return false;
    }
    // Fewer than 16 bytes need a `::` to expand; a full address may not have one.
    if i < LEN {
        ellipsis.is_some()
    } else {
        ellipsis.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_ip_parser_matches_go_1_16() {
        for ok in [
            "10.0.0.10",
            "010.000.000.001",
            "0.0.0.0",
            "255.255.255.255",
            "fd00::10",
            "::",
            "::1",
            "1::",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4",
            "0000fd00::1",
            "FE80::ABC",
        ] {
            assert!(is_legacy_ip(ok), "{ok} should parse");
        }
        for bad in [
            "",
            "dns.acme.internal",
            "10.0.0.300",
            "10.0.0",
            "10.0.0.1.",
            " 10.0.0.1",
            "10.0.0.1 ",
            "1.2.3.4:53",
            "1::2::3",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::",
            "::1%eth0",
            ":",
            ":1",
            "1:",
            "12345::",
            "1:2:3:4:5:6:7:1.2.3.4",
            "localhost",
        ] {
            assert!(!is_legacy_ip(bad), "{bad} should not parse");
        }
    }
}
