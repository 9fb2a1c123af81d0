//! The spanned YAML tree: mappings, sequences and scalars with exact byte ranges.
//!
//! Built in one iterative pass over granit-parser's event stream. Parsing never fails: it
//! returns every document with whatever was read before a syntax error, plus the errors.
//! Aliases are kept as references and never expanded here; nesting depth is bounded by the
//! parser's collection limit, and the builder itself uses an explicit stack (no recursion).

mod build;
pub mod emit;
pub mod scalar;
pub mod value;

pub use build::{parse, MAX_ANCHOR_NODES, MAX_DEPTH};
pub use scalar::{Dialect, Reading, ScalarStyle};

use crate::text::TextRange;

/// A parsed YAML stream: one entry per document (`---`).
#[derive(Debug, Clone, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
}

/// One YAML document with its problems.
#[derive(Debug, Clone)]
pub struct Document {
    /// The document's content; `None` for an empty document or one broken before any node.
    pub root: Option<Node>,
    /// Bytes from this document's first character to its end (including its `---`).
    pub span: TextRange,
    /// Syntax errors (usually one per document: the event parser stops there; the anchor
    /// budget may add one).
    pub errors: Vec<SyntaxError>,
    /// Keys that appear more than once in the same mapping.
    pub duplicate_keys: Vec<DuplicateKey>,
    /// Anchors defined in this document, by name, in definition order.
    pub anchors: Vec<(String, Node)>,
}

/// A syntax error with the range the user must look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub range: TextRange,
}

/// A key repeated within one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    pub first: TextRange,
    pub duplicate: TextRange,
}

/// A YAML node with its byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: TextRange,
    /// An explicit tag as written (`!!str`, `!custom`), if any.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Map(Vec<Entry>),
    Seq(Vec<Node>),
    Scalar(Scalar),
    /// `*name`: a reference to an anchored node, left unexpanded.
    Alias(String),
    /// A key whose value was cut off by a syntax error.
    Missing,
}

/// A `key: value` pair of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

impl Entry {
    /// The key's text when it is a scalar (nearly always).
    pub fn key_str(&self) -> Option<&str> {
        self.key.as_str()
    }
}

/// A scalar's text after escape processing, and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    pub value: String,
    pub style: ScalarStyle,
}

impl Node {
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's text, whatever its YAML reading.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.value.as_str())
    }

    /// The first entry with this key. Duplicates are reported separately (FLY002).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key_str() == Some(key))
    }

    /// How Kubernetes (Go YAML, YAML 1.1) reads this node when it is a scalar.
    pub fn reading(&self) -> Option<Reading> {
        self.reading_in(Dialect::Go)
    }

    /// How a YAML 1.1 reader of `dialect` reads this node when it is a scalar.
    pub fn reading_in(&self, dialect: Dialect) -> Option<Reading> {
        let s = self.as_scalar()?;
        Some(scalar::read_in(
            &s.value,
            s.style,
            self.tag.as_deref(),
            dialect,
        ))
    }

    /// True for `null`, `~` and an empty plain value.
    pub fn is_null(&self) -> bool {
        matches!(self.reading(), Some(Reading::Null))
    }

    /// A short name of the node's shape, for messages.
    pub fn shape_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Map(_) => "a mapping",
            NodeKind::Seq(_) => "a list",
            NodeKind::Alias(_) => "an alias",
            NodeKind::Missing => "nothing",
            NodeKind::Scalar(_) => match self.reading() {
                Some(Reading::Null) => "null",
                Some(Reading::Bool(_)) => "a boolean",
                Some(Reading::Int(_)) => "an integer",
                Some(Reading::Float(_)) => "a number",
                _ => "a string",
            },
        }
    }
}

impl Document {
    /// The document's text, for modeline lookup.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.span.clone()).unwrap_or("")
    }
}
