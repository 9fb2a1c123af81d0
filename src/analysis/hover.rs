//! Hover: Markdown for the key or value under the cursor. Field docs (description, type, allowed
//! values, the Kubernetes version that added the field), quantities in plain numbers, what
//! Flyte does to the primary container, what a `pod_template` string names, what an
//! accelerator string requests, and the pod a name passed as `pod_template` stands for.
//!
//! Pure: plain data with a byte range. Unrelated YAML gets nothing.

use std::borrow::Cow;

use crate::analysis::completion::{LABEL_KEYS, NODE_LABEL_KEYS, RESOURCE_NAMES};
use crate::analysis::lookup::{field_markdown, object_branch, schema_at, type_label};
use crate::analysis::quantity::{self, Unit};
use crate::analysis::Snapshot;
use crate::model::DocKind;
use crate::schema::{schemas, SchemaNode, SchemaSet};
use crate::text::TextRange;
use crate::tree::site::{node_at, DocContext, HoverSite, On, Segment, Sites};
use crate::tree::Node;
use crate::workspace::WorkspaceIndex;

/// A hover answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    /// The key or value described.
    pub range: TextRange,
    pub markdown: String,
}

/// Flyte's default `primary_container_name`.
const DEFAULT_PRIMARY: &str = "primary";

/// Hover at `offset`, or `None` where there is nothing to say. `workspace` resolves a
/// `pod_template` string to the PodTemplate documents that define it.
pub fn hover(snap: &Snapshot<'_>, sites: &dyn Sites, offset: usize) -> Option<Hover> {
    let doc = sites.document_at(offset, None)?;
    let root_def = doc.kind.root_def()?;
    let site = sites.hover_site(&doc, offset)?;
    let set = schemas().for_version(snap.settings.kubernetes_version());
    let root = set.def(root_def)?;
    let flyte = doc.kind.is_flyte();
    let key = site.path.iter().rev().find_map(|s| match s {
        Segment::Key(k) => Some(k.as_str()),
        Segment::Item(_) => None,
    })?;
    let node = schema_at(set, root, &site.path, flyte);
    let parent = site
        .path
        .iter()
        .rposition(|s| matches!(s, Segment::Key(_)))
        .and_then(|at| schema_at(set, root, &site.path[..at], flyte));

    let mut parts: Vec<String> = Vec::new();
    match &site.on {
        On::Value(text) => {
            if let Some(line) = quantity_line(&doc, &site, node, text) {
                parts.push(line);
            }
            if let Some(line) = accelerator_line(&doc, &site, text) {
                parts.push(line);
            }
            if let Some(line) = template_line(snap, &doc, &site, text, offset) {
                parts.push(line);
            }
        }
        On::Name(name) => {
            let value = doc.root.and_then(|root| node_at(root, &site.path, flyte));
            if let Some(summary) = value.and_then(|v| pod_summary(name, key, v)) {
                parts.push(summary);
            }
        }
        On::Key => {}
    }
    let in_map = parent
        .and_then(|p| object_branch(set, p))
        .is_some_and(|p| p.properties().is_none());
    match node {
        Some(n) if in_map && matches!(site.path.last(), Some(Segment::Key(_))) => {
            parts.push(map_key_markdown(set, key, n, parent));
        }
        Some(n) => parts.push(field_markdown(set, key, n, true)),
        None if parts.is_empty() => return None,
        None => {}
    }
    if let Some(note) = primary_note(sites, &doc, &site) {
        parts.push(note);
    }
    Some(Hover {
        range: site.range,
        markdown: parts.join("\n\n"),
    })
}

/// A key of a free-form map (`limits`, `labels`, `nodeSelector`): what Kubernetes makes of it.
fn map_key_markdown(
    set: &SchemaSet,
    key: &str,
    node: SchemaNode<'_>,
    parent: Option<SchemaNode<'_>>,
) -> String {
    let mut out = format!("**`{key}`** · {}", type_label(set, node));
    let table: &[(&str, &str)] = match parent.and_then(|p| p.owner) {
        Some((def, "limits" | "requests")) if def.ends_with("ResourceRequirements") => {
            RESOURCE_NAMES
        }
        Some((_, "labels")) => LABEL_KEYS,
        Some((_, "nodeSelector")) => NODE_LABEL_KEYS,
        _ => &[],
    };
    if let Some((_, doc)) = table.iter().find(|(k, _)| *k == key) {
        out.push_str("\n\n");
        out.push_str(doc);
    }
    out
}

/// `2Gi` = 2,147,483,648 bytes, for values that are quantities: Kubernetes `Quantity` fields
/// and the Flyte environment's `resources`.
fn quantity_line(
    doc: &DocContext<'_>,
    site: &HoverSite,
    node: Option<SchemaNode<'_>>,
    text: &str,
) -> Option<String> {
    let name = site.path.iter().rev().find_map(|s| match s {
        Segment::Key(k) => Some(k.as_str()),
        Segment::Item(_) => None,
    })?;
    let flyte_resource = doc.kind == DocKind::TaskEnvironment
        && site.path.first() == Some(&Segment::Key("resources".into()))
        && matches!(name, "cpu" | "memory" | "disk" | "shm" | "gpu");
    if !(flyte_resource || node.is_some_and(|n| n.is_quantity())) {
        return None;
    }
    quantity::describe(text, Unit::of(name))
}

/// For an environment's `resources.gpu` string: the device, and what the backend requests and
/// schedules on for it.
fn accelerator_line(doc: &DocContext<'_>, site: &HoverSite, text: &str) -> Option<String> {
    let resources = [Segment::Key("resources".into()), Segment::Key("gpu".into())];
    if doc.kind != DocKind::TaskEnvironment || site.path != resources {
        return None;
    }
    let a = crate::model::gpu::describe(text)?;
    Some(format!(
        "**Accelerator** `{}` (device class `{}`): {}.",
        a.device,
        a.class,
        crate::model::gpu::summary(&a)
    ))
}

/// Items listed per kind in [`pod_summary`], at most.
const SUMMARY_ITEMS: usize = 8;

/// A short form of the pod that a name passed as `pod_template` (or `pod_spec`) stands for:
/// its containers and images, the primary container, volumes and scheduling constraints.
fn pod_summary(name: &str, key: &str, value: &Node) -> Option<String> {
    let (spec, primary) = match key {
        "pod_template" => (
            value.get("pod_spec")?,
            Some(
                value
                    .get("primary_container_name")
                    .and_then(Node::as_str)
                    .unwrap_or(DEFAULT_PRIMARY),
            ),
        ),
        "pod_spec" => (value, None),
        _ => return None,
    };
    spec.as_map()?;
    let text_of = |n: Option<&Node>| -> String {
        match n {
            Some(n) => match n.as_str() {
                Some(s) => format!("`{s}`"),
                None => "(set at run time)".to_string(),
            },
            None => "(none)".to_string(),
        }
    };
    let list = |field: &str| -> Vec<&Node> {
        spec.get(field)
            .and_then(Node::as_seq)
            .map(|items| items.iter().collect())
            .unwrap_or_default()
    };
    let mut out = format!("**`{name}`**: a pod");
    if let Some(primary) = primary {
        out.push_str(&format!(" whose primary container is `{primary}`"));
    }
    out.push('\n');
    for (field, label) in [
        ("containers", "container"),
        ("initContainers", "init container"),
    ] {
        let items = list(field);
        for c in items.iter().take(SUMMARY_ITEMS) {
            let cname = c.get("name").and_then(Node::as_str).unwrap_or("?");
            let is_primary = field == "containers" && Some(cname) == primary;
            let image = match c.get("image") {
                None if is_primary => "the environment's image".to_string(),
                image => text_of(image),
            };
            let mark = if is_primary { " (primary)" } else { "" };
            out.push_str(&format!("\n- {label} `{cname}`{mark}: image {image}"));
        }
        if items.len() > SUMMARY_ITEMS {
            out.push_str(&format!("\n- … {} more", items.len() - SUMMARY_ITEMS));
        }
        if field == "containers" {
            if let Some(p) = primary.filter(|p| {
                !items
                    .iter()
                    .any(|c| c.get("name").and_then(Node::as_str) == Some(p))
            }) {
                out.push_str(&format!(
                    "\n- container `{p}` (primary): added by Flyte, with the environment's image"
                ));
            }
        }
    }
    let names = |field: &str| -> Vec<String> {
        list(field)
            .iter()
            .filter_map(|v| v.get("name").and_then(Node::as_str))
            .map(|n| format!("`{n}`"))
            .collect()
    };
    let volumes = names("volumes");
    if !volumes.is_empty() {
        out.push_str(&format!("\n- volumes: {}", volumes.join(", ")));
    }
    if let Some(sel) = spec.get("nodeSelector").and_then(Node::as_map) {
        let pairs: Vec<String> = sel
            .iter()
            .filter_map(|e| Some(format!("`{}={}`", e.key_str()?, e.value.as_str()?)))
            .collect();
        if !pairs.is_empty() {
            out.push_str(&format!("\n- node selector: {}", pairs.join(", ")));
        }
    }
    let tolerations = list("tolerations").len();
    if tolerations > 0 {
        out.push_str(&format!("\n- tolerations: {tolerations}"));
    }
    for field in ["serviceAccountName", "schedulerName", "priorityClassName"] {
        if let Some(v) = spec.get(field).and_then(Node::as_str) {
            out.push_str(&format!("\n- `{field}`: `{v}`"));
        }
    }
    Some(out)
}

/// Lines of a template shown in hover, at most.
const TEMPLATE_PREVIEW_LINES: usize = 24;

/// For a `pod_template` string: what it names, and when this file or the workspace defines
/// it, the pod that results (the preview's cluster layer with that template merged under the
/// task), shortened.
fn template_line(
    snap: &Snapshot<'_>,
    doc: &DocContext<'_>,
    site: &HoverSite,
    name: &str,
    offset: usize,
) -> Option<String> {
    if doc.kind != DocKind::TaskEnvironment || site.path != [Segment::Key("pod_template".into())] {
        return None;
    }
    let mut out = format!(
        "Names the Kubernetes PodTemplate `{name}` in the cluster (looked up in the run's \
         namespace, then in Flyte's own). The backend uses it instead of the default template \
         and merges the task's pod over it at run time; the SDK does not check that it exists."
    );
    let (source, stream, workspace) = (snap.source, snap.stream, snap.workspace);
    let here = crate::workspace::index_text(std::path::Path::new(""), source, stream)
        .into_iter()
        .find(|d| d.definition && d.name == name);
    let elsewhere = || workspace?.lookup(name).into_iter().next().cloned();
    let (def, place) = match here {
        Some(d) => {
            let line = d.utf16.0.line + 1;
            (d, format!("Defined in this file, line {line}:"))
        }
        None => {
            let Some(d) = elsewhere() else {
                return Some(out);
            };
            let place = format!(
                "Defined in `{}`, line {}:",
                d.path.display(),
                d.utf16.0.line + 1
            );
            (d, place)
        }
    };
    // The pod this environment runs with that template merged under it.
    let mut only_this = WorkspaceIndex::default();
    only_this.update(&def.path, &def.source);
    only_this.complete = true;
    let index = stream
        .documents
        .iter()
        .position(|d| d.span.start <= offset && offset <= d.span.end);
    let ctx = crate::analysis::render::RenderContext {
        workspace: Some(&only_this),
        cluster_template: None,
    };
    let rendered = index.and_then(|i| {
        crate::analysis::render::render(snap, i, crate::analysis::render::Layer::Cluster, &ctx).ok()
    });
    let (title, text) = match rendered {
        Some(r) => (
            "The pod it runs with this template merged in (preview, cluster layer):",
            crate::yaml::emit::to_yaml(&r.pod),
        ),
        None => ("The template:", def.source.to_string()),
    };
    let body: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("---"))
        .take(TEMPLATE_PREVIEW_LINES)
        .collect();
    let more = if text.lines().count() > body.len() + 1 {
        "\n# …"
    } else {
        ""
    };
    out.push_str(&format!(
        "\n\n{place}\n\n{title}\n\n```yaml\n{}{more}\n```",
        body.join("\n")
    ));
    Some(out)
}

/// What Flyte does to the primary container, on the fields it changes. Shown on a container's
/// `name` (everything) and on `image`, `command`, `args`, `env` and `resources`.
fn primary_note(sites: &dyn Sites, doc: &DocContext<'_>, site: &HoverSite) -> Option<String> {
    let path = &site.path;
    let c = path
        .iter()
        .rposition(|s| *s == Segment::Key("containers".into()))?;
    if path.len() != c + 3 || !matches!(path.get(c + 1), Some(Segment::Item(_))) {
        return None;
    }
    let Some(Segment::Key(field)) = path.get(c + 2) else {
        return None;
    };
    let tree: Cow<'_, Node> = if doc.broken {
        Cow::Owned(sites.repaired_root(&doc.region, None)?)
    } else {
        Cow::Borrowed(doc.root?)
    };
    let flyte = doc.kind.is_flyte();
    let container = node_at(&tree, &path[..c + 2], flyte)?;
    let name = container.get("name")?.as_str()?;
    if !flyte {
        return (doc.kind == DocKind::KubePodTemplate && field == "name")
            .then(|| cluster_template_note(name))
            .flatten();
    }
    if c == 0 || path[c - 1] != Segment::Key("pod_spec".into()) {
        return None;
    }
    let template = node_at(&tree, &path[..c - 1], flyte)?;
    let primary = template
        .get("primary_container_name")
        .and_then(Node::as_str)
        .unwrap_or(DEFAULT_PRIMARY);
    if name != primary {
        return None;
    }
    let image = "- `image`: kept when set here; otherwise the task environment's `image`.";
    let command = "- `command`: replaced by `[]`, so the image's ENTRYPOINT (if any) runs \
                   Flyte's arguments.";
    let args = "- `args`: replaced by Flyte's runtime command line (`a0 --inputs … \
                --outputs-path …`); the image needs the `flyte` package.";
    let env = "- `env`: the task environment's `env_vars` first, then this list (no \
               de-duplication, so an entry here overrides an `env_vars` entry of the same name).";
    let resources = "- `resources`: the environment's `resources` are merged into `requests` \
                     and `limits` key by key; the environment's values win, other keys here \
                     (such as `nvidia.com/gpu`) are kept.";
    let lines: Vec<&str> = match field.as_str() {
        "name" => vec![image, command, args, env, resources],
        "image" => vec![image],
        "command" => vec![command],
        "args" => vec![args],
        "env" => vec![env],
        "resources" => vec![resources],
        _ => return None,
    };
    let mut out = format!(
        "**Flyte primary container** `{primary}`: the task runs here, and the SDK rewrites it \
         when it registers the task:\n"
    );
    for l in lines {
        out.push('\n');
        out.push_str(l);
    }
    if field == "name" {
        out.push_str("\n- every other field is kept; other containers are left untouched.");
    }
    Some(out)
}

/// The magic container names of a cluster PodTemplate (flytepropeller's template merge).
fn cluster_template_note(name: &str) -> Option<String> {
    match name {
        "default" => Some(
            "**Cluster PodTemplate** container `default`: Flyte uses it as the base of every \
             task container; the task's fields win, and lists (env, volumeMounts) keep this \
             template's entries first."
                .to_string(),
        ),
        "primary" => Some(
            "**Cluster PodTemplate** container `primary`: Flyte uses it as the base of the \
             task's primary container (over `default`); the task's fields win, and lists keep \
             this template's entries first."
                .to_string(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    fn hover_at(fixture: &str) -> Option<String> {
        let at = fixture.find("$0").expect("$0");
        let text = fixture.replace("$0", "");
        crate::engine::hover(&text, &Settings::default(), None, at).map(|h| h.markdown)
    }

    #[test]
    fn keys_show_docs_type_and_values() {
        let md =
            hover_at("pod_spec:\n  containers:\n    - name: a\n      imagePull$0Policy: Always\n")
                .expect("hover");
        assert!(md.starts_with("**`imagePullPolicy`** · string"), "{md}");
        assert!(md.contains("Image pull policy"), "{md}");
        assert!(md.contains("`IfNotPresent`"), "{md}");
    }

    #[test]
    fn quantities_are_normalized() {
        let md = hover_at(
            "pod_spec:\n  containers:\n    - name: a\n      resources:\n        limits:\n          memory: 2G$0i\n",
        )
        .expect("hover");
        assert!(md.starts_with("`2Gi` = 2,147,483,648 bytes"), "{md}");
        let md = hover_at("name: x\nenv_vars: {}\nresources:\n  cpu: 50$00m\n").expect("hover");
        assert!(md.starts_with("`500m` = 0.5 CPU"), "{md}");
        let md = hover_at(
            "pod_spec:\n  containers:\n    - name: a\n      resources:\n        limits:\n          c$0pu: 1\n",
        )
        .expect("hover");
        assert!(md.contains("CPU, in cores"), "{md}");
    }

    #[test]
    fn primary_container_notes() {
        let text = "primary_container_name: main\npod_spec:\n  containers:\n    - na$0me: main\n      image: x\n    - name: side\n";
        let md = hover_at(text).expect("hover");
        assert!(md.contains("**Flyte primary container** `main`"), "{md}");
        assert!(md.contains("replaced by `[]`"), "{md}");
        let side = "primary_container_name: main\npod_spec:\n  containers:\n    - name: main\n    - na$0me: side\n";
        assert!(!hover_at(side).expect("hover").contains("primary container"));
        let env = "name: x\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        en$0v: []\n";
        let md = hover_at(env).expect("hover");
        assert!(md.contains("`env_vars` first"), "{md}");
        assert!(!md.contains("`command`"), "{md}");
    }

    #[test]
    fn unrelated_yaml_is_silent() {
        assert_eq!(hover_at("name: ci\non: push\njobs:\n  bu$0ild: {}\n"), None);
    }

    #[test]
    fn template_string_shows_the_workspace_template() {
        let mut index = WorkspaceIndex::default();
        index.update(
            std::path::Path::new("/w/gpu.yaml"),
            "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu\ntemplate:\n  spec:\n    containers: []\n",
        );
        let text = "name: x\npod_template: gpu\n";
        let md = crate::engine::hover(text, &Settings::default(), Some(&index), 23)
            .expect("hover")
            .markdown;
        assert!(md.contains("Defined in `/w/gpu.yaml`, line 4:"), "{md}");
        assert!(md.contains("merged in (preview, cluster layer)"), "{md}");
        assert!(md.contains("```yaml\napiVersion: v1\nkind: Pod\n"), "{md}");
    }

    #[test]
    fn template_string_names_a_document_in_the_file() {
        let text = "name: x\npod_template: g$0pu\n---\napiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu\ntemplate:\n  spec:\n    containers: []\n";
        let md = hover_at(text).expect("hover");
        assert!(md.contains("PodTemplate `gpu`"), "{md}");
        assert!(md.contains("Defined in this file, line 7:"), "{md}");
        assert!(md.contains("```yaml\napiVersion: v1\nkind: Pod\n"), "{md}");
    }
}
