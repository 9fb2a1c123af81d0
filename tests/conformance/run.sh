#!/usr/bin/env bash
# Conformance test: `flyte-lsp render --layer sdk` against the real flyte SDK (see README.md here):
# the YAML cases (compare.py, cases/*.yaml), then the Python files (compare_py.py, python/*.py).
#
# Environment:
#   CONFORMANCE_VENV  virtualenv with the pinned SDK (default ~/.cache/flyte-lsp/conformance-venv);
#                     created and filled on first use, reused afterwards
#   PYTHON            interpreter to create it with (default python3; flyte needs >= 3.10)
#   FLYTE_LSP         flyte-lsp binary to test; when unset, `cargo build --release --locked` builds one
# Arguments: -v (both), case files: `*.py` go to compare_py.py, others to compare.py; with files
# of only one kind, only that comparison runs.
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

flags=() yaml_cases=() py_cases=()
for arg in "$@"; do
  case "$arg" in
    -*) flags+=("$arg") ;;
    *.py) py_cases+=("$arg") ;;
    *) yaml_cases+=("$arg") ;;
  esac
done

echo "== comparing render --layer sdk with flyte $("$venv/bin/python" -c 'from importlib.metadata import version as v; print(v("flyte"), "/ kubernetes", v("kubernetes"))')"
status=0
if [ ${#yaml_cases[@]} -gt 0 ] || [ ${#py_cases[@]} -eq 0 ]; then
  echo "== YAML cases (compare.py)"
  "$venv/bin/python" "$here/compare.py" ${flags[@]+"${flags[@]}"} ${yaml_cases[@]+"${yaml_cases[@]}"} || status=$?
fi
if [ ${#py_cases[@]} -gt 0 ] || [ ${#yaml_cases[@]} -eq 0 ]; then
  echo "== Python files (compare_py.py: imports them, runs flyte.extras.serialize)"
  py_status=0
  "$venv/bin/python" "$here/compare_py.py" ${flags[@]+"${flags[@]}"} ${py_cases[@]+"${py_cases[@]}"} || py_status=$?
  # 2 (could not run) wins over 1 (a case failed).
  [ "$py_status" -gt "$status" ] && status=$py_status
fi
exit "$status"
