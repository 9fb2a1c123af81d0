// Which `flyte-lsp` binary the extension runs, as ruff's extension decides it: the setting
// `flyte-lsp.server.path` wins; otherwise `flyte-lsp.importStrategy` picks the binary bundled in
// a platform .vsix (`useBundled`, the default) or the one on PATH (`fromEnvironment`), each
// falling back to the other when it is missing.
//
// Kept free of the `vscode` module so that `npm test` can check every case in plain Node.

import * as fs from 'fs';
import * as path from 'path';

export type ImportStrategy = 'useBundled' | 'fromEnvironment';

export interface ServerQuery {
  /** `flyte-lsp.server.path`, as set ("" when unset). */
  configuredPath: string;
  /** `flyte-lsp.importStrategy`; anything else reads as `useBundled`. */
  strategy: string;
  /** The extension's folder; a platform .vsix holds the binary in `bundled/`. */
  extensionDir: string;
  /** `PATH` of the extension host. */
  envPath: string;
  /** `process.platform`. */
  platform: string;
  /** `$HOME`, for a `~` in `server.path`. */
  home: string;
  /** Whether a file is an executable regular file (injectable for tests). */
  isExecutable?: (file: string) => boolean;
}

export interface ServerChoice {
  /** The binary to run; unset when none was found (see `problem`). */
  path?: string;
  /** Where it came from. */
  source?: 'setting' | 'bundled' | 'environment';
  /** One line for the output channel: which binary and why (including any fallback). */
  reason: string;
  /** Why nothing can run, for the error message. */
  problem?: string;
}

/** The binary's file name on `platform`. */
export function binaryName(platform: string): string {
  return platform === 'win32' ? 'flyte-lsp.exe' : 'flyte-lsp';
}

/** Where a platform .vsix puts the server inside the extension (see scripts/package.js). */
export function bundledPath(extensionDir: string, platform: string): string {
  return path.join(extensionDir, 'bundled', binaryName(platform));
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `flyte-lsp` on `envPath`, if any. */
export function onPath(envPath: string, platform: string, isExecutable = isExecutableFile): string | undefined {
  const delimiter = platform === 'win32' ? ';' : ':';
  const names = platform === 'win32' ? ['flyte-lsp.exe', 'flyte-lsp'] : ['flyte-lsp'];
  for (const dir of envPath.split(delimiter)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (dir && isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

export function findServer(q: ServerQuery): ServerChoice {
  const isExecutable = q.isExecutable ?? isExecutableFile;
  const configured = q.configuredPath.trim();
  if (configured) {
    const resolved = configured === '~' || configured.startsWith('~/')
      ? path.join(q.home, configured.slice(1))
      : configured;
    if (isExecutable(resolved)) {
      return { path: resolved, source: 'setting', reason: `Using ${resolved} (the setting flyte-lsp.server.path)` };
    }
    const problem = `the setting flyte-lsp.server.path points to "${configured}", which is not an executable file`;
    return { problem, reason: problem };
  }
  const bundled = bundledPath(q.extensionDir, q.platform);
  const hasBundled = isExecutable(bundled);
  const fromPath = onPath(q.envPath, q.platform, isExecutable);
  if (q.strategy === 'fromEnvironment') {
    if (fromPath) {
      return { path: fromPath, source: 'environment', reason: `Using ${fromPath} from PATH (importStrategy fromEnvironment)` };
    }
    if (hasBundled) {
      return {
        path: bundled,
        source: 'bundled',
        reason: `importStrategy is fromEnvironment but flyte-lsp is not on PATH: using the bundled ${bundled}`,
      };
    }
    const problem = 'flyte-lsp was not found on PATH (importStrategy fromEnvironment), this extension holds no '
      + 'bundled binary, and the setting flyte-lsp.server.path is empty';
    return { problem, reason: problem };
  }
  if (hasBundled) {
    return { path: bundled, source: 'bundled', reason: `Using the bundled ${bundled} (importStrategy useBundled)` };
  }
  if (fromPath) {
    return {
      path: fromPath,
      source: 'environment',
      reason: 'This extension holds no bundled flyte-lsp (a development build or the universal package): '
        + `using ${fromPath} from PATH`,
    };
  }
  const problem = 'this extension holds no bundled flyte-lsp (a development build or the universal package), '
    + 'flyte-lsp was not found on PATH, and the setting flyte-lsp.server.path is empty';
  return { problem, reason: problem };
}

/** Gives the bundled binary back its executable bit if the .vsix was unpacked without it
 * (VS Code keeps the mode vsce stored; other unpackers may not). Returns a line to log, if any. */
export function repairBundled(extensionDir: string, platform: string): string | undefined {
  const bundled = bundledPath(extensionDir, platform);
  if (platform === 'win32' || !fs.existsSync(bundled) || isExecutableFile(bundled)) {
    return undefined;
  }
  try {
    fs.chmodSync(bundled, 0o755);
    return `The bundled ${bundled} had lost its executable bit: restored it`;
  } catch (err) {
    return `The bundled ${bundled} is not executable and chmod failed: ${String(err)}`;
  }
}
