//! FLY241: what an env `valueFrom` or `envFrom` entry points at. Downward-API field paths and
//! resource names the API server knows, divisors it accepts, and ConfigMap/Secret names and
//! keys in the right format.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validateObjectFieldSelector`,
//! `validateContainerResourceFieldSelector`, `validateContainerResourceDivisor`,
//! `validateConfigMapKeySelector`, `validateSecretKeySelector`, `validateConfigMapEnvSource`,
//! `validateSecretEnvSource`), `pkg/apis/core/pods/helpers.go` (`ConvertDownwardAPIFieldLabel`)
//! and `IsConfigMapKey` in `staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go`.

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::tree::{Entry, Node};

use super::pod_values::{is_merged, join, map_items, string_value};
use super::quantity_syntax::quantity_of;
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};
use crate::analysis::quantity::parse;

pub static RULE: Rule = Rule {
    code: "FLY241",
    name: "invalid-env-reference",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(&["name"])),
    summary: "An env reference the API server rejects: a `fieldRef.fieldPath` it does not \
              expose (use `metadata.labels['key']` for one label), a `resourceFieldRef` outside \
              `limits|requests.cpu|memory|ephemeral-storage|hugepages-*` or with an unsupported \
              `divisor`, or a ConfigMap/Secret reference without a valid `name` (a DNS \
              subdomain) or `key` (letters, digits, `-`, `_`, `.`).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: NODE\n          valueFrom:\n            fieldRef:\n              fieldPath: spec.node\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: NODE\n          valueFrom:\n            fieldRef:\n              fieldPath: spec.nodeName\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateObjectFieldSelector`, \
             `validateContainerResourceFieldSelector`, `validateConfigMapKeySelector`, \
             `validateSecretKeySelector`, `ValidateEnvFrom`); `ConvertDownwardAPIFieldLabel`",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

/// `validEnvDownwardAPIFieldPathExpressions`, sorted as the API server lists them.
const ENV_FIELD_PATHS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];
/// Labels `ConvertDownwardAPIFieldLabel` converts (others fail before the list is consulted).
const CONVERTIBLE: &[&str] = &[
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.serviceAccountName",
    "spec.schedulerName",
    "status.phase",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
    "spec.host",
];
const RESOURCE_PATHS: &[&str] = &[
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];
const CPU_DIVISORS: &[&str] = &["1m", "1"];
const BYTE_DIVISORS: &[&str] = &[
    "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei",
];

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    for (_, container) in parts.all_containers() {
        for var in map_items(container.get("env")) {
            let Some(from) = var.get("valueFrom").filter(|v| !is_merged(v)) else {
                continue;
            };
            if let Some(field_ref) = from.get("fieldRef") {
                check_field_ref(ctx, field_ref);
            }
            if let Some(res) = from.get("resourceFieldRef") {
                check_resource_ref(ctx, res);
            }
            for key_ref in ["configMapKeyRef", "secretKeyRef"] {
                if let Some(entry) = from.entry(key_ref) {
                    check_key_selector(ctx, entry);
                }
            }
        }
        for source in map_items(container.get("envFrom")) {
            for reference in ["configMapRef", "secretRef"] {
                if let Some(entry) = source.entry(reference) {
                    check_env_source(ctx, entry);
                }
            }
        }
    }
}

fn check_field_ref(ctx: &mut Ctx<'_>, field_ref: &Node) {
    let Some(node) = field_ref.get("fieldPath") else {
        return;
    };
    let Some(path) = string_value(node) else {
        return;
    };
    if path.is_empty() {
        ctx.report(&RULE, node.span.clone(), "Required value".to_string());
        return;
    }
    let message = match subscripted(path) {
        Some((base @ ("metadata.labels" | "metadata.annotations"), key)) => {
            let key = if base == "metadata.annotations" {
                key.to_lowercase()
            } else {
                key.to_string()
            };
            let errs = names::qualified_name(&key);
            (!errs.is_empty()).then(|| format!("Invalid value: \"{key}\": {}", join(&errs)))
        }
        Some(_) => Some(format!(
            "Invalid value: \"{path}\": error converting fieldPath: field label does not support \
             subscript: {path}"
        )),
        None if !CONVERTIBLE.contains(&path) => Some(format!(
            "Invalid value: \"{path}\": error converting fieldPath: field label not supported: \
             {path}"
        )),
        None if path != "spec.host" && !ENV_FIELD_PATHS.contains(&path) => {
            let listed: Vec<String> = ENV_FIELD_PATHS.iter().map(|p| format!("\"{p}\"")).collect();
            Some(format!(
                "Unsupported value: \"{path}\": supported values: {}",
                listed.join(", ")
            ))
        }
        None => None,
    };
    if let Some(message) = message {
        ctx.report(&RULE, node.span.clone(), message);
    }
}

/// `fieldpath.SplitMaybeSubscriptedPath`: `metadata.labels['app']` → (`metadata.labels`, `app`).
fn subscripted(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_suffix("']")?;
    let (base, key) = rest.split_once("['")?;
    Some((base, key))
}

fn check_resource_ref(ctx: &mut Ctx<'_>, res: &Node) {
    let Some(node) = res.get("resource") else {
        return;
    };
    let Some(resource) = string_value(node) else {
        return;
    };
    if resource.is_empty() {
        ctx.report(&RULE, node.span.clone(), "Required value".to_string());
        return;
    }
    let hugepages =
        resource.starts_with("requests.hugepages-") || resource.starts_with("limits.hugepages-");
    if !RESOURCE_PATHS.contains(&resource) && !hugepages {
        let listed: Vec<String> = RESOURCE_PATHS.iter().map(|p| format!("\"{p}\"")).collect();
        let message = format!(
            "Unsupported value: \"{resource}\": supported values: {}",
            listed.join(", ")
        );
        ctx.report(&RULE, node.span.clone(), message);
    }
    let Some(divisor) = res.get("divisor") else {
        return;
    };
    let Some(q) = quantity_of(divisor) else {
        return;
    };
    if q.is_zero() {
        // An unset (zero) divisor means 1.
        return;
    }
    let (allowed, what) = match resource {
        "limits.cpu" | "requests.cpu" => (CPU_DIVISORS, "the cpu resource".to_string()),
        "limits.memory" | "requests.memory" => (BYTE_DIVISORS, "the memory resource".to_string()),
        "limits.ephemeral-storage" | "requests.ephemeral-storage" => (
            BYTE_DIVISORS,
            "the local ephemeral storage resource".to_string(),
        ),
        _ if hugepages => (BYTE_DIVISORS, "the hugepages resource".to_string()),
        _ => return,
    };
    let ok = allowed
        .iter()
        .filter_map(|a| parse(a).ok())
        .any(|a| a.cmp_value(&q) == std::cmp::Ordering::Equal);
    if !ok {
        let message = format!(
            "Invalid value: \"{resource}\": only divisor's values {} are supported with {what}",
            if allowed == CPU_DIVISORS {
                "1m and 1".to_string()
            } else {
                allowed.join(", ")
            }
        );
        ctx.report(&RULE, divisor.span.clone(), message);
    }
}

fn check_key_selector(ctx: &mut Ctx<'_>, entry: &Entry) {
    let selector = &entry.value;
    if selector.is_null() || selector.as_map().is_none() || is_merged(selector) {
        return;
    }
    // A missing `name` is FLY104's (the schema requires it).
    if let Some(node) = selector.get("name") {
        if let Some(name) = string_value(node) {
            report_name(ctx, node, name);
        }
    }
    if let Some(node) = selector.get("key") {
        if let Some(key) = string_value(node) {
            let errs = config_map_key(key);
            if key.is_empty() {
                ctx.report(&RULE, node.span.clone(), "Required value".to_string());
            } else if !errs.is_empty() {
                let message = format!("Invalid value: \"{key}\": {}", join(&errs));
                ctx.report(&RULE, node.span.clone(), message);
            }
        }
    }
}

fn check_env_source(ctx: &mut Ctx<'_>, entry: &Entry) {
    let source = &entry.value;
    if source.is_null() || source.as_map().is_none() || is_merged(source) {
        return;
    }
    match source.get("name").map(|n| (n, string_value(n))) {
        Some((node, Some(""))) => {
            ctx.report(&RULE, node.span.clone(), "Required value".to_string());
        }
        Some((node, Some(name))) => report_name(ctx, node, name),
        // A missing `name` is FLY104's (the schema requires it).
        Some((_, None)) | None => {}
    }
}

fn report_name(ctx: &mut Ctx<'_>, node: &Node, name: &str) {
    let errs = names::dns1123_subdomain(name);
    if !errs.is_empty() {
        let message = format!("Invalid value: \"{name}\": {}", join(&errs));
        ctx.report(&RULE, node.span.clone(), message);
    }
}

/// `IsConfigMapKey`.
pub(super) fn config_map_key(key: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if key.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    let ok = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !ok {
        errs.push(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. \
             'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is \
             '[-._a-zA-Z0-9]+')"
                .to_string(),
        );
    }
    match key {
        "." => errs.push("must not be '.'".to_string()),
        ".." => errs.push("must not be '..'".to_string()),
        k if k.starts_with("..") => errs.push("must not start with '..'".to_string()),
        _ => {}
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn bad_references() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      env:
        - name: A
          valueFrom:
            fieldRef:
              fieldPath: spec.node
#                        ^^^^^^^^^ error FLY241: Invalid value: "spec.node": error converting fieldPath: field label not supported: spec.node
        - name: B
          valueFrom:
            fieldRef:
              fieldPath: status.phase
#                        ^^^^^^^^^^^^ error FLY241: Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"
        - name: C
          valueFrom:
            fieldRef:
              fieldPath: metadata.labels['bad key']
#                        ^^^^^^^^^^^^^^^^^^^^^^^^^^ error FLY241: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')
        - name: D
          valueFrom:
            resourceFieldRef:
              resource: limits.gpu
#                       ^^^^^^^^^^ error FLY241: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"
        - name: E
          valueFrom:
            resourceFieldRef:
              resource: limits.cpu
              divisor: 1Mi
#                      ^^^ error FLY241: Invalid value: "limits.cpu": only divisor's values 1m and 1 are supported with the cpu resource
        - name: F
          valueFrom:
            secretKeyRef:
              name: API_Keys
#                   ^^^^^^^^ error FLY241: Invalid value: "API_Keys": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
              key: "token/value"
#                  ^^^^^^^^^^^^^ error FLY241: Invalid value: "token/value": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')
        - name: G
          valueFrom:
            configMapKeyRef:
#           ^^^^^^^^^^^^^^^ error FLY104: missing required field `name` in ConfigMapKeySelector
              key: x
      envFrom:
        - configMapRef:
            name: ""
#                 ^^ error FLY241: Required value
        - secretRef: {}
#         ^^^^^^^^^ error FLY104: missing required field `name` in SecretEnvSource
"#,
        );
    }

    #[test]
    fn good_references() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      env:
        - name: A
          valueFrom:
            fieldRef:
              fieldPath: metadata.labels['app.kubernetes.io/name']
        - name: B
          valueFrom:
            fieldRef:
              fieldPath: status.podIPs
        - name: C
          valueFrom:
            resourceFieldRef:
              resource: limits.memory
              divisor: 1Mi
        - name: D
          valueFrom:
            resourceFieldRef:
              resource: requests.cpu
              divisor: 1000m
        - name: E
          valueFrom:
            secretKeyRef:
              name: api-keys
              key: TOKEN.value_1
      envFrom:
        - configMapRef:
            name: settings
"#,
        );
    }
}
