//! The `LanguageServer` handlers, by feature. Each one converts the request from the protocol
//! (positions to byte offsets in the negotiated encoding), makes one `crate::engine` call on
//! one snapshot of the document with one settings version, and converts the answer back.
//! Nothing here decides *what* to answer; that is `engine` and `analysis`.
//!
//! - `lifecycle`: initialize, initialized, shutdown, settings;
//! - `documents`: open, change, save, close, and diagnostics (pushed and pulled);
//! - `navigation`: definition, references, rename, outline, folding, selection ranges;
//! - `completion`: completion and hover;
//! - `code_actions`: quick fixes, refactors and `source.fixAll`;
//! - `preview`: the "Preview pod" lenses and the `flyte-lsp.renderPreview` command;
//! - `declined`: formatting and semantic tokens, answered with nothing (the user's formatter
//!   and type checker own them).

mod code_actions;
mod completion;
mod declined;
mod documents;
mod lifecycle;
mod navigation;
mod preview;

pub use code_actions::FIX_ALL;
pub use preview::RENDER_PREVIEW;
