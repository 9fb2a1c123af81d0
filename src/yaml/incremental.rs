//! Re-parsing after an edit: a keystroke inside one plain value is patched in place
//! ([`super::patch`]); otherwise only the `---` documents the edit touched are parsed again, and
//! the trees of the others are reused, those after the edit with their byte ranges shifted.
//!
//! YAML documents of one stream are independent except through a few stream-wide things: the
//! anchor budget ([`super::MAX_ANCHOR_NODES`]), the `\'` rescan budget, directives (`%YAML`,
//! `%TAG`), explicit ends (`...`) and a syntax error, after which the parser resumes at the next
//! marker. Where any of these is present the caller parses the whole text instead, so the
//! result always equals [`super::parse_with`] of the new text (a model test checks it).

use crate::text::TextRange;
use crate::tree::{DocKind, Document, Node, NodeKind, Stream};

/// The stream of `new_text`, reusing the documents of `old` (the stream of `old_text`, parsed
/// with the same `default` kind) that the change from `old_text` to `new_text` did not touch.
/// `None` when reuse is not sound for these texts; the caller then parses in full.
pub fn reparse(
    old_text: &str,
    old: Stream,
    new_text: &str,
    default: Option<DocKind>,
) -> Option<Stream> {
    // A keystroke inside one plain value: patch that scalar, whatever the document count.
    let old = match super::patch::patch_scalar(old_text, old, new_text) {
        Ok(patched) => return Some(patched),
        Err(old) => old,
    };
    // One document: the edit touches it, so there is nothing else to reuse.
    if old.documents.len() < 2 || !reusable_text(new_text) || !reusable_text(old_text) {
        return None;
    }
    if old.documents.iter().any(|d| !reusable(d)) {
        return None;
    }
    // The change as one replaced range: the common prefix and suffix of both texts (a few
    // memcmp-speed passes, and no trust in the client's edit list).
    let prefix = common_prefix(old_text.as_bytes(), new_text.as_bytes());
    let max_suffix = old_text.len().min(new_text.len()) - prefix;
    let suffix = common_suffix(old_text.as_bytes(), new_text.as_bytes(), max_suffix);
    let (start, old_end) = (prefix, old_text.len() - suffix);
    let delta = new_text.len() as isize - old_text.len() as isize;
    // Touched: every document whose span meets the replaced range, ends included, so an edit
    // at a boundary re-parses both neighbours.
    let docs = &old.documents;
    let mut first = docs.iter().position(|d| d.span.end >= start)?;
    let mut last = docs
        .iter()
        .rposition(|d| d.span.start <= old_end)?
        .max(first);
    // An edit before a document's content (its `---` marker, the comments above it) may join it
    // to the one before or split that one: re-parse that neighbour too. Likewise an edit after
    // a document's content, for the one after.
    while first > 0 && start <= content_start(&docs[first]) {
        first -= 1;
    }
    while last + 1 < docs.len() && old_end >= content_end(&docs[last]) {
        last += 1;
    }
    let region_start = old.documents[first].span.start;
    // The last document may end before the text does (after an explicit or implied document
    // end); a region that holds it runs to the end of the text, as a full parse would read it.
    let to_the_end = last + 1 == old.documents.len();
    let region_end = if to_the_end {
        new_text.len()
    } else {
        shift(old.documents[last].span.end, delta)?
    };
    // Where the parser ends the last re-parsed document depends on what follows it up to the
    // next `---` marker, so the region runs through that marker's line, and the document that
    // marker starts (the next reused one) is dropped from the result.
    let parse_end = if to_the_end {
        region_end
    } else {
        marker_line_end(new_text, region_end)?
    };
    let region = new_text.get(region_start..parse_end)?;
    let mut parsed = super::parse_with(region, default);
    if parsed.documents.iter().any(|d| !reusable(d)) {
        return None;
    }
    // The re-parsed documents must tile the region, as a full parse's documents tile the text.
    let mut at = 0;
    for doc in &parsed.documents {
        if doc.span.start != at {
            return None;
        }
        at = doc.span.end;
    }
    if !to_the_end {
        // The marker's document, parsed only to end the one before it where a full parse would.
        parsed.documents.pop()?;
    }
    // A region that parses to nothing (only comments, or nothing left) is where a full parse
    // may attach the text to a neighbour instead: parse in full.
    let boundary = parsed.documents.last()?.span.end + region_start;
    for doc in &mut parsed.documents {
        shift_document(doc, region_start as isize);
    }
    let mut documents = old.documents;
    let mut after: Vec<Document> = documents.split_off(last + 1);
    documents.truncate(first);
    for doc in &mut after {
        shift_document(doc, delta);
    }
    // The next document starts where the re-parsed ones end. When that moved, the text it
    // gains or loses must be blank: a comment there could be a modeline that changes its kind.
    if let Some(next) = after.first_mut() {
        let (lo, hi) = (boundary.min(next.span.start), boundary.max(next.span.start));
        if !new_text.get(lo..hi)?.trim().is_empty() {
            return None;
        }
        next.span.start = boundary;
    }
    documents.append(&mut parsed.documents);
    documents.append(&mut after);
    Some(Stream {
        documents,
        surfaces: old.surfaces,
        language: old.language,
    })
}

/// The end of the first `---` marker line at or after `from` (a line start or inside the blank
/// or comment lines before the marker).
fn marker_line_end(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    loop {
        let p = at + text.get(at..)?.find("---")?;
        let line_start = p == 0 || matches!(bytes[p - 1], b'\n' | b'\r');
        let ends = bytes
            .get(p + 3)
            .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
        if line_start && ends {
            return Some(text[p..].find('\n').map_or(text.len(), |i| p + i + 1));
        }
        at = p + 3;
    }
}

/// Where a document's content starts: its root, or for an empty document its end.
fn content_start(doc: &Document) -> usize {
    doc.root.as_ref().map_or(doc.span.end, |r| r.span.start)
}

/// Where a document's content ends: its root's end, or for an empty document its start.
fn content_end(doc: &Document) -> usize {
    doc.root.as_ref().map_or(doc.span.start, |r| r.span.end)
}

/// Whether a text has none of the stream-wide constructs that tie its documents together.
fn reusable_text(text: &str) -> bool {
    // Directives and explicit document ends start a line; a byte order mark may appear before
    // any document; `\'` has a stream-wide rescan budget (see `escapes`). `str::contains` is a
    // substring search, far faster than a byte-window scan on a megabyte.
    let line_start = |pat: &str| {
        text.starts_with(pat)
            || text.contains(&format!("\n{pat}"))
            || text.contains(&format!("\r{pat}"))
    };
    !(line_start("%") || line_start("...") || text.contains('\u{feff}') || text.contains("\\'"))
}

/// Whether a parsed document stands alone: no syntax error (the parser resumes elsewhere after
/// one) and no anchor (their budget is stream-wide).
fn reusable(doc: &Document) -> bool {
    doc.errors.is_empty() && doc.anchors.is_empty()
}

pub(super) fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    // Compare in chunks first: slices compare at memcmp speed.
    const CHUNK: usize = 256;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + CHUNK <= n && a[i..i + CHUNK] == b[i..i + CHUNK] {
        i += CHUNK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    // Never split a character: back up to a boundary of both (they agree before `i`).
    while i > 0 && (a.get(i).is_some_and(|c| c & 0xC0 == 0x80)) {
        i -= 1;
    }
    i
}

pub(super) fn common_suffix(a: &[u8], b: &[u8], max: usize) -> usize {
    const CHUNK: usize = 256;
    let mut i = 0;
    while i + CHUNK <= max
        && a[a.len() - i - CHUNK..a.len() - i] == b[b.len() - i - CHUNK..b.len() - i]
    {
        i += CHUNK;
    }
    while i < max && a[a.len() - i - 1] == b[b.len() - i - 1] {
        i += 1;
    }
    i
}

fn shift(at: usize, by: isize) -> Option<usize> {
    at.checked_add_signed(by)
}

fn shift_range(r: &mut TextRange, by: isize) {
    // Offsets of a reused document are never below the edit, so they never go negative.
    r.start = r.start.saturating_add_signed(by);
    r.end = r.end.saturating_add_signed(by);
}

/// Moves every byte range of `doc` by `by`.
pub(super) fn shift_document(doc: &mut Document, by: isize) {
    if by == 0 {
        return;
    }
    shift_range(&mut doc.span, by);
    for e in &mut doc.errors {
        shift_range(&mut e.range, by);
    }
    for d in &mut doc.duplicate_keys {
        shift_range(&mut d.first, by);
        shift_range(&mut d.duplicate, by);
    }
    for s in &mut doc.spellings {
        shift_range(&mut s.range, by);
    }
    for (_, node) in &mut doc.anchors {
        shift_node(node, by);
    }
    if let Some(d) = &mut doc.derived {
        shift_range(&mut d.span, by);
        for (_, r) in &mut d.arguments {
            shift_range(r, by);
        }
        if let Some(at) = &mut d.copy_of {
            *at = at.saturating_add_signed(by);
        }
    }
    if let Some(root) = &mut doc.root {
        shift_node(root, by);
    }
}

/// Shifts a tree with an explicit stack: trees may be deep.
pub(super) fn shift_node(root: &mut Node, by: isize) {
    let mut stack: Vec<&mut Node> = vec![root];
    while let Some(node) = stack.pop() {
        shift_range(&mut node.span, by);
        match &mut node.kind {
            NodeKind::Map(entries) => {
                for e in entries {
                    stack.push(&mut e.key);
                    stack.push(&mut e.value);
                }
            }
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(old: &str, new: &str) {
        let stream = super::super::parse(old);
        let full = format!("{:?}", super::super::parse(new));
        if let Some(inc) = reparse(old, stream, new, None) {
            assert_eq!(format!("{inc:?}"), full, "old {old:?}\nnew {new:?}");
        }
    }

    #[test]
    fn edits_inside_and_across_documents() {
        let a = "a: 1\nb: [x]\n---\nkind: Pod\napiVersion: v1\n---\n# c\nc: 3\n";
        check(a, &a.replace("b: [x]", "b: [xy]"));
        check(a, &a.replace("c: 3", "c: 33"));
        check(a, &a.replace("---\n# c", "# c"));
        check(a, &a.replace("b: [x]\n", "b: [x]\n---\n"));
        check(a, &a.replace("a: 1", ""));
        check(a, "");
        check("", a);
        check(a, &format!("{a}---\n"));
        check(a, &format!("---\n{a}"));
        check(a, &a.replace("c: 3\n", "c: 3"));
    }

    #[test]
    fn stream_wide_constructs_parse_in_full() {
        let b = "%YAML 1.2\n---\nb: 2\n";
        assert!(reparse(b, super::super::parse(b), &b.replace("b: 2", "b: 3"), None).is_none());
        let c = "a: \"x\\'y\"\n---\nb: 2\n";
        assert!(reparse(c, super::super::parse(c), &c.replace("b: 2", "b: 3"), None).is_none());
    }

    #[test]
    fn anchors_and_aliases_across_documents() {
        let a = "a: &x 1\nm: &y {k: 1}\n---\nb: *x\nc: *y\n";
        check(a, &a.replace("&x 1", "1"));
        check(a, &a.replace("&y {", "{"));
        check(a, &a.replace("b: *x", "b: *xx"));
        check(a, &a.replace("b: *x", "b: 3"));
    }

    /// Random edits of a multi-document file (pieces that open and close documents, lines,
    /// flow collections, quotes, comments, modelines) always give the full parse's stream.
    #[test]
    fn random_edits_equal_a_full_parse() {
        const PIECES: &[&str] = &[
            "---\n",
            "\n---\n",
            "---",
            "a: 1\n",
            "\n",
            " ",
            ":",
            "- x\n",
            "[",
            "]",
            "{",
            "}",
            "\"",
            "'",
            "#",
            "# flyte-lsp: kubernetes\n",
            "kind: Pod\n",
            "apiVersion: v1\n",
            "image: x\n",
            "  ",
            "é",
            "|\n",
            "&a ",
            "*a",
            "...\n",
            "%",
            "b",
            "\t",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            seed ^= seed >> 12;
            seed ^= seed << 25;
            seed ^= seed >> 27;
            (seed.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1) as u64) as usize
        };
        let start =
            "name: a\nimage: x\n---\n# c\nkind: Pod\napiVersion: v1\nspec: {}\n---\nb: [1, 2]\n";
        let mut text = start.to_string();
        let mut stream = super::super::parse(&text);
        let mut reused = 0;
        for step in 0..3000 {
            // Back to the start when the text grew, lost its documents or broke (a broken or
            // one-document text always parses in full: nothing to compare).
            let broken = stream.documents.iter().any(|d| !d.errors.is_empty());
            if text.len() > 400 || step % 200 == 0 || broken || stream.documents.len() < 2 {
                text = start.to_string();
                stream = super::super::parse(&text);
            }
            let bounds: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let a = bounds[next(bounds.len())];
            let b = if next(3) == 0 {
                bounds[next(bounds.len())].max(a)
            } else {
                a
            };
            let mut new = text.clone();
            new.replace_range(
                a..b,
                if next(4) == 0 {
                    ""
                } else {
                    PIECES[next(PIECES.len())]
                },
            );
            let full = super::super::parse(&new);
            let got = match reparse(&text, stream, &new, None) {
                Some(got) => {
                    reused += 1;
                    got
                }
                None => full.clone(),
            };
            assert_eq!(
                format!("{got:?}"),
                format!("{full:?}"),
                "step {step}: {text:?} -> {new:?}"
            );
            text = new;
            stream = got;
        }
        assert!(reused > 500, "reused only {reused} times");
    }
}
