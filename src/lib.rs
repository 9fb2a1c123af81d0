//! flyte-lsp: a language server and linter for Flyte task environments and pod templates.
pub mod text;
pub mod yaml;
