//! FLY207–FLY209: what each kind of container may carry. Ephemeral containers are refused in
//! templates and on create; init containers that are not sidecars may not have probes or
//! lifecycle hooks; container-level `restartPolicy` depends on the Kubernetes version.
//!
//! Mirrors `pkg/apis/core/validation/validation.go`: `ValidatePodTemplateSpec` and
//! `ValidatePodCreate` (ephemeral containers), `validateInitContainers` (forbidden fields,
//! `validateInitContainerRestartPolicy`), `validateContainers` (`restartPolicy` on regular
//! containers while the `ContainerRestartRules` gate is off, i.e. before 1.35).

use crate::model::pod::{ContainerList, PodParts};
use crate::model::DocKind;
use crate::schema::KubeVersion;
use crate::tree::Node;

use super::pod_values::{is_merged, is_set, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static EPHEMERAL_RULE: Rule = Rule {
    code: "FLY207",
    name: "ephemeral-containers-in-template",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`ephemeralContainers` cannot be part of a pod template, nor of a Pod when it is \
              created: they are only added later to a running pod (`kubectl debug`). The API \
              server answers `Forbidden: ephemeral containers not allowed in pod template` (or \
              `cannot be set on create`).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  ephemeralContainers:\n    - name: debug\n      image: busybox\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidatePodTemplateSpec`, \
             `ValidatePodCreate`)",
};

pub static INIT_FIELDS_RULE: Rule = Rule {
    code: "FLY208",
    name: "init-container-probe",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Subject),
    summary: "An init container that is not a native sidecar (`restartPolicy: Always`) runs to \
              completion before the others start, so it may not have `lifecycle`, \
              `livenessProbe`, `readinessProbe` or `startupProbe` (`Forbidden: may not be set \
              for init containers without restartPolicy=Always`).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: proxy\n      image: envoyproxy/envoy:v1.30.1\n      readinessProbe:\n        tcpSocket:\n          port: 9901\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: proxy\n      image: envoyproxy/envoy:v1.30.1\n      restartPolicy: Always\n      readinessProbe:\n        tcpSocket:\n          port: 9901\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateInitContainers`)",
};

pub static RESTART_POLICY_RULE: Rule = Rule {
    code: "FLY209",
    name: "container-restart-policy",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Container-level `restartPolicy` follows the selected Kubernetes version. Before \
              1.35 (`ContainerRestartRules` off) only init containers may set it, and only to \
              `Always` (a native sidecar). From 1.35 regular containers may set it too, and \
              `restartPolicyRules` (at most 20) require an explicit `restartPolicy` on the same \
              container.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      restartPolicyRules:\n        - action: Restart\n          exitCodes:\n            operator: In\n            values: [42]\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      restartPolicy: Never\n      restartPolicyRules:\n        - action: Restart\n          exitCodes:\n            operator: In\n            values: [42]\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateContainers`, \
             `validateInitContainerRestartPolicy`); KEP-5307 (`ContainerRestartRules`, beta and \
             on by default in 1.35); `Container.restartPolicyRules` API docs",
};

pub static NO_CONTAINERS_RULE: Rule = Rule {
    code: "FLY245",
    name: "no-containers",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Subject),
    summary: "A Kubernetes `PodTemplate` or `Pod` with an empty `containers` list is rejected \
              (`spec.containers: Required value`). A Flyte pod template may leave it empty: the \
              SDK adds the primary container.",
    bad: "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: base\ntemplate:\n  spec:\n    containers: []\n",
    good: "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: base\ntemplate:\n  spec:\n    containers:\n      - name: default\n        image: docker.io/rwgrim/docker-noop\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateContainers`); flyte \
             `task_serde.py` `_get_k8s_pod`",
};

pub static FAMILY: Family = Family {
    rules: &[
        &EPHEMERAL_RULE,
        &INIT_FIELDS_RULE,
        &RESTART_POLICY_RULE,
        &NO_CONTAINERS_RULE,
    ],
    check: Check::Pod(check),
};

/// The first version with the `ContainerRestartRules` gate on by default.
const CONTAINER_RESTART_RULES: KubeVersion = KubeVersion(35);
/// "At most 20 rules are allowed" (`Container.restartPolicyRules`).
const MAX_RESTART_RULES: usize = 20;
const INIT_ONLY_FIELDS: &[&str] = &[
    "lifecycle",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
];

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    check_ephemeral(ctx, parts);
    check_not_empty(ctx, parts);
    let version = ctx.set.version;
    for (list, container) in parts.all_containers() {
        let policy = container.get("restartPolicy").filter(|n| !n.is_null());
        if list == ContainerList::InitContainers && !is_merged(container) {
            let sidecar = policy.and_then(string_value) == Some("Always");
            if !sidecar {
                check_init_fields(ctx, container);
            }
        }
        if let Some(node) = policy {
            if let Some(message) = restart_policy_problem(version, list, string_value(node)) {
                let at = match list {
                    ContainerList::Containers => container.entry("restartPolicy").map(|e| &e.key),
                    ContainerList::InitContainers => Some(node),
                };
                if let Some(at) = at {
                    ctx.report(&RESTART_POLICY_RULE, at.span.clone(), message);
                }
            }
        }
        check_restart_rules(ctx, container, policy.is_some());
    }
}

fn check_ephemeral(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let Some(spec) = parts.spec else { return };
    let Some(entry) = spec.entry("ephemeralContainers") else {
        return;
    };
    if entry.value.as_seq().is_none_or(<[Node]>::is_empty) {
        return;
    }
    let message = if parts.kind == Some(DocKind::KubePodTemplate) {
        "Forbidden: ephemeral containers not allowed in pod template"
    } else {
        "Forbidden: cannot be set on create"
    };
    ctx.report(&EPHEMERAL_RULE, entry.key.span.clone(), message.to_string());
}

fn check_not_empty(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    if parts.is_flyte() {
        return;
    }
    let Some(entry) = parts.spec.and_then(|s| s.entry("containers")) else {
        // A missing `containers` is FLY104's (the schema requires it).
        return;
    };
    let empty = entry.value.is_null() || entry.value.as_seq().is_some_and(<[Node]>::is_empty);
    if empty {
        ctx.report(
            &NO_CONTAINERS_RULE,
            entry.key.span.clone(),
            "Required value: a Kubernetes pod needs at least one container".to_string(),
        );
    }
}

fn check_init_fields(ctx: &mut Ctx<'_>, container: &Node) {
    for field in INIT_ONLY_FIELDS {
        let Some(entry) = container.entry(field) else {
            continue;
        };
        if is_set(Some(&entry.value)) {
            ctx.report(
                &INIT_FIELDS_RULE,
                entry.key.span.clone(),
                "Forbidden: may not be set for init containers without restartPolicy=Always"
                    .to_string(),
            );
        }
    }
}

/// What the API server of `version` says about a container-level `restartPolicy` of `value`
/// (`None` when it is not a string, which FLY103/FLY106 report). Values outside Always,
/// OnFailure and Never are FLY105's.
pub(super) fn restart_policy_problem(
    version: KubeVersion,
    list: ContainerList,
    value: Option<&str>,
) -> Option<String> {
    if version >= CONTAINER_RESTART_RULES {
        return None;
    }
    match list {
        ContainerList::Containers => {
            Some("Forbidden: may not be set for non-init containers".to_string())
        }
        ContainerList::InitContainers => match value {
            Some("Always") | None => None,
            Some(v) if ["OnFailure", "Never"].contains(&v) => Some(format!(
                "Unsupported value: \"{v}\": supported values: \"Always\" (Kubernetes {version} \
                 allows only native sidecars; other values need 1.35)"
            )),
            Some(_) => None,
        },
    }
}

fn check_restart_rules(ctx: &mut Ctx<'_>, container: &Node, has_policy: bool) {
    let Some(entry) = container.entry("restartPolicyRules") else {
        return;
    };
    let Some(rules) = entry.value.as_seq() else {
        return;
    };
    if !rules.is_empty() && !has_policy {
        ctx.report(
            &RESTART_POLICY_RULE,
            entry.key.span.clone(),
            "Required value: `restartPolicy` must be set explicitly when `restartPolicyRules` \
             are specified"
                .to_string(),
        );
    }
    if rules.len() > MAX_RESTART_RULES {
        ctx.report(
            &RESTART_POLICY_RULE,
            entry.key.span.clone(),
            format!(
                "Too many: {}: must have at most {MAX_RESTART_RULES} items",
                rules.len()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use super::*;

    #[test]
    fn ephemeral_containers_are_refused() {
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
    ephemeralContainers:
#   ^^^^^^^^^^^^^^^^^^^ error FLY207: Forbidden: ephemeral containers not allowed in pod template
      - name: debug
        image: busybox
"#,
        );
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  ephemeralContainers:
# ^^^^^^^^^^^^^^^^^^^ error FLY207: Forbidden: cannot be set on create
    - name: debug
      image: busybox
"#,
        );
        check_k8s("pod_spec:\n  containers:\n    - name: primary\n  ephemeralContainers: []\n");
    }

    #[test]
    fn kubernetes_pods_need_containers() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    containers: []
#   ^^^^^^^^^^ error FLY245: Required value: a Kubernetes pod needs at least one container
"#,
        );
        check_k8s("pod_spec:\n  containers: []\n");
    }

    #[test]
    fn init_containers_without_always_may_not_have_probes() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      livenessProbe:
        exec:
          command: ["true"]
  initContainers:
    - name: setup
      image: busybox
      lifecycle:
#     ^^^^^^^^^ error FLY208: Forbidden: may not be set for init containers without restartPolicy=Always
        postStart:
          exec:
            command: ["true"]
      startupProbe:
#     ^^^^^^^^^^^^ error FLY208: Forbidden: may not be set for init containers without restartPolicy=Always
        exec:
          command: ["true"]
    - name: sidecar
      image: busybox
      restartPolicy: Always
      readinessProbe:
        exec:
          command: ["true"]
"#,
        );
    }

    #[test]
    fn restart_policy_rules_need_a_policy() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      restartPolicyRules:
#     ^^^^^^^^^^^^^^^^^^ error FLY209: Required value: `restartPolicy` must be set explicitly when `restartPolicyRules` are specified
        - action: Restart
          exitCodes:
            operator: In
            values: [42]
    - name: other
      image: busybox
      restartPolicy: OnFailure
      restartPolicyRules:
        - action: Restart
          exitCodes:
            operator: In
            values: [42]
  initContainers:
    - name: sidecar
      image: busybox
      restartPolicy: Always
"#,
        );
    }

    #[test]
    fn restart_policy_follows_the_version() {
        let old = KubeVersion(34);
        let new = KubeVersion(35);
        assert_eq!(
            restart_policy_problem(old, ContainerList::Containers, Some("Always")).as_deref(),
            Some("Forbidden: may not be set for non-init containers")
        );
        assert_eq!(
            restart_policy_problem(new, ContainerList::Containers, Some("Never")),
            None
        );
        assert_eq!(
            restart_policy_problem(old, ContainerList::InitContainers, Some("Always")),
            None
        );
        assert!(
            restart_policy_problem(old, ContainerList::InitContainers, Some("OnFailure"))
                .is_some_and(|m| m.starts_with("Unsupported value: \"OnFailure\""))
        );
        assert_eq!(
            restart_policy_problem(new, ContainerList::InitContainers, Some("OnFailure")),
            None
        );
    }
}
