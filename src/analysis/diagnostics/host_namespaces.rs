//! FLY251–FLY253: host namespaces. A pod in its own user namespace (`hostUsers: false`) may
//! not share the host's network, PID or IPC namespace; `procMount: Unmasked` needs that user
//! namespace; and `shareProcessNamespace` cannot be combined with `hostPID`.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validateHostUsers`, called from
//! `ValidatePodSpec`; the `procMount` check of `ValidateSecurityContext`, called for every
//! container with the pod's `hostUsers`; the `ShareProcessNamespace` check of
//! `validatePodSpecSecurityContext`). The `UserNamespacesSupport` and `ProcMountType` gates are on
//! by default from 1.33, older than every embedded version, so `hostUsers` and `procMount` are
//! never dropped before validation. `UserNamespacesHostNetworkSupport` (alpha in 1.35, off by
//! default) would lift the `hostNetwork` restriction; default gates are assumed.

use crate::model::pod::PodParts;
use crate::tree::{Node, NodeKind, Reading};

use super::pod_values::{is_merged, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static HOST_USERS_RULE: Rule = Rule {
    code: "FLY251",
    name: "host-users-with-host-namespace",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`hostUsers: false` runs the pod in its own user namespace, which the API server \
              does not allow together with `hostNetwork`, `hostPID` or `hostIPC` set to true \
              (`Forbidden: when `pod.Spec.HostUsers` is false`).",
    bad: "pod_spec:\n  hostUsers: false\n  hostNetwork: true\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  hostUsers: false\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateHostUsers`)",
};

pub static PROC_MOUNT_RULE: Rule = Rule {
    code: "FLY252",
    name: "unmasked-proc-mount",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(&[])),
    summary: "A container asks for `procMount: Unmasked` but the pod runs in the host's user \
              namespace (`hostUsers` is true or unset). The API server rejects it: \
              `` `hostUsers` must be false to use `Unmasked` ``.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      securityContext:\n        procMount: Unmasked\n",
    good: "pod_spec:\n  hostUsers: false\n  containers:\n    - name: primary\n      securityContext:\n        procMount: Unmasked\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateSecurityContext`, \
             `ValidateProcMountType`)",
};

pub static SHARE_PID_RULE: Rule = Rule {
    code: "FLY253",
    name: "share-process-namespace-with-host-pid",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`shareProcessNamespace: true` together with `hostPID: true`: the containers cannot \
              share a pod PID namespace while using the host's (`ShareProcessNamespace and \
              HostPID cannot both be enabled`).",
    bad: "pod_spec:\n  hostPID: true\n  shareProcessNamespace: true\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  shareProcessNamespace: true\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`validatePodSpecSecurityContext`)",
};

pub static FAMILY: Family = Family {
    rules: &[&HOST_USERS_RULE, &PROC_MOUNT_RULE, &SHARE_PID_RULE],
    check: Check::Pod(check),
};

const HOST_NAMESPACES: &[&str] = &["hostNetwork", "hostPID", "hostIPC"];

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let Some(spec) = parts.spec.filter(|s| s.as_map().is_some()) else {
        return;
    };
    let own_user_namespace = flag(spec.get("hostUsers")) == Some(false);
    if own_user_namespace {
        for field in HOST_NAMESPACES {
            if let Some(node) = spec.get(field).filter(|n| flag(Some(n)) == Some(true)) {
                ctx.report(
                    &HOST_USERS_RULE,
                    node.span.clone(),
                    "Forbidden: when `pod.Spec.HostUsers` is false".to_string(),
                );
            }
        }
    } else if !is_merged(spec) {
        // `hostUsers` defaults to true; a merge key could hide a `hostUsers: false`.
        check_proc_mounts(ctx, parts);
    }
    check_share_pid(ctx, spec);
}

fn check_proc_mounts(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    for container in every_container(parts) {
        let Some(node) = container
            .get("securityContext")
            .and_then(|sc| sc.get("procMount"))
        else {
            continue;
        };
        if string_value(node) == Some("Unmasked") {
            ctx.report(
                &PROC_MOUNT_RULE,
                node.span.clone(),
                "Invalid value: \"Unmasked\": `hostUsers` must be false to use `Unmasked`"
                    .to_string(),
            );
        }
    }
}

fn check_share_pid(ctx: &mut Ctx<'_>, spec: &Node) {
    let Some(share) = spec.get("shareProcessNamespace") else {
        return;
    };
    if flag(Some(share)) == Some(true) && flag(spec.get("hostPID")) == Some(true) {
        ctx.report(
            &SHARE_PID_RULE,
            share.span.clone(),
            "Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled"
                .to_string(),
        );
    }
}

/// A boolean field as the document's reader decodes it; `None` when absent, null or not a
/// boolean (FLY106 reports the wrong type).
pub(super) fn flag(node: Option<&Node>) -> Option<bool> {
    match node?.reading() {
        Some(Reading::Bool(b)) => Some(b),
        _ => None,
    }
}

/// Every container the API server visits (`VisitContainersWithPath`): init containers, regular
/// containers and ephemeral containers that are mappings.
pub(super) fn every_container<'a>(parts: &PodParts<'a>) -> Vec<&'a Node> {
    let mut out = parts.containers_in("initContainers");
    out.extend(parts.containers_in("containers"));
    out.extend(parts.containers_in("ephemeralContainers"));
    out
}

/// True when every container list is absent, null or a plain sequence whose items are plain
/// mappings, so that `every_container` sees every container.
pub(super) fn containers_fully_visible(parts: &PodParts<'_>) -> bool {
    ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .all(|field| match parts.spec_field(field) {
            None => true,
            Some(node) if node.is_null() => true,
            Some(node) => match &node.kind {
                NodeKind::Seq(items) => items.iter().all(|i| i.as_map().is_some() && !is_merged(i)),
                _ => false,
            },
        })
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn host_users_forbids_host_namespaces() {
        check_k8s(
            r#"pod_spec:
  hostUsers: false
  hostNetwork: true
#              ^^^^ error FLY251: Forbidden: when `pod.Spec.HostUsers` is false
  hostPID: true
#          ^^^^ error FLY251: Forbidden: when `pod.Spec.HostUsers` is false
  hostIPC: true
#          ^^^^ error FLY251: Forbidden: when `pod.Spec.HostUsers` is false
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn host_users_in_a_pod_template() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    hostUsers: false
    hostIPC: true
#            ^^^^ error FLY251: Forbidden: when `pod.Spec.HostUsers` is false
    hostPID: true
#            ^^^^ error FLY251: Forbidden: when `pod.Spec.HostUsers` is false
    shareProcessNamespace: true
#                          ^^^^ error FLY253: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled
    containers:
      - name: trainer
        image: ghcr.io/acme/train:1.4.2
        securityContext:
          procMount: Unmasked
"#,
        );
    }

    #[test]
    fn host_namespaces_accepted() {
        // hostUsers true or unset allows every host namespace; false alone is fine; the
        // explicit false values of the host namespaces are fine.
        check_k8s(
            r#"pod_spec:
  hostUsers: true
  hostNetwork: true
  hostPID: true
  shareProcessNamespace: false
  containers:
    - name: primary
      securityContext:
        procMount: Default
---
pod_spec:
  hostUsers: false
  hostNetwork: false
  hostPID: false
  shareProcessNamespace: true
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn unmasked_proc_mount_needs_own_user_namespace() {
        check_k8s(
            r#"pod_spec:
  hostUsers: true
  initContainers:
    - name: setup
      image: busybox:1.36
      securityContext:
        procMount: Unmasked
#                  ^^^^^^^^ error FLY252: Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`
  containers:
    - name: primary
      securityContext:
        procMount: Unmasked
#                  ^^^^^^^^ error FLY252: Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`
---
apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    containers:
      - name: trainer
        image: ghcr.io/acme/train:1.4.2
        securityContext:
          procMount: Unmasked
#                    ^^^^^^^^ error FLY252: Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`
"#,
        );
    }

    #[test]
    fn merged_spec_is_not_guessed() {
        // The merge could bring `hostUsers: false`: no FLY252.
        check_k8s(
            r#"defaults: &defaults
  hostUsers: false
pod_spec:
  <<: *defaults
  containers:
    - name: primary
      securityContext:
        procMount: Unmasked
"#,
        );
    }
}
