//! FLY104: a required field is missing.

use crate::schema::{short_def_name, SchemaNode};
use crate::text::TextRange;
use crate::yaml::Node;

use super::{Ctx, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY104",
    name: "missing-required-field",
    severity: Severity::Error,
    summary: "A field the schema requires is missing: a container without `name`, a pod spec \
              without `containers`, a task environment without `name`. The API server answers \
              `Required value`; the Python models refuse to build the object.",
    bad: "pod_spec:\n  containers:\n    - image: busybox\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      image: busybox\n",
    source:
        "Kubernetes OpenAPI `required` lists; kubernetes Python client `V1PodSpec`/`V1Container`",
};

pub(super) fn check(ctx: &mut Ctx<'_>, node: &Node, schema: SchemaNode<'_>, at: &TextRange) {
    let Some(entries) = node.as_map() else {
        return;
    };
    let present = |name: &str| {
        entries.iter().any(|e| {
            let Some(k) = e.key_str() else { return false };
            // Flyte documents accept the snake_case spelling (FLY102 warns about it).
            k == name
                || (ctx.kind.is_flyte()
                    && crate::analysis::similar::snake_to_camel(k).as_deref() == Some(name))
        })
    };
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
            .any(|k| crate::analysis::similar::closest(k, [name]).is_some())
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
        ctx.report(
            &RULE,
            at.clone(),
            format!("missing required field `{name}` in {owner}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::check;

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
    fn present_fields_pass() {
        check("pod_spec:\n  containers:\n    - name: primary\n");
    }
}
