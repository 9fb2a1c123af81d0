#!/usr/bin/env bash
# The Python corpus against the real kubernetes client: `gen.py --check` (the generated cases are
# current) and `construct.py --check` (every valid case builds, CONSTRUCT.txt lists exactly the
# invalid cases the client refuses). Needs the conformance venv (PyYAML, kubernetes 37.0.2),
# which tests/conformance/run.sh creates; same path logic (CONFORMANCE_VENV).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
venv="${CONFORMANCE_VENV:-$HOME/.cache/flyte-lsp/conformance-venv}"
if [ ! -x "$venv/bin/python" ]; then
  echo "no virtualenv at $venv: run tests/conformance/run.sh first" >&2
  exit 2
fi
"$venv/bin/python" "$here/gen.py" --check
"$venv/bin/python" "$here/construct.py" --check
