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

use super::{Depends, Diagnostic, Reads};

/// What the rule of `code` reads (declared on the rule, in the registry).
fn reads(code: &str) -> Reads {
    super::rule(code).map_or(Reads::NOTHING, |r| r.reads)
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
        let reads = reads(d.code);
        let cut_dep = if cut { reads.own } else { None };
        let faked = cut_dep.is_some_and(|dep| cut_faked(root, &d.range, dep));
        let unknowable =
            opaque
                && reads.own.into_iter().chain(reads.when_opaque).any(|dep| {
                    scope(root, &d.range, dep).is_some_and(|s| has_opaque(s, keys(dep)))
                });
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
