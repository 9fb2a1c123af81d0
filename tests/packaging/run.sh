#!/usr/bin/env bash
# Packaging test: the Python wheel and the pre-commit hook, used where there is no Rust.
#
# 1. Builds the wheel once (`maturin build --release --locked`: the same profile and lock file as
#    `cargo build --release --locked`, so after that build it only packs target/release's binary).
# 2. Wheel: installs it into a fresh venv whose PATH is that venv plus /usr/bin:/bin (no cargo,
#    checked), then `flyte-lsp --version` is Cargo.toml's, `check examples/clean` exits 0,
#    `check examples/` exits 1, and an LSP session (lsp_session.py) gets FLY101 published.
# 3. pre-commit: generates the hook repository (editors/pre-commit/generate.py) into a git repo,
#    runs `pre-commit try-repo HOOKREPO flyte-lsp --all-files` in a repo with mistakes in YAML
#    and Python (fails, names path:line and code) and in a clean one (passes). pip installs from
#    the wheel's folder only (PIP_NO_INDEX=1), and cargo is not on PATH.
# Prints PASS/FAIL lines and `packaging: N passed, N failed`; exits 1 on any failure.
#
# Environment:
#   PACKAGING_CACHE  where the pinned tools (requirements.txt) and setuptools' wheel (the hook
#                    repository's build backend) are kept; default ~/.cache/flyte-lsp-packaging
#   PYTHON           interpreter for the venvs (default python3, >= 3.11 for tomllib)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

cache="${PACKAGING_CACHE:-$HOME/.cache/flyte-lsp-packaging}"
tools="$cache/tools"
python="${PYTHON:-python3}"
setuptools_pin="setuptools==80.9.0"
stamp="$tools/.flyte-lsp-packaging"
want="$(cksum < "$here/requirements.txt")"

if [ ! -x "$tools/bin/python" ]; then
  echo "== creating the tools venv in $tools"
  mkdir -p "$cache"
  "$python" -m venv "$tools"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "== installing maturin and pre-commit (tests/packaging/requirements.txt)"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" > "$stamp"
fi
if ! ls "$cache/wheels/${setuptools_pin/==/-}"-*.whl > /dev/null 2>&1; then
  echo "== downloading $setuptools_pin (the hook repository's build backend) into $cache/wheels"
  "$tools/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: -d "$cache/wheels" "$setuptools_pin"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
summary() {
  echo "packaging: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
# A command with nothing of this shell's environment but HOME and the given PATH (no CARGO_HOME,
# RUSTUP_*, VIRTUAL_ENV or PIP_* leaks in); extra VAR=value pairs may follow the PATH.
bare() {
  local path="$1"
  shift
  env -i HOME="$HOME" LANG=C.UTF-8 PATH="$path" "$@"
}
no_rust="/usr/bin:/bin"
version="$("$tools/bin/python" -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["package"]["version"])')"

echo "== building the wheel: maturin build --release --locked"
start=$SECONDS
if ! "$tools/bin/maturin" build --release --locked --out "$work/dist" > "$work/maturin.log" 2>&1; then
  tail -n 30 "$work/maturin.log"
  fail "maturin build --release --locked"
  summary
  exit 1
fi
wheel="$(ls "$work"/dist/flyte_lsp-*.whl)"
size_kib=$(($(stat -c %s "$wheel") / 1024))
echo "   $(basename "$wheel"): $size_kib KiB, built in $((SECONDS - start)) s"
case "$(basename "$wheel")" in
  "flyte_lsp-$version-py3-none-manylinux_"*.whl) pass "wheel is flyte_lsp-$version, py3-none, a manylinux tag" ;;
  *) fail "wheel name $(basename "$wheel"): want flyte_lsp-$version-py3-none-manylinux_*" ;;
esac

echo "== wheel: fresh venv, PATH without cargo"
start=$SECONDS
"$tools/bin/python" -m venv "$work/venv"
venv_path="$work/venv/bin:$no_rust"
if bare "$venv_path" sh -c 'command -v cargo || command -v rustc' > /dev/null; then
  fail "cargo or rustc is on the test's PATH ($venv_path)"
fi
bare "$venv_path" python -m pip install --quiet --disable-pip-version-check --no-index \
  --no-cache-dir "$wheel"
if [ "$(bare "$venv_path" sh -c 'command -v flyte-lsp')" = "$work/venv/bin/flyte-lsp" ]; then
  pass "the wheel puts flyte-lsp on the venv's PATH"
else
  fail "flyte-lsp is not the venv's after installing the wheel"
fi
got="$(bare "$venv_path" flyte-lsp --version || true)"
if [ "$got" = "flyte-lsp $version" ]; then
  pass "flyte-lsp --version is Cargo.toml's ($got)"
else
  fail "flyte-lsp --version printed '$got', Cargo.toml says $version"
fi
status=0
bare "$venv_path" flyte-lsp check examples/clean > "$work/clean.out" 2>&1 || status=$?
if [ "$status" -eq 0 ]; then pass "check examples/clean exits 0"; else
  cat "$work/clean.out"
  fail "check examples/clean exited $status, want 0"
fi
status=0
bare "$venv_path" flyte-lsp check examples/ > "$work/examples.out" 2>&1 || status=$?
if [ "$status" -eq 1 ] && grep -q 'examples/mistakes/typos.yaml:14:.*FLY101' "$work/examples.out"; then
  pass "check examples/ exits 1 and names examples/mistakes/typos.yaml:14 FLY101"
else
  tail -n 20 "$work/examples.out"
  fail "check examples/ exited $status, want 1 with typos.yaml:14 FLY101"
fi
if bare "$venv_path" python "$here/lsp_session.py" examples/mistakes/typos.yaml FLY101 14; then
  pass "LSP session over stdio: initialize, didOpen, publishDiagnostics FLY101, shutdown, exit 0"
else
  fail "LSP session with the installed flyte-lsp"
fi
echo "   wheel tests: $((SECONDS - start)) s"

echo "== pre-commit: the generated hook repository, pip from the wheel's folder only, no cargo"
start=$SECONDS
cp "$cache"/wheels/*.whl "$work/dist/"
git_bare() {
  bare "$no_rust" GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid \
    GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid git "$@"
}
# A git repository at $1 holding what is already there, committed.
commit_all() {
  git_bare init --quiet "$1"
  git_bare -C "$1" add --all
  git_bare -C "$1" commit --quiet -m "test"
}
"$tools/bin/python" editors/pre-commit/generate.py "$work/hook" > /dev/null
commit_all "$work/hook"

mkdir -p "$work/bad/envs" "$work/good/envs"
cp examples/mistakes/typos.yaml "$work/bad/envs/"
cat > "$work/bad/envs/train.py" << 'EOF'
import flyte

env = flyte.TaskEnvironment(
    name="train",
    resources=flyte.Resources(memory=1024),
)
EOF
cp examples/clean/*.yaml "$work/good/envs/"
cat > "$work/good/envs/train.py" << 'EOF'
import flyte

env = flyte.TaskEnvironment(
    name="train",
    resources=flyte.Resources(memory="1Gi"),
)
EOF
commit_all "$work/bad"
commit_all "$work/good"

# pre-commit's own venv for the hook: `pip install .` of the hook repository, which resolves
# flyte-lsp==VERSION and setuptools (its build backend) from $work/dist and nothing else.
try_repo() {
  (cd "$1" && bare "$tools/bin:$no_rust" PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/dist" \
    PIP_NO_CACHE_DIR=1 PRE_COMMIT_HOME="$work/pre-commit-home" \
    pre-commit try-repo "$work/hook" flyte-lsp --all-files)
}
if bare "$tools/bin:$no_rust" sh -c 'command -v cargo || command -v rustc' > /dev/null; then
  fail "cargo or rustc is on pre-commit's PATH"
fi
status=0
try_repo "$work/bad" > "$work/bad.out" 2>&1 || status=$?
missing=""
for needle in "envs/typos.yaml:14:" "FLY101" "envs/train.py:5:" "FLY103"; do
  grep -qF "$needle" "$work/bad.out" || missing="$missing $needle"
done
if [ "$status" -eq 1 ] && [ -z "$missing" ]; then
  pass "pre-commit try-repo fails on the mistakes: envs/typos.yaml:14 FLY101, envs/train.py:5 FLY103"
else
  cat "$work/bad.out"
  fail "pre-commit try-repo on mistakes exited $status (want 1); missing:${missing:- nothing}"
fi
status=0
try_repo "$work/good" > "$work/good.out" 2>&1 || status=$?
if [ "$status" -eq 0 ] && grep -q '^flyte-lsp\.*Passed' "$work/good.out"; then
  pass "pre-commit try-repo passes on a clean folder (YAML and Python)"
else
  cat "$work/good.out"
  fail "pre-commit try-repo on a clean folder exited $status, want 0 and Passed"
fi

# As editors/pre-commit/README.md tells users: a .pre-commit-config.yaml naming the hook
# repository and a rev, files chosen by a regex instead of types; `pre-commit run` installs the
# hook into its store. The regex keeps out/ out, so its mistakes must not be reported.
mkdir -p "$work/config/envs" "$work/config/out"
cp "$work/bad/envs/"* "$work/config/envs/"
cp examples/mistakes/types.yaml "$work/config/out/"
cat > "$work/config/.pre-commit-config.yaml" << EOF
repos:
  - repo: $work/hook
    rev: $(git_bare -C "$work/hook" rev-parse HEAD)
    hooks:
      - id: flyte-lsp
        files: ^envs/.*\.(ya?ml|py)$
        types_or: [file]
EOF
commit_all "$work/config"
status=0
(cd "$work/config" && bare "$tools/bin:$no_rust" PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/dist" \
  PIP_NO_CACHE_DIR=1 PRE_COMMIT_HOME="$work/pre-commit-home" \
  pre-commit run --all-files) > "$work/config.out" 2>&1 || status=$?
if [ "$status" -eq 1 ] && grep -qF "envs/typos.yaml:14:" "$work/config.out" \
  && grep -qF "envs/train.py:5:" "$work/config.out" && ! grep -qF "out/types.yaml" "$work/config.out"; then
  pass "pre-commit run with a .pre-commit-config.yaml (rev, files regex) checks envs/ only"
else
  cat "$work/config.out"
  fail "pre-commit run with a .pre-commit-config.yaml exited $status (want 1, envs/ named, out/ not)"
fi
echo "   pre-commit tests: $((SECONDS - start)) s"

summary
