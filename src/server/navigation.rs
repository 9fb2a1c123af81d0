//! Go to definition, references, rename and the outline over LSP: conversions around
//! `analysis::navigation`, plus the workspace index for PodTemplate names across files.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    DocumentSymbol, FoldingRange, FoldingRangeKind, Location, Position, Range, SelectionRange,
    SymbolKind as LspSymbolKind, TextEdit, Uri, WorkspaceEdit,
};

use crate::analysis::navigation::{self, NameKind, Occurrences, Symbol, SymbolKind};
use crate::text::Encoding;
use crate::workspace::{TemplateDef, WorkspaceIndex};

use super::convert;
use super::store::Snapshot;

fn def_location(def: &TemplateDef, enc: Encoding) -> Option<Location> {
    let uri = Uri::from_file_path(&def.path)?;
    let (start, end) = def.range_in(enc);
    Some(Location {
        uri,
        range: Range::new(
            Position::new(start.line, start.col),
            Position::new(end.line, end.col),
        ),
    })
}

fn local(
    uri: &Uri,
    snap: &Snapshot,
    ranges: &[crate::text::TextRange],
    enc: Encoding,
) -> Vec<Location> {
    ranges
        .iter()
        .map(|r| Location {
            uri: uri.clone(),
            range: convert::range(snap, r, enc),
        })
        .collect()
}

/// Whether a workspace entry is this very document (open documents are indexed too).
fn is_this(uri: &Uri, def: &TemplateDef) -> bool {
    uri.to_file_path()
        .is_some_and(|p| p.as_ref() == def.path.as_path())
}

pub fn occurrences(snap: &Snapshot, offset: usize) -> Option<Occurrences> {
    navigation::occurrences_at(&snap.text, snap.stream(), offset)
}

pub fn definition(
    uri: &Uri,
    snap: &Snapshot,
    occ: &Occurrences,
    ws: &WorkspaceIndex,
    enc: Encoding,
) -> Vec<Location> {
    let mut out = local(uri, snap, &occ.definitions, enc);
    if occ.kind == NameKind::PodTemplate {
        out.extend(
            ws.lookup(&occ.name)
                .into_iter()
                .filter(|d| !is_this(uri, d))
                .filter_map(|d| def_location(d, enc)),
        );
    }
    out
}

pub fn references(
    uri: &Uri,
    snap: &Snapshot,
    occ: &Occurrences,
    ws: &WorkspaceIndex,
    enc: Encoding,
    include_declaration: bool,
) -> Vec<Location> {
    let mut out = Vec::new();
    if include_declaration {
        out.extend(definition(uri, snap, occ, ws, enc));
    }
    out.extend(local(uri, snap, &occ.references, enc));
    if occ.kind == NameKind::PodTemplate {
        out.extend(
            ws.references(&occ.name)
                .into_iter()
                .filter(|d| !is_this(uri, d))
                .filter_map(|d| def_location(d, enc)),
        );
    }
    out
}

/// Every edit of a rename: this document's occurrences, and for PodTemplate names every other
/// file that defines or names it.
pub fn rename(
    uri: &Uri,
    snap: &Snapshot,
    occ: &Occurrences,
    ws: &WorkspaceIndex,
    enc: Encoding,
    new_name: &str,
) -> WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let here: Vec<TextEdit> = occ
        .definitions
        .iter()
        .chain(&occ.references)
        .map(|r| TextEdit {
            range: convert::range(snap, r, enc),
            new_text: new_name.to_string(),
        })
        .collect();
    changes.insert(uri.clone(), here);
    if occ.kind == NameKind::PodTemplate {
        for d in ws
            .lookup(&occ.name)
            .into_iter()
            .chain(ws.references(&occ.name))
        {
            if is_this(uri, d) {
                continue;
            }
            if let Some(loc) = def_location(d, enc) {
                changes.entry(loc.uri).or_default().push(TextEdit {
                    range: loc.range,
                    new_text: new_name.to_string(),
                });
            }
        }
    }
    WorkspaceEdit {
        changes: Some(changes),
        document_changes: None,
        change_annotations: None,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be filled in.
fn symbol(snap: &Snapshot, s: &Symbol, enc: Encoding) -> DocumentSymbol {
    let kind = match s.kind {
        SymbolKind::Environment => LspSymbolKind::MODULE,
        SymbolKind::Template => LspSymbolKind::CLASS,
        SymbolKind::Container => LspSymbolKind::OBJECT,
        SymbolKind::Volume => LspSymbolKind::FIELD,
    };
    let range = convert::range(snap, &s.range, enc);
    // The selection must lie inside the range.
    let selection = if s.range.start <= s.selection.start && s.selection.end <= s.range.end {
        convert::range(snap, &s.selection, enc)
    } else {
        Range::new(range.start, range.start)
    };
    DocumentSymbol {
        name: s.name.clone(),
        detail: Some(s.detail.clone()),
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: Some(s.children.iter().map(|c| symbol(snap, c, enc)).collect()),
    }
}

pub fn document_symbols(snap: &Snapshot, enc: Encoding) -> Vec<DocumentSymbol> {
    navigation::symbols(&snap.text, snap.stream())
        .iter()
        .map(|s| symbol(snap, s, enc))
        .collect()
}

pub fn folding_ranges(snap: &Snapshot) -> Vec<FoldingRange> {
    crate::analysis::structure::folding_ranges(&snap.text, snap.stream())
        .into_iter()
        .map(|f| FoldingRange {
            start_line: f.start_line,
            start_character: None,
            end_line: f.end_line,
            end_character: None,
            kind: Some(FoldingRangeKind::Region),
            collapsed_text: None,
        })
        .collect()
}

/// One nested selection range per position: the innermost node first, each parent the next
/// enclosing node.
pub fn selection_ranges(
    snap: &Snapshot,
    positions: &[Position],
    enc: Encoding,
) -> Vec<SelectionRange> {
    positions
        .iter()
        .map(|p| {
            let offset = convert::offset(snap, *p, enc);
            let chain = crate::analysis::structure::selection_ranges(snap.stream(), offset);
            // `chain` is innermost first; LSP nests each range's parent inside it, so build
            // from the outermost in.
            let mut parent: Option<Box<SelectionRange>> = None;
            for r in chain.iter().rev() {
                parent = Some(Box::new(SelectionRange {
                    range: convert::range(snap, r, enc),
                    parent,
                }));
            }
            parent.map_or_else(
                || SelectionRange {
                    range: Range::new(*p, *p),
                    parent: None,
                },
                |b| *b,
            )
        })
        .collect()
}
