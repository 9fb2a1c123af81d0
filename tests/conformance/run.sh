#!/usr/bin/env bash
# Conformance test: `flyte-lsp render --layer sdk` against the real flyte SDK (see README.md here).
#
# Environment:
#   CONFORMANCE_VENV  virtualenv with the pinned SDK (default ~/.cache/flyte-lsp/conformance-venv);
#                     created and filled on first use, reused afterwards
#   PYTHON            interpreter to create it with (default python3; flyte needs >= 3.10)
#   FLYTE_LSP         flyte-lsp binary to test; when unset, `cargo build --release --locked` builds one
# Arguments are passed to compare.py (case files, -v).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

venv="${CONFORMANCE_VENV:-$HOME/.cache/flyte-lsp/conformance-venv}"
python="${PYTHON:-python3}"
# The reference versions. constraints.txt pins everything they pull in (refresh it with
# `"$venv/bin/python" -m pip freeze > tests/conformance/constraints.txt` after changing these).
requirements=(flyte==2.12.1 kubernetes==37.0.2 pyyaml==6.0.4)
stamp="$venv/.flyte-lsp-conformance"
want="$(printf '%s\n' "${requirements[@]}" | cat - "$here/constraints.txt" | cksum)"

if [ ! -x "$venv/bin/python" ]; then
  echo "== creating the SDK virtualenv in $venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "== installing ${requirements[*]}"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c "$here/constraints.txt" "${requirements[@]}"
  echo "$want" > "$stamp"
fi

if [ -z "${FLYTE_LSP:-}" ]; then
  echo "== building flyte-lsp"
  cargo build --release --locked
  export FLYTE_LSP="$root/target/release/flyte-lsp"
fi

echo "== comparing render --layer sdk with flyte $("$venv/bin/python" -c 'from importlib.metadata import version as v; print(v("flyte"), "/ kubernetes", v("kubernetes"))')"
exec "$venv/bin/python" "$here/compare.py" "$@"
