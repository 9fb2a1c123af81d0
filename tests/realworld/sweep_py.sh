#!/usr/bin/env bash
# Real-world Python sweep: point flyte-lsp at a folder of public Flyte Python files.
#
# usage: tests/realworld/sweep_py.sh DIR [OUT]
#
# Runs `flyte-lsp check --format json` over DIR (every *.py file; those that import flyte,
# flytekit or kubernetes are read) into OUT/check.json (default OUT: a new temporary folder),
# prints the figures (files read and importing, documents found, files flagged, findings per
# code, constructs not read yet) and writes OUT/findings.tsv: every error and warning with its
# file, line, code, severity, message and source line. Needs python3. FLYTE_LSP=path overrides
# the binary (default: target/debug/flyte-lsp, built with `cargo build`).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -d "$1" ]; then
    sed -n '4,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=$1
out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/flyte-lsp-sweep-py.XXXXXX")}
mkdir -p "$out"

bin=${FLYTE_LSP:-}
if [ -z "$bin" ]; then
    (cd "$root" && cargo build --quiet)
    bin=$root/target/debug/flyte-lsp
fi

# exit 0: clean, 1: findings; anything else is a failure of the run itself
rc=0
"$bin" check --format json "$dir" > "$out/check.json" || rc=$?
if [ "$rc" -gt 1 ]; then
    echo "flyte-lsp check $dir failed (exit $rc)" >&2
    exit "$rc"
fi

python3 "$here/sweep_py.py" report "$dir" "$out/check.json" "$out"
