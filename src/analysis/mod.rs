//! Pure analysis over a parsed document: diagnostics now, and later completion, hover, render.
//!
//! Everything here takes plain data (text, the YAML tree, schemas, settings) and returns plain
//! data with byte ranges. No LSP types, no IO, no panics: broken input yields fewer answers.

pub mod actions;
pub mod completion;
pub mod diagnostics;
pub mod hover;
pub mod ip;
pub mod lookup;
pub mod names;
pub mod navigation;
pub mod quantity;
pub mod refactor;
pub mod render;
pub mod structure;

use crate::model::DocKind;
use crate::settings::Settings;
use crate::text::TextRange;
use crate::tree::edit::Writer;
use crate::tree::Stream;
use crate::workspace::WorkspaceIndex;

pub use diagnostics::{Diagnostic, Edit, Fix, Severity};

/// One document of a file, as analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocInfo {
    pub kind: DocKind,
    pub span: TextRange,
}

impl DocInfo {
    /// Each document of `stream`, as the analysis sees it.
    pub fn of(stream: &Stream) -> Vec<DocInfo> {
        stream
            .documents
            .iter()
            .map(|d| DocInfo {
                kind: d.kind,
                span: d.span.clone(),
            })
            .collect()
    }
}

/// The analysis of a whole file.
#[derive(Debug, Clone, Default)]
pub struct FileAnalysis {
    pub documents: Vec<DocInfo>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileAnalysis {
    /// The file's kind for reports: the first Flyte or Kubernetes kind among its documents.
    pub fn kind(&self) -> DocKind {
        self.documents
            .iter()
            .map(|d| d.kind)
            .find(|k| *k != DocKind::Unknown)
            .unwrap_or(DocKind::Unknown)
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// One file as the engine sees it: its text, the tree its front end built, that front end's
/// writer, the settings of this analysis and the workspace. Every verb (diagnostics, render,
/// hover, ...) reads one snapshot, so one answer uses one settings version.
#[derive(Clone, Copy)]
pub struct Snapshot<'a> {
    pub source: &'a str,
    pub stream: &'a Stream,
    pub writer: &'a dyn Writer,
    pub settings: &'a Settings,
    /// The workspace's PodTemplates, for cross-file rules (a string `pod_template` that names
    /// no known template).
    pub workspace: Option<&'a WorkspaceIndex>,
}

impl Snapshot<'_> {
    /// Every document's kind and every diagnostic.
    pub fn analyze(&self) -> FileAnalysis {
        let documents = DocInfo::of(self.stream);
        let diagnostics = diagnostics::diagnostics(self, &documents);
        FileAnalysis {
            documents,
            diagnostics,
        }
    }
}
