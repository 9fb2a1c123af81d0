//! FLY101: a field the schema does not have, with a "did you mean" from its properties.

use crate::schema::{short_def_name, SchemaNode};
use crate::tree::Entry;

use super::{Ctx, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY101",
    name: "unknown-field",
    severity: Severity::Error,
    summary: "The field does not exist at this place. The API server's strict decoding rejects the \
              pod (`strict decoding error: unknown field`), the kubernetes ≥ 37 Python models refuse \
              it, and older clients silently drop it, so the setting never takes effect.",
    bad: "pod_spec:\n  imagePullSecret:\n    - name: registry\n",
    good: "pod_spec:\n  imagePullSecrets:\n    - name: registry\n",
    source: "kube-apiserver strict field validation; Kubernetes OpenAPI schema (k8s-openapi)",
};

pub(super) fn report(
    ctx: &mut Ctx<'_>,
    entry: &Entry,
    schema: SchemaNode<'_>,
    suggestion: Option<&str>,
) {
    let key = entry.key_str().unwrap_or_default();
    let owner = schema.def.map_or("this mapping", short_def_name);
    let owner = match owner {
        "TaskEnvironment" => "a task environment",
        "PodTemplate" if ctx.kind.is_flyte() => "a Flyte pod template",
        other => other,
    };
    let mut message = format!("unknown field `{key}` in {owner}");
    if let Some(s) = suggestion {
        message.push_str(&format!("; did you mean `{s}`?"));
    }
    let writer = ctx.writer;
    let diag = ctx.report(&RULE, entry.key.span.clone(), message);
    if let Some(s) = suggestion {
        diag.with_edit(format!("Rename to `{s}`"), writer.rename_key(&entry.key, s));
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::{check, check_fix};

    #[test]
    fn typos_get_a_suggestion() {
        check(
            r#"primary_container_name: primary
pod_spec:
  imagePullSecret:
# ^^^^^^^^^^^^^^^ error FLY101: unknown field `imagePullSecret` in PodSpec; did you mean `imagePullSecrets`?
    - name: registry
  containers:
    - name: primary
      imagePulPolicy: Always
#     ^^^^^^^^^^^^^^ error FLY101: unknown field `imagePulPolicy` in Container; did you mean `imagePullPolicy`?
      colour: blue
#     ^^^^^^ error FLY101: unknown field `colour` in Container
"#,
        );
    }

    #[test]
    fn known_fields_and_free_form_maps_are_fine() {
        check(
            r#"primary_container_name: primary
labels:
  anything.example.com/key: "value"
pod_spec:
  nodeSelector:
    whatever: "x"
  containers:
    - name: primary
      imagePullPolicy: Always
"#,
        );
    }

    #[test]
    fn rename_fix() {
        check_fix(
            "pod_spec:\n  imagePullSecret: []\n  containers: []\n",
            "Rename to `imagePullSecrets`",
            "pod_spec:\n  imagePullSecrets: []\n  containers: []\n",
        );
    }
}
