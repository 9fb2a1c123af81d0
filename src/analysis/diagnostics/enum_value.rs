//! FLY105: a string outside the values Kubernetes (or Flyte) allows for the field.

use std::borrow::Cow;

use crate::schema::{enums, SchemaNode};
use crate::tree::{Node, Reading};

use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY105",
    name: "unsupported-value",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: true,
    reads: Reads::NOTHING,
    summary: "The value is not one of the values the field allows. Kubernetes' schemas carry no \
              enums, so flyte-lsp keeps the API server's lists; values are case-sensitive.",
    bad: "pod_spec:\n  restartPolicy: Sometimes\n  containers: []\n",
    good: "pod_spec:\n  restartPolicy: Never\n  containers: []\n",
    source: "kube-apiserver `pkg/apis/core/validation/validation.go` (`Unsupported value`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Scalar(check),
};

/// Checks a scalar against the schema's own `enum` (Flyte schemas) or the Kubernetes table,
/// keyed by the definition and property the value sits in.
pub(super) fn check(ctx: &mut Ctx<'_>, node: &Node, schema: SchemaNode<'_>) {
    let Some(allowed) = allowed(schema) else {
        return;
    };
    let Some(scalar) = node.as_scalar() else {
        return;
    };
    if node.reading() != Some(Reading::Str) && !scalar.style.is_quoted() {
        return;
    }
    let value = scalar.value.as_str();
    if allowed.contains(&value) {
        return;
    }
    let listed: Vec<String> = allowed
        .iter()
        .filter(|a| !a.is_empty())
        .map(|a| format!("\"{a}\""))
        .collect();
    let message = format!(
        "Unsupported value: \"{value}\": supported values: {}",
        listed.join(", ")
    );
    let suggestion = allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value))
        .copied()
        .or_else(|| {
            crate::text::similar::closest(value, allowed.iter().copied().filter(|a| !a.is_empty()))
        });
    let writer = ctx.writer;
    let diag = ctx.report(&RULE, node.span.clone(), message);
    if let Some(s) = suggestion {
        diag.with_edit(format!("Change to `{s}`"), writer.set_string(node, s));
    }
}

/// Borrowed from the table when it comes from there: this runs for every scalar the walk
/// meets, and most fields have no list at all.
fn allowed<'a>(schema: SchemaNode<'a>) -> Option<Cow<'a, [&'a str]>> {
    if let Some(values) = schema.schema_enum() {
        return Some(Cow::Owned(values));
    }
    let (def, prop) = schema.owner?;
    enums::allowed_values(def, prop).map(Cow::Borrowed)
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::{check, check_fix};

    #[test]
    fn values_outside_the_table() {
        check(
            r#"primary_container_name: primary
pod_spec:
  restartPolicy: Sometimes
#                ^^^^^^^^^ error FLY105: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"
  dnsPolicy: clusterfirst
#            ^^^^^^^^^^^^ error FLY105: Unsupported value: "clusterfirst": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"
  tolerations:
    - key: gpu
      operator: Exists
      effect: NoSchedule
  containers:
    - name: primary
      imagePullPolicy: IfNotPresent
      ports:
        - containerPort: 8080
          protocol: tcp
#                   ^^^ error FLY105: Unsupported value: "tcp": supported values: "TCP", "UDP", "SCTP"
"#,
        );
    }

    #[test]
    fn fix_uses_the_right_case() {
        check_fix(
            "pod_spec:\n  containers: []\n  dnsPolicy: clusterfirst\n",
            "Change to `ClusterFirst`",
            "pod_spec:\n  containers: []\n  dnsPolicy: ClusterFirst\n",
        );
        // The writer keeps the value's quoting.
        check_fix(
            "pod_spec:\n  containers: []\n  dnsPolicy: 'clusterfirst'\n",
            "Change to `ClusterFirst`",
            "pod_spec:\n  containers: []\n  dnsPolicy: 'ClusterFirst'\n",
        );
    }
}
