//! Findings about what was not read: values cut off by a syntax error, and opaque values that
//! only run time knows. Both are "no opinion", so a finding that depends on them is dropped.
//!
//! While the user types, a document is usually broken somewhere, and everything after the
//! error is missing from the tree: a rule that reports an absence ("container has no `image`")
//! or an unresolved name ("no volume `data`") would report what the user wrote but the parser
//! never reached. The syntax error is the one message about that part; findings about what
//! was read completely stay. Likewise a Python `image=f"...:{TAG}"` or `name=NAME_FROM_ELSEWHERE`
//! is a value, just not one we know: a rule comparing or looking up such values has no opinion.
//! `tests/opaque.rs` proves it: making any scalar of the corpus opaque never adds a finding.

use crate::text::TextRange;
use crate::tree::{Document, Node, NodeKind};

use super::Diagnostic;

/// What a rule's finding reads besides the node it points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depends {
    /// The mapping it points into (a required field, a field allowed only with another).
    Subject,
    /// The list its subject is an item of (duplicates among siblings).
    Siblings,
    /// Values elsewhere in the document: any of these keys (all keys when empty), such as the
    /// container names a reference must match.
    Document(&'static [&'static str]),
}

/// The rules whose findings read more than the node they report on. Every other rule judges
/// the one value it points at, which an opaque value never fails and a cut never fakes.
pub fn depends(code: &str) -> Option<Depends> {
    const NAME: &[&str] = &["name"];
    const PORTS: &[&str] = &["containerPort", "hostPort", "hostIP", "protocol", "name"];
    Some(match code {
        // Required fields, "has no ...", and fields judged by a neighbour in the same object.
        "FLY104" | "FLY206" | "FLY208" | "FLY216" | "FLY226" | "FLY229" | "FLY235" | "FLY244"
        | "FLY245" | "FLY246" | "FLY264" => Depends::Subject,
        "FLY217" => Depends::Siblings,
        // Names defined elsewhere in the document: volumes, containers, claims, env vars.
        "FLY203" | "FLY227" | "FLY241" | "FLY265" | "FLY266" => Depends::Document(NAME),
        "FLY301" => Depends::Document(&["name", "primary_container_name"]),
        "FLY213" | "FLY261" => Depends::Document(PORTS),
        // The environment's image, pod-level profiles and user namespaces, the primary's
        // resources.
        "FLY222" | "FLY252" | "FLY262" | "FLY304" => Depends::Document(&[]),
        _ => return None,
    })
}

/// Where an opaque value matters more widely than a cut does: in a Flyte document, whether a
/// container needs its own image depends on which container is the primary, and a `sleep`
/// hook is judged against the pod's grace period.
fn opaque_depends(code: &str) -> Vec<Depends> {
    let wider = match code {
        "FLY206" => Some(Depends::Document(&["primary_container_name", "name"])),
        "FLY235" => Some(Depends::Document(&["terminationGracePeriodSeconds"])),
        _ => None,
    };
    depends(code).into_iter().chain(wider).collect()
}

/// Drops the findings of `doc` that a syntax error may have faked or an opaque value makes
/// unknowable.
pub fn drop_unknowable(doc: &Document, out: &mut Vec<Diagnostic>) {
    let Some(root) = doc.root.as_ref() else {
        return;
    };
    let cut = root.cut;
    let opaque = has_opaque(root, &[]);
    if !cut && !opaque {
        return;
    }
    out.retain(|d| {
        // An opaque value is never wrong itself.
        if opaque && opaque_at(root, &d.range) {
            return false;
        }
        let cut_dep = if cut { depends(d.code) } else { None };
        let faked = cut_dep.is_some_and(|dep| cut_faked(root, &d.range, dep));
        let unknowable = opaque
            && opaque_depends(d.code)
                .into_iter()
                .any(|dep| scope(root, &d.range, dep).is_some_and(|s| has_opaque(s, keys(dep))));
        !(faked || unknowable)
    });
}

fn keys(dep: Depends) -> &'static [&'static str] {
    match dep {
        Depends::Document(keys) => keys,
        _ => &[],
    }
}

fn scope<'a>(root: &'a Node, range: &TextRange, dep: Depends) -> Option<&'a Node> {
    let chain = chain(root, range);
    match dep {
        Depends::Subject => chain.into_iter().rev().find(|n| n.as_map().is_some()),
        Depends::Siblings => chain.into_iter().rev().find(|n| n.as_seq().is_some()),
        Depends::Document(_) => Some(root),
    }
}

/// True when the cut may have taken what the finding needs.
fn cut_faked(root: &Node, range: &TextRange, dep: Depends) -> bool {
    match dep {
        Depends::Document(_) => chain(root, range).iter().any(|n| n.cut),
        _ => scope(root, range, dep).is_some_and(|s| s.cut),
    }
}

/// True when `range` lies inside an opaque node.
fn opaque_at(root: &Node, range: &TextRange) -> bool {
    chain(root, range).iter().any(|n| n.is_opaque())
}

/// The nodes from `root` down whose spans hold `range`, outermost first.
fn chain<'a>(root: &'a Node, range: &TextRange) -> Vec<&'a Node> {
    let mut out = Vec::new();
    let mut node = Some(root).filter(|n| holds(n, range));
    while let Some(n) = node {
        out.push(n);
        node = match &n.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .flat_map(|e| [&e.key, &e.value])
                .find(|c| holds(c, range)),
            NodeKind::Seq(items) => items.iter().find(|c| holds(c, range)),
            _ => None,
        };
    }
    out
}

/// True when `node` holds an opaque value (under one of `keys`, when given).
fn has_opaque(node: &Node, keys: &[&str]) -> bool {
    let mut stack = vec![(node, keys.is_empty())];
    while let Some((n, counts)) = stack.pop() {
        match &n.kind {
            NodeKind::Opaque if counts => return true,
            NodeKind::Map(entries) => {
                for e in entries {
                    let key_counts =
                        keys.is_empty() || e.key_str().is_some_and(|k| keys.contains(&k));
                    stack.push((&e.value, key_counts));
                }
            }
            NodeKind::Seq(items) => stack.extend(items.iter().map(|i| (i, counts))),
            _ => {}
        }
    }
    false
}

fn holds(node: &Node, range: &TextRange) -> bool {
    node.span.start <= range.start && range.end <= node.span.end.max(node.span.start)
}
