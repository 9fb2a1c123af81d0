// The preview's argument, its document's name and which lens the cursor picks in Python
// (src/preview.ts, compiled to out/): `npm test`.
'use strict';
const assert = require('node:assert/strict');
const test = require('node:test');
const { lensAt, previewArgument, previewLocation, RENDER_PREVIEW } = require('../out/preview.js');

const PY = 'file:///ws/envs.py';

function lens(line, arg, command = RENDER_PREVIEW) {
  return { range: { start: { line, character: 0 }, end: { line, character: 5 } }, command: { title: 'Preview pod', command, arguments: [arg] } };
}

test('YAML: a document by index, named "pod N", and back', () => {
  const got = previewLocation({ uri: 'file:///ws/pod.yaml', document: 1 }, '/ws/pod.yaml');
  assert.equal(got.path, '/pod (pod 2).yaml');
  assert.deepEqual(previewArgument(got.query), { uri: 'file:///ws/pod.yaml', document: 1, layer: 'sdk' });
  const cluster = previewLocation({ uri: 'file:///ws/pod.yaml', layer: 'cluster' }, '/ws/pod.yaml');
  assert.equal(cluster.path, '/pod (pod 1, cluster).yaml');
  assert.deepEqual(previewArgument(cluster.query), { uri: 'file:///ws/pod.yaml', document: 0, layer: 'cluster' });
});

test('Python: an environment or a task by name, never with a document index', () => {
  const env = previewLocation({ uri: PY, environment: 'train' }, '/ws/envs.py');
  assert.equal(env.path, '/envs (environment train).yaml');
  assert.deepEqual(previewArgument(env.query), { uri: PY, environment: 'train', layer: 'sdk' });
  const task = previewLocation({ uri: PY, task: 'fit', layer: 'cluster' }, '/ws/envs.py');
  assert.equal(task.path, '/envs (task fit, cluster).yaml');
  assert.deepEqual(previewArgument(task.query), { uri: PY, task: 'fit', layer: 'cluster' });
  // Both, as `render --environment E --task T` takes them.
  const both = previewArgument(previewLocation({ uri: PY, environment: 'e', task: 't' }, '/ws/envs.py').query);
  assert.deepEqual(both, { uri: PY, environment: 'e', task: 't', layer: 'sdk' });
});

test('Python: the lens nearest at or above the cursor, else the first; other commands skipped', () => {
  const lenses = [
    lens(30, { uri: PY, task: 'fit' }),
    lens(22, { uri: PY, environment: 'train' }),
    lens(24, { uri: PY, environment: 'serve' }),
    lens(26, { uri: PY }, 'something.else'),
  ];
  assert.deepEqual(lensAt(lenses, 22), { uri: PY, environment: 'train' });
  assert.deepEqual(lensAt(lenses, 23), { uri: PY, environment: 'train' });
  assert.deepEqual(lensAt(lenses, 27), { uri: PY, environment: 'serve' });
  assert.deepEqual(lensAt(lenses, 40), { uri: PY, task: 'fit' });
  assert.deepEqual(lensAt(lenses, 3), { uri: PY, environment: 'train' }, 'above every lens: the first');
  assert.equal(lensAt([], 3), undefined);
  assert.equal(lensAt([lens(1, { document: 0 })], 3), undefined, 'an argument without uri is not ours');
});
