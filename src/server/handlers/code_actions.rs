//! Code actions: the client's range and `only` in, `engine::code_actions` (quick fixes of the
//! diagnostics the range touches, refactors at its start), and [`code_actions`], the one place
//! that turns them into LSP code actions.

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

/// The kinds `only` asks for: a kind is wanted when `only` is absent or names it or a parent
/// of it (`refactor` covers `refactor.extract`).
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
    ActionKinds {
        quick_fixes: asks("quickfix"),
        refactors: asks("refactor"),
    }
}

/// The LSP code actions of one range's analysis: each quick fix with the diagnostic it fixes,
/// then each refactor, as edits to this document in the negotiated encoding.
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
    quick
        .chain(refactors)
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

    #[test]
    fn only_picks_the_kinds() {
        let both = ActionKinds {
            quick_fixes: true,
            refactors: true,
        };
        assert_eq!(wanted(None), both);
        assert_eq!(kinds(&["quickfix", "refactor"]), both);
        assert_eq!(
            kinds(&["quickfix"]),
            ActionKinds {
                quick_fixes: true,
                refactors: false
            }
        );
        let refactors = ActionKinds {
            quick_fixes: false,
            refactors: true,
        };
        assert_eq!(kinds(&["refactor"]), refactors);
        assert_eq!(kinds(&["refactor.rewrite"]), refactors);
        assert_eq!(
            kinds(&["source"]),
            ActionKinds {
                quick_fixes: false,
                refactors: false
            }
        );
    }
}
