//! Names that refer to each other inside a document, for go-to-definition, references, rename
//! and the outline: containers and `primary_container_name`, volumes and `volumeMounts[].name`,
//! and a string `pod_template` and the PodTemplate it names (across files, via the workspace).
//!
//! Pure: byte ranges in, byte ranges out. Cross-file targets are the workspace index's entries
//! ([`Target::Elsewhere`]); the caller only turns them into locations.

use crate::model::pod::PodParts;
use crate::model::DocKind;
use crate::text::TextRange;
use crate::tree::{Entry, Node, Stream};
use crate::workspace::{Named, TemplateDef, WorkspaceIndex};

use std::path::Path;

/// What kind of name the cursor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Container,
    Volume,
    /// A Kubernetes PodTemplate name (`pod_template: x` or a PodTemplate's `metadata.name`).
    PodTemplate,
}

/// Every occurrence of one name in the documents that hold the occurrence under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrences {
    pub kind: NameKind,
    pub name: String,
    /// The occurrence under the cursor.
    pub at: TextRange,
    /// Where the name is defined and referred to: the ranges of the values, each once.
    pub definitions: Vec<TextRange>,
    pub references: Vec<TextRange>,
    /// Each occurrence with the key of its entry, once per (value, key). A front end whose
    /// values may be written away from their keys (a Python keyword given a module constant)
    /// reads it to show the use next to the key.
    pub written: Vec<Written>,
    /// The documents do not say everything they hold of this kind: a pod spec, a container
    /// list or an item of one only run time knows (a pod spec from another module). A name
    /// defined nowhere here may then be defined in another file.
    pub open: bool,
}

/// Where one occurrence is written: its value, the key of its entry, and whether it defines
/// the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub value: TextRange,
    pub key: TextRange,
    pub definition: bool,
}

/// One occurrence of a name: its kind, text, value range, key range and whether it defines.
struct Occurrence<'a> {
    kind: NameKind,
    name: &'a str,
    range: TextRange,
    key: TextRange,
    definition: bool,
}

/// A scalar value with its range, when the node is a plain or quoted string.
fn name_of(node: Option<&Node>) -> Option<(&str, TextRange)> {
    let node = node?;
    let s = node.as_str()?;
    Some((s, node.span.clone()))
}

/// The occurrence of the string value of `entry`, when it is a string written in the source
/// (a zero-width value is one the front end synthesized).
fn occurrence(entry: Option<&Entry>, kind: NameKind, definition: bool) -> Option<Occurrence<'_>> {
    let entry = entry?;
    let name = entry.value.as_str()?;
    (!entry.value.span.is_empty()).then(|| Occurrence {
        kind,
        name,
        range: entry.value.span.clone(),
        key: entry.key.span.clone(),
        definition,
    })
}

/// The name groups of one document.
fn groups(root: &Node, kind: DocKind) -> Vec<Occurrence<'_>> {
    let mut out = Vec::new();
    let parts = PodParts::of(root, kind);
    for (_, c) in parts.all_containers() {
        out.extend(occurrence(c.entry("name"), NameKind::Container, true));
        for m in c.get("volumeMounts").and_then(Node::as_seq).unwrap_or(&[]) {
            out.extend(occurrence(m.entry("name"), NameKind::Volume, false));
        }
    }
    if let Some(t) = parts.flyte_template {
        out.extend(occurrence(
            t.entry("primary_container_name"),
            NameKind::Container,
            false,
        ));
    }
    for v in parts
        .spec_field("volumes")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        out.extend(occurrence(v.entry("name"), NameKind::Volume, true));
    }
    match kind {
        DocKind::TaskEnvironment => {
            let entry = root
                .entry("pod_template")
                .filter(|e| crate::workspace::template_reference(root) == Some(&e.value));
            out.extend(occurrence(entry, NameKind::PodTemplate, false));
        }
        DocKind::KubePodTemplate => {
            let entry = root.get("metadata").and_then(|m| m.entry("name"));
            out.extend(occurrence(entry, NameKind::PodTemplate, true));
        }
        _ => {}
    }
    out
}

/// Whether a document's pod holds names of `kind` that only run time knows.
fn unknown_here(root: &Node, kind: DocKind, names: NameKind) -> bool {
    let parts = PodParts::of(root, kind);
    let open = |list: Option<&Node>| {
        list.is_some_and(|l| {
            l.is_opaque() || l.as_seq().is_some_and(|i| i.iter().any(Node::is_opaque))
        })
    };
    let spec_unknown = parts.spec.is_some_and(Node::is_opaque);
    match names {
        NameKind::Container => {
            spec_unknown
                || open(parts.spec_field("containers"))
                || open(parts.spec_field("initContainers"))
        }
        NameKind::Volume => spec_unknown || open(parts.spec_field("volumes")),
        NameKind::PodTemplate => false,
    }
}

/// The occurrences of the name under `offset` (the cursor touching either end counts).
///
/// A container or volume name is one pod's; a PodTemplate name is the file's. A value may
/// belong to several documents: a Python environment's tree is also that of the
/// tasks and clones derived from it, and a module constant is the value of every keyword that
/// names it. Every document holding the occurrence under the cursor contributes its
/// occurrences of the name, so a rename reaches all of them, each range once.
pub fn occurrences_at(stream: &Stream, offset: usize) -> Option<Occurrences> {
    let roots = || {
        stream
            .documents
            .iter()
            .filter_map(|d| Some((d.root.as_ref()?, d.kind)))
    };
    let (kind, name, at) = roots().find_map(|(root, doc_kind)| {
        groups(root, doc_kind)
            .into_iter()
            .find(|o| o.range.start <= offset && offset <= o.range.end)
            .map(|o| (o.kind, o.name.to_string(), o.range))
    })?;
    let mut occ = Occurrences {
        kind,
        name,
        at: at.clone(),
        definitions: Vec::new(),
        references: Vec::new(),
        written: Vec::new(),
        open: false,
    };
    for (root, doc_kind) in roots() {
        let all = groups(root, doc_kind);
        // A PodTemplate name means one template in the whole namespace: every document of the
        // file that names it counts (a YAML file of several environments, a Python
        // environment and the tasks that set their own template).
        let holds =
            kind == NameKind::PodTemplate || all.iter().any(|o| o.kind == kind && o.range == at);
        if !holds {
            continue;
        }
        occ.open |= unknown_here(root, doc_kind, kind);
        for o in all {
            if o.kind != kind || o.name != occ.name {
                continue;
            }
            occ.written.push(Written {
                value: o.range.clone(),
                key: o.key,
                definition: o.definition,
            });
            if o.definition {
                occ.definitions.push(o.range);
            } else {
                occ.references.push(o.range);
            }
        }
    }
    for list in [&mut occ.definitions, &mut occ.references] {
        list.sort_by_key(|r| (r.start, r.end));
        list.dedup();
    }
    occ.written
        .sort_by_key(|w| (w.value.start, w.value.end, w.key.start, w.key.end));
    occ.written.dedup();
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

/// What the workspace index calls a kind of name.
fn named(kind: NameKind) -> Named {
    match kind {
        NameKind::Container => Named::Container,
        NameKind::Volume => Named::Volume,
        NameKind::PodTemplate => Named::PodTemplate,
    }
}

/// Workspace entries as targets, except those of this very file (open documents are indexed
/// too, and this file's own occurrences are answered from its tree).
fn elsewhere<'w>(defs: Vec<&'w TemplateDef>, this: Option<&Path>) -> Vec<Target<'w>> {
    defs.into_iter()
        .filter(|d| this != Some(d.path.as_path()))
        .map(Target::Elsewhere)
        .collect()
}

/// The definitions of a container or volume name in other files, when this file defines none
/// and its pod holds what only run time knows (a pod spec or container from another module).
fn defined_elsewhere<'w>(
    occ: &Occurrences,
    ws: &'w WorkspaceIndex,
    this: Option<&Path>,
) -> Vec<Target<'w>> {
    if occ.kind == NameKind::PodTemplate || !occ.definitions.is_empty() || !occ.open {
        return Vec::new();
    }
    elsewhere(ws.lookup_named(named(occ.kind), &occ.name), this)
}

/// Where the name is defined: here, and for a PodTemplate name in the other files that define
/// it. A container or volume name defined nowhere here, in a pod that holds values only run
/// time knows, is looked up among the definitions of the workspace's other files. `this` is
/// the file's path, when it has one.
pub fn definition<'w>(
    occ: &Occurrences,
    ws: &'w WorkspaceIndex,
    this: Option<&Path>,
) -> Vec<Target<'w>> {
    let mut out: Vec<Target<'w>> = occ.definitions.iter().cloned().map(Target::Here).collect();
    if occ.kind == NameKind::PodTemplate {
        out.extend(elsewhere(ws.lookup(&occ.name), this));
    }
    out.extend(defined_elsewhere(occ, ws, this));
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
    out.extend(
        occ.references
            .iter()
            .filter(|r| !include_declaration || !occ.definitions.contains(r))
            .cloned()
            .map(Target::Here),
    );
    if occ.kind == NameKind::PodTemplate {
        out.extend(elsewhere(ws.references(&occ.name), this));
    }
    out
}

/// Every range a rename rewrites, each once: this file's occurrences, and for PodTemplate names
/// every other file that defines or names it. `Err` with the reason when `new_name` is no valid
/// name of that kind, or when the name's definition is in another file (only the PodTemplate
/// names are renamed across files: a container or volume name there has its own references).
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
    if let Some(Target::Elsewhere(def)) = defined_elsewhere(occ, ws, this).first() {
        return Err(format!(
            "`{}` is defined in {}: rename it there",
            occ.name,
            def.path.display()
        ));
    }
    let mut here: Vec<TextRange> = occ
        .definitions
        .iter()
        .chain(&occ.references)
        .cloned()
        .collect();
    here.sort_by_key(|r| (r.start, r.end));
    here.dedup();
    let mut out: Vec<Target<'w>> = here.into_iter().map(Target::Here).collect();
    if occ.kind == NameKind::PodTemplate {
        let mut all = ws.lookup(&occ.name);
        all.extend(ws.references(&occ.name));
        out.extend(elsewhere(all, this));
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
        let occ = occurrences_at(&stream, at(ENV, "main", 0)).expect("on primary_container_name");
        assert_eq!(occ.kind, NameKind::Container);
        assert_eq!(occ.definitions.len(), 1);
        assert_eq!(&ENV[occ.definitions[0].clone()], "main");
        assert_eq!(occ.references.len(), 1);
    }

    #[test]
    fn volumes_and_mounts_refer_to_each_other() {
        let stream = parse(ENV);
        let occ = occurrences_at(&stream, at(ENV, "data", 2)).expect("on the volume");
        assert_eq!(occ.kind, NameKind::Volume);
        assert_eq!(occ.definitions.len(), 1);
        assert_eq!(occ.references.len(), 2);
        assert!(occurrences_at(&stream, at(ENV, "mountPath", 0)).is_none());
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
