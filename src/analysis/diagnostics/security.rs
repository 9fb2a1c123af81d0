//! FLY238–FLY240: security contexts of the pod and its containers. User and group IDs in
//! range, `allowPrivilegeEscalation: false` that contradicts `privileged` or `CAP_SYS_ADMIN`,
//! and seccomp/AppArmor profiles whose `localhostProfile` does not match their type.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`ValidateSecurityContext`,
//! `validatePodSpecSecurityContext`, `validateSeccompProfileField`,
//! `ValidateAppArmorProfileField`) and `IsValidUserID`/`IsValidGroupID` in
//! `staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go`.

use crate::model::pod::PodParts;
use crate::tree::{Node, Reading};

use super::pod_values::{descending_path_problem, int_value, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static ID_RULE: Rule = Rule {
    code: "FLY238",
    name: "invalid-user-or-group-id",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`runAsUser`, `runAsGroup`, `fsGroup` and `supplementalGroups` must be between 0 \
              and 4294967295 (`must be between 0 and 4294967295, inclusive`).",
    bad: "pod_spec:\n  securityContext:\n    runAsUser: -1\n  containers:\n    - name: primary\n",
    good:
        "pod_spec:\n  securityContext:\n    runAsUser: 1000\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`validatePodSpecSecurityContext`, \
             `ValidateSecurityContext`); `IsValidUserID`, `IsValidGroupID`",
};

pub static ESCALATION_RULE: Rule = Rule {
    code: "FLY239",
    name: "privilege-escalation-conflict",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A container sets `allowPrivilegeEscalation: false` together with `privileged: true` \
              or with the capability `CAP_SYS_ADMIN`, which both imply escalation. The API \
              server rejects the container's security context.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      securityContext:\n        privileged: true\n        allowPrivilegeEscalation: false\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      securityContext:\n        privileged: true\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateSecurityContext`)",
};

pub static PROFILE_RULE: Rule = Rule {
    code: "FLY240",
    name: "security-profile-localhost",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A `seccompProfile` or `appArmorProfile` of type `Localhost` needs a \
              `localhostProfile` (a relative path), and the other types may not have one.",
    bad: "pod_spec:\n  securityContext:\n    seccompProfile:\n      type: Localhost\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  securityContext:\n    seccompProfile:\n      type: Localhost\n      localhostProfile: profiles/train.json\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateSeccompProfileField`, \
             `ValidateAppArmorProfileField`)",
};

pub static FAMILY: Family = Family {
    rules: &[&ID_RULE, &ESCALATION_RULE, &PROFILE_RULE],
    check: Check::Pod(check),
};

const MAX_ID: i128 = 4_294_967_295;

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    if let Some(sc) = parts.spec_field("securityContext") {
        for field in ["runAsUser", "runAsGroup", "fsGroup"] {
            check_id(ctx, sc.get(field));
        }
        for id in sc
            .get("supplementalGroups")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            check_id(ctx, Some(id));
        }
        check_profiles(ctx, sc);
    }
    for (_, container) in parts.all_containers() {
        let Some(sc) = container.get("securityContext") else {
            continue;
        };
        for field in ["runAsUser", "runAsGroup"] {
            check_id(ctx, sc.get(field));
        }
        check_escalation(ctx, sc);
        check_profiles(ctx, sc);
    }
}

fn check_id(ctx: &mut Ctx<'_>, node: Option<&Node>) {
    let Some(node) = node else { return };
    if let Some(v) = int_value(node).filter(|v| !(0..=MAX_ID).contains(v)) {
        let message = format!("Invalid value: {v}: must be between 0 and {MAX_ID}, inclusive");
        ctx.report(&ID_RULE, node.span.clone(), message);
    }
}

fn is_true(node: Option<&Node>) -> bool {
    node.is_some_and(|n| n.reading() == Some(Reading::Bool(true)))
}

fn check_escalation(ctx: &mut Ctx<'_>, sc: &Node) {
    let Some(entry) = sc.entry("allowPrivilegeEscalation") else {
        return;
    };
    if entry.value.reading() != Some(Reading::Bool(false)) {
        return;
    }
    if is_true(sc.get("privileged")) {
        ctx.report(
            &ESCALATION_RULE,
            entry.value.span.clone(),
            "Invalid value: cannot set `allowPrivilegeEscalation` to false and `privileged` to \
             true"
                .to_string(),
        );
    }
    let added = sc
        .get("capabilities")
        .and_then(|c| c.get("add"))
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    for cap in added {
        if string_value(cap) == Some("CAP_SYS_ADMIN") {
            ctx.report(
                &ESCALATION_RULE,
                cap.span.clone(),
                "Invalid value: cannot set `allowPrivilegeEscalation` to false and \
                 `capabilities.Add` CAP_SYS_ADMIN"
                    .to_string(),
            );
        }
    }
}

fn check_profiles(ctx: &mut Ctx<'_>, sc: &Node) {
    for (field, what) in [
        ("seccompProfile", "seccomp"),
        ("appArmorProfile", "AppArmor"),
    ] {
        let Some(profile) = sc.get(field).filter(|p| p.as_map().is_some()) else {
            continue;
        };
        let Some(kind) = profile.get("type").and_then(string_value) else {
            // A missing type is FLY104 (required); a non-string one is FLY106.
            continue;
        };
        let local = profile
            .entry("localhostProfile")
            .filter(|e| !e.value.is_null());
        match (kind, local) {
            ("Localhost", None) => {
                let at = profile.entry("type").map(|e| e.key.span.clone());
                if let Some(at) = at {
                    let message = format!(
                        "Required value: `localhostProfile` must be set when {what} type is \
                         Localhost"
                    );
                    ctx.report(&PROFILE_RULE, at, message);
                }
            }
            ("Localhost", Some(e)) => {
                // AppArmor profiles are names in the node's loaded set, not paths: the API
                // server only refuses padding and over-long names (`ValidateAppArmorProfileField`).
                let problem = string_value(&e.value).and_then(|path| {
                    if field == "appArmorProfile" {
                        apparmor_profile_problem(path)
                    } else {
                        descending_path_problem(path)
                    }
                    .map(|p| (path, p))
                });
                if let Some((path, problem)) = problem {
                    let message = format!("Invalid value: \"{path}\": {problem}");
                    ctx.report(&PROFILE_RULE, e.value.span.clone(), message);
                }
            }
            (_, Some(e)) => {
                let message =
                    format!("Invalid value: can only be set when {what} type is Localhost");
                ctx.report(&PROFILE_RULE, e.key.span.clone(), message);
            }
            (_, None) => {}
        }
    }
}

/// `ValidateAppArmorProfileField` for type Localhost: no surrounding whitespace, at most 4095
/// characters.
fn apparmor_profile_problem(name: &str) -> Option<&'static str> {
    if name.trim() != name {
        return Some("must not be padded with whitespace");
    }
    if name.len() > 4095 {
        return Some("must be no more than 4095 characters");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn security_contexts() {
        check_k8s(
            r#"pod_spec:
  securityContext:
    runAsUser: -1
#              ^^ error FLY238: Invalid value: -1: must be between 0 and 4294967295, inclusive
    fsGroup: 4294967296
#            ^^^^^^^^^^ error FLY238: Invalid value: 4294967296: must be between 0 and 4294967295, inclusive
    supplementalGroups: [1000, -5]
#                              ^^ error FLY238: Invalid value: -5: must be between 0 and 4294967295, inclusive
    seccompProfile:
      type: Localhost
#     ^^^^ error FLY240: Required value: `localhostProfile` must be set when seccomp type is Localhost
    appArmorProfile:
      type: RuntimeDefault
      localhostProfile: x
#     ^^^^^^^^^^^^^^^^ error FLY240: Invalid value: can only be set when AppArmor type is Localhost
  containers:
    - name: primary
      securityContext:
        runAsGroup: 4294967295
        privileged: true
        allowPrivilegeEscalation: false
#                                 ^^^^^ error FLY239: Invalid value: cannot set `allowPrivilegeEscalation` to false and `privileged` to true
        capabilities:
          add: [CAP_SYS_ADMIN, SYS_ADMIN]
#               ^^^^^^^^^^^^^ error FLY239: Invalid value: cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN
        seccompProfile:
          type: Localhost
          localhostProfile: /etc/seccomp/x.json
#                           ^^^^^^^^^^^^^^^^^^^ error FLY240: Invalid value: "/etc/seccomp/x.json": must be a relative path
"#,
        );
    }

    #[test]
    fn good_security_contexts() {
        check_k8s(
            r#"pod_spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    fsGroup: 1000
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: primary
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
          add: [SYS_ADMIN]
        appArmorProfile:
          type: Localhost
          localhostProfile: k8s-apparmor-example
"#,
        );
    }
}
