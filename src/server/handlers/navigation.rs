//! Go to definition, references, rename and the outline (symbols, folding and selection
//! ranges): `engine` finds the targets, in this file and across the workspace's PodTemplates;
//! this file turns them into LSP locations, edits and symbols. Work on the tree runs on
//! blocking threads.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, FoldingRange, FoldingRangeKind,
    FoldingRangeParams, GotoDefinitionParams, GotoDefinitionResponse, Location, Position,
    PrepareRenameResponse, Range, ReferenceParams, RenameParams, SelectionRange,
    SelectionRangeParams, SymbolKind as LspSymbolKind, TextDocumentPositionParams, TextEdit, Uri,
    WorkspaceEdit,
};

use crate::analysis::navigation::{Symbol, SymbolKind, Target};
use crate::text::Encoding;
use crate::workspace::WorkspaceIndex;

use super::super::convert;
use super::super::store::Snapshot;
use super::super::Backend;

/// What a navigation request needs from the server: the snapshot, the cursor's byte offset,
/// the workspace, the file's own path and the encoding.
struct At {
    uri: Uri,
    snap: Arc<Snapshot>,
    offset: usize,
    workspace: Arc<WorkspaceIndex>,
    path: Option<PathBuf>,
    enc: Encoding,
}

impl At {
    fn location(&self, target: &Target<'_>) -> Option<Location> {
        match target {
            Target::Here(r) => Some(Location {
                uri: self.uri.clone(),
                range: convert::range(&self.snap, r, self.enc),
            }),
            Target::Elsewhere(def) => {
                let uri = Uri::from_file_path(&def.path)?;
                let (start, end) = def.range_in(self.enc);
                Some(Location {
                    uri,
                    range: Range::new(
                        Position::new(start.line, start.col),
                        Position::new(end.line, end.col),
                    ),
                })
            }
        }
    }

    fn locations(&self, targets: &[Target<'_>]) -> Vec<Location> {
        targets.iter().filter_map(|t| self.location(t)).collect()
    }
}

impl Backend {
    fn at(&self, uri: &Uri, position: Position) -> Option<At> {
        let snap = self.state.store.current(uri)?;
        let enc = self.encoding();
        Some(At {
            uri: uri.clone(),
            offset: convert::offset(&snap, position, enc),
            snap,
            workspace: self.workspace(),
            path: uri.to_file_path().map(|p| p.into_owned()),
            enc,
        })
    }

    /// Runs `f` on a blocking thread; `None` when there is no such document or `f` panicked.
    async fn navigate<R: Send + 'static>(
        &self,
        uri: &Uri,
        position: Position,
        f: impl FnOnce(&At) -> Option<R> + Send + 'static,
    ) -> Option<R> {
        let at = self.at(uri, position)?;
        tokio::task::spawn_blocking(move || f(&at))
            .await
            .ok()
            .flatten()
    }

    pub(in crate::server) async fn handle_goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        let locations = self
            .navigate(&p.text_document.uri, p.position, |at| {
                let stream = at.snap.stream();
                let targets = crate::engine::definition(
                    &at.snap.text,
                    stream,
                    at.offset,
                    &at.workspace,
                    at.path.as_deref(),
                )?;
                Some(at.locations(&targets))
            })
            .await;
        Ok(locations
            .filter(|l| !l.is_empty())
            .map(GotoDefinitionResponse::Array))
    }

    pub(in crate::server) async fn handle_references(
        &self,
        params: ReferenceParams,
    ) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        Ok(self
            .navigate(&p.text_document.uri, p.position, move |at| {
                let targets = crate::engine::references(
                    &at.snap.text,
                    at.snap.stream(),
                    at.offset,
                    &at.workspace,
                    at.path.as_deref(),
                    include,
                )?;
                Some(at.locations(&targets))
            })
            .await)
    }

    pub(in crate::server) async fn handle_prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        Ok(self
            .navigate(&params.text_document.uri, params.position, |at| {
                let name = crate::engine::occurrences(&at.snap.text, at.snap.stream(), at.offset)?;
                Some(PrepareRenameResponse::RangeWithPlaceholder {
                    range: convert::range(&at.snap, &name.at, at.enc),
                    placeholder: name.name,
                })
            })
            .await)
    }

    /// Every edit of a rename, grouped by file; an invalid new name is an `InvalidParams`
    /// error saying why.
    pub(in crate::server) async fn handle_rename(
        &self,
        params: RenameParams,
    ) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        let answer = self
            .navigate(&p.text_document.uri, p.position, move |at| {
                let targets = match crate::engine::rename(
                    &at.snap.text,
                    at.snap.stream(),
                    at.offset,
                    &at.workspace,
                    at.path.as_deref(),
                    &new_name,
                )? {
                    Ok(targets) => targets,
                    Err(reason) => return Some(Err(reason)),
                };
                let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
                changes.insert(at.uri.clone(), Vec::new());
                for loc in targets.iter().filter_map(|t| at.location(t)) {
                    changes.entry(loc.uri).or_default().push(TextEdit {
                        range: loc.range,
                        new_text: new_name.clone(),
                    });
                }
                Some(Ok(WorkspaceEdit {
                    changes: Some(changes),
                    document_changes: None,
                    change_annotations: None,
                }))
            })
            .await;
        match answer {
            None => Ok(None),
            Some(Ok(edit)) => Ok(Some(edit)),
            Some(Err(reason)) => Err(Error::invalid_params(reason)),
        }
    }

    pub(in crate::server) async fn handle_document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some(snap) = self.state.store.current(&params.text_document.uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        let symbols = tokio::task::spawn_blocking(move || {
            crate::engine::symbols(&snap.text, snap.stream())
                .iter()
                .map(|s| symbol(&snap, s, enc))
                .collect()
        })
        .await
        .unwrap_or_default();
        Ok(Some(DocumentSymbolResponse::Nested(symbols)))
    }

    pub(in crate::server) async fn handle_folding_range(
        &self,
        params: FoldingRangeParams,
    ) -> Result<Option<Vec<FoldingRange>>> {
        let Some(snap) = self.state.store.current(&params.text_document.uri) else {
            return Ok(None);
        };
        let folds = tokio::task::spawn_blocking(move || {
            crate::engine::folding_ranges(&snap.text, snap.stream())
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
        })
        .await
        .unwrap_or_default();
        Ok(Some(folds))
    }

    pub(in crate::server) async fn handle_selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let Some(snap) = self.state.store.current(&params.text_document.uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        let positions = params.positions;
        let ranges = tokio::task::spawn_blocking(move || {
            positions
                .iter()
                .map(|p| selection_range(&snap, *p, enc))
                .collect()
        })
        .await
        .unwrap_or_default();
        Ok(Some(ranges))
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

/// One nested selection range: the innermost node first, each parent the next enclosing
/// node; an empty range at the position when no node encloses it.
fn selection_range(snap: &Snapshot, p: Position, enc: Encoding) -> SelectionRange {
    let offset = convert::offset(snap, p, enc);
    let chain = crate::engine::selection_ranges(snap.stream(), offset);
    // `chain` is innermost first; LSP nests each range's parent inside it, so build from the
    // outermost in.
    let mut parent: Option<Box<SelectionRange>> = None;
    for r in chain.iter().rev() {
        parent = Some(Box::new(SelectionRange {
            range: convert::range(snap, r, enc),
            parent,
        }));
    }
    parent.map_or_else(
        || SelectionRange {
            range: Range::new(p, p),
            parent: None,
        },
        |b| *b,
    )
}
