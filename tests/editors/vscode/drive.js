// Drives VS Code (code-server in headless Chromium, through playwright-core) with the flyte-lsp
// extension installed from its .vsix, as a user would: through the keyboard, the Problems
// panel, the command palette and the code lens. Run by tests/editors/run.sh.
//
// Environment: CS_URL (the workbench URL with ?folder=), SHOT_DIR (screenshot folder),
// CHROMIUM (default /usr/bin/chromium), DRIVE_MODE and EXPECT_SERVER:
// - `full` (default): every feature; the profile sets flyte-lsp.server.path, and the output
//   channel must show EXPECT_SERVER (that path) starting, not the bundled binary;
// - `bundled`: no server.path and no flyte-lsp on PATH: diagnostics come from the binary inside
//   the .vsix (EXPECT_SERVER is its installed path), also after switching importStrategy to
//   fromEnvironment (which falls back to it).
// The profile is in save mode (settings.json). Prints `ok LABEL: NAME` or
// `not ok LABEL: NAME: DETAIL` per check (LABEL: vscode, or vscode-bundled); exits 1 on a failure.
'use strict';
const { chromium } = require('playwright-core');

const URL_ = process.env.CS_URL;
const SHOT_DIR = process.env.SHOT_DIR;
const MODE = process.env.DRIVE_MODE || 'full';
const EXPECT_SERVER = process.env.EXPECT_SERVER || '';
const LABEL = MODE === 'bundled' ? 'vscode-bundled' : 'vscode';
const FILE = 'pod-template.yaml';
let failures = 0;

function check(name, ok, detail) {
  if (ok) {
    console.log(`ok ${LABEL}: ${name}`);
  } else {
    failures += 1;
    console.log(`not ok ${LABEL}: ${name}: ${String(detail ?? '').replace(/\s+/g, ' ').slice(0, 400)}`);
  }
  return ok;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(pred, ms) {
  const end = Date.now() + ms;
  for (;;) {
    if (await pred()) return true;
    if (Date.now() > end) return false;
    await sleep(200);
  }
}

/** Monaco renders spaces as no-break spaces; compare with plain ones. */
const norm = (s) => (s || '').replace(/\u00a0/g, ' ');

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const text = async (selector) => norm(await page.evaluate(
    (s) => Array.from(document.querySelectorAll(s)).map((e) => e.innerText).join('\n'), selector));
  const problems = () => text('.markers-panel');
  const editors = () => text('.editor-instance .monaco-editor .view-lines');
  const tabs = () => text('.tabs-container .tab');

  async function palette(command) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 15000 });
    await page.keyboard.type(command, { delay: 10 });
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 15000 });
    await sleep(300);
    await page.keyboard.press('Enter');
  }

  async function goToLine(n) {
    await page.keyboard.press('Control+G');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 15000 });
    await page.keyboard.type(String(n));
    await page.keyboard.press('Enter');
    await sleep(150);
  }

  /** Replaces line `n` of the focused editor with `content`. */
  async function replaceLine(n, content) {
    await goToLine(n);
    await page.keyboard.press('Home');
    await page.keyboard.press('Home'); // the first press may stop at the first non-blank
    await page.keyboard.press('Shift+End');
    await page.keyboard.type(content);
  }

  async function openFile() {
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 15000 });
    await page.keyboard.type(FILE, { delay: 20 });
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 15000 });
    await sleep(300);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.editor-instance .monaco-editor .view-lines', { timeout: 30000 });
    await page.click('.editor-instance .monaco-editor .view-lines');
  }

  /** Adds `entry` (`"key": value,`) at the top of the User settings JSON, as a user would
   * type it, and saves (the settings editor stays open: see closeSettings). */
  async function addUserSetting(entry) {
    await palette('Preferences: Open User Settings (JSON)');
    // (VS Code 1.139 shows it in a modal editor, not a tab.)
    const settingsOpen = await waitFor(async () => (await text('.monaco-editor .view-lines'))
      .includes('"flyte-lsp.diagnostics.trigger"'), 15000);
    if (!settingsOpen) throw new Error('the settings JSON editor did not open');
    await sleep(500);
    // Put the cursor in it (the keyboard focus may still be where the palette was opened from).
    await page.locator('.monaco-editor .view-line', { hasText: '"flyte-lsp.diagnostics.trigger"' }).first()
      .click({ timeout: 5000 });
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText(entry);
    await page.keyboard.press('Control+S');
  }

  /** Closes the modal settings editor. VS Code may rewrite settings.json itself (migrating old
   * values) and then ask about unsaved changes: the setting is applied already, so discard. */
  async function closeSettings() {
    await page.keyboard.press('Escape');
    const dontSave = await page.waitForSelector('.monaco-dialog-box a.monaco-button:has-text("Don\'t Save")',
      { timeout: 1500 }).catch(() => null);
    if (dontSave) await dontSave.click();
    await sleep(300);
    await page.click('.editor-instance .monaco-editor .view-lines'); // focus back in the workbench
  }

  const outputText = () => text('.panel');
  /** Whether the output panel shows `line`: the output view wraps long lines, anywhere, so
   * compare without white space. */
  const squash = (t) => t.replace(/\s+/g, '');
  const outputShows = async (line) => squash(await outputText()).includes(squash(line));
  /** The output view renders only the lines in sight: put its cursor on the last line (the
   * newest messages), as a user scrolling down would, then look for `line`. */
  const outputEndShows = async (line) => {
    await page.locator('.panel .monaco-editor .view-lines').first().click({ timeout: 5000 }).catch(() => {});
    await page.keyboard.press('Control+End');
    await sleep(100);
    return outputShows(line);
  };
  const outputTail = async () => (await outputText()).slice(-400);

  /** Every feature, with flyte-lsp.server.path set (it wins over the bundled binary). */
  async function full() {
    // 1. Diagnostics after open, in the Problems panel.
    await openFile();
    await page.keyboard.press('Control+Shift+M');
    const open = await waitFor(async () => (await problems()).includes('FLY201'), 45000);
    check('Problems panel shows FLY201 after open', open, await problems());
    await page.click('.editor-instance .monaco-editor .view-lines');

    // 2. Save mode: an edit changes nothing until Ctrl+S.
    await replaceLine(4, '  team-name: ml');
    await replaceLine(5, '  owner: data eng');
    await sleep(2500);
    const held = await problems();
    check('save mode: diagnostics unchanged while editing', held.includes('FLY201') && !held.includes('FLY202'), held);
    await page.keyboard.press('Control+S');
    const saved = await waitFor(async () => {
      const p = await problems();
      return p.includes('FLY202') && !p.includes('FLY201');
    }, 20000);
    check('Problems panel shows FLY202 (and no FLY201) after save', saved, await problems());

    // 3. Completion in the container: the suggest widget offers imagePullPolicy.
    await goToLine(9);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('imageP');
    await page.keyboard.press('Control+Space');
    const suggested = await waitFor(async () => (await text('.suggest-widget .monaco-list')).includes('imagePullPolicy'), 15000);
    check('completion widget offers imagePullPolicy', suggested, await text('.suggest-widget'));
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+K'); // delete the line again
    await page.keyboard.press('Control+S');

    // 4. The "Preview pod" code lens opens the rendered pod beside the editor.
    const lens = await page.waitForSelector('.codelens-decoration a:has-text("Preview pod")', { timeout: 20000 })
      .then((e) => e, () => null);
    if (check('a "Preview pod" code lens', lens !== null, await text('.codelens-decoration'))) {
      // VS Code re-renders lenses when the server answers again (after the save above), which
      // detaches a handle taken earlier: click through a locator, which finds the element anew
      // on each attempt.
      await page.locator('.codelens-decoration a:has-text("Preview pod")').first().click({ timeout: 20000 });
      const shown = await waitFor(async () => (await editors()).includes('kind: Pod'), 20000);
      check('code lens opens the preview with kind: Pod', shown && (await tabs()).includes('(pod 1)'),
        `${await tabs()} | ${(await editors()).slice(0, 200)}`);
    }

    // 5. The preview refreshes on save (save mode).
    await page.click('.editor-instance .monaco-editor .view-lines');
    await replaceLine(5, '  owner: platform');
    await page.keyboard.press('Control+S');
    const refreshed = await waitFor(async () => (await editors()).includes('owner: platform')
      && (await editors()).includes('kind: Pod'), 20000);
    check('preview refreshes on save', refreshed, (await editors()).slice(0, 300));

    // 6. "Flyte: Preview pod" from the command palette.
    await palette('View: Close All Editors');
    await sleep(500);
    await openFile();
    await goToLine(4);
    await palette('Flyte: Preview pod');
    const fromPalette = await waitFor(async () => (await editors()).includes('kind: Pod'), 20000);
    check('"Flyte: Preview pod" opens a read-only preview with kind: Pod', fromPalette
      && (await tabs()).includes('(pod 1)'), `${await tabs()} | ${(await editors()).slice(0, 200)}`);

    // 7. "Flyte: Restart server": the new server analyses the next save.
    await palette('Flyte: Restart server');
    await sleep(1500);
    await page.click('.editor-instance .monaco-editor .view-lines');
    await replaceLine(4, '  team name: ml');
    await page.keyboard.press('Control+S');
    await page.keyboard.press('Control+Shift+M');
    const restarted = await waitFor(async () => (await problems()).includes('FLY201'), 20000);
    check('after "Flyte: Restart server" diagnostics still update', restarted, await problems());
    if (SHOT_DIR) await page.screenshot({ path: `${SHOT_DIR}/code-server.png` });

    // 8. A settings change reaches the running server: turning FLY201 off (in the settings
    // JSON editor, as a user would) clears it.
    await addUserSetting('"flyte-lsp.rules": {"FLY201": "off"},');
    const cleared = await waitFor(async () => {
      const p = await problems();
      return !p.includes('FLY201') && p.includes('No problems have been detected');
    }, 20000);
    check('a settings change (rules: FLY201 off) applies without a restart', cleared, await problems());
    await closeSettings();

    // 9. "Flyte: Show output" shows the extension's log: the binary of server.path started,
    // although the extension holds a bundled one.
    await palette('Flyte: Show output');
    const started = `Starting ${EXPECT_SERVER} serve`;
    const logShown = await waitFor(async () => outputEndShows(started), 15000);
    check('"Flyte: Show output" shows the server log: server.path wins over the bundled binary',
      logShown && (await outputShows(`Using ${EXPECT_SERVER} (the setting flyte-lsp.server.path)`)),
      `expected "${started}": ${await outputTail()}`);
  }

  /** No server.path, no flyte-lsp on PATH: the binary inside the .vsix runs. */
  async function bundled() {
    await openFile();
    await page.keyboard.press('Control+Shift+M');
    const open = await waitFor(async () => (await problems()).includes('FLY201'), 45000);
    check('bundled binary: Problems panel shows FLY201 after open (no flyte-lsp on PATH, no server.path)',
      open, await problems());
    if (SHOT_DIR) await page.screenshot({ path: `${SHOT_DIR}/code-server-bundled.png` });

    await page.click('.editor-instance .monaco-editor .view-lines');
    await palette('Flyte: Show output');
    const using = `Using the bundled ${EXPECT_SERVER} (importStrategy useBundled)`;
    const logShown = await waitFor(async () => outputEndShows(using), 15000);
    check('the output channel says the bundled binary runs (importStrategy useBundled, the default)',
      logShown && /Server:flyte-lsp\d/.test(squash(await outputText())), `expected "${using}": ${await outputTail()}`);
    if (SHOT_DIR) await page.screenshot({ path: `${SHOT_DIR}/code-server-bundled-output.png` });
    // The log is short yet, all in sight: the server took every setting the extension sent.
    check('the server accepts the settings the extension sends (no "flyte-lsp settings:" warning)',
      !(await outputShows('flyte-lsp settings:')), await outputTail());

    // fromEnvironment finds no flyte-lsp on PATH: the server restarts on the bundled binary, and
    // says so.
    await addUserSetting('"flyte-lsp.importStrategy": "fromEnvironment",');
    await closeSettings();
    const fallback = `importStrategy is fromEnvironment but flyte-lsp is not on PATH: using the bundled ${EXPECT_SERVER}`;
    const fellBack = await waitFor(async () => outputEndShows(fallback), 20000);
    if (!check('importStrategy fromEnvironment without flyte-lsp on PATH falls back to the bundled binary, and says so',
      fellBack, `expected "${fallback}": ${await outputTail()}`) && SHOT_DIR) {
      await page.screenshot({ path: `${SHOT_DIR}/code-server-bundled-failure.png` });
    }
    await page.click('.editor-instance .monaco-editor .view-lines');
    await replaceLine(4, '  team-name: ml');
    await replaceLine(5, '  owner: data eng');
    await page.keyboard.press('Control+S');
    await page.keyboard.press('Control+Shift+M');
    const saved = await waitFor(async () => {
      const p = await problems();
      return p.includes('FLY202') && !p.includes('FLY201');
    }, 20000);
    check('the restarted (bundled) server analyses the next save (FLY202)', saved, await problems());
  }

  try {
    const t0 = Date.now();
    await page.goto(URL_, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    check('workbench loaded', true, `${Date.now() - t0} ms`);
    await sleep(2000);

    if (MODE === 'bundled') {
      await bundled();
    } else {
      await full();
    }
  } catch (e) {
    check('driver error', false, e && e.stack ? e.stack : e);
    if (SHOT_DIR) await page.screenshot({ path: `${SHOT_DIR}/code-server-failure.png` }).catch(() => {});
  } finally {
    await browser.close();
  }
  process.exit(failures === 0 ? 0 : 1);
})();
