//! flyte-lsp: a language server and linter for Flyte task environments and pod templates.
//!
//! Layers, from the bottom up (each only uses the ones above it in this list):
//! - [`text`]: byte offsets ⇄ line/column (UTF-8, UTF-16), clamping.
//! - [`yaml`]: the spanned YAML tree; parsing never fails.
//! - [`schema`]: embedded JSON Schemas and enum tables.
//! - [`model`]: document kinds (task environment, Flyte pod template, Kubernetes object).
//! - [`settings`]: user settings shared by server and CLI.
//! - [`analysis`]: pure functions from (text, tree, schema, settings) to plain results.
//! - [`server`] and [`cli`]: the only IO; `server` is the only place with LSP types.
//!
//! Invariant: nothing below `server` imports LSP types, and positions are byte offsets until
//! the edge converts them.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::print_stdout,
        clippy::dbg_macro
    )
)]

pub mod analysis;
pub mod cli;
pub mod engine;
pub mod model;
pub mod python;
pub mod schema;
pub mod server;
pub mod settings;
pub mod text;
pub mod tree;
pub mod workspace;
pub mod yaml;
