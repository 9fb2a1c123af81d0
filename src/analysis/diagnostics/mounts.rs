//! FLY257 and FLY258: how a volume mount may propagate. `mountPropagation: Bidirectional` is
//! only for privileged containers, and a recursive read-only mount (`recursiveReadOnly`
//! `Enabled` or `IfPossible`) must be `readOnly: true` and may not propagate mounts.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`ValidateVolumeMounts`,
//! `validateMountPropagation`, `validateMountRecursiveReadOnly`). The enums themselves
//! (`None`/`HostToContainer`/`Bidirectional`, `Disabled`/`IfPossible`/`Enabled`) are FLY105's.

use crate::model::pod::PodParts;
use crate::tree::{Node, Reading};

use super::pod_values::{is_merged, map_items, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static PROPAGATION_RULE: Rule = Rule {
    code: "FLY257",
    name: "bidirectional-propagation-unprivileged",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A volume mount with `mountPropagation: Bidirectional` lets the container create \
              mounts that appear on the host, so the API server allows it only in a container \
              with `securityContext.privileged: true` (`Forbidden: Bidirectional mount \
              propagation is available only to privileged containers`). Use `HostToContainer` \
              to only receive the host's mounts.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: shared\n          mountPath: /mnt/shared\n          mountPropagation: Bidirectional\n  volumes:\n    - name: shared\n      hostPath:\n        path: /mnt/shared\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: shared\n          mountPath: /mnt/shared\n          mountPropagation: HostToContainer\n  volumes:\n    - name: shared\n      hostPath:\n        path: /mnt/shared\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateVolumeMounts`, \
             `validateMountPropagation`)",
};

pub static RECURSIVE_READ_ONLY_RULE: Rule = Rule {
    code: "FLY258",
    name: "recursive-read-only-conflict",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`recursiveReadOnly: Enabled` or `IfPossible` makes the whole mount tree read-only, \
              so the mount itself must be `readOnly: true` (`Forbidden: may only be specified \
              when readOnly is true`) and may not propagate mounts (`Forbidden: may only be \
              specified when mountPropagation is None or not specified`).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: data\n          mountPath: /data\n          recursiveReadOnly: Enabled\n  volumes:\n    - name: data\n      persistentVolumeClaim:\n        claimName: dataset\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: data\n          mountPath: /data\n          readOnly: true\n          recursiveReadOnly: Enabled\n  volumes:\n    - name: data\n      persistentVolumeClaim:\n        claimName: dataset\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateVolumeMounts`, \
             `validateMountRecursiveReadOnly`)",
};

pub static FAMILY: Family = Family {
    rules: &[&PROPAGATION_RULE, &RECURSIVE_READ_ONLY_RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    for (_, container) in parts.all_containers() {
        let privileged = privileged(container);
        for mount in map_items(container.get("volumeMounts")) {
            check_propagation(ctx, mount, privileged);
            check_recursive_read_only(ctx, mount);
        }
    }
}

/// Whether the container is privileged: `Some(true)`/`Some(false)` when that is known, `None`
/// when the security context is merged from elsewhere or `privileged` has the wrong type
/// (FLY106 reports that; the API server then stops at decoding).
fn privileged(container: &Node) -> Option<bool> {
    let Some(sc) = container.get("securityContext") else {
        return Some(false);
    };
    if sc.is_null() {
        return Some(false);
    }
    if sc.as_map().is_none() || is_merged(sc) {
        return None;
    }
    match sc.get("privileged").map(Node::reading) {
        None | Some(Some(Reading::Null)) => Some(false),
        Some(Some(Reading::Bool(b))) => Some(b),
        Some(_) => None,
    }
}

fn check_propagation(ctx: &mut Ctx<'_>, mount: &Node, privileged: Option<bool>) {
    let Some(node) = mount.get("mountPropagation") else {
        return;
    };
    if string_value(node) == Some("Bidirectional") && privileged == Some(false) {
        ctx.report(
            &PROPAGATION_RULE,
            node.span.clone(),
            "Forbidden: Bidirectional mount propagation is available only to privileged \
             containers"
                .to_string(),
        );
    }
}

fn check_recursive_read_only(ctx: &mut Ctx<'_>, mount: &Node) {
    // Both companions must be in sight: a merged mount may get them from its anchor.
    if is_merged(mount) {
        return;
    }
    let Some(node) = mount.get("recursiveReadOnly") else {
        return;
    };
    if !matches!(string_value(node), Some("Enabled" | "IfPossible")) {
        return;
    }
    let read_only = match mount.get("readOnly").map(Node::reading) {
        None | Some(Some(Reading::Null)) => Some(false),
        Some(Some(Reading::Bool(b))) => Some(b),
        // A wrong type fails decoding (FLY106) before validation.
        Some(_) => None,
    };
    if read_only == Some(false) {
        let writer = ctx.writer;
        let diag = ctx.report(
            &RECURSIVE_READ_ONLY_RULE,
            node.span.clone(),
            "Forbidden: may only be specified when readOnly is true".to_string(),
        );
        // With no `readOnly` key the fix is one line under the mount's first field; with
        // `readOnly: false` it is the value.
        if let Some(entry) = mount.entry("readOnly") {
            if entry.value.reading() == Some(Reading::Bool(false)) {
                let edit = writer.set_value(&entry.value, &serde_json::Value::Bool(true));
                diag.with_edit("Set `readOnly: true`", edit);
            }
        }
    }
    let propagation = mount.get("mountPropagation").filter(|n| !n.is_null());
    if let Some(p) = propagation.and_then(string_value) {
        if p != "None" {
            ctx.report(
                &RECURSIVE_READ_ONLY_RULE,
                node.span.clone(),
                "Forbidden: may only be specified when mountPropagation is None or not specified"
                    .to_string(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn bidirectional_needs_privileged() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      volumeMounts:
        - name: shared
          mountPath: /a
          mountPropagation: Bidirectional
#                           ^^^^^^^^^^^^^ error FLY257: Forbidden: Bidirectional mount propagation is available only to privileged containers
        - name: shared
          mountPath: /b
          mountPropagation: HostToContainer
    - name: agent
      image: busybox
      securityContext:
        privileged: false
      volumeMounts:
        - name: shared
          mountPath: /a
          mountPropagation: Bidirectional
#                           ^^^^^^^^^^^^^ error FLY257: Forbidden: Bidirectional mount propagation is available only to privileged containers
    - name: csi
      image: busybox
      securityContext:
        privileged: true
      volumeMounts:
        - name: shared
          mountPath: /a
          mountPropagation: Bidirectional
  initContainers:
    - name: setup
      image: busybox
      volumeMounts:
        - name: shared
          mountPath: /a
          mountPropagation: Bidirectional
#                           ^^^^^^^^^^^^^ error FLY257: Forbidden: Bidirectional mount propagation is available only to privileged containers
  volumes:
    - name: shared
      hostPath:
        path: /mnt/shared
"#,
        );
    }

    #[test]
    fn bidirectional_in_a_pod_template() {
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
        securityContext:
          runAsUser: 1000
        volumeMounts:
          - name: shared
            mountPath: /a
            mountPropagation: Bidirectional
#                             ^^^^^^^^^^^^^ error FLY257: Forbidden: Bidirectional mount propagation is available only to privileged containers
      - name: driver
        image: busybox
        securityContext:
          privileged: true
        volumeMounts:
          - name: shared
            mountPath: /a
            mountPropagation: Bidirectional
    volumes:
      - name: shared
        hostPath:
          path: /mnt/shared
"#,
        );
    }

    #[test]
    fn recursive_read_only() {
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
        securityContext:
          privileged: true
        volumeMounts:
          - name: data
            mountPath: /a
            recursiveReadOnly: Enabled
#                              ^^^^^^^ error FLY258: Forbidden: may only be specified when readOnly is true
          - name: data
            mountPath: /b
            readOnly: false
            recursiveReadOnly: IfPossible
#                              ^^^^^^^^^^ error FLY258: Forbidden: may only be specified when readOnly is true
          - name: data
            mountPath: /c
            readOnly: true
            recursiveReadOnly: Enabled
#                              ^^^^^^^ error FLY258: Forbidden: may only be specified when mountPropagation is None or not specified
            mountPropagation: HostToContainer
          - name: data
            mountPath: /d
            readOnly: true
            recursiveReadOnly: IfPossible
            mountPropagation: None
          - name: data
            mountPath: /e
            recursiveReadOnly: Disabled
            mountPropagation: Bidirectional
          - name: data
            mountPath: /f
            readOnly: true
            recursiveReadOnly: Enabled
    volumes:
      - name: data
        hostPath:
          path: /srv/data
"#,
        );
    }

    #[test]
    fn recursive_read_only_in_flyte() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      volumeMounts:
        - name: data
          mountPath: /data
          readOnly: false
          recursiveReadOnly: Enabled
#                            ^^^^^^^ error FLY258: Forbidden: may only be specified when readOnly is true
        - name: data
          mountPath: /other
          readOnly: true
          recursiveReadOnly: Enabled
  volumes:
    - name: data
"#,
        );
    }

    #[test]
    fn read_only_fix() {
        check_fix(
            "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: d\n          mountPath: /d\n          readOnly: false\n          recursiveReadOnly: Enabled\n  volumes:\n    - name: d\n",
            "Set `readOnly: true`",
            "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: d\n          mountPath: /d\n          readOnly: true\n          recursiveReadOnly: Enabled\n  volumes:\n    - name: d\n",
        );
    }
}
