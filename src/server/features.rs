//! LSP adapters for completion and hover: the client's completion capabilities in, analysis
//! results out as LSP types. No analysis happens here.

use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionItemTag, CompletionList, CompletionResponse,
    CompletionTextEdit, Documentation, Hover, HoverContents, InitializeParams, InsertTextFormat,
    InsertTextMode, MarkupContent, MarkupKind, TextEdit,
};

use crate::analysis::completion::{CompletionKind, Completions};
use crate::analysis::hover as analysis_hover;
use crate::text::Encoding;

use super::convert;
use super::store::Snapshot;

/// What the client said about completion items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompletionCaps {
    /// `completionItem.snippetSupport`.
    pub snippets: bool,
    /// `insertTextModeSupport` lists `adjustIndentation`.
    pub adjust_indentation: bool,
    /// `insertTextModeSupport` lists `asIs`.
    pub as_is: bool,
    /// `completionItem.tagSupport` lists `Deprecated`.
    pub deprecated_tag: bool,
}

impl CompletionCaps {
    pub fn from_params(params: &InitializeParams) -> CompletionCaps {
        let item = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref());
        let Some(item) = item else {
            return CompletionCaps::default();
        };
        let modes = item
            .insert_text_mode_support
            .as_ref()
            .map(|m| m.value_set.as_slice())
            .unwrap_or_default();
        CompletionCaps {
            snippets: item.snippet_support.unwrap_or(false),
            adjust_indentation: modes.contains(&InsertTextMode::ADJUST_INDENTATION),
            as_is: modes.contains(&InsertTextMode::AS_IS),
            deprecated_tag: item
                .tag_support
                .as_ref()
                .is_some_and(|t| t.value_set.contains(&CompletionItemTag::DEPRECATED)),
        }
    }
}

/// Converts analysis completions. Snippets go out only to clients that support them, with
/// indentation relative to the cursor line (editors expand snippets that way); everything else
/// is plain text with absolute indentation, inserted as is.
pub fn completion_response(
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

/// Converts an analysis hover to Markdown hover contents.
pub fn hover_response(snap: &Snapshot, hover: &analysis_hover::Hover, enc: Encoding) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: hover.markdown.clone(),
        }),
        range: Some(convert::range(snap, &hover.range, enc)),
    }
}
