//! Re-parsing after a keystroke inside one plain scalar: the scalar's value and reading are
//! replaced in place and the byte ranges after it shifted, instead of parsing the document again.
//!
//! Most keystrokes type into a value (`memory: 1Gi` → `memory: 1Gix`), and a plain scalar that
//! stays a plain scalar of the same line changes nothing else a parse produces: the structure,
//! the other scalars, the duplicate keys and the document's kind (when the scalar is not a
//! top-level value, which detection reads). So the patch applies only when:
//! - the change lies inside (or at an end of) one single-line, untagged, plain scalar that is a
//!   mapping value or a list item at depth two or more, outside any flow collection;
//! - its document has no syntax error and no anchor (anchors hold copies of nodes);
//! - the new text of that scalar is one plain scalar when granit-parser scans it as a value
//!   (`k: <text>`), and neither the old nor the new text holds a character that could take part
//!   in a stream-wide construct (a backslash, a byte order mark) or end the scalar.
//!
//! Anything else returns the stream untouched and the caller parses. The result always equals
//! [`super::parse_with`] of the new text; a model test drives random keystrokes to check it.

use granit_parser::{Event, Parser};

use super::scalar::{read_in, Dialect};
use crate::text::TextRange;
use crate::tree::{Node, NodeKind, ScalarStyle, Stream};

/// The stream of `new_text` made from `old` (the stream of `old_text`) when the change between
/// the two texts is a keystroke inside one plain scalar (see the module doc); else `old` back,
/// unchanged.
pub fn patch_scalar(old_text: &str, mut old: Stream, new_text: &str) -> Result<Stream, Stream> {
    let Some(plan) = plan(old_text, &old, new_text) else {
        return Err(old);
    };
    let delta = new_text.len() as isize - old_text.len() as isize;
    let docs = &mut old.documents;
    for doc in docs.iter_mut().skip(plan.doc + 1) {
        super::incremental::shift_document(doc, delta);
    }
    let Some(doc) = docs.get_mut(plan.doc) else {
        return Err(old);
    };
    let dialect = Dialect::of(doc.kind);
    let end = plan.scalar.end;
    doc.span.end = doc.span.end.saturating_add_signed(delta);
    for d in &mut doc.duplicate_keys {
        shift_after(&mut d.first, end, delta);
        shift_after(&mut d.duplicate, end, delta);
    }
    if let Some(root) = doc.root.as_mut() {
        apply(root, &plan.path, new_text, delta, dialect);
    }
    Ok(old)
}

/// Where the patch goes: the document, the child indices from its root down to the scalar, and
/// the scalar's old range.
struct Plan {
    doc: usize,
    path: Vec<usize>,
    scalar: TextRange,
}

fn plan(old_text: &str, old: &Stream, new_text: &str) -> Option<Plan> {
    let prefix = super::incremental::common_prefix(old_text.as_bytes(), new_text.as_bytes());
    let max_suffix = old_text.len().min(new_text.len()) - prefix;
    let suffix =
        super::incremental::common_suffix(old_text.as_bytes(), new_text.as_bytes(), max_suffix);
    let (start, old_end) = (prefix, old_text.len() - suffix);
    let doc = old
        .documents
        .iter()
        .position(|d| d.span.start <= start && old_end <= d.span.end)?;
    let document = &old.documents[doc];
    if !document.errors.is_empty()
        || !document.anchors.is_empty()
        || document.derived.is_some()
        || !document.spellings.is_empty()
    {
        return None;
    }
    let (path, node) = scalar_at(document.root.as_ref()?, old_text, start, old_end)?;
    let scalar = node.span.clone();
    let old_value = old_text.get(scalar.clone())?;
    let new_end = scalar
        .end
        .checked_add_signed(new_text.len() as isize - old_text.len() as isize)?;
    let new_value = new_text.get(scalar.start..new_end)?;
    // The old value is the source text (single-line plain), and both must be plain-safe: then
    // the two texts differ only in characters that build no stream-wide construct.
    if node.as_str() != Some(old_value) || !safe(old_value) || !safe(new_value) {
        return None;
    }
    if !scans_as_plain_value(new_value) {
        return None;
    }
    Some(Plan { doc, path, scalar })
}

/// The path to, and the node of, the scalar whose range holds `start..end`: a single-line
/// untagged plain scalar at depth two or more, that is a mapping value or a list item, with no
/// flow collection above it.
fn scalar_at<'a>(
    root: &'a Node,
    text: &str,
    start: usize,
    end: usize,
) -> Option<(Vec<usize>, &'a Node)> {
    let holds = |n: &Node| n.span.start <= start && end <= n.span.end;
    let mut path = Vec::new();
    let mut node = root;
    loop {
        if matches!(text.as_bytes().get(node.span.start), Some(b'[' | b'{')) {
            return None;
        }
        let next = match &node.kind {
            NodeKind::Map(entries) => {
                // A key is never patched: keys decide duplicates and detection.
                if entries.iter().any(|e| holds(&e.key)) {
                    return None;
                }
                let i = entries.iter().position(|e| holds(&e.value))?;
                path.push(i);
                &entries[i].value
            }
            NodeKind::Seq(items) => {
                let i = items.iter().position(holds)?;
                path.push(i);
                &items[i]
            }
            NodeKind::Scalar(s) => {
                let single_line = !text.get(node.span.clone())?.contains(['\n', '\r']);
                let plain = s.style == ScalarStyle::Plain && node.tag().is_none();
                return (path.len() >= 2 && single_line && plain).then_some((path, node));
            }
            _ => return None,
        };
        node = next;
    }
}

/// Whether `value` is made only of characters that keep a plain scalar one token on its line
/// and take no part in a stream-wide construct: no line break or tab, no `#` (a comment after a
/// space), no backslash (the `\'` rescan), no byte order mark, no flow indicator; and it neither
/// starts nor ends with a space.
fn safe(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with(' ')
        && !value.ends_with(' ')
        && value.chars().all(|c| {
            !matches!(
                c,
                '\n' | '\r' | '\t' | '#' | '\\' | '\u{feff}' | ',' | '[' | ']' | '{' | '}'
            ) && !c.is_control()
                && !matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}')
        })
}

/// Whether granit-parser scans `value` as exactly one plain scalar equal to it when it is a
/// block mapping's value (what a value at depth two reads like, whatever the indentation).
fn scans_as_plain_value(value: &str) -> bool {
    let probe = format!("k: {value}\n");
    let mut events = Vec::with_capacity(8);
    for event in Parser::new_from_str(&probe) {
        match event {
            Ok((e, _)) if events.len() < 8 => events.push(e),
            _ => return false,
        }
    }
    matches!(
        events.as_slice(),
        [
            Event::StreamStart,
            Event::DocumentStart(..),
            Event::MappingStart(..),
            Event::Scalar(k, ..),
            Event::Scalar(v, granit_parser::ScalarStyle::Plain, 0, None),
            Event::MappingEnd,
            Event::DocumentEnd,
            Event::StreamEnd,
        ] if k == "k" && v == value
    )
}

/// Replaces the scalar at `path` with its new text, and moves every range after it.
fn apply(root: &mut Node, path: &[usize], new_text: &str, delta: isize, dialect: Dialect) {
    let mut node = root;
    for &i in path {
        // An ancestor of the scalar ends after it: it grows or shrinks by the change.
        node.span.end = node.span.end.saturating_add_signed(delta);
        node = match &mut node.kind {
            NodeKind::Map(entries) => {
                for e in entries.iter_mut().skip(i + 1) {
                    super::incremental::shift_node(&mut e.key, delta);
                    super::incremental::shift_node(&mut e.value, delta);
                }
                match entries.get_mut(i) {
                    Some(e) => &mut e.value,
                    None => return,
                }
            }
            NodeKind::Seq(items) => {
                for n in items.iter_mut().skip(i + 1) {
                    super::incremental::shift_node(n, delta);
                }
                match items.get_mut(i) {
                    Some(n) => n,
                    None => return,
                }
            }
            _ => return,
        };
    }
    node.span.end = node.span.end.saturating_add_signed(delta);
    if let NodeKind::Scalar(s) = &mut node.kind {
        s.value = new_text.get(node.span.clone()).unwrap_or("").into();
        s.set_reading(read_in(&s.value, s.style, None, dialect));
    }
}

/// Moves a range that starts at or after `at` (the changed scalar's old end).
fn shift_after(r: &mut TextRange, at: usize, by: isize) {
    if r.start >= at {
        r.start = r.start.saturating_add_signed(by);
        r.end = r.end.saturating_add_signed(by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documents of a stream, for the comparisons.
    fn debug(docs: &[crate::tree::Document]) -> String {
        format!("{docs:?}")
    }

    fn patched(old: &str, new: &str) -> Option<Stream> {
        patch_scalar(old, super::super::parse(old), new).ok()
    }

    fn same(old: &str, new: &str) -> bool {
        match patched(old, new) {
            Some(s) => {
                assert_eq!(
                    debug(&s.documents),
                    debug(&super::super::parse(new).documents),
                    "{old:?} -> {new:?}"
                );
                true
            }
            None => false,
        }
    }

    const POD: &str = "apiVersion: v1\nkind: PodTemplate\ntemplate:\n  spec:\n    containers:\n      - name: main\n        image: x:1  # tag\n        resources:\n          limits: {memory: 1Gi}\n          requests:\n            memory: 1Gi\n    restartPolicy: Never\n";

    #[test]
    fn a_keystroke_in_a_value_is_patched() {
        assert!(same(POD, &POD.replace("memory: 1Gi\n", "memory: 1Gix\n")));
        assert!(same(POD, &POD.replace("memory: 1Gi\n", "memory: 1G\n")));
        assert!(same(POD, &POD.replace("name: main", "name: xmain")));
        assert!(same(POD, &POD.replace("image: x:1", "image: x:12")));
        assert!(same(POD, &POD.replace("memory: 1Gi\n", "memory: 1024\n")));
        assert!(same(POD, &POD.replace("memory: 1Gi\n", "memory: true\n")));
    }

    #[test]
    fn anything_else_parses_in_full() {
        // A top-level value (detection reads it), a key, a flow collection, a comment, a new
        // line, a value that ends the scalar.
        assert!(!same(
            POD,
            &POD.replace("kind: PodTemplate", "kind: PodTemplatex")
        ));
        assert!(!same(POD, &POD.replace("image:", "imagex:")));
        assert!(!same(POD, &POD.replace("{memory: 1Gi}", "{memory: 1Gix}")));
        assert!(!same(POD, &POD.replace("x:1  # tag", "x:1  # tagx")));
        assert!(!same(POD, &POD.replace("name: main", "name: ma\nin")));
        assert!(!same(POD, &POD.replace("name: main", "name: ma #in")));
        assert!(!same(POD, &POD.replace("name: main", "name: ma: in")));
        assert!(!same(POD, &POD.replace("name: main", "name: \"main")));
        assert!(!same(POD, &POD.replace("name: main", "name: ")));
    }

    fn scalar_spans(stream: &Stream) -> Vec<TextRange> {
        let mut out = Vec::new();
        let mut stack: Vec<&Node> = stream
            .documents
            .iter()
            .filter_map(|d| d.root.as_ref())
            .collect();
        while let Some(n) = stack.pop() {
            match &n.kind {
                NodeKind::Map(entries) => {
                    for e in entries {
                        stack.push(&e.key);
                        stack.push(&e.value);
                    }
                }
                NodeKind::Seq(items) => stack.extend(items.iter()),
                NodeKind::Scalar(_) => out.push(n.span.clone()),
                _ => {}
            }
        }
        out.sort_by_key(|r| r.start);
        out
    }

    /// Random keystrokes into a pod template (characters that keep a scalar, end it, or open
    /// a construct) always give the full parse's stream, whether patched or not.
    #[test]
    fn random_keystrokes_equal_a_full_parse() {
        const TYPED: &[&str] = &[
            "a", "Z", "1", "0", "-", ".", ":", " ", "#", "'", "\"", "é", "_", "/", "@", "&", "*",
            "!", "|", ">", "%", ",", "[", "}", "\n", "\t", "\\", "x: ", "- ", "~", "?",
        ];
        let mut next = crate::text::test_rng(0x2545_f491_4f6c_dd1d);
        let start = format!("{POD}---\nname: env\nimage: y\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        args:\n          - --lr\n          - 0.1\n");
        let mut text = start.clone();
        let mut stream = super::super::parse(&text);
        let mut patches = 0;
        for step in 0..4000 {
            let broken = stream.documents.iter().any(|d| !d.errors.is_empty());
            if step % 150 == 0 || text.len() > 900 || broken {
                text = start.clone();
                stream = super::super::parse(&text);
            }
            // Type or delete inside or next to a scalar most of the time, anywhere otherwise.
            let spots: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let scalars = scalar_spans(&stream);
            let at = match scalars.get(next(scalars.len() * 4 / 3 + 1)) {
                Some(span) => {
                    let inside: Vec<usize> = spots
                        .iter()
                        .copied()
                        .filter(|i| span.contains(i) || *i == span.end)
                        .collect();
                    inside[next(inside.len())]
                }
                None => spots[next(spots.len())],
            };
            let mut new = text.clone();
            if next(4) == 0 {
                let end = spots.iter().copied().find(|&j| j > at).unwrap_or(at);
                new.replace_range(at..end, "");
            } else {
                // Half the keystrokes are letters and digits, as when typing a value.
                let typed = match next(2) {
                    0 => ["b", "7", "k", "Q"][next(4)],
                    _ => TYPED[next(TYPED.len())],
                };
                new.insert_str(at, typed);
            }
            let full = super::super::parse(&new);
            stream = match patch_scalar(&text, stream, &new) {
                Ok(got) => {
                    patches += 1;
                    assert_eq!(
                        debug(&got.documents),
                        debug(&full.documents),
                        "step {step}: {text:?} -> {new:?}"
                    );
                    got
                }
                Err(_) => full,
            };
            text = new;
        }
        assert!(patches > 300, "patched only {patches} times");
    }
}
