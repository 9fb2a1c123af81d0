// What a pod preview shows, without VS Code: the renderPreview argument, the preview
// document's name and query (and back), and which "Preview pod" lens the cursor picks in Python.
// Plain TypeScript, so `npm test` checks it in Node.

import * as path from 'path';

/** The server's preview command (see `src/server/handlers/preview.rs`). */
export const RENDER_PREVIEW = 'flyte-lsp.renderPreview';

/** The argument of `flyte-lsp.renderPreview`, as the code lenses pass it: in YAML `{uri,
 * document}`, the `---` document by index; in Python `{uri, environment}` or `{uri, task}`, the
 * names `flyte-lsp render --environment/--task` take (a Python file's document indices move
 * with every construct typed above). `layer` is optional (`sdk`). */
export interface PreviewArg {
  uri: string;
  document?: number;
  environment?: string;
  task?: string;
  layer?: 'sdk' | 'cluster';
}

/** The parts of an LSP code lens read here. */
export interface Lens {
  range: { start: { line: number } };
  command?: { command: string; arguments?: unknown[] };
}

/** The preview document's path and query for `arg`: `/<name> (pod 1).yaml` in YAML,
 * `/<name> (environment train).yaml` or `(task fit)` in Python; the query carries the source
 * and the argument (see previewArgument). */
export function previewLocation(arg: PreviewArg, sourcePath: string): { path: string; query: string } {
  const layer = arg.layer ?? 'sdk';
  const base = path.posix.basename(sourcePath).replace(/\.(ya?ml|py)$/, '');
  const query = new URLSearchParams({ source: arg.uri, layer });
  let what: string;
  if (arg.environment !== undefined || arg.task !== undefined) {
    // Both may be given (as on the command line): that environment's task.
    if (arg.environment !== undefined) {
      query.set('environment', arg.environment);
    }
    if (arg.task !== undefined) {
      query.set('task', arg.task);
    }
    what = arg.task !== undefined ? `task ${arg.task}` : `environment ${arg.environment}`;
  } else {
    const document = arg.document ?? 0;
    query.set('document', String(document));
    what = `pod ${document + 1}`;
  }
  const label = layer === 'sdk' ? what : `${what}, cluster`;
  return { path: `/${base} (${label}).yaml`, query: query.toString() };
}

/** The renderPreview argument a preview document's query carries (see previewLocation). */
export function previewArgument(queryText: string): PreviewArg {
  const query = new URLSearchParams(queryText);
  const argument: PreviewArg = {
    uri: query.get('source') ?? '',
    layer: query.get('layer') === 'cluster' ? 'cluster' : 'sdk',
  };
  const environment = query.get('environment');
  const task = query.get('task');
  if (environment !== null || task !== null) {
    if (environment !== null) {
      argument.environment = environment;
    }
    if (task !== null) {
      argument.task = task;
    }
  } else {
    argument.document = Number(query.get('document') ?? 0);
  }
  return argument;
}

/** In Python, the "Preview pod" lens for the cursor's `line` (0-based): the nearest one at or
 * above it, else the first one. The server puts a lens on the first line of each
 * `flyte.TaskEnvironment(...)` and `clone_with(...)`, and on each task decorator that sets its
 * own `pod_template`, so the cursor in an environment's call, or in its tasks below, picks that
 * environment. Lenses of other commands are skipped. */
export function lensAt(lenses: Lens[], line: number): PreviewArg | undefined {
  const ours = lenses
    .filter((l) => {
      const arg = l.command?.arguments?.[0] as PreviewArg | undefined;
      return l.command?.command === RENDER_PREVIEW && typeof arg?.uri === 'string';
    })
    .sort((a, b) => a.range.start.line - b.range.start.line);
  const above = ours.filter((l) => l.range.start.line <= line);
  const lens = above.length > 0 ? above[above.length - 1] : ours[0];
  return lens ? { ...(lens.command?.arguments?.[0] as PreviewArg) } : undefined;
}
