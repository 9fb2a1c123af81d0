#!/usr/bin/env bash
# Real-world sweep: point flyte-lsp at a folder of public Kubernetes manifests.
#
# usage: tests/realworld/sweep.sh DIR [OUT]
#
# Converts every Pod and workload (Deployment, StatefulSet, DaemonSet, ReplicaSet,
# ReplicationController, Job, CronJob) under DIR into one `kind: PodTemplate` (or Pod) file each
# in OUT/docs (default: a new temporary folder), runs `flyte-lsp check --format json` over them
# and over DIR itself, and prints the figures. OUT/findings.tsv lists every error and warning
# with its source file and line. Needs python3 with PyYAML. FLYTE_LSP=path overrides the binary
# (default: target/release/flyte-lsp, built with `cargo build --release`).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -d "$1" ]; then
    sed -n '4,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=$1
out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/flyte-lsp-sweep.XXXXXX")}

bin=${FLYTE_LSP:-}
if [ -z "$bin" ]; then
    (cd "$root" && cargo build --release --quiet)
    bin=$root/target/release/flyte-lsp
fi

rm -rf "$out/docs"
mkdir -p "$out/docs"
python3 "$here/sweep.py" convert "$dir" "$out/docs"

check() {
    # exit 0: clean, 1: findings; anything else is a failure of the run itself
    local rc=0
    "$bin" check --format json "$1" > "$2" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "flyte-lsp check $1 failed (exit $rc)" >&2
        exit "$rc"
    fi
}
check "$out/docs" "$out/converted.json"
check "$dir" "$out/raw.json"

python3 "$here/sweep.py" report "$out"
