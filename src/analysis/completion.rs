//! Completion: the keys valid at the cursor, and values for enums, booleans, resource names and
//! names defined elsewhere in the document (containers, volumes), as plain data.
//!
//! Everything works on half-typed documents: the cursor's place comes from the text's
//! indentation (`cursor`), the schema from the document kind. Unrelated YAML gets nothing.
//! Insert text is YAML at the cursor's indentation, or what the document's front end writes
//! instead (Python: a string literal, a dict key `"cpu": `, a keyword `image_pull_policy=`); the
//! server turns items into LSP types.

use std::borrow::Cow;

use crate::analysis::lookup::{
    accepts_scalar, allowed_values, array_branch, field_markdown, is_boolean, object_branch,
    schema_at, type_label,
};
use crate::model::DocKind;
use crate::schema::{schemas, short_def_name, JsonType, SchemaNode, SchemaSet};
use crate::settings::Settings;
use crate::text::similar::is_snake_of;
use crate::text::TextRange;
use crate::tree::site::{node_at, CompletionSite, ListNames, Segment, Sites, Target};
use crate::tree::Node;
use crate::workspace::WorkspaceIndex;

/// What an item completes, for the editor's icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    /// A mapping key from the schema.
    Field,
    /// A value: an enum member, a boolean, a name defined in the document.
    Value,
    /// A new list item with its usual keys.
    Snippet,
}

/// One completion item, with byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// The field's type, or where a value comes from.
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// Snippet syntax (`$1`, `$0`) when `is_snippet`. Lines after the first are indented
    /// relative to the cursor line's leading whitespace, which editors add back to each line
    /// (LSP `adjustIndentation`); [`CompletionItem::plain_text`] gives the absolute form.
    pub insert_text: String,
    pub is_snippet: bool,
    /// Required keys sort first, deprecated ones last.
    pub sort_text: String,
    pub deprecated: bool,
    /// The text the item replaces (the half-typed word), when there is one.
    pub replace_range: Option<TextRange>,
}

/// The answer to a completion request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completions {
    pub items: Vec<CompletionItem>,
    /// Width of the cursor line's leading whitespace (see [`CompletionItem::insert_text`]).
    pub line_indent: usize,
}

impl CompletionItem {
    /// The insert text without snippet syntax and with absolute indentation, for clients that
    /// insert text as is.
    pub fn plain_text(&self, line_indent: usize) -> String {
        let text = if self.is_snippet {
            strip_snippet(&self.insert_text)
        } else {
            self.insert_text.clone()
        };
        text.replace('\n', &format!("\n{}", " ".repeat(line_indent)))
    }
}

/// Removes snippet syntax: tab stops vanish, placeholders keep their text, choices their
/// first option, escapes are undone.
pub fn strip_snippet(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len());
    let mut chars = snippet.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                match chars.next() {
                    Some(':') => {}
                    Some('|') => {
                        let mut first = true;
                        for ch in chars.by_ref() {
                            match ch {
                                ',' => first = false,
                                '|' => break,
                                _ if first => out.push(ch),
                                _ => {}
                            }
                        }
                        chars.next();
                        continue;
                    }
                    _ => continue,
                }
                // Placeholder text, up to its closing brace (nesting is not generated here).
                for ch in chars.by_ref() {
                    if ch == '}' {
                        break;
                    }
                    out.push(ch);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for a snippet.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('$', "\\$")
        .replace('}', "\\}")
}

/// Completion items at `offset`. Empty for documents that are not Flyte or pod-template YAML.
///
/// `stream` gives the file's parsed tree. Keys and enum values come from the text and the
/// schema alone, so it is called only when the answer needs the tree (names defined elsewhere
/// in the document, or a document the text cannot classify): on a large file the parse costs
/// more than the completion.
/// `workspace` supplies the PodTemplate names a string `pod_template` may refer to.
pub fn completions(
    sites: &dyn Sites,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    offset: usize,
) -> Completions {
    complete(sites, settings, workspace, offset).unwrap_or_default()
}

fn complete(
    sites: &dyn Sites,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    offset: usize,
) -> Option<Completions> {
    let offset = crate::text::floor_char_boundary(sites.source(), offset);
    let (line_start, _) = sites.line_bounds(offset);
    let region = sites.region_at(offset)?;
    let kind = match sites.text_kind(&region) {
        Some(kind) => kind,
        None => sites.document_at(offset, Some(line_start))?.kind,
    };
    let root_def = kind.root_def()?;
    let site = sites.completion_site(&region, offset)?;
    let set = schemas().for_version(settings.kubernetes_version());
    let root = set.def(root_def)?;
    let flyte = kind.is_flyte();
    let node = schema_at(set, root, &site.path, flyte)?;
    let ctx = Ctx {
        sites,
        set,
        site: &site,
        kind,
        region,
        flyte,
        line_start,
        workspace,
    };
    let items = match site.target {
        Target::Key => ctx.node_start(node),
        Target::Value => ctx.values(node),
    };
    Some(Completions {
        items,
        line_indent: site.line_indent,
    })
}

struct Ctx<'a> {
    sites: &'a dyn Sites,
    set: &'a SchemaSet,
    site: &'a CompletionSite,
    kind: DocKind,
    region: TextRange,
    flyte: bool,
    line_start: usize,
    workspace: Option<&'a WorkspaceIndex>,
}

/// How a field's value is written, which decides its insert text.
enum Shape<'a> {
    Scalar,
    Mapping,
    ListOfMappings(SchemaNode<'a>),
    ListOfScalars,
}

fn value_shape<'a>(set: &'a SchemaSet, node: SchemaNode<'a>) -> Shape<'a> {
    if node.is_quantity() || node.is_int_or_string() || accepts_scalar(set, node) {
        return Shape::Scalar;
    }
    if let Some(list) = array_branch(set, node) {
        return match list.items(set) {
            Some(item) if object_branch(set, item).is_some() => Shape::ListOfMappings(item),
            _ => Shape::ListOfScalars,
        };
    }
    if object_branch(set, node).is_some() {
        return Shape::Mapping;
    }
    Shape::Scalar
}

/// Keys a new list item starts with: its required keys, then the ones nobody omits.
fn item_keys(set: &SchemaSet, item: SchemaNode<'_>) -> Vec<String> {
    let Some(obj) = object_branch(set, item) else {
        return Vec::new();
    };
    let mut keys: Vec<String> = obj.required().map(str::to_string).collect();
    // `name` identifies a list item (`- name: data`); it reads best first.
    if let Some(at) = keys.iter().position(|k| k == "name") {
        let name = keys.remove(at);
        keys.insert(0, name);
    }
    let usual: &[&str] = match obj.def.map(short_def_name) {
        Some("Container") | Some("EphemeralContainer") => &["name", "image"],
        Some("EnvVar") => &["name", "value"],
        Some("Toleration") => &["key", "operator", "effect"],
        Some("LocalObjectReference") | Some("Volume") => &["name"],
        _ => &[],
    };
    for k in usual {
        if !keys.iter().any(|x| x == k) && obj.property(set, k).is_some() {
            keys.push((*k).to_string());
        }
    }
    keys
}

/// `- a: $1\n  b: $2`, with lines after the first indented `rel + 2` from the line's indent.
fn item_snippet(keys: &[String], rel: usize) -> String {
    if keys.is_empty() {
        return "- $0".to_string();
    }
    let mut s = String::from("- ");
    for (n, k) in keys.iter().enumerate() {
        if n > 0 {
            s.push('\n');
            s.push_str(&" ".repeat(rel + 2));
        }
        s.push_str(&format!("{}: ${}", escape(k), n + 1));
    }
    s
}

fn is_deprecated(node: SchemaNode<'_>) -> bool {
    node.description().is_some_and(|d| {
        d.starts_with("Deprecated") || d.starts_with("DEPRECATED") || d.contains("Deprecated:")
    })
}

/// Accelerator spellings flyte 2.12 rewrites with a deprecation warning
/// (`DEPRECATED_ACCELERATOR_NOTATIONS` in `flyte/_internal/runtime/resources_serde.py`).
const DEPRECATED_ACCELERATORS: &[&str] = &["A100 80G", "RTX PRO 6000"];

/// What an accelerator string of `resources.gpu` becomes, for its completion item.
fn gpu_doc(value: &str) -> Option<String> {
    let a = crate::model::gpu::describe(value)?;
    Some(format!("{}.", crate::model::gpu::summary(&a)))
}

/// Resource names Kubernetes knows for `requests` and `limits`, with a line of docs each.
pub(crate) const RESOURCE_NAMES: &[(&str, &str)] = &[
    ("cpu", "CPU, in cores: `1`, `0.5` or `500m` (millicores)."),
    (
        "memory",
        "Memory, in bytes: `512Mi`, `4Gi` (powers of 1024) or `500M`, `4G` (powers of 1000).",
    ),
    (
        "ephemeral-storage",
        "Local ephemeral storage, in bytes: the container's writable layer, its logs and \
         `emptyDir` volumes without a medium.",
    ),
    (
        "nvidia.com/gpu",
        "NVIDIA GPUs, whole devices. An extended resource: it cannot be overcommitted, so a \
         request must equal the limit (setting only the limit is enough).",
    ),
    (
        "hugepages-2Mi",
        "Pre-allocated 2 MiB huge pages, in bytes. The request must equal the limit, and `cpu` \
         or `memory` must be set too.",
    ),
    (
        "hugepages-1Gi",
        "Pre-allocated 1 GiB huge pages, in bytes. The request must equal the limit, and `cpu` \
         or `memory` must be set too.",
    ),
];

/// Label keys recommended by Kubernetes (`app.kubernetes.io/*`).
pub(crate) const LABEL_KEYS: &[(&str, &str)] = &[
    ("app.kubernetes.io/name", "The name of the application."),
    (
        "app.kubernetes.io/instance",
        "A unique name identifying this instance of the application.",
    ),
    (
        "app.kubernetes.io/version",
        "The current version of the application.",
    ),
    (
        "app.kubernetes.io/component",
        "The component within the architecture.",
    ),
    (
        "app.kubernetes.io/part-of",
        "The name of a higher-level application this one is part of.",
    ),
    (
        "app.kubernetes.io/managed-by",
        "The tool used to manage the application.",
    ),
];

/// Node labels every Kubernetes node (or cloud node) carries, for `nodeSelector`.
pub(crate) const NODE_LABEL_KEYS: &[(&str, &str)] = &[
    (
        "kubernetes.io/arch",
        "The node's CPU architecture: `amd64`, `arm64`.",
    ),
    (
        "kubernetes.io/os",
        "The node's operating system: `linux`, `windows`.",
    ),
    ("kubernetes.io/hostname", "The node's hostname."),
    (
        "node.kubernetes.io/instance-type",
        "The cloud instance type of the node.",
    ),
    ("topology.kubernetes.io/zone", "The zone the node runs in."),
    (
        "topology.kubernetes.io/region",
        "The region the node runs in.",
    ),
];

impl<'a> Ctx<'a> {
    /// A node starts at the cursor: keys of a mapping, a new list item, or a value on its own
    /// line.
    fn node_start(&self, node: SchemaNode<'a>) -> Vec<CompletionItem> {
        if let Some(obj) = object_branch(self.set, node) {
            if obj.properties().is_some() {
                return self.keys(obj);
            }
            return self.map_keys(obj);
        }
        // Where keys are not written as blocks, a key site is inside brackets: no list items.
        if !self.sites.writes_blocks() {
            return Vec::new();
        }
        if let Some(list) = array_branch(self.set, node) {
            return self.new_item(list);
        }
        self.values(node)
    }

    fn replace(&self) -> Option<TextRange> {
        Some(self.site.replace.clone())
    }

    /// Keys already present, with (in Flyte documents) the fields of `obj` that a snake_case
    /// key present stands for.
    fn present(&self, obj: Option<SchemaNode<'a>>) -> Vec<String> {
        let mut out = self.site.present.clone();
        if let Some(props) = obj.and_then(|o| o.properties()).filter(|_| self.flyte) {
            out.extend(
                props
                    .keys()
                    .filter(|p| self.site.present.iter().any(|k| is_snake_of(k, p)))
                    .cloned(),
            );
        }
        out
    }

    fn keys(&self, obj: SchemaNode<'a>) -> Vec<CompletionItem> {
        let present = self.present(Some(obj));
        let required: Vec<&str> = obj.required().collect();
        let mut items = Vec::new();
        let Some(props) = obj.properties() else {
            return items;
        };
        for name in props.keys() {
            if present.iter().any(|p| p == name) {
                continue;
            }
            // A Pod's status is written by the cluster, never by hand.
            if self.site.path.is_empty() && self.kind == DocKind::KubePod && name == "status" {
                continue;
            }
            let Some(prop) = obj.property(self.set, name) else {
                continue;
            };
            let deprecated = is_deprecated(prop);
            let rank = if required.contains(&name.as_str()) {
                0
            } else if deprecated {
                2
            } else {
                1
            };
            let (label, (insert_text, is_snippet)) =
                match self.sites.keyword_item(name, self.site.colon_follows) {
                    Some((label, insert)) => (label, (insert, false)),
                    None => (name.clone(), self.key_insert(name, prop)),
                };
            items.push(CompletionItem {
                label,
                kind: CompletionKind::Field,
                detail: Some(type_label(self.set, prop)),
                documentation: Some(field_markdown(self.set, name, prop, false)),
                insert_text,
                is_snippet,
                sort_text: format!("{rank}_{name}"),
                deprecated,
                replace_range: self.replace(),
            });
        }
        items
    }

    fn key_insert(&self, name: &str, prop: SchemaNode<'a>) -> (String, bool) {
        if self.site.colon_follows {
            return (name.to_string(), false);
        }
        let rel = self.site.column.saturating_sub(self.site.line_indent);
        let ind = " ".repeat(rel + 2);
        let key = escape(name);
        match value_shape(self.set, prop) {
            Shape::Scalar => (format!("{name}: "), false),
            Shape::Mapping => (format!("{key}:\n{ind}$0"), true),
            Shape::ListOfMappings(item) => {
                let keys = item_keys(self.set, item);
                let body = item_snippet(&keys, rel + 2);
                (format!("{key}:\n{ind}{body}"), true)
            }
            Shape::ListOfScalars => (format!("{key}:\n{ind}- $0"), true),
        }
    }

    /// Keys of a free-form map that Kubernetes gives meaning to: resource names, well-known
    /// labels, node labels.
    fn map_keys(&self, obj: SchemaNode<'a>) -> Vec<CompletionItem> {
        let table: &[(&str, &str)] = match obj.owner {
            Some((def, "limits" | "requests")) if def.ends_with("ResourceRequirements") => {
                RESOURCE_NAMES
            }
            Some((_, "labels")) => LABEL_KEYS,
            Some((def, "nodeSelector")) if def.ends_with("PodSpec") => NODE_LABEL_KEYS,
            _ => return Vec::new(),
        };
        let detail = if std::ptr::eq(table, RESOURCE_NAMES) {
            "resource"
        } else {
            "label"
        };
        let present = self.present(None);
        table
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| !present.iter().any(|p| p == k))
            .map(|(n, (k, doc))| CompletionItem {
                label: (*k).to_string(),
                kind: CompletionKind::Field,
                detail: Some(detail.to_string()),
                documentation: Some((*doc).to_string()),
                insert_text: match self.sites.map_key_insert(
                    k,
                    self.site.quoted,
                    self.site.colon_follows,
                ) {
                    Some(text) => text,
                    None if self.site.colon_follows => (*k).to_string(),
                    None => format!("{k}: "),
                },
                is_snippet: false,
                sort_text: format!("0_{n:03}"),
                deprecated: false,
                replace_range: self.replace(),
            })
            .collect()
    }

    /// A new list item under a list key (the cursor is below `containers:` with no dash yet).
    fn new_item(&self, list: SchemaNode<'a>) -> Vec<CompletionItem> {
        if !self.sites.writes_blocks() {
            return Vec::new();
        }
        let Some(item) = list.items(self.set) else {
            return Vec::new();
        };
        if object_branch(self.set, item).is_none() {
            return Vec::new();
        }
        let keys = item_keys(self.set, item);
        let rel = self.site.column.saturating_sub(self.site.line_indent);
        let label = match keys.first() {
            Some(k) => format!("- {k}"),
            None => "- ".to_string(),
        };
        vec![CompletionItem {
            label,
            kind: CompletionKind::Snippet,
            detail: Some(format!("new {}", type_label(self.set, item))),
            documentation: item.description().map(str::to_string),
            insert_text: item_snippet(&keys, rel),
            is_snippet: true,
            sort_text: "0".to_string(),
            deprecated: false,
            replace_range: self.replace(),
        }]
    }

    /// Values for a scalar field: names defined in the document, enum members, booleans.
    fn values(&self, node: SchemaNode<'a>) -> Vec<CompletionItem> {
        let mut values: Vec<(String, String, bool)> = Vec::new();
        for (name, what) in self.defined_names(node) {
            values.push((name, what.to_string(), false));
        }
        for name in self.template_names() {
            values.push((name, "PodTemplate".to_string(), false));
        }
        if !matches!(
            node.types().as_slice(),
            [JsonType::Object] | [JsonType::Array]
        ) {
            let detail = type_label(self.set, node);
            for v in allowed_values(self.set, node) {
                values.push((v.to_string(), detail.clone(), false));
            }
        }
        if is_boolean(self.set, node) {
            for b in self.sites.boolean_literals() {
                values.push((b.to_string(), "boolean".to_string(), true));
            }
        }
        let mut seen: Vec<String> = Vec::new();
        let mut items = Vec::new();
        let accelerator = self.kind == DocKind::TaskEnvironment
            && self.site.path == [Segment::Key("resources".into()), Segment::Key("gpu".into())];
        for (value, detail, literal) in values {
            if seen.contains(&value) {
                continue;
            }
            seen.push(value.clone());
            // The SDK still reads these spellings, with a deprecation warning.
            let old = accelerator
                && DEPRECATED_ACCELERATORS
                    .iter()
                    .any(|d| value.strip_prefix(d).is_some_and(|n| n.starts_with(':')));
            let mut text = if literal || self.site.quoted {
                value.clone()
            } else {
                self.sites.string_literal(&value)
            };
            if self.site.needs_space {
                text.insert(0, ' ');
            }
            let documentation = accelerator.then(|| gpu_doc(&value)).flatten();
            items.push(CompletionItem {
                label: value,
                kind: CompletionKind::Value,
                detail: Some(detail),
                documentation,
                insert_text: text,
                is_snippet: false,
                sort_text: format!("{}_{:04}", u8::from(old), items.len()),
                deprecated: old,
                replace_range: self.replace(),
            });
        }
        items
    }

    /// This document's tree for looking names up: the parsed one, or a repaired parse when a
    /// syntax error cut it short.
    fn tree(&self) -> Option<Cow<'a, Node>> {
        let (root, broken) = self.sites.tree_of(&self.region);
        if !broken {
            return root.map(Cow::Borrowed);
        }
        self.sites
            .repaired_root(&self.region, Some(self.line_start))
            .map(Cow::Owned)
    }

    /// For a task environment's `pod_template`: the PodTemplates the workspace and this file
    /// define (a string names a cluster template).
    fn template_names(&self) -> Vec<String> {
        if self.kind != DocKind::TaskEnvironment
            || self.site.path != [Segment::Key("pod_template".into())]
        {
            return Vec::new();
        }
        let mut names: Vec<String> = self
            .workspace
            .map(|w| w.names().into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        // This file's own templates, which the index may not have seen in this version yet.
        let (source, stream) = (self.sites.source(), self.sites.stream());
        for def in crate::workspace::index_text(std::path::Path::new(""), source, stream) {
            if def.definition && !names.contains(&def.name) {
                names.push(def.name);
            }
        }
        names
    }

    /// Names the field refers to: container names for `primary_container_name`, volume names
    /// for a volume mount's `name`.
    fn defined_names(&self, node: SchemaNode<'a>) -> Vec<(String, &'static str)> {
        let path = &self.site.path;
        let (list_path, what): (Vec<Segment>, &'static str) = match (path.last(), node.owner) {
            (Some(Segment::Key(k)), _) if k == "primary_container_name" && self.flyte => {
                let mut p = path[..path.len() - 1].to_vec();
                p.push(Segment::Key("pod_spec".into()));
                p.push(Segment::Key("containers".into()));
                (p, "container")
            }
            (_, Some((def, "name")))
                if matches!(short_def_name(def), "VolumeMount" | "VolumeDevice") =>
            {
                let Some(at) = path.iter().rposition(|s| {
                    matches!(s, Segment::Key(k) if matches!(k.as_str(),
                        "containers" | "initContainers" | "ephemeralContainers"
                        | "init_containers" | "ephemeral_containers"))
                }) else {
                    return Vec::new();
                };
                let mut p = path[..at].to_vec();
                p.push(Segment::Key("volumes".into()));
                (p, "volume")
            }
            _ => return Vec::new(),
        };
        let names = match self.sites.list_names(&self.region, &list_path) {
            ListNames::Names(names) => names,
            ListNames::Missing => Vec::new(),
            // `containers: [{name: a}]`: the tree reads flow style.
            ListNames::Flow => self.tree_names(&list_path),
        };
        names.into_iter().map(|n| (n, what)).collect()
    }

    /// Names of the items of the list at `path`, from the tree.
    fn tree_names(&self, path: &[Segment]) -> Vec<String> {
        let Some(tree) = self.tree() else {
            return Vec::new();
        };
        let Some(list) = node_at(&tree, path, self.flyte).and_then(Node::as_seq) else {
            return Vec::new();
        };
        list.iter()
            .filter_map(|item| item.get("name")?.as_str())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(fixture: &str) -> (String, Completions) {
        let at = fixture.find("$0").expect("$0");
        let text = fixture.replace("$0", "");
        let c = crate::engine::completions(&text, &Settings::default(), None, at);
        (text, c)
    }

    fn item<'c>(c: &'c Completions, label: &str) -> &'c CompletionItem {
        c.items
            .iter()
            .find(|i| i.label == label)
            .unwrap_or_else(|| panic!("no `{label}` in {:?}", labels(c)))
    }

    fn labels(c: &Completions) -> Vec<&str> {
        c.items.iter().map(|i| i.label.as_str()).collect()
    }

    #[test]
    fn snippets_for_objects_and_lists() {
        let (_, c) = complete("pod_spec:\n  $0\n");
        let containers = item(&c, "containers");
        assert_eq!(
            containers.insert_text,
            "containers:\n  - name: $1\n    image: $2"
        );
        assert!(containers.is_snippet);
        assert_eq!(containers.sort_text, "0_containers");
        assert_eq!(
            containers.plain_text(c.line_indent),
            "containers:\n    - name: \n      image: "
        );
        let sc = item(&c, "securityContext");
        assert_eq!(sc.insert_text, "securityContext:\n  $0");
        let rp = item(&c, "restartPolicy");
        assert_eq!(rp.insert_text, "restartPolicy: ");
        assert!(!rp.is_snippet);
        assert_eq!(rp.detail.as_deref(), Some("string"));
    }

    #[test]
    fn item_content_indentation_is_relative_to_the_line() {
        let (_, c) = complete("pod_spec:\n  containers:\n    - $0\n");
        assert_eq!(c.line_indent, 4);
        let env = item(&c, "env");
        assert_eq!(env.insert_text, "env:\n    - name: $1\n      value: $2");
        assert_eq!(
            env.plain_text(c.line_indent),
            "env:\n        - name: \n          value: "
        );
        assert_eq!(item(&c, "name").sort_text, "0_name");
    }

    #[test]
    fn new_item_below_a_list_key() {
        let (_, c) = complete("pod_spec:\n  containers:\n    $0\n");
        assert_eq!(labels(&c), ["- name"]);
        assert_eq!(c.items[0].insert_text, "- name: $1\n  image: $2");
    }

    #[test]
    fn colon_after_the_word_inserts_the_name_only() {
        let (text, c) = complete("pod_spec:\n  containers:\n    - name: a\n      imagePu$0: x\n");
        let i = item(&c, "imagePullPolicy");
        assert_eq!(i.insert_text, "imagePullPolicy");
        let r = i.replace_range.clone().expect("range");
        assert_eq!(&text[r], "imagePu");
    }

    #[test]
    fn values_are_quoted_when_yaml_would_misread_them() {
        let (_, c) = complete("name: x\nenv_vars: {}\ncache: $0\n");
        assert_eq!(item(&c, "on").insert_text, "\"on\"");
        assert_eq!(&labels(&c)[..3], ["auto", "override", "disable"]);
    }

    #[test]
    fn spaces_typed_while_indenting_are_not_answered() {
        let text = "pod_spec:\n    \n  containers:\n    - \n";
        assert!(!crate::engine::answers_trigger(text, 14, " "));
        assert!(crate::engine::answers_trigger(text, 14, "\n"));
        assert!(crate::engine::answers_trigger(text, text.len() - 1, " "));
    }

    #[test]
    fn strip_snippet_syntax() {
        assert_eq!(
            strip_snippet("a: $1\n  b: ${2:x} \\$y ${3|p,q|}$0"),
            "a: \n  b: x $y p"
        );
    }
}
