#!/usr/bin/env node
// `npm run package [-- --target T] [-- --binary FILE]`: a platform .vsix with the server inside.
//
// It does not build the server: it expects `cargo build --release` (for the host) or
// `cargo build --release --target TRIPLE` (for another platform) to have run, and says so when
// the binary is missing. The binary is copied to bundled/ with mode 0755 (vsce stores the mode,
// VS Code restores it on install), `vsce package --target T` writes flyte-lsp-T.vsix, and
// bundled/ is removed again so that a development build of the extension has no bundled binary.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const HERE = path.resolve(__dirname, '..');
const REPO = path.resolve(HERE, '..', '..');

/** vsce targets and the Rust target triples their binaries are built for. */
const TRIPLES = {
  'linux-x64': 'x86_64-unknown-linux-gnu',
  'linux-arm64': 'aarch64-unknown-linux-gnu',
  'alpine-x64': 'x86_64-unknown-linux-musl',
  'alpine-arm64': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64': 'x86_64-pc-windows-msvc',
  'win32-arm64': 'aarch64-pc-windows-msvc',
};

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { target: process.env.VSCE_TARGET, binary: process.env.FLYTE_LSP_BINARY };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (flag === '--target') args.target = value;
    else if (flag === '--binary') args.binary = value;
    else fail(`unknown argument ${argv[i]} (expected --target TARGET or --binary FILE)`);
  }
  return args;
}

/** The vsce target of this machine (`linux-x64` here). */
function hostTarget() {
  return `${process.platform}-${process.arch}`;
}

/** What the binary's header says it runs on: `linux`, `darwin` or `win32`, and the CPU. */
function binaryKind(file) {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(4096);
  const n = fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  if (n >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    const machine = head.readUInt16LE(18); // e_machine of a little-endian ELF
    return { os: 'linux', arch: { 0x3e: 'x64', 0xb7: 'arm64' }[machine] ?? `machine ${machine}` };
  }
  if (n >= 8 && head.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = head.readUInt32LE(4);
    return { os: 'darwin', arch: { 0x01000007: 'x64', 0x0100000c: 'arm64' }[cpu] ?? `cpu ${cpu}` };
  }
  if (n >= 64 && head.toString('latin1', 0, 2) === 'MZ') {
    const pe = head.readUInt32LE(60); // offset of the PE header; its machine field follows "PE\0\0"
    const machine = pe + 6 <= n ? head.readUInt16LE(pe + 4) : 0;
    return { os: 'win32', arch: { 0x8664: 'x64', 0xaa64: 'arm64' }[machine] ?? `machine ${machine}` };
  }
  return { os: 'unknown', arch: 'unknown' };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const target = args.target || hostTarget();
  const triple = TRIPLES[target];
  if (!triple) {
    fail(`unknown target ${target}; one of ${Object.keys(TRIPLES).join(', ')}`);
  }
  const os = target.split('-')[0] === 'alpine' ? 'linux' : target.split('-')[0];
  const arch = target.split('-')[1];
  const exe = os === 'win32' ? 'flyte-lsp.exe' : 'flyte-lsp';

  // The binary: --binary, else cargo's output for the triple, else (for the host) target/release.
  const candidates = args.binary
    ? [path.resolve(args.binary)]
    : [path.join(REPO, 'target', triple, 'release', exe)].concat(
      target === hostTarget() ? [path.join(REPO, 'target', 'release', exe)] : []);
  const binary = candidates.find((f) => fs.existsSync(f));
  if (!binary) {
    const build = target === hostTarget() ? 'cargo build --release' : `cargo build --release --target ${triple}`;
    fail(`no server binary for ${target}: looked for ${candidates.join(', ')}.\n`
      + `Build it first, from the repository root: ${build}\n`
      + '(or pass --binary FILE). `npm run package:universal` packages the extension without a binary.');
  }
  const kind = binaryKind(binary);
  if (kind.os !== os || kind.arch !== arch) {
    fail(`${binary} is a ${kind.os}-${kind.arch} binary, not one for ${target}`);
  }
  if (target === hostTarget()) {
    const srcDir = path.join(REPO, 'src');
    if (!args.binary && fs.existsSync(srcDir) && newestMtime(srcDir) > fs.statSync(binary).mtimeMs) {
      console.error(`package: warning: ${binary} is older than src/ (run cargo build --release)`);
    }
    const version = spawnSync(binary, ['--version'], { encoding: 'utf8' });
    if (version.status !== 0) {
      fail(`${binary} --version failed: ${version.stderr || version.error}`);
    }
    const expected = require(path.join(HERE, 'package.json')).version;
    const got = version.stdout.trim();
    if (!got.endsWith(` ${expected}`)) {
      console.error(`package: warning: the server says "${got}", the extension is ${expected}`);
    }
    console.error(`package: bundling ${binary} (${got})`);
  } else {
    console.error(`package: bundling ${binary}`);
  }

  const bundled = path.join(HERE, 'bundled');
  fs.rmSync(bundled, { recursive: true, force: true });
  fs.mkdirSync(bundled);
  const dest = path.join(bundled, exe);
  fs.copyFileSync(binary, dest);
  fs.chmodSync(dest, 0o755);
  const out = `flyte-lsp-${target}.vsix`;
  let status = 1;
  try {
    const vsce = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
    const run = spawnSync(process.execPath, [vsce, 'package', '--target', target, '--skip-license',
      '--allow-missing-repository', '-o', out], { cwd: HERE, stdio: 'inherit' });
    status = run.status ?? 1;
  } finally {
    fs.rmSync(bundled, { recursive: true, force: true });
  }
  if (status !== 0) {
    fail(`vsce package failed (status ${status})`);
  }
  const size = fs.statSync(path.join(HERE, out)).size;
  console.error(`package: ${out} (${(size / 1048576).toFixed(1)} MiB) holds bundled/${exe}`);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

main();
