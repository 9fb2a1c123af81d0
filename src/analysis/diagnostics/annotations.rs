//! FLY203: annotation keys and the total size of a pod's annotations, and the annotations the
//! API server gives a meaning to on pods and pod templates.
//!
//! Mirrors `staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go`
//! (`ValidateAnnotations`, `ValidateAnnotationsSize`): keys are qualified names after
//! lower-casing, and keys plus values may total at most 256 KiB. And
//! `pkg/apis/core/validation/validation.go` (`ValidatePodSpecificAnnotations`, run for a Pod's
//! and a pod template's annotations, not a PodTemplate object's own): the mirror-pod
//! annotation needs `nodeName`, `pod-deletion-cost` is an int32 (`GetDeletionCostFromPodAnnotations`),
//! seccomp annotations hold a valid profile (`ValidateSeccompPodAnnotations`), AppArmor
//! annotations name a container of the pod and hold a valid profile
//! (`ValidateAppArmorPodAnnotations`, `ValidateProfileFormat`). The JSON tolerations
//! annotation is not checked.

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::tree::Node;

use super::pod_values::{join, map_entries, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

/// `TotalAnnotationSizeLimitB` (256 KiB).
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * (1 << 10);

pub static RULE: Rule = Rule {
    code: "FLY203",
    name: "invalid-annotations",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(&["name"])),
    summary: "An annotation key is not a qualified name (case is ignored for annotations, so \
              `Example.com/Owner` is fine, but spaces, a second `/` or an empty name part are \
              not), or the keys and values together exceed 262144 bytes (256 KiB). The API \
              server rejects the pod (`metadata.annotations: Invalid value`, or `Too long: may \
              not be more than 262144 bytes`); keep large data in a ConfigMap. Values are free \
              text, except for the annotations Kubernetes reads: \
              `controller.kubernetes.io/pod-deletion-cost` must be a 32-bit integer, \
              `kubernetes.io/config.mirror` needs `nodeName`, seccomp annotations need a valid \
              profile, and `container.apparmor.security.beta.kubernetes.io/<name>` must name a \
              container of the pod and hold `runtime/default`, `unconfined` or \
              `localhost/<profile>`.",
    bad: "annotations:\n  owner email: data-eng@acme.example\npod_spec:\n  containers: []\n",
    good: "annotations:\n  owner-email: data-eng@acme.example\npod_spec:\n  containers: []\n",
    source: "`staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go` \
             (`ValidateAnnotations`, `ValidateAnnotationsSize`, `TotalAnnotationSizeLimitB`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let mut maps: Vec<&Node> = Vec::new();
    let object = parts.object_metadata.and_then(|m| m.get("annotations"));
    for map in [parts.annotations, object].into_iter().flatten() {
        if !maps.iter().any(|m| m.span == map.span) {
            maps.push(map);
        }
    }
    for map in maps {
        check_map(ctx, map);
    }
    if let Some(map) = parts.annotations {
        check_pod_specific(ctx, parts, map);
    }
}

const MIRROR_POD: &str = "kubernetes.io/config.mirror";
const DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";
const SECCOMP_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// `ValidatePodSpecificAnnotations`, for the pod's own annotations.
fn check_pod_specific(ctx: &mut Ctx<'_>, parts: &PodParts<'_>, map: &Node) {
    for entry in map_entries(Some(map)) {
        let Some(key) = entry.key_str() else { continue };
        // Values of another type are FLY106's; the mirror check needs no value.
        let value = string_value(&entry.value);
        let problem = if key == MIRROR_POD {
            let node_name = parts
                .spec_field("nodeName")
                .and_then(string_value)
                .unwrap_or("");
            node_name
                .is_empty()
                .then(|| "must set spec.nodeName if mirror pod annotation is set".to_string())
        } else if key == DELETION_COST {
            value
                .filter(|v| !is_deletion_cost(v))
                .map(|_| "must be a 32bit integer".to_string())
        } else if key == SECCOMP_POD || key.starts_with(SECCOMP_CONTAINER_PREFIX) {
            value.and_then(seccomp_problem).map(str::to_string)
        } else if let Some(container) = key.strip_prefix(APPARMOR_PREFIX) {
            if !has_container(parts, container) {
                let message = format!("Invalid value: \"{container}\": container not found");
                ctx.report(&RULE, entry.key.span.clone(), message);
            }
            value.and_then(apparmor_problem)
        } else {
            None
        };
        if let Some(problem) = problem {
            let shown = value.unwrap_or("");
            let message = format!("Invalid value: \"{shown}\": {problem}");
            let at = if value.is_some() {
                entry.value.span.clone()
            } else {
                entry.key.span.clone()
            };
            ctx.report(&RULE, at, message);
        }
    }
}

/// `GetDeletionCostFromPodAnnotations`: `validFirstDigit` (no `+`, no leading zero) and then
/// `strconv.ParseInt(value, 10, 32)`.
fn is_deletion_cost(value: &str) -> bool {
    let valid_first = match value.as_bytes().first() {
        Some(b'-') | Some(b'1'..=b'9') => true,
        Some(b'0') => value == "0",
        _ => false,
    };
    valid_first && value.parse::<i32>().is_ok()
}

/// `ValidateSeccompProfile` for the annotation values.
fn seccomp_problem(profile: &str) -> Option<&'static str> {
    if matches!(profile, "runtime/default" | "docker/default" | "unconfined") {
        return None;
    }
    match profile.strip_prefix("localhost/") {
        Some(path) => super::pod_values::descending_path_problem(path),
        None => Some("must be a valid seccomp profile"),
    }
}

/// `ValidateProfileFormat` for the deprecated AppArmor annotation.
fn apparmor_problem(profile: &str) -> Option<String> {
    if profile.is_empty()
        || profile == "runtime/default"
        || profile == "unconfined"
        || profile.starts_with("localhost/")
    {
        return None;
    }
    Some(format!("invalid AppArmor profile name: \"{profile}\""))
}

/// `podSpecHasContainer`: a regular or init container of that name. In a Flyte template the
/// primary container exists even when the spec does not list it: the SDK adds it.
fn has_container(parts: &PodParts<'_>, name: &str) -> bool {
    parts.primary_name() == Some(name)
        || parts
            .all_containers()
            .iter()
            .any(|(_, c)| c.get("name").and_then(string_value) == Some(name))
}

fn check_map(ctx: &mut Ctx<'_>, map: &Node) {
    let mut total = 0usize;
    let mut largest: Option<(usize, &Node)> = None;
    for entry in map_entries(Some(map)) {
        let Some(key) = entry.key_str() else { continue };
        if key == "<<" {
            continue;
        }
        let errs = names::qualified_name(&key.to_lowercase());
        if !errs.is_empty() {
            let message = format!("Invalid value: \"{key}\": {}", join(&errs));
            ctx.report(&RULE, entry.key.span.clone(), message);
        }
        let size = key.len() + entry.value.as_str().map_or(0, str::len);
        total += size;
        if largest.is_none_or(|(s, _)| size > s) {
            largest = Some((size, &entry.key));
        }
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        if let Some((_, key)) = largest {
            let message = format!(
                "Too long: may not be more than {TOTAL_ANNOTATION_SIZE_LIMIT} bytes (the \
                 annotations total {total} bytes; `{}` is the largest)",
                key.as_str().unwrap_or("")
            );
            ctx.report(&RULE, key.span.clone(), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn annotation_keys_ignore_case_but_not_format() {
        check_k8s(
            r#"primary_container_name: primary
annotations:
  Example.COM/Owner: ok
  owner email: x
# ^^^^^^^^^^^ error FLY203: Invalid value: "owner email": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')
  a/b/c: x
# ^^^^^ error FLY203: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')
  note: "any value: even spaces / and : are fine"
pod_spec:
  containers:
    - name: primary
"#,
        );
    }

    /// Without FLY262: the deprecation warnings for these annotations are tested there.
    fn check_without_deprecations(fixture: &str) {
        let mut settings = super::super::pod_values::test_support::k8s_settings();
        settings
            .rules
            .insert("FLY262".into(), crate::settings::RuleLevel::Off);
        crate::analysis::diagnostics::fixture::check_with(&settings, fixture);
    }

    #[test]
    fn pod_specific_annotations() {
        check_without_deprecations(
            r#"apiVersion: v1
kind: Pod
metadata:
  name: trainer-0
  annotations:
    controller.kubernetes.io/pod-deletion-cost: "+10"
#                                               ^^^^^ error FLY203: Invalid value: "+10": must be a 32bit integer
    kubernetes.io/config.mirror: abc
#                                ^^^ error FLY203: Invalid value: "abc": must set spec.nodeName if mirror pod annotation is set
    seccomp.security.alpha.kubernetes.io/pod: localhost/../etc/profile.json
#                                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error FLY203: Invalid value: "localhost/../etc/profile.json": must not contain '..'
    container.seccomp.security.alpha.kubernetes.io/trainer: default
#                                                           ^^^^^^^ error FLY203: Invalid value: "default": must be a valid seccomp profile
    container.apparmor.security.beta.kubernetes.io/sidecar: localhost/k8s-apparmor-example
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error FLY203: Invalid value: "sidecar": container not found
    container.apparmor.security.beta.kubernetes.io/trainer: enforce
#                                                           ^^^^^^^ error FLY203: Invalid value: "enforce": invalid AppArmor profile name: "enforce"
spec:
  containers:
    - name: trainer
      image: ghcr.io/acme/train:1.4.2
"#,
        );
    }

    #[test]
    fn pod_specific_annotations_that_pass() {
        // The primary container of a Flyte template exists once the SDK adds it; the object's
        // own metadata of a PodTemplate is not a pod's.
        check_without_deprecations(
            r#"annotations:
  controller.kubernetes.io/pod-deletion-cost: "-250"
  container.apparmor.security.beta.kubernetes.io/primary: runtime/default
  container.seccomp.security.alpha.kubernetes.io/primary: localhost/profiles/train.json
  seccomp.security.alpha.kubernetes.io/pod: runtime/default
pod_spec:
  nodeName: node-1
  containers: []
"#,
        );
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
  annotations:
    controller.kubernetes.io/pod-deletion-cost: high
template:
  metadata:
    annotations:
      controller.kubernetes.io/pod-deletion-cost: "0"
  spec:
    containers:
      - name: main
        image: busybox:1.36
"#,
        );
    }

    #[test]
    fn total_size_is_limited() {
        let big = "x".repeat(super::TOTAL_ANNOTATION_SIZE_LIMIT);
        let source = format!(
            "annotations:\n  small: \"y\"\n  big: \"{big}\"\npod_spec:\n  containers: []\n"
        );
        let analysis = crate::engine::analyze(&source, &crate::settings::Settings::default());
        let found: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.code == "FLY203")
            .collect();
        assert_eq!(found.len(), 1, "{:?}", analysis.diagnostics);
        assert_eq!(&source[found[0].range.clone()], "big");
        assert!(found[0].message.starts_with(
            "Too long: may not be more than 262144 bytes (the annotations total 262153 bytes"
        ));

        let fits = format!(
            "annotations:\n  big: \"{}\"\npod_spec:\n  containers: []\n",
            "x".repeat(super::TOTAL_ANNOTATION_SIZE_LIMIT - 3)
        );
        let analysis = crate::engine::analyze(&fits, &crate::settings::Settings::default());
        assert!(!analysis.diagnostics.iter().any(|d| d.code == "FLY203"));
    }
}
