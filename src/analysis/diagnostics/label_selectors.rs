//! Label selectors, shared by the pod affinity (FLY234) and topology spread (FLY244) rules, and
//! FLY263: the API-server warning for a term or constraint with no `labelSelector` at all,
//! which matches no pod.
//!
//! Mirrors `staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go`
//! (`ValidateLabelSelector`, `ValidateLabelSelectorRequirement`; pods are created with
//! `AllowInvalidLabelValueInSelector: false`, so values must be label values) and
//! `pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`, `warningsForPodAffinityTerms`,
//! `warningsForWeightedPodAffinityTerms`).

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::tree::{Entry, Node};

use super::pod_values::{first_key_span, join, map_entries, map_items, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static NULL_SELECTOR_RULE: Rule = Rule {
    code: "FLY263",
    name: "null-label-selector",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A topology spread constraint or a pod (anti-)affinity term without a \
              `labelSelector` selects no pod at all: the constraint spreads nothing and the \
              affinity never matches. The API server accepts it with a warning (`a null \
              labelSelector results in matching no pod`). Select the pods to spread or to \
              co-locate with.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  topologySpreadConstraints:\n    - maxSkew: 1\n      topologyKey: topology.kubernetes.io/zone\n      whenUnsatisfiable: ScheduleAnyway\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  topologySpreadConstraints:\n    - maxSkew: 1\n      topologyKey: topology.kubernetes.io/zone\n      whenUnsatisfiable: ScheduleAnyway\n      labelSelector:\n        matchLabels:\n          app: trainer\n",
    source: "`pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`, \
             `warningsForPodAffinityTerms`, `warningsForWeightedPodAffinityTerms`)",
};

pub static FAMILY: Family = Family {
    rules: &[&NULL_SELECTOR_RULE],
    check: Check::Pod(check),
};

const NULL_SELECTOR: &str = "a null labelSelector results in matching no pod";

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    for constraint in map_items(parts.spec_field("topologySpreadConstraints")) {
        warn_if_null(ctx, constraint);
    }
    let Some(affinity) = parts.spec_field("affinity") else {
        return;
    };
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(pod) = affinity.get(kind) else {
            continue;
        };
        for term in map_items(pod.get("requiredDuringSchedulingIgnoredDuringExecution")) {
            warn_if_null(ctx, term);
        }
        for weighted in map_items(pod.get("preferredDuringSchedulingIgnoredDuringExecution")) {
            if let Some(term) = weighted
                .get("podAffinityTerm")
                .filter(|t| t.as_map().is_some())
            {
                warn_if_null(ctx, term);
            }
        }
    }
}

/// Warns when `labelSelector` is absent or null. A merged item (`<<: *x`) may get its selector
/// from elsewhere, so it is left alone.
fn warn_if_null(ctx: &mut Ctx<'_>, item: &Node) {
    if super::pod_values::is_merged(item) {
        return;
    }
    match item.entry("labelSelector") {
        Some(e) if e.value.is_null() => {
            ctx.report(
                &NULL_SELECTOR_RULE,
                e.key.span.clone(),
                NULL_SELECTOR.into(),
            );
        }
        Some(_) => {}
        None => {
            ctx.report(
                &NULL_SELECTOR_RULE,
                first_key_span(item),
                NULL_SELECTOR.into(),
            );
        }
    }
}

/// `ValidateLabelSelector` for pods on create: operators agree with their values, keys are
/// qualified names, values (in `matchExpressions` and `matchLabels`) are label values.
/// Findings are reported under `rule`, the rule of the field that holds the selector.
pub(super) fn check_label_selector(ctx: &mut Ctx<'_>, rule: &'static Rule, selector: &Node) {
    for req in map_items(selector.get("matchExpressions")) {
        let values = req.get("values").and_then(Node::as_seq).unwrap_or(&[]);
        match req.get("operator").map(|n| (n, string_value(n))) {
            Some((_, Some("In" | "NotIn"))) if values.is_empty() => {
                ctx.report(
                    rule,
                    values_span(req),
                    "Required value: must be specified when `operator` is 'In' or 'NotIn'"
                        .to_string(),
                );
            }
            Some((_, Some("Exists" | "DoesNotExist"))) if !values.is_empty() => {
                ctx.report(
                    rule,
                    values_span(req),
                    "Forbidden: may not be specified when `operator` is 'Exists' or \
                     'DoesNotExist'"
                        .to_string(),
                );
            }
            Some((_, Some("In" | "NotIn" | "Exists" | "DoesNotExist"))) => {}
            Some((node, Some(other))) => {
                let message = format!("Invalid value: \"{other}\": not a valid selector operator");
                ctx.report(rule, node.span.clone(), message);
            }
            _ => {}
        }
        if let Some(key) = req.get("key") {
            check_qualified(ctx, rule, key);
        }
        for value in values {
            check_label_value(ctx, rule, value);
        }
    }
    for entry in map_entries(selector.get("matchLabels")) {
        check_match_label(ctx, rule, entry);
    }
}

fn check_match_label(ctx: &mut Ctx<'_>, rule: &'static Rule, entry: &Entry) {
    if let Some(key) = entry.key_str() {
        let errs = names::qualified_name(key);
        if !errs.is_empty() {
            let message = format!("Invalid value: \"{key}\": {}", join(&errs));
            ctx.report(rule, entry.key.span.clone(), message);
        }
    }
    check_label_value(ctx, rule, &entry.value);
}

/// A qualified name (a label key, a topology key), when the node is a string.
pub(super) fn check_qualified(ctx: &mut Ctx<'_>, rule: &'static Rule, node: &Node) {
    let Some(key) = string_value(node) else {
        return;
    };
    let errs = names::qualified_name(key);
    if !errs.is_empty() {
        let message = format!("Invalid value: \"{key}\": {}", join(&errs));
        ctx.report(rule, node.span.clone(), message);
    }
}

/// A label value, when the node is a string (other types are FLY106's).
pub(super) fn check_label_value(ctx: &mut Ctx<'_>, rule: &'static Rule, node: &Node) {
    let Some(value) = string_value(node) else {
        return;
    };
    let errs = names::label_value(value);
    if !errs.is_empty() {
        let message = format!("Invalid value: \"{value}\": {}", join(&errs));
        ctx.report(rule, node.span.clone(), message);
    }
}

/// Where to point at a requirement's values: the `values` key, else its operator.
pub(super) fn values_span(req: &Node) -> crate::text::TextRange {
    req.entry("values")
        .or_else(|| req.entry("operator"))
        .map_or_else(|| first_key_span(req), |e| e.key.span.clone())
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn null_selectors_warn() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: spread
template:
  spec:
    containers:
      - name: main
        image: busybox:1.36
    topologySpreadConstraints:
      - maxSkew: 1
#       ^^^^^^^ warning FLY263: a null labelSelector results in matching no pod
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: ScheduleAnyway
    affinity:
      podAntiAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
#           ^^^^^^^^^^^ warning FLY263: a null labelSelector results in matching no pod
        preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 10
            podAffinityTerm:
              labelSelector:
#             ^^^^^^^^^^^^^ warning FLY263: a null labelSelector results in matching no pod
              topologyKey: kubernetes.io/hostname
"#,
        );
    }

    #[test]
    fn empty_selectors_are_not_null() {
        // `{}` selects every pod: no warning (and no error).
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: topology.kubernetes.io/zone
      whenUnsatisfiable: ScheduleAnyway
      labelSelector: {}
  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - labelSelector:
            matchLabels:
              app: trainer
          topologyKey: kubernetes.io/hostname
"#,
        );
    }

    #[test]
    fn selector_values_must_be_label_values() {
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
                values: [trainer, "ml trainer", ""]
#                                 ^^^^^^^^^^^^ error FLY234: Invalid value: "ml trainer": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')
          topologyKey: kubernetes.io/hostname
"#,
        );
    }
}
