//! FLY214–FLY217: container environment variables. Names (a rule that changed in 1.32),
//! `value` against `valueFrom`, exactly one source per `valueFrom`/`envFrom` entry, and the
//! API server's warning about a name that hides an earlier one.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`ValidateEnv`, `validateEnvVarValueFrom`,
//! `ValidateEnvFrom`), `staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go`
//! (`IsEnvVarName`, `IsRelaxedEnvVarName`; gate `RelaxedEnvironmentVariableValidation`, on by
//! default from 1.32) and `pkg/api/pod/warnings.go` (duplicate env names).

use crate::model::pod::PodParts;
use crate::schema::KubeVersion;
use crate::tree::Node;

use super::pod_values::{first_key_span, is_merged, is_set, join, map_items, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static NAME_RULE: Rule = Rule {
    code: "FLY214",
    name: "invalid-env-name",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "An environment variable name (or an `envFrom` prefix) is not accepted by the \
              selected Kubernetes version. From 1.32 any printable ASCII except `=` is allowed \
              (so `1ST_STAGE` is fine); older versions want `[-._a-zA-Z][-._a-zA-Z0-9]*`. An \
              empty name is `Required value`.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: LOG=LEVEL\n          value: debug\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: LOG_LEVEL\n          value: debug\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateEnv`, `ValidateEnvFrom`); \
             `IsEnvVarName`/`IsRelaxedEnvVarName` in `pkg/util/validation/validation.go`",
};

pub static VALUE_AND_SOURCE_RULE: Rule = Rule {
    code: "FLY215",
    name: "env-value-with-value-from",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "An env entry has both a non-empty `value` and a `valueFrom`. The API server rejects \
              it (`valueFrom: Invalid value: \"\": may not be specified when `value` is not \
              empty`); keep one of them.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: POD_NAME\n          value: trainer\n          valueFrom:\n            fieldRef:\n              fieldPath: metadata.name\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: POD_NAME\n          valueFrom:\n            fieldRef:\n              fieldPath: metadata.name\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateEnvVarValueFrom`)",
};

pub static SOURCE_COUNT_RULE: Rule = Rule {
    code: "FLY216",
    name: "env-source-count",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Subject),
    summary: "A `valueFrom` must name exactly one source (`fieldRef`, `resourceFieldRef`, \
              `configMapKeyRef`, `secretKeyRef`, ...), and an `envFrom` entry exactly one of \
              `configMapRef` and `secretRef`. None, or two at once, is rejected.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: TOKEN\n          valueFrom:\n            secretKeyRef:\n              name: api\n              key: token\n            configMapKeyRef:\n              name: api\n              key: token\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: TOKEN\n          valueFrom:\n            secretKeyRef:\n              name: api\n              key: token\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateEnvVarValueFrom`, `ValidateEnvFrom`)",
};

pub static DUPLICATE_RULE: Rule = Rule {
    code: "FLY217",
    name: "duplicate-env-name",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Siblings),
    summary: "A container defines the same env name twice, and the later entry hides the \
              earlier one (unless it refers to it as `$(NAME)`). The API server accepts the pod \
              with a warning (`hides previous definition of \"X\", which may be dropped when \
              using apply`), and server-side apply refuses it.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: MODE\n          value: train\n        - name: MODE\n          value: eval\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: MODE\n          value: eval\n",
    source: "`pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`, duplicate `containers[*].env`)",
};

pub static FAMILY: Family = Family {
    rules: &[
        &NAME_RULE,
        &VALUE_AND_SOURCE_RULE,
        &SOURCE_COUNT_RULE,
        &DUPLICATE_RULE,
    ],
    check: Check::Pod(check),
};

/// The first version with `RelaxedEnvironmentVariableValidation` on by default (beta).
const RELAXED_ENV_NAMES: KubeVersion = KubeVersion(32);
/// `EnvVarSource` fields in the order `validateEnvVarValueFrom` checks them.
const VALUE_FROM_SOURCES: &[&str] = &[
    "fieldRef",
    "resourceFieldRef",
    "configMapKeyRef",
    "secretKeyRef",
    "fileKeyRef",
];
const ENV_FROM_SOURCES: &[&str] = &["configMapRef", "secretRef"];
const ENV_SOURCE_DEF: &str = "io.k8s.api.core.v1.EnvVarSource";

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let version = ctx.set.version;
    let sources = value_from_sources(ctx);
    for (_, container) in parts.all_containers() {
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for var in map_items(container.get("env")) {
            if let Some(entry) = var.entry("name").filter(|e| e.value.is_null()) {
                ctx.report(
                    &NAME_RULE,
                    entry.key.span.clone(),
                    "Required value".to_string(),
                );
            } else if let Some(name_node) = var.get("name") {
                check_name(ctx, version, name_node);
                if let Some(name) = string_value(name_node) {
                    if seen.contains(&name) {
                        check_duplicate(ctx, var, name, name_node);
                    } else {
                        seen.insert(name);
                    }
                }
            }
            check_value_from(ctx, var, &sources);
        }
        for source in map_items(container.get("envFrom")) {
            if let Some(prefix) = source.get("prefix") {
                if string_value(prefix).is_some_and(|p| !p.is_empty()) {
                    check_name(ctx, version, prefix);
                }
            }
            check_env_from(ctx, source);
        }
    }
}

/// The `valueFrom` sources this Kubernetes version knows (newer ones add `fileKeyRef`).
fn value_from_sources(ctx: &Ctx<'_>) -> Vec<&'static str> {
    let known = ctx.set.def(ENV_SOURCE_DEF).and_then(|d| d.properties());
    VALUE_FROM_SOURCES
        .iter()
        .copied()
        .filter(|s| known.is_none_or(|k| k.contains_key(*s)))
        .collect()
}

fn check_name(ctx: &mut Ctx<'_>, version: KubeVersion, node: &Node) {
    let Some(name) = string_value(node) else {
        return;
    };
    if name.is_empty() {
        ctx.report(&NAME_RULE, node.span.clone(), "Required value".to_string());
        return;
    }
    let errs = env_name_errors(version, name);
    if !errs.is_empty() {
        let message = format!("Invalid value: \"{name}\": {}", join(&errs));
        ctx.report(&NAME_RULE, node.span.clone(), message);
    }
}

/// The API server's messages for an env name (or `envFrom` prefix) under `version`.
pub(super) fn env_name_errors(version: KubeVersion, name: &str) -> Vec<String> {
    if version >= RELAXED_ENV_NAMES {
        let bad = name
            .chars()
            .any(|c| !c.is_ascii() || !(' '..='~').contains(&c) || c == '=');
        return if bad {
            vec![
                "a valid environment variable name must consist only of printable ASCII \
                  characters other than '='"
                    .to_string(),
            ]
        } else {
            Vec::new()
        };
    }
    let mut errs = Vec::new();
    let b = name.as_bytes();
    let first_ok = b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'-' | b'.' | b'_'));
    let rest_ok = b
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'));
    if !(first_ok && rest_ok) {
        errs.push(
            "a valid environment variable name must consist of alphabetic characters, digits, \
             '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or \
             'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is \
             '[-._a-zA-Z][-._a-zA-Z0-9]*')"
                .to_string(),
        );
    }
    match name {
        "." => errs.push("must not be '.'".to_string()),
        ".." => errs.push("must not be '..'".to_string()),
        n if n.starts_with("..") => errs.push("must not start with '..'".to_string()),
        _ => {}
    }
    errs
}

fn check_value_from(ctx: &mut Ctx<'_>, var: &Node, sources: &[&str]) {
    let Some(entry) = var.entry("valueFrom") else {
        return;
    };
    if !is_set(Some(&entry.value)) || is_merged(&entry.value) || is_merged(var) {
        return;
    }
    let present: Vec<_> = entry
        .value
        .as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.key_str().is_some_and(|k| sources.contains(&k)) && is_set(Some(&e.value)))
        .collect();
    let value_set = var
        .get("value")
        .and_then(string_value)
        .is_some_and(|v| !v.is_empty());
    // The same order as `validateEnvVarValueFrom`: no source, then `value`, then too many.
    if present.is_empty() {
        let listed: Vec<String> = sources.iter().map(|s| format!("`{s}`")).collect();
        let (init, last) = listed.split_at(listed.len().saturating_sub(1));
        let message = format!(
            "Invalid value: \"\": must specify one of: {} or {}",
            init.join(", "),
            last.join("")
        );
        ctx.report(&SOURCE_COUNT_RULE, entry.key.span.clone(), message);
    } else if value_set {
        ctx.report(
            &VALUE_AND_SOURCE_RULE,
            entry.key.span.clone(),
            "Invalid value: \"\": may not be specified when `value` is not empty".to_string(),
        );
    } else if let Some(second) = present.get(1) {
        ctx.report(
            &SOURCE_COUNT_RULE,
            second.key.span.clone(),
            "Invalid value: \"\": may not have more than one field specified at a time".to_string(),
        );
    }
}

fn check_env_from(ctx: &mut Ctx<'_>, source: &Node) {
    if is_merged(source) {
        return;
    }
    let present: Vec<_> = source
        .as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|e| {
            e.key_str().is_some_and(|k| ENV_FROM_SOURCES.contains(&k)) && is_set(Some(&e.value))
        })
        .collect();
    match present.as_slice() {
        [] => {
            ctx.report(
                &SOURCE_COUNT_RULE,
                first_key_span(source),
                "Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`"
                    .to_string(),
            );
        }
        [_] => {}
        [_, second, ..] => {
            ctx.report(
                &SOURCE_COUNT_RULE,
                second.key.span.clone(),
                "Invalid value: \"\": may not have more than one field specified at a time"
                    .to_string(),
            );
        }
    }
}

/// `warnings.go`: a repeated name warns unless the new value refers to the old one as
/// `$(NAME)` (and is not exactly `$(NAME)`), and never when it comes from `valueFrom`.
fn check_duplicate(ctx: &mut Ctx<'_>, var: &Node, name: &str, name_node: &Node) {
    let reference = format!("$({name})");
    let value = var.get("value").and_then(string_value).unwrap_or("");
    let hides = is_set(var.get("valueFrom")) || value == reference || !value.contains(&reference);
    if hides {
        let message = format!(
            "hides previous definition of \"{name}\", which may be dropped when using apply"
        );
        ctx.report(&DUPLICATE_RULE, name_node.span.clone(), message);
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use super::*;

    #[test]
    fn env_names_follow_the_relaxed_rule() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      env:
        - name: 1ST_STAGE
          value: a
        - name: "with space"
          value: a
        - name: FOO=BAR
#               ^^^^^^^ error FLY214: Invalid value: "FOO=BAR": a valid environment variable name must consist only of printable ASCII characters other than '='
          value: a
        - name: "naïve"
#               ^^^^^^^ error FLY214: Invalid value: "naïve": a valid environment variable name must consist only of printable ASCII characters other than '='
          value: a
        - name: ""
#               ^^ error FLY214: Required value
          value: a
        - name:
#         ^^^^ error FLY214: Required value
          value: a
      envFrom:
        - prefix: "CFG="
#                 ^^^^^^ error FLY214: Invalid value: "CFG=": a valid environment variable name must consist only of printable ASCII characters other than '='
          configMapRef:
            name: settings
        - prefix: ""
          secretRef:
            name: settings
"#,
        );
    }

    #[test]
    fn env_names_before_1_32() {
        let old = KubeVersion(31);
        assert!(env_name_errors(old, "MY_ENV.NAME").is_empty());
        assert!(env_name_errors(old, "-x").is_empty());
        assert_eq!(env_name_errors(old, "1ST").len(), 1);
        assert_eq!(env_name_errors(old, ".."), ["must not be '..'"]);
        assert_eq!(env_name_errors(old, "..x"), ["must not start with '..'"]);
        assert!(env_name_errors(KubeVersion(32), "1ST").is_empty());
        assert!(env_name_errors(KubeVersion(32), "..").is_empty());
    }

    #[test]
    fn value_from_sources() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      env:
        - name: A
          value: x
          valueFrom:
#         ^^^^^^^^^ error FLY215: Invalid value: "": may not be specified when `value` is not empty
            fieldRef:
              fieldPath: metadata.name
        - name: B
          valueFrom: {}
#         ^^^^^^^^^ error FLY216: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`
        - name: C
          valueFrom:
            secretKeyRef:
              name: s
              key: k
            configMapKeyRef:
#           ^^^^^^^^^^^^^^^ error FLY216: Invalid value: "": may not have more than one field specified at a time
              name: c
              key: k
        - name: D
          value: ""
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: E
          valueFrom:
      envFrom:
        - prefix: X_
#         ^^^^^^ error FLY216: Invalid value: "": must specify one of: `configMapRef` or `secretRef`
        - configMapRef:
            name: c
          secretRef:
#         ^^^^^^^^^ error FLY216: Invalid value: "": may not have more than one field specified at a time
            name: s
        - secretRef:
            name: s
"#,
        );
    }

    #[test]
    fn duplicate_names_warn_like_the_api_server() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      env:
        - name: MODE
          value: train
        - name: MODE
#               ^^^^ warning FLY217: hides previous definition of "MODE", which may be dropped when using apply
          value: eval
        - name: PATH
          value: /bin
        - name: PATH
          value: /opt/bin:$(PATH)
        - name: PATH
#               ^^^^ warning FLY217: hides previous definition of "PATH", which may be dropped when using apply
          value: $(PATH)
    - name: sidecar
      image: busybox
      env:
        - name: MODE
          value: other
"#,
        );
    }
}
