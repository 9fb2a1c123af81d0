//! FLY229: tolerations the API server rejects. Keys are qualified names, an empty key needs
//! `operator: Exists`, `Exists` takes no value, `Equal` takes a label value, and
//! `tolerationSeconds` only goes with `effect: NoExecute`.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`ValidateTolerations`). Unknown operators
//! and effects are FLY105's (`Unsupported value`).

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::tree::Node;

use super::pod_values::{first_key_span, is_merged, is_set, map_items, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY229",
    name: "invalid-toleration",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Subject),
    summary: "A toleration the API server rejects: a key that is not a qualified name; an empty \
              key without `operator: Exists` (which tolerates every taint); `operator: Exists` \
              with a `value`; an `Equal` value that is not a label value; or \
              `tolerationSeconds` with an effect other than `NoExecute`.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  tolerations:\n    - key: nvidia.com/gpu\n      operator: Exists\n      value: \"true\"\n      effect: NoSchedule\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  tolerations:\n    - key: nvidia.com/gpu\n      operator: Exists\n      effect: NoSchedule\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateTolerations`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    for toleration in map_items(parts.spec_field("tolerations")) {
        if !is_merged(toleration) {
            check_toleration(ctx, toleration);
        }
    }
}

fn check_toleration(ctx: &mut Ctx<'_>, t: &Node) {
    let key_node = t.get("key");
    let key = key_node.and_then(string_value).unwrap_or("");
    let operator_node = t.get("operator").filter(|n| !n.is_null());
    // A non-string operator is FLY106's; treat it as unknown here.
    let operator = operator_node.map(|n| string_value(n).unwrap_or("?"));
    let value_node = t.get("value").filter(|n| !n.is_null());
    let value = value_node.and_then(string_value).unwrap_or("");

    if let (Some(node), false) = (key_node, key.is_empty()) {
        let errs = names::qualified_name(key);
        if !errs.is_empty() {
            let message = format!("Invalid value: \"{key}\": {}", errs.join("; "));
            ctx.report(&RULE, node.span.clone(), message);
        }
    }
    if key.is_empty() && operator != Some("Exists") {
        let shown = operator.unwrap_or("");
        let message = format!(
            "Invalid value: \"{shown}\": operator must be Exists when `key` is empty, which means \
             \"match all values and all keys\""
        );
        let at = operator_node.map_or_else(|| first_key_span(t), |n| n.span.clone());
        let writer = ctx.writer;
        let diag = ctx.report(&RULE, at, message);
        if let (Some(node), true) = (operator_node, value.is_empty()) {
            diag.with_edit("Change to `Exists`", writer.set_string(node, "Exists"));
        }
    }
    if is_set(t.get("tolerationSeconds")) {
        let effect_node = t.get("effect").filter(|n| !n.is_null());
        let effect = effect_node.and_then(string_value).unwrap_or("");
        if effect != "NoExecute" {
            let message = format!(
                "Invalid value: \"{effect}\": effect must be 'NoExecute' when `tolerationSeconds` \
                 is set"
            );
            let at = match (effect_node, t.entry("tolerationSeconds")) {
                (Some(n), _) => n.span.clone(),
                (None, Some(e)) => e.key.span.clone(),
                (None, None) => first_key_span(t),
            };
            ctx.report(&RULE, at, message);
        }
    }
    match operator {
        None | Some("Equal") | Some("") => {
            let errs = names::label_value(value);
            if let (Some(node), false) = (value_node, errs.is_empty()) {
                let message = format!("Invalid value: \"{value}\": {}", errs.join(";"));
                ctx.report(&RULE, node.span.clone(), message);
            }
        }
        Some("Exists") => {
            if let (Some(node), false) = (value_node, value.is_empty()) {
                let message = format!(
                    "Invalid value: \"{value}\": value must be empty when `operator` is 'Exists'"
                );
                ctx.report(&RULE, node.span.clone(), message);
            }
        }
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn bad_tolerations() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  tolerations:
    - key: "bad key"
#          ^^^^^^^^^ error FLY229: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')
      operator: Exists
    - operator: Equal
#               ^^^^^ error FLY229: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"
      value: ""
    - value: x
#     ^^^^^ error FLY229: Invalid value: "": operator must be Exists when `key` is empty, which means "match all values and all keys"
    - key: gpu
      operator: Exists
      value: "yes"
#            ^^^^^ error FLY229: Invalid value: "yes": value must be empty when `operator` is 'Exists'
    - key: gpu
      value: "a b"
#            ^^^^^ error FLY229: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')
    - key: node.kubernetes.io/not-ready
      operator: Exists
      effect: NoSchedule
#             ^^^^^^^^^^ error FLY229: Invalid value: "NoSchedule": effect must be 'NoExecute' when `tolerationSeconds` is set
      tolerationSeconds: 300
    - key: node.kubernetes.io/unreachable
      operator: Exists
      tolerationSeconds: 300
#     ^^^^^^^^^^^^^^^^^ error FLY229: Invalid value: "": effect must be 'NoExecute' when `tolerationSeconds` is set
"#,
        );
    }

    #[test]
    fn good_tolerations() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  tolerations:
    - operator: Exists
    - key: nvidia.com/gpu
      operator: Exists
      effect: NoSchedule
    - key: dedicated
      operator: Equal
      value: ml-training
    - key: dedicated
      value: ""
    - key: node.kubernetes.io/not-ready
      operator: Exists
      effect: NoExecute
      tolerationSeconds: 300
"#,
        );
    }

    #[test]
    fn exists_fix() {
        check_fix(
            "pod_spec:\n  containers: []\n  tolerations:\n    - operator: Equal\n",
            "Change to `Exists`",
            "pod_spec:\n  containers: []\n  tolerations:\n    - operator: Exists\n",
        );
    }
}
