//! FLY262: what the API server accepts with a deprecation warning: deprecated node labels in
//! `nodeSelector`, node affinity and topology keys; annotations that no longer do anything;
//! removed volume plugins; and seccomp/AppArmor annotations without the field that replaced
//! them.
//!
//! Mirrors `pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`, `deprecatedAnnotations`)
//! and `pkg/api/node/util.go` (`deprecatedNodeLabels`, `GetNodeLabelDeprecatedMessage`,
//! `GetWarningsForNodeSelectorTerm`), read at kubernetes master of late 2025 (the version with
//! the `GitRepoVolumeDriver` gate and duplicate port name warnings). The AppArmor annotation of a
//! `kind: Pod` (and of a Flyte template, which the Flyte backend creates as a Pod) is warned
//! about by `pkg/registry/core/pod/strategy.go` (`applyAppArmorVersionSkew`, run by
//! `PrepareForCreate`) instead of warnings.go, with its own condition: the container has no
//! `appArmorProfile` of its own, and the annotation is not a valid profile equal to the pod-level
//! one. Windows pods are skipped there.

use crate::model::pod::PodParts;
use crate::model::DocKind;
use crate::tree::Node;

use super::pod_values::{is_set, map_entries, map_items, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY262",
    name: "deprecated-in-kubernetes",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(&[])),
    summary: "Something Kubernetes deprecated: a node label such as `beta.kubernetes.io/arch` \
              (use `kubernetes.io/arch`) in `nodeSelector`, node affinity or a topology key; an \
              annotation that stopped working (`scheduler.alpha.kubernetes.io/critical-pod`, \
              the sysctls annotations, seccomp and AppArmor annotations without their fields: \
              for a Pod, an AppArmor annotation is only silent when it equals the pod-level \
              `appArmorProfile`); or a removed volume plugin (`gitRepo`, `glusterfs`, `cephfs`, \
              `rbd`, ...). The API server accepts the pod with a warning, but nodes may no \
              longer carry the label and the feature may do nothing.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  nodeSelector:\n    beta.kubernetes.io/arch: amd64\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  nodeSelector:\n    kubernetes.io/arch: amd64\n",
    source: "`pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`); `pkg/api/node/util.go` \
             (`deprecatedNodeLabels`); `pkg/registry/core/pod/strategy.go` \
             (`applyAppArmorVersionSkew`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

/// `deprecatedNodeLabels`: the label, the API server's message, and the label that replaces it
/// (the quick fix; empty when nothing does).
const NODE_LABELS: &[(&str, &str, &str)] = &[
    (
        "beta.kubernetes.io/arch",
        "deprecated since v1.14; use \"kubernetes.io/arch\" instead",
        "kubernetes.io/arch",
    ),
    (
        "beta.kubernetes.io/os",
        "deprecated since v1.14; use \"kubernetes.io/os\" instead",
        "kubernetes.io/os",
    ),
    (
        "failure-domain.beta.kubernetes.io/region",
        "deprecated since v1.17; use \"topology.kubernetes.io/region\" instead",
        "topology.kubernetes.io/region",
    ),
    (
        "failure-domain.beta.kubernetes.io/zone",
        "deprecated since v1.17; use \"topology.kubernetes.io/zone\" instead",
        "topology.kubernetes.io/zone",
    ),
    (
        "beta.kubernetes.io/instance-type",
        "deprecated since v1.17; use \"node.kubernetes.io/instance-type\" instead",
        "node.kubernetes.io/instance-type",
    ),
    ("app.kubernetes.io/created-by", "deprecated since v1.9", ""),
    (
        "scheduler.alpha.kubernetes.io/preferAvoidPods",
        "deprecated since v1.22; use Taints and Tolerations instead",
        "",
    ),
    (
        "node-role.kubernetes.io/master",
        "use \"node-role.kubernetes.io/control-plane\" instead",
        "node-role.kubernetes.io/control-plane",
    ),
];

/// `deprecatedAnnotations`.
const ANNOTATIONS: &[(&str, &str)] = &[
    (
        "scheduler.alpha.kubernetes.io/critical-pod",
        "non-functional in v1.16+; use the \"priorityClassName\" field instead",
    ),
    (
        "security.alpha.kubernetes.io/sysctls",
        "non-functional in v1.11+; use the \"sysctls\" field instead",
    ),
    (
        "security.alpha.kubernetes.io/unsafe-sysctls",
        "non-functional in v1.11+; use the \"sysctls\" field instead",
    ),
];

/// Deprecated and removed volume plugins (JSON field names).
const VOLUME_PLUGINS: &[(&str, &str)] = &[
    (
        "photonPersistentDisk",
        "deprecated in v1.11, non-functional in v1.16+",
    ),
    // With the `GitRepoVolumeDriver` gate off, its default from v1.33 (every version embedded).
    (
        "gitRepo",
        "deprecated in v1.11, and disabled by default in v1.33+",
    ),
    ("scaleIO", "deprecated in v1.16, non-functional in v1.22+"),
    ("flocker", "deprecated in v1.22, non-functional in v1.25+"),
    ("storageos", "deprecated in v1.22, non-functional in v1.25+"),
    ("quobyte", "deprecated in v1.22, non-functional in v1.25+"),
    ("glusterfs", "deprecated in v1.25, non-functional in v1.26+"),
    ("cephfs", "deprecated in v1.28, non-functional in v1.31+"),
    ("rbd", "deprecated in v1.28, non-functional in v1.31+"),
];

const SECCOMP_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";
const SECCOMP_MESSAGE: &str = "non-functional in v1.27+; use the \"seccompProfile\" field instead";
const APPARMOR_MESSAGE: &str = "deprecated since v1.30; use the \"appArmorProfile\" field instead";

/// The message and the replacement for a deprecated node label.
fn node_label(key: &str) -> Option<(&'static str, &'static str)> {
    NODE_LABELS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, m, r)| (*m, *r))
}

/// Reports a deprecated node label at `node`, with the fix that writes its successor.
fn report_label(ctx: &mut Ctx<'_>, node: &Node, message: String, replacement: &str) {
    let writer = ctx.writer;
    let d = ctx.report(&RULE, node.span.clone(), message);
    if !replacement.is_empty() {
        d.with_edit(
            format!("Use `{replacement}`"),
            writer.set_string(node, replacement),
        );
    }
}

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    for entry in map_entries(parts.spec_field("nodeSelector")) {
        if let Some((message, replacement)) = entry.key_str().and_then(node_label) {
            report_label(ctx, &entry.key, message.to_string(), replacement);
        }
    }
    if let Some(node) = parts
        .spec_field("affinity")
        .and_then(|a| a.get("nodeAffinity"))
    {
        let required = node
            .get("requiredDuringSchedulingIgnoredDuringExecution")
            .and_then(|r| r.get("nodeSelectorTerms"));
        for term in map_items(required) {
            check_term(ctx, term);
        }
        for preferred in map_items(node.get("preferredDuringSchedulingIgnoredDuringExecution")) {
            if let Some(term) = preferred.get("preference") {
                check_term(ctx, term);
            }
        }
    }
    for constraint in map_items(parts.spec_field("topologySpreadConstraints")) {
        check_label_key(ctx, constraint.get("topologyKey"));
    }
    for volume in map_items(parts.spec_field("volumes")) {
        for (field, message) in VOLUME_PLUGINS {
            if let Some(entry) = volume.entry(field).filter(|e| !e.value.is_null()) {
                ctx.report(&RULE, entry.key.span.clone(), (*message).to_string());
            }
        }
    }
    check_annotations(ctx, parts);
}

/// `GetWarningsForNodeSelectorTerm`: the keys of `matchExpressions`.
fn check_term(ctx: &mut Ctx<'_>, term: &Node) {
    for req in map_items(term.get("matchExpressions")) {
        check_label_key(ctx, req.get("key"));
    }
}

/// A node label used as a key: the message names it (`<key> is deprecated since ...`).
fn check_label_key(ctx: &mut Ctx<'_>, node: Option<&Node>) {
    let Some(node) = node else { return };
    let Some(key) = string_value(node) else {
        return;
    };
    if let Some((message, replacement)) = node_label(key) {
        report_label(ctx, node, format!("{key} is {message}"), replacement);
    }
}

fn check_annotations(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let pod_sc = parts.spec_field("securityContext");
    let pod_seccomp = is_set(pod_sc.and_then(|s| s.get("seccompProfile")));
    let pod_apparmor = pod_sc.and_then(|s| s.get("appArmorProfile"));
    // A Flyte template becomes a Pod; only a `kind: PodTemplate` takes the template path.
    let pod = parts.kind != Some(DocKind::KubePodTemplate);
    let windows = parts
        .spec_field("os")
        .and_then(|o| o.get("name"))
        .and_then(string_value)
        == Some("windows");
    for entry in map_entries(parts.annotations) {
        let Some(key) = entry.key_str() else { continue };
        let message = if let Some((_, m)) = ANNOTATIONS.iter().find(|(k, _)| *k == key) {
            Some(*m)
        } else if key == SECCOMP_POD {
            (!pod_seccomp).then_some(SECCOMP_MESSAGE)
        } else if let Some(name) = key.strip_prefix(SECCOMP_CONTAINER_PREFIX) {
            // warnings.go visits the containers: an annotation naming none is not warned about.
            container_named(parts, name)
                .filter(|c| !container_field(*c, "seccompProfile"))
                .map(|_| SECCOMP_MESSAGE)
        } else if let Some(name) = key.strip_prefix(APPARMOR_PREFIX) {
            let container =
                container_named(parts, name).filter(|c| !container_field(*c, "appArmorProfile"));
            let warn = match container {
                None => false,
                // `applyAppArmorVersionSkew`: silent only when the annotation is a valid profile
                // equal to the pod-level one (it is then not copied into the container).
                Some(_) if pod => {
                    !windows
                        && !string_value(&entry.value)
                            .and_then(apparmor_field_for_annotation)
                            .is_some_and(|profile| same_profile(&profile, pod_apparmor))
                }
                // warnings.go, for pod templates: any pod-level field silences it.
                Some(_) => !is_set(pod_apparmor),
            };
            warn.then_some(APPARMOR_MESSAGE)
        } else {
            None
        };
        if let Some(message) = message {
            ctx.report(&RULE, entry.key.span.clone(), message.to_string());
        }
    }
}

/// The container of that name (regular, init or ephemeral: `VisitContainers` visits them all):
/// `Some(None)` for a Flyte primary container the spec does not list (the SDK adds it, without
/// a security context), `None` when the pod has no such container.
fn container_named<'a>(parts: &PodParts<'a>, name: &str) -> Option<Option<&'a Node>> {
    let listed = ["containers", "initContainers", "ephemeralContainers"]
        .into_iter()
        .flat_map(|list| parts.containers_in(list))
        .find(|c| c.get("name").and_then(string_value) == Some(name));
    match listed {
        Some(c) => Some(Some(c)),
        None => (parts.primary_name() == Some(name)).then_some(None),
    }
}

/// Whether the container's `securityContext` sets `field`.
fn container_field(container: Option<&Node>, field: &str) -> bool {
    is_set(
        container
            .and_then(|c| c.get("securityContext"))
            .and_then(|s| s.get(field)),
    )
}

/// An AppArmor profile as the API server holds it: its type and localhost profile name.
#[derive(Debug, PartialEq, Eq)]
struct AppArmorProfile<'a> {
    kind: &'a str,
    localhost: Option<&'a str>,
}

/// `maxLocalhostProfileLength` in `ValidateAppArmorProfileField`.
const MAX_LOCALHOST_PROFILE: usize = 4095;

/// `podutil.ApparmorFieldForAnnotation`, then `ValidateAppArmorProfileField` (an invalid field is
/// not copied, and `None` here, as upstream).
fn apparmor_field_for_annotation(value: &str) -> Option<AppArmorProfile<'_>> {
    match value {
        "unconfined" => Some(AppArmorProfile {
            kind: "Unconfined",
            localhost: None,
        }),
        "runtime/default" => Some(AppArmorProfile {
            kind: "RuntimeDefault",
            localhost: None,
        }),
        _ => {
            let profile = value.strip_prefix("localhost/").filter(|p| !p.is_empty())?;
            let valid = profile.len() <= MAX_LOCALHOST_PROFILE && profile.trim() == profile;
            valid.then_some(AppArmorProfile {
                kind: "Localhost",
                localhost: Some(profile),
            })
        }
    }
}

/// `apiequality.Semantic.DeepEqual(newField, podProfile)`: the pod-level `appArmorProfile` is
/// set and has the same type and localhost profile.
fn same_profile(profile: &AppArmorProfile<'_>, pod: Option<&Node>) -> bool {
    let Some(pod) = pod.filter(|p| is_set(Some(p))) else {
        return false;
    };
    let kind = pod.get("type").and_then(string_value);
    let localhost = match pod.get("localhostProfile").filter(|n| !n.is_null()) {
        None => None,
        // A value of another type is FLY106's; it equals nothing.
        Some(n) => match string_value(n) {
            Some(s) => Some(s),
            None => return false,
        },
    };
    kind == Some(profile.kind) && localhost == profile.localhost
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn deprecated_node_labels() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  nodeSelector:
    beta.kubernetes.io/arch: amd64
#   ^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: deprecated since v1.14; use "kubernetes.io/arch" instead
    kubernetes.io/os: linux
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions:
              - key: failure-domain.beta.kubernetes.io/zone
#                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: failure-domain.beta.kubernetes.io/zone is deprecated since v1.17; use "topology.kubernetes.io/zone" instead
                operator: In
                values: [us-east-1a]
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 1
          preference:
            matchExpressions:
              - key: beta.kubernetes.io/instance-type
#                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: beta.kubernetes.io/instance-type is deprecated since v1.17; use "node.kubernetes.io/instance-type" instead
                operator: Exists
  topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: failure-domain.beta.kubernetes.io/region
#                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: failure-domain.beta.kubernetes.io/region is deprecated since v1.17; use "topology.kubernetes.io/region" instead
      whenUnsatisfiable: ScheduleAnyway
      labelSelector: {}
"#,
        );
    }

    #[test]
    fn the_fix_writes_the_successor_label() {
        check_fix(
            "pod_spec:\n  containers: []\n  nodeSelector:\n    'beta.kubernetes.io/arch': arm64\n",
            "Use `kubernetes.io/arch`",
            "pod_spec:\n  containers: []\n  nodeSelector:\n    'kubernetes.io/arch': arm64\n",
        );
        check_fix(
            "pod_spec:\n  containers: []\n  topologySpreadConstraints:\n    - maxSkew: 1\n      topologyKey: failure-domain.beta.kubernetes.io/zone\n      whenUnsatisfiable: ScheduleAnyway\n      labelSelector: {}\n",
            "Use `topology.kubernetes.io/zone`",
            "pod_spec:\n  containers: []\n  topologySpreadConstraints:\n    - maxSkew: 1\n      topologyKey: topology.kubernetes.io/zone\n      whenUnsatisfiable: ScheduleAnyway\n      labelSelector: {}\n",
        );
    }

    #[test]
    fn deprecated_annotations_and_volumes() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: legacy
template:
  metadata:
    annotations:
      scheduler.alpha.kubernetes.io/critical-pod: ""
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: non-functional in v1.16+; use the "priorityClassName" field instead
      seccomp.security.alpha.kubernetes.io/pod: runtime/default
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: non-functional in v1.27+; use the "seccompProfile" field instead
      container.apparmor.security.beta.kubernetes.io/main: runtime/default
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: deprecated since v1.30; use the "appArmorProfile" field instead
      container.seccomp.security.alpha.kubernetes.io/side: unconfined
  spec:
    containers:
      - name: main
        image: busybox:1.36
      - name: side
        image: busybox:1.36
        securityContext:
          seccompProfile:
            type: Unconfined
    volumes:
      - name: src
        gitRepo:
#       ^^^^^^^ warning FLY262: deprecated in v1.11, and disabled by default in v1.33+
          repository: https://github.com/acme/models.git
      - name: data
        emptyDir: {}
"#,
        );
    }

    #[test]
    fn apparmor_annotations_of_a_pod_follow_the_version_skew() {
        // `applyAppArmorVersionSkew`: a container with its own field, or whose annotation is a
        // valid profile equal to the pod-level one, is not warned about; every other annotation
        // naming a container is, even with a pod-level field (unlike a pod template).
        check_k8s(
            r#"apiVersion: v1
kind: Pod
metadata:
  name: trainer-0
  annotations:
    container.apparmor.security.beta.kubernetes.io/trainer: localhost/k8s-apparmor-example
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: deprecated since v1.30; use the "appArmorProfile" field instead
    container.apparmor.security.beta.kubernetes.io/fetch: unconfined
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: deprecated since v1.30; use the "appArmorProfile" field instead
    container.apparmor.security.beta.kubernetes.io/sidecar: runtime/default
    container.apparmor.security.beta.kubernetes.io/pinned: runtime/default
spec:
  securityContext:
    appArmorProfile:
      type: RuntimeDefault
  initContainers:
    - name: fetch
      image: busybox:1.36
  containers:
    - name: trainer
      image: ghcr.io/acme/train:1.4.2
    - name: sidecar
      image: busybox:1.36
    - name: pinned
      image: busybox:1.36
      securityContext:
        appArmorProfile:
          type: RuntimeDefault
"#,
        );
    }

    #[test]
    fn apparmor_and_seccomp_annotations_need_a_container() {
        // A Flyte template is created as a Pod; its primary container exists once the SDK adds
        // it. An annotation naming no container is FLY203's error, not a deprecation.
        let mut settings = super::super::pod_values::test_support::k8s_settings();
        settings
            .rules
            .insert("FLY203".into(), crate::settings::RuleLevel::Off);
        crate::analysis::diagnostics::fixture::check_with(
            &settings,
            r#"annotations:
  container.apparmor.security.beta.kubernetes.io/primary: runtime/default
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: deprecated since v1.30; use the "appArmorProfile" field instead
  container.apparmor.security.beta.kubernetes.io/ghost: runtime/default
  container.seccomp.security.alpha.kubernetes.io/ghost: runtime/default
pod_spec:
  containers: []
"#,
        );
        check_k8s(
            r#"apiVersion: v1
kind: Pod
metadata:
  name: win-0
  annotations:
    container.apparmor.security.beta.kubernetes.io/main: runtime/default
spec:
  os:
    name: windows
  containers:
    - name: main
      image: mcr.microsoft.com/windows/nanoserver:ltsc2022
"#,
        );
    }

    #[test]
    fn labels_without_a_successor_have_no_fix() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  nodeSelector:
    node-role.kubernetes.io/master: ""
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: use "node-role.kubernetes.io/control-plane" instead
    app.kubernetes.io/created-by: ops
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY262: deprecated since v1.9
"#,
        );
        check_fix(
            "pod_spec:\n  containers: []\n  nodeSelector:\n    node-role.kubernetes.io/master: \"\"\n",
            "Use `node-role.kubernetes.io/control-plane`",
            "pod_spec:\n  containers: []\n  nodeSelector:\n    node-role.kubernetes.io/control-plane: \"\"\n",
        );
        let analysis = crate::engine::analyze(
            "pod_spec:\n  containers: []\n  nodeSelector:\n    app.kubernetes.io/created-by: ops\n",
            &crate::settings::Settings::default(),
        );
        let found: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.code == "FLY262")
            .collect();
        assert_eq!(found.len(), 1);
        assert!(found[0].fixes.is_empty());
    }

    #[test]
    fn current_labels_and_fields_are_quiet() {
        check_k8s(
            r#"annotations:
  container.apparmor.security.beta.kubernetes.io/primary: runtime/default
pod_spec:
  securityContext:
    appArmorProfile:
      type: RuntimeDefault
  containers:
    - name: primary
  nodeSelector:
    node.kubernetes.io/instance-type: p4d.24xlarge
    topology.kubernetes.io/zone: us-east-1a
"#,
        );
    }
}
