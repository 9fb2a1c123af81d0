//! FLY254: pod `securityContext.sysctls`. Names must be sysctl names (dot- or slash-separated
//! lowercase segments, at most 253 characters) and unique, and a sysctl of the network or IPC
//! namespace may not be set when the pod shares that namespace with the host
//! (`hostNetwork`/`hostIPC`).
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validateSysctls`, `IsValidSysctlName`,
//! `ValidateHostSysctl`) and `staging/src/k8s.io/component-helpers/node/util/sysctl`
//! (`GetNamespace`, `NormalizeName`, the namespace tables of `namespace.go`). On create (Pod or
//! PodTemplate) `AllowNamespacedSysctlsForHostNetAndHostIPC` is false, so the host check always
//! applies.

use std::collections::HashSet;

use super::host_namespaces::flag;
use super::pod_values::{map_items, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};
use crate::model::pod::PodParts;

pub static RULE: Rule = Rule {
    code: "FLY254",
    name: "invalid-sysctl",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A pod sysctl is invalid: its name is not a sysctl name (lowercase segments \
              separated by `.` or `/`, at most 253 characters), it is listed twice, or it \
              belongs to the network (`net.*`) or IPC (`kernel.shm*`, `kernel.msg*`, \
              `kernel.sem`, `fs.mqueue.*`) namespace while the pod uses the host's \
              (`may not be specified when 'hostNetwork' is true`).",
    bad: "pod_spec:\n  securityContext:\n    sysctls:\n      - name: Net.Core.Somaxconn\n        value: \"1024\"\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  securityContext:\n    sysctls:\n      - name: net.core.somaxconn\n        value: \"1024\"\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateSysctls`, `ValidateHostSysctl`); \
             `k8s.io/component-helpers/node/util/sysctl` (`GetNamespace`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

/// `SysctlMaxLength`.
const MAX_LEN: usize = 253;
/// `sysctlContainSlashRegexp` as the API server prints it.
const NAME_REGEX: &str = r"^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$";

/// The kernel namespace a sysctl belongs to (`utilsysctl.Namespace`), as far as it matters here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Namespace {
    Net,
    Ipc,
}

/// `nameToNamespace`: IPC sysctls known by exact name.
const IPC_NAMES: &[&str] = &[
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
    "kernel.shm",
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.msg",
];

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let Some(sysctls) = parts
        .spec_field("securityContext")
        .and_then(|sc| sc.get("sysctls"))
    else {
        return;
    };
    let host_network = flag(parts.spec_field("hostNetwork")) == Some(true);
    let host_ipc = flag(parts.spec_field("hostIPC")) == Some(true);
    let mut seen: HashSet<&str> = HashSet::new();
    for item in map_items(Some(sysctls)) {
        // A missing name is FLY104's, a non-string one FLY106's.
        let Some(node) = item.get("name") else {
            continue;
        };
        let Some(name) = string_value(node) else {
            continue;
        };
        if name.is_empty() {
            ctx.report(&RULE, node.span.clone(), "Required value".to_string());
        } else if !is_valid_name(name) {
            let message = format!(
                "Invalid value: {name:?}: must have at most {MAX_LEN} characters and match regex \
                 {NAME_REGEX}"
            );
            ctx.report(&RULE, node.span.clone(), message);
        } else if seen.contains(name) {
            ctx.report(
                &RULE,
                node.span.clone(),
                format!("Duplicate value: {name:?}"),
            );
        }
        // `ValidateHostSysctl` runs whatever the name's format.
        let host = match namespace_of(name) {
            Some(Namespace::Net) if host_network => Some("hostNetwork"),
            Some(Namespace::Ipc) if host_ipc => Some("hostIPC"),
            _ => None,
        };
        if let Some(host) = host {
            let message =
                format!("Invalid value: {name:?}: may not be specified when '{host}' is true");
            ctx.report(&RULE, node.span.clone(), message);
        }
        seen.insert(name);
    }
}

/// `IsValidSysctlName`: at most 253 bytes, segments `[a-z0-9]([-_a-z0-9]*[a-z0-9])?` joined by
/// `.` or `/`.
fn is_valid_name(name: &str) -> bool {
    name.len() <= MAX_LEN && name.split(['.', '/']).all(is_segment)
}

fn is_segment(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            alnum(first) && alnum(last) && b.iter().all(|&c| alnum(c) || c == b'-' || c == b'_')
        }
        _ => false,
    }
}

/// `GetNamespace`: the name normalised to dots, cut at the first `*`, then looked up by exact
/// name or by the `net.` / `fs.mqueue.` prefixes.
fn namespace_of(name: &str) -> Option<Namespace> {
    let normalized = normalize(name);
    let key = normalized
        .split_once('*')
        .map_or(normalized.as_str(), |(head, _)| head);
    if IPC_NAMES.contains(&key) {
        Some(Namespace::Ipc)
    } else if key.starts_with("net.") {
        Some(Namespace::Net)
    } else if key.starts_with("fs.mqueue.") {
        Some(Namespace::Ipc)
    } else {
        None
    }
}

/// `NormalizeName`: when the first separator is `/`, swap `.` and `/`
/// (`net/ipv4/conf/eno2.100/rp_filter` → `net.ipv4.conf.eno2/100.rp_filter`).
fn normalize(name: &str) -> String {
    match name.find(['.', '/']) {
        Some(i) if name.as_bytes().get(i) == Some(&b'/') => name
            .chars()
            .map(|c| match c {
                '.' => '/',
                '/' => '.',
                c => c,
            })
            .collect(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use super::{namespace_of, Namespace};

    #[test]
    fn sysctl_names() {
        check_k8s(
            r#"pod_spec:
  securityContext:
    sysctls:
      - name: Net.Core.Somaxconn
#             ^^^^^^^^^^^^^^^^^^ error FLY254: Invalid value: "Net.Core.Somaxconn": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$
        value: "1024"
      - name: kernel.shm_rmid_forced
        value: "1"
      - name: kernel.shm_rmid_forced
#             ^^^^^^^^^^^^^^^^^^^^^^ error FLY254: Duplicate value: "kernel.shm_rmid_forced"
        value: "0"
      - name: ""
#             ^^ error FLY254: Required value
        value: "0"
      - name: net..core
#             ^^^^^^^^^ error FLY254: Invalid value: "net..core": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$
        value: "0"
      - name: net/ipv4/conf/eno2.100/rp_filter
        value: "1"
      - name: net.ipv4.ip_local_port_range
        value: "1024 65535"
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn namespaced_sysctls_with_host_namespaces() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    hostNetwork: true
    hostIPC: true
    securityContext:
      sysctls:
        - name: net.core.somaxconn
#               ^^^^^^^^^^^^^^^^^^ error FLY254: Invalid value: "net.core.somaxconn": may not be specified when 'hostNetwork' is true
          value: "1024"
        - name: net/ipv4/tcp_syncookies
#               ^^^^^^^^^^^^^^^^^^^^^^^ error FLY254: Invalid value: "net/ipv4/tcp_syncookies": may not be specified when 'hostNetwork' is true
          value: "1"
        - name: kernel.msgmax
#               ^^^^^^^^^^^^^ error FLY254: Invalid value: "kernel.msgmax": may not be specified when 'hostIPC' is true
          value: "65536"
        - name: fs.mqueue.msg_max
#               ^^^^^^^^^^^^^^^^^ error FLY254: Invalid value: "fs.mqueue.msg_max": may not be specified when 'hostIPC' is true
          value: "20"
        - name: kernel.shm_next_id
          value: "1"
        - name: vm.swappiness
          value: "10"
    containers:
      - name: trainer
        image: ghcr.io/acme/train:1.4.2
"#,
        );
    }

    #[test]
    fn namespaced_sysctls_without_host_namespaces() {
        // Only the namespace the pod shares with the host matters.
        check_k8s(
            r#"pod_spec:
  hostNetwork: true
  hostIPC: false
  securityContext:
    sysctls:
      - name: kernel.shm_rmid_forced
        value: "1"
      - name: fs.mqueue.msg_max
        value: "20"
  containers:
    - name: primary
---
pod_spec:
  hostIPC: true
  securityContext:
    sysctls:
      - name: net.core.somaxconn
        value: "1024"
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn namespaces() {
        assert_eq!(namespace_of("net.ipv4.ip_forward"), Some(Namespace::Net));
        assert_eq!(namespace_of("net/ipv4/ip_forward"), Some(Namespace::Net));
        assert_eq!(namespace_of("net"), None);
        assert_eq!(namespace_of("kernel.shm*"), Some(Namespace::Ipc));
        assert_eq!(namespace_of("kernel/sem"), Some(Namespace::Ipc));
        assert_eq!(namespace_of("kernel.shm_next_id"), None);
        assert_eq!(namespace_of("fs.mqueue.queues_max"), Some(Namespace::Ipc));
        assert_eq!(namespace_of("fs.mqueue"), None);
    }
}
