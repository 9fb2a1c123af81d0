//! FLY233 and FLY234: node affinity and pod (anti-)affinity that the API server rejects.
//! Selector operators must agree with their values, keys are qualified names, weights are
//! 1–100, and pod affinity terms need a topology key. FLY267: the warning for values of
//! *preferred* node affinity terms that are not label values (accepted, never matched).
//!
//! FLY267 mirrors `pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`, which calls
//! `nodeapi.GetWarningsForNodeSelectorTerm(term.Preference, true, ...)` for preferred terms
//! only) and `pkg/api/node/util.go` (`GetWarningsForNodeSelectorTerm`, `checkLabelValue`).
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validateNodeAffinity`,
//! `ValidateNodeSelector`, `ValidateNodeSelectorRequirement`, `validateNodeFieldSelectorRequirement`,
//! `ValidatePreferredSchedulingTerms`, `validatePodAffinityTerm`, `validateWeightedPodAffinityTerms`)
//! and `staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go`
//! (`ValidateLabelSelector`, `ValidateLabelSelectorRequirement`). Unknown node selector
//! operators are FLY105's.

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::tree::Node;

use super::label_selectors::{self, check_label_value, values_span};
use super::pod_values::{int_value, join, map_items, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static NODE_RULE: Rule = Rule {
    code: "FLY233",
    name: "invalid-node-affinity",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A node affinity the API server rejects: `In`/`NotIn` without `values`, \
              `Exists`/`DoesNotExist` with values, `Gt`/`Lt` without exactly one value, a key \
              that is not a qualified name, `matchFields` on anything but `metadata.name`, a \
              required node selector without terms, or a preferred term's weight outside 1–100.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n          - matchExpressions:\n              - key: nvidia.com/gpu.product\n                operator: In\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n          - matchExpressions:\n              - key: nvidia.com/gpu.product\n                operator: In\n                values: [NVIDIA-A100-SXM4-80GB]\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateNodeAffinity`, \
             `ValidateNodeSelectorRequirement`, `ValidatePreferredSchedulingTerms`)",
};

pub static POD_RULE: Rule = Rule {
    code: "FLY234",
    name: "invalid-pod-affinity",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A pod affinity or anti-affinity term the API server rejects: no `topologyKey` \
              (`can not be empty`) or one that is not a qualified name, a label selector whose \
              operator and values disagree or whose keys and values are not label keys and \
              values, a namespace that is not a DNS label, or a weight outside 1–100.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        - labelSelector:\n            matchExpressions:\n              - key: app\n                operator: In\n          topologyKey: kubernetes.io/hostname\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        - labelSelector:\n            matchExpressions:\n              - key: app\n                operator: In\n                values: [trainer]\n          topologyKey: kubernetes.io/hostname\n",
    source: "`pkg/apis/core/validation/validation.go` (`validatePodAffinityTerm`, \
             `validateWeightedPodAffinityTerms`); meta/v1 `ValidateLabelSelector`",
};

pub static PREFERRED_VALUE_RULE: Rule = Rule {
    code: "FLY267",
    name: "invalid-preferred-node-affinity-value",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A value in a *preferred* node affinity term that is not a label value (a space, a \
              `/`, more than 63 characters). No node label can have that value, so the \
              preference never matches. The API server accepts it with a warning (`<value> is \
              invalid, a valid label must be an empty string or consist of alphanumeric \
              characters, ...`); in a *required* term the same value is an error (FLY233).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  affinity:\n    nodeAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n        - weight: 50\n          preference:\n            matchExpressions:\n              - key: nvidia.com/gpu.product\n                operator: In\n                values: [\"NVIDIA A100\"]\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  affinity:\n    nodeAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n        - weight: 50\n          preference:\n            matchExpressions:\n              - key: nvidia.com/gpu.product\n                operator: In\n                values: [NVIDIA-A100-SXM4-80GB]\n",
    source: "`pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`); `pkg/api/node/util.go` \
             (`GetWarningsForNodeSelectorTerm` with `checkLabelValue`)",
};

pub static FAMILY: Family = Family {
    rules: &[&NODE_RULE, &POD_RULE, &PREFERRED_VALUE_RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let Some(affinity) = parts.spec_field("affinity") else {
        return;
    };
    if let Some(node) = affinity.get("nodeAffinity") {
        check_node_affinity(ctx, node);
    }
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(pod) = affinity.get(kind) else {
            continue;
        };
        for term in map_items(pod.get("requiredDuringSchedulingIgnoredDuringExecution")) {
            check_pod_term(ctx, term);
        }
        for weighted in map_items(pod.get("preferredDuringSchedulingIgnoredDuringExecution")) {
            check_weight(ctx, &POD_RULE, weighted);
            if let Some(term) = weighted.get("podAffinityTerm") {
                check_pod_term(ctx, term);
            }
        }
    }
}

fn check_node_affinity(ctx: &mut Ctx<'_>, node: &Node) {
    if let Some(required) = node.entry("requiredDuringSchedulingIgnoredDuringExecution") {
        if required.value.as_map().is_some() {
            let terms = required.value.entry("nodeSelectorTerms");
            let count = terms
                .and_then(|t| t.value.as_seq())
                .map_or(0, <[Node]>::len);
            if count == 0 {
                let at = terms.map_or_else(|| required.key.span.clone(), |t| t.key.span.clone());
                ctx.report(
                    &NODE_RULE,
                    at,
                    "Required value: must have at least one node selector term".to_string(),
                );
            }
            for term in map_items(terms.map(|t| &t.value)) {
                check_node_term(ctx, term, true);
            }
        }
    }
    for preferred in map_items(node.get("preferredDuringSchedulingIgnoredDuringExecution")) {
        check_weight(ctx, &NODE_RULE, preferred);
        if let Some(term) = preferred.get("preference") {
            check_node_term(ctx, term, false);
        }
    }
}

/// `ValidateNodeSelectorTerm`. Values of *required* terms must be label values: pods are
/// created with `AllowInvalidLabelValueInRequiredNodeAffinity: false`; preferred terms are not
/// checked (`ValidatePreferredSchedulingTerms` passes `true`) but warned about (FLY267).
fn check_node_term(ctx: &mut Ctx<'_>, term: &Node, required: bool) {
    for req in map_items(term.get("matchExpressions")) {
        let operator = req.get("operator").and_then(string_value);
        let values = values_of(req);
        let message = match (operator, values.map_or(0, <[Node]>::len)) {
            (Some("In" | "NotIn"), 0) => {
                Some("Required value: must be specified when `operator` is 'In' or 'NotIn'")
            }
            (Some("Exists" | "DoesNotExist"), n) if n > 0 => Some(
                "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
            (Some("Gt" | "Lt"), n) if n != 1 => Some(
                "Required value: must be specified single value when `operator` is 'Lt' or 'Gt'",
            ),
            _ => None,
        };
        if let Some(message) = message {
            ctx.report(&NODE_RULE, values_span(req), message.to_string());
        }
        check_key(ctx, &NODE_RULE, req);
        for value in values.unwrap_or(&[]) {
            if required {
                check_label_value(ctx, &NODE_RULE, value);
            } else {
                warn_label_value(ctx, value);
            }
        }
    }
    for req in map_items(term.get("matchFields")) {
        let operator = req.get("operator").and_then(string_value);
        let count = values_of(req).map_or(0, <[Node]>::len);
        match operator {
            Some("In" | "NotIn") if count != 1 => {
                ctx.report(
                    &NODE_RULE,
                    values_span(req),
                    "Required value: must be only one value when `operator` is 'In' or 'NotIn' \
                     for node field selector"
                        .to_string(),
                );
            }
            Some("In" | "NotIn") | None => {}
            Some(other) => {
                if let Some(node) = req.get("operator") {
                    let message =
                        format!("Invalid value: \"{other}\": not a valid selector operator");
                    ctx.report(&NODE_RULE, node.span.clone(), message);
                }
            }
        }
        if let Some(key) = req.get("key") {
            if let Some(k) = string_value(key).filter(|k| *k != "metadata.name") {
                let message = format!("Invalid value: \"{k}\": not a valid field selector key");
                ctx.report(&NODE_RULE, key.span.clone(), message);
            }
        }
    }
}

fn check_pod_term(ctx: &mut Ctx<'_>, term: &Node) {
    // A missing `topologyKey` is FLY104's (the schema requires it).
    if let Some(entry) = term.entry("topologyKey") {
        match string_value(&entry.value) {
            Some("") => {
                ctx.report(
                    &POD_RULE,
                    entry.value.span.clone(),
                    "Required value: can not be empty".into(),
                );
            }
            Some(key) => {
                let errs = names::qualified_name(key);
                if !errs.is_empty() {
                    let message = format!("Invalid value: \"{key}\": {}", join(&errs));
                    ctx.report(&POD_RULE, entry.value.span.clone(), message);
                }
            }
            None if entry.value.is_null() => {
                ctx.report(
                    &POD_RULE,
                    entry.key.span.clone(),
                    "Required value: can not be empty".into(),
                );
            }
            None => {}
        }
    }
    for ns in term.get("namespaces").and_then(Node::as_seq).unwrap_or(&[]) {
        if let Some(name) = string_value(ns) {
            let errs = names::dns1123_label(name);
            if !errs.is_empty() {
                let message = format!("Invalid value: \"{name}\": {}", join(&errs));
                ctx.report(&POD_RULE, ns.span.clone(), message);
            }
        }
    }
    for selector in ["labelSelector", "namespaceSelector"] {
        if let Some(sel) = term.get(selector) {
            label_selectors::check_label_selector(ctx, &POD_RULE, sel);
        }
    }
}

fn check_key(ctx: &mut Ctx<'_>, rule: &'static Rule, req: &Node) {
    if let Some(key) = req.get("key") {
        label_selectors::check_qualified(ctx, rule, key);
    }
}

fn check_weight(ctx: &mut Ctx<'_>, rule: &'static Rule, term: &Node) {
    let Some(node) = term.get("weight") else {
        return;
    };
    if let Some(w) = int_value(node).filter(|w| !(1..=100).contains(w)) {
        let message = format!("Invalid value: {w}: must be in the range 1-100");
        ctx.report(rule, node.span.clone(), message);
    }
}

/// FLY267: one warning per message of `IsValidLabelValue`, as `GetWarningsForNodeSelectorTerm`
/// writes them (`<value> is invalid, <message>`).
fn warn_label_value(ctx: &mut Ctx<'_>, node: &Node) {
    let Some(value) = string_value(node) else {
        return;
    };
    for problem in names::label_value(value) {
        let message = format!("{value} is invalid, {problem}");
        ctx.report(&PREFERRED_VALUE_RULE, node.span.clone(), message);
    }
}

fn values_of(req: &Node) -> Option<&[Node]> {
    req.get("values").and_then(Node::as_seq)
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn node_affinity() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions:
              - key: gpu
                operator: In
#               ^^^^^^^^ error FLY233: Required value: must be specified when `operator` is 'In' or 'NotIn'
              - key: gpu
                operator: Exists
                values: [a]
#               ^^^^^^ error FLY233: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'
              - key: cores
                operator: Gt
                values: ["1", "2"]
#               ^^^^^^ error FLY233: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'
              - key: "bad key"
#                    ^^^^^^^^^ error FLY233: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')
                operator: Exists
            matchFields:
              - key: spec.nodeName
#                    ^^^^^^^^^^^^^ error FLY233: Invalid value: "spec.nodeName": not a valid field selector key
                operator: In
                values: [a, b]
#               ^^^^^^ error FLY233: Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 0
#                 ^ error FLY233: Invalid value: 0: must be in the range 1-100
          preference:
            matchExpressions:
              - key: zone
                operator: In
                values: [a]
"#,
        );
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms: []
#       ^^^^^^^^^^^^^^^^^ error FLY233: Required value: must have at least one node selector term
"#,
        );
    }

    #[test]
    fn required_node_values_are_label_values() {
        // Required terms are checked on create; preferred terms are only warned about.
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions:
              - key: gpu.product
                operator: In
                values: [NVIDIA-A100-SXM4-80GB, "NVIDIA A100"]
#                                               ^^^^^^^^^^^^^ error FLY233: Invalid value: "NVIDIA A100": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 1
          preference:
            matchExpressions:
              - key: gpu.product
                operator: In
                values: ["NVIDIA A100", a-b]
#                        ^^^^^^^^^^^^^ warning FLY267: NVIDIA A100 is invalid, a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')
"#,
        );
    }

    #[test]
    fn pod_affinity() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - labelSelector:
            matchExpressions:
              - key: app
                operator: In
#               ^^^^^^^^ error FLY234: Required value: must be specified when `operator` is 'In' or 'NotIn'
              - key: app
                operator: Equals
#                         ^^^^^^ error FLY234: Invalid value: "Equals": not a valid selector operator
                values: [x]
            matchLabels:
              app: "a b"
#                  ^^^^^ error FLY234: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')
          topologyKey: ""
#                      ^^ error FLY234: Required value: can not be empty
          namespaces: [ML_Team]
#                      ^^^^^^^ error FLY234: Invalid value: "ML_Team": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 101
#                 ^^^ error FLY234: Invalid value: 101: must be in the range 1-100
          podAffinityTerm:
#         ^^^^^^^^^^^^^^^ error FLY104: missing required field `topologyKey` in PodAffinityTerm
            labelSelector:
              matchLabels:
                app: trainer
"#,
        );
    }

    #[test]
    fn valid_affinity_passes() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions:
              - key: node.kubernetes.io/instance-type
                operator: In
                values: [p4d.24xlarge]
              - key: cores
                operator: Gt
                values: ["8"]
            matchFields:
              - key: metadata.name
                operator: NotIn
                values: [bad-node]
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          preference:
            matchExpressions:
              - key: spot
                operator: DoesNotExist
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - labelSelector:
            matchExpressions:
              - key: app
                operator: Exists
          topologyKey: kubernetes.io/hostname
"#,
        );
    }
}
