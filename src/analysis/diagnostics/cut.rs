//! Quiet after a syntax error: findings about what the error cut off are dropped.
//!
//! While the user types, a document is usually broken somewhere, and everything after the
//! error is missing from the tree. A rule that reports an absence ("container has no `image`")
//! or an unresolved reference ("no volume `data`") would then report what the user has
//! written but the parser never reached. The syntax error is the one message about that part;
//! findings about what was read completely stay.

use crate::text::TextRange;
use crate::tree::{Document, Node, NodeKind};

use super::Diagnostic;

/// How a rule's finding depends on the rest of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutScope {
    /// It reports a field missing from the mapping it points into: dropped when that mapping
    /// was cut by the error.
    Subject,
    /// It reports a name that nothing in the document defines: dropped when the error cut any
    /// collection around it, since the definition may be after the error.
    Document,
}

/// The rules whose findings a cut tree can fake. Every other rule judges what it reads.
pub fn cut_scope(code: &str) -> Option<CutScope> {
    match code {
        // Required fields and "has no ..." findings.
        "FLY104" | "FLY206" | "FLY216" | "FLY226" | "FLY235" | "FLY245" | "FLY246" => {
            Some(CutScope::Subject)
        }
        // References to names defined elsewhere in the document: volumes, env vars,
        // containers, the environment's image.
        "FLY227" | "FLY241" | "FLY265" | "FLY301" | "FLY304" => Some(CutScope::Document),
        _ => None,
    }
}

/// Drops the findings of `doc` that its syntax errors may have faked.
pub fn drop_cut_findings(doc: &Document, out: &mut Vec<Diagnostic>) {
    let Some(root) = doc.root.as_ref().filter(|r| r.cut) else {
        return;
    };
    out.retain(|d| match cut_scope(d.code) {
        None => true,
        Some(CutScope::Subject) => !innermost_map(root, &d.range).is_some_and(|m| m.cut),
        Some(CutScope::Document) => !inside_cut(root, &d.range),
    });
}

/// The innermost mapping whose span holds `range`.
fn innermost_map<'a>(root: &'a Node, range: &TextRange) -> Option<&'a Node> {
    let mut found = None;
    let mut node = root;
    loop {
        if !holds(node, range) {
            return found;
        }
        let next = match &node.kind {
            NodeKind::Map(entries) => {
                found = Some(node);
                entries
                    .iter()
                    .flat_map(|e| [&e.key, &e.value])
                    .find(|n| holds(n, range) && is_collection(n))
            }
            NodeKind::Seq(items) => items.iter().find(|n| holds(n, range)),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return found,
        }
    }
}

/// True when a collection that the error cut holds `range`.
fn inside_cut(root: &Node, range: &TextRange) -> bool {
    let mut node = root;
    loop {
        if !holds(node, range) {
            return false;
        }
        if node.cut {
            return true;
        }
        let next = match &node.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .flat_map(|e| [&e.key, &e.value])
                .find(|n| holds(n, range) && is_collection(n)),
            NodeKind::Seq(items) => items.iter().find(|n| holds(n, range)),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
}

fn holds(node: &Node, range: &TextRange) -> bool {
    node.span.start <= range.start && range.end <= node.span.end.max(node.span.start)
}

fn is_collection(node: &Node) -> bool {
    matches!(node.kind, NodeKind::Map(_) | NodeKind::Seq(_))
}
