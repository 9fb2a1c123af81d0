//! Turns granit-parser's event stream into [`Stream`]: one pass, an explicit stack, no recursion.
//!
//! On a syntax error the open collections are closed where they stand (so everything read so
//! far stays usable) and the parser resumes at the next document boundary.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use granit_parser::{Event, Parser, ScanError, Span};

use crate::text::TextRange;
use crate::tree::{
    DocKind, Document, DuplicateKey, Entry, Node, NodeKind, Scalar, ScalarStyle, Stream,
    SyntaxError,
};

/// Deepest nesting of collections accepted. The parser enforces the same bound for block
/// and flow collections, so 100,000 nested `[` end in a syntax error, not a stack overflow.
pub const MAX_DEPTH: usize = 200;

/// Most nodes the anchor table may hold, over the whole stream. Each anchor keeps a copy of
/// its node, so anchors nested in anchors copy the same nodes again: without a bound, 150
/// nested anchors around a 60 KB list take 400 MB. Past it, later anchors are kept as empty
/// placeholders (aliases to them read as null) and the document gets a syntax error.
pub const MAX_ANCHOR_NODES: usize = 1_000_000;

/// Parses a whole YAML stream into documents of unknown kind with unresolved scalars (the
/// front end's [`super::parse`] detects and resolves them). Never fails and never panics.
pub fn parse(text: &str) -> Stream {
    parse_fast(text).unwrap_or_else(|| parse_granit(text))
}

/// The stream of `text` read by the fast path for plain block YAML ([`super::fast`]), or
/// `None` when the text is outside its subset.
pub(super) fn parse_fast(text: &str) -> Option<Stream> {
    let mut builder = Builder::new(text);
    super::fast::scan(text, &mut |event, span| builder.event(event, span))?;
    Some(builder.finish())
}

/// The stream of `text` read by granit-parser.
pub(super) fn parse_granit(text: &str) -> Stream {
    let mut options = granit_parser::Options::default();
    options.emit_anchor_events = true;
    options.emit_comments = false;
    options.block_nesting_limit = MAX_DEPTH;
    options.flow_nesting_limit = MAX_DEPTH;
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder::new(text);
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => builder.event(event, span),
            Some(Err(err)) => {
                builder.error(&err);
                match parser.proceed_next_document() {
                    Ok(true) => continue,
                    Ok(false) | Err(_) => break,
                }
            }
        }
    }
    builder.finish()
}

/// Maps of up to this many entries find an earlier key by scanning them: cheaper than hashing
/// for the handful of keys most mappings have. Bigger maps build a [`KeyIndex`] once, so
/// duplicate detection is never quadratic.
const SCAN_LIMIT: usize = 16;

/// A key's hash to the position of the first entry with a key of that hash. Holds hashes, not
/// strings, so no key is copied; a hit is confirmed against the entry's key.
type KeyIndex = HashMap<u64, usize, BuildHasherDefault<HashIsKey>>;

enum Frame {
    Map {
        start: usize,
        tag: Option<String>,
        anchor: usize,
        /// Where this map's entries begin in [`Builder::entries`].
        first_entry: usize,
        key: Option<Node>,
        /// Built when the map passes [`SCAN_LIMIT`] entries.
        index: Option<KeyIndex>,
        end: usize,
    },
    Seq {
        start: usize,
        tag: Option<String>,
        anchor: usize,
        /// Where this sequence's items begin in [`Builder::items`].
        first_item: usize,
        end: usize,
    },
}

struct Builder<'a> {
    text: &'a str,
    documents: Vec<Document>,
    current: Option<Document>,
    stack: Vec<Frame>,
    /// The entries of every open map, innermost last. A map's entries move into a vector of
    /// their exact size when it closes: one allocation per map, none to grow it.
    entries: Vec<Entry>,
    /// The items of every open sequence, the same way.
    items: Vec<Node>,
    /// Anchor ids to names, for alias nodes and the document's anchor list.
    anchor_names: HashMap<usize, String>,
    /// Where the previous document ended; the next one's span starts here.
    last_end: usize,
    /// Nodes copied into anchor tables so far (see [`MAX_ANCHOR_NODES`]).
    anchor_nodes: usize,
    /// The current document already has its "too many anchored nodes" error.
    anchor_error_reported: bool,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        Builder {
            text,
            documents: Vec::new(),
            current: None,
            stack: Vec::new(),
            entries: Vec::new(),
            items: Vec::new(),
            anchor_names: HashMap::new(),
            last_end: 0,
            anchor_nodes: 0,
            anchor_error_reported: false,
        }
    }

    /// Byte offset of a marker. granit fills byte offsets for string input; the fallback walks
    /// characters so that a missing offset can never index out of bounds.
    fn offset(&self, marker: &granit_parser::Marker) -> usize {
        match marker.byte_offset() {
            Some(b) => b.min(self.text.len()),
            None => self
                .text
                .char_indices()
                .nth(marker.index())
                .map_or(self.text.len(), |(i, _)| i),
        }
    }

    fn range(&self, span: &Span) -> TextRange {
        let start = self.offset(&span.start);
        let end = self.offset(&span.end).max(start);
        start..end
    }

    fn doc(&mut self) -> &mut Document {
        let start = self.last_end;
        self.current.get_or_insert_with(|| Document {
            kind: DocKind::Unknown,
            reader: "",
            root: None,
            span: start..start,
            errors: Vec::new(),
            duplicate_keys: Vec::new(),
            anchors: Vec::new(),
            sdk: Default::default(),
            derived: None,
            spellings: Vec::new(),
        })
    }

    fn event(&mut self, event: Event<'_>, span: Span) {
        let range = self.range(&span);
        match event {
            Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(..) => {
                self.close_document(range.start);
                self.doc();
            }
            Event::DocumentEnd => {
                let end = range.end;
                self.close_document(end);
            }
            Event::Anchor(id, name) => {
                self.anchor_names.insert(id, name.into_owned());
            }
            Event::Alias(id) => {
                let name = self.anchor_names.get(&id).cloned().unwrap_or_default();
                self.push_node(Node {
                    kind: NodeKind::Alias(name),
                    span: range,
                    tag: None,
                    cut: false,
                });
            }
            Event::UnresolvedAlias(name) => {
                let message = format!("unknown alias `*{name}`: no anchor `&{name}` before it");
                self.doc().errors.push(SyntaxError {
                    message,
                    range: range.clone(),
                });
                self.push_node(Node {
                    kind: NodeKind::Alias(name.into_owned()),
                    span: range,
                    tag: None,
                    cut: false,
                });
            }
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    granit_parser::ScalarStyle::Plain => ScalarStyle::Plain,
                    granit_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    granit_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    granit_parser::ScalarStyle::Literal => ScalarStyle::Literal,
                    _ => ScalarStyle::Folded,
                };
                let node = Node {
                    kind: NodeKind::Scalar(Scalar::unresolved(value, style)),
                    span: range,
                    tag: tag.map(|t| Box::new(t.to_string())),
                    cut: false,
                };
                self.remember_anchor(anchor, &node);
                self.push_node(node);
            }
            Event::SequenceStart(_, anchor, tag) => {
                self.doc();
                self.stack.push(Frame::Seq {
                    start: range.start,
                    tag: tag.map(|t| t.to_string()),
                    anchor,
                    first_item: self.items.len(),
                    end: range.end,
                });
            }
            Event::MappingStart(_, anchor, tag) => {
                self.doc();
                self.stack.push(Frame::Map {
                    start: range.start,
                    tag: tag.map(|t| t.to_string()),
                    anchor,
                    first_entry: self.entries.len(),
                    key: None,
                    index: None,
                    end: range.end,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                // Flow collections end at their closing bracket; block ones at their last child.
                let is_flow_close = self
                    .text
                    .get(range.clone())
                    .is_some_and(|s| s.ends_with([']', '}']));
                self.pop_frame(if is_flow_close { Some(range.end) } else { None });
            }
            // Events added by later parser versions carry no data we use.
            _ => {}
        }
    }

    fn remember_anchor(&mut self, anchor: usize, node: &Node) {
        if anchor == 0 {
            return;
        }
        let Some(name) = self.anchor_names.get(&anchor).cloned() else {
            return;
        };
        let left = MAX_ANCHOR_NODES.saturating_sub(self.anchor_nodes);
        if let Some(count) = count_nodes(node, left) {
            self.anchor_nodes += count;
            self.doc().anchors.push((name, node.clone()));
            return;
        }
        self.anchor_nodes = MAX_ANCHOR_NODES;
        if !self.anchor_error_reported {
            self.anchor_error_reported = true;
            let message = format!(
                "too much anchored content (more than {MAX_ANCHOR_NODES} nodes in anchors, \
                 counting anchors inside anchors): `&{name}` and later anchors are not expanded"
            );
            let range = token_range(self.text, node.span.start);
            self.doc().errors.push(SyntaxError { message, range });
        }
        let placeholder = Node {
            kind: NodeKind::Missing,
            span: node.span.clone(),
            tag: None,
            cut: false,
        };
        self.doc().anchors.push((name, placeholder));
    }

    /// Closes the innermost open collection and hands it to its parent.
    fn pop_frame(&mut self, close_at: Option<usize>) {
        self.pop_frame_cut(close_at, false);
    }

    /// Closes the innermost open collection; `cut` marks one that a syntax error ended.
    fn pop_frame_cut(&mut self, close_at: Option<usize>, cut: bool) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let node = match frame {
            Frame::Map {
                start,
                tag,
                anchor,
                first_entry,
                key,
                end,
                ..
            } => {
                if let Some(key) = key {
                    // The value was cut off by an error: keep the key so that completion and
                    // hover still see it.
                    let at = key.span.end;
                    self.entries.push(Entry {
                        key,
                        value: Node {
                            kind: NodeKind::Missing,
                            span: at..at,
                            tag: None,
                            cut: false,
                        },
                    });
                }
                let first_entry = first_entry.min(self.entries.len());
                let entries: Vec<Entry> = self.entries.drain(first_entry..).collect();
                let last = entries
                    .last()
                    .map_or(end, |e| e.value.span.end.max(e.key.span.end));
                let end = close_at.unwrap_or(last).max(start);
                let node = Node {
                    kind: NodeKind::Map(entries),
                    span: start..end,
                    tag: tag.map(Box::new),
                    cut,
                };
                self.remember_anchor(anchor, &node);
                node
            }
            Frame::Seq {
                start,
                tag,
                anchor,
                first_item,
                end,
            } => {
                let first_item = first_item.min(self.items.len());
                let items: Vec<Node> = self.items.drain(first_item..).collect();
                let last = items.last().map_or(end, |n| n.span.end);
                let end = close_at.unwrap_or(last).max(start);
                let node = Node {
                    kind: NodeKind::Seq(items),
                    span: start..end,
                    tag: tag.map(Box::new),
                    cut,
                };
                self.remember_anchor(anchor, &node);
                node
            }
        };
        self.push_node(node);
    }

    /// Adds a finished node to the innermost open collection, or makes it the document root.
    fn push_node(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map {
                first_entry,
                key,
                index,
                ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let first_entry = (*first_entry).min(self.entries.len());
                    let earlier = &self.entries[first_entry..];
                    let duplicate = k.as_str().and_then(|name| {
                        first_span(earlier, index, name).map(|first| DuplicateKey {
                            key: name.to_string(),
                            first,
                            duplicate: k.span.clone(),
                        })
                    });
                    self.entries.push(Entry {
                        key: k,
                        value: node,
                    });
                    if let Some(d) = duplicate {
                        self.doc().duplicate_keys.push(d);
                    }
                }
            },
            None => {
                let doc = self.doc();
                if doc.root.is_none() {
                    doc.root = Some(node);
                }
            }
        }
    }

    fn error(&mut self, err: &ScanError) {
        let at = self.offset(err.marker());
        let range = token_range(self.text, at);
        let mut message = err.info();
        if message.is_empty() {
            message = "syntax error".to_string();
        } else if message == "recursion limit exceeded" {
            // granit's words for hitting `MAX_DEPTH`; say what the user can act on.
            message = format!(
                "nesting deeper than {MAX_DEPTH} levels; flyte-lsp reads no further (recursion limit exceeded)"
            );
        }
        self.doc().errors.push(SyntaxError { message, range });
        // Keep everything read so far: close the open collections at the error, marked as cut.
        while !self.stack.is_empty() {
            self.pop_frame_cut(None, true);
        }
        // The parser resumes at the next document marker; the broken document ends there.
        let end = next_document_marker(self.text, at);
        self.close_document(end);
    }

    fn close_document(&mut self, end: usize) {
        while !self.stack.is_empty() {
            self.pop_frame(None);
        }
        self.anchor_error_reported = false;
        if let Some(mut doc) = self.current.take() {
            doc.span.end = end.max(doc.span.start);
            self.last_end = doc.span.end;
            self.documents.push(doc);
        }
    }

    fn finish(mut self) -> Stream {
        let end = self.text.len();
        self.close_document(end);
        Stream {
            documents: self.documents,
            surfaces: super::SURFACES,
            language: crate::tree::Language::Yaml,
        }
    }
}

/// The span of the first of `earlier` (one map's entries so far) whose key is `name`, for a
/// new entry with that key; `index` is that map's [`KeyIndex`], built here once the map is
/// past [`SCAN_LIMIT`]. Records the new key (at position `earlier.len()`) when it is new.
fn first_span(earlier: &[Entry], index: &mut Option<KeyIndex>, name: &str) -> Option<TextRange> {
    let scan = |name: &str| {
        earlier
            .iter()
            .find(|e| e.key.as_str() == Some(name))
            .map(|e| e.key.span.clone())
    };
    if index.is_none() && earlier.len() < SCAN_LIMIT {
        return scan(name);
    }
    let index = index.get_or_insert_with(|| {
        let mut built = KeyIndex::default();
        for (i, e) in earlier.iter().enumerate() {
            if let Some(key) = e.key.as_str() {
                built.entry(key_hash(key)).or_insert(i);
            }
        }
        built
    });
    let hash = key_hash(name);
    match index.get(&hash) {
        Some(&i) => match earlier.get(i) {
            Some(e) if e.key.as_str() == Some(name) => Some(e.key.span.clone()),
            // Another key with the same hash holds the slot: only a scan can tell. A new key
            // stays out of the index and is found by this scan later.
            _ => scan(name),
        },
        None => {
            index.insert(hash, earlier.len());
            None
        }
    }
}

/// The hash [`KeyIndex`] is keyed by. Cheap, not collision-resistant: every hit is confirmed
/// against the key itself, so a collision costs a scan, never a wrong answer.
fn key_hash(key: &str) -> u64 {
    crate::text::fast_hash::hash_bytes(key.as_bytes())
}

/// The hasher of [`KeyIndex`]: its keys are already hashes, so it passes them through.
#[derive(Default)]
struct HashIsKey(u64);

impl Hasher for HashIsKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; stay correct for any other input all the same.
        self.0 ^= crate::text::fast_hash::hash_bytes(bytes);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The number of nodes in `node`'s subtree (keys count), or `None` when it is above `limit`.
/// Iterative, and stops counting at the limit, so the anchor budget bounds its cost too.
fn count_nodes(node: &Node, limit: usize) -> Option<usize> {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        if count > limit {
            return None;
        }
        match &n.kind {
            NodeKind::Map(entries) => {
                for e in entries {
                    stack.push(&e.key);
                    stack.push(&e.value);
                }
            }
            NodeKind::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    Some(count)
}

/// Where the document containing `at` ends after a syntax error: the start of the next line
/// that is a `---` or `...` marker (at column 0, alone or followed by a space), else the end.
fn next_document_marker(text: &str, at: usize) -> usize {
    let at = crate::text::floor_char_boundary(text, at);
    let mut line_start = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    while line_start < text.len() {
        let rest = &text[line_start..];
        for marker in ["---", "..."] {
            if let Some(after) = rest.strip_prefix(marker) {
                if after.is_empty() || after.starts_with([' ', '\t', '\n', '\r']) {
                    return line_start;
                }
            }
        }
        line_start = rest.find('\n').map_or(text.len(), |i| line_start + i + 1);
    }
    text.len()
}

/// The range to underline for an error at `at`: the token there, or the character before the
/// end of the line when the error sits at a line end.
fn token_range(text: &str, at: usize) -> TextRange {
    let at = crate::text::floor_char_boundary(text, at);
    let rest = &text[at..];
    if rest.starts_with(['"', '\'']) {
        // An unclosed quote: underline the rest of its line.
        let len = rest.find(['\n', '\r']).unwrap_or(rest.len());
        return at..at + len;
    }
    let len: usize = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(rest.len(), |(i, _)| i);
    if len > 0 {
        return at..at + len;
    }
    match rest.chars().next() {
        Some(c) if c != '\n' && c != '\r' => at..at + c.len_utf8(),
        _ => at..at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice<'a>(text: &'a str, r: &TextRange) -> &'a str {
        &text[r.clone()]
    }

    #[test]
    fn keys_and_values_have_exact_ranges() {
        let text = "spec:\n  image: \"ghcr.io/x:1\"   # c\n  name: main\n";
        let stream = parse(text);
        assert_eq!(stream.documents.len(), 1);
        let root = stream.documents[0].root.as_ref().expect("root");
        let spec = root.get("spec").expect("spec");
        let image = spec.entry("image").expect("image");
        assert_eq!(slice(text, &image.key.span), "image");
        assert_eq!(slice(text, &image.value.span), "\"ghcr.io/x:1\"");
        assert_eq!(image.value.as_str(), Some("ghcr.io/x:1"));
        let name = spec.entry("name").expect("name");
        assert_eq!(slice(text, &name.value.span), "main");
    }

    #[test]
    fn duplicate_keys_are_reported_and_kept() {
        let text = "a: 1\nb: 2\na: 3\n";
        let stream = parse(text);
        let doc = &stream.documents[0];
        assert_eq!(doc.duplicate_keys.len(), 1);
        assert_eq!(slice(text, &doc.duplicate_keys[0].duplicate), "a");
        assert_eq!(doc.duplicate_keys[0].first, 0..1);
        assert_eq!(
            doc.root.as_ref().and_then(|r| r.as_map()).map(<[_]>::len),
            Some(3)
        );
    }

    #[test]
    fn duplicate_keys_in_big_maps_match_a_plain_search() {
        // Past `SCAN_LIMIT` entries the builder finds earlier keys through its hash index.
        let keys: Vec<String> = (0..60).map(|i| format!("k{}", (i * 7) % 23)).collect();
        let mut text = String::new();
        for (i, k) in keys.iter().enumerate() {
            if i % 5 == 0 {
                text.push_str(&format!("\"{k}\": {i}\n"));
            } else {
                text.push_str(&format!("{k}: {i}\n"));
            }
        }
        text.push_str("? [not, a, scalar]\n: x\n? [not, a, scalar]\n: y\n");
        let stream = parse(&text);
        let doc = &stream.documents[0];
        let entries = doc.root.as_ref().and_then(|r| r.as_map()).expect("map");
        let mut expected = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let Some(name) = e.key.as_str() else { continue };
            if let Some(first) = entries[..i].iter().find(|f| f.key.as_str() == Some(name)) {
                expected.push((name.to_string(), first.key.span.clone(), e.key.span.clone()));
            }
        }
        let found: Vec<_> = doc
            .duplicate_keys
            .iter()
            .map(|d| (d.key.clone(), d.first.clone(), d.duplicate.clone()))
            .collect();
        assert_eq!(found.len(), 60 - 23);
        assert_eq!(found, expected);
    }

    #[test]
    fn multi_document_streams_keep_each_document() {
        let text = "a: 1\n---\nb: 2\n---\n- x\n";
        let stream = parse(text);
        assert_eq!(stream.documents.len(), 3);
        assert!(stream.documents[1]
            .root
            .as_ref()
            .and_then(|r| r.get("b"))
            .is_some());
        assert!(stream.documents[2]
            .root
            .as_ref()
            .and_then(|r| r.as_seq())
            .is_some());
    }

    #[test]
    fn a_syntax_error_keeps_what_came_before_and_later_documents() {
        let text = "a: 1\nb: \"open\nc: 3\n---\nd: 4\n";
        let stream = parse(text);
        assert!(!stream.documents.is_empty());
        let first = &stream.documents[0];
        assert_eq!(first.errors.len(), 1, "{:?}", first.errors);
        assert!(first.root.as_ref().and_then(|r| r.get("a")).is_some());
        let last = stream.documents.last().and_then(|d| d.root.as_ref());
        assert!(last.and_then(|r| r.get("d")).is_some(), "{stream:?}");
    }

    #[test]
    fn a_broken_document_ends_at_the_next_marker() {
        let text = "a: \"open\nb: 1\n---\n# flyte-lsp: pod-template\nc: 2\n";
        let stream = parse(text);
        assert_eq!(stream.documents.len(), 2, "{stream:?}");
        let marker = text.find("---").unwrap_or(0);
        assert_eq!(stream.documents[0].span.end, marker);
        assert!(stream.documents[1]
            .text(text)
            .contains("# flyte-lsp: pod-template"));
    }

    #[test]
    fn aliases_are_not_expanded() {
        let text = "a: &x [1, 2]\nb: *x\nc: [*x, *x]\n";
        let stream = parse(text);
        let root = stream.documents[0].root.as_ref().expect("root");
        assert_eq!(
            root.get("b").map(|n| &n.kind),
            Some(&NodeKind::Alias("x".into()))
        );
        assert_eq!(stream.documents[0].anchors.len(), 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let stream = parse(&text);
        assert!(stream.documents.iter().any(|d| !d.errors.is_empty()));
        let text = "- ".repeat(100_000);
        let stream = parse(&text);
        assert!(stream.documents.iter().any(|d| !d.errors.is_empty()));
    }

    #[test]
    fn key_without_value_is_kept_on_error() {
        let text = "spec:\n  containers:\n    - name: a\n      imagePu\n";
        let stream = parse(text);
        let doc = &stream.documents[0];
        assert_eq!(doc.errors.len(), 1);
        assert!(doc.root.as_ref().and_then(|r| r.get("spec")).is_some());
    }
}
