//! The handshake's two halves: what the client said it can do (read once from
//! `InitializeParams`) and what we answer (`InitializeResult`: the server capabilities and the
//! negotiated position encoding).

use tower_lsp_server::ls_types::*;

use crate::text::Encoding;

use super::handlers::{FIX_ALL, RENDER_PREVIEW};

/// What the client said it can do, as far as the server cares.
#[derive(Debug, Clone, Default)]
pub struct ClientCaps {
    /// UTF-8 if the client offers it, else UTF-16.
    pub encoding: Encoding,
    /// The client answers `workspace/configuration`.
    pub config_requests: bool,
    /// The client handles `workspace/diagnostic/refresh`.
    pub refresh: bool,
    /// The client pulls diagnostics (`textDocument/diagnostic`); then we do not push.
    pub pull: bool,
    /// The client can register file watchers dynamically.
    pub dynamic_watchers: bool,
    /// The workspace folders (or the root URI of clients without folders).
    pub roots: Vec<std::path::PathBuf>,
    pub completion: CompletionCaps,
}

impl ClientCaps {
    pub fn from_params(params: &InitializeParams) -> ClientCaps {
        let caps = &params.capabilities;
        let workspace = caps.workspace.as_ref();
        #[allow(deprecated)] // `root_uri` is the fallback for clients without workspace folders.
        let roots = match &params.workspace_folders {
            Some(folders) if !folders.is_empty() => folders
                .iter()
                .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
                .collect(),
            _ => params
                .root_uri
                .iter()
                .filter_map(|u| u.to_file_path().map(|p| p.into_owned()))
                .collect(),
        };
        ClientCaps {
            encoding: negotiate_encoding(params),
            config_requests: workspace.and_then(|w| w.configuration).unwrap_or(false),
            refresh: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            pull: caps
                .text_document
                .as_ref()
                .and_then(|t| t.diagnostic.as_ref())
                .is_some(),
            dynamic_watchers: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            roots,
            completion: CompletionCaps::from_params(params),
        }
    }
}

fn negotiate_encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

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

/// What `initialize` returns: every capability, in the negotiated encoding; pull diagnostics
/// only for clients that pull.
pub fn initialize_result(enc: Encoding, pull: bool) -> InitializeResult {
    let diagnostic_provider = pull.then(|| {
        DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("flyte-lsp".to_string()),
            inter_file_dependencies: false,
            workspace_diagnostics: false,
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })
    });
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(match enc {
                Encoding::Utf8 => PositionEncodingKind::UTF8,
                Encoding::Utf16 => PositionEncodingKind::UTF16,
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    will_save: None,
                    will_save_wait_until: None,
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                },
            )),
            diagnostic_provider,
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::REFACTOR,
                    CodeActionKind::from(FIX_ALL),
                ]),
                work_done_progress_options: WorkDoneProgressOptions::default(),
                resolve_provider: None,
            })),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: vec![RENDER_PREVIEW.to_string()],
                work_done_progress_options: WorkDoneProgressOptions::default(),
            }),
            completion_provider: Some(CompletionOptions {
                // YAML's (`key:`, indentation, `- `) and Python's (a quote opens a value or a dict
                // key, `=` a keyword's value); each front end answers only its own.
                trigger_characters: Some(
                    [":", " ", "-", "\n", "\"", "'", "="]
                        .map(String::from)
                        .to_vec(),
                ),
                ..CompletionOptions::default()
            }),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })),
            document_symbol_provider: Some(OneOf::Left(true)),
            folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
            selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
            code_lens_provider: Some(CodeLensOptions {
                resolve_provider: Some(false),
            }),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "flyte-lsp".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        offset_encoding: None,
    }
}
