//! FLY203: annotation keys and the total size of a pod's annotations.
//!
//! Mirrors `staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go`
//! (`ValidateAnnotations`, `ValidateAnnotationsSize`): keys are qualified names after
//! lower-casing, and keys plus values may total at most 256 KiB.

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::yaml::Node;

use super::pod_values::{join, map_entries};
use super::{Ctx, Rule, Severity};

/// `TotalAnnotationSizeLimitB` (256 KiB).
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * (1 << 10);

pub static RULE: Rule = Rule {
    code: "FLY203",
    name: "invalid-annotations",
    severity: Severity::Error,
    summary: "An annotation key is not a qualified name (case is ignored for annotations, so \
              `Example.com/Owner` is fine, but spaces, a second `/` or an empty name part are \
              not), or the keys and values together exceed 262144 bytes (256 KiB). The API \
              server rejects the pod (`metadata.annotations: Invalid value`, or `Too long: may \
              not be more than 262144 bytes`); keep large data in a ConfigMap. Values are free \
              text.",
    bad: "annotations:\n  owner email: data-eng@acme.example\npod_spec:\n  containers: []\n",
    good: "annotations:\n  owner-email: data-eng@acme.example\npod_spec:\n  containers: []\n",
    source: "`staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go` \
             (`ValidateAnnotations`, `ValidateAnnotationsSize`, `TotalAnnotationSizeLimitB`)",
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

    #[test]
    fn total_size_is_limited() {
        let big = "x".repeat(super::TOTAL_ANNOTATION_SIZE_LIMIT);
        let source = format!(
            "annotations:\n  small: \"y\"\n  big: \"{big}\"\npod_spec:\n  containers: []\n"
        );
        let analysis = crate::analysis::analyze(&source, &crate::settings::Settings::default());
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
        let analysis = crate::analysis::analyze(&fits, &crate::settings::Settings::default());
        assert!(!analysis.diagnostics.iter().any(|d| d.code == "FLY203"));
    }
}
