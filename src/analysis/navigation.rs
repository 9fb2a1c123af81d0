//! Names that refer to each other inside a document, for go-to-definition, references, rename
//! and the outline: containers and `primary_container_name`, volumes and `volumeMounts[].name`,
//! and a string `pod_template` and the PodTemplate it names (across files, via the workspace).
//!
//! Pure: byte ranges in, byte ranges out. Cross-file targets are the workspace index's entries
//! ([`Target::Elsewhere`]); the caller only turns them into locations.

use crate::model::pod::PodParts;
use crate::model::DocKind;
use crate::text::TextRange;
use crate::tree::{Node, Stream};
use crate::workspace::{TemplateDef, WorkspaceIndex};

use std::path::Path;

/// What kind of name the cursor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Container,
    Volume,
    /// A Kubernetes PodTemplate name (`pod_template: x` or a PodTemplate's `metadata.name`).
    PodTemplate,
}

/// Every occurrence of one name in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrences {
    pub kind: NameKind,
    pub name: String,
    /// The occurrence under the cursor.
    pub at: TextRange,
    pub definitions: Vec<TextRange>,
    pub references: Vec<TextRange>,
}

/// A scalar value with its range, when the node is a plain or quoted string.
fn name_of(node: Option<&Node>) -> Option<(&str, TextRange)> {
    let node = node?;
    let s = node.as_str()?;
    Some((s, node.span.clone()))
}

/// The name groups of one document.
fn groups(root: &Node, kind: DocKind) -> Vec<(NameKind, &str, TextRange, bool)> {
    // (kind, name, range, is_definition)
    let mut out = Vec::new();
    let parts = PodParts::of(root, kind);
    for (_, c) in parts.all_containers() {
        if let Some((n, r)) = name_of(c.get("name")) {
            out.push((NameKind::Container, n, r, true));
        }
        for m in c.get("volumeMounts").and_then(Node::as_seq).unwrap_or(&[]) {
            if let Some((n, r)) = name_of(m.get("name")) {
                out.push((NameKind::Volume, n, r, false));
            }
        }
    }
    if let Some(t) = parts.flyte_template {
        if let Some((n, r)) = name_of(t.get("primary_container_name")) {
            out.push((NameKind::Container, n, r, false));
        }
    }
    for v in parts
        .spec_field("volumes")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        if let Some((n, r)) = name_of(v.get("name")) {
            out.push((NameKind::Volume, n, r, true));
        }
    }
    match kind {
        DocKind::TaskEnvironment => {
            if let Some((n, r)) = name_of(crate::workspace::template_reference(root)) {
                out.push((NameKind::PodTemplate, n, r, false));
            }
        }
        DocKind::KubePodTemplate => {
            if let Some((n, r)) = name_of(root.get("metadata").and_then(|m| m.get("name"))) {
                out.push((NameKind::PodTemplate, n, r, true));
            }
        }
        _ => {}
    }
    out
}

/// The occurrences of the name under `offset` (the cursor touching either end counts).
pub fn occurrences_at(_source: &str, stream: &Stream, offset: usize) -> Option<Occurrences> {
    let doc = stream
        .documents
        .iter()
        .find(|d| d.span.start <= offset && offset <= d.span.end.max(d.span.start))?;
    let root = doc.root.as_ref()?;
    let kind = doc.kind;
    let all = groups(root, kind);
    let (k, name, at, _) = all
        .iter()
        .find(|(_, _, r, _)| r.start <= offset && offset <= r.end)?
        .clone();
    let mut occ = Occurrences {
        kind: k,
        name: name.to_string(),
        at,
        definitions: Vec::new(),
        references: Vec::new(),
    };
    for (k2, n2, r2, def) in all {
        if k2 == k && n2 == name {
            if def {
                occ.definitions.push(r2);
            } else {
                occ.references.push(r2);
            }
        }
    }
    Some(occ)
}

/// Is `name` acceptable for this kind of name? Containers and volumes are DNS-1123 labels,
/// PodTemplates DNS-1123 subdomains; a rename to anything else would only create an error.
pub fn valid_new_name(kind: NameKind, name: &str) -> bool {
    match kind {
        NameKind::Container | NameKind::Volume => {
            crate::analysis::names::dns1123_label(name).is_empty()
        }
        NameKind::PodTemplate => crate::analysis::names::dns1123_subdomain(name).is_empty(),
    }
}

/// One place a navigation answer points at: a range of this file, or a PodTemplate name in
/// another file of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'w> {
    Here(TextRange),
    Elsewhere(&'w TemplateDef),
}

/// The workspace entries for a PodTemplate name, except those of this very file (open
/// documents are indexed too); nothing for other kinds of names.
fn elsewhere<'w>(
    occ: &Occurrences,
    defs: Vec<&'w TemplateDef>,
    this: Option<&Path>,
) -> Vec<Target<'w>> {
    if occ.kind != NameKind::PodTemplate {
        return Vec::new();
    }
    defs.into_iter()
        .filter(|d| this != Some(d.path.as_path()))
        .map(Target::Elsewhere)
        .collect()
}

/// Where the name is defined: here, and for a PodTemplate name in the other files that define
/// it. `this` is the file's path, when it has one.
pub fn definition<'w>(
    occ: &Occurrences,
    ws: &'w WorkspaceIndex,
    this: Option<&Path>,
) -> Vec<Target<'w>> {
    let mut out: Vec<Target<'w>> = occ.definitions.iter().cloned().map(Target::Here).collect();
    if occ.kind == NameKind::PodTemplate {
        out.extend(elsewhere(occ, ws.lookup(&occ.name), this));
    }
    out
}

/// Every reference to the name (and its definitions first, if asked), here and across files.
pub fn references<'w>(
    occ: &Occurrences,
    ws: &'w WorkspaceIndex,
    this: Option<&Path>,
    include_declaration: bool,
) -> Vec<Target<'w>> {
    let mut out = Vec::new();
    if include_declaration {
        out.extend(definition(occ, ws, this));
    }
    out.extend(occ.references.iter().cloned().map(Target::Here));
    if occ.kind == NameKind::PodTemplate {
        out.extend(elsewhere(occ, ws.references(&occ.name), this));
    }
    out
}

/// Every range a rename rewrites: this document's occurrences, and for PodTemplate names every
/// other file that defines or names it. `Err` with the reason when `new_name` is no valid name
/// of that kind.
pub fn rename<'w>(
    occ: &Occurrences,
    ws: &'w WorkspaceIndex,
    this: Option<&Path>,
    new_name: &str,
) -> Result<Vec<Target<'w>>, String> {
    if !valid_new_name(occ.kind, new_name) {
        return Err(format!(
            "`{new_name}` is not a valid Kubernetes name here (lowercase letters, digits and `-`)"
        ));
    }
    let mut out: Vec<Target<'w>> = occ
        .definitions
        .iter()
        .chain(&occ.references)
        .cloned()
        .map(Target::Here)
        .collect();
    if occ.kind == NameKind::PodTemplate {
        let mut all = ws.lookup(&occ.name);
        all.extend(ws.references(&occ.name));
        out.extend(elsewhere(occ, all, this));
    }
    Ok(out)
}

/// One outline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: String,
    pub kind: SymbolKind,
    /// The whole node.
    pub range: TextRange,
    /// The name (or key) to select.
    pub selection: TextRange,
    pub children: Vec<Symbol>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Environment,
    Template,
    Container,
    Volume,
}

/// The outline: environments and templates, with their containers and volumes.
pub fn symbols(_source: &str, stream: &Stream) -> Vec<Symbol> {
    let mut out = Vec::new();
    for doc in &stream.documents {
        let Some(root) = doc.root.as_ref() else {
            continue;
        };
        let kind = doc.kind;
        let (name, detail, sym_kind, selection) = match kind {
            DocKind::TaskEnvironment => {
                let n = name_of(root.get("name"));
                (
                    n.as_ref()
                        .map_or("task environment", |(s, _)| s)
                        .to_string(),
                    "task environment",
                    SymbolKind::Environment,
                    n.map(|(_, r)| r),
                )
            }
            DocKind::FlytePodTemplate => (
                "pod template".to_string(),
                "Flyte pod template",
                SymbolKind::Template,
                None,
            ),
            DocKind::KubePodTemplate | DocKind::KubePod => {
                let n = name_of(root.get("metadata").and_then(|m| m.get("name")));
                let detail = if kind == DocKind::KubePod {
                    "Pod"
                } else {
                    "PodTemplate"
                };
                (
                    n.as_ref().map_or(detail, |(s, _)| s).to_string(),
                    detail,
                    SymbolKind::Template,
                    n.map(|(_, r)| r),
                )
            }
            DocKind::Unknown => continue,
        };
        let parts = PodParts::of(root, kind);
        let mut children = Vec::new();
        for (list, c) in parts.all_containers() {
            let n = name_of(c.get("name"));
            children.push(Symbol {
                name: n.as_ref().map_or("(unnamed)", |(s, _)| s).to_string(),
                detail: list.field().to_string(),
                kind: SymbolKind::Container,
                range: c.span.clone(),
                selection: n.map_or_else(|| c.span.clone(), |(_, r)| r),
                children: Vec::new(),
            });
        }
        for v in parts
            .spec_field("volumes")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            let n = name_of(v.get("name"));
            children.push(Symbol {
                name: n.as_ref().map_or("(unnamed)", |(s, _)| s).to_string(),
                detail: "volume".to_string(),
                kind: SymbolKind::Volume,
                range: v.span.clone(),
                selection: n.map_or_else(|| v.span.clone(), |(_, r)| r),
                children: Vec::new(),
            });
        }
        out.push(Symbol {
            name,
            detail: detail.to_string(),
            kind: sym_kind,
            range: root.span.clone(),
            selection: selection.unwrap_or(root.span.start..root.span.start),
            children,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::parse;

    const ENV: &str = "name: train\npod_template:\n  primary_container_name: main\n  pod_spec:\n    containers:\n      - name: main\n        volumeMounts:\n          - name: data\n            mountPath: /data\n      - name: side\n        image: busybox\n        volumeMounts:\n          - name: data\n            mountPath: /d\n    volumes:\n      - name: data\n        emptyDir: {}\n";

    fn at(text: &str, needle: &str, nth: usize) -> usize {
        text.match_indices(needle)
            .nth(nth)
            .map(|(i, _)| i + 1)
            .unwrap_or(0)
    }

    #[test]
    fn containers_and_primary_name_refer_to_each_other() {
        let stream = parse(ENV);
        let occ =
            occurrences_at(ENV, &stream, at(ENV, "main", 0)).expect("on primary_container_name");
        assert_eq!(occ.kind, NameKind::Container);
        assert_eq!(occ.definitions.len(), 1);
        assert_eq!(&ENV[occ.definitions[0].clone()], "main");
        assert_eq!(occ.references.len(), 1);
    }

    #[test]
    fn volumes_and_mounts_refer_to_each_other() {
        let stream = parse(ENV);
        let occ = occurrences_at(ENV, &stream, at(ENV, "data", 2)).expect("on the volume");
        assert_eq!(occ.kind, NameKind::Volume);
        assert_eq!(occ.definitions.len(), 1);
        assert_eq!(occ.references.len(), 2);
        assert!(occurrences_at(ENV, &stream, at(ENV, "mountPath", 0)).is_none());
    }

    #[test]
    fn outline_lists_environment_containers_and_volumes() {
        let stream = parse(ENV);
        let syms = symbols(ENV, &stream);
        assert_eq!(syms.len(), 1);
        assert_eq!(syms[0].name, "train");
        let names: Vec<&str> = syms[0].children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["main", "side", "data"]);
    }

    #[test]
    fn rename_targets_must_be_valid_names() {
        assert!(valid_new_name(NameKind::Container, "trainer"));
        assert!(!valid_new_name(NameKind::Container, "Trainer_1"));
        assert!(valid_new_name(NameKind::PodTemplate, "gpu.templates"));
    }
}
