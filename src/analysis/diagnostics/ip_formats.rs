//! FLY269: IP addresses the API server accepts in its legacy IP fields (`hostAliases[].ip`,
//! `dnsConfig.nameservers`) but warns about: IPv4 octets with leading zeros and IPv4-mapped IPv6
//! addresses (`will be considered invalid in a future Kubernetes release`), and IPv6 addresses
//! not written in RFC 5952 canonical form.
//!
//! Mirrors `pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`, "Deprecated IP address
//! formats") and `staging/src/k8s.io/apimachinery/pkg/util/validation/ip.go`
//! (`GetWarningsForIP`): a value `netutils.ParseIPSloppy` accepts but `netip.ParseAddr` refuses
//! (or that is IPv4-mapped) should be written as `net.IP.String()` gives it; an IPv6 value both
//! accept should equal `netip.Addr.String()`. Values that are no IP address at all are FLY247's
//! and FLY248's errors. Rust's `std::net` parsers are as strict as `netip.ParseAddr` (no leading
//! zeros in IPv4, at most four hex digits per IPv6 group) and print IPv6 addresses in RFC 5952
//! form, as Go does.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::analysis::ip::is_legacy_ip;
use crate::model::pod::PodParts;
use crate::tree::Node;

use super::pod_values::{map_items, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY269",
    name: "non-standard-ip-address",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A `hostAliases` IP or a `dnsConfig` nameserver written in a form the API server \
              still accepts but warns about: IPv4 octets with leading zeros (`010.0.0.1`, which \
              some parsers read as octal) or an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) \
              `will be considered invalid in a future Kubernetes release`; an IPv6 address not \
              in RFC 5952 canonical form (`2001:DB8:0:0::1` for `2001:db8::1`) may cause \
              controller apply loops. Write the address the way the warning suggests.",
    bad: "pod_spec:\n  hostAliases:\n    - ip: 010.000.000.030\n      hostnames: [\"warehouse.acme.internal\"]\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  hostAliases:\n    - ip: 10.0.0.30\n      hostnames: [\"warehouse.acme.internal\"]\n  containers:\n    - name: primary\n",
    source: "`pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`); \
             `staging/src/k8s.io/apimachinery/pkg/util/validation/ip.go` (`GetWarningsForIP`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let nameservers = parts
        .spec_field("dnsConfig")
        .and_then(|c| c.get("nameservers"))
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    for item in nameservers {
        warn(ctx, item);
    }
    for alias in map_items(parts.spec_field("hostAliases")) {
        if let Some(ip) = alias.get("ip") {
            warn(ctx, ip);
        }
    }
}

fn warn(ctx: &mut Ctx<'_>, node: &Node) {
    let Some(value) = string_value(node) else {
        return;
    };
    if let Some(message) = ip_warning(value) {
        ctx.report(&RULE, node.span.clone(), message);
    }
}

/// `GetWarningsForIP`, for a value the legacy parser accepts.
fn ip_warning(value: &str) -> Option<String> {
    if !is_legacy_ip(value) {
        return None;
    }
    let strict = value.parse::<IpAddr>().ok();
    let mapped = matches!(strict, Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some());
    if strict.is_none() || mapped {
        let preferred = sloppy_string(value)?;
        return Some(format!(
            "non-standard IP address \"{value}\" will be considered invalid in a future \
             Kubernetes release: use \"{preferred}\""
        ));
    }
    match strict {
        Some(IpAddr::V6(v6)) if v6.to_string() != value => Some(format!(
            "IPv6 address \"{value}\" should be in RFC 5952 canonical format (\"{v6}\")"
        )),
        _ => None,
    }
}

/// `net.IP.String()` of what `ParseIPSloppy` reads: the value with the leading zeros the legacy
/// parser tolerates removed, printed dotted for IPv4 and IPv4-mapped addresses.
fn sloppy_string(value: &str) -> Option<String> {
    let ipv4 = value.find(['.', ':']).map(|i| &value[i..=i]) == Some(".");
    if ipv4 {
        return normalize_v4(value)
            .parse::<Ipv4Addr>()
            .ok()
            .map(|a| a.to_string());
    }
    let groups: Vec<String> = value
        .split(':')
        .map(|g| {
            if g.contains('.') {
                normalize_v4(g)
            } else if g.is_empty() {
                String::new()
            } else {
                u32::from_str_radix(g, 16).map_or_else(|_| g.to_string(), |n| format!("{n:x}"))
            }
        })
        .collect();
    let v6 = groups.join(":").parse::<Ipv6Addr>().ok()?;
    Some(match v6.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => v6.to_string(),
    })
}

/// `d.d.d.d` with each part's leading zeros dropped (Go 1.16 reads them as decimal).
fn normalize_v4(value: &str) -> String {
    value
        .split('.')
        .map(|part| {
            part.parse::<u32>()
                .map_or_else(|_| part.to_string(), |n| n.to_string())
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use super::ip_warning;

    #[test]
    fn warnings_for_ip() {
        let cases = [
            ("10.0.0.1", None),
            ("2001:db8::1", None),
            ("::ffff:1.2.3.4", Some("non-standard IP address \"::ffff:1.2.3.4\" will be considered invalid in a future Kubernetes release: use \"1.2.3.4\"")),
            ("010.000.001.002", Some("non-standard IP address \"010.000.001.002\" will be considered invalid in a future Kubernetes release: use \"10.0.1.2\"")),
            ("0000fd00::1", Some("non-standard IP address \"0000fd00::1\" will be considered invalid in a future Kubernetes release: use \"fd00::1\"")),
            ("::ffff:010.0.0.1", Some("non-standard IP address \"::ffff:010.0.0.1\" will be considered invalid in a future Kubernetes release: use \"10.0.0.1\"")),
            ("2001:DB8::1", Some("IPv6 address \"2001:DB8::1\" should be in RFC 5952 canonical format (\"2001:db8::1\")")),
            ("2001:db8:0:0:1:0:0:1", Some("IPv6 address \"2001:db8:0:0:1:0:0:1\" should be in RFC 5952 canonical format (\"2001:db8::1:0:0:1\")")),
            ("fd00::01", Some("IPv6 address \"fd00::01\" should be in RFC 5952 canonical format (\"fd00::1\")")),
            ("not-an-ip", None),
            ("10.0.0.300", None),
        ];
        for (value, expected) in cases {
            assert_eq!(ip_warning(value).as_deref(), expected, "{value}");
        }
    }

    #[test]
    fn host_aliases_and_nameservers() {
        check_k8s(
            r#"pod_spec:
  dnsConfig:
    nameservers: ["10.0.0.10", "2001:DB8::53"]
#                              ^^^^^^^^^^^^^^ warning FLY269: IPv6 address "2001:DB8::53" should be in RFC 5952 canonical format ("2001:db8::53")
  hostAliases:
    - ip: 010.0.0.30
#         ^^^^^^^^^^ warning FLY269: non-standard IP address "010.0.0.30" will be considered invalid in a future Kubernetes release: use "10.0.0.30"
      hostnames: ["warehouse.acme.internal"]
    - ip: 10.0.0.31
      hostnames: ["lake.acme.internal"]
  containers:
    - name: primary
"#,
        );
    }
}
