// Which binary the extension runs (src/server.ts, compiled to out/): `npm test`.
// The file system is faked through `isExecutable`, except for the executable-bit repair.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const test = require('node:test');
const { findServer, repairBundled, isExecutableFile } = require('../out/server.js');

const EXT = '/ext/flyte-lsp.flyte-lsp-0.1.0-linux-x64';
const BUNDLED = `${EXT}/bundled/flyte-lsp`;

function query(files, over = {}) {
  return {
    configuredPath: '',
    strategy: 'useBundled',
    extensionDir: EXT,
    envPath: '/usr/bin:/opt/env/bin',
    platform: 'linux',
    home: '/home/u',
    isExecutable: (f) => files.includes(f),
    ...over,
  };
}

test('server.path wins over the bundled binary and PATH', () => {
  const got = findServer(query([BUNDLED, '/opt/env/bin/flyte-lsp', '/x/flyte-lsp'], { configuredPath: '/x/flyte-lsp' }));
  assert.equal(got.path, '/x/flyte-lsp');
  assert.equal(got.source, 'setting');
  assert.match(got.reason, /flyte-lsp\.server\.path/);
});

test('server.path expands ~ and does not fall back when it is wrong', () => {
  assert.equal(findServer(query(['/home/u/bin/flyte-lsp'], { configuredPath: '~/bin/flyte-lsp' })).path,
    '/home/u/bin/flyte-lsp');
  const bad = findServer(query([BUNDLED], { configuredPath: '/nope/flyte-lsp' }));
  assert.equal(bad.path, undefined);
  assert.match(bad.problem, /points to "\/nope\/flyte-lsp"/);
});

test('useBundled (the default) runs the bundled binary even with one on PATH', () => {
  const got = findServer(query([BUNDLED, '/opt/env/bin/flyte-lsp']));
  assert.deepEqual([got.path, got.source], [BUNDLED, 'bundled']);
  assert.match(got.reason, /bundled .*useBundled/);
  // An unknown value reads as the default.
  assert.equal(findServer(query([BUNDLED, '/opt/env/bin/flyte-lsp'], { strategy: 'other' })).path, BUNDLED);
});

test('useBundled without a bundled binary falls back to PATH and says so', () => {
  const got = findServer(query(['/opt/env/bin/flyte-lsp']));
  assert.deepEqual([got.path, got.source], ['/opt/env/bin/flyte-lsp', 'environment']);
  assert.match(got.reason, /holds no bundled flyte-lsp .*from PATH/);
});

test('fromEnvironment runs the first flyte-lsp on PATH', () => {
  const got = findServer(query([BUNDLED, '/usr/bin/flyte-lsp', '/opt/env/bin/flyte-lsp'], { strategy: 'fromEnvironment' }));
  assert.deepEqual([got.path, got.source], ['/usr/bin/flyte-lsp', 'environment']);
});

test('fromEnvironment without one on PATH falls back to the bundled binary and says so', () => {
  const got = findServer(query([BUNDLED], { strategy: 'fromEnvironment' }));
  assert.deepEqual([got.path, got.source], [BUNDLED, 'bundled']);
  assert.match(got.reason, /not on PATH: using the bundled/);
});

test('nothing anywhere: a problem naming all three places', () => {
  for (const strategy of ['useBundled', 'fromEnvironment']) {
    const got = findServer(query([], { strategy }));
    assert.equal(got.path, undefined);
    assert.match(got.problem, /bundled/);
    assert.match(got.problem, /PATH/);
    assert.match(got.problem, /server\.path/);
  }
});

test('Windows: flyte-lsp.exe, in bundled/ and on a ;-separated PATH', () => {
  const ext = 'C:\\ext';
  const bundled = path.join(ext, 'bundled', 'flyte-lsp.exe');
  assert.equal(findServer(query([bundled], { platform: 'win32', extensionDir: ext })).path, bundled);
  const onPath = path.join('C:\\tools', 'flyte-lsp.exe');
  assert.equal(findServer(query([onPath], { platform: 'win32', extensionDir: ext, envPath: 'C:\\a;C:\\tools' })).path,
    onPath);
});

test('a bundled binary unpacked without its executable bit gets it back', (t) => {
  if (process.platform === 'win32') return t.skip('no executable bit');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flyte-ext-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'bundled'));
  const bin = path.join(dir, 'bundled', 'flyte-lsp');
  fs.writeFileSync(bin, '#!/bin/sh\n', { mode: 0o644 });
  assert.equal(isExecutableFile(bin), false);
  assert.match(repairBundled(dir, process.platform), /restored/);
  assert.equal(isExecutableFile(bin), true);
  assert.equal(repairBundled(dir, process.platform), undefined);
  assert.equal(findServer({ ...query([]), isExecutable: undefined, extensionDir: dir, envPath: '' }).path, bin);
});
