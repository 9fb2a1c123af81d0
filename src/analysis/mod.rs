//! Pure analysis over a parsed document: diagnostics now, and later completion, hover, render.
//!
//! Everything here takes plain data (text, the YAML tree, schemas, settings) and returns plain
//! data with byte ranges. No LSP types, no IO, no panics: broken input yields fewer answers.

pub mod completion;
pub mod cursor;
pub mod diagnostics;
pub mod hover;
pub mod ip;
pub mod lookup;
pub mod names;
pub mod navigation;
pub mod quantity;
pub mod refactor;
pub mod render;
pub mod similar;
pub mod structure;

use crate::model::{self, DocKind};
use crate::settings::Settings;
use crate::text::TextRange;
use crate::workspace::WorkspaceIndex;
use crate::yaml::{self, Stream};

pub use diagnostics::{Diagnostic, Edit, Fix, Severity};

/// One document of a file, as analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocInfo {
    pub kind: DocKind,
    pub span: TextRange,
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

/// Parses and analyses `source`.
pub fn analyze(source: &str, settings: &Settings) -> FileAnalysis {
    let stream = yaml::parse(source);
    analyze_parsed(source, &stream, settings)
}

/// Analyses an already parsed `source` (the server parses once per version).
pub fn analyze_parsed(source: &str, stream: &Stream, settings: &Settings) -> FileAnalysis {
    analyze_in_workspace(source, stream, settings, None)
}

/// Like [`analyze_parsed`], with the workspace's PodTemplates for cross-file rules (a string
/// `pod_template` that names no known template).
pub fn analyze_in_workspace(
    source: &str,
    stream: &Stream,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
) -> FileAnalysis {
    let documents: Vec<DocInfo> = stream
        .documents
        .iter()
        .map(|d| DocInfo {
            kind: model::detect(d, source),
            span: d.span.clone(),
        })
        .collect();
    let diagnostics = diagnostics::diagnostics(source, stream, &documents, settings, workspace);
    FileAnalysis {
        documents,
        diagnostics,
    }
}
