//! Open documents and their diagnostics: the store takes every edit synchronously; a publish
//! (push clients) or a `textDocument/diagnostic` request (pull clients) reads the settings
//! once, picks the snapshot those settings name (current, or last saved in save mode), and
//! analyses it with those same settings.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::settings::{Settings, Trigger};
use crate::text::Encoding;
use crate::workspace::WorkspaceIndex;

use super::super::guard;
use super::super::store::{ChangeOutcome, Snapshot};
use super::super::Backend;

impl Backend {
    pub(in crate::server) fn handle_did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let language =
            crate::engine::language_of_document(Some(doc.language_id.as_str()), doc.uri.as_str());
        let selection = self.selection(&doc.uri, language, &self.settings());
        self.state
            .store
            .open_selected(doc.uri.clone(), doc.version, doc.text, language, selection);
        self.schedule_publish(doc.uri);
    }

    /// A `didOpen` that the transport decoded itself ([`crate::server::transport::handoff`]):
    /// its parameters are parked under the slot this notification names.
    pub(in crate::server) async fn did_open_handoff(
        &self,
        params: crate::server::transport::handoff::HandoffParams,
    ) {
        match self.state.handoff.take(params.slot) {
            Some(open) => self.handle_did_open(open),
            None => tracing::warn!(slot = params.slot, "no parked didOpen for this slot"),
        }
    }

    /// What the `files.*` settings say about the document at `uri`. A document with no file
    /// path (an unsaved buffer) is read, with no forced kind: no glob can name it.
    pub(in crate::server) fn selection(
        &self,
        uri: &Uri,
        language: crate::engine::Language,
        settings: &Settings,
    ) -> crate::settings::Selection {
        match uri.to_file_path() {
            Some(path) => settings.files.select(&path, language),
            None => crate::settings::Selection::default(),
        }
    }

    /// After a settings change: gives every open document the selection the new settings
    /// make, re-parsing those whose selection changed. An excluded document leaves the index.
    pub(in crate::server) fn reselect_open_documents(&self) {
        let settings = self.settings();
        for uri in self.state.store.uris() {
            let Some(language) = self.state.store.language(&uri) else {
                continue;
            };
            let selection = self.selection(&uri, language, &settings);
            let Some(replaced) = self.state.store.reselect(&uri, selection) else {
                continue;
            };
            tokio::task::spawn_blocking(move || drop(replaced));
            if selection.excluded {
                if let Some(path) = uri.to_file_path() {
                    self.reindex(&path, None);
                }
            }
        }
    }

    pub(in crate::server) fn handle_did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let outcome =
            self.state
                .store
                .change(&uri, version, &params.content_changes, self.encoding());
        match outcome {
            ChangeOutcome::Applied(previous) => {
                // The last holder of the old snapshot frees its tree; keep that off this thread.
                // Mostly the new version's parse holds it as its base, and dropping a shared
                // one at once (rather than in a task that may run late) leaves that parse its
                // only holder, so it moves the tree out instead of cloning it.
                if let Ok(last) = Arc::try_unwrap(previous) {
                    tokio::task::spawn_blocking(move || drop(last));
                }
                if self.settings().trigger == Trigger::Change {
                    self.schedule_publish(uri);
                }
            }
            ChangeOutcome::Stale => tracing::debug!(version, "ignoring a change that is not newer"),
            ChangeOutcome::Unknown => tracing::warn!("didChange for a document that is not open"),
        }
    }

    pub(in crate::server) async fn handle_did_save(&self, params: DidSaveTextDocumentParams) {
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

    pub(in crate::server) async fn handle_did_close(&self, params: DidCloseTextDocumentParams) {
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

    /// `textDocument/diagnostic`: the full report of the snapshot the trigger names.
    pub(in crate::server) async fn handle_diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let settings = self.settings();
        let uri = &params.text_document.uri;
        let items = match self.analysed_snapshot(uri, &settings) {
            Some(snap) => self.analyse(uri, &snap, settings).await.unwrap_or_default(),
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

    /// The snapshot diagnostics are computed for under `settings`: the current version, or in
    /// save mode the last saved one.
    fn analysed_snapshot(&self, uri: &Uri, settings: &Settings) -> Option<Arc<Snapshot>> {
        match settings.trigger {
            Trigger::Change => self.state.store.current(uri),
            Trigger::Save => self.state.store.saved(uri),
        }
    }

    /// Publishes diagnostics in a background task. Each call starts a new generation and a task
    /// gives up as soon as a newer one exists, so rapid edits coalesce without a fixed delay:
    /// only the newest request is analysed to the end and published.
    pub(in crate::server) fn schedule_publish(&self, uri: Uri) {
        if self.state.pull.load(Ordering::Relaxed) {
            // A pull client asks for diagnostics itself; the index still follows its edits.
            let settings = self.settings();
            if let Some(snap) = self.analysed_snapshot(&uri, &settings) {
                self.reindex_later(uri, snap);
            }
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
            // One settings version picks the snapshot and analyses it.
            let settings = this.settings();
            let Some(snap) = this.analysed_snapshot(&uri, &settings) else {
                return;
            };
            this.analyse_and_publish(&uri, generation, &snap, settings)
                .await;
            // What a Python file gives the index (the templates it names, the containers and
            // volumes it defines, which cost a second parse) never changes its own
            // diagnostics: it is indexed once they are out, off the keystroke's path and off
            // the CPU its analysis uses. Beside the analysis, on a 2-core machine, it took the
            // CPU the analysis's second half wanted, or the parse itself (docs/performance.md,
            // session 16). A YAML file may define templates its own documents name, so the
            // analysis indexes it first.
            if snap.language == crate::engine::Language::Python {
                this.reindex_later(uri, snap);
            }
        });
    }

    /// Re-indexes `snap` on the blocking pool if it is still the document's current version
    /// then (a newer one is indexed by its own call). For a Python file after its diagnostics
    /// are out, and for a pull client, whose edits reach no publish task.
    fn reindex_later(&self, uri: Uri, snap: Arc<Snapshot>) {
        let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
            return;
        };
        let indexer = self.clone();
        tokio::task::spawn_blocking(move || {
            let current = indexer.state.store.current(&uri).map(|s| s.version);
            if current == Some(snap.version) {
                indexer.reindex(&path, Some((&snap.text, snap.stream())));
            }
        });
    }

    /// The diagnostics of `snap`, analysed in place (`server::in_place`); a YAML file is
    /// indexed first, as its own documents may name the templates it defines. `None` when the
    /// analysis failed.
    async fn analyse(
        &self,
        uri: &Uri,
        snap: &Arc<Snapshot>,
        settings: Settings,
    ) -> Option<Vec<Diagnostic>> {
        let enc = self.encoding();
        let work = snap.clone();
        let indexer = self.clone();
        let yaml_path = match snap.language {
            crate::engine::Language::Python => None,
            crate::engine::Language::Yaml => uri.to_file_path().map(|p| p.into_owned()),
        };
        super::super::in_place(move || {
            if let Some(path) = &yaml_path {
                indexer.reindex(path, Some((&work.text, work.stream())));
            }
            lsp_diagnostics(&work, &settings, enc, &indexer.workspace())
        })
        .await
    }

    /// Analyses `snap` and publishes its diagnostics, unless a newer generation has superseded
    /// them or they are what was last published.
    async fn analyse_and_publish(
        &self,
        uri: &Uri,
        generation: u64,
        snap: &Arc<Snapshot>,
        settings: Settings,
    ) {
        let Some(diags) = self.analyse(uri, snap, settings).await else {
            tracing::error!("analysis task failed");
            return;
        };
        // Checked under the lock that the send holds: a task that passed the check without it
        // could be overtaken by a newer version's publish and then send stale diagnostics
        // after it.
        let _publishing = self.state.publishing.lock().await;
        if !self.is_current_generation(uri, generation) {
            tracing::debug!(version = snap.version, "dropping superseded diagnostics");
            return;
        }
        {
            let mut published = self
                .state
                .published
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if published.get(uri) == Some(&(snap.version, diags.clone())) {
                return;
            }
            published.insert(uri.clone(), (snap.version, diags.clone()));
        }
        self.client
            .publish_diagnostics(uri.clone(), diags, Some(snap.version))
            .await;
    }
}

/// The LSP diagnostics of one snapshot under one settings version: the size notice of a
/// document above the ceiling, else the analysis's findings, capped.
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
