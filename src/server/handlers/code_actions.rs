//! Code actions: the client's range and `only` in, `engine::code_actions` (quick fixes of the
//! diagnostics the range touches, refactors at its start, the file's safe fixes for
//! `source.fixAll`), and [`code_actions`], the one place that turns them into LSP code actions.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    TextEdit, Uri, WorkspaceEdit,
};

use crate::analysis::actions::{ActionKinds, CodeActions};
use crate::analysis::Fix;
use crate::text::Encoding;

use super::super::convert;
use super::super::store::Snapshot;
use super::super::Backend;

impl Backend {
    pub(in crate::server) async fn handle_code_action(
        &self,
        params: CodeActionParams,
    ) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.state.store.current(&uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        let start = convert::offset(&snap, params.range.start, enc);
        let end = convert::offset(&snap, params.range.end, enc).max(start);
        let kinds = wanted(params.context.only.as_deref());
        let settings = self.settings();
        let workspace = self.workspace();
        let actions = tokio::task::spawn_blocking(move || {
            let found = crate::engine::code_actions(
                &snap.text,
                snap.stream(),
                &settings,
                Some(&workspace),
                &(start..end),
                kinds,
            );
            code_actions(&uri, &snap, found, enc)
        })
        .await
        .ok();
        Ok(actions)
    }
}

/// The kind of the file's fix-all action: run by an editor's `"source.fixAll"` on save (VS Code
/// `editor.codeActionsOnSave`, Neovim's `only = {"source.fixAll"}`).
pub const FIX_ALL: &str = "source.fixAll.flyte-lsp";

/// The kinds `only` asks for: a kind is wanted when `only` names it or a parent of it
/// (`refactor` covers `refactor.extract`, `source` and `source.fixAll` cover
/// `source.fixAll.flyte-lsp`), or a child of a kind we offer (`refactor.rewrite`). Without
/// `only` (a light bulb) the quick fixes and refactors are offered; fix-all is a source action,
/// offered only when asked for.
fn wanted(only: Option<&[CodeActionKind]>) -> ActionKinds {
    let asks = |kind: &str| {
        only.is_none_or(|only| {
            only.iter().any(|k| {
                let k = k.as_str();
                k == kind
                    || kind.starts_with(&format!("{k}."))
                    || k.starts_with(&format!("{kind}."))
            })
        })
    };
    let fix_all = only.is_some_and(|only| {
        only.iter()
            .any(|k| k.as_str() == FIX_ALL || FIX_ALL.starts_with(&format!("{}.", k.as_str())))
    });
    ActionKinds {
        quick_fixes: asks("quickfix"),
        refactors: asks("refactor"),
        fix_all,
    }
}

/// The LSP code actions of one range's analysis: each quick fix with the diagnostic it fixes,
/// then each refactor, then the file's fix-all, as edits to this document in the negotiated
/// encoding.
pub fn code_actions(
    uri: &Uri,
    snap: &Snapshot,
    found: CodeActions,
    enc: Encoding,
) -> Vec<CodeActionOrCommand> {
    let quick = found.quick_fixes.into_iter().map(|q| CodeAction {
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![convert::diagnostic(snap, &q.diagnostic, enc)]),
        is_preferred: Some(q.preferred),
        ..action(uri, snap, q.fix, enc)
    });
    let refactors = found.refactors.into_iter().map(|fix| CodeAction {
        kind: Some(CodeActionKind::REFACTOR),
        ..action(uri, snap, fix, enc)
    });
    let fix_all = found.fix_all.into_iter().map(|fix| CodeAction {
        kind: Some(CodeActionKind::from(FIX_ALL)),
        ..action(uri, snap, fix, enc)
    });
    quick
        .chain(refactors)
        .chain(fix_all)
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

/// A code action that applies `fix` to this document; kind and diagnostics left to the caller.
fn action(uri: &Uri, snap: &Snapshot, fix: Fix, enc: Encoding) -> CodeAction {
    let edits = fix
        .edits
        .iter()
        .map(|e| TextEdit {
            range: convert::range(snap, &e.range, enc),
            new_text: e.new_text.clone(),
        })
        .collect();
    CodeAction {
        title: fix.title,
        kind: None,
        diagnostics: None,
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            document_changes: None,
            change_annotations: None,
        }),
        command: None,
        is_preferred: None,
        disabled: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(only: &[&str]) -> ActionKinds {
        let only: Vec<CodeActionKind> = only
            .iter()
            .map(|k| CodeActionKind::from(k.to_string()))
            .collect();
        wanted(Some(&only))
    }

    fn kinds_of(quick_fixes: bool, refactors: bool, fix_all: bool) -> ActionKinds {
        ActionKinds {
            quick_fixes,
            refactors,
            fix_all,
        }
    }

    #[test]
    fn only_picks_the_kinds() {
        assert_eq!(wanted(None), kinds_of(true, true, false));
        assert_eq!(
            kinds(&["quickfix", "refactor"]),
            kinds_of(true, true, false)
        );
        assert_eq!(kinds(&["quickfix"]), kinds_of(true, false, false));
        assert_eq!(kinds(&["refactor"]), kinds_of(false, true, false));
        assert_eq!(kinds(&["refactor.rewrite"]), kinds_of(false, true, false));
        assert_eq!(kinds(&["source"]), kinds_of(false, false, true));
        assert_eq!(kinds(&["source.fixAll"]), kinds_of(false, false, true));
        assert_eq!(kinds(&[FIX_ALL]), kinds_of(false, false, true));
        assert_eq!(
            kinds(&["source.fixAll.eslint"]),
            kinds_of(false, false, false)
        );
        assert_eq!(
            kinds(&["source.organizeImports"]),
            kinds_of(false, false, false)
        );
    }
}
