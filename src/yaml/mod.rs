//! The YAML front end: reads YAML into the neutral tree ([`crate::tree`]) the way each
//! document's consumer reads it.
//!
//! One pass over granit-parser's event stream builds the spanned tree; then each document's
//! kind is detected (by content, or a `# flyte-lsp:` modeline) and every scalar is resolved
//! once, by that kind's reader: go-yaml v2 (through sigs.k8s.io/yaml) for Kubernetes objects,
//! PyYAML for Flyte documents. Parsing never fails: it returns every document with whatever
//! was read before a syntax error, plus the errors. Aliases are kept as references and never
//! expanded here; nesting depth is bounded by the parser's collection limit, and the builder
//! itself uses an explicit stack (no recursion).

mod build;
pub mod cursor;
pub mod detect;
pub mod emit;
mod escapes;
mod fast;
mod incremental;
mod patch;
mod resolve;
pub mod scalar;
mod write;

pub use build::{MAX_ANCHOR_NODES, MAX_DEPTH};
pub use incremental::reparse;
pub use scalar::Dialect;
pub use write::{YamlSites, YamlWriter};

use crate::tree::{DocKind, Stream, Surface};

/// Every YAML surface some rule is about: this front end has them all.
pub const SURFACES: &[Surface] = &[
    Surface::YamlSyntax,
    Surface::YamlDuplicateKeys,
    Surface::Yaml11,
    Surface::YamlSpelling,
];

/// Parses a whole YAML file into the neutral tree: documents with their kinds, scalars with
/// their readings. Never fails and never panics; problems are data.
pub fn parse(text: &str) -> Stream {
    parse_with(text, None)
}

/// Like [`parse`], for a file whose settings give its documents a kind (`files.kinds`; a
/// document's modeline still wins, see [`detect::detect_with`]).
pub fn parse_with(text: &str, default: Option<DocKind>) -> Stream {
    let (mut stream, patched) = escapes::parse(text);
    for doc in &mut stream.documents {
        doc.kind = detect::detect_with(doc, text, default);
        let dialect = Dialect::of(doc.kind);
        doc.reader = dialect.reader();
        escapes::check(doc, text, dialect, &patched);
        resolve::resolve(doc, dialect);
    }
    stream
}
