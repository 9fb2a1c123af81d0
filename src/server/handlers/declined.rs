//! Features the server leaves to the user's other tools: formatting and semantic tokens. An
//! editor applies one formatter and one set of semantic tokens per file, so offering ours would
//! fight ruff, black or Pyright (and the YAML formatter) for the file; `initialize` advertises
//! neither, and a client that asks anyway gets `null` ("nothing from us"), not an error.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    DocumentFormattingParams, DocumentOnTypeFormattingParams, DocumentRangeFormattingParams,
    SemanticTokensParams, SemanticTokensRangeParams, SemanticTokensRangeResult,
    SemanticTokensResult, TextEdit,
};

use super::super::Backend;

impl Backend {
    pub(in crate::server) fn handle_formatting(
        &self,
        _: DocumentFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        Ok(None)
    }

    pub(in crate::server) fn handle_range_formatting(
        &self,
        _: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        Ok(None)
    }

    pub(in crate::server) fn handle_on_type_formatting(
        &self,
        _: DocumentOnTypeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        Ok(None)
    }

    pub(in crate::server) fn handle_semantic_tokens_full(
        &self,
        _: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        Ok(None)
    }

    pub(in crate::server) fn handle_semantic_tokens_range(
        &self,
        _: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        Ok(None)
    }
}
