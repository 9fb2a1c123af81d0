// VS Code client for flyte-lsp: starts `flyte-lsp serve` for YAML files, forwards the
// `flyte-lsp` settings, and shows the rendered pod in a read-only virtual document.
//
// The server does all the work (diagnostics, completion, hover, fixes, code lenses, rendering);
// this file only finds the binary, manages the client's life cycle and the preview documents.

import * as path from 'path';
import * as vscode from 'vscode';
import { findServer, repairBundled, ServerChoice } from './server';
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

/** The settings section; `server.*`, `trace.*` and `importStrategy` stay on the client side. */
const SECTION = 'flyte-lsp';
/** The server's preview command (see `src/server/preview.rs`). */
const RENDER_PREVIEW = 'flyte-lsp.renderPreview';
/** URI scheme of the preview documents. */
const PREVIEW_SCHEME = 'flyte-preview';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let previews: PreviewProvider;
/** The extension's own folder: a platform .vsix holds the server in its `bundled/`. */
let extensionDir = '';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Flyte LSP', { log: true });
  extensionDir = context.extensionPath;
  previews = new PreviewProvider();
  context.subscriptions.push(
    output,
    previews,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, previews),
    vscode.commands.registerCommand('flyte-lsp.previewPod', (arg?: PreviewArg) => openPreview(arg)),
    vscode.commands.registerCommand('flyte-lsp.restartServer', () => restart()),
    vscode.commands.registerCommand('flyte-lsp.showOutput', () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration(SECTION)) {
        return;
      }
      if (e.affectsConfiguration(`${SECTION}.server`) || e.affectsConfiguration(`${SECTION}.importStrategy`)) {
        await restart();
      } else if (client?.isRunning()) {
        const settings = serverSettings();
        output.appendLine(`Settings changed: ${JSON.stringify(settings)}`);
        await client.sendNotification('workspace/didChangeConfiguration', { settings: { [SECTION]: settings } });
        previews.refreshAll();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

/** Keys of the section that only this client reads. */
const CLIENT_ONLY = ['server', 'trace', 'importStrategy'];

/** The section as the server reads it (`Settings::from_json`): everything but the client-only
 * keys, and no unset settings: VS Code reports a string setting without a default as "" (and
 * some as `null`), which the server would take for a value and warn about; "" for
 * `kubernetesVersion` means the newest embedded version, which is what unset means too. */
function serverSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const unset = (_key: string, value: unknown) => (value === null || value === '' ? undefined : value);
  const settings = JSON.parse(JSON.stringify(config), unset) as Record<string, unknown>;
  for (const key of CLIENT_ONLY) {
    delete settings[key];
  }
  return settings;
}

function trigger(): string {
  return vscode.workspace.getConfiguration(SECTION).get<string>('diagnostics.trigger', 'change');
}

async function start(): Promise<void> {
  const found = chooseServer();
  if (!found.path) {
    const message =
      `Flyte LSP cannot start: ${found.problem}. Install the platform package of the extension (it holds the ` +
      'server), or install flyte-lsp (cargo install --path . in a checkout) and put it on PATH, or set ' +
      'flyte-lsp.server.path.';
    output.appendLine(message);
    const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server.path`);
    } else if (choice === 'Show Output') {
      output.show(true);
    }
    return;
  }
  output.appendLine(found.reason);
  output.appendLine(`Starting ${found.path} serve`);
  const serverOptions: ServerOptions = {
    command: found.path,
    args: ['serve'],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'yaml' }],
    outputChannel: output,
    initializationOptions: serverSettings(),
    middleware: {
      workspace: {
        // Answer `workspace/configuration` for our section with the server's keys only.
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, i) => (item.section === SECTION ? serverSettings() : answers[i]));
        },
      },
      // The server's lenses run `flyte-lsp.renderPreview`, which only returns text: route them
      // to the client command that shows that text beside the editor.
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        for (const lens of lenses ?? []) {
          if (lens.command?.command === RENDER_PREVIEW) {
            lens.command = {
              title: lens.command.title,
              command: 'flyte-lsp.previewPod',
              arguments: lens.command.arguments,
            };
          }
        }
        return lenses;
      },
    },
  };
  client = new LanguageClient('flyte-lsp', 'Flyte LSP', serverOptions, clientOptions);
  try {
    await client.start();
    const info = client.initializeResult?.serverInfo;
    if (info) {
      output.appendLine(`Server: ${info.name} ${info.version ?? ''}`.trimEnd());
    }
  } catch (err) {
    output.appendLine(`The server failed to start: ${String(err)}`);
    void vscode.window.showErrorMessage(`Flyte LSP: the server failed to start (${String(err)}).`, 'Show Output')
      .then((choice) => choice && output.show(true));
  }
}

/** `findServer` with this window's settings (see server.ts for the order). */
function chooseServer(): ServerChoice {
  const config = vscode.workspace.getConfiguration(SECTION);
  const repaired = repairBundled(extensionDir, process.platform);
  if (repaired) {
    output.appendLine(repaired);
  }
  return findServer({
    configuredPath: config.get<string>('server.path', ''),
    strategy: config.get<string>('importStrategy', 'useBundled'),
    extensionDir,
    envPath: process.env.PATH ?? '',
    platform: process.platform,
    home: process.env.HOME ?? process.env.USERPROFILE ?? '',
  });
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop(5000);
    } catch (err) {
      output.appendLine(`Stopping the server: ${String(err)}`);
    }
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
  previews.refreshAll();
}

/** The argument the code lens passes: `{uri, document}` (plus an optional `layer`). */
interface PreviewArg {
  uri: string;
  document?: number;
  layer?: 'sdk' | 'cluster';
}

/** Opens (or reveals) the preview of the document under the cursor, or of the lens's document. */
async function openPreview(arg?: PreviewArg): Promise<void> {
  let target: PreviewArg;
  if (arg && typeof arg.uri === 'string') {
    target = arg;
  } else {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.scheme !== 'file' || editor.document.languageId !== 'yaml') {
      void vscode.window.showInformationMessage('Flyte: open a YAML file to preview its pod.');
      return;
    }
    target = {
      uri: editor.document.uri.toString(),
      document: documentIndexAt(editor.document, editor.selection.active.line),
    };
  }
  const uri = previewUri(target);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
  await vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.Beside,
    preserveFocus: true,
    preview: false,
  });
}

/** Which YAML document (`---`-separated, 0-based) holds `line`, as the server counts them. */
function documentIndexAt(doc: vscode.TextDocument, line: number): number {
  let index = 0;
  let started = false;
  for (let i = 0; i <= line && i < doc.lineCount; i++) {
    const text = doc.lineAt(i).text;
    if (/^---(\s|$)/.test(text)) {
      if (started) {
        index++;
      }
      started = true;
    } else if (/^[^\s#%]/.test(text) || /^\s+[^\s#]/.test(text)) {
      started = true;
    }
  }
  return index;
}

/** `flyte-preview:/<name> (pod 1).yaml?<query>`: the query carries the source and the options. */
function previewUri(arg: PreviewArg): vscode.Uri {
  const source = vscode.Uri.parse(arg.uri);
  const document = arg.document ?? 0;
  const layer = arg.layer ?? 'sdk';
  const base = path.basename(source.path).replace(/\.ya?ml$/, '');
  const label = layer === 'sdk' ? `pod ${document + 1}` : `pod ${document + 1}, cluster`;
  const query = new URLSearchParams({ source: arg.uri, document: String(document), layer }).toString();
  return vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${base} (${label}).yaml`, query });
}

/** Serves the preview documents by asking the server to render, and refreshes them. */
class PreviewProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private timers = new Map<string, NodeJS.Timeout>();

  constructor() {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (trigger() === 'change' && e.contentChanges.length > 0) {
          this.refreshSource(e.document.uri, 250);
        }
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => this.refreshSource(doc.uri, 0)),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const query = new URLSearchParams(uri.query);
    const source = query.get('source') ?? '';
    const argument = { uri: source, document: Number(query.get('document') ?? 0), layer: query.get('layer') ?? 'sdk' };
    if (!client?.isRunning()) {
      return '# The Flyte language server is not running (see "Flyte: Show output").\n';
    }
    // The server renders what it has open: make sure the source is open (and so synced).
    if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === source)) {
      await vscode.workspace.openTextDocument(vscode.Uri.parse(source));
    }
    try {
      const text = await client.sendRequest(ExecuteCommandRequest.type, {
        command: RENDER_PREVIEW,
        arguments: [argument],
      });
      return typeof text === 'string' ? text : `# Unexpected answer from the server: ${JSON.stringify(text)}\n`;
    } catch (err) {
      return `# The server could not render this document: ${String(err)}\n`;
    }
  }

  /** Re-renders every open preview of `source` after `delay` ms (coalescing bursts of edits). */
  private refreshSource(source: vscode.Uri, delay: number): void {
    const key = source.toString();
    const open = this.openPreviews().filter((u) => new URLSearchParams(u.query).get('source') === key);
    if (open.length === 0) {
      return;
    }
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        open.forEach((u) => this.changed.fire(u));
      }, delay),
    );
  }

  refreshAll(): void {
    this.openPreviews().forEach((u) => this.changed.fire(u));
  }

  private openPreviews(): vscode.Uri[] {
    return vscode.workspace.textDocuments.filter((d) => d.uri.scheme === PREVIEW_SCHEME).map((d) => d.uri);
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.changed.dispose();
    this.subscriptions.forEach((s) => s.dispose());
  }
}
