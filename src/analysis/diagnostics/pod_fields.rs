//! FLY230–FLY232: pod-level scalar fields. A negative `terminationGracePeriodSeconds` (a
//! warning), `activeDeadlineSeconds` out of range, and names of other objects (service account,
//! priority class, node, runtime class) and of the pod's own host that are not DNS names.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`ValidatePodSpec`: `activeDeadlineSeconds`,
//! `hostname`, `subdomain`, `serviceAccountName`, `nodeName`, `priorityClassName`,
//! `ValidateRuntimeClassName`) and `pkg/api/pod/warnings.go` (negative grace period).

use crate::analysis::names;
use crate::model::pod::PodParts;

use super::pod_values::{int_value, join, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static GRACE_RULE: Rule = Rule {
    code: "FLY230",
    name: "negative-termination-grace-period",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`terminationGracePeriodSeconds` is negative. The API server accepts the pod with a \
              warning (`must be >= 0; negative values are invalid and will be treated as 1`): \
              the containers get one second to stop. Use 0 to kill them at once.",
    bad: "pod_spec:\n  terminationGracePeriodSeconds: -1\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  terminationGracePeriodSeconds: 0\n  containers:\n    - name: primary\n",
    source: "`pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`)",
};

pub static DEADLINE_RULE: Rule = Rule {
    code: "FLY231",
    name: "active-deadline-out-of-range",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`activeDeadlineSeconds` must be between 1 and 2147483647 (`must be between 1 and \
              2147483647, inclusive`); leave it out for no deadline.",
    bad: "pod_spec:\n  activeDeadlineSeconds: 0\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  activeDeadlineSeconds: 3600\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidatePodSpec`)",
};

pub static NAME_RULE: Rule = Rule {
    code: "FLY232",
    name: "invalid-object-reference-name",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`serviceAccountName`, `priorityClassName`, `nodeName` and `runtimeClassName` name \
              other objects and must be DNS-1123 subdomains (lowercase, `.` and `-`); `hostname` \
              and `subdomain` must be DNS-1123 labels. The API server rejects the pod \
              (`Invalid value`).",
    bad: "pod_spec:\n  serviceAccountName: ML_Runner\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  serviceAccountName: ml-runner\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidatePodSpec`, \
             `ValidateRuntimeClassName`, `NameIsDNSSubdomain`)",
};

pub static FAMILY: Family = Family {
    rules: &[&GRACE_RULE, &DEADLINE_RULE, &NAME_RULE],
    check: Check::Pod(check),
};

const MAX_INT32: i128 = 2_147_483_647;
/// Pod spec fields holding object names (DNS subdomains), checked when non-empty.
const SUBDOMAIN_FIELDS: &[&str] = &[
    "serviceAccountName",
    "priorityClassName",
    "nodeName",
    "runtimeClassName",
];
/// Pod spec fields holding DNS labels, checked when non-empty.
const LABEL_FIELDS: &[&str] = &["hostname", "subdomain"];

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    if let Some(node) = parts.spec_field("terminationGracePeriodSeconds") {
        if int_value(node).is_some_and(|v| v < 0) {
            let message =
                "must be >= 0; negative values are invalid and will be treated as 1".to_string();
            ctx.report(&GRACE_RULE, node.span.clone(), message);
        }
    }
    if let Some(node) = parts.spec_field("activeDeadlineSeconds") {
        if let Some(v) = int_value(node).filter(|v| !(1..=MAX_INT32).contains(v)) {
            let message =
                format!("Invalid value: {v}: must be between 1 and {MAX_INT32}, inclusive");
            ctx.report(&DEADLINE_RULE, node.span.clone(), message);
        }
    }
    for (fields, check) in [
        (
            SUBDOMAIN_FIELDS,
            names::dns1123_subdomain as fn(&str) -> Vec<String>,
        ),
        (LABEL_FIELDS, names::dns1123_label),
    ] {
        for field in fields {
            let Some(node) = parts.spec_field(field) else {
                continue;
            };
            let Some(name) = string_value(node).filter(|n| !n.is_empty()) else {
                continue;
            };
            let errs = check(name);
            if !errs.is_empty() {
                let message = format!("Invalid value: \"{name}\": {}", join(&errs));
                ctx.report(&NAME_RULE, node.span.clone(), message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn pod_level_fields() {
        check_k8s(
            r#"pod_spec:
  terminationGracePeriodSeconds: -5
#                                ^^ warning FLY230: must be >= 0; negative values are invalid and will be treated as 1
  activeDeadlineSeconds: 0
#                        ^ error FLY231: Invalid value: 0: must be between 1 and 2147483647, inclusive
  serviceAccountName: ML_Runner
#                     ^^^^^^^^^ error FLY232: Invalid value: "ML_Runner": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
  priorityClassName: high.priority
  nodeName: ip-10-0-0-1.ec2.internal
  hostname: trainer.0
#           ^^^^^^^^^ error FLY232: Invalid value: "trainer.0": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')
  subdomain: ""
  containers:
    - name: primary
"#,
        );
        check_k8s(
            r#"pod_spec:
  terminationGracePeriodSeconds: 0
  activeDeadlineSeconds: 2147483647
  runtimeClassName: nvidia
  hostname: trainer-0
  containers:
    - name: primary
"#,
        );
    }
}
