//! Which YAML documents are Flyte or pod-template files, and which are not.
//!
//! Detection runs per document, by content, with a `# flyte-lsp: <kind>` modeline as an
//! override. It must be conservative: unrelated YAML (CI workflows, Helm values, compose
//! files) gets no diagnostics at all, so an unsure answer is `Unknown`.

use crate::model::{FLYTE_ONLY_KEYS, POD_TEMPLATE_KEYS, TASK_ENVIRONMENT_KEYS};
use crate::text::similar::closest;
use crate::tree::{DocKind, Document, Node};

/// Reads a `# flyte-lsp: <kind>` modeline from the document's text.
pub fn modeline(text: &str) -> Option<DocKind> {
    for line in text.lines() {
        let Some(comment) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let Some(value) = comment.trim_start().strip_prefix("flyte-lsp:") else {
            continue;
        };
        return match value.trim() {
            "task-environment" => Some(DocKind::TaskEnvironment),
            "pod-template" => Some(DocKind::FlytePodTemplate),
            "kubernetes" => Some(DocKind::KubePodTemplate),
            "ignore" | "off" | "none" => Some(DocKind::Unknown),
            _ => None,
        };
    }
    None
}

/// Decides what `doc` is. `source` is the whole file's text (for the modeline).
pub fn detect(doc: &Document, source: &str) -> DocKind {
    let forced = modeline(doc.text(source));
    let Some(root) = doc.root.as_ref() else {
        return forced.unwrap_or(DocKind::Unknown);
    };
    match forced {
        // A forced `kubernetes` still needs `kind` to pick Pod or PodTemplate.
        Some(DocKind::KubePodTemplate) => {
            if root.get("kind").and_then(Node::as_str) == Some("Pod") {
                DocKind::KubePod
            } else {
                DocKind::KubePodTemplate
            }
        }
        Some(kind) => kind,
        None => detect_by_content(root),
    }
}

fn detect_by_content(root: &Node) -> DocKind {
    let Some(entries) = root.as_map() else {
        return DocKind::Unknown;
    };
    if root.get("apiVersion").is_some() || root.get("kind").is_some() {
        let api = root.get("apiVersion").and_then(Node::as_str);
        return match (api, root.get("kind").and_then(Node::as_str)) {
            (Some("v1"), Some("PodTemplate")) => DocKind::KubePodTemplate,
            (Some("v1"), Some("Pod")) => DocKind::KubePod,
            _ => DocKind::Unknown,
        };
    }
    let keys: Vec<&str> = entries.iter().filter_map(|e| e.key_str()).collect();
    if keys.is_empty() {
        return DocKind::Unknown;
    }
    // A key that is a known key or a near-miss of one (a typo the user should hear about).
    let fits = |known: &[&str], key: &str| {
        known.contains(&key) || closest(key, known.iter().copied()).is_some()
    };
    let all_fit = |known: &[&str]| keys.iter().all(|k| fits(known, k));

    let template_keys = keys.contains(&"pod_spec") || keys.contains(&"primary_container_name");
    if template_keys && all_fit(POD_TEMPLATE_KEYS) {
        return DocKind::FlytePodTemplate;
    }
    let has_name = keys.contains(&"name");
    let flyte_only = keys.iter().filter(|k| FLYTE_ONLY_KEYS.contains(k)).count();
    // Without `name` (a mistake we want to report) it takes two Flyte-only keys to be sure.
    if (flyte_only >= 2 || (has_name && flyte_only >= 1)) && all_fit(TASK_ENVIRONMENT_KEYS) {
        return DocKind::TaskEnvironment;
    }
    DocKind::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn kind(text: &str) -> DocKind {
        parse(text).documents[0].kind
    }

    #[test]
    fn detects_each_kind() {
        assert_eq!(
            kind("name: train\nimage: x\nenv_vars: {A: b}\n"),
            DocKind::TaskEnvironment
        );
        assert_eq!(
            kind("name: train\npod_template: gpu\n"),
            DocKind::TaskEnvironment
        );
        assert_eq!(
            kind("primary_container_name: main\npod_spec: {}\n"),
            DocKind::FlytePodTemplate
        );
        assert_eq!(
            kind("pod_spec:\n  containers: []\nlabel: {}\n"),
            DocKind::FlytePodTemplate,
            "typo of labels"
        );
        assert_eq!(
            kind("apiVersion: v1\nkind: PodTemplate\n"),
            DocKind::KubePodTemplate
        );
        assert_eq!(kind("apiVersion: v1\nkind: Pod\n"), DocKind::KubePod);
    }

    #[test]
    fn unrelated_shapes_are_unknown() {
        assert_eq!(
            kind("apiVersion: apps/v1\nkind: Deployment\n"),
            DocKind::Unknown
        );
        assert_eq!(kind("name: ci\non: push\njobs: {}\n"), DocKind::Unknown);
        assert_eq!(
            kind("image: {repository: x}\nresources: {}\nname: x\n"),
            DocKind::Unknown
        );
        assert_eq!(kind("- hosts: all\n"), DocKind::Unknown);
        assert_eq!(
            kind("name: app\nservices: {}\nsecrets: {}\n"),
            DocKind::Unknown
        );
    }

    #[test]
    fn modeline_forces_the_kind() {
        assert_eq!(
            kind("# flyte-lsp: pod-template\nfoo: 1\n"),
            DocKind::FlytePodTemplate
        );
        assert_eq!(
            kind("# flyte-lsp: ignore\nname: a\npod_template: x\n"),
            DocKind::Unknown
        );
        assert_eq!(
            kind("# flyte-lsp: kubernetes\nkind: Pod\n"),
            DocKind::KubePod
        );
    }
}
