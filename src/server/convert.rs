//! Conversions between analysis results (byte ranges) and LSP types, in the negotiated encoding.

use tower_lsp_server::ls_types::{self as lsp, NumberOrString, Position, Range};

use crate::analysis::{Diagnostic, Severity};
use crate::text::{Encoding, LineCol, LineIndex, TextRange};

use super::store::Snapshot;

pub fn position(snap: &Snapshot, offset: usize, enc: Encoding) -> Position {
    let lc = snap.index.to_line_col(&snap.text, offset, enc);
    Position::new(lc.line, lc.col)
}

pub fn range(snap: &Snapshot, r: &TextRange, enc: Encoding) -> Range {
    Range::new(position(snap, r.start, enc), position(snap, r.end, enc))
}

pub fn offset(snap: &Snapshot, pos: Position, enc: Encoding) -> usize {
    offset_in(&snap.index, &snap.text, pos, enc)
}

pub fn offset_in(index: &LineIndex, text: &str, pos: Position, enc: Encoding) -> usize {
    index.to_offset(
        text,
        LineCol {
            line: pos.line,
            col: pos.character,
        },
        enc,
    )
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(snap: &Snapshot, d: &Diagnostic, enc: Encoding) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: range(snap, &d.range, enc),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: None,
        source: Some("flyte-lsp".to_string()),
        message: d.message.clone(),
        related_information: None,
        tags: None,
        data: None,
    }
}
