#!/usr/bin/env bash
# The strict schemas `flyte-lsp schema` prints, checked with check-jsonschema (PyPI) over the YAML
# corpus (tests/corpus/k8s): every valid case passes, every FLY101 (unknown field) and FLY105
# (unsupported value) case fails for that reason, and the other invalid cases the schemas also
# catch are counted per code. See check_corpus.py for the grouping by kind.
#
# Environment:
#   SCHEMAS_VENV  virtualenv with check-jsonschema (default ~/.cache/flyte-lsp-schemas/venv);
#                 created and filled on first use, reused afterwards
#   PYTHON        interpreter to create it with (default python3)
#   FLYTE_LSP     flyte-lsp binary to test (default target/release/flyte-lsp, built if missing)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

venv="${SCHEMAS_VENV:-$HOME/.cache/flyte-lsp-schemas/venv}"
python="${PYTHON:-python3}"
# constraints.txt pins everything check-jsonschema pulls in (refresh it with
# `"$venv/bin/python" -m pip freeze > tests/schemas/constraints.txt` after changing this).
requirements=(check-jsonschema==0.39.0)
stamp="$venv/.flyte-lsp-schemas"
want="$(printf '%s\n' "${requirements[@]}" | cat - "$here/constraints.txt" | cksum)"

if [ ! -x "$venv/bin/python" ]; then
  echo "== creating the check-jsonschema virtualenv in $venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "== installing ${requirements[*]}"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c "$here/constraints.txt" "${requirements[@]}"
  echo "$want" > "$stamp"
fi

flyte_lsp="${FLYTE_LSP:-$root/target/release/flyte-lsp}"
if [ ! -x "$flyte_lsp" ]; then
  echo "== building flyte-lsp"
  cargo build --release --locked
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" "$here/check_corpus.py" "$flyte_lsp" "$venv/bin/check-jsonschema" \
  "$root/tests/corpus/k8s" "$work"
