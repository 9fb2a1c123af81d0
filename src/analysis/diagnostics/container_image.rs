//! FLY206: every container needs an `image`, except the primary container of a Flyte template,
//! whose image the SDK fills in from the environment (and, in a flytekit `PodTemplate`, every
//! container of `containers`: flytekit gives them the task's default image).
//!
//! Mirrors `pkg/apis/core/validation/validation.go`: `validateContainerCommon` (`image: Required
//! value`) and, for Pods only, `validateContainerOnlyForPod` (`must not have leading or trailing
//! whitespace`). Flyte: `task_serde.py` `_get_k8s_pod` sets the image of the primary only.

use crate::model::pod::{ContainerList, PodParts};
use crate::model::DocKind;
use crate::tree::Node;

use super::pod_values::{first_key_span, is_merged, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY206",
    name: "missing-container-image",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Subject).and_when_opaque(Depends::Document(&["primary_container_name", "name"])),
    summary: "A container has no `image` (or an empty one). The API server requires it on every \
              container (`image: Required value`). In a Flyte pod template the SDK fills in only \
              the primary container's image, so sidecars and init containers need their own \
              (flytekit's `PodTemplate` gives every container of `containers` the task's default \
              image, so there only init containers do; its Pod plugin does not; a Spark \
              plugin's `driver_pod`/`executor_pod` keeps only the primary's image); in \
              a Kubernetes `PodTemplate` or `Pod` every container needs one. A Pod's image may \
              not have leading or trailing whitespace.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n    - name: log-shipper\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n    - name: log-shipper\n      image: fluent/fluent-bit:3.0.7\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateContainerCommon`, \
             `validateContainerOnlyForPod`); flyte `task_serde.py` `_get_k8s_pod`; flytekit \
             `flytekit/core/utils.py` `_serialize_pod_spec` and \
             `flytekit/core/python_auto_container.py` `get_registerable_container_image` \
             (`return cfg.default_image.full`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    // A Spark plugin's driver or executor template: the backend keeps only the primary
    // container's image and env and the pod-level fields (`createSparkPodSpec` in flyteplugins
    // `plugins/k8s/spark/spark.go`); no container of it is created as written.
    if ctx.doc.reader == crate::tree::PLUGIN_POD_READER {
        return;
    }
    let primary = parts.primary_name();
    // Whitespace is checked on Pod create only; a Flyte template ends up as a Pod.
    let pod_only = parts.kind != Some(DocKind::KubePodTemplate);
    // flytekit's `_serialize_pod_spec` gives every other container without an image the
    // task's default image too (`get_registerable_container_image(None, cfg)`); init
    // containers pass through as written. Its Pod plugin does not.
    let flytekit = ctx.doc.reader == crate::tree::FLYTEKIT_READER;
    for (list, container) in parts.all_containers() {
        let name = container.get("name").and_then(string_value);
        if list == ContainerList::Containers && primary.is_some() && name == primary {
            continue;
        }
        if list == ContainerList::Containers && flytekit {
            continue;
        }
        if is_merged(container) {
            continue;
        }
        check_container(ctx, container, name, pod_only);
    }
}

fn check_container(ctx: &mut Ctx<'_>, container: &Node, name: Option<&str>, pod_only: bool) {
    let what = name.map_or_else(
        || "the container".to_string(),
        |n| format!("container \"{n}\""),
    );
    let image = container.entry("image");
    match image {
        Some(entry) if !entry.value.is_null() => {
            let Some(text) = string_value(&entry.value) else {
                return;
            };
            if text.is_empty() {
                let message = format!("Required value: {what} has an empty `image`");
                ctx.report(&RULE, entry.value.span.clone(), message);
            } else if pod_only && text.trim() != text {
                let message = format!(
                    "Invalid value: \"{text}\": must not have leading or trailing whitespace"
                );
                let edit = ctx.writer.set_string(&entry.value, text.trim());
                ctx.report(&RULE, entry.value.span.clone(), message)
                    .with_edit("Trim the whitespace", edit);
            }
        }
        Some(entry) => {
            let message = format!("Required value: {what} has no `image`");
            ctx.report(&RULE, entry.key.span.clone(), message);
        }
        None => {
            let at = container
                .entry("name")
                .filter(|e| !e.value.is_null())
                .map_or_else(|| first_key_span(container), |e| e.value.span.clone());
            let message = format!("Required value: {what} has no `image`");
            ctx.report(&RULE, at, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn flyte_primary_needs_no_image_but_the_others_do() {
        check_k8s(
            r#"primary_container_name: trainer
pod_spec:
  containers:
    - name: trainer
    - name: sidecar
#           ^^^^^^^ error FLY206: Required value: container "sidecar" has no `image`
    - name: other
      image: ""
#            ^^ error FLY206: Required value: container "other" has an empty `image`
  initContainers:
    - name: trainer-init
      image:
#     ^^^^^ error FLY206: Required value: container "trainer-init" has no `image`
"#,
        );
    }

    #[test]
    fn kubernetes_objects_need_every_image() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: gpu-default
template:
  spec:
    containers:
      - name: primary
#             ^^^^^^^ error FLY206: Required value: container "primary" has no `image`
      - name: default
        image: " busybox"
"#,
        );
        check_k8s(
            r#"apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: main
      image: "busybox "
#            ^^^^^^^^^^ error FLY206: Invalid value: "busybox ": must not have leading or trailing whitespace
"#,
        );
    }

    #[test]
    fn images_present_pass() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
    - name: sidecar
      image: envoyproxy/envoy:v1.30.1
  initContainers:
    - name: init
      image: busybox
"#,
        );
    }

    #[test]
    fn trim_fix() {
        check_fix(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: main\n      image: ' busybox'\n",
            "Trim the whitespace",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: main\n      image: 'busybox'\n",
        );
    }
}
