//! Cursor sites: where the cursor is, in the tree's terms, as a front end reports it.
//!
//! Completion and hover ask the document's front end for the path from the root, whether the
//! cursor is on a key or a value, the range to replace and the keys already present; the rest
//! (schema lookups, what to offer) is shared by every source language.

use super::{DocKind, Node};
use crate::text::TextRange;

/// One step of a path from a document's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// The value of a mapping key.
    Key(String),
    /// The n-th item of a list.
    Item(usize),
}

/// A path from a document's root, e.g. `pod_spec.containers[0].image`.
pub type Path = Vec<Segment>;

/// Renders a path for messages and tests: `pod_spec.containers[0].image`.
pub fn path_string(path: &[Segment]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Item(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The document around the cursor.
#[derive(Debug, Clone)]
pub struct DocContext<'a> {
    /// The document's text (between `---` markers).
    pub region: TextRange,
    pub kind: DocKind,
    /// This document's tree, possibly cut short by a syntax error.
    pub root: Option<&'a Node>,
    /// The tree stops early: it had a syntax error (or the parser lost the document).
    pub broken: bool,
}

/// What the cursor is writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A node starts here: a key of the mapping at `path`, or, when the schema at `path` is
    /// not a mapping, its value (`imagePullPolicy:` then a new line) or a list item.
    Key,
    /// The value after `key: ` on the same line; `path` ends with that key.
    Value,
}

/// The cursor's place for completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionSite {
    pub path: Path,
    pub target: Target,
    /// The text an accepted item replaces: the half-typed word around the cursor.
    pub replace: TextRange,
    /// Column (bytes) where the key or value starts.
    pub column: usize,
    /// Width of the cursor line's leading whitespace; editors indent inserted lines from it.
    pub line_indent: usize,
    /// Keys already in the mapping (for [`Target::Key`]), as written.
    pub present: Vec<String>,
    /// The word being replaced is already followed by `:`; insert only the key's name.
    pub colon_follows: bool,
    /// The cursor is right after `key:`; a value needs a space before it.
    pub needs_space: bool,
    /// The value being typed opened a quote; items insert bare text.
    pub quoted: bool,
}

/// What the cursor is on, for hover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum On {
    /// A key; the site's path ends with it.
    Key,
    /// A scalar value (as written, unquoted); the path is the value's.
    Value(String),
    /// A name standing for a value written elsewhere (`pod_template=template` in Python); the
    /// path is the value's.
    Name(String),
}

/// The cursor's place for hover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverSite {
    pub path: Path,
    pub on: On,
    /// The key's or value's text range.
    pub range: TextRange,
}

/// What [`Sites::list_names`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListNames {
    /// The list is written in block style; the `name` of each item that has one.
    Names(Vec<String>),
    /// The list's key has an inline value (a flow list): only the tree can read it.
    Flow,
    /// No list at that path in the text.
    Missing,
}

/// The node at `path` in `root`. In Flyte documents a camelCase step also matches the
/// snake_case key the Python client accepts.
pub fn node_at<'a>(root: &'a Node, path: &[Segment], flyte: bool) -> Option<&'a Node> {
    let mut node = root;
    for seg in path {
        node = match seg {
            Segment::Key(k) => match node.get(k) {
                Some(n) => n,
                None if flyte => node
                    .as_map()?
                    .iter()
                    .find(|e| {
                        e.key_str()
                            .is_some_and(|key| crate::text::similar::is_snake_of(key, k))
                    })
                    .map(|e| &e.value)?,
                None => return None,
            },
            Segment::Item(i) => node.as_seq()?.get(*i)?,
        };
    }
    Some(node)
}

/// What a front end answers about cursor positions in its source.
pub trait Sites {
    /// The source text.
    fn source(&self) -> &str;
    /// Whether keys and list items are written as indented blocks (YAML). Where they are not
    /// (Python calls and dicts), completion offers no new-item snippets.
    fn writes_blocks(&self) -> bool {
        true
    }
    /// A schema key written as a keyword argument, as `(label, insert text)`: Python's
    /// `("image_pull_policy", "image_pull_policy=")`, only the name when `=` already follows.
    /// `None` where keys are written `key: value`.
    fn keyword_item(&self, _key: &str, _follows: bool) -> Option<(String, String)> {
        None
    }
    /// A free-form map's key (`cpu` in `limits`) as inserted: `None` for `key: ` (or the bare
    /// key when `follows`, the separator already written). `quoted`: the user opened a quote.
    fn map_key_insert(&self, _key: &str, _quoted: bool, _follows: bool) -> Option<String> {
        None
    }
    /// The source's spellings of true and false.
    fn boolean_literals(&self) -> [&'static str; 2] {
        ["true", "false"]
    }
    /// The parsed file (parsed on first use where the front end parses lazily).
    fn stream(&self) -> &super::Stream;
    /// `value` written as a string literal of the source language, quoted only where the
    /// reader would otherwise read something else.
    fn string_literal(&self, value: &str) -> String;
    /// The start and end of the line around `offset`.
    fn line_bounds(&self, offset: usize) -> (usize, usize);
    /// The text range of the document around `offset`.
    fn region_at(&self, offset: usize) -> Option<TextRange>;
    /// The document's kind from its text alone, when the text shows it.
    fn text_kind(&self, region: &TextRange) -> Option<DocKind>;
    /// The document around `offset`, with its kind; `typing_line` is the start of the line
    /// being typed (a half-written key there does not count for the kind).
    fn document_at(&self, offset: usize, typing_line: Option<usize>) -> Option<DocContext<'_>>;
    /// The cursor's place for completion.
    fn completion_site(&self, region: &TextRange, offset: usize) -> Option<CompletionSite>;
    /// The cursor's place for hover.
    fn hover_site(&self, doc: &DocContext<'_>, offset: usize) -> Option<HoverSite>;
    /// The tree of the document in `region`, and whether a syntax error cut it short.
    fn tree_of(&self, region: &TextRange) -> (Option<&Node>, bool);
    /// The document's tree rebuilt around the line being typed, for broken documents
    /// (offsets relative to `region.start`).
    fn repaired_root(&self, region: &TextRange, typing_line: Option<usize>) -> Option<Node>;
    /// The `name`s of the list at `path`, read from the source.
    fn list_names(&self, region: &TextRange, path: &[Segment]) -> ListNames;
    /// Whether a completion request triggered by `trigger` at `offset` is one to answer.
    fn answers_trigger(&self, offset: usize, trigger: &str) -> bool;
}
