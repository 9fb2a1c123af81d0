//! Document kinds: which YAML documents are Flyte or pod-template files, and which are not.
//!
//! Detection runs per document, by content, with a `# flyte-lsp: <kind>` modeline as an
//! override. It must be conservative: unrelated YAML (CI workflows, Helm values, compose
//! files) gets no diagnostics at all, so an unsure answer is `Unknown`.

pub mod pod;

use crate::analysis::similar::closest;
use crate::schema::defs;
use crate::yaml::{Document, Node};

/// What a YAML document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// The keyword arguments of `flyte.TaskEnvironment`, in snake_case.
    TaskEnvironment,
    /// A `flyte.PodTemplate`: `primary_container_name`, `labels`, `annotations`, `pod_spec`.
    FlytePodTemplate,
    /// `apiVersion: v1`, `kind: PodTemplate`.
    KubePodTemplate,
    /// `apiVersion: v1`, `kind: Pod`.
    KubePod,
    /// Anything else: analysed not at all.
    Unknown,
}

impl DocKind {
    /// The kind's name in the JSON output and in modelines.
    pub fn name(self) -> &'static str {
        match self {
            DocKind::TaskEnvironment => "task-environment",
            DocKind::FlytePodTemplate => "pod-template",
            DocKind::KubePodTemplate | DocKind::KubePod => "kubernetes",
            DocKind::Unknown => "unknown",
        }
    }

    /// True for the Flyte shapes, which are read by the Python client (snake_case tolerated).
    pub fn is_flyte(self) -> bool {
        matches!(self, DocKind::TaskEnvironment | DocKind::FlytePodTemplate)
    }

    /// The `$defs` name of the schema for the whole document.
    pub fn root_def(self) -> Option<&'static str> {
        match self {
            DocKind::TaskEnvironment => Some(defs::FLYTE_TASK_ENVIRONMENT),
            DocKind::FlytePodTemplate => Some(defs::FLYTE_POD_TEMPLATE),
            DocKind::KubePodTemplate => Some(defs::POD_TEMPLATE),
            DocKind::KubePod => Some(defs::POD),
            DocKind::Unknown => None,
        }
    }
}

/// The `TaskEnvironment` keyword arguments (flyte 2.12 `flyte/_task_environment.py`).
pub const TASK_ENVIRONMENT_KEYS: &[&str] = &[
    "name",
    "image",
    "resources",
    "env_vars",
    "secrets",
    "service_account",
    "pod_template",
    "description",
    "interruptible",
    "depends_on",
    "include",
    "cache",
    "reusable",
    "plugin_config",
    "queue",
];

/// Keys that only a Flyte task environment uses; `name`, `image` and `resources` are too
/// common in Helm values and compose files to count as evidence on their own.
const FLYTE_ONLY_KEYS: &[&str] = &[
    "env_vars",
    "secrets",
    "service_account",
    "pod_template",
    "interruptible",
    "depends_on",
    "cache",
    "reusable",
    "plugin_config",
    "queue",
];

/// The `flyte.PodTemplate` fields (`flyte/_pod.py`).
pub const POD_TEMPLATE_KEYS: &[&str] = &[
    "primary_container_name",
    "labels",
    "annotations",
    "pod_spec",
];

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
        let stream = parse(text);
        detect(&stream.documents[0], text)
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
