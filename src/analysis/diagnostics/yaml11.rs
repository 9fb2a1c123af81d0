//! FLY106: an unquoted scalar that YAML 1.1 reads as a boolean, number or null where a string
//! is required (`value: 8080`, a label `enabled: yes`).

use crate::tree::{Node, Reading};

use super::{Applies, Check, Ctx, Family, Mismatch, Reads, Rule, Severity, Surface};

pub static RULE: Rule = Rule {
    code: "FLY106",
    name: "unquoted-non-string",
    severity: Severity::Error,
    applies: Applies::Surface(Surface::Yaml11),
    safe_fix: true,
    reads: Reads::NOTHING,
    summary: "Kubernetes (Go YAML) and Flyte (PyYAML) read YAML 1.1: unquoted `yes`, `on`, `y`, \
              `8080`, `1.0` or `~` are booleans, numbers or null, not strings. Where the field is \
              a string (env values, labels, annotations, nodeSelector values, args) the pod is \
              refused (`cannot unmarshal number into Go struct field EnvVar.value of type string`, \
              or a `TypeError` in the SDK). Quote the value.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: PORT\n          value: 8080\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: PORT\n          value: \"8080\"\n",
    source: "sigs.k8s.io/yaml (go-yaml v2, YAML 1.1 resolution); PyYAML; facts/k8s-validation.md §12",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Mismatch(mismatch),
};

/// Claims a plain scalar read as null, a boolean or a number where the schema wants a string.
fn mismatch(ctx: &mut Ctx<'_>, m: &Mismatch<'_>) -> bool {
    let plain = m.node.as_scalar().is_some_and(|s| !s.style.is_quoted());
    match m.node.reading() {
        Some(r @ (Reading::Null | Reading::Bool(_) | Reading::Int(_) | Reading::Float(_)))
            if m.wants_string && plain =>
        {
            report(ctx, m.node, &r);
            true
        }
        _ => false,
    }
}

pub(super) fn report(ctx: &mut Ctx<'_>, node: &Node, reading: &Reading) {
    let text = ctx.text(&node.span).to_string();
    let message = match reading {
        Reading::Null => {
            "expected a string, found null; write a value or quote it (\"\")".to_string()
        }
        r => format!(
            "expected a string, but YAML 1.1 reads `{text}` as {}; quote it: \"{text}\"",
            r.describe()
        ),
    };
    // The same text as a string: the writer quotes it, since the reader would otherwise see
    // the number or boolean again. The title shows what it writes.
    let writer = ctx.writer;
    let diag = ctx.report(&RULE, node.span.clone(), message);
    if !text.is_empty() {
        let edit = writer.set_string(node, &text);
        diag.with_edit(format!("Quote as {}", edit.new_text), edit);
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::{check, check_fix};

    #[test]
    fn unquoted_numbers_booleans_and_nulls_where_strings_are_required() {
        check(
            r#"primary_container_name: primary
labels:
  enabled: yes
#          ^^^ error FLY106: expected a string, but YAML 1.1 reads `yes` as the boolean true; quote it: "yes"
  version: 1.10
#          ^^^^ error FLY106: expected a string, but YAML 1.1 reads `1.10` as the number 1.1; quote it: "1.10"
pod_spec:
  nodeSelector:
    gpu: on
#        ^^ error FLY106: expected a string, but YAML 1.1 reads `on` as the boolean true; quote it: "on"
  containers:
    - name: primary
      args: [--port, 8080]
#     ^^^^ warning FLY303: `args` of the primary container `primary` is replaced by the SDK (with the Flyte runtime's `a0 ...` arguments); this value never runs
#                    ^^^^ error FLY106: expected a string, but YAML 1.1 reads `8080` as the integer 8080; quote it: "8080"
      env:
        - name: PORT
          value: 8080
#                ^^^^ error FLY106: expected a string, but YAML 1.1 reads `8080` as the integer 8080; quote it: "8080"
        - name: EMPTY
          value:
"#,
        );
    }

    #[test]
    fn quoted_and_string_fields_pass() {
        check(
            r#"primary_container_name: primary
labels:
  enabled: "yes"
  version: '1.10'
pod_spec:
  containers:
    - name: primary
      env:
        - name: PORT
          value: "8080"
"#,
        );
    }

    #[test]
    fn quote_fix() {
        check_fix(
            "labels:\n  enabled: yes\npod_spec:\n  containers: []\n",
            "Quote as \"yes\"",
            "labels:\n  enabled: \"yes\"\npod_spec:\n  containers: []\n",
        );
    }
}
