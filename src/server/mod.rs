//! The LSP server: a thin shell over `analysis`. It owns the protocol types, the document
//! store and the settings; every answer is computed by one `analysis` call on a snapshot.
//!
//! Logging goes to stderr; stdout carries only the protocol.

mod convert;
mod features;
mod guard;
mod navigation;
mod preview;
pub mod store;
pub mod transport;
mod workspace;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, Server};

use crate::analysis::FileAnalysis;
use crate::settings::{Settings, Trigger};
use crate::text::Encoding;
use crate::workspace::WorkspaceIndex;
use store::{ChangeOutcome, Snapshot, Store};

/// Serves LSP on stdin/stdout until the client exits or stdin closes. Returns whether the
/// client asked for `shutdown` first: the specification wants exit code 1 otherwise.
pub async fn run_stdio() -> bool {
    let stdin = tokio::io::stdin();
    let stdout = tokio::io::stdout();
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    let (service, socket) = guard::service(move |client| Backend::with_shutdown_flag(client, flag));
    Server::new(transport::Sanitize::new(stdin), stdout, socket)
        .serve(service)
        .await;
    shut_down.load(Ordering::SeqCst)
}

/// Shared state; cheap to clone into spawned tasks.
#[derive(Clone)]
pub struct Backend {
    client: Client,
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    store: Store,
    /// Set by `shutdown`; read after the transport closes.
    shut_down: Arc<AtomicBool>,
    /// Per-document publish generation: only the newest scheduled publish may reach the client,
    /// so a burst of edits is analysed and published once, not once per edit.
    generations: Mutex<HashMap<Uri, u64>>,
    /// What was last published per document, so a re-analysis that changes nothing (after a
    /// settings change or a workspace re-index) is not sent again.
    published: Mutex<HashMap<Uri, (i32, Vec<Diagnostic>)>>,
    settings: RwLock<Settings>,
    encoding: RwLock<Encoding>,
    /// The client answers `workspace/configuration`.
    config_requests: AtomicBool,
    /// The client pulls diagnostics (`textDocument/diagnostic`); then we do not push.
    pull: AtomicBool,
    /// The client handles `workspace/diagnostic/refresh`.
    refresh: AtomicBool,
    /// The workspace folders, and the PodTemplates they define. Replaced as a whole (copy on
    /// write) so analyses read a consistent snapshot without holding a lock.
    roots: RwLock<Vec<std::path::PathBuf>>,
    workspace: RwLock<Arc<WorkspaceIndex>>,
    /// The client can register file watchers dynamically.
    dynamic_watchers: AtomicBool,
    /// What the client accepts in completion items (snippets, insert modes).
    completion: RwLock<features::CompletionCaps>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend::with_shutdown_flag(client, Arc::default())
    }

    fn with_shutdown_flag(client: Client, shut_down: Arc<AtomicBool>) -> Backend {
        Backend {
            client,
            state: Arc::new(State {
                shut_down,
                ..State::default()
            }),
        }
    }

    fn generations(&self) -> std::sync::MutexGuard<'_, HashMap<Uri, u64>> {
        self.state
            .generations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a new publish generation for `uri` and returns it.
    fn next_generation(&self, uri: &Uri) -> u64 {
        let mut gens = self.generations();
        let g = gens.entry(uri.clone()).or_insert(0);
        *g += 1;
        *g
    }

    fn is_current_generation(&self, uri: &Uri, generation: u64) -> bool {
        self.generations().get(uri) == Some(&generation)
    }

    fn settings(&self) -> Settings {
        self.state
            .settings
            .read()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    fn encoding(&self) -> Encoding {
        self.state.encoding.read().map(|e| *e).unwrap_or_default()
    }

    async fn apply_settings(&self, value: &Value) {
        let (settings, warnings) = Settings::from_json(value);
        for w in warnings {
            self.client
                .log_message(MessageType::WARNING, format!("flyte-lsp settings: {w}"))
                .await;
        }
        tracing::info!(?settings, "settings updated");
        if let Ok(mut s) = self.state.settings.write() {
            *s = settings;
        }
    }

    async fn fetch_configuration(&self) {
        if !self.state.config_requests.load(Ordering::Relaxed) {
            return;
        }
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("flyte-lsp".to_string()),
        };
        match self.client.configuration(vec![item]).await {
            Ok(values) => {
                if let Some(v) = values.into_iter().next().filter(|v| !v.is_null()) {
                    self.apply_settings(&v).await;
                }
            }
            Err(err) => tracing::warn!(%err, "workspace/configuration failed"),
        }
    }

    /// Re-analyses every open document after a settings change.
    async fn refresh_all(&self) {
        if self.state.pull.load(Ordering::Relaxed) {
            if self.state.refresh.load(Ordering::Relaxed) {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
            return;
        }
        for uri in self.state.store.uris() {
            self.schedule_publish(uri);
        }
    }

    /// Publishes diagnostics in a background task: for the current version, or in save mode
    /// for the last saved one. Each call starts a new generation and a task gives up as soon
    /// as a newer one exists, so rapid edits coalesce without a fixed delay: only the newest
    /// request is analysed to the end and published.
    fn schedule_publish(&self, uri: Uri) {
        if self.state.pull.load(Ordering::Relaxed) {
            return;
        }
        let generation = self.next_generation(&uri);
        let this = self.clone();
        tokio::spawn(async move {
            // Let edits already queued behind this one be applied (and supersede it) first.
            tokio::task::yield_now().await;
            if !this.is_current_generation(&uri, generation) {
                return;
            }
            let snap = match this.settings().trigger {
                Trigger::Change => this.state.store.current(&uri),
                Trigger::Save => this.state.store.saved(&uri),
            };
            let Some(snap) = snap else {
                return;
            };
            let settings = this.settings();
            let enc = this.encoding();
            let work = snap.clone();
            let indexer = this.clone();
            let path = uri.to_file_path().map(|p| p.into_owned());
            let diags = tokio::task::spawn_blocking(move || {
                if let Some(path) = &path {
                    indexer.reindex(path, Some((&work.text, work.stream())));
                }
                lsp_diagnostics(&work, &settings, enc, &indexer.workspace())
            })
            .await;
            let Ok(diags) = diags else {
                tracing::error!("analysis task failed");
                return;
            };
            if !this.is_current_generation(&uri, generation) {
                tracing::debug!(version = snap.version, "dropping superseded diagnostics");
                return;
            }
            {
                let mut published = this
                    .state
                    .published
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if published.get(&uri) == Some(&(snap.version, diags.clone())) {
                    return;
                }
                published.insert(uri.clone(), (snap.version, diags.clone()));
            }
            this.client
                .publish_diagnostics(uri, diags, Some(snap.version))
                .await;
        });
    }

    /// The name occurrences under a position, computed off the async threads.
    async fn occurrences_at(
        &self,
        uri: &Uri,
        position: Position,
    ) -> Option<(Arc<Snapshot>, crate::analysis::navigation::Occurrences)> {
        let snap = self.state.store.current(uri)?;
        let offset = convert::offset(&snap, position, self.encoding());
        tokio::task::spawn_blocking(move || {
            let occ = navigation::occurrences(&snap, offset)?;
            Some((snap, occ))
        })
        .await
        .ok()
        .flatten()
    }

    async fn analyze_blocking(&self, snap: Arc<Snapshot>) -> Option<(Arc<Snapshot>, FileAnalysis)> {
        let settings = self.settings();
        let workspace = self.workspace();
        tokio::task::spawn_blocking(move || {
            let analysis = crate::engine::analyze_in_workspace(
                &snap.text,
                snap.stream(),
                &settings,
                Some(&workspace),
            );
            (snap, analysis)
        })
        .await
        .ok()
    }
}

fn lsp_diagnostics(
    snap: &Snapshot,
    settings: &Settings,
    enc: Encoding,
    workspace: &WorkspaceIndex,
) -> Vec<Diagnostic> {
    if let Some(notice) = guard::size_notice(snap) {
        return vec![notice];
    }
    let analysis =
        crate::engine::analyze_in_workspace(&snap.text, snap.stream(), settings, Some(workspace));
    guard::capped(snap, &analysis.diagnostics, enc)
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

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        #[cfg(debug_assertions)]
        guard::debug_panic_in_initialize(&params);
        let enc = negotiate_encoding(&params);
        if let Ok(mut e) = self.state.encoding.write() {
            *e = enc;
        }
        let caps = &params.capabilities;
        let workspace = caps.workspace.as_ref();
        self.state.config_requests.store(
            workspace.and_then(|w| w.configuration).unwrap_or(false),
            Ordering::Relaxed,
        );
        self.state.refresh.store(
            workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            Ordering::Relaxed,
        );
        let pull = caps
            .text_document
            .as_ref()
            .and_then(|t| t.diagnostic.as_ref())
            .is_some();
        self.state.pull.store(pull, Ordering::Relaxed);
        self.state.dynamic_watchers.store(
            workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            Ordering::Relaxed,
        );
        #[allow(deprecated)] // `root_uri` is the fallback for clients without workspace folders.
        let roots: Vec<std::path::PathBuf> = match &params.workspace_folders {
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
        if let Ok(mut r) = self.state.roots.write() {
            *r = roots;
        }
        if let Ok(mut c) = self.state.completion.write() {
            *c = features::CompletionCaps::from_params(&params);
        }
        if let Some(opts) = &params.initialization_options {
            self.apply_settings(opts).await;
        }
        tracing::info!(encoding = ?enc, pull, "initialize");

        let diagnostic_provider = pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("flyte-lsp".to_string()),
                inter_file_dependencies: false,
                workspace_diagnostics: false,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        });
        Ok(InitializeResult {
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
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::REFACTOR,
                        ]),
                        work_done_progress_options: WorkDoneProgressOptions::default(),
                        resolve_provider: None,
                    },
                )),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![preview::RENDER_PREVIEW.to_string()],
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some([":", " ", "-", "\n"].map(String::from).to_vec()),
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
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.fetch_configuration().await;
        // Parse the selected Kubernetes schema now, not on the first keystroke.
        let version = self.settings().kubernetes_version();
        tokio::task::spawn_blocking(move || {
            crate::schema::schemas().for_version(version);
        });
        self.watch_yaml_files().await;
        self.scan_workspace().await;
        self.refresh_all().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let language =
            crate::engine::language_of_document(Some(doc.language_id.as_str()), doc.uri.as_str());
        self.state
            .store
            .open_as(doc.uri.clone(), doc.version, doc.text, language);
        self.schedule_publish(doc.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let outcome =
            self.state
                .store
                .change(&uri, version, &params.content_changes, self.encoding());
        match outcome {
            ChangeOutcome::Applied(previous) => {
                // The last holder of the old snapshot frees its tree; keep that off this thread.
                tokio::task::spawn_blocking(move || drop(previous));
                if self.settings().trigger == Trigger::Change {
                    self.schedule_publish(uri);
                }
            }
            ChangeOutcome::Stale => tracing::debug!(version, "ignoring a change that is not newer"),
            ChangeOutcome::Unknown => tracing::warn!("didChange for a document that is not open"),
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state.store.save(&uri, params.text);
        if self.settings().trigger == Trigger::Save {
            if self.state.pull.load(Ordering::Relaxed) {
                if self.state.refresh.load(Ordering::Relaxed) {
                    let _ = self.client.workspace_diagnostic_refresh().await;
                }
            } else {
                self.schedule_publish(uri);
            }
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state.store.close(&uri);
        self.generations().remove(&uri);
        self.state
            .published
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&uri);
        if !self.state.pull.load(Ordering::Relaxed) {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.handle_watched_files(params).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let has_settings = params.settings.as_object().is_some_and(|o| !o.is_empty());
        if has_settings {
            self.apply_settings(&params.settings).await;
        } else {
            self.fetch_configuration().await;
        }
        self.refresh_all().await;
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let snap = match self.settings().trigger {
            Trigger::Change => self.state.store.current(&uri),
            Trigger::Save => self.state.store.saved(&uri),
        };
        let enc = self.encoding();
        let items = match snap {
            Some(snap) => match self.analyze_blocking(snap).await {
                Some((snap, analysis)) => guard::size_notice(&snap)
                    .into_iter()
                    .chain(guard::capped(&snap, &analysis.diagnostics, enc))
                    .collect(),
                None => Vec::new(),
            },
            None => Vec::new(),
        };
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        let Some((snap, occ)) = self.occurrences_at(&p.text_document.uri, p.position).await else {
            return Ok(None);
        };
        let locations = navigation::definition(
            &p.text_document.uri,
            &snap,
            &occ,
            &self.workspace(),
            self.encoding(),
        );
        Ok((!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations)))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let Some((snap, occ)) = self.occurrences_at(&p.text_document.uri, p.position).await else {
            return Ok(None);
        };
        Ok(Some(navigation::references(
            &p.text_document.uri,
            &snap,
            &occ,
            &self.workspace(),
            self.encoding(),
            params.context.include_declaration,
        )))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let Some((snap, occ)) = self
            .occurrences_at(&params.text_document.uri, params.position)
            .await
        else {
            return Ok(None);
        };
        Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
            range: convert::range(&snap, &occ.at, self.encoding()),
            placeholder: occ.name.clone(),
        }))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let Some((snap, occ)) = self.occurrences_at(&p.text_document.uri, p.position).await else {
            return Ok(None);
        };
        if !crate::analysis::navigation::valid_new_name(occ.kind, &params.new_name) {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "`{}` is not a valid Kubernetes name here (lowercase letters, digits and `-`)",
                params.new_name
            )));
        }
        Ok(Some(navigation::rename(
            &p.text_document.uri,
            &snap,
            &occ,
            &self.workspace(),
            self.encoding(),
            &params.new_name,
        )))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some(snap) = self.state.store.current(&params.text_document.uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        let symbols = tokio::task::spawn_blocking(move || navigation::document_symbols(&snap, enc))
            .await
            .unwrap_or_default();
        Ok(Some(DocumentSymbolResponse::Nested(symbols)))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some(snap) = self.state.store.current(&params.text_document.uri) else {
            return Ok(None);
        };
        let folds = tokio::task::spawn_blocking(move || navigation::folding_ranges(&snap))
            .await
            .unwrap_or_default();
        Ok(Some(folds))
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let Some(snap) = self.state.store.current(&params.text_document.uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        let positions = params.positions;
        let ranges = tokio::task::spawn_blocking(move || {
            navigation::selection_ranges(&snap, &positions, enc)
        })
        .await
        .unwrap_or_default();
        Ok(Some(ranges))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.state.store.current(&uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        let Some((snap, analysis)) = self.analyze_blocking(snap).await else {
            return Ok(None);
        };
        Ok(Some(preview::code_lenses(&uri, &snap, &analysis, enc)))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        if params.command != preview::RENDER_PREVIEW {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )));
        }
        let args = preview::parse_args(&params.arguments)?;
        let Some(snap) = self.state.store.current(&args.uri) else {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(
                "the document is not open",
            ));
        };
        let settings = self.settings();
        let workspace = self.workspace();
        // A relative cluster template path is relative to the first workspace folder.
        let root = self
            .state
            .roots
            .read()
            .ok()
            .and_then(|r| r.first().cloned());
        let text = tokio::task::spawn_blocking(move || {
            let cluster_text = settings.platform.pod_template.as_ref().and_then(|p| {
                let path = match &root {
                    Some(root) if p.is_relative() => root.join(p),
                    _ => p.clone(),
                };
                crate::workspace::read_indexable(&path)
            });
            let cluster = cluster_text.as_deref().map(crate::engine::parse);
            let ctx = crate::analysis::render::RenderContext {
                workspace: Some(&workspace),
                cluster_template: cluster.as_ref(),
            };
            preview::preview_text(&snap, args.document, args.layer, &settings, &ctx)
        })
        .await
        .map_err(|_| tower_lsp_server::jsonrpc::Error::internal_error())?;
        Ok(Some(Value::String(text)))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let Some(snap) = self.state.store.current(&at.text_document.uri) else {
            return Ok(None);
        };
        // Completion and hover read YAML text; in Python files they are the next step, and
        // meanwhile the type checker beside us answers.
        if snap.language == crate::engine::Language::Python {
            return Ok(None);
        }
        let enc = self.encoding();
        let offset = convert::offset(&snap, at.position, enc);
        let typed = params
            .context
            .as_ref()
            .and_then(|c| c.trigger_character.as_deref());
        if typed.is_some_and(|t| !crate::engine::answers_trigger(&snap.text, offset, t)) {
            return Ok(None);
        }
        // The tree is parsed only if the answer needs it (see `completions`).
        let stream = || snap.stream();
        let workspace = self.workspace();
        let result = crate::engine::completions_lazy(
            &snap.text,
            &stream,
            &self.settings(),
            Some(&workspace),
            offset,
        );
        let items = result.items.len();
        tracing::debug!(version = snap.version, offset, items, "completion");
        let caps = self.state.completion.read().map(|c| *c).unwrap_or_default();
        let response = features::completion_response(&snap, &result, enc, caps);
        Ok(Some(response))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let Some(snap) = self.state.store.current(&at.text_document.uri) else {
            return Ok(None);
        };
        // Completion and hover read YAML text; in Python files they are the next step, and
        // meanwhile the type checker beside us answers.
        if snap.language == crate::engine::Language::Python {
            return Ok(None);
        }
        let enc = self.encoding();
        let offset = convert::offset(&snap, at.position, enc);
        let workspace = self.workspace();
        let settings = self.settings();
        let result = crate::engine::hover_parsed(
            &snap.text,
            snap.stream(),
            &settings,
            Some(&workspace),
            offset,
        );
        Ok(result.map(|h| features::hover_response(&snap, &h, enc)))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.state.store.current(&uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        let start = convert::offset(&snap, params.range.start, enc);
        let end = convert::offset(&snap, params.range.end, enc).max(start);
        let Some((snap, analysis)) = self.analyze_blocking(snap).await else {
            return Ok(None);
        };
        let mut actions = Vec::new();
        for d in &analysis.diagnostics {
            // Touching ranges count, so a cursor right after the word still gets its fix.
            if d.range.end < start || d.range.start > end {
                continue;
            }
            for fix in &d.fixes {
                let edits = fix
                    .edits
                    .iter()
                    .map(|e| TextEdit {
                        range: convert::range(&snap, &e.range, enc),
                        new_text: e.new_text.clone(),
                    })
                    .collect();
                let mut changes = HashMap::new();
                changes.insert(uri.clone(), edits);
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![convert::diagnostic(&snap, d, enc)]),
                    edit: Some(WorkspaceEdit {
                        changes: Some(changes),
                        document_changes: None,
                        change_annotations: None,
                    }),
                    command: None,
                    is_preferred: Some(d.fixes.len() == 1),
                    disabled: None,
                    data: None,
                }));
            }
        }
        // Refactors (add a container, add a volume and its mount) where the cursor is, unless
        // the client asked for other kinds only.
        let wants_refactors = params.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|k| k.as_str() == "refactor" || k.as_str().starts_with("refactor."))
        });
        let refactors = if wants_refactors {
            crate::engine::refactors(&snap.text, snap.stream(), &self.settings(), start)
        } else {
            Vec::new()
        };
        for fix in refactors {
            let edits = fix
                .edits
                .iter()
                .map(|e| TextEdit {
                    range: convert::range(&snap, &e.range, enc),
                    new_text: e.new_text.clone(),
                })
                .collect();
            let mut changes = HashMap::new();
            changes.insert(uri.clone(), edits);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title,
                kind: Some(CodeActionKind::REFACTOR),
                diagnostics: None,
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    document_changes: None,
                    change_annotations: None,
                }),
                command: None,
                is_preferred: None,
                disabled: None,
                data: None,
            }));
        }
        Ok(Some(actions))
    }
}
