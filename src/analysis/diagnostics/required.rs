//! FLY104: a required field is missing.

use serde_json::Value;

use crate::schema::{short_def_name, JsonType, SchemaNode};
use crate::text::TextRange;
use crate::tree::Node;

use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY104",
    name: "missing-required-field",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Subject),
    summary: "A field the schema requires is missing: a container without `name`, a pod spec \
              without `containers`, a task environment without `name`. The API server answers \
              `Required value`; the Python models refuse to build the object.",
    bad: "pod_spec:\n  containers:\n    - image: busybox\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      image: busybox\n",
    source:
        "Kubernetes OpenAPI `required` lists; kubernetes Python client `V1PodSpec`/`V1Container`",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Map(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, node: &Node, schema: SchemaNode<'_>, at: &TextRange) {
    let Some(entries) = node.as_map() else {
        return;
    };
    let present = |name: &str| {
        entries.iter().any(|e| {
            let Some(k) = e.key_str() else { return false };
            // Flyte documents accept the snake_case spelling (FLY102 warns about it).
            k == name || (ctx.kind.is_flyte() && crate::text::similar::is_snake_of(k, name))
        })
    };
    if in_pod_status(ctx, node) {
        return;
    }
    let merged = entries.iter().any(|e| e.key_str() == Some("<<"));
    if merged {
        // Fields may come from the merged anchor; we do not expand it to check.
        return;
    }
    // A misspelled key that "did you mean"s the missing field is reported once, by FLY101.
    let misspelled = |name: &str| {
        entries
            .iter()
            .filter_map(|e| e.key_str())
            .any(|k| crate::text::similar::closest(k, [name]).is_some())
    };
    let missing: Vec<&str> = schema
        .required()
        .filter(|r| !present(r) && !misspelled(r))
        .collect();
    for name in missing {
        let owner = schema.def.map_or("this mapping", short_def_name);
        let owner = match owner {
            "TaskEnvironment" => "a task environment",
            other => other,
        };
        let placeholder = schema
            .property(ctx.set, name)
            .map_or(Value::String(String::new()), |p| placeholder(&p.types()));
        // A new first entry, so the old first key (after `- `) stays where it was.
        let edit = ctx.writer.prepend_entry(node, name, &placeholder);
        let diag = ctx.report(
            &RULE,
            at.clone(),
            format!("missing required field `{name}` in {owner}"),
        );
        if let Some(edit) = edit {
            diag.with_edit(format!("Add `{name}`"), edit);
        }
    }
}

/// Whether `node` lies inside a Pod's top-level `status`. The API server replaces the status
/// of a Pod it creates (`pkg/registry/core/pod/strategy.go`, `PrepareForCreate`:
/// `pod.Status = api.PodStatus{Phase: api.PodPending, ...}`) and validates only what the
/// kubelet writes later (`ValidatePodStatusUpdate`), so the OpenAPI `required` lists of
/// `ContainerStatus`, `PodCondition` and the like are never enforced on a manifest; a field
/// missing there decodes to its zero value. Unknown fields and wrong types there still fail
/// to decode and are reported by the other rules.
fn in_pod_status(ctx: &Ctx<'_>, node: &Node) -> bool {
    if ctx.kind != crate::model::DocKind::KubePod {
        return false;
    }
    let Some(status) = ctx.doc.root.as_ref().and_then(|r| r.get("status")) else {
        return false;
    };
    status.span.start <= node.span.start && node.span.end <= status.span.end
}

/// A value of the right shape to fill in: the user replaces it, but the document is valid
/// and of the right type meanwhile.
fn placeholder(types: &[JsonType]) -> Value {
    match types.first() {
        Some(JsonType::Array) => Value::Array(Vec::new()),
        Some(JsonType::Object) => Value::Object(serde_json::Map::new()),
        Some(JsonType::Integer | JsonType::Number) => Value::from(0),
        Some(JsonType::Boolean) => Value::Bool(false),
        _ => Value::String(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::{check, check_fix};

    #[test]
    fn missing_names_and_containers() {
        check(
            r#"primary_container_name: primary
pod_spec:
#^^^^^^^ error FLY104: missing required field `containers` in PodSpec
  initContainers:
    - image: busybox
#     ^^^^^ error FLY104: missing required field `name` in Container
"#,
        );
    }

    #[test]
    fn add_the_missing_field_with_a_placeholder() {
        check_fix(
            "pod_spec:\n  containers:\n    - image: busybox\n      imagePullPolicy: Always\n",
            "Add `name`",
            "pod_spec:\n  containers:\n    - name: \"\"\n      image: busybox\n      imagePullPolicy: Always\n",
        );
        check_fix(
            "primary_container_name: p\npod_spec:\n  hostNetwork: true\n",
            "Add `containers`",
            "primary_container_name: p\npod_spec:\n  containers: []\n  hostNetwork: true\n",
        );
    }

    #[test]
    fn environment_needs_a_name() {
        check(
            r#"image: ghcr.io/acme/train:1
#^^^^ error FLY104: missing required field `name` in a task environment
env_vars:
  A: "1"
pod_template: gpu
"#,
        );
    }

    #[test]
    fn a_pod_status_is_not_held_to_required_lists() {
        check(
            r#"apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - image: busybox
#     ^^^^^ error FLY104: missing required field `name` in Container
status:
  containerStatuses:
    - name: c
"#,
        );
    }

    #[test]
    fn present_fields_pass() {
        check("pod_spec:\n  containers:\n    - name: primary\n");
    }
}
