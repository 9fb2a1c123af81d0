//! Which YAML documents are Flyte or pod-template files, and which are not.
//!
//! Detection runs per document, by content, with a `# flyte-lsp: <kind>` modeline as an
//! override. It must be conservative: unrelated YAML (CI workflows, Helm values, compose
//! files) gets no diagnostics at all, so an unsure answer is `Unknown`.

use crate::model::{FLYTE_ONLY_KEYS, POD_TEMPLATE_KEYS, RESOURCES_KEYS, TASK_ENVIRONMENT_KEYS};
use crate::settings::files::kind_named;
use crate::text::similar::closest;
use crate::tree::{DocKind, Document, Node};

/// Reads a `# flyte-lsp: <kind>` modeline from the document's text: the first line that is a
/// comment starting with `flyte-lsp:`.
pub fn modeline(text: &str) -> Option<DocKind> {
    // Runs on every parse of every document: only the lines holding the marker are read, so a
    // document without one costs a substring search.
    const MARKER: &str = "flyte-lsp:";
    let mut from = 0;
    // memchr's SIMD search: std's `str::find` for a pattern is several times slower, and
    // completion runs this on the document at every request.
    let finder = memchr::memmem::Finder::new(MARKER);
    while let Some(found) = text
        .get(from..)
        .and_then(|rest| finder.find(rest.as_bytes()))
    {
        let at = from + found;
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        if let Some(kind) = modeline_in(&text[start..end]) {
            return kind;
        }
        from = end;
    }
    None
}

/// The modeline's reading of one line (`\n` excluded): `None` when the line is no modeline,
/// `Some(kind)` when it is (with `kind` `None` for a name that is no kind).
fn modeline_in(line: &str) -> Option<Option<DocKind>> {
    // What `str::lines` would drop; `trim` below drops it all the same.
    let line = line.strip_suffix('\r').unwrap_or(line);
    let comment = line.trim_start().strip_prefix('#')?;
    let value = comment.trim_start().strip_prefix("flyte-lsp:")?;
    Some(kind_named(value.trim()))
}

/// Decides what `doc` is. `source` is the whole file's text (for the modeline).
pub fn detect(doc: &Document, source: &str) -> DocKind {
    detect_with(doc, source, None)
}

/// Like [`detect`], for a file whose settings give its documents a kind (`files.kinds`;
/// `Some(Unknown)` is `ignore`). A modeline in the document still wins: it is written in the
/// file, by whoever knows that one document, where a glob speaks for many files at once.
pub fn detect_with(doc: &Document, source: &str, default: Option<DocKind>) -> DocKind {
    let forced = modeline(doc.text(source)).or(default);
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
    if has_name && flyte_resources(root) && all_fit(TASK_ENVIRONMENT_KEYS) {
        return DocKind::TaskEnvironment;
    }
    DocKind::Unknown
}

/// `name` beside a `resources` spelled the way only `flyte.Resources` spells it: a non-empty
/// mapping whose keys are all Flyte's (`cpu`, `memory`, `gpu`, `disk`, `shm`). Kubernetes,
/// Helm values and compose files write `limits`/`requests` (or `reservations`) there, and a
/// Helm chart's `image` is a mapping (`repository`, `tag`) where Flyte's is a string.
fn flyte_resources(root: &Node) -> bool {
    let resources = root.get("resources").and_then(Node::as_map);
    let flyte_keys = resources.is_some_and(|entries| {
        !entries.is_empty()
            && entries
                .iter()
                .all(|e| e.key_str().is_some_and(|k| RESOURCES_KEYS.contains(&k)))
    });
    flyte_keys && root.get("image").is_none_or(|i| i.as_scalar().is_some())
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
    fn name_and_flyte_resources_are_a_task_environment() {
        for text in [
            "name: train\nresources: {gpu: \"A100:9\"}\n",
            "name: train\nresources:\n  memory: 1024\n",
            "name: train\nimage: ghcr.io/x/y:1\nresources: {cpu: 2, memory: 4Gi, disk: 10Gi, shm: auto}\n",
            "name: train\nresources: {cpu: 1}\ndescription: a typo below\nintrruptible: true\n",
        ] {
            assert_eq!(kind(text), DocKind::TaskEnvironment, "{text}");
        }
        for text in [
            // Kubernetes' and Helm's spelling.
            "name: web\nresources: {limits: {cpu: 1}, requests: {cpu: 1}}\n",
            "name: web\nresources: {cpu: 1, limits: {memory: 1Gi}}\n",
            "name: web\nresources:\n  requests:\n    memory: 1Gi\n",
            // A Helm chart's image is a mapping.
            "name: web\nimage: {repository: nginx, tag: \"1\"}\nresources: {cpu: 1, memory: 1Gi}\n",
            // Any key that is no TaskEnvironment argument (nor a near miss of one).
            "name: web\nreplicaCount: 2\nresources: {cpu: 1, memory: 1Gi}\n",
            "name: web\nresources: {cpu: 1}\nservice: {port: 80}\n",
            // Not Flyte's keys, or none.
            "name: web\nresources: {cpus: \"0.5\"}\n",
            "name: web\nresources: {}\n",
            "name: web\nresources: [cpu]\n",
            // `name` alone, or `resources` alone.
            "name: web\n",
            "resources: {cpu: 1, memory: 1Gi}\n",
        ] {
            assert_eq!(kind(text), DocKind::Unknown, "{text}");
        }
    }

    #[test]
    fn a_default_kind_applies_unless_a_modeline_says_otherwise() {
        let text = "foo: 1\n---\n# flyte-lsp: ignore\nname: a\npod_template: x\n---\napiVersion: v1\nkind: Pod\n";
        let kinds = |default| -> Vec<DocKind> {
            crate::yaml::parse_with(text, default)
                .documents
                .iter()
                .map(|d| d.kind)
                .collect()
        };
        assert_eq!(
            kinds(Some(DocKind::TaskEnvironment)),
            [
                DocKind::TaskEnvironment,
                DocKind::Unknown,
                DocKind::TaskEnvironment
            ]
        );
        assert_eq!(
            kinds(Some(DocKind::KubePodTemplate)),
            [DocKind::KubePodTemplate, DocKind::Unknown, DocKind::KubePod]
        );
        assert_eq!(
            kinds(Some(DocKind::Unknown)),
            [DocKind::Unknown, DocKind::Unknown, DocKind::Unknown]
        );
        assert_eq!(
            kinds(None),
            [DocKind::Unknown, DocKind::Unknown, DocKind::KubePod]
        );
    }

    #[test]
    fn modeline_reads_the_first_modeline_line() {
        // The way it was read before it searched for the marker: every line, in order.
        let by_lines = |text: &str| {
            text.lines().find_map(|line| {
                let comment = line.trim_start().strip_prefix('#')?;
                let value = comment.trim_start().strip_prefix("flyte-lsp:")?;
                Some(kind_named(value.trim()))
            })
        };
        for text in [
            "",
            "flyte-lsp: pod-template\n",
            "a: 1 # flyte-lsp: pod-template\n# flyte-lsp: kubernetes\n",
            "# x flyte-lsp: ignore\n  #  flyte-lsp:   task-environment  \r\nb: 2\n",
            "# flyte-lsp: nonsense\n# flyte-lsp: pod-template\n",
            "# flyte-lsp:flyte-lsp: pod-template\r\n",
            "key: flyte-lsp:\n#flyte-lsp: ignore",
            "\u{a0}# flyte-lsp: ignore\n",
        ] {
            assert_eq!(modeline(text), by_lines(text).flatten(), "{text:?}");
        }
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
