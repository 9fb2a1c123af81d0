//! FLY101: a field the schema does not have, with a "did you mean" from its properties.

use crate::schema::{short_def_name, SchemaNode};
use crate::text::similar::closest;
use crate::tree::Entry;

use super::{Applies, Check, Ctx, Family, KeyVerdict, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY101",
    name: "unknown-field",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: true,
    reads: Reads::NOTHING,
    summary: "The field does not exist at this place. The API server's strict decoding rejects the \
              pod (`strict decoding error: unknown field`), the kubernetes ≥ 37 Python models refuse \
              it, and older clients silently drop it, so the setting never takes effect.",
    bad: "pod_spec:\n  imagePullSecret:\n    - name: registry\n",
    good: "pod_spec:\n  imagePullSecrets:\n    - name: registry\n",
    source: "kube-apiserver strict field validation; Kubernetes OpenAPI schema (k8s-openapi)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::UnknownKey(unknown_key),
};

/// The catch-all for a key the schema does not have: an unknown field, with a "did you mean"
/// (the camelCase field a snake_case key spells, or the closest property).
fn unknown_key(ctx: &mut Ctx<'_>, entry: &Entry, schema: SchemaNode<'_>) -> KeyVerdict {
    let key = entry.key_str().unwrap_or_default();
    let camel = super::snake_case::camel_property(schema, key);
    let suggestion = camel.as_deref().or_else(|| {
        schema
            .properties()
            .and_then(|p| closest(key, p.keys().map(String::as_str)))
    });
    report(ctx, entry, schema, suggestion);
    KeyVerdict::Reported
}

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
