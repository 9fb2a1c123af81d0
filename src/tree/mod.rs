//! The language-neutral tree every front end produces and every rule reads.
//!
//! Maps, sequences and scalars with byte ranges into the source. A front end (YAML in
//! [`crate::yaml`], Python later) decides once what each scalar means (its [`Reading`]), so no
//! rule re-reads text with a default dialect; values only run time knows are [`NodeKind::Opaque`]
//! and every rule treats them as "no opinion". Nothing here knows which language the tree came
//! from, and nothing here reads source text.

pub mod edit;
pub mod json;
pub mod site;

use compact_str::CompactString;

use crate::text::TextRange;

/// A parsed file: one entry per document (a YAML `---` document, or one recognised construct).
#[derive(Debug, Clone, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
    /// The language surfaces this front end has; rules about one surface run only where it is
    /// listed (see [`Surface`]). Empty by default, so surface rules stay silent.
    pub surfaces: &'static [Surface],
    /// The source language, so the engine hands edits and cursor questions to the front end
    /// that wrote the tree. Rules never look at it.
    pub language: Language,
}

/// A source language the engine has a front end for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    Yaml,
    Python,
}

/// A part of one source language that a few rules are about: YAML's syntax, its duplicate
/// keys, its YAML 1.1 readings, its key spelling. A front end lists the surfaces it has in
/// [`Stream::surfaces`]; every other rule is about the pod and runs for every front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Surface {
    /// Syntax errors of a YAML document (the parser stops there).
    YamlSyntax,
    /// A key repeated in one YAML mapping.
    YamlDuplicateKeys,
    /// YAML 1.1 readings: unquoted `yes`, `on` and `8080` are not strings.
    Yaml11,
    /// Key spelling in YAML, where only Kubernetes' camelCase names are read (the Python
    /// client's snake_case attribute names are not).
    YamlSpelling,
}

impl Surface {
    /// What the surface is, for docs: "YAML 1.1 readings".
    pub fn describe(self) -> &'static str {
        match self {
            Surface::YamlSyntax => "YAML syntax",
            Surface::YamlDuplicateKeys => "YAML duplicate keys",
            Surface::Yaml11 => "YAML 1.1 readings",
            Surface::YamlSpelling => "YAML key spelling",
        }
    }
}

/// The [`Document::reader`] of what the Python front end reads (flyte 2 and kubernetes calls).
pub const PYTHON_READER: &str = "Python";

/// The [`Document::reader`] of a Flyte pod template that flytekit (Flyte 1) serializes (such a
/// document's [`Document::sdk`] is [`Sdk::Flytekit`], which the rules ask).
pub const FLYTEKIT_READER: &str = "flytekit";

/// The [`Document::reader`] of flytekitplugins-pod's `Pod(pod_spec=...)` task config: a flytekit
/// template whose task is a `sidecar` task, which the backend ends when its primary container
/// ends (flyteplugins `plugins/k8s/pod/plugin.go` sets the primary-container annotation for
/// every sidecar task).
pub const FLYTEKIT_SIDECAR_READER: &str = "flytekit (sidecar task)";

/// The [`Document::reader`] of a pod template given to a Spark or Databricks plugin config
/// (`driver_pod=`, `executor_pod=`): the SDK serializes it as written, without the primary
/// container's command, args or image, and the backend merges it onto the task's pod.
pub const PLUGIN_POD_READER: &str = "Python (plugin pod template)";

/// One document with its problems and its kind.
#[derive(Debug, Clone)]
pub struct Document {
    /// What the front end recognised this document as.
    pub kind: DocKind,
    /// Who reads this document's values, for messages ("PyYAML", "Kubernetes (go-yaml)").
    pub reader: &'static str,
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
    /// Which Flyte SDK builds a pod from it (their semantics differ).
    pub sdk: Sdk,
    /// Set when the SDK derives this document from another one (a task whose decorator gives
    /// its own pod template, a call-time override, a cloned environment): its tree is the
    /// result, and this says which call made it and what that call passed.
    pub derived: Option<Derivation>,
    /// Keys written in a spelling that only newer versions of the document's reader accept
    /// (the kubernetes Python client takes the API's camelCase names as keywords from 37 on).
    pub spellings: Vec<KeySpelling>,
}

/// A key whose spelling some versions of the reader refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpelling {
    pub range: TextRange,
    /// As written: `imagePullPolicy`.
    pub written: String,
    /// What every version accepts: `image_pull_policy`.
    pub portable: String,
    /// The reader's first major version that accepts `written`.
    pub since: u32,
}

/// The Flyte SDK that reads a document. Flyte 2 (`flyte`) is the default, and the only one YAML
/// files have; Flyte 1 (`flytekit`) builds the same pod template differently (it appends a
/// missing primary container instead of refusing, replaces the container's resources instead
/// of merging them: facts/flyte-semantics.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sdk {
    #[default]
    Flyte,
    Flytekit,
}

/// How the SDK derives a document from another, and what the deriving call passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivation {
    pub via: Via,
    /// The deriving call, as written.
    pub span: TextRange,
    /// Every argument the call passes, by the parameter it fills, with its range; the tree
    /// holds only those that shape the pod.
    pub arguments: Vec<(String, TextRange)>,
    /// Set when the call changes nothing the tree holds (a bare `@env.task`): the document is
    /// then its source's, which starts here (a [`Document::span`] start), and holds no tree of
    /// its own; only the rules about the call itself read it, and a preview of it is its
    /// source's.
    pub copy_of: Option<usize>,
}

/// The SDK call that derives a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A task decorator of an environment (`@env.task(pod_template=...)`) on `function`.
    Task { function: String },
    /// A call-time override of a task (`function.override(...)`).
    Override { function: String },
    /// A copy of an environment with some arguments replaced (`env.clone_with(...)`).
    Clone,
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

/// A node with its byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: TextRange,
    /// An explicit tag as written (`!!str`, `!custom`), if any. Only the YAML front end writes
    /// one; the reading of a tagged scalar already accounts for it. Boxed twice over so that
    /// the field is one pointer wide: nearly no node has a tag, and every node pays for the
    /// field ([`Node::tag`] reads it).
    pub tag: Option<Box<String>>,
    /// A collection that a syntax error cut off: what follows the error is not in it, so a
    /// field or item it lacks may simply not have been read yet.
    pub cut: bool,
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
    /// A value only run time knows (a call, an f-string, a name from another module). Rules
    /// have no opinion about it: it satisfies "is present" and fails no check.
    Opaque,
}

/// A `key: value` pair of a mapping. The key node's text is the name the schema uses; a front
/// end whose spelling differs (`image_pull_policy=` for `imagePullPolicy`) keeps the key's range
/// on what the user wrote.
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

/// A scalar: its text after escape processing, how it was written, and what it means to the
/// document's reader (decided once, by the front end).
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// Inline up to 24 bytes (nearly every key and value of a pod template), so building a
    /// tree allocates once per collection, not once per scalar.
    pub value: CompactString,
    pub style: ScalarStyle,
    /// [`Scalar::reading`], stored in 16 bytes rather than `Reading`'s 32.
    reading: Stored,
}

impl Scalar {
    /// A scalar the front end has not resolved yet (it reads as a string until then).
    pub fn unresolved(value: impl Into<CompactString>, style: ScalarStyle) -> Self {
        Scalar::read_as(value, style, Reading::Str)
    }

    /// A scalar with its reading already decided.
    pub fn read_as(value: impl Into<CompactString>, style: ScalarStyle, reading: Reading) -> Self {
        Scalar {
            value: value.into(),
            style,
            reading: Stored::from(reading),
        }
    }

    /// What the scalar means to the document's reader.
    pub fn reading(&self) -> Reading {
        match &self.reading {
            Stored::Null => Reading::Null,
            Stored::Bool(b) => Reading::Bool(*b),
            Stored::Int(i) => Reading::Int(i128::from(*i)),
            Stored::Wide(i) => Reading::Int(**i),
            Stored::Float(f) => Reading::Float(*f),
            Stored::Str => Reading::Str,
        }
    }

    pub fn set_reading(&mut self, reading: Reading) {
        self.reading = Stored::from(reading);
    }
}

/// A [`Reading`] as a scalar keeps it. `i128` is 16-byte aligned, which would make every node
/// 112 bytes instead of 80; integers outside `i64` (only Python and PyYAML read them, and no
/// field takes them) are boxed.
#[derive(Debug, Clone, PartialEq)]
enum Stored {
    Null,
    Bool(bool),
    Int(i64),
    Wide(Box<i128>),
    Float(f64),
    Str,
}

impl From<Reading> for Stored {
    fn from(reading: Reading) -> Stored {
        match reading {
            Reading::Null => Stored::Null,
            Reading::Bool(b) => Stored::Bool(b),
            Reading::Int(i) => match i64::try_from(i) {
                Ok(small) => Stored::Int(small),
                Err(_) => Stored::Wide(Box::new(i)),
            },
            Reading::Float(f) => Stored::Float(f),
            Reading::Str => Stored::Str,
        }
    }
}

/// How a scalar was written in the source: bare (a YAML plain scalar, a Python number or
/// `True`), or quoted in one of the ways the language has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl ScalarStyle {
    pub fn is_quoted(self) -> bool {
        !matches!(self, ScalarStyle::Plain)
    }
}

/// What a scalar means to the document's reader.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str,
}

impl Reading {
    /// Describes the reading for a message: "the boolean true", "the integer 420".
    pub fn describe(&self) -> String {
        match self {
            Reading::Null => "null".to_string(),
            Reading::Bool(b) => format!("the boolean {b}"),
            Reading::Int(i) => format!("the integer {i}"),
            Reading::Float(f) => format!("the number {f}"),
            Reading::Str => "a string".to_string(),
        }
    }
}

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// The keyword arguments of `flyte.TaskEnvironment`, in snake_case.
    TaskEnvironment,
    /// A `flyte.PodTemplate`: `primary_container_name`, `labels`, `annotations`, `pod_spec`.
    FlytePodTemplate,
    /// `apiVersion: v1`, `kind: PodTemplate`.
    KubePodTemplate,
    /// `apiVersion: v1`, `kind: Pod`.
    KubePod,
    /// Anything else: analysed not at all.
    Unknown,
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

    /// What the document's reader makes of this node when it is a scalar (the front end
    /// decided it: Go YAML for Kubernetes objects, PyYAML for Flyte YAML).
    pub fn reading(&self) -> Option<Reading> {
        self.as_scalar().map(Scalar::reading)
    }

    /// The node's explicit tag as written, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref().map(String::as_str)
    }

    /// True for a value only run time knows.
    pub fn is_opaque(&self) -> bool {
        matches!(self.kind, NodeKind::Opaque)
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
            NodeKind::Opaque => "a value known at run time",
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
    /// The document's text.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.span.clone()).unwrap_or("")
    }
}

impl Stream {
    /// The documents' kinds, in order.
    pub fn kinds(&self) -> impl Iterator<Item = DocKind> + '_ {
        self.documents.iter().map(|d| d.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every node of every tree pays for these sizes: a document of 2,000 lines has some
    /// 10,000 nodes, built, moved into their parents and dropped on each keystroke.
    #[test]
    fn nodes_stay_small() {
        assert_eq!(std::mem::size_of::<Node>(), 80);
        assert_eq!(std::mem::size_of::<Entry>(), 160);
    }

    #[test]
    fn a_scalar_keeps_every_reading() {
        for reading in [
            Reading::Null,
            Reading::Bool(true),
            Reading::Int(-5),
            Reading::Int(i128::from(i64::MAX)),
            Reading::Int(i128::from(i64::MIN) - 1),
            Reading::Int(i128::MAX),
            Reading::Float(0.5),
            Reading::Str,
        ] {
            let scalar = Scalar::read_as("x", ScalarStyle::Plain, reading.clone());
            assert_eq!(scalar.reading(), reading);
        }
    }
}
