//! Completion and hover: the cursor to a byte offset, one `engine` call, and the answer in LSP
//! terms for what the client accepts (snippets, insert modes, the deprecated tag).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionItemTag, CompletionList, CompletionParams,
    CompletionResponse, CompletionTextEdit, Documentation, Hover, HoverContents, HoverParams,
    InsertTextFormat, InsertTextMode, MarkupContent, MarkupKind, TextEdit,
};

use crate::analysis::completion::{CompletionKind, Completions};
use crate::text::Encoding;

use super::super::capabilities::CompletionCaps;
use super::super::convert;
use super::super::store::Snapshot;
use super::super::Backend;

impl Backend {
    pub(in crate::server) async fn handle_completion(
        &self,
        params: CompletionParams,
    ) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let Some(snap) = self.state.store.current(&at.text_document.uri) else {
            return Ok(None);
        };
        // Completion reads the text, not the (empty) tree of an excluded document.
        if snap.selection.excluded {
            return Ok(None);
        }
        let enc = self.encoding();
        let offset = convert::offset(&snap, at.position, enc);
        let typed = params
            .context
            .as_ref()
            .and_then(|c| c.trigger_character.as_deref());
        // The tree is parsed only if the answer needs it (see `engine::completions`).
        let stream = || snap.stream();
        let workspace = self.workspace();
        let Some(result) = crate::engine::completions_in(
            snap.language,
            snap.selection.kind,
            &snap.text,
            &stream,
            &self.settings(),
            Some(&workspace),
            offset,
            typed,
        ) else {
            return Ok(None);
        };
        let items = result.items.len();
        tracing::debug!(version = snap.version, offset, items, "completion");
        let caps = self.state.completion.read().map(|c| *c).unwrap_or_default();
        Ok(Some(completion_response(&snap, &result, enc, caps)))
    }

    pub(in crate::server) async fn handle_hover(
        &self,
        params: HoverParams,
    ) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let Some(snap) = self.state.store.current(&at.text_document.uri) else {
            return Ok(None);
        };
        if snap.selection.excluded {
            return Ok(None);
        }
        let enc = self.encoding();
        let offset = convert::offset(&snap, at.position, enc);
        let workspace = self.workspace();
        let result = crate::engine::hover_in(
            snap.language,
            snap.selection.kind,
            &snap.text,
            snap.stream(),
            &self.settings(),
            Some(&workspace),
            offset,
        );
        Ok(result.map(|h| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: h.markdown,
            }),
            range: Some(convert::range(&snap, &h.range, enc)),
        }))
    }
}

/// Converts analysis completions. Snippets go out only to clients that support them, with
/// indentation relative to the cursor line (editors expand snippets that way); everything else
/// is plain text with absolute indentation, inserted as is.
fn completion_response(
    snap: &Snapshot,
    result: &Completions,
    enc: Encoding,
    caps: CompletionCaps,
) -> CompletionResponse {
    let items = result
        .items
        .iter()
        .map(|item| {
            let snippet = item.is_snippet && caps.snippets;
            let (text, format, mode) = if snippet {
                let mode = caps
                    .adjust_indentation
                    .then_some(InsertTextMode::ADJUST_INDENTATION);
                (item.insert_text.clone(), InsertTextFormat::SNIPPET, mode)
            } else {
                let mode = (caps.as_is && item.insert_text.contains('\n'))
                    .then_some(InsertTextMode::AS_IS);
                (
                    item.plain_text(result.line_indent),
                    InsertTextFormat::PLAIN_TEXT,
                    mode,
                )
            };
            let text_edit = item.replace_range.as_ref().map(|r| {
                CompletionTextEdit::Edit(TextEdit {
                    range: convert::range(snap, r, enc),
                    new_text: text.clone(),
                })
            });
            CompletionItem {
                label: item.label.clone(),
                kind: Some(match item.kind {
                    CompletionKind::Field => CompletionItemKind::FIELD,
                    CompletionKind::Value => CompletionItemKind::VALUE,
                    CompletionKind::Snippet => CompletionItemKind::SNIPPET,
                }),
                detail: item.detail.clone(),
                documentation: item.documentation.as_ref().map(|d| {
                    Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: d.clone(),
                    })
                }),
                sort_text: Some(item.sort_text.clone()),
                filter_text: Some(item.label.trim_start_matches("- ").to_string()),
                insert_text: text_edit.is_none().then_some(text),
                insert_text_format: Some(format),
                insert_text_mode: mode,
                text_edit,
                tags: (item.deprecated && caps.deprecated_tag)
                    .then(|| vec![CompletionItemTag::DEPRECATED]),
                ..CompletionItem::default()
            }
        })
        .collect();
    CompletionResponse::List(CompletionList {
        is_incomplete: false,
        items,
    })
}
