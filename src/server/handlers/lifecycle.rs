//! The session: `initialize` (the client's capabilities in, ours out), `initialized` (fetch the
//! settings, warm the schema, index the workspace), `shutdown`, and settings changes.

use std::sync::atomic::Ordering;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::settings::Settings;

use super::super::capabilities::{self, ClientCaps};
use super::super::Backend;

impl Backend {
    pub(in crate::server) async fn handle_initialize(
        &self,
        params: InitializeParams,
    ) -> Result<InitializeResult> {
        #[cfg(debug_assertions)]
        super::super::guard::debug_panic_in_initialize(&params);
        let client = ClientCaps::from_params(&params);
        let (enc, pull) = (client.encoding, client.pull);
        if let Ok(mut e) = self.state.encoding.write() {
            *e = enc;
        }
        let state = &self.state;
        state
            .config_requests
            .store(client.config_requests, Ordering::Relaxed);
        state.refresh.store(client.refresh, Ordering::Relaxed);
        state.pull.store(pull, Ordering::Relaxed);
        state
            .dynamic_watchers
            .store(client.dynamic_watchers, Ordering::Relaxed);
        if let Ok(mut r) = state.roots.write() {
            *r = client.roots;
        }
        if let Ok(mut c) = state.completion.write() {
            *c = client.completion;
        }
        if let Some(opts) = &params.initialization_options {
            self.apply_settings(opts).await;
        }
        tracing::info!(encoding = ?enc, pull, "initialize");
        Ok(capabilities::initialize_result(enc, pull))
    }

    pub(in crate::server) async fn handle_initialized(&self) {
        self.fetch_configuration().await;
        // Parse the selected Kubernetes schema now, not on the first keystroke; then map the
        // memory the first big open will want.
        let version = self.settings().kubernetes_version();
        tokio::task::spawn_blocking(move || {
            crate::schema::schemas().for_version(version);
            crate::server::heap::warm();
            // So that the first big document's analysis does not wait for its second thread.
            crate::analysis::diagnostics::fork::start();
        });
        self.watch_files().await;
        self.scan_workspace().await;
        self.refresh_all().await;
    }

    pub(in crate::server) fn handle_shutdown(&self) -> Result<()> {
        self.state.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    pub(in crate::server) async fn handle_did_change_configuration(
        &self,
        params: DidChangeConfigurationParams,
    ) {
        let has_settings = params.settings.as_object().is_some_and(|o| !o.is_empty());
        let files = self.settings().files;
        if has_settings {
            self.apply_settings(&params.settings).await;
        } else {
            self.fetch_configuration().await;
        }
        // Files that are not open were indexed under the old globs.
        if self.settings().files != files {
            self.scan_workspace().await;
        }
        self.refresh_all().await;
    }

    /// Replaces the settings with those of `value` (LSP JSON), logging what was not understood,
    /// and gives the open documents the selection the new `files.*` globs make.
    async fn apply_settings(&self, value: &Value) {
        let (mut settings, warnings) = Settings::from_json(value);
        // Globs are relative to the workspace folders.
        settings.files.roots = self
            .state
            .roots
            .read()
            .map(|r| r.clone())
            .unwrap_or_default();
        for w in warnings {
            self.client
                .log_message(MessageType::WARNING, format!("flyte-lsp settings: {w}"))
                .await;
        }
        tracing::info!(?settings, "settings updated");
        if let Ok(mut s) = self.state.settings.write() {
            *s = settings;
        }
        self.reselect_open_documents();
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

    /// Re-analyses every open document after a settings or workspace change: pull clients are
    /// asked to pull again, push clients get new publishes.
    pub(in crate::server) async fn refresh_all(&self) {
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
}
