//! FLY244: topology spread constraints the API server rejects: `maxSkew` and `minDomains` must
//! be positive, `minDomains` needs `whenUnsatisfiable: DoNotSchedule`, `topologyKey` must not
//! be empty, each `{topologyKey, whenUnsatisfiable}` pair may appear once, and the
//! `labelSelector` and `matchLabelKeys` must be valid.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validateTopologySpreadConstraints`,
//! `ValidateMaxSkew`, `validateMinDomains`, `ValidateTopologyKey`,
//! `ValidateSpreadConstraintNotRepeat`) and meta/v1 `ValidateLabelSelector` for the
//! constraint's `labelSelector`. Unknown `whenUnsatisfiable` values are FLY105's.

use crate::model::pod::PodParts;
use crate::tree::Node;

use super::label_selectors;
use super::pod_values::{int_value, is_merged, map_items, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY244",
    name: "invalid-topology-spread",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Subject),
    summary: "A topology spread constraint the API server rejects: `maxSkew` or `minDomains` not \
              greater than zero, `minDomains` without `whenUnsatisfiable: DoNotSchedule`, an \
              empty `topologyKey`, the same `{topologyKey, whenUnsatisfiable}` twice, or a \
              `labelSelector` whose operators and values disagree or whose keys and values are \
              not label keys and values.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  topologySpreadConstraints:\n    - maxSkew: 0\n      topologyKey: topology.kubernetes.io/zone\n      whenUnsatisfiable: ScheduleAnyway\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  topologySpreadConstraints:\n    - maxSkew: 1\n      topologyKey: topology.kubernetes.io/zone\n      whenUnsatisfiable: ScheduleAnyway\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateTopologySpreadConstraints`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let mut seen: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    for c in map_items(parts.spec_field("topologySpreadConstraints")) {
        if is_merged(c) {
            continue;
        }
        let when = c
            .get("whenUnsatisfiable")
            .and_then(string_value)
            .unwrap_or("");
        if let Some(node) = c.get("maxSkew") {
            if let Some(v) = int_value(node).filter(|v| *v <= 0) {
                let message = format!("Invalid value: {v}: must be greater than zero");
                ctx.report(&RULE, node.span.clone(), message);
            }
        }
        if let Some(node) = c.get("minDomains").filter(|n| !n.is_null()) {
            if let Some(v) = int_value(node) {
                if v <= 0 {
                    let message = format!("Invalid value: {v}: must be greater than zero");
                    ctx.report(&RULE, node.span.clone(), message);
                }
                if when != "DoNotSchedule" {
                    let message = format!(
                        "Invalid value: {v}: can only use minDomains if \
                         whenUnsatisfiable=DoNotSchedule, not {when}"
                    );
                    ctx.report(&RULE, node.span.clone(), message);
                }
            }
        }
        if let Some(selector) = c.get("labelSelector") {
            label_selectors::check_label_selector(ctx, &RULE, selector);
        }
        // `validateMatchLabelKeysInTopologySpread` / `ValidateMatchLabelKeysAndMismatchLabelKeys`:
        // every key is a label name. (Which overlap with the selector is refused depends on the
        // MatchLabelKeysInPodTopologySpreadSelectorMerge gate; it is not checked.)
        for key in c
            .get("matchLabelKeys")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            label_selectors::check_qualified(ctx, &RULE, key);
        }
        let Some(key_node) = c.get("topologyKey") else {
            // A missing `topologyKey` is FLY104's (the schema requires it).
            continue;
        };
        let Some(key) = string_value(key_node) else {
            continue;
        };
        if key.is_empty() {
            ctx.report(
                &RULE,
                key_node.span.clone(),
                "Required value: can not be empty".to_string(),
            );
            continue;
        }
        let pair = (key.to_string(), when.to_string());
        if seen.contains(&pair) {
            let message = format!("Duplicate value: \"{{{key}, {when}}}\"");
            ctx.report(&RULE, key_node.span.clone(), message);
        } else {
            seen.insert(pair);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn spread_constraints() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  topologySpreadConstraints:
    - maxSkew: 0
#              ^ error FLY244: Invalid value: 0: must be greater than zero
      topologyKey: topology.kubernetes.io/zone
      whenUnsatisfiable: DoNotSchedule
      minDomains: 0
#                 ^ error FLY244: Invalid value: 0: must be greater than zero
      labelSelector: {}
    - maxSkew: 1
      topologyKey: topology.kubernetes.io/zone
#                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^ error FLY244: Duplicate value: "{topology.kubernetes.io/zone, DoNotSchedule}"
      whenUnsatisfiable: DoNotSchedule
      labelSelector: {}
    - maxSkew: 1
      topologyKey: ""
#                  ^^ error FLY244: Required value: can not be empty
      whenUnsatisfiable: ScheduleAnyway
      minDomains: 2
#                 ^ error FLY244: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway
      labelSelector: {}
    - maxSkew: 2
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: DoNotSchedule
      minDomains: 3
      labelSelector: {}
"#,
        );
    }

    #[test]
    fn label_selectors_and_match_label_keys() {
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
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: ScheduleAnyway
        labelSelector:
          matchExpressions:
            - key: app
              operator: In
#             ^^^^^^^^ error FLY244: Required value: must be specified when `operator` is 'In' or 'NotIn'
            - key: tier
              operator: DoesNotExist
              values: [web]
#             ^^^^^^ error FLY244: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'
          matchLabels:
            team/ml/x: a
#           ^^^^^^^^^ error FLY244: Invalid value: "team/ml/x": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')
        matchLabelKeys: [pod-template-hash, "bad key"]
#                                           ^^^^^^^^^ error FLY244: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: ScheduleAnyway
        labelSelector:
          matchExpressions:
            - key: app
              operator: NotIn
              values: [batch, ""]
        matchLabelKeys: [pod-template-hash]
"#,
        );
    }
}
