//! Document structure for editors: folding ranges (every mapping and list that spans lines)
//! and selection ranges (the chain of enclosing nodes around a position).
//!
//! Pure and cheap: one walk over the tree, with an explicit stack (no recursion), so depth is
//! never a problem.

use crate::text::{LineIndex, TextRange};
use crate::tree::{Node, NodeKind, Stream};

/// A fold from `start_line` to `end_line` (0-based, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    pub start_line: u32,
    pub end_line: u32,
}

/// Every mapping value and list that spans more than one line, folded from its key's line.
pub fn folding_ranges(source: &str, stream: &Stream) -> Vec<Fold> {
    let index = LineIndex::new(source);
    let mut out = Vec::new();
    // (node, the line the fold starts on: the key's line when the node is a value).
    let mut stack: Vec<(&Node, Option<usize>)> = stream
        .documents
        .iter()
        .filter_map(|d| d.root.as_ref())
        .map(|r| (r, None))
        .collect();
    while let Some((node, from)) = stack.pop() {
        let (start, end) = (node.span.start, node.span.end);
        let start_line = from.unwrap_or_else(|| index.line_of(start));
        // A span ends at the start of the next line for block collections; fold to the last
        // line with content.
        let end_line = index.line_of(end.saturating_sub(1).max(start));
        if matches!(node.kind, NodeKind::Map(_) | NodeKind::Seq(_)) && end_line > start_line {
            out.push(Fold {
                start_line: start_line as u32,
                end_line: end_line as u32,
            });
        }
        match &node.kind {
            NodeKind::Map(entries) => {
                for e in entries {
                    stack.push((&e.value, Some(index.line_of(e.key.span.start))));
                }
            }
            NodeKind::Seq(items) => stack.extend(items.iter().map(|i| (i, None))),
            _ => {}
        }
    }
    out.sort_by_key(|f| (f.start_line, f.end_line));
    out.dedup();
    out
}

/// The ranges around `offset`, innermost first: the scalar, its `key: value` entry, the
/// mapping, the entry holding that mapping, and so on up to the document.
pub fn selection_ranges(stream: &Stream, offset: usize) -> Vec<TextRange> {
    let Some(doc) = stream
        .documents
        .iter()
        .find(|d| d.span.start <= offset && offset <= d.span.end)
    else {
        return Vec::new();
    };
    let mut chain = Vec::new();
    let mut node = doc.root.as_ref();
    while let Some(n) = node {
        if !(n.span.start <= offset && offset <= n.span.end) {
            break;
        }
        chain.push(n.span.clone());
        node = match &n.kind {
            NodeKind::Map(entries) => entries.iter().find_map(|e| {
                let whole = e.key.span.start..e.value.span.end.max(e.key.span.end);
                if whole.start <= offset && offset <= whole.end {
                    chain.push(whole);
                    if e.key.span.start <= offset && offset <= e.key.span.end {
                        chain.push(e.key.span.clone());
                        None
                    } else {
                        Some(&e.value)
                    }
                } else {
                    None
                }
            }),
            NodeKind::Seq(items) => items
                .iter()
                .find(|i| i.span.start <= offset && offset <= i.span.end),
            _ => None,
        };
    }
    chain.reverse();
    chain.dedup();
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::parse;

    const TEXT: &str = "name: train\npod_template:\n  pod_spec:\n    containers:\n      - name: main\n        image: x\n";

    #[test]
    fn folds_start_at_the_key() {
        let stream = parse(TEXT);
        let folds = folding_ranges(TEXT, &stream);
        assert!(
            folds.contains(&Fold {
                start_line: 1,
                end_line: 5
            }),
            "{folds:?}"
        );
        assert!(
            folds.contains(&Fold {
                start_line: 3,
                end_line: 5
            }),
            "{folds:?}"
        );
        assert!(
            folds.contains(&Fold {
                start_line: 0,
                end_line: 5
            }),
            "{folds:?}"
        );
    }

    #[test]
    fn selection_grows_from_the_scalar_outward() {
        let stream = parse(TEXT);
        let at = TEXT.find("main").unwrap_or(0) + 1;
        let chain = selection_ranges(&stream, at);
        assert_eq!(&TEXT[chain[0].clone()], "main");
        assert_eq!(&TEXT[chain[1].clone()], "name: main");
        assert!(
            chain
                .windows(2)
                .all(|w| w[1].start <= w[0].start && w[0].end <= w[1].end),
            "{chain:?}"
        );
        assert_eq!(chain.last().map(|r| r.start), Some(0));
    }
}
