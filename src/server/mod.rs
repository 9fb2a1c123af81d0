//! The LSP server: a thin shell over `engine`. It owns the protocol types, the document store
//! and the settings; `capabilities` is the handshake, `handlers/` answers each request with one
//! `engine` call on a snapshot, and `convert` turns byte ranges into positions.
//!
//! Logging goes to stderr; stdout carries only the protocol.

mod capabilities;
mod convert;
mod guard;
mod handlers;
pub mod heap;
pub mod store;
pub mod transport;
mod workspace;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, Server};

use crate::settings::Settings;
use crate::text::Encoding;
use crate::workspace::WorkspaceIndex;
use store::Store;

/// Serves LSP on stdin/stdout until the client exits or stdin closes. Returns whether the
/// client asked for `shutdown` first: the specification wants exit code 1 otherwise.
pub async fn run_stdio() -> bool {
    let stdin = tokio::io::stdin();
    let stdout = tokio::io::stdout();
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    let handoff = Arc::new(transport::Handoff::default());
    let parked = handoff.clone();
    let (service, socket) =
        guard::service(move |client| Backend::with_shutdown_flag(client, flag, parked));
    Server::new(
        transport::Sanitize::with_handoff(stdin, handoff),
        stdout,
        socket,
    )
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
    /// Held from a publish task's last generation check until its diagnostics are handed to
    /// the client, so an older version's diagnostics can never be sent after a newer one's.
    publishing: tokio::sync::Mutex<()>,
    /// Replaced as a whole; every analysis reads it once (see `Backend::settings`).
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
    completion: RwLock<capabilities::CompletionCaps>,
    /// `didOpen` parameters the transport decoded, waiting for their handoff notification.
    handoff: Arc<transport::Handoff>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend::with_shutdown_flag(client, Arc::default(), Arc::default())
    }

    fn with_shutdown_flag(
        client: Client,
        shut_down: Arc<AtomicBool>,
        handoff: Arc<transport::Handoff>,
    ) -> Backend {
        Backend {
            client,
            state: Arc::new(State {
                shut_down,
                handoff,
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

    /// A copy of the current settings. A handler reads them once and hands that one version
    /// to every `engine` call of its answer.
    fn settings(&self) -> Settings {
        let mut settings = self
            .state
            .settings
            .read()
            .map(|s| s.clone())
            .unwrap_or_default();
        settings.editor = true;
        settings
    }

    fn encoding(&self) -> Encoding {
        self.state.encoding.read().map(|e| *e).unwrap_or_default()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        self.handle_initialize(params).await
    }

    async fn initialized(&self, _: InitializedParams) {
        self.handle_initialized().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.handle_shutdown()
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.handle_did_open(params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.handle_did_change(params);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        self.handle_did_save(params).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.handle_did_close(params).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.handle_watched_files(params).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.handle_did_change_configuration(params).await;
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        self.handle_diagnostic(params).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        self.handle_goto_definition(params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        self.handle_references(params).await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.handle_prepare_rename(params).await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        self.handle_rename(params).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.handle_document_symbol(params).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.handle_folding_range(params).await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        self.handle_selection_range(params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.handle_code_lens(params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        self.handle_execute_command(params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.handle_completion(params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.handle_hover(params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.handle_code_action(params).await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.handle_formatting(params)
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        self.handle_range_formatting(params)
    }

    async fn on_type_formatting(
        &self,
        params: DocumentOnTypeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        self.handle_on_type_formatting(params)
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.handle_semantic_tokens_full(params)
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        self.handle_semantic_tokens_range(params)
    }
}

/// Runs blocking work `f` (an analysis) on the runtime worker that polls this task, after
/// handing the worker's other tasks to another thread; `None` when `f` panicked.
///
/// Why not `spawn_blocking`: that wakes a pool thread to start the work and a worker to go on
/// after it, two thread wake-ups that cost 50-200 µs each on a small VM after the idle time
/// between keystrokes, on every publish's path. Here the work starts at once, and the task
/// goes on with its result on the same thread. The hand-off of the other tasks is off that
/// path. A current-thread runtime (which cannot do this) falls back to `spawn_blocking`.
pub(crate) async fn in_place<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use tokio::runtime::{Handle, RuntimeFlavor};
    if Handle::current().runtime_flavor() == RuntimeFlavor::MultiThread {
        // A panic is caught here as `spawn_blocking` would catch it, so the task can go on.
        tokio::task::block_in_place(|| catch_unwind(AssertUnwindSafe(f))).ok()
    } else {
        tokio::task::spawn_blocking(f).await.ok()
    }
}
