//! FLY242 and FLY243: fields inside volume sources (names, file modes, item paths) and the
//! `subPath` of volume mounts.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validateConfigMapVolumeSource`,
//! `validateSecretVolumeSource`, `validateDownwardAPIVolumeSource`, `validateProjectedVolumeSource`,
//! `validateKeyToPath`, `validateHostPathVolumeSource`, `validatePersistentClaimVolumeSource`,
//! `validateLocalDescendingPath`, `ValidateLocalNonReservedPath`, `ValidateVolumeMounts`).

use crate::model::pod::PodParts;
use crate::yaml::Node;

use super::pod_values::{int_value, is_merged, map_items, string_value};
use super::{Ctx, Rule, Severity};

pub static SOURCE_RULE: Rule = Rule {
    code: "FLY242",
    name: "invalid-volume-source",
    severity: Severity::Error,
    summary: "A volume source field the API server rejects: a `configMap` without `name`, a \
              `secret` without `secretName`, an empty `hostPath.path` or `claimName`, a \
              `defaultMode`/`mode` outside 0–0777 (write modes in octal with a leading 0: \
              `0644`, not `644`), or an item `path` that is absolute or contains `..`.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: cfg\n      configMap:\n        name: settings\n        defaultMode: 644\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: cfg\n      configMap:\n        name: settings\n        defaultMode: 0644\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateConfigMapVolumeSource`, \
             `validateSecretVolumeSource`, `validateKeyToPath`, `validateHostPathVolumeSource`, \
             `validatePersistentClaimVolumeSource`)",
};

pub static SUB_PATH_RULE: Rule = Rule {
    code: "FLY243",
    name: "invalid-sub-path",
    severity: Severity::Error,
    summary: "A volume mount's `subPath` or `subPathExpr` must be a relative path without `..`, \
              and the two are mutually exclusive.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: data\n          mountPath: /data\n          subPath: /models\n  volumes:\n    - name: data\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: data\n          mountPath: /data\n          subPath: models\n  volumes:\n    - name: data\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateVolumeMounts`, \
             `validateLocalDescendingPath`)",
};

const MAX_MODE: i128 = 0o777;
const MODE_MESSAGE: &str = "must be a number between 0 and 0777 (octal), both inclusive";

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    for volume in map_items(parts.spec_field("volumes")) {
        if let Some(cm) = volume.get("configMap").filter(|n| usable(n)) {
            require(ctx, volume, "configMap", cm, "name");
            check_mode(ctx, cm.get("defaultMode"));
            check_items(ctx, cm.get("items"));
        }
        if let Some(secret) = volume.get("secret").filter(|n| usable(n)) {
            require(ctx, volume, "secret", secret, "secretName");
            check_mode(ctx, secret.get("defaultMode"));
            check_items(ctx, secret.get("items"));
        }
        if let Some(api) = volume.get("downwardAPI").filter(|n| usable(n)) {
            check_mode(ctx, api.get("defaultMode"));
            check_items(ctx, api.get("items"));
        }
        if let Some(projected) = volume.get("projected").filter(|n| usable(n)) {
            check_mode(ctx, projected.get("defaultMode"));
            for source in map_items(projected.get("sources")) {
                for kind in ["configMap", "secret", "downwardAPI"] {
                    if let Some(s) = source.get(kind).filter(|n| usable(n)) {
                        check_items(ctx, s.get("items"));
                    }
                }
            }
        }
        if let Some(host) = volume.get("hostPath").filter(|n| usable(n)) {
            if let Some(node) = host.get("path") {
                match string_value(node) {
                    Some("") => required(ctx, node),
                    Some(p) if p.split('/').any(|part| part == "..") => {
                        let message = format!("Invalid value: \"{p}\": must not contain '..'");
                        ctx.report(&SOURCE_RULE, node.span.clone(), message);
                    }
                    _ => {}
                }
            }
        }
        if let Some(pvc) = volume.get("persistentVolumeClaim").filter(|n| usable(n)) {
            if let Some(node) = pvc.get("claimName") {
                if string_value(node) == Some("") {
                    required(ctx, node);
                }
            }
        }
    }
    for (_, container) in parts.all_containers() {
        for mount in map_items(container.get("volumeMounts")) {
            check_sub_path(ctx, mount);
        }
    }
}

fn usable(node: &Node) -> bool {
    node.as_map().is_some() && !is_merged(node)
}

fn required(ctx: &mut Ctx<'_>, node: &Node) {
    ctx.report(
        &SOURCE_RULE,
        node.span.clone(),
        "Required value".to_string(),
    );
}

/// `field` must be a non-empty string (these are optional in the schema, required by the API
/// server).
fn require(ctx: &mut Ctx<'_>, volume: &Node, kind: &str, source: &Node, field: &str) {
    match source.entry(field) {
        Some(e) if e.value.is_null() => {
            let message = format!("Required value: `{kind}.{field}`");
            ctx.report(&SOURCE_RULE, e.key.span.clone(), message);
        }
        Some(e) => {
            if string_value(&e.value) == Some("") {
                required(ctx, &e.value);
            }
        }
        None => {
            // Where the schema itself requires the field, FLY104 already says so.
            let def = format!("io.k8s.api.core.v1.{}", source_def(kind));
            let schema_requires = ctx
                .set
                .def(&def)
                .is_some_and(|d| d.required().any(|r| r == field));
            if schema_requires {
                return;
            }
            if let Some(entry) = volume.entry(kind) {
                let message = format!("Required value: `{kind}.{field}`");
                ctx.report(&SOURCE_RULE, entry.key.span.clone(), message);
            }
        }
    }
}

fn source_def(kind: &str) -> &'static str {
    match kind {
        "configMap" => "ConfigMapVolumeSource",
        _ => "SecretVolumeSource",
    }
}

fn check_mode(ctx: &mut Ctx<'_>, node: Option<&Node>) {
    let Some(node) = node else { return };
    let Some(mode) = int_value(node).filter(|m| !(0..=MAX_MODE).contains(m)) else {
        return;
    };
    let message = format!("Invalid value: {mode}: {MODE_MESSAGE}");
    let text = ctx.text(&node.span).to_string();
    // `644` written without the leading 0 is decimal; the octal digits were meant.
    let octal = format!("0{text}");
    let fixable = text.bytes().all(|b| (b'0'..=b'7').contains(&b))
        && i128::from_str_radix(&text, 8).is_ok_and(|m| m <= MAX_MODE);
    let diag = ctx.report(&SOURCE_RULE, node.span.clone(), message);
    if fixable {
        diag.with_fix(
            format!("Change to `{octal}` (octal)"),
            node.span.clone(),
            octal,
        );
    }
}

fn check_items(ctx: &mut Ctx<'_>, items: Option<&Node>) {
    for item in map_items(items) {
        if let Some(node) = item.get("key") {
            if string_value(node) == Some("") {
                required(ctx, node);
            }
        }
        if let Some(node) = item.get("path") {
            if let Some(path) = string_value(node) {
                let problem = if path.is_empty() {
                    Some("Required value".to_string())
                } else {
                    local_path_problem(path, true)
                        .map(|p| format!("Invalid value: \"{path}\": {p}"))
                };
                if let Some(message) = problem {
                    ctx.report(&SOURCE_RULE, node.span.clone(), message);
                }
            }
        }
        check_mode(ctx, item.get("mode"));
    }
}

/// `validateLocalDescendingPath` (and, when `reserved`, `ValidateLocalNonReservedPath`).
fn local_path_problem(path: &str, reserved: bool) -> Option<&'static str> {
    if path.starts_with('/') {
        return Some("must be a relative path");
    }
    if path.split(['/', '\\']).any(|part| part == "..") {
        return Some("must not contain '..'");
    }
    if reserved && path.starts_with("..") {
        return Some("must not start with '..'");
    }
    None
}

fn check_sub_path(ctx: &mut Ctx<'_>, mount: &Node) {
    let sub_path = mount
        .get("subPath")
        .and_then(string_value)
        .filter(|s| !s.is_empty());
    for field in ["subPath", "subPathExpr"] {
        let Some(node) = mount.get(field) else {
            continue;
        };
        let Some(path) = string_value(node).filter(|s| !s.is_empty()) else {
            continue;
        };
        if let Some(problem) = local_path_problem(path, false) {
            let message = format!("Invalid value: \"{path}\": {problem}");
            ctx.report(&SUB_PATH_RULE, node.span.clone(), message);
        }
        if field == "subPathExpr" && sub_path.is_some() {
            let message = format!(
                "Invalid value: \"{path}\": subPathExpr and subPath are mutually exclusive"
            );
            ctx.report(&SUB_PATH_RULE, node.span.clone(), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn volume_sources() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      volumeMounts:
        - name: cfg
          mountPath: /a
          subPath: ../etc
#                  ^^^^^^ error FLY243: Invalid value: "../etc": must not contain '..'
        - name: cfg
          mountPath: /b
          subPath: x
          subPathExpr: $(POD_NAME)
#                      ^^^^^^^^^^^ error FLY243: Invalid value: "$(POD_NAME)": subPathExpr and subPath are mutually exclusive
  volumes:
    - name: cfg
      configMap:
#     ^^^^^^^^^ error FLY104: missing required field `name` in ConfigMapVolumeSource
        defaultMode: 644
#                    ^^^ error FLY242: Invalid value: 644: must be a number between 0 and 0777 (octal), both inclusive
        items:
          - key: a
            path: /abs
#                 ^^^^ error FLY242: Invalid value: "/abs": must be a relative path
          - key: b
            path: ..data
#                 ^^^^^^ error FLY242: Invalid value: "..data": must not start with '..'
            mode: 1000
#                 ^^^^ error FLY242: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive
    - name: sec
      secret:
        secretName: ""
#                   ^^ error FLY242: Required value
        defaultMode: 0400
    - name: sec2
      secret:
#     ^^^^^^ error FLY242: Required value: `secret.secretName`
        defaultMode: 0400
    - name: host
      hostPath:
        path: /var/../etc
#             ^^^^^^^^^^^ error FLY242: Invalid value: "/var/../etc": must not contain '..'
    - name: claim
      persistentVolumeClaim:
        claimName: ""
#                  ^^ error FLY242: Required value
"#,
        );
    }

    #[test]
    fn good_sources() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      volumeMounts:
        - name: cfg
          mountPath: /a
          subPath: conf/app.yaml
  volumes:
    - name: cfg
      configMap:
        name: settings
        defaultMode: 0644
        items:
          - key: app.yaml
            path: conf/app.yaml
            mode: 0400
    - name: sec
      secret:
        secretName: creds
        defaultMode: 420
"#,
        );
    }

    #[test]
    fn octal_mode_fix() {
        check_fix(
            "pod_spec:\n  containers: []\n  volumes:\n    - name: c\n      configMap:\n        name: s\n        defaultMode: 644\n",
            "Change to `0644` (octal)",
            "pod_spec:\n  containers: []\n  volumes:\n    - name: c\n      configMap:\n        name: s\n        defaultMode: 0644\n",
        );
    }
}
