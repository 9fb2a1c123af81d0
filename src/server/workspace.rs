//! The workspace side of the server: scanning the folders for PodTemplates (and the Python
//! files that name them or define containers and volumes), watching YAML and Python files, and
//! keeping the index current as open documents change. Indexing work runs on
//! blocking threads, the scan on a thread of its own at a lower priority, so that a document
//! opened meanwhile is analysed first. Readers take the current snapshot (an `Arc`, never waiting on indexing);
//! a re-index publishes a new snapshot that differs in one file's entries, which costs O(log n)
//! because the index is a persistent map (a clone is O(1)), not a copy of the workspace.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tower_lsp_server::ls_types::*;

use crate::workspace::WorkspaceIndex;

use super::Backend;

impl Backend {
    pub(super) fn workspace(&self) -> Arc<WorkspaceIndex> {
        self.state
            .workspace
            .read()
            .map(|w| w.clone())
            .unwrap_or_default()
    }

    /// Re-indexes one file from its current text; publishes a new snapshot only when its
    /// entries changed, so ordinary keystrokes cost one cheap comparison. The entries are
    /// computed outside the lock (a Python file is parsed again for them); the update happens
    /// under it, on the current snapshot, so a concurrent re-index or the workspace scan is never
    /// overwritten by an older index. `make_mut` copies the snapshot only while a reader holds
    /// it, and that copy is O(1): readers keep the snapshot they took.
    pub(super) fn reindex(
        &self,
        path: &std::path::Path,
        text: Option<(&str, &crate::tree::Stream)>,
    ) {
        let defs = match text {
            Some((text, stream)) => crate::workspace::index_file(path, text, stream),
            None => Vec::new(),
        };
        if self.workspace().lookup_file(path) == defs.as_slice() {
            return;
        }
        if let Ok(mut w) = self.state.workspace.write() {
            Arc::make_mut(&mut w).set(path, defs);
        }
    }

    /// Indexes the workspace folders' PodTemplates in the background (bounded, no symlinks).
    pub(super) async fn scan_workspace(&self) {
        let roots = self
            .state
            .roots
            .read()
            .map(|r| r.clone())
            .unwrap_or_default();
        let rules = self.settings().files;
        // Open documents are newer than the disk (an excluded one has no documents to index).
        // Their entries are taken under the lock, so an edit re-indexed meanwhile is not lost
        // when the scanned index replaces the old one.
        let this = self.clone();
        // A thread of its own rather than the blocking pool's, so that its lower priority ends
        // with it and never reaches an analysis that reuses the thread.
        let (done, finished) = tokio::sync::oneshot::channel::<()>();
        let spawned = std::thread::Builder::new()
            .name("flyte-lsp-index".into())
            .spawn(move || {
                background_priority();
                let mut index = WorkspaceIndex::scan_selected(&roots, &rules);
                if let Ok(mut w) = this.state.workspace.write() {
                    for uri in this.state.store.uris() {
                        if let (Some(path), Some(snap)) =
                            (uri.to_file_path(), this.state.store.current(&uri))
                        {
                            index.update_parsed(&path, &snap.text, snap.stream());
                        }
                    }
                    tracing::info!(templates = index.len(), "workspace indexed");
                    *w = Arc::new(index);
                }
                let _ = done.send(());
            });
        match spawned {
            // A panic in the scan drops `done`: the index stays as it was, as before.
            Ok(_) => {
                let _ = finished.await;
            }
            Err(err) => tracing::warn!(%err, "could not start the workspace scan"),
        }
    }

    pub(super) async fn watch_files(&self) {
        if !self.state.dynamic_watchers.load(Ordering::Relaxed) {
            return;
        }
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.{yaml,yml,py}".to_string()),
                kind: None,
            }],
        };
        let registration = Registration {
            id: "flyte-lsp-file-watcher".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(err) = self.client.register_capability(vec![registration]).await {
            tracing::warn!(%err, "could not register the file watcher");
        }
    }

    /// `workspace/didChangeWatchedFiles`: re-index the files that changed on disk.
    pub(super) async fn handle_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            let Some(path) = change.uri.to_file_path().map(|p| p.into_owned()) else {
                continue;
            };
            // A client may watch more than it was asked to (a virtual environment's files).
            let Some(language) = crate::workspace::watched(&path) else {
                continue;
            };
            // An open document is tracked through its edits, not the disk.
            if self.state.store.current(&change.uri).is_some() {
                continue;
            }
            let this = self.clone();
            let selection = self.settings().files.select(&path, language);
            let deleted = change.typ == FileChangeType::DELETED || selection.excluded;
            let _ = tokio::task::spawn_blocking(move || {
                let text = if deleted {
                    None
                } else {
                    crate::workspace::read_indexable(&path)
                };
                match text {
                    Some(text) => {
                        let stream =
                            crate::workspace::parse_for_index(&text, language, selection.kind);
                        this.reindex(&path, Some((&text, &stream)));
                    }
                    None => this.reindex(&path, None),
                }
            })
            .await;
        }
        self.refresh_all().await;
    }
}

/// Lowers the calling thread's scheduling priority (nice 10). The scan's CPU time is the same,
/// but on a machine with few cores the analysis of a document opened while it runs is served
/// first (first diagnostics must not wait for the index; docs/performance.md).
#[cfg(target_os = "linux")]
fn background_priority() {
    // SAFETY: both calls take plain integers and touch no memory of ours. On Linux a thread id
    // given to `setpriority` names that one thread (setpriority(2), NOTES). Failing is harmless:
    // the scan then runs at the normal priority.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid);
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
    }
}

#[cfg(not(target_os = "linux"))]
fn background_priority() {}
