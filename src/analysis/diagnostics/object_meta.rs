//! FLY264: the own metadata of a `kind: PodTemplate` or `kind: Pod` object: a name (or a
//! `generateName` prefix) that is a DNS-1123 subdomain, and a namespace that is a DNS-1123
//! label. Flyte templates have no such metadata: Flyte names the pods it makes. FLY270: the
//! warning for a Pod whose valid name is not a DNS label (it becomes the pod's hostname).
//!
//! FLY270 mirrors `pkg/registry/core/pod/strategy.go` (`podStrategy.WarningsOnCreate`, which
//! checks `IsDNS1123Label(newPod.Name)` before calling `GetWarningsForPod`). For a
//! `generateName`, the name it yields is its first 58 characters and 5 random letters or digits,
//! so the warning is decided by the prefix.
//!
//! Mirrors `staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go`
//! (`ValidateObjectMeta`, `ValidateObjectMetaAccessor`: `name or generateName is required`,
//! the name function on `generateName` with `prefix = true`, `ValidateNamespaceName`) as called
//! by `pkg/apis/core/validation/validation.go` (`ValidatePodTemplate`, `ValidatePodCreate`
//! with `ValidatePodName` = `NameIsDNSSubdomain`). The namespace itself may be left out: kubectl
//! fills it in from the context.

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::model::DocKind;
use crate::tree::Node;

use super::pod_values::{first_key_span, is_merged, join, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY264",
    name: "invalid-object-name",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Subject),
    summary: "A `kind: PodTemplate` or `kind: Pod` object needs `metadata.name` (or \
              `generateName`), and it must be a DNS-1123 subdomain: lowercase letters, digits, \
              `-` and `.`, at most 253 characters. A `namespace` must be a DNS-1123 label. The \
              API server rejects the object otherwise, and a Flyte `pod_template` string must \
              name the PodTemplate exactly.",
    bad: "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: GPU_Training\ntemplate:\n  spec:\n    containers:\n      - name: main\n        image: busybox:1.36\n",
    good: "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-training\ntemplate:\n  spec:\n    containers:\n      - name: main\n        image: busybox:1.36\n",
    source: "`staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go` \
             (`ValidateObjectMeta`); `pkg/apis/core/validation/validation.go` \
             (`ValidatePodTemplate`, `ValidatePodCreate`)",
};

pub static HOSTNAME_RULE: Rule = Rule {
    code: "FLY270",
    name: "pod-name-not-dns-label",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A `kind: Pod` named with dots or more than 63 characters (`trainer.v2`): a valid \
              object name, but the pod's hostname is taken from it, which can result in \
              surprising behavior. The API server accepts the pod with a warning (`a DNS label is \
              recommended`); use lowercase letters, digits and `-` only.",
    bad: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: trainer.v2\nspec:\n  containers:\n    - name: main\n      image: busybox:1.36\n",
    good: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: trainer-v2\nspec:\n  containers:\n    - name: main\n      image: busybox:1.36\n",
    source: "`pkg/registry/core/pod/strategy.go` (`podStrategy.WarningsOnCreate`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE, &HOSTNAME_RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    // Only Kubernetes objects have their own metadata.
    if !matches!(
        parts.kind,
        Some(DocKind::KubePodTemplate | DocKind::KubePod)
    ) {
        return;
    }
    let Some(root) = ctx.doc.root.as_ref() else {
        return;
    };
    let Some(meta) = parts.object_metadata.filter(|m| m.as_map().is_some()) else {
        required(ctx, metadata_key_span(root));
        return;
    };
    if is_merged(meta) {
        return;
    }
    let name = meta.get("name");
    let generate = meta.get("generateName");
    let name_text = name.and_then(string_value).unwrap_or("");
    let generate_text = generate.and_then(string_value).unwrap_or("");
    if name_text.is_empty() && generate_text.is_empty() {
        let at = meta
            .entry("name")
            .or_else(|| meta.entry("generateName"))
            .map_or_else(|| metadata_key_span(root), |e| e.key.span.clone());
        required(ctx, at);
    }
    if !name_text.is_empty() {
        if let Some(node) = name {
            let errs = names::dns1123_subdomain(name_text);
            if !errs.is_empty() {
                let message = format!("Invalid value: \"{name_text}\": {}", join(&errs));
                let writer = ctx.writer;
                let diag = ctx.report(&RULE, node.span.clone(), message);
                // Lower case and `_` -> `-` is the obvious repair when that is all it takes.
                let fixed = name_text.to_lowercase().replace('_', "-");
                if names::dns1123_subdomain(&fixed).is_empty() {
                    diag.with_edit(
                        format!("Rename to `{fixed}`"),
                        writer.set_string(node, &fixed),
                    );
                }
            } else if parts.kind == Some(DocKind::KubePod) {
                warn_hostname(ctx, node, name_text);
            }
        }
    } else if !generate_text.is_empty() {
        if let Some(node) = generate {
            // `prefix = true`: trailing dashes are allowed (a random suffix follows).
            let masked = mask_trailing_dash(generate_text);
            let errs = names::dns1123_subdomain(&masked);
            if errs.is_empty() && parts.kind == Some(DocKind::KubePod) {
                // `SimpleNameGenerator`: the prefix cut to 58 characters, then 5 random ones.
                let prefix: String = generate_text.chars().take(MAX_GENERATED_PREFIX).collect();
                warn_hostname(ctx, node, &format!("{prefix}abcde"));
            }
            report_format(ctx, node, generate_text, errs);
        }
    }
    if let Some(node) = meta.get("namespace") {
        if let Some(ns) = string_value(node).filter(|n| !n.is_empty()) {
            report_format(ctx, node, ns, names::dns1123_label(ns));
        }
    }
}

/// `maxGeneratedNameLength` of `names.SimpleNameGenerator` (63 minus 5 random characters).
const MAX_GENERATED_PREFIX: usize = 58;

/// The longest DNS-1123 label.
const DNS1123_LABEL_MAX: usize = 63;

/// FLY270: `IsDNS1123Label` of the Pod's name, for a name that is a valid subdomain: too long,
/// or (a valid subdomain that is no label) `must not contain dots`.
fn warn_hostname(ctx: &mut Ctx<'_>, node: &Node, name: &str) {
    let mut errs = Vec::new();
    if name.len() > DNS1123_LABEL_MAX {
        errs.push(format!(
            "must be no more than {DNS1123_LABEL_MAX} characters"
        ));
    }
    if name.contains('.') {
        errs.push("must not contain dots".to_string());
    }
    if !errs.is_empty() {
        let message = format!(
            "this is used in the Pod's hostname, which can result in surprising behavior; a DNS \
             label is recommended: [{}]",
            errs.join(" ")
        );
        ctx.report(&HOSTNAME_RULE, node.span.clone(), message);
    }
}

/// Where a missing name is reported: the `metadata` key, else the document's first key.
fn metadata_key_span(root: &Node) -> crate::text::TextRange {
    root.entry("metadata")
        .map_or_else(|| first_key_span(root), |e| e.key.span.clone())
}

fn required(ctx: &mut Ctx<'_>, at: crate::text::TextRange) {
    ctx.report(
        &RULE,
        at,
        "Required value: name or generateName is required".to_string(),
    );
}

fn report_format(ctx: &mut Ctx<'_>, node: &Node, value: &str, errs: Vec<String>) {
    if !errs.is_empty() {
        let message = format!("Invalid value: \"{value}\": {}", join(&errs));
        ctx.report(&RULE, node.span.clone(), message);
    }
}

/// `maskTrailingDash`: a trailing `-` of a prefix becomes `a` before the name check.
fn mask_trailing_dash(name: &str) -> String {
    match name.strip_suffix('-') {
        Some(rest) if !rest.is_empty() => format!("{rest}a"),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn object_names() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: GPU_Training
#       ^^^^^^^^^^^^ error FLY264: Invalid value: "GPU_Training": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
  namespace: ml.team
#            ^^^^^^^ error FLY264: Invalid value: "ml.team": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')
template:
  spec:
    containers:
      - name: main
        image: busybox:1.36
---
apiVersion: v1
kind: Pod
metadata:
#^^^^^^^ error FLY264: Required value: name or generateName is required
  labels:
    app: trainer
spec:
  containers:
    - name: main
      image: busybox:1.36
"#,
        );
    }

    #[test]
    fn pod_names_should_be_dns_labels() {
        check_k8s(
            r#"apiVersion: v1
kind: Pod
metadata:
  name: trainer.v2
#       ^^^^^^^^^^ warning FLY270: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [must not contain dots]
spec:
  containers:
    - name: main
      image: busybox:1.36
---
apiVersion: v1
kind: Pod
metadata:
  generateName: trainer.v2-
#               ^^^^^^^^^^^ warning FLY270: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [must not contain dots]
spec:
  containers:
    - name: main
      image: busybox:1.36
"#,
        );
    }

    #[test]
    fn the_fix_lowercases_the_name() {
        crate::analysis::diagnostics::fixture::check_fix(
            "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: GPU_Training\ntemplate:\n  spec:\n    containers: [{name: main, image: busybox}]\n",
            "Rename to `gpu-training`",
            "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-training\ntemplate:\n  spec:\n    containers: [{name: main, image: busybox}]\n",
        );
    }

    #[test]
    fn valid_names_and_prefixes() {
        check_k8s(
            r#"apiVersion: v1
kind: Pod
metadata:
  generateName: trainer-
  namespace: ml-team
spec:
  containers:
    - name: main
      image: busybox:1.36
---
apiVersion: v1
kind: PodTemplate
metadata:
  name: gpu.training-v2
template:
  spec:
    containers:
      - name: main
        image: busybox:1.36
"#,
        );
    }
}
