//! Flyte's primary container (FLY301–FLY304): it must exist, have a valid name, and the user
//! should know what the SDK overwrites in it.
//!
//! Mirrors flyte 2.12.1 `flyte/_internal/runtime/task_serde.py` `_get_k8s_pod` (facts §3, rules
//! 2, 3, 8, 9 of facts §6).

use crate::analysis::names::dns1123_label;
use crate::model::pod::PodParts;
use crate::text::similar::closest;
use crate::tree::{Node, NodeKind, Sdk};

use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static MISSING_PRIMARY: Rule = Rule {
    code: "FLY301",
    name: "missing-primary-container",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(&["name", "primary_container_name"])),
    summary: "The pod spec has containers, but none is named like `primary_container_name` (default \
              `primary`). The SDK refuses to serialize the task: `ValueError: No primary container \
              defined in the pod spec`. Only `containers` count; init containers never do. With no \
              containers at all the SDK adds the primary itself. flytekit (Flyte 1) does not refuse: \
              it appends a placeholder primary that runs the task and keeps the others as \
              sidecars, as its Pod plugin documents, so a flytekit template is not reported; \
              nor is a plugin's `driver_pod`/`executor_pod`, which the SDK sends as written.",
    bad: "primary_container_name: trainer\npod_spec:\n  containers:\n    - name: train\n      image: ghcr.io/acme/train:1\n",
    good: "primary_container_name: trainer\npod_spec:\n  containers:\n    - name: trainer\n      image: ghcr.io/acme/train:1\n",
    source: "flyte 2.12.1 `flyte/_internal/runtime/task_serde.py` `_get_k8s_pod`; flytekit \
             `flytekit/core/utils.py` `_serialize_pod_spec` (\"insert a placeholder primary \
             container\")",
};

pub static PRIMARY_NAME_FORMAT: Rule = Rule {
    code: "FLY302",
    name: "primary-container-name-format",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`primary_container_name` must be a DNS-1123 label (lowercase letters, digits and `-`, \
              at most 63 characters). The SDK accepts anything, then the API server rejects the pod's \
              container name and the task is stuck (flyteorg/flyte#998).",
    bad: "primary_container_name: main_task\npod_spec:\n  containers:\n    - name: main_task\n",
    good: "primary_container_name: main-task\npod_spec:\n  containers:\n    - name: main-task\n",
    source: "kube-apiserver `ValidateDNS1123Label` on container names; flytepropeller task_compiler (v1); \
             flytekit `PodTemplate.__post_init__`, flytekitplugins-pod `Pod.__post_init__` (None)",
};

pub static PRIMARY_COMMAND_REPLACED: Rule = Rule {
    code: "FLY303",
    name: "primary-command-replaced",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    // Which container is the primary is read from `primary_container_name`.
    reads: Reads::NOTHING.and_when_opaque(Depends::Document(&["primary_container_name"])),
    summary: "`command` and `args` of the primary container are replaced by the SDK: `command: []` \
              and the Flyte runtime's `args` (`a0 ...`). What is written here never runs; with an \
              empty command the image's ENTRYPOINT is prefixed to `a0`. Not reported on a Spark \
              plugin's `driver_pod`/`executor_pod`, which the SDK sends as written.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      command: [python, train.py]\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n",
    source: "flyte 2.12.1 `task_serde.py` `_get_k8s_pod` (`container.command = ...`, `container.args = ...`); \
             flyte `PodTemplate.to_k8s_pod` and flytekit `K8sPod.from_pod_template` (plugin templates, as written)",
};

pub static PRIMARY_IMAGE: Rule = Rule {
    code: "FLY304",
    name: "primary-image-missing",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(&[])),
    summary: "The environment sets `image: null` and the primary container has no `image`, so the \
              pod is registered with an empty image and the API server rejects it (`image: Required \
              value`). Give the environment or the primary container an image.",
    bad: "name: train\nimage: null\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n",
    good: "name: train\nimage: ghcr.io/acme/train:1\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n",
    source: "flyte 2.12.1 `task_serde.py` `_get_urun_container` (image `None` becomes \"\")",
};

pub static FAMILY: Family = Family {
    rules: &[
        &MISSING_PRIMARY,
        &PRIMARY_NAME_FORMAT,
        &PRIMARY_COMMAND_REPLACED,
        &PRIMARY_IMAGE,
    ],
    check: Check::Pod(check),
};

fn container_names<'a>(parts: &PodParts<'a>) -> Vec<(&'a str, &'a Node)> {
    parts
        .containers_in("containers")
        .into_iter()
        .filter_map(|c| {
            c.entry("name")
                .and_then(|e| e.value.as_str().map(|n| (n, &e.value)))
        })
        .collect()
}

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let (Some(template), Some(primary)) = (parts.flyte_template, parts.primary_name()) else {
        return;
    };
    let name_entry = template.entry("primary_container_name");
    if let Some(entry) = name_entry {
        if entry.value.is_null() {
            // flytekit: `FlyteValidationException("A primary container name cannot be
            // undefined")`; flyte 2 looks for a container named None.
            let msg =
                "`primary_container_name` is None: the SDK needs the primary container's name"
                    .to_string();
            ctx.report(&PRIMARY_NAME_FORMAT, entry.value.span.clone(), msg);
        } else if entry.value.as_str().is_some() {
            let errs = dns1123_label(primary);
            if !errs.is_empty() {
                let msg = format!("Invalid value: \"{primary}\": {}", errs.join("; "));
                ctx.report(&PRIMARY_NAME_FORMAT, entry.value.span.clone(), msg);
            }
        }
    }
    let names = container_names(parts);
    let containers_node = parts.spec_field("containers");
    let has_containers =
        matches!(containers_node.map(|n| &n.kind), Some(NodeKind::Seq(items)) if !items.is_empty());
    // flytekit appends a placeholder primary instead (`_serialize_pod_spec`). A plugin's
    // `driver_pod`/`executor_pod` is not checked by the SDK; what happens is the plugin's:
    // Spark's backend fails in `flytek8s.GetContainer` (flyteplugins `spark.go`), the
    // Databricks connector runs no pod.
    let flytekit = ctx.doc.sdk == Sdk::Flytekit;
    let plugin = ctx.doc.reader == crate::tree::PLUGIN_POD_READER;
    if has_containers && !flytekit && !plugin && !names.iter().any(|(n, _)| *n == primary) {
        report_missing(ctx, parts, primary, &names);
    }
    // A Spark plugin's template is serialized as written and merged by the backend
    // (`PodTemplate.to_k8s_pod`, flytekit `K8sPod.from_pod_template`, flyteplugins `spark.go`).
    let plugin = ctx.doc.reader == crate::tree::PLUGIN_POD_READER;
    for c in parts.containers_in("containers") {
        if c.get("name").and_then(Node::as_str) != Some(primary) {
            continue;
        }
        for field in ["command", "args"] {
            if plugin {
                break;
            }
            if let Some(e) = c.entry(field) {
                let msg = format!(
                    "`{field}` of the primary container `{primary}` is replaced by the SDK ({}); this value never runs",
                    if field == "command" { "with `[]`" } else { "with the Flyte runtime's `a0 ...` arguments" }
                );
                ctx.report(&PRIMARY_COMMAND_REPLACED, e.key.span.clone(), msg);
            }
        }
        let env_image_null = parts
            .environment
            .and_then(|env| env.get("image"))
            .is_some_and(Node::is_null);
        if env_image_null && c.get("image").is_none() {
            let at = c
                .entry("name")
                .map_or(c.span.clone(), |e| e.key.span.clone());
            ctx.report(
                &PRIMARY_IMAGE,
                at,
                format!("the primary container `{primary}` has no `image` and the environment sets `image: null`; the pod would have an empty image"),
            );
        }
    }
}

fn report_missing(ctx: &mut Ctx<'_>, parts: &PodParts<'_>, primary: &str, names: &[(&str, &Node)]) {
    let Some(template) = parts.flyte_template else {
        return;
    };
    let listed: Vec<String> = names.iter().map(|(n, _)| format!("`{n}`")).collect();
    let msg = format!(
        "no container is named `{primary}` (the primary container); containers: {}. The SDK refuses this \
         template: \"No primary container defined in the pod spec\"",
        if listed.is_empty() { "none with a name".to_string() } else { listed.join(", ") }
    );
    let name_entry = template.entry("primary_container_name");
    let at = match name_entry {
        Some(e) => e.value.span.clone(),
        None => parts
            .spec
            .and_then(|s| s.entry("containers"))
            .map_or(template.span.clone(), |e| e.key.span.clone()),
    };
    let closest_name = closest(primary, names.iter().map(|(n, _)| *n))
        .or_else(|| (names.len() == 1).then(|| names[0].0));
    let writer = ctx.writer;
    let diag = ctx.report(&MISSING_PRIMARY, at, msg);
    // Fix 1: rename the closest container to the primary name.
    if let Some(target) = closest_name.and_then(|c| names.iter().find(|(n, _)| *n == c)) {
        diag.with_edit(
            format!("Rename container `{}` to `{primary}`", target.0),
            writer.set_string(target.1, primary),
        );
    }
    // Fix 2: point `primary_container_name` at an existing container.
    if let Some((first, _)) = closest_name
        .and_then(|c| names.iter().find(|(n, _)| *n == c))
        .or(names.first())
    {
        let title = format!("Set primary_container_name to `{first}`");
        match name_entry {
            Some(e) => {
                diag.with_edit(title, writer.set_string(&e.value, first));
            }
            None => {
                // A new first entry of the template, where the SDK's own examples put it.
                let value = serde_json::Value::String(first.to_string());
                if let Some(edit) = writer.prepend_entry(template, "primary_container_name", &value)
                {
                    diag.with_edit(title, edit);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::{check, check_fix};

    #[test]
    fn missing_primary_is_an_error_with_two_fixes() {
        check(
            r#"primary_container_name: trainer
#                       ^^^^^^^ error FLY301: no container is named `trainer` (the primary container); containers: `train`, `sidecar`. The SDK refuses this template: "No primary container defined in the pod spec"
pod_spec:
  containers:
    - name: train
#           ^^^^^ error FLY206: Required value: container "train" has no `image`
#           ^^^^^ warning FLY314: the pod has 2 containers: the task finishes only when all of them exit, so a long-running `train` keeps it running; make it a native sidecar (an initContainer with `restartPolicy: Always`)
    - name: sidecar
      image: busybox
"#,
        );
        let src = "primary_container_name: trainer\npod_spec:\n  containers:\n    - name: train\n";
        check_fix(
            src,
            "Rename container `train` to `trainer`",
            "primary_container_name: trainer\npod_spec:\n  containers:\n    - name: trainer\n",
        );
        check_fix(
            src,
            "Set primary_container_name to `train`",
            "primary_container_name: train\npod_spec:\n  containers:\n    - name: train\n",
        );
        let default = "pod_spec:\n  containers:\n    - name: main\n";
        check_fix(
            default,
            "Set primary_container_name to `main`",
            "primary_container_name: main\npod_spec:\n  containers:\n    - name: main\n",
        );
    }

    #[test]
    fn no_containers_or_a_named_primary_is_fine() {
        check("pod_spec:\n  containers: []\n");
        check("labels:\n  team: ml\npod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: setup\n      image: busybox\n");
        check("name: a\nenv_vars: {A: \"1\"}\npod_template: cluster-gpu\n");
    }

    #[test]
    fn primary_name_format_command_and_image() {
        check(
            r#"name: train
image: null
pod_template:
  primary_container_name: Main_Task
#                         ^^^^^^^^^ error FLY302: Invalid value: "Main_Task": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')
  pod_spec:
    containers:
      - name: Main_Task
#       ^^^^ error FLY304: the primary container `Main_Task` has no `image` and the environment sets `image: null`; the pod would have an empty image
#             ^^^^^^^^^ error FLY204: Invalid value: "Main_Task": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')
        command: [python, train.py]
#       ^^^^^^^ warning FLY303: `command` of the primary container `Main_Task` is replaced by the SDK (with `[]`); this value never runs
        args: [--epochs, "3"]
#       ^^^^ warning FLY303: `args` of the primary container `Main_Task` is replaced by the SDK (with the Flyte runtime's `a0 ...` arguments); this value never runs
"#,
        );
    }
}
