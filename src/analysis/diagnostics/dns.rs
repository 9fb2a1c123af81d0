//! FLY246–FLY247: the pod's DNS settings. `dnsPolicy: None` without a `dnsConfig` that names at
//! least one nameserver (FLY246), and a `dnsConfig` the API server refuses: more than three
//! nameservers or one that is not an IP address, more than 32 search domains or more than 2048
//! characters of them, a search domain that is not a DNS name, an option without a name (FLY247).
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validatePodDNSConfig`, called from
//! `ValidatePodSpec` for Pods, PodTemplates and therefore Flyte templates alike), with the
//! constants `MaxDNSNameservers = 3`, `MaxDNSSearchPaths = 32`, `MaxDNSSearchListChars = 2048`.
//! Unknown `dnsPolicy` values are FLY105's (`validateDNSPolicy`).
//!
//! Versions: search domains are checked the relaxed way (`_` allowed, a lone `.` accepted; one
//! trailing `.` is dropped before the check): the `RelaxedDNSSearchValidation` gate is on by
//! default since 1.33 and locked on since 1.34, older than every embedded version.
//!
//! Nameservers (and host alias IPs, FLY248) are "legacy" IP fields: the API server checks them
//! with `IsValidIPForLegacyField`, which is strict only under the `StrictIPCIDRValidation` gate
//! (alpha, off by default through 1.35). Off, it is `netutils.ParseIPSloppy`, a copy of Go 1.16's
//! `net.ParseIP` that accepts IPv4 octets with leading zeros (`010.0.0.1`) and IPv6 groups of any
//! width (`0000fd00::1`), which the standard library's parser refuses; hence `analysis::ip::is_legacy_ip` ports that parser
//! instead of calling `IpAddr::from_str`.

use crate::analysis::ip::{is_legacy_ip, INVALID_IP};
use crate::model::pod::PodParts;
use crate::text::TextRange;
use crate::tree::{Entry, Node};

use super::pod_values::{first_key_span, is_merged, is_set, join, map_items, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static POLICY_RULE: Rule = Rule {
    code: "FLY246",
    name: "dns-policy-none-without-config",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Subject),
    summary: "`dnsPolicy: None` gives the pod no DNS settings at all, so the API server requires \
              a `dnsConfig` (`Required value: must provide `dnsConfig` when `dnsPolicy` is None`) \
              with at least one nameserver (`must provide at least one DNS nameserver when \
              `dnsPolicy` is None`).",
    bad: "pod_spec:\n  dnsPolicy: None\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  dnsPolicy: None\n  dnsConfig:\n    nameservers: [\"10.0.0.10\"]\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`validatePodDNSConfig`)",
};

pub static CONFIG_RULE: Rule = Rule {
    code: "FLY247",
    name: "invalid-dns-config",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A `dnsConfig` the API server rejects: more than 3 `nameservers` or one that is not \
              an IP address (`must be a valid IP address`), more than 32 `searches` or more than \
              2048 characters of them (spaces between them included), a search domain that is \
              not a lowercase DNS name (`_` is allowed, one trailing `.` is ignored), or an \
              `options` entry without a `name` (`Required value: must not be empty`).",
    bad: "pod_spec:\n  dnsConfig:\n    nameservers: [\"dns.acme.internal\"]\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  dnsConfig:\n    nameservers: [\"10.0.0.10\"]\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`validatePodDNSConfig`); \
             `IsValidIPForLegacyField`, `IsDNS1123SubdomainWithUnderscore` in \
             `staging/src/k8s.io/apimachinery/pkg/util/validation`",
};

pub static FAMILY: Family = Family {
    rules: &[&POLICY_RULE, &CONFIG_RULE],
    check: Check::Pod(check),
};

const MAX_NAMESERVERS: usize = 3;
const MAX_SEARCH_PATHS: usize = 32;
const MAX_SEARCH_LIST_CHARS: usize = 2048;
const SUBDOMAIN_MAX: usize = 253;
/// `field.Invalid`'s message for a bad legacy IP (`parseIP` in apimachinery's `ip.go`).
/// Beyond this many characters a `[]string{...}` value is shortened in messages.
const MAX_RENDERED: usize = 160;

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let Some(spec) = parts.spec else {
        return;
    };
    let config = spec.entry("dnsConfig").filter(|e| is_set(Some(&e.value)));
    if let Some(policy) = spec.entry("dnsPolicy") {
        if string_value(&policy.value) == Some("None") && !check_policy(ctx, spec, policy, config) {
            // Like the API server, stop at the first DNSNone problem.
            return;
        }
    }
    if let Some(config) = config {
        check_config(ctx, &config.value);
    }
}

/// `dnsPolicy: None` needs a `dnsConfig` with nameservers. False when that is not the case.
fn check_policy(ctx: &mut Ctx<'_>, spec: &Node, policy: &Entry, config: Option<&Entry>) -> bool {
    let Some(config) = config else {
        // A merged spec may bring its `dnsConfig` from the anchor.
        if is_merged(spec) {
            return true;
        }
        let message = "Required value: must provide `dnsConfig` when `dnsPolicy` is None";
        ctx.report(&POLICY_RULE, policy.key.span.clone(), message.to_string());
        return false;
    };
    if config.value.as_map().is_none() {
        // Another shape is FLY103's.
        return true;
    }
    let message =
        "Required value: must provide at least one DNS nameserver when `dnsPolicy` is None";
    match config.value.entry("nameservers") {
        Some(e) if e.value.is_null() => {
            ctx.report(&POLICY_RULE, e.key.span.clone(), message.to_string());
            false
        }
        Some(e) => match e.value.as_seq() {
            Some([]) => {
                ctx.report(&POLICY_RULE, e.value.span.clone(), message.to_string());
                false
            }
            _ => true,
        },
        None if is_merged(&config.value) => true,
        None => {
            ctx.report(&POLICY_RULE, config.key.span.clone(), message.to_string());
            false
        }
    }
}

fn check_config(ctx: &mut Ctx<'_>, config: &Node) {
    if config.as_map().is_none() {
        return;
    }
    if let Some(list) = config.entry("nameservers") {
        check_nameservers(ctx, list);
    }
    if let Some(list) = config.entry("searches") {
        check_searches(ctx, list);
    }
    for option in map_items(config.get("options")) {
        check_option(ctx, option);
    }
}

fn check_nameservers(ctx: &mut Ctx<'_>, list: &Entry) {
    let Some(items) = list.value.as_seq() else {
        return;
    };
    if let Some(values) = strings(items) {
        if values.len() > MAX_NAMESERVERS {
            let message = format!(
                "Invalid value: {}: must not have more than {MAX_NAMESERVERS} nameservers",
                go_string_slice(&values)
            );
            ctx.report(&CONFIG_RULE, excess(items, MAX_NAMESERVERS), message);
        }
    }
    for item in items {
        if let Some(ns) = string_value(item) {
            if !is_legacy_ip(ns) {
                let message = format!("Invalid value: \"{ns}\": {INVALID_IP}");
                ctx.report(&CONFIG_RULE, item.span.clone(), message);
            }
        }
    }
}

fn check_searches(ctx: &mut Ctx<'_>, list: &Entry) {
    let Some(items) = list.value.as_seq() else {
        return;
    };
    if let Some(values) = strings(items) {
        if values.len() > MAX_SEARCH_PATHS {
            let message = format!(
                "Invalid value: {}: must not have more than {MAX_SEARCH_PATHS} search paths",
                go_string_slice(&values)
            );
            ctx.report(&CONFIG_RULE, excess(items, MAX_SEARCH_PATHS), message);
        }
        // `len(strings.Join(searches, " "))`: bytes, one space between two domains.
        let chars = values.iter().map(|s| s.len()).sum::<usize>() + values.len().saturating_sub(1);
        if chars > MAX_SEARCH_LIST_CHARS {
            let message = format!(
                "Invalid value: {}: must not have more than {MAX_SEARCH_LIST_CHARS} characters \
                 (including spaces) in the search list",
                go_string_slice(&values)
            );
            ctx.report(&CONFIG_RULE, list.key.span.clone(), message);
        }
    }
    for item in items {
        let Some(search) = string_value(item) else {
            continue;
        };
        // The relaxed check: `.` alone is fine, one trailing `.` is not part of the name.
        if search == "." {
            continue;
        }
        let search = search.strip_suffix('.').unwrap_or(search);
        let errs = subdomain_with_underscore(search);
        if !errs.is_empty() {
            let message = format!("Invalid value: \"{search}\": {}", join(&errs));
            ctx.report(&CONFIG_RULE, item.span.clone(), message);
        }
    }
}

fn check_option(ctx: &mut Ctx<'_>, option: &Node) {
    let message = "Required value: must not be empty".to_string();
    match option.entry("name") {
        Some(e) if e.value.is_null() => {
            ctx.report(&CONFIG_RULE, e.key.span.clone(), message);
        }
        Some(e) => {
            if string_value(&e.value) == Some("") {
                ctx.report(&CONFIG_RULE, e.value.span.clone(), message);
            }
        }
        None if is_merged(option) => {}
        None => {
            ctx.report(&CONFIG_RULE, first_key_span(option), message);
        }
    }
}

/// The items as strings, or `None` when one is not a string (the list then fails to decode,
/// which FLY103 reports, and the API server validates nothing).
fn strings(items: &[Node]) -> Option<Vec<&str>> {
    items.iter().map(string_value).collect()
}

/// From the first item past `max` to the end of the last one: what has to go.
fn excess(items: &[Node], max: usize) -> TextRange {
    match (items.get(max), items.last()) {
        (Some(first), Some(last)) => first.span.start..last.span.end,
        _ => items.first().map_or(0..0, |n| n.span.clone()),
    }
}

/// A `[]string` as Go's `%#v` prints it in `field.Invalid` messages, shortened when long.
pub(super) fn go_string_slice(values: &[&str]) -> String {
    let mut out = String::from("[]string{");
    for (i, v) in values.iter().enumerate() {
        let item = format!("{}\"{v}\"", if i == 0 { "" } else { ", " });
        if out.len() + item.len() > MAX_RENDERED {
            out.push_str(", ...");
            break;
        }
        out.push_str(&item);
    }
    out.push('}');
    out
}

/// `_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?`: a DNS label that may contain `_` and start with one.
fn matches_label_with_underscore(s: &str) -> bool {
    let b = s.strip_prefix('_').unwrap_or(s).as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            alnum(first) && alnum(last) && b.iter().all(|&c| alnum(c) || c == b'-' || c == b'_')
        }
        _ => false,
    }
}

/// `IsDNS1123SubdomainWithUnderscore`: the API server's messages, empty when valid.
fn subdomain_with_underscore(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > SUBDOMAIN_MAX {
        errs.push(format!("must be no more than {SUBDOMAIN_MAX} characters"));
    }
    if !s.split('.').all(matches_label_with_underscore) {
        errs.push(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \
             '_', '-' or '.', and must start and end with an alphanumeric character (e.g. \
             'example.com')"
                .to_string(),
        );
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn dns_policy_none_needs_config() {
        check_k8s(
            r#"pod_spec:
  dnsPolicy: None
# ^^^^^^^^^ error FLY246: Required value: must provide `dnsConfig` when `dnsPolicy` is None
  containers:
    - name: primary
"#,
        );
        check_k8s(
            r#"pod_spec:
  dnsPolicy: None
  dnsConfig:
# ^^^^^^^^^ error FLY246: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None
    searches: [ml.svc.cluster.local]
  containers:
    - name: primary
"#,
        );
        // Go stops at the DNSNone error: the bad search domain is not reported.
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    dnsPolicy: None
    dnsConfig:
      nameservers: []
#                  ^^ error FLY246: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None
      searches: [Bad_Domain]
    containers:
      - name: main
        image: busybox:1.36
"#,
        );
    }

    #[test]
    fn dns_policy_none_accepted() {
        check_k8s(
            r#"pod_spec:
  dnsPolicy: None
  dnsConfig:
    nameservers: ["10.0.0.10"]
  containers:
    - name: primary
"#,
        );
        // Other policies need no dnsConfig; an empty dnsConfig is fine with them.
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    dnsPolicy: ClusterFirst
    dnsConfig: {}
    containers:
      - name: main
        image: busybox:1.36
"#,
        );
        // The dnsConfig may come from a merge key: nothing to conclude.
        check_k8s(
            r#"pod_spec:
  <<: {dnsConfig: {nameservers: ["10.0.0.10"]}}
  dnsPolicy: None
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn nameservers() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    dnsPolicy: None
    dnsConfig:
      nameservers: ["10.0.0.10", "10.0.0.11", "1.1.1.1", "8.8.8.8", "dns.acme.internal"]
#                                                        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error FLY247: Invalid value: []string{"10.0.0.10", "10.0.0.11", "1.1.1.1", "8.8.8.8", "dns.acme.internal"}: must not have more than 3 nameservers
#                                                                   ^^^^^^^^^^^^^^^^^^^ error FLY247: Invalid value: "dns.acme.internal": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)
    containers:
      - name: main
        image: busybox:1.36
"#,
        );
        check_k8s(
            r#"pod_spec:
  dnsConfig:
    nameservers:
      - 10.0.0.300
#       ^^^^^^^^^^ error FLY247: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)
      - "010.000.000.010"
#       ^^^^^^^^^^^^^^^^^ warning FLY269: non-standard IP address "010.000.000.010" will be considered invalid in a future Kubernetes release: use "10.0.0.10"
      - "::ffff:10.0.0.1"
#       ^^^^^^^^^^^^^^^^^ warning FLY269: non-standard IP address "::ffff:10.0.0.1" will be considered invalid in a future Kubernetes release: use "10.0.0.1"
  containers:
    - name: primary
"#,
        );
        // Go 1.16 parsing: uppercase, uncompressed and over-wide IPv6 groups are accepted (with
        // FLY269's warnings).
        check_k8s(
            r#"pod_spec:
  dnsPolicy: None
  dnsConfig:
    nameservers: ["FD00:0:0:0:0:0:0:10", "0000fd00::1"]
#                 ^^^^^^^^^^^^^^^^^^^^^ warning FLY269: IPv6 address "FD00:0:0:0:0:0:0:10" should be in RFC 5952 canonical format ("fd00::10")
#                                        ^^^^^^^^^^^^^ warning FLY269: non-standard IP address "0000fd00::1" will be considered invalid in a future Kubernetes release: use "fd00::1"
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn searches() {
        check_k8s(
            r#"pod_spec:
  dnsConfig:
    searches:
      - ml-research.svc.cluster.local.
      - _tcp.acme.internal
      - "."
      - Acme.Internal
#       ^^^^^^^^^^^^^ error FLY247: Invalid value: "Acme.Internal": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
      - acme..internal
#       ^^^^^^^^^^^^^^ error FLY247: Invalid value: "acme..internal": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
      - "svc.cluster.local.."
#       ^^^^^^^^^^^^^^^^^^^^^ error FLY247: Invalid value: "svc.cluster.local.": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
      - ""
#       ^^ error FLY247: Invalid value: "": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
      - tcp_.acme
#       ^^^^^^^^^ error FLY247: Invalid value: "tcp_.acme": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn search_list_limits() {
        let many: Vec<String> = (0..33).map(|i| format!("      - s{i}.acme\n")).collect();
        let fixture = format!(
            "pod_spec:\n  dnsConfig:\n    searches:\n{}  containers:\n    - name: primary\n",
            many.concat()
        );
        let out = crate::engine::analyze(
            &fixture,
            &super::super::pod_values::test_support::k8s_settings(),
        );
        let msgs: Vec<&str> = out
            .diagnostics
            .iter()
            .filter(|d| d.code == "FLY247")
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].ends_with("must not have more than 32 search paths"));
        assert!(msgs[0].contains(", ...}"), "{}", msgs[0]);
        // 11 names of 191 characters: 2111 with the spaces between them.
        let long: Vec<String> = (0..11)
            .map(|i| {
                let label = format!("{i:02}{}", "a".repeat(61));
                format!("      - {label}.{label}.{label}\n")
            })
            .collect();
        let fixture = format!(
            "pod_spec:\n  dnsConfig:\n    searches:\n{}  containers:\n    - name: primary\n",
            long.concat()
        );
        let out = crate::engine::analyze(
            &fixture,
            &super::super::pod_values::test_support::k8s_settings(),
        );
        let msgs: Vec<&str> = out
            .diagnostics
            .iter()
            .filter(|d| d.code == "FLY247")
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].ends_with(
            "must not have more than 2048 characters (including spaces) in the search list"
        ));
    }

    #[test]
    fn options() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    dnsConfig:
      options:
        - name: ndots
          value: "2"
        - name: ""
#               ^^ error FLY247: Required value: must not be empty
        - value: "5"
#         ^^^^^ error FLY247: Required value: must not be empty
        - name:
#         ^^^^ error FLY247: Required value: must not be empty
        - name: edns0
    containers:
      - name: main
        image: busybox:1.36
"#,
        );
    }
}
