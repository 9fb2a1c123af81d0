//! FLY248–FLY250: the small lists of a pod spec. Host aliases whose `ip` is not an IP address or
//! whose hostnames are not DNS names, plus the API server's warning for an `ip` listed twice
//! (FLY248); readiness and scheduling gates whose names are not qualified names, scheduling
//! gates listed twice, and a Pod created with both `nodeName` and scheduling gates (FLY249);
//! the warnings for `imagePullSecrets` entries with an empty or repeated name (FLY250).
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`ValidateHostAliases`,
//! `validateReadinessGates`, `validateSchedulingGates`, and `ValidatePodCreate` for the
//! `nodeName` conflict) and `pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`: duplicate
//! `hostAliases` IPs, duplicate and empty `imagePullSecrets` names).
//!
//! Pod-only check: `ValidatePodCreate` runs for Pods, not for `kind: PodTemplate` (templates are
//! checked by `ValidatePodTemplate`); a Flyte template is turned into a Pod by the Flyte
//! backend, so it is checked like a Pod (as FLY206 does for image whitespace).
//!
//! Absent `ip`, `conditionType`, gate `name` and pull-secret `name` fields are FLY104's (the
//! schema requires them); a `null` one decodes to `""` and is checked here as the empty string.
//! The duplicate-IP warning is FLY250's, with the other repeated-entry warnings: the API server
//! only warns, and a rule has one severity that settings can change.

use crate::analysis::ip::{is_legacy_ip, INVALID_IP};
use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::model::DocKind;
use crate::text::TextRange;
use crate::tree::{Node, NodeKind};

use super::pod_values::{join, map_items, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static HOST_ALIAS_RULE: Rule = Rule {
    code: "FLY248",
    name: "invalid-host-alias",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A `hostAliases` entry whose `ip` is not an IP address (`must be a valid IP \
              address`) or whose `hostnames` are not lowercase DNS names: the API server rejects \
              the pod. (An `ip` listed twice is FLY250's warning.)",
    bad: "pod_spec:\n  hostAliases:\n    - ip: 10.0.0.300\n      hostnames: [\"warehouse.acme.internal\"]\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  hostAliases:\n    - ip: 10.0.0.30\n      hostnames: [\"warehouse.acme.internal\"]\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateHostAliases`, \
             `IsValidIPForLegacyField`)",
};

pub static GATES_RULE: Rule = Rule {
    code: "FLY249",
    name: "invalid-pod-gate",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A `readinessGates[].conditionType` or `schedulingGates[].name` that is not a \
              qualified name (`[prefix/]name`, the format of label keys), a scheduling gate \
              listed twice (`Duplicate value`), or a Pod created with both `nodeName` and \
              scheduling gates (`Forbidden: cannot be set until all schedulingGates have been \
              cleared`).",
    bad: "pod_spec:\n  schedulingGates:\n    - name: acme.io/quota check\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  schedulingGates:\n    - name: acme.io/quota-check\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateReadinessGates`, \
             `validateSchedulingGates`, `ValidatePodCreate`)",
};

pub static LIST_ENTRY_RULE: Rule = Rule {
    code: "FLY250",
    name: "empty-or-repeated-pod-list-entry",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "An `imagePullSecrets` entry with an empty `name` (`invalid empty name \"\"`), a \
              pull secret listed twice (`duplicate name`), or a `hostAliases` IP listed in two \
              entries (`duplicate ip`). The API server accepts the pod with a warning: the \
              empty entry refers to no secret, a repeated secret is redundant, and the hostnames \
              of a repeated IP belong in its first entry (`kubectl apply` may drop one).",
    bad: "pod_spec:\n  imagePullSecrets:\n    - name: \"\"\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  imagePullSecrets:\n    - name: acme-registry\n  containers:\n    - name: primary\n",
    source: "`pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`)",
};

pub static FAMILY: Family = Family {
    rules: &[&HOST_ALIAS_RULE, &GATES_RULE, &LIST_ENTRY_RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    check_host_aliases(ctx, parts);
    check_readiness_gates(ctx, parts);
    check_scheduling_gates(ctx, parts);
    check_pull_secrets(ctx, parts);
}

/// A string field as Go decodes it: its text and where to point, `""` at the key for `null`.
/// `None` when the field is absent or of another type (FLY104/FLY103 report those).
fn string_field<'a>(item: &'a Node, key: &str) -> Option<(&'a str, TextRange)> {
    let entry = item.entry(key)?;
    if entry.value.is_null() || matches!(entry.value.kind, NodeKind::Missing) {
        return Some(("", entry.key.span.clone()));
    }
    string_value(&entry.value).map(|s| (s, entry.value.span.clone()))
}

fn check_host_aliases(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let mut ips: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for alias in map_items(parts.spec_field("hostAliases")) {
        if let Some((ip, at)) = string_field(alias, "ip") {
            if !is_legacy_ip(ip) {
                let message = format!("Invalid value: \"{ip}\": {INVALID_IP}");
                ctx.report(&HOST_ALIAS_RULE, at.clone(), message);
            }
            if !ips.insert(ip) {
                // warnings.go: accepted, but the entries should be merged.
                let message = format!("duplicate ip \"{ip}\"");
                ctx.report(&LIST_ENTRY_RULE, at, message);
            }
        }
        for hostname in alias.get("hostnames").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(name) = string_value(hostname) else {
                continue;
            };
            let errs = names::dns1123_subdomain(name);
            if !errs.is_empty() {
                let message = format!("Invalid value: \"{name}\": {}", join(&errs));
                ctx.report(&HOST_ALIAS_RULE, hostname.span.clone(), message);
            }
        }
    }
}

fn check_readiness_gates(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    for gate in map_items(parts.spec_field("readinessGates")) {
        if let Some((condition, at)) = string_field(gate, "conditionType") {
            check_qualified(ctx, condition, at);
        }
    }
}

fn check_scheduling_gates(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let list = parts.spec_field("schedulingGates");
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for gate in map_items(list) {
        let Some((name, at)) = string_field(gate, "name") else {
            continue;
        };
        check_qualified(ctx, name, at.clone());
        if !seen.insert(name) {
            let message = format!("Duplicate value: \"{name}\"");
            ctx.report(&GATES_RULE, at, message);
        }
    }
    // `ValidatePodCreate`: a Pod bound to a node may not wait for scheduling gates. Not for
    // `kind: PodTemplate`; a Flyte template becomes a Pod.
    if parts.kind == Some(DocKind::KubePodTemplate) {
        return;
    }
    let gated = list
        .and_then(Node::as_seq)
        .is_some_and(|items| !items.is_empty());
    if let Some(node) = parts.spec_field("nodeName") {
        if gated && string_value(node).is_some_and(|n| !n.is_empty()) {
            let message =
                "Forbidden: cannot be set until all schedulingGates have been cleared".to_string();
            ctx.report(&GATES_RULE, node.span.clone(), message);
        }
    }
}

fn check_qualified(ctx: &mut Ctx<'_>, value: &str, at: TextRange) {
    let errs = names::qualified_name(value);
    if !errs.is_empty() {
        let message = format!("Invalid value: \"{value}\": {}", join(&errs));
        ctx.report(&GATES_RULE, at, message);
    }
}

fn check_pull_secrets(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for secret in map_items(parts.spec_field("imagePullSecrets")) {
        let Some((name, at)) = string_field(secret, "name") else {
            continue;
        };
        if !seen.insert(name) {
            let message = format!("duplicate name \"{name}\"");
            ctx.report(&LIST_ENTRY_RULE, at.clone(), message);
        }
        if name.is_empty() {
            ctx.report(&LIST_ENTRY_RULE, at, "invalid empty name \"\"".to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn host_aliases() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    hostAliases:
      - ip: 10.0.0.300
#           ^^^^^^^^^^ error FLY248: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)
        hostnames: ["warehouse.acme.internal", "Warehouse", "warehouse."]
#                                              ^^^^^^^^^^^ error FLY248: Invalid value: "Warehouse": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
#                                                           ^^^^^^^^^^^^ error FLY248: Invalid value: "warehouse.": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
      - ip: ""
#           ^^ error FLY248: Invalid value: "": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)
        hostnames: [feature_store]
#                   ^^^^^^^^^^^^^ error FLY248: Invalid value: "feature_store": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
    containers:
      - name: main
        image: busybox:1.36
"#,
        );
    }

    #[test]
    fn host_aliases_accepted_and_duplicate_ip_warned() {
        check_k8s(
            r#"pod_spec:
  hostAliases:
    - ip: 10.0.0.20
      hostnames: [warehouse.acme.internal, warehouse]
    - ip: "010.000.000.021"
#         ^^^^^^^^^^^^^^^^^ warning FLY269: non-standard IP address "010.000.000.021" will be considered invalid in a future Kubernetes release: use "10.0.0.21"
      hostnames: [lake]
    - ip: "fd00::20"
    - ip: 10.0.0.20
#         ^^^^^^^^^ warning FLY250: duplicate ip "10.0.0.20"
      hostnames: [warehouse-2]
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn readiness_and_scheduling_gates() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    readinessGates:
      - conditionType: acme.io/model loaded
#                      ^^^^^^^^^^^^^^^^^^^^ error FLY249: Invalid value: "acme.io/model loaded": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')
      - conditionType: example.com/ModelLoaded
      - conditionType:
#       ^^^^^^^^^^^^^ error FLY249: Invalid value: "": name part must be non-empty
    schedulingGates:
      - name: acme.io/quota-check
      - name: Acme.io/quota-check
#             ^^^^^^^^^^^^^^^^^^^ error FLY249: Invalid value: "Acme.io/quota-check": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
      - name: acme.io/quota-check
#             ^^^^^^^^^^^^^^^^^^^ error FLY249: Duplicate value: "acme.io/quota-check"
    nodeName: gpu-node-1
    containers:
      - name: main
        image: busybox:1.36
"#,
        );
    }

    #[test]
    fn node_name_with_scheduling_gates() {
        check_k8s(
            r#"apiVersion: v1
kind: Pod
metadata:
  name: trainer
spec:
  nodeName: gpu-node-1
#           ^^^^^^^^^^ error FLY249: Forbidden: cannot be set until all schedulingGates have been cleared
  schedulingGates:
    - name: acme.io/quota-check
  containers:
    - name: main
      image: busybox:1.36
"#,
        );
        check_k8s(
            r#"pod_spec:
  nodeName: gpu-node-1
#           ^^^^^^^^^^ error FLY249: Forbidden: cannot be set until all schedulingGates have been cleared
  schedulingGates: [{name: acme.io/quota-check}]
  containers:
    - name: primary
"#,
        );
        // No gates left, or no node: fine.
        check_k8s(
            r#"pod_spec:
  nodeName: gpu-node-1
  schedulingGates: []
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn image_pull_secrets() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    imagePullSecrets:
      - name: ""
#             ^^ warning FLY250: invalid empty name ""
      - name: acme-registry
      - name: acme-registry
#             ^^^^^^^^^^^^^ warning FLY250: duplicate name "acme-registry"
      - name:
#       ^^^^ warning FLY250: duplicate name ""
#       ^^^^ warning FLY250: invalid empty name ""
      - name: Acme_Registry
    containers:
      - name: main
        image: busybox:1.36
"#,
        );
    }
}
