#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 30), from the committed seeds in
# fuzz/seeds/TARGET plus a scratch corpus in fuzz/corpus/TARGET (git-ignored). Exits non-zero
# on the first crash; libFuzzer then names the input it saved under fuzz/artifacts/TARGET.
#
#   fuzz/run.sh 30            # the bounded CI run
#   fuzz/run.sh 3600 analyze  # one target, longer (see fuzz/README.md)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). It works on the stable toolchain with
# `-s none` (no sanitizer): Rust code is memory-safe, and what we look for is panics, stack
# overflows, hangs (`-timeout`) and memory blow-ups (`-rss_limit_mb`).
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-30}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(analyze cursor edits framing python)
fi

cargo fuzz build -s none
mkdir -p logs
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "seeds/$target"
  echo "== fuzz $target for ${seconds}s"
  log="logs/$target.log"
  # -timeout: one input taking longer than 10 s is a hang; -rss_limit_mb: a blow-up.
  # -max_len 65536: large enough for the limits (deep nesting, long lines) to be reachable.
  # The Python target also starts from the SDK oracle's files and the Python test fixtures.
  extra=()
  if [ "$target" = python ]; then
    extra=(../tests/conformance/python ../tests/fixtures/python)
  fi
  status=0
  cargo fuzz run -s none "$target" "corpus/$target" "seeds/$target" "${extra[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 > "$log" 2>&1 || status=$?
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)|Done [0-9]+ runs" "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "fuzz target $target failed (status $status); the input is in fuzz/artifacts/$target" >&2
    exit "$status"
  fi
done
