#!/usr/bin/env bash
# Runs every test: the Rust suites (unit, fixture, protocol, CLI, tidy), the conformance test
# against the real flyte SDK (PyPI, in a venv), the strict schemas against the corpus with
# check-jsonschema (PyPI, in a venv), the Python corpus, the packaging test (wheel and pre-commit
# hook), and the real-editor tests (Neovim, Emacs, VS Code via code-server). Installs what it
# needs on first use (cached under ~/.cache).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked
echo "== cargo test"
cargo test --locked
echo "== conformance: render --layer sdk against the real flyte SDK (PyPI flyte 2.12.1)"
FLYTE_LSP=./target/release/flyte-lsp bash tests/conformance/run.sh
echo "== strict schemas: check-jsonschema (PyPI 0.39.0) over the YAML corpus, grouped by kind"
FLYTE_LSP=./target/release/flyte-lsp bash tests/schemas/run.sh
echo "== python corpus: generated files current, every case built with the real kubernetes client"
bash tests/corpus/python/run.sh
echo "== packaging: the wheel (maturin) and the pre-commit hook repository, installed with no cargo on PATH"
bash tests/packaging/run.sh
echo "== real-editor tests: Neovim 0.11, Emacs + Eglot, VS Code (code-server in headless Chromium)"
bash tests/editors/run.sh all
