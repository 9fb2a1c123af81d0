//! FLY201 and FLY202: label keys and values, in the pod's labels, the object's own
//! `metadata.labels` and the pod spec's `nodeSelector`.
//!
//! Mirrors `staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go`
//! (`ValidateLabels`, `ValidateLabelName`), which `ValidateObjectMeta` runs on `metadata.labels`
//! and `ValidatePodSpec` (`pkg/apis/core/validation/validation.go`) on `spec.nodeSelector`.

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::tree::{Entry, Node};

use super::pod_values::{join, map_entries, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static KEY_RULE: Rule = Rule {
    code: "FLY201",
    name: "invalid-label-key",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: true,
    reads: Reads::NOTHING,
    summary: "A label or nodeSelector key is not a qualified name: an optional lowercase DNS \
              subdomain prefix and `/`, then 1–63 alphanumeric characters, `-`, `_` or `.` that \
              start and end alphanumeric. The API server rejects the pod (`metadata.labels: \
              Invalid value`).",
    bad: "labels:\n  team name: ml\npod_spec:\n  containers: []\n",
    good: "labels:\n  team-name: ml\npod_spec:\n  containers: []\n",
    source: "`staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go` \
             (`ValidateLabels`, `ValidateLabelName`); `ValidatePodSpec` for `nodeSelector`",
};

pub static VALUE_RULE: Rule = Rule {
    code: "FLY202",
    name: "invalid-label-value",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A label or nodeSelector value is not a label value: empty, or at most 63 \
              alphanumeric characters, `-`, `_` or `.` that start and end alphanumeric. Spaces, \
              `/` and `:` are common mistakes. The API server rejects the pod.",
    bad: "labels:\n  owner: data eng\npod_spec:\n  containers: []\n",
    good: "labels:\n  owner: data-eng\npod_spec:\n  containers: []\n",
    source: "`staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go` \
             (`ValidateLabels`); `IsValidLabelValue` in `pkg/util/validation/validation.go`",
};

pub static FAMILY: Family = Family {
    rules: &[&KEY_RULE, &VALUE_RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let mut maps: Vec<&Node> = Vec::new();
    let object_labels = parts.object_metadata.and_then(|m| m.get("labels"));
    for map in [
        parts.labels,
        object_labels,
        parts.spec_field("nodeSelector"),
    ]
    .into_iter()
    .flatten()
    {
        // A Pod's labels are both the pod's and the object's: check them once.
        if !maps.iter().any(|m| m.span == map.span) {
            maps.push(map);
        }
    }
    for map in maps {
        for entry in map_entries(Some(map)) {
            check_entry(ctx, entry);
        }
    }
}

fn check_entry(ctx: &mut Ctx<'_>, entry: &Entry) {
    let Some(key) = entry.key_str() else { return };
    if key == "<<" {
        return;
    }
    let errs = names::qualified_name(key);
    if !errs.is_empty() {
        let message = format!("Invalid value: \"{key}\": {}", join(&errs));
        let fix = lowercase_prefix(key);
        let writer = ctx.writer;
        let diag = ctx.report(&KEY_RULE, entry.key.span.clone(), message);
        if let Some(fixed) = fix {
            // A label key is free text, not a schema name: the string changes, not its spelling.
            diag.with_edit(
                format!("Lower-case the prefix: `{fixed}`"),
                writer.set_string(&entry.key, &fixed),
            );
        }
    }
    if let Some(value) = string_value(&entry.value) {
        let errs = names::label_value(value);
        if !errs.is_empty() {
            let message = format!("Invalid value: \"{value}\": {}", join(&errs));
            ctx.report(&VALUE_RULE, entry.value.span.clone(), message);
        }
    }
}

/// `Example.COM/team` → `example.com/team`, when an upper-case prefix is the only problem.
fn lowercase_prefix(key: &str) -> Option<String> {
    let (prefix, name) = key.split_once('/')?;
    let lowered = format!("{}/{name}", prefix.to_ascii_lowercase());
    (lowered != key && names::qualified_name(&lowered).is_empty()).then_some(lowered)
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn bad_keys_and_values_in_every_place() {
        check_k8s(
            r#"primary_container_name: primary
labels:
  team name: ml
# ^^^^^^^^^ error FLY201: Invalid value: "team name": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')
  a/b/c: x
# ^^^^^ error FLY201: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')
  owner: data eng
#        ^^^^^^^^ error FLY202: Invalid value: "data eng": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')
  url: "https://x"
#      ^^^^^^^^^^^ error FLY202: Invalid value: "https://x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')
pod_spec:
  nodeSelector:
    /zone: a
#   ^^^^^ error FLY201: Invalid value: "/zone": prefix part must be non-empty
    zone: -a
#         ^^ error FLY202: Invalid value: "-a": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn object_metadata_labels_of_a_pod_template() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
  labels:
    Example.com/team: ml
#   ^^^^^^^^^^^^^^^^ error FLY201: Invalid value: "Example.com/team": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
template:
  metadata:
    labels:
      ok: "yes"
  spec:
    containers:
      - name: main
        image: busybox
"#,
        );
    }

    #[test]
    fn valid_keys_and_values_pass() {
        check_k8s(
            r#"primary_container_name: primary
labels:
  app.kubernetes.io/name: Trainer_v1.2
  MyLabel: ""
  x: a-b_c.d
  n: "123"
pod_spec:
  nodeSelector:
    kubernetes.io/arch: amd64
    topology.kubernetes.io/zone: ""
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn pod_labels_are_checked_once() {
        check_k8s(
            r#"apiVersion: v1
kind: Pod
metadata:
  name: p
  labels:
    bad key: x
#   ^^^^^^^ error FLY201: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')
spec:
  containers:
    - name: main
      image: busybox
"#,
        );
    }

    #[test]
    fn lower_case_prefix_fix() {
        check_fix(
            "labels:\n  Example.COM/Team: ml\npod_spec:\n  containers: []\n",
            "Lower-case the prefix: `example.com/Team`",
            "labels:\n  example.com/Team: ml\npod_spec:\n  containers: []\n",
        );
    }
}
