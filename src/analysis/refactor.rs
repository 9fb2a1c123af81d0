//! Refactors offered as code actions where the cursor is in a pod spec: add a container, and
//! add a volume together with its mount. Pure: they say what to add, and the snapshot's front
//! end writes it (in YAML, block collections only: inside flow collections nothing is offered
//! rather than an edit that might break the document).

use serde_json::{json, Value};

use crate::model::pod::PodParts;
use crate::text::TextRange;
use crate::tree::edit::Writer;
use crate::tree::Node;

use super::{Edit, Fix, Snapshot};

/// A name not used by any of `taken`: `base`, `base-2`, `base-3`, ...
fn fresh_name(base: &str, taken: &[&str]) -> String {
    if !taken.contains(&base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken.contains(&c.as_str()))
        .unwrap_or_else(|| base.to_string())
}

/// Refactors available at `offset`.
pub fn refactors(snap: &Snapshot<'_>, offset: usize) -> Vec<Fix> {
    let Some(doc) = snap
        .stream
        .documents
        .iter()
        .find(|d| d.span.start <= offset && offset <= d.span.end)
    else {
        return Vec::new();
    };
    let Some(root) = doc.root.as_ref() else {
        return Vec::new();
    };
    let parts = PodParts::of(root, doc.kind);
    let Some(spec) = parts.spec else {
        return Vec::new();
    };
    if !(spec.span.start <= offset && offset <= spec.span.end) {
        return Vec::new();
    }
    let writer = snap.writer;
    let mut out = Vec::new();
    let names: Vec<&str> = parts
        .all_containers()
        .iter()
        .filter_map(|(_, c)| c.get("name").and_then(Node::as_str))
        .collect();
    if let Some(containers) = spec.get("containers") {
        let name = fresh_name("sidecar", &names);
        let item = json!({"name": name, "image": "busybox:1.36"});
        if let Some(edit) = writer.append_item(containers, &item) {
            out.push(Fix {
                title: format!("Add a container `{name}`"),
                edits: vec![edit],
            });
        }
    }
    if let Some(fix) = add_volume_and_mount(writer, &parts, spec, offset) {
        out.push(fix);
    }
    out
}

/// Appends `item` to the list `key` of `map`, or adds `key` with a one-item list.
fn add_to_list(writer: &dyn Writer, map: &Node, key: &str, item: Value) -> Option<Edit> {
    match map.get(key) {
        Some(list) => writer.append_item(list, &item),
        None => writer.insert_entry(map, key, &Value::Array(vec![item])),
    }
}

/// The container the cursor is in, else the primary, else the first one.
fn target_container<'a>(parts: &PodParts<'a>, offset: usize) -> Option<&'a Node> {
    let all = parts.all_containers();
    all.iter()
        .map(|(_, c)| *c)
        .find(|c| c.span.start <= offset && offset <= c.span.end)
        .or_else(|| {
            let primary = parts.primary_name()?;
            all.iter()
                .map(|(_, c)| *c)
                .find(|c| c.get("name").and_then(Node::as_str) == Some(primary))
        })
        .or_else(|| all.first().map(|(_, c)| *c))
}

fn add_volume_and_mount(
    writer: &dyn Writer,
    parts: &PodParts<'_>,
    spec: &Node,
    offset: usize,
) -> Option<Fix> {
    let container = target_container(parts, offset)?;
    let container_name = container
        .get("name")
        .and_then(Node::as_str)
        .unwrap_or("the container");
    let taken: Vec<&str> = spec
        .get("volumes")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|v| v.get("name").and_then(Node::as_str))
        .collect();
    let name = fresh_name("data", &taken);
    // The mount: into the container's volumeMounts, or a new volumeMounts entry; the volume:
    // into `volumes`, or a new `volumes` entry of the pod spec.
    let mount = json!({"name": name, "mountPath": format!("/{name}")});
    let volume = json!({"name": name, "emptyDir": {}});
    let mut edits = vec![
        add_to_list(writer, container, "volumeMounts", mount)?,
        add_to_list(writer, spec, "volumes", volume)?,
    ];
    // Two insertions at one offset (a container that ends the spec): keep the mount first.
    edits.sort_by_key(|e: &Edit| e.range.start);
    merge_same_point(&mut edits);
    Some(Fix {
        title: format!("Add a volume `{name}` and mount it in `{container_name}`"),
        edits,
    })
}

/// Joins insertions at the same offset into one edit, in order, so clients that reject two
/// edits at one position still apply them.
fn merge_same_point(edits: &mut Vec<Edit>) {
    let mut merged: Vec<Edit> = Vec::new();
    for e in edits.drain(..) {
        match merged.last_mut() {
            Some(last) if last.range == e.range && TextRange::is_empty(&e.range) => {
                last.new_text.push_str(&e.new_text)
            }
            _ => merged.push(e),
        }
    }
    *edits = merged;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::parse;
    use crate::settings::Settings;

    fn refactors(source: &str, stream: &crate::tree::Stream, offset: usize) -> Vec<Fix> {
        crate::engine::refactors(source, stream, &Settings::default(), offset)
    }

    fn apply(source: &str, fix: &Fix) -> String {
        let mut out = source.to_string();
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        for e in edits {
            out.replace_range(e.range.clone(), &e.new_text);
        }
        out
    }

    const POD: &str = "name: train\nenv_vars: {A: \"1\"}\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        image: x\n    nodeSelector:\n      pool: gpu\n";

    #[test]
    fn add_a_container_at_the_list_indentation() {
        let stream = parse(POD);
        let at = POD.find("image: x").unwrap_or(0);
        let fixes = refactors(POD, &stream, at);
        let add = fixes
            .iter()
            .find(|f| f.title.starts_with("Add a container"))
            .expect("add container");
        let out = apply(POD, add);
        assert!(out.contains("      - name: primary\n        image: x\n      - name: sidecar\n        image: busybox:1.36\n    nodeSelector:"), "{out}");
        assert!(
            crate::engine::analyze(&out, &crate::settings::Settings::default())
                .diagnostics
                .iter()
                .all(|d| d.code != "FLY001")
        );
    }

    #[test]
    fn add_a_volume_and_its_mount() {
        let stream = parse(POD);
        let at = POD.find("image: x").unwrap_or(0);
        let fixes = refactors(POD, &stream, at);
        let add = fixes
            .iter()
            .find(|f| f.title.starts_with("Add a volume"))
            .expect("add volume");
        assert_eq!(add.title, "Add a volume `data` and mount it in `primary`");
        let out = apply(POD, add);
        assert_eq!(
            out,
            "name: train\nenv_vars: {A: \"1\"}\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        image: x\n        volumeMounts:\n          - name: data\n            mountPath: /data\n    nodeSelector:\n      pool: gpu\n    volumes:\n      - name: data\n        emptyDir: {}\n"
        );
        let stream = parse(&out);
        let again = refactors(&out, &stream, out.find("image: x").unwrap_or(0));
        let second = again
            .iter()
            .find(|f| f.title.starts_with("Add a volume"))
            .expect("again");
        assert!(apply(&out, second).contains("- name: data-2\n        emptyDir: {}"));
    }

    #[test]
    fn nothing_outside_a_pod_spec() {
        let stream = parse(POD);
        assert!(refactors(POD, &stream, 3).is_empty());
    }
}
