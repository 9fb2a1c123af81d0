#!/usr/bin/env bash
# Regenerates the embedded Kubernetes JSON Schemas (schemas/k8s/v1.NN.json) with the xtask
# generator, one build per Kubernetes version.
#
#   bash schemas/regen.sh           # rewrite schemas/k8s/v1.35.json .. v1.37.json
#   bash schemas/regen.sh --check   # regenerate in memory; exit 1 if a committed file differs
#
# Environment: KUBE_VERSIONS="35 36 37" (space separated minors) to restrict the set;
# CARGO_TARGET_DIR is honoured (default: xtask/target). Uses the committed xtask/Cargo.lock
# (--locked), so a stale lock file fails instead of silently resolving new versions.
set -euo pipefail

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd -- "$here/.." && pwd)"
manifest="$root/xtask/Cargo.toml"
outdir="$root/schemas"

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

versions="${KUBE_VERSIONS:-35 36 37}"
drift=0
for minor in $versions; do
  args=("$outdir")
  [[ "$mode" == check ]] && args=(--check "$outdir")
  echo "== k8s v1.$minor ($mode)" >&2
  set +e
  cargo run --quiet --locked --manifest-path "$manifest" --features "v1_$minor" -- "${args[@]}"
  rc=$?
  set -e
  case "$rc" in
    0) ;;
    1) if [[ "$mode" == check ]]; then drift=1; else exit 1; fi ;;
    *) echo "regen.sh: generator for v1.$minor failed (exit $rc)" >&2; exit "$rc" ;;
  esac
done

if [[ "$drift" -ne 0 ]]; then
  echo "regen.sh: committed schemas differ from the generator output; run 'bash schemas/regen.sh' and commit schemas/k8s/" >&2
  exit 1
fi
