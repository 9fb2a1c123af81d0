//! Schema lookups along a cursor path, shared by completion and hover: the schema node at a
//! path, its type in words, its allowed values, its documentation and the Kubernetes version
//! that introduced it.
//!
//! The walk mirrors `diagnostics::walk` (the same `$ref`, `anyOf` and snake_case handling) but
//! follows one path instead of a whole tree. It never fails: an unknown step is `None`.

use crate::schema::{enums, schemas, short_def_name, JsonType, KubeVersion, SchemaNode, SchemaSet};
use crate::text::similar::is_snake_of;
use crate::tree::site::Segment;

/// Deepest `anyOf` nesting followed; the embedded schemas nest two levels at most.
const MAX_BRANCH_DEPTH: usize = 4;

/// The schema node for the value at `path` below `root`. In Flyte documents a snake_case key
/// reads as the camelCase Kubernetes field, as the Python client does.
pub fn schema_at<'a>(
    set: &'a SchemaSet,
    root: SchemaNode<'a>,
    path: &[Segment],
    flyte: bool,
) -> Option<SchemaNode<'a>> {
    let mut node = root;
    for seg in path {
        node = match seg {
            Segment::Key(k) => property(set, node, k, flyte)?,
            Segment::Item(_) => array_branch(set, node)?.items(set)?,
        };
    }
    Some(node)
}

/// The property of `obj` that the snake_case key `key` stands for, in the kubernetes client's
/// spelling that Flyte documents accept (`host_ipc` → `hostIPC`).
pub fn camel_property<'a>(obj: &SchemaNode<'a>, key: &str) -> Option<&'a str> {
    obj.properties()?
        .keys()
        .find(|p| is_snake_of(key, p))
        .map(String::as_str)
}

/// The schema of key `key` in the mapping `node`: a listed property, its camelCase spelling in
/// Flyte documents, or the schema of a free-form map's values.
pub fn property<'a>(
    set: &'a SchemaSet,
    node: SchemaNode<'a>,
    key: &str,
    flyte: bool,
) -> Option<SchemaNode<'a>> {
    let obj = object_branch(set, node)?;
    if let Some(p) = obj.property(set, key) {
        return Some(p);
    }
    if flyte {
        if let Some(p) = camel_property(&obj, key).and_then(|c| obj.property(set, c)) {
            return Some(p);
        }
    }
    if obj.allows_extra_keys() {
        return obj.additional(set);
    }
    None
}

fn find_branch<'a>(
    set: &'a SchemaSet,
    node: SchemaNode<'a>,
    depth: usize,
    pred: &dyn Fn(&SchemaNode<'a>) -> bool,
) -> Option<SchemaNode<'a>> {
    if pred(&node) {
        return Some(node);
    }
    if depth >= MAX_BRANCH_DEPTH {
        return None;
    }
    node.branches(set)
        .into_iter()
        .find_map(|b| find_branch(set, b, depth + 1, pred))
}

/// `node` itself when it is a mapping, else its first `anyOf` branch that is.
pub fn object_branch<'a>(set: &'a SchemaSet, node: SchemaNode<'a>) -> Option<SchemaNode<'a>> {
    find_branch(set, node, 0, &|n| {
        n.properties().is_some() || n.types().contains(&JsonType::Object)
    })
}

/// `node` itself when it is a list, else its first `anyOf` branch that is.
pub fn array_branch<'a>(set: &'a SchemaSet, node: SchemaNode<'a>) -> Option<SchemaNode<'a>> {
    find_branch(set, node, 0, &|n| {
        n.types().contains(&JsonType::Array) || n.value.get("items").is_some()
    })
}

/// True when `node` (or one of its branches) accepts a scalar: a string, number or boolean.
pub fn accepts_scalar(set: &SchemaSet, node: SchemaNode<'_>) -> bool {
    find_branch(set, node, 0, &|n| {
        n.is_quantity()
            || n.is_int_or_string()
            || n.types().iter().any(|t| {
                matches!(
                    t,
                    JsonType::String | JsonType::Integer | JsonType::Number | JsonType::Boolean
                )
            })
    })
    .is_some()
}

/// True when `node` (or one of its branches) is a boolean.
pub fn is_boolean(set: &SchemaSet, node: SchemaNode<'_>) -> bool {
    find_branch(set, node, 0, &|n| n.types().contains(&JsonType::Boolean)).is_some()
}

/// The field's type in a few words: `string`, `quantity`, `list of Container`.
pub fn type_label(set: &SchemaSet, node: SchemaNode<'_>) -> String {
    type_label_at(set, node, 0)
}

fn type_label_at(set: &SchemaSet, node: SchemaNode<'_>, depth: usize) -> String {
    if node.is_quantity() {
        return "quantity".into();
    }
    if node.is_int_or_string() {
        return "integer or string".into();
    }
    if depth > MAX_BRANCH_DEPTH {
        return "value".into();
    }
    let mut parts: Vec<String> = Vec::new();
    let types = node.types();
    if types.is_empty() {
        for b in node.branches(set) {
            let label = type_label_at(set, b, depth + 1);
            if !parts.contains(&label) {
                parts.push(label);
            }
        }
    }
    for t in types {
        let label = match t {
            JsonType::Object => object_label(set, node, depth),
            JsonType::Array => match node.items(set) {
                Some(items) => format!("list of {}", type_label_at(set, items, depth + 1)),
                None => "list".into(),
            },
            JsonType::String => "string".into(),
            JsonType::Integer => "integer".into(),
            JsonType::Number => "number".into(),
            JsonType::Boolean => "boolean".into(),
            JsonType::Null => continue,
        };
        if !parts.contains(&label) {
            parts.push(label);
        }
    }
    parts.retain(|p| p != "null");
    if parts.is_empty() {
        // A `{"type": "null"}` branch names no type of its own; its parent drops it.
        let only_null = node.types() == [JsonType::Null];
        return if only_null { "null" } else { "any" }.into();
    }
    parts.join(" or ")
}

fn object_label(set: &SchemaSet, node: SchemaNode<'_>, depth: usize) -> String {
    if node.properties().is_some() {
        if let Some(title) = node.value.get("title").and_then(|t| t.as_str()) {
            return title.to_string();
        }
        if let Some(def) = node.def {
            return short_def_name(def).to_string();
        }
        return "mapping".into();
    }
    match node.additional(set) {
        Some(values) if values.value.is_object() => {
            format!("map of {}", type_label_at(set, values, depth + 1))
        }
        _ => "mapping".into(),
    }
}

/// The values a field allows: the Kubernetes enum tables (which the OpenAPI schemas lack),
/// else the schema's own `enum`s (Flyte's), across `anyOf` branches. Empty strings, which the
/// API server reads as "unset", are left out.
pub fn allowed_values<'a>(set: &'a SchemaSet, node: SchemaNode<'a>) -> Vec<&'a str> {
    if let Some((def, prop)) = node.owner {
        if let Some(values) = enums::allowed_values(def, prop) {
            return values.iter().copied().filter(|v| !v.is_empty()).collect();
        }
    }
    let mut out: Vec<&'a str> = Vec::new();
    let mut stack = vec![(node, 0usize)];
    while let Some((n, depth)) = stack.pop() {
        if let Some(values) = n.schema_enum() {
            out.extend(values.into_iter().filter(|v| !v.is_empty()));
        }
        if depth < MAX_BRANCH_DEPTH {
            stack.extend(n.branches(set).into_iter().rev().map(|b| (b, depth + 1)));
        }
    }
    out
}

/// The oldest embedded Kubernetes version that has this field, when an older embedded version
/// lacks it (so the field is new enough to matter).
pub fn since(node: SchemaNode<'_>) -> Option<KubeVersion> {
    let (def, prop) = node.owner?;
    if !def.starts_with("io.k8s.") {
        return None;
    }
    let all = schemas();
    let oldest = all.versions().next()?;
    let first = all.versions().find(|v| {
        all.get(*v)
            .and_then(|set| set.def(def).and_then(|d| d.property(set, prop)))
            .is_some()
    })?;
    (first != oldest).then_some(first)
}

/// The field's documentation as Markdown: description, allowed values, default and the
/// version that added it. `title` adds a first line with the name and type (for hover).
pub fn field_markdown(set: &SchemaSet, name: &str, node: SchemaNode<'_>, title: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    if title {
        parts.push(format!("**`{name}`** · {}", type_label(set, node)));
    }
    if let Some(d) = node.description() {
        parts.push(d.trim().to_string());
    }
    let values = allowed_values(set, node);
    if !values.is_empty() {
        let shown: Vec<String> = values.iter().take(24).map(|v| format!("`{v}`")).collect();
        let more = values.len().saturating_sub(shown.len());
        let mut line = format!("Allowed values: {}", shown.join(", "));
        if more > 0 {
            line.push_str(&format!(" and {more} more"));
        }
        parts.push(line);
    }
    match node.value.get("default") {
        Some(serde_json::Value::String(d)) => parts.push(format!("Default: `{d}`")),
        Some(d) if !d.is_null() => parts.push(format!("Default: `{d}`")),
        _ => {}
    }
    if let Some(v) = since(node) {
        parts.push(format!("Since Kubernetes {v}."));
    }
    parts.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::defs;

    fn key(k: &str) -> Segment {
        Segment::Key(k.to_string())
    }

    #[test]
    fn walks_refs_branches_items_and_snake_case() {
        let set = schemas().newest();
        let root = set.def(defs::FLYTE_TASK_ENVIRONMENT).expect("root");
        let path = [
            key("pod_template"),
            key("pod_spec"),
            key("containers"),
            Segment::Item(0),
            key("image_pull_policy"),
        ];
        let node = schema_at(set, root, &path, true).expect("node");
        assert_eq!(
            allowed_values(set, node),
            ["Always", "IfNotPresent", "Never"]
        );
        assert_eq!(type_label(set, node), "string");
        assert!(schema_at(set, root, &path, false).is_none());
        let containers = schema_at(set, root, &path[..3], true).expect("containers");
        assert_eq!(type_label(set, containers), "list of Container");
        let cache = schema_at(set, root, &[key("cache")], true).expect("cache");
        assert!(allowed_values(set, cache).contains(&"auto"));
        assert!(field_markdown(set, "cache", cache, true).contains("Default: `disable`"));
        let tmpl = schema_at(set, root, &[key("pod_template")], true).expect("pod_template");
        assert_eq!(type_label(set, tmpl), "string or Flyte PodTemplate");
        let limits = [key("pod_template"), key("pod_spec"), key("containers")];
        let limits: Vec<Segment> = limits
            .into_iter()
            .chain([
                Segment::Item(0),
                key("resources"),
                key("limits"),
                key("cpu"),
            ])
            .collect();
        let cpu = schema_at(set, root, &limits, true).expect("cpu");
        assert!(cpu.is_quantity());
    }

    #[test]
    fn markdown_has_description_values_and_version() {
        let set = schemas().newest();
        let spec = set.def(defs::POD_SPEC).expect("spec");
        let node = schema_at(set, spec, &[key("schedulingGroup")], false).expect("field");
        let md = field_markdown(set, "schedulingGroup", node, true);
        assert!(md.contains("Since Kubernetes 1.36."), "{md}");
        let node = schema_at(set, spec, &[key("restartPolicy")], false).expect("field");
        let md = field_markdown(set, "restartPolicy", node, true);
        assert!(md.starts_with("**`restartPolicy`** · string"), "{md}");
        assert!(md.contains("`OnFailure`"), "{md}");
        assert!(!md.contains("Since"), "{md}");
    }
}
