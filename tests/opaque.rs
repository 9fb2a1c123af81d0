//! Opaque values are "no opinion": turning any scalar of the corpus into a value only run time
//! knows (what the Python front end makes of a call or an f-string) never adds a diagnostic.
//! YAML never produces opaque nodes, so this is the only place that proves every rule treats
//! them that way.

use std::collections::BTreeSet;
use std::path::PathBuf;

use flyte_lsp::engine::{analyze_in_workspace, parse};
use flyte_lsp::settings::Settings;
use flyte_lsp::tree::{Node, NodeKind, Stream};

/// Scalars tried per file, spread over the file, so the test stays a few seconds in debug.
const PER_FILE: usize = 24;

/// The value scalars of `node` (map values and list items, not keys), in document order.
fn value_scalars(node: &Node, out: &mut Vec<std::ops::Range<usize>>) {
    match &node.kind {
        NodeKind::Scalar(_) => out.push(node.span.clone()),
        NodeKind::Map(entries) => entries.iter().for_each(|e| value_scalars(&e.value, out)),
        NodeKind::Seq(items) => items.iter().for_each(|i| value_scalars(i, out)),
        _ => {}
    }
}

/// Turns the scalar at `span` into an opaque node.
fn make_opaque(node: &mut Node, span: &std::ops::Range<usize>) -> bool {
    if node.span == *span && matches!(node.kind, NodeKind::Scalar(_)) {
        node.kind = NodeKind::Opaque;
        return true;
    }
    match &mut node.kind {
        NodeKind::Map(entries) => entries.iter_mut().any(|e| make_opaque(&mut e.value, span)),
        NodeKind::Seq(items) => items.iter_mut().any(|i| make_opaque(i, span)),
        _ => false,
    }
}

fn findings(text: &str, stream: &Stream) -> BTreeSet<(String, usize, usize)> {
    analyze_in_workspace(text, stream, &Settings::default(), None)
        .diagnostics
        .into_iter()
        .map(|d| (d.code.to_string(), d.range.start, d.range.end))
        .collect()
}

#[test]
fn an_opaque_value_never_adds_a_diagnostic() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/k8s");
    let mut files: Vec<PathBuf> = ["invalid", "valid"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).expect("corpus folder"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() > 300, "corpus too small: {}", files.len());
    let mut tried = 0;
    let mut added = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let stream = parse(&text);
        let before = findings(&text, &stream);
        for (d, doc) in stream.documents.iter().enumerate() {
            let mut spans = Vec::new();
            if let Some(r) = doc.root.as_ref() {
                value_scalars(r, &mut spans);
            }
            let step = spans.len().div_ceil(PER_FILE).max(1);
            for span in spans.iter().step_by(step) {
                let mut changed = stream.clone();
                let Some(root) = changed.documents[d].root.as_mut() else {
                    continue;
                };
                if !make_opaque(root, span) {
                    continue;
                }
                tried += 1;
                for f in findings(&text, &changed).difference(&before) {
                    added.push(format!(
                        "{}: `{}` made opaque adds {} at {}..{}",
                        path.display(),
                        &text[span.clone()],
                        f.0,
                        f.1,
                        f.2
                    ));
                }
            }
        }
    }
    eprintln!("opaque: {tried} scalars tried over {} files", files.len());
    assert!(tried > 3000, "only {tried} scalars tried");
    assert!(added.is_empty(), "{}", added.join("\n"));
}
