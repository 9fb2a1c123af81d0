//! Hostile input, one test binary: whatever a file or a client sends, flyte-lsp stays up and
//! bounded. Each module is one part of the reliability and security work (`docs/reliability.md`,
//! `docs/security.md`):
//!
//! - `limits`: every limit (nesting, anchors, alias expansion, sizes, long lines, NUL bytes,
//!   non-UTF-8 files, symlink loops, unreadable files), through `check`/`render` and the server;
//! - `protocol_faults`: malformed JSON, wrong lengths, unknown methods, requests before
//!   `initialize`, positions past the end, stale versions, cancellation, exit, closed stdin,
//!   panics in handlers;
//! - `incremental_model`: 10,000 random incremental edits against a fresh open of the result;
//! - `fuzz_regressions`: every crash the fuzzers found, replayed through the real code path;
//! - `python`: a 5 MB module, invalid UTF-8, all syntax errors, 10,000 nested brackets;
//! - `stdio`: a socket pair and regular files as stdin and stdout;
//! - `security`: no programs, no network, writes only through the client or atomic `--fix`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../raw/mod.rs"]
mod raw;

mod fuzz_regressions;
mod incremental_model;
mod limits;
mod protocol_faults;
mod python;
mod security;
mod stdio;
mod work;
