//! FLY259: a container's `resizePolicy` (in-place resize). Each resource may be listed once, and
//! in a pod that never restarts (`restartPolicy: Never`, which Flyte sets when it is unset) a
//! resize may not restart the container.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validateResizePolicy`, called from
//! `validateContainerCommon` for regular and init containers with the pod's `restartPolicy`).
//! The enums (`cpu`/`memory`, `NotRequired`/`RestartContainer`) are FLY105's. Since the
//! `InPlacePodVerticalScaling` gate is on (1.33+), init containers may carry a resize policy.

use std::collections::HashSet;

use crate::model::pod::PodParts;
use crate::tree::Node;

use super::pod_values::{is_merged, is_set, map_items, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY259",
    name: "invalid-resize-policy",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A container's `resizePolicy` lists a resource twice (`Duplicate value`), or asks \
              for `RestartContainer` in a pod whose `restartPolicy` is `Never` (`must be \
              'NotRequired' when `restartPolicy` is 'Never'`). Flyte sets `restartPolicy: Never` \
              on task pods when the template leaves it unset.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      resizePolicy:\n        - resourceName: memory\n          restartPolicy: RestartContainer\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      resizePolicy:\n        - resourceName: memory\n          restartPolicy: NotRequired\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateResizePolicy`, \
             `validateContainerCommon`); flyteplugins `flytek8s/pod_helper.go` (`UpdatePod`: \
             `restartPolicy: Never` when unset)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

/// The pod's restart policy as the API server sees it.
enum PodPolicy {
    /// Written in the spec.
    Written(String),
    /// Unset in a Flyte template: the backend fills in `Never`.
    FlyteNever,
    /// Unset in a Kubernetes object: defaulted to `Always`.
    DefaultAlways,
}

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let policy = match parts.spec_field("restartPolicy") {
        None => Some(default_policy(parts)),
        Some(n) if n.is_null() => Some(default_policy(parts)),
        // A wrong type fails decoding (FLY106); nothing to compare with.
        Some(n) => string_value(n).map(|s| PodPolicy::Written(s.to_string())),
    };
    for (_, container) in parts.all_containers() {
        let Some(list) = container.get("resizePolicy") else {
            continue;
        };
        check_duplicates(ctx, list);
        // Container restart rules (1.35+) let a container override the pod's policy; only a
        // container without its own `restartPolicy` certainly follows the pod's.
        if is_merged(container) || is_set(container.get("restartPolicy")) {
            continue;
        }
        if let Some(policy) = &policy {
            check_never(ctx, list, policy);
        }
    }
}

fn default_policy(parts: &PodParts<'_>) -> PodPolicy {
    if parts.is_flyte() {
        PodPolicy::FlyteNever
    } else {
        PodPolicy::DefaultAlways
    }
}

/// `Duplicate value` at the later entry (`resizePolicy[1]`).
fn check_duplicates(ctx: &mut Ctx<'_>, list: &Node) {
    let mut seen = HashSet::new();
    for item in map_items(Some(list)) {
        let Some(node) = item.get("resourceName") else {
            continue;
        };
        let Some(name) = string_value(node) else {
            continue;
        };
        if !seen.insert(name) {
            let message = format!("Duplicate value: \"{name}\"");
            ctx.report(&RULE, node.span.clone(), message);
        }
    }
}

fn check_never(ctx: &mut Ctx<'_>, list: &Node, policy: &PodPolicy) {
    let note = match policy {
        PodPolicy::Written(p) if p == "Never" => "",
        PodPolicy::FlyteNever => {
            " (Flyte sets the pod's `restartPolicy` to Never when it is unset)"
        }
        _ => return,
    };
    for item in map_items(Some(list)) {
        let Some(node) = item.get("restartPolicy") else {
            continue;
        };
        // Values outside the enum are FLY105's; the API server would say both.
        if string_value(node) != Some("RestartContainer") {
            continue;
        }
        let message = format!(
            "Invalid value: \"RestartContainer\": must be 'NotRequired' when `restartPolicy` is \
             'Never'{note}"
        );
        let edit = ctx.writer.set_string(node, "NotRequired");
        ctx.report(&RULE, node.span.clone(), message)
            .with_edit("Change to `NotRequired`", edit);
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn never_pods_in_a_pod_template() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    restartPolicy: Never
    containers:
      - name: main
        image: busybox
        resizePolicy:
          - resourceName: cpu
            restartPolicy: NotRequired
          - resourceName: memory
            restartPolicy: RestartContainer
#                          ^^^^^^^^^^^^^^^^ error FLY259: Invalid value: "RestartContainer": must be 'NotRequired' when `restartPolicy` is 'Never'
      - name: own-policy
        image: busybox
        restartPolicy: Always
        resizePolicy:
          - resourceName: memory
            restartPolicy: RestartContainer
    initContainers:
      - name: setup
        image: busybox
        resizePolicy:
          - resourceName: memory
            restartPolicy: RestartContainer
#                          ^^^^^^^^^^^^^^^^ error FLY259: Invalid value: "RestartContainer": must be 'NotRequired' when `restartPolicy` is 'Never'
"#,
        );
    }

    #[test]
    fn defaulted_policies() {
        // A Kubernetes object defaults to Always: restarting on resize is fine.
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    containers:
      - name: main
        image: busybox
        resizePolicy:
          - resourceName: memory
            restartPolicy: RestartContainer
          - resourceName: memory
#                         ^^^^^^ error FLY259: Duplicate value: "memory"
            restartPolicy: RestartContainer
"#,
        );
        // Flyte fills in Never.
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      resizePolicy:
        - resourceName: cpu
          restartPolicy: RestartContainer
#                        ^^^^^^^^^^^^^^^^ error FLY259: Invalid value: "RestartContainer": must be 'NotRequired' when `restartPolicy` is 'Never' (Flyte sets the pod's `restartPolicy` to Never when it is unset)
        - resourceName: cpu
#                       ^^^ error FLY259: Duplicate value: "cpu"
          restartPolicy: NotRequired
"#,
        );
    }

    #[test]
    fn restartable_flyte_pods() {
        check_k8s(
            r#"pod_spec:
  restartPolicy: OnFailure
  containers:
    - name: primary
      resizePolicy:
        - resourceName: cpu
          restartPolicy: RestartContainer
        - resourceName: memory
          restartPolicy: NotRequired
"#,
        );
    }

    #[test]
    fn not_required_fix() {
        check_fix(
            "pod_spec:\n  restartPolicy: Never\n  containers:\n    - name: primary\n      resizePolicy:\n        - resourceName: cpu\n          restartPolicy: RestartContainer\n",
            "Change to `NotRequired`",
            "pod_spec:\n  restartPolicy: Never\n  containers:\n    - name: primary\n      resizePolicy:\n        - resourceName: cpu\n          restartPolicy: NotRequired\n",
        );
    }
}
