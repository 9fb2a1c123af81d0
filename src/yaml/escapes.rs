//! Double-quoted escapes the way each reader takes them.
//!
//! go-yaml v2 (what kubectl and the API server read YAML with, through sigs.k8s.io/yaml;
//! `scannerc.go`, `yaml_parser_scan_flow_scalar`) accepts `\'` inside double quotes and
//! rejects `\/`; PyYAML (`scanner.py`, `ESCAPE_REPLACEMENTS`) and YAML 1.2, which granit-parser
//! follows, do the opposite. granit stops at a `\'`, so the front end rescans such a scalar
//! itself: it swaps each `\'` for a same-length escape granit knows (offsets stay exact), puts
//! the quote back into the value, and then reports, per document, what that document's reader
//! would refuse.

use super::build;
use super::scalar::Dialect;
use crate::text::TextRange;
use crate::tree::{Document, Node, NodeKind, ScalarStyle, Stream, SyntaxError};

/// The stand-in escape for `\'`: same length, and its character (BEL) cannot appear unescaped
/// in YAML, so every BEL in a patched scalar is one of ours unless the user wrote `\a` there too.
const STAND_IN: u8 = b'a';
const STAND_IN_CHAR: char = '\u{7}';

/// Re-parses after a `\'` stop at most this many times (one per scalar that has one), so a
/// file full of them costs a bounded number of parses; past it the error stays.
const MAX_RESCANS: usize = 32;

/// Builds the stream, rescanning double-quoted scalars that hold `\'`. Returns the stream and
/// the byte offsets of every `\'` it let through.
pub fn parse(text: &str) -> (Stream, Vec<usize>) {
    let mut stream = build::parse(text);
    let mut patched: Vec<usize> = Vec::new();
    let mut owned: Option<Vec<u8>> = None;
    for _ in 0..MAX_RESCANS {
        let Some(quote) =
            stopped_at_quote_escape(&stream, owned.as_deref().unwrap_or(text.as_bytes()))
        else {
            break;
        };
        let bytes = owned.get_or_insert_with(|| text.as_bytes().to_vec());
        let found = quote_escapes(bytes, quote);
        if found.is_empty() {
            break;
        }
        for &at in &found {
            bytes[at + 1] = STAND_IN;
        }
        patched.extend(found);
        // Only ASCII bytes were swapped for ASCII bytes, so the text is still UTF-8.
        match std::str::from_utf8(bytes) {
            Ok(t) => stream = build::parse(t),
            Err(_) => break,
        }
    }
    if !patched.is_empty() {
        patched.sort_unstable();
        for doc in &mut stream.documents {
            restore_quotes(doc, &patched);
        }
    }
    (stream, patched)
}

/// The offset of the opening `"` when the stream stopped with granit's unknown-escape error
/// there.
fn stopped_at_quote_escape(stream: &Stream, bytes: &[u8]) -> Option<usize> {
    stream
        .documents
        .iter()
        .flat_map(|d| &d.errors)
        .find(|e| e.message.contains("unknown escape character"))
        .map(|e| e.range.start)
        .filter(|&at| bytes.get(at) == Some(&b'"'))
}

/// The offsets of the backslashes of `\'` escapes inside the double-quoted scalar that opens
/// at `quote` (up to its closing quote).
fn quote_escapes(bytes: &[u8], quote: usize) -> Vec<usize> {
    let mut found = Vec::new();
    let mut i = quote + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                if bytes.get(i + 1) == Some(&b'\'') {
                    found.push(i);
                }
                i += 2;
            }
            b'"' => break,
            _ => i += 1,
        }
    }
    found
}

/// Puts `'` back where a stand-in was decoded, in every scalar that holds a patched offset.
fn restore_quotes(doc: &mut Document, patched: &[usize]) {
    let touches = |span: &TextRange| {
        let i = patched.partition_point(|&p| p < span.start);
        patched.get(i).is_some_and(|&p| p < span.end)
    };
    let mut stack: Vec<&mut Node> = doc.root.iter_mut().collect();
    stack.extend(doc.anchors.iter_mut().map(|(_, n)| n));
    while let Some(n) = stack.pop() {
        if !touches(&n.span) {
            continue;
        }
        match &mut n.kind {
            NodeKind::Scalar(s) if s.style == ScalarStyle::DoubleQuoted => {
                s.value = s.value.replace(STAND_IN_CHAR, "'").into();
            }
            NodeKind::Map(entries) => {
                for e in entries.iter_mut() {
                    stack.push(&mut e.key);
                    stack.push(&mut e.value);
                }
            }
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Reports the escapes that `doc`'s reader refuses: `\'` for PyYAML, `\/` for go-yaml.
pub fn check(doc: &mut Document, source: &str, dialect: Dialect, patched: &[usize]) {
    let span = doc.span.clone();
    let mut errors = Vec::new();
    match dialect {
        Dialect::PyYaml => {
            for &at in patched.iter().filter(|&&p| span.contains(&p)) {
                errors.push(SyntaxError {
                    message: "PyYAML rejects the escape `\\'` in a double-quoted string \
                              (found unknown escape character); write `'` without the backslash"
                        .to_string(),
                    range: at..at + 2,
                });
            }
        }
        Dialect::Go => {
            let mut stack: Vec<&Node> = doc.root.iter().collect();
            while let Some(n) = stack.pop() {
                match &n.kind {
                    NodeKind::Scalar(s) if s.style == ScalarStyle::DoubleQuoted => {
                        let text = source.get(n.span.clone()).unwrap_or("");
                        for at in slash_escapes(text) {
                            let at = n.span.start + at;
                            errors.push(SyntaxError {
                                message: "Kubernetes (go-yaml) rejects the escape `\\/` in a \
                                          double-quoted string (found unknown escape character); \
                                          write `/` without the backslash"
                                    .to_string(),
                                range: at..at + 2,
                            });
                        }
                    }
                    NodeKind::Map(entries) => {
                        for e in entries {
                            stack.push(&e.key);
                            stack.push(&e.value);
                        }
                    }
                    NodeKind::Seq(items) => stack.extend(items),
                    _ => {}
                }
            }
        }
    }
    errors.sort_by_key(|e| e.range.start);
    doc.errors.extend(errors);
}

/// Offsets (within a double-quoted scalar's source) of its `\/` escapes.
fn slash_escapes(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 1;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1] == b'/' {
                found.push(i);
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use crate::tree::DocKind;
    use crate::yaml::parse;

    #[test]
    fn go_yaml_takes_an_escaped_single_quote() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"it\\'s\"\n  labels: {a: \"x\\' \\'y\"}\n";
        let stream = parse(text);
        let doc = &stream.documents[0];
        assert_eq!(doc.kind, DocKind::KubePod);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        let meta = doc.root.as_ref().and_then(|r| r.get("metadata"));
        assert_eq!(
            meta.and_then(|m| m.get("name")).and_then(|n| n.as_str()),
            Some("it's")
        );
        let labels = meta.and_then(|m| m.get("labels"));
        assert_eq!(
            labels.and_then(|l| l.get("a")).and_then(|n| n.as_str()),
            Some("x' 'y")
        );
    }

    #[test]
    fn pyyaml_refuses_it_and_go_yaml_refuses_slash() {
        let text = "# flyte-lsp: pod-template\npod_spec:\n  hostname: \"a\\'b\"\n";
        let doc = &parse(text).documents[0];
        assert_eq!(doc.errors.len(), 1, "{:?}", doc.errors);
        assert_eq!(&text[doc.errors[0].range.clone()], "\\'");
        assert!(doc.errors[0].message.contains("PyYAML"));

        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"a\\/b\"\n";
        let doc = &parse(text).documents[0];
        assert_eq!(doc.errors.len(), 1, "{:?}", doc.errors);
        assert_eq!(&text[doc.errors[0].range.clone()], "\\/");

        let text = "# flyte-lsp: pod-template\npod_spec:\n  hostname: \"a\\/b\\\\/\"\n";
        assert!(parse(text).documents[0].errors.is_empty());
    }

    #[test]
    fn a_really_unknown_escape_stays_an_error() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"a\\'\\q\"\n";
        let doc = &parse(text).documents[0];
        assert_eq!(doc.errors.len(), 1, "{:?}", doc.errors);
    }
}
