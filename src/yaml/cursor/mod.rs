//! Where the cursor sits in a YAML file: its document, that document's kind, and the path from
//! the document's root to the key or value under the cursor.
//!
//! While the user types, the document rarely parses, so the main reader is the text itself:
//! block YAML's structure is its indentation, and the lines above the cursor say which mapping
//! or list it is in. The tree is used where it is exact (hover on flow collections, names
//! defined elsewhere in the document). Nothing here knows schemas.

mod lines;

use crate::text::{floor_char_boundary, TextRange};
pub use crate::tree::site::{
    node_at, path_string, CompletionSite, DocContext, HoverSite, ListNames, On, Path, Segment,
    Target,
};
use crate::tree::{DocKind, Document, Entry, Node, NodeKind, Scalar, ScalarStyle, Stream};
use crate::yaml::{self, detect};

use lines::{
    ancestors, closing_quote, indent, is_marker, key_or_scalar, line_text, lines_below,
    opener_path, shape, unquote, Opener, OpenerKind,
};
pub use lines::{line_bounds, list_names, region_at};

/// Finds the document that contains `offset` and decides its kind.
///
/// `typing_line` is the start of the line being typed: a half-written key there (no colon yet)
/// is ignored when deciding the kind, since it would make a Flyte document look unfamiliar.
/// An empty document takes the kind of the file's other documents, so that a new `---` section
/// in a Flyte file completes like its neighbours; a modeline still wins. `default` is the kind
/// the settings give the file's documents (`files.kinds`), as in [`detect::detect_with`].
pub fn document_at<'a>(
    source: &str,
    stream: &'a Stream,
    offset: usize,
    typing_line: Option<usize>,
    default: Option<DocKind>,
) -> Option<DocContext<'a>> {
    let region = region_at(source, offset)?;
    let (root, broken) = tree_of(stream, &region);
    let mut entries = tree_keys(source, root, typing_line);
    if broken {
        text_keys(source, &region, &mut entries);
    }
    let empty = entries.is_empty()
        && root.is_none_or(|r| r.as_map().is_some() || on_line(source, r, typing_line));
    let doc = skeleton_doc(&region, entries);
    let mut kind = detect::detect_with(&doc, source, default);
    if kind == DocKind::Unknown
        && empty
        && default.is_none()
        && detect::modeline(&source[region.clone()]).is_none()
    {
        kind = stream
            .documents
            .iter()
            .filter(|d| {
                !d.root
                    .as_ref()
                    .is_some_and(|r| region.contains(&r.span.start))
            })
            .map(|d| detect::detect(d, source))
            .find(|k| *k != DocKind::Unknown)
            .unwrap_or(DocKind::Unknown);
    }
    Some(DocContext {
        region,
        kind,
        root,
        broken,
    })
}

/// The tree of the document in `region`, and whether a syntax error cut it short (or the
/// parser lost it entirely).
pub fn tree_of<'a>(stream: &'a Stream, region: &TextRange) -> (Option<&'a Node>, bool) {
    let doc = stream.documents.iter().find(|d| {
        d.root
            .as_ref()
            .is_some_and(|r| region.contains(&r.span.start))
    });
    let root = doc.and_then(|d| d.root.as_ref());
    (root, doc.is_none_or(|d| !d.errors.is_empty()))
}

/// True when `node` starts on the line that begins at `line`.
fn on_line(source: &str, node: &Node, line: Option<usize>) -> bool {
    line.is_some_and(|l| line_bounds(source, node.span.start).0 == l)
}

/// Decides a document's kind from its text alone: its top-level block keys and its modeline,
/// without a parse. `None` when the text shows neither (an empty document, a flow-style or
/// list document): then the tree and the file's other documents decide ([`document_at`]).
/// `default` is the kind the settings give the file (see [`document_at`]).
pub fn text_kind(source: &str, region: &TextRange, default: Option<DocKind>) -> Option<DocKind> {
    let mut entries = Vec::new();
    text_keys(source, region, &mut entries);
    if entries.is_empty() && detect::modeline(source.get(region.clone())?).is_none() {
        return default;
    }
    Some(detect::detect_with(
        &skeleton_doc(region, entries),
        source,
        default,
    ))
}

/// A document holding only `entries`, spanning `region` (for the modeline): what detection
/// reads, and nothing more.
fn skeleton_doc(region: &TextRange, entries: Vec<Entry>) -> Document {
    Document {
        kind: DocKind::Unknown,
        reader: "",
        root: Some(Node {
            kind: NodeKind::Map(entries),
            span: region.clone(),
            tag: None,
            cut: false,
        }),
        span: region.clone(),
        errors: Vec::new(),
        duplicate_keys: Vec::new(),
        anchors: Vec::new(),
        sdk: Default::default(),
        derived: None,
        spellings: Vec::new(),
    }
}

/// The tree's top-level keys, with scalar values and hollow collections: detection reads only
/// the keys and the values of `apiVersion` and `kind`.
fn tree_keys(source: &str, root: Option<&Node>, typing_line: Option<usize>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for e in root.and_then(Node::as_map).unwrap_or_default() {
        // A half-typed key (no colon yet) would make the document look unfamiliar.
        if e.value.kind == NodeKind::Missing && on_line(source, &e.key, typing_line) {
            continue;
        }
        let value = match &e.value.kind {
            NodeKind::Scalar(_) => e.value.clone(),
            NodeKind::Map(_) => shallow(NodeKind::Map(Vec::new())),
            NodeKind::Seq(_) => shallow(NodeKind::Seq(Vec::new())),
            _ => plain(""),
        };
        entries.push(Entry {
            key: e.key.clone(),
            value,
        });
    }
    entries
}

/// Adds the top-level block keys the text shows (`key:` at column 0) that `entries` lacks.
fn text_keys(source: &str, region: &TextRange, entries: &mut Vec<Entry>) {
    let mut at = region.start;
    // One SIMD search for the breaks of the whole region (see `lines::lines_above`).
    let mut breaks = memchr::memchr_iter(
        b'\n',
        source.as_bytes().get(region.clone()).unwrap_or_default(),
    );
    while at < region.end {
        let end = breaks.next().map_or(region.end, |i| region.start + i);
        let line = source[at..end].trim_end_matches('\r');
        let top_level = line
            .as_bytes()
            .first()
            .is_some_and(|b| !matches!(b, b' ' | b'\t' | b'#' | b'-' | b'.'));
        if top_level {
            if let Some(Opener {
                col: 0,
                kind: OpenerKind::Key { name, value, .. },
            }) = shape(line).into_iter().next()
            {
                if !entries.iter().any(|e| e.key_str() == Some(name.as_ref())) {
                    let value = value.map_or("", |(_, v)| unquote(v));
                    entries.push(Entry {
                        key: plain(&name),
                        value: plain(value),
                    });
                }
            }
        }
        at = end + 1;
    }
}

fn shallow(kind: NodeKind) -> Node {
    Node {
        kind,
        span: 0..0,
        tag: None,
        cut: false,
    }
}

fn plain(s: &str) -> Node {
    shallow(NodeKind::Scalar(Scalar::unresolved(s, ScalarStyle::Plain)))
}

/// Reads the cursor's place for completion from the text. `None` where nothing can be
/// completed: inside a comment, a block scalar, a flow collection, or on a `---` line.
pub fn completion_site(source: &str, region: &TextRange, offset: usize) -> Option<CompletionSite> {
    let offset = floor_char_boundary(source, offset);
    let (line_start, line_end) = line_bounds(source, offset);
    let line = line_text(source, line_start, line_end);
    if is_marker(line) {
        return None;
    }
    // An offset on a CRLF's `\r` or `\n` means the end of the line's text.
    let offset = offset.min(line_start + line.len());
    let prefix = &source[line_start..offset];
    let suffix = &line[prefix.len()..];
    let bytes = prefix.as_bytes();
    let line_indent = bytes.iter().take_while(|&&b| b == b' ').count();

    // Dashes typed on this line.
    let mut items: Vec<Opener<'_>> = Vec::new();
    let mut i = line_indent;
    while bytes.get(i) == Some(&b'-') && matches!(bytes.get(i + 1), Some(b' ' | b'\t')) {
        items.push(Opener {
            col: i,
            kind: OpenerKind::Item,
        });
        i += 1;
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
    }
    let rest = &prefix[i..];
    if rest == "-" || rest.starts_with('#') || rest.contains(" #") || rest.contains("\t#") {
        return None;
    }
    let opener = if rest.is_empty() {
        None
    } else {
        Some(key_or_scalar(prefix, i))
    };
    let word_end = |from: usize| {
        let tail = &source[from..line_start + line.len()];
        from + tail
            .find(|c: char| c.is_whitespace() || c == ':' || c == '"' || c == '\'')
            .unwrap_or(tail.len())
    };
    let floor = region.start;
    match opener.map(|o| o.kind) {
        Some(OpenerKind::Key { name, .. }) => {
            // `key: value`: the value is being typed.
            let colon = prefix[i..].find(':').map_or(prefix.len(), |c| i + c);
            let mut v = colon + 1;
            while matches!(bytes.get(v), Some(b' ' | b'\t')) {
                v += 1;
            }
            let typed = &prefix[v.min(prefix.len())..];
            if typed.starts_with(['|', '>', '{', '[', '&', '*', '!']) {
                return None;
            }
            let quoted = typed.starts_with(['"', '\'']);
            if (quoted && typed.len() > 1 && closing_quote(typed, 0).is_some())
                || (!quoted && typed.contains(' '))
            {
                return None;
            }
            let start = line_start + v + usize::from(quoted);
            let start = start.min(offset);
            let mut openers = items.clone();
            openers.push(Opener {
                col: i,
                kind: OpenerKind::Key {
                    name: name.clone(),
                    name_end: i + name.len(),
                    value: None,
                },
            });
            let path = opener_path(source, floor, line_start, &openers, openers.len() - 1)?;
            Some(CompletionSite {
                path,
                target: Target::Value,
                replace: start..word_end(offset),
                column: v,
                line_indent,
                present: Vec::new(),
                colon_follows: false,
                needs_space: v == prefix.len() && v == colon + 1 && !suffix.starts_with(' '),
                quoted,
            })
        }
        Some(OpenerKind::Scalar { .. }) | None => {
            if rest.contains([' ', '\t', '"', '\'', '{', '[', ':']) {
                return None;
            }
            let end = word_end(offset);
            let after = source[end..line_start + line.len()].trim_start();
            let colon_follows = after.starts_with(':');
            let mut present = Vec::new();
            let path = if items.is_empty() {
                ancestors(
                    source,
                    floor,
                    line_start,
                    i,
                    false,
                    Some(&mut present),
                    true,
                )?
            } else {
                opener_path(source, floor, line_start, &items, items.len() - 1)?
            };
            // Keys of the same mapping further down.
            for (_, l) in lines_below(source, line_end) {
                if is_marker(l) {
                    break;
                }
                if indent(l) > i {
                    continue;
                }
                let Some(o) = shape(l).into_iter().next() else {
                    continue;
                };
                if o.col < i || (o.col == i && o.kind == OpenerKind::Item && !items.is_empty()) {
                    break;
                }
                if let (true, OpenerKind::Key { name, .. }) = (o.col == i, o.kind) {
                    present.push(name.into_owned());
                }
            }
            Some(CompletionSite {
                path,
                target: Target::Key,
                replace: line_start + i..end,
                column: i,
                line_indent,
                present,
                colon_follows,
                needs_space: false,
                quoted: false,
            })
        }
        Some(OpenerKind::Item) => None,
    }
}

/// Finds the key or scalar value under the cursor: from the tree when it covers the cursor,
/// else from the text.
pub fn hover_site(source: &str, doc: &DocContext<'_>, offset: usize) -> Option<HoverSite> {
    if let Some(site) = doc.root.and_then(|r| tree_site(r, offset)) {
        return Some(site);
    }
    text_site(source, &doc.region, offset)
}

fn contains(r: &TextRange, offset: usize) -> bool {
    r.start <= offset && offset <= r.end && r.start < r.end
}

fn tree_site(root: &Node, offset: usize) -> Option<HoverSite> {
    let mut node = root;
    let mut path = Vec::new();
    loop {
        match &node.kind {
            NodeKind::Map(entries) => {
                let mut next = None;
                for e in entries {
                    if contains(&e.key.span, offset) {
                        path.push(Segment::Key(e.key_str()?.to_string()));
                        return Some(HoverSite {
                            path,
                            on: On::Key,
                            range: e.key.span.clone(),
                        });
                    }
                    if contains(&e.value.span, offset) {
                        path.push(Segment::Key(e.key_str()?.to_string()));
                        next = Some(&e.value);
                        break;
                    }
                }
                node = next?;
            }
            NodeKind::Seq(items) => {
                let (i, item) = items
                    .iter()
                    .enumerate()
                    .find(|(_, n)| contains(&n.span, offset))?;
                path.push(Segment::Item(i));
                node = item;
            }
            NodeKind::Scalar(s) => {
                return Some(HoverSite {
                    path,
                    on: On::Value(s.value.to_string()),
                    range: node.span.clone(),
                })
            }
            NodeKind::Alias(_) | NodeKind::Missing | NodeKind::Opaque => return None,
        }
    }
}

fn text_site(source: &str, region: &TextRange, offset: usize) -> Option<HoverSite> {
    let offset = floor_char_boundary(source, offset);
    let (line_start, line_end) = line_bounds(source, offset);
    let line = line_text(source, line_start, line_end);
    if is_marker(line) {
        return None;
    }
    let col = (offset - line_start).min(line.len());
    let openers = shape(line);
    let j = openers.len().checked_sub(1)?;
    let last = &openers[j];
    match &last.kind {
        OpenerKind::Key {
            name,
            name_end,
            value,
        } => {
            let path = opener_path(source, region.start, line_start, &openers, j)?;
            if (last.col..=*name_end).contains(&col) {
                return Some(HoverSite {
                    path,
                    on: On::Key,
                    range: line_start + last.col..line_start + name_end,
                });
            }
            let &(vcol, text) = value.as_ref()?;
            if (vcol..=vcol + text.len()).contains(&col) {
                let _ = name;
                return Some(HoverSite {
                    path,
                    on: On::Value(unquote(text).to_string()),
                    range: line_start + vcol..line_start + vcol + text.len(),
                });
            }
            None
        }
        OpenerKind::Scalar { end } if (last.col..=*end).contains(&col) && j > 0 => {
            let path = opener_path(source, region.start, line_start, &openers, j - 1)?;
            let text = &line[last.col..*end];
            Some(HoverSite {
                path,
                on: On::Value(unquote(text).to_string()),
                range: line_start + last.col..line_start + end,
            })
        }
        _ => None,
    }
}

/// This document's tree with the line being typed (and the first syntax error's line, if any)
/// blanked out and parsed again, so names defined after a half-typed line are still found.
/// Offsets in the result are relative to `region.start`. Only called for broken documents.
pub fn repaired_root(source: &str, region: &TextRange, typing_line: Option<usize>) -> Option<Node> {
    let mut text = source.get(region.clone())?.to_string();
    let blank = |text: &mut String, at: usize| {
        let (s, e) = line_bounds(text, at);
        text.replace_range(s..e, "");
    };
    if let Some(line) = typing_line.filter(|l| *l >= region.start) {
        blank(&mut text, line - region.start);
    }
    let mut stream = yaml::parse(&text);
    // Two more rounds: each blanks the line of the error that stopped the parser.
    for _ in 0..2 {
        let Some(err) = stream
            .documents
            .first()
            .and_then(|d| d.errors.first())
            .map(|e| e.range.start)
        else {
            break;
        };
        blank(&mut text, err);
        stream = yaml::parse(&text);
    }
    stream.documents.into_iter().find_map(|d| d.root)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `$0` out of a fixture: (text, offset).
    fn cursor(fixture: &str) -> (String, usize) {
        let at = fixture.find("$0").expect("fixture has $0");
        (fixture.replace("$0", ""), at)
    }

    fn site(fixture: &str) -> Option<CompletionSite> {
        let (text, at) = cursor(fixture);
        let region = region_at(&text, at)?;
        completion_site(&text, &region, at)
    }

    fn path_of(fixture: &str) -> String {
        site(fixture).map_or("<none>".into(), |s| path_string(&s.path))
    }

    #[test]
    fn key_positions_at_every_depth() {
        let doc = "pod_spec:\n  containers:\n    - name: a\n      $0\n";
        assert_eq!(path_of(doc), "pod_spec.containers[0]");
        let s = site(doc).expect("site");
        assert_eq!(s.target, Target::Key);
        assert_eq!(s.present, vec!["name"]);
        assert_eq!(s.column, 6);

        assert_eq!(path_of("a: 1\n$0"), "");
        assert_eq!(path_of("spec:\n  $0\n"), "spec");
        assert_eq!(
            path_of(
                "spec:\n  containers:\n    - name: a\n    - name: b\n      image: x\n      $0\n"
            ),
            "spec.containers[1]"
        );
        assert_eq!(
            path_of("spec:\n  containers:\n  - name: a\n    $0\n  volumes: []\n"),
            "spec.containers[0]"
        );
    }

    #[test]
    fn present_keys_above_and_below() {
        let s = site("pod_spec:\n  containers:\n    - name: a\n      $0\n      image: b\n      env:\n        - name: X\n    - name: c\n").expect("site");
        assert_eq!(s.present, vec!["name", "image", "env"]);
    }

    #[test]
    fn half_typed_key_and_dash() {
        let s = site("spec:\n  containers:\n    - name: a\n      imagePu$0\n").expect("site");
        assert_eq!(path_string(&s.path), "spec.containers[0]");
        assert_eq!(s.target, Target::Key);
        let (text, _) = cursor("spec:\n  containers:\n    - name: a\n      imagePu$0\n");
        assert_eq!(&text[s.replace.clone()], "imagePu");

        let s = site("spec:\n  containers:\n    - name: a\n    - $0\n").expect("site");
        assert_eq!(path_string(&s.path), "spec.containers[1]");
        assert!(s.present.is_empty());
        assert_eq!((s.column, s.line_indent), (6, 4));
    }

    #[test]
    fn value_positions() {
        let s =
            site("spec:\n  containers:\n    - name: a\n      imagePullPolicy: $0\n").expect("site");
        assert_eq!(s.target, Target::Value);
        assert_eq!(path_string(&s.path), "spec.containers[0].imagePullPolicy");
        let s = site("spec:\n  containers:\n    - name: a\n      imagePullPolicy: If$0\n")
            .expect("site");
        assert_eq!(s.replace.end - s.replace.start, 2);
        let s = site("spec:\n  containers:\n    - imagePullPolicy:$0\n").expect("site");
        assert!(s.needs_space);
        assert_eq!(path_string(&s.path), "spec.containers[0].imagePullPolicy");
    }

    #[test]
    fn no_site_in_comments_scalars_and_flow() {
        assert!(site("a: 1 # $0\n").is_none());
        assert!(site("a: |\n  text\n  $0\n").is_none());
        assert!(site("a: {b: $0}\n").is_none());
        assert!(site("---$0\n").is_none());
    }

    #[test]
    fn deeper_cursor_snaps_to_the_key_above() {
        assert_eq!(
            path_of("spec:\n  containers:\n    - name: a\n            $0\n"),
            "spec.containers[0]"
        );
    }

    #[test]
    fn nested_dashes_count_items() {
        assert_eq!(path_of("a:\n- - x\n  - y\n  - $0\n"), "a[0][2]");
    }

    #[test]
    fn regions_split_documents() {
        let text = "# flyte-lsp: pod-template\n---\na: 1\n---\nb: 2\n";
        assert_eq!(region_at(text, text.find("a:").expect("a")), Some(0..35));
        let b = text.find("b:").expect("b");
        assert_eq!(region_at(text, b), Some(39..text.len()));
        assert_eq!(region_at(text, 27), None);
    }

    #[test]
    fn hover_sites_from_tree_and_text() {
        let text = "spec:\n  containers:\n    - name: a\n      imagePullPolicy: Always\n";
        let stream = yaml::parse(text);
        let at = text.find("PullPolicy").expect("key");
        let doc = document_at(text, &stream, at, None, None).expect("doc");
        let s = hover_site(text, &doc, at).expect("site");
        assert_eq!(path_string(&s.path), "spec.containers[0].imagePullPolicy");
        assert_eq!(s.on, On::Key);
        let at = text.find("Always").expect("value");
        let s = hover_site(text, &doc, at).expect("site");
        assert_eq!(s.on, On::Value("Always".into()));

        // After a syntax error the text answers.
        let text =
            "spec:\n  x: \"open\n  containers:\n    - name: a\n      imagePullPolicy: Always\n";
        let region = region_at(text, 0).expect("region");
        let at = text.find("PullPolicy").expect("key");
        let s = text_site(text, &region, at).expect("site");
        assert_eq!(path_string(&s.path), "spec.containers[0].imagePullPolicy");
    }

    #[test]
    fn kind_of_broken_and_empty_documents() {
        let text = "name: x\nimage: \"unclosed\npod_template:\n  pod_spec:\n    containers: []\n";
        let stream = yaml::parse(text);
        let doc = document_at(text, &stream, text.len(), None, None).expect("doc");
        assert_eq!(doc.kind, DocKind::TaskEnvironment);
        assert!(doc.broken);

        let text = "primary_container_name: a\npod_spec: {}\n---\n";
        let stream = yaml::parse(text);
        let doc = document_at(text, &stream, text.len(), None, None).expect("doc");
        assert_eq!(doc.kind, DocKind::FlytePodTemplate);

        let text = "name: ci\non: push\n---\n";
        let stream = yaml::parse(text);
        let doc = document_at(text, &stream, text.len(), None, None).expect("doc");
        assert_eq!(doc.kind, DocKind::Unknown);
    }

    #[test]
    fn repaired_tree_sees_past_the_typed_line() {
        let text = "pod_spec:\n  containers:\n    - name: a\n      imagePu\n    - name: b\n";
        let at = text.find("imagePu").expect("typed");
        let region = region_at(text, at).expect("region");
        let root = repaired_root(text, &region, Some(line_bounds(text, at).0)).expect("root");
        let names: Vec<_> = node_at(
            &root,
            &[
                Segment::Key("pod_spec".into()),
                Segment::Key("containers".into()),
            ],
            false,
        )
        .and_then(Node::as_seq)
        .map(|s| s.iter().filter_map(|c| c.get("name")?.as_str()).collect())
        .unwrap_or_default();
        assert_eq!(names, vec!["a", "b"]);
    }
}
