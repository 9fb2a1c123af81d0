//! Resolves every scalar of a document once, by the document's reader: after this, rules read
//! `Scalar::reading` and never the text's YAML 1.1 meaning themselves.

use super::scalar::{read_in, Dialect};
use crate::tree::{Document, Node, NodeKind};

/// Sets the reading of every scalar in `doc` (its tree and its anchors' copies).
pub fn resolve(doc: &mut Document, dialect: Dialect) {
    if let Some(root) = doc.root.as_mut() {
        resolve_node(root, dialect);
    }
    for (_, node) in &mut doc.anchors {
        resolve_node(node, dialect);
    }
}

/// Iterative, so depth is never a stack concern. Scalar children are read where they are met
/// and only collections go on the stack: most of a tree is scalar keys and values.
fn resolve_node(node: &mut Node, dialect: Dialect) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        let tag = n.tag.as_deref().map(String::as_str);
        match &mut n.kind {
            NodeKind::Scalar(s) => s.set_reading(read_in(&s.value, s.style, tag, dialect)),
            NodeKind::Map(entries) => {
                for e in entries.iter_mut() {
                    if !resolve_scalar(&mut e.key, dialect) {
                        stack.push(&mut e.key);
                    }
                    if !resolve_scalar(&mut e.value, dialect) {
                        stack.push(&mut e.value);
                    }
                }
            }
            NodeKind::Seq(items) => {
                for item in items.iter_mut() {
                    if !resolve_scalar(item, dialect) {
                        stack.push(item);
                    }
                }
            }
            NodeKind::Alias(_) | NodeKind::Missing | NodeKind::Opaque => {}
        }
    }
}

/// Reads `node` when it is a scalar; `false` (nothing done) for any other node.
fn resolve_scalar(node: &mut Node, dialect: Dialect) -> bool {
    let tag = node.tag.as_deref().map(String::as_str);
    match &mut node.kind {
        NodeKind::Scalar(s) => {
            s.set_reading(read_in(&s.value, s.style, tag, dialect));
            true
        }
        _ => false,
    }
}
