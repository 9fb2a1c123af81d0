//! Refactors offered as code actions where the cursor is in a pod spec: add a container, and
//! add a volume together with its mount. Pure: they return edits on the source text.
//!
//! Only block-style YAML is edited (the common case); inside flow collections nothing is
//! offered rather than an edit that might break the document.

use crate::model::pod::PodParts;
use crate::text::{line_start, next_line_start, TextRange};
use crate::tree::{Node, Stream};

use super::{Edit, Fix};

/// The column of the dash of a block list's items and the offset just after the list.
fn block_list_end(source: &str, list: &Node) -> Option<(usize, usize)> {
    let items = list.as_seq()?;
    let first = items.first()?;
    let ls = line_start(source, first.span.start);
    let before = &source[ls..first.span.start];
    let dash = before.find('-')?;
    if !before[..dash].bytes().all(|b| b == b' ') {
        return None;
    }
    let last = items.last()?;
    Some((
        dash,
        next_line_start(source, last.span.end.saturating_sub(1).max(last.span.start)),
    ))
}

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

/// Adds text after the last line of the file when it lacks a final newline.
fn ensure_newline_at(source: &str, at: usize) -> &'static str {
    if at == source.len() && !source.is_empty() && !source.ends_with('\n') {
        "\n"
    } else {
        ""
    }
}

/// Refactors available at `offset`.
pub fn refactors(source: &str, stream: &Stream, offset: usize) -> Vec<Fix> {
    let Some(doc) = stream
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
    let mut out = Vec::new();
    let containers = spec.get("containers");
    let names: Vec<&str> = parts
        .all_containers()
        .iter()
        .filter_map(|(_, c)| c.get("name").and_then(Node::as_str))
        .collect();
    if let Some((dash, at)) = containers.and_then(|c| block_list_end(source, c)) {
        let name = fresh_name("sidecar", &names);
        let pad = " ".repeat(dash);
        out.push(Fix {
            title: format!("Add a container `{name}`"),
            edits: vec![Edit {
                range: at..at,
                new_text: format!(
                    "{}{pad}- name: {name}\n{pad}  image: busybox:1.36\n",
                    ensure_newline_at(source, at)
                ),
            }],
        });
    }
    if let Some(fix) = add_volume_and_mount(source, &parts, spec, offset) {
        out.push(fix);
    }
    out
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
    source: &str,
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
    let mut edits = Vec::new();
    // The mount: into the container's volumeMounts, or a new volumeMounts key.
    let first_key = container.as_map()?.first()?;
    let key_col = first_key.key.span.start - line_start(source, first_key.key.span.start);
    match container.get("volumeMounts") {
        Some(list) => {
            let (dash, at) = block_list_end(source, list)?;
            let pad = " ".repeat(dash);
            edits.push(Edit {
                range: at..at,
                new_text: format!("{pad}- name: {name}\n{pad}  mountPath: /{name}\n"),
            });
        }
        None => {
            let at = next_line_start(
                source,
                container
                    .span
                    .end
                    .saturating_sub(1)
                    .max(container.span.start),
            );
            let pad = " ".repeat(key_col);
            edits.push(Edit {
                range: at..at,
                new_text: format!(
                    "{}{pad}volumeMounts:\n{pad}  - name: {name}\n{pad}    mountPath: /{name}\n",
                    ensure_newline_at(source, at)
                ),
            });
        }
    }
    // The volume: into `volumes`, or a new `volumes` key at the pod spec's indentation.
    let spec_key = spec.as_map()?.first()?;
    let spec_col = spec_key.key.span.start - line_start(source, spec_key.key.span.start);
    let volume_edit = match spec.get("volumes") {
        Some(list) => {
            let (dash, at) = block_list_end(source, list)?;
            let pad = " ".repeat(dash);
            Edit {
                range: at..at,
                new_text: format!("{pad}- name: {name}\n{pad}  emptyDir: {{}}\n"),
            }
        }
        None => {
            let at = next_line_start(source, spec.span.end.saturating_sub(1).max(spec.span.start));
            let pad = " ".repeat(spec_col);
            Edit {
                range: at..at,
                new_text: format!(
                    "{}{pad}volumes:\n{pad}  - name: {name}\n{pad}    emptyDir: {{}}\n",
                    ensure_newline_at(source, at)
                ),
            }
        }
    };
    edits.push(volume_edit);
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
