//! The `flyte-lsp` binary: command-line entry point.
fn main() {
    println!("flyte-lsp {}", env!("CARGO_PKG_VERSION"));
}
