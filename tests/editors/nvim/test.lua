-- Headless Neovim test of editors/nvim against the real server. Run by tests/editors/run.sh:
--   nvim --headless -u NONE -i NONE -n -l test.lua
-- Environment:
--   FLYTE_LSP_BIN  the server binary
--   PLUGIN_DIR     editors/nvim (put on 'runtimepath' like a plugin manager would)
--   WORK_DIR       a scratch copy of tests/editors/fixtures (files get edited and written)
--   TEST_API       "setup": require("flyte_lsp").setup() in save mode (the Neovim 0.10 path)
--                  "enable": lsp/flyte_lsp.lua through vim.lsp.enable() in change mode (0.11)
--                  "missing": vim.lsp.enable() with no flyte-lsp on PATH: :checkhealth says so
--                  "python": vim.lsp.enable() of flyte_lsp and Pyright on envs.py (WORK_DIR has
--                  tests/editors/python/ in it)
--   PYRIGHT_BIN    pyright-langserver ("python" only)
--   PY_PYTHON      the interpreter of the venv with flyte and kubernetes, for Pyright ("python")
--   TEST_TIMEOUT_MS  per-step wait (default 10000)
-- Prints one line per check, `ok <name>` or `not ok <name>: <detail>`; exits 1 on a failure.

local bin = assert(os.getenv('FLYTE_LSP_BIN'), 'FLYTE_LSP_BIN is required')
local plugin_dir = assert(os.getenv('PLUGIN_DIR'), 'PLUGIN_DIR is required')
local work = assert(os.getenv('WORK_DIR'), 'WORK_DIR is required')
local api_kind = os.getenv('TEST_API') or 'setup'
local timeout = tonumber(os.getenv('TEST_TIMEOUT_MS') or '10000')

local failures = 0
local function check(name, ok, detail)
  if ok then
    io.stdout:write(('ok %s\n'):format(name))
  else
    failures = failures + 1
    io.stdout:write(('not ok %s: %s\n'):format(name, tostring(detail or '')))
  end
  io.stdout:flush()
  return ok
end

local function finish()
  for _, c in ipairs(vim.lsp.get_clients()) do
    c:stop()
  end
  vim.wait(3000, function()
    return #vim.lsp.get_clients() == 0
  end, 20)
  if failures == 0 then
    vim.cmd('qall!')
  else
    vim.cmd('cquit 1')
  end
end

local function codes(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, tostring(d.code))
  end
  table.sort(out)
  return out
end

local function has_code(bufnr, code)
  return vim.tbl_contains(codes(bufnr), code)
end

local function describe(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, ('%d:%d %s %s'):format(d.lnum + 1, d.col + 1, tostring(d.code), d.message))
  end
  return table.concat(out, ' | ')
end

local function buffer_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
end

local function set_line(bufnr, lnum, text)
  vim.api.nvim_buf_set_lines(bufnr, lnum, lnum + 1, false, { text })
end

--- Runs `:checkhealth flyte_lsp` and returns the report's lines (the report is closed again).
local function checkhealth()
  local before = vim.api.nvim_get_current_buf()
  vim.cmd('checkhealth flyte_lsp')
  local report = vim.api.nvim_get_current_buf()
  local lines = vim.api.nvim_buf_get_lines(report, 0, -1, false)
  if report ~= before then
    vim.cmd('tabclose')
  end
  return lines
end

--- The first line holding every one of `needles` (plain text), or nil.
local function line_with(lines, needles)
  for _, l in ipairs(lines) do
    local all = true
    for _, n in ipairs(needles) do
      if not l:find(n, 1, true) then
        all = false
        break
      end
    end
    if all then
      return l
    end
  end
  return nil
end

local function health_checks(lines, save_mode)
  local res = vim.system({ bin, '--version' }, { text = true }):wait(5000)
  local version = vim.trim(res.stdout or '')
  local report = table.concat(lines, ' | ')
  check(api_kind .. ': :checkhealth flyte_lsp reports `flyte-lsp --version` (' .. version .. ') and the binary',
    res.code == 0 and version ~= '' and line_with(lines, { 'OK', version, vim.fn.exepath(bin) }) ~= nil, report)
  check(api_kind .. ': :checkhealth flyte_lsp reports the client attached to the current buffer',
    line_with(lines, { 'OK', 'attached to the current buffer', 'pod-template.yaml' }) ~= nil, report)
  local settings = line_with(lines, { 'settings in use by client id' })
  check(api_kind .. ': :checkhealth flyte_lsp reports the settings in use', settings ~= nil
    and (not save_mode or settings:find('trigger = "save"', 1, true) ~= nil), settings or report)
  check(api_kind .. ': :checkhealth flyte_lsp has no error or warning', line_with(lines, { 'ERROR' }) == nil
    and line_with(lines, { 'WARNING' }) == nil, report)
end

--- No flyte-lsp on PATH (run.sh makes sure), default cmd: the client cannot start, and
--- :checkhealth says why.
local function missing_binary()
  vim.cmd('runtime plugin/flyte_lsp.lua')
  vim.lsp.enable('flyte_lsp')
  vim.cmd('filetype on')
  if not check('missing: flyte-lsp is not on PATH for this test', vim.fn.exepath('flyte-lsp') == '',
      vim.fn.exepath('flyte-lsp')) then
    return
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(work .. '/pod-template.yaml'))
  vim.wait(500)
  local lines = checkhealth()
  local report = table.concat(lines, ' | ')
  check('missing: :checkhealth flyte_lsp has an error line for the missing binary',
    line_with(lines, { 'ERROR', '`flyte-lsp` is not found on PATH' }) ~= nil, report)
  check('missing: :checkhealth flyte_lsp warns that no client runs',
    line_with(lines, { 'WARNING', 'no flyte-lsp client is running' }) ~= nil, report)
end


--- The diagnostics `client` gave for `bufnr` (pushed or pulled).
local function diagnostics_of(client, bufnr)
  local out = {}
  for _, pull in ipairs({ false, true }) do
    local ns = vim.lsp.diagnostic.get_namespace(client.id, pull)
    vim.list_extend(out, vim.diagnostic.get(bufnr, { namespace = ns }))
  end
  return out
end

local function describe_list(list)
  local out = {}
  for _, d in ipairs(list) do
    table.insert(out, ('%d:%d-%d:%d %s %s'):format(d.lnum + 1, d.col + 1, d.end_lnum + 1, d.end_col + 1,
      tostring(d.code or d.source), d.message))
  end
  return table.concat(out, ' | ')
end

--- The 0-based line and column of the first occurrence of `needle` (plain text) in `bufnr`.
local function find(bufnr, needle)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = l:find(needle, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  error(('`%s` is not in the buffer'):format(needle))
end

--- The labels `client` completes at (line, col) of the current window's buffer, with the
--- optional trigger character.
local function completion_labels(client, bufnr, line, col, trigger)
  vim.api.nvim_win_set_cursor(0, { line + 1, col })
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  if trigger then
    params.context = { triggerKind = 2, triggerCharacter = trigger }
  end
  local resp, err = client:request_sync('textDocument/completion', params, 30000, bufnr)
  local result = resp and resp.result
  local items = type(result) == 'table' and (result.items or result) or {}
  local labels = {}
  for _, it in ipairs(items) do
    table.insert(labels, it.label)
  end
  return labels, (resp and resp.err) or err
end

--- A keyword item's name: Pyright labels them `name=`, flyte-lsp (when asked) `name`.
local function keyword_name(label)
  return (label:gsub('%s*=%s*$', ''))
end

--- The preview split's buffer (another window than `src`'s showing `kind: Pod`), or nil.
local function preview_buffer(src)
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    local b = vim.api.nvim_win_get_buf(win)
    if b ~= src and buffer_text(b):find('kind: Pod', 1, true) then
      return b
    end
  end
  return nil
end

--- flyte-lsp beside Pyright on one Python buffer, both through vim.lsp.enable().
local function python()
  local pyright = assert(os.getenv('PYRIGHT_BIN'), 'PYRIGHT_BIN is required')
  local py = assert(os.getenv('PY_PYTHON'), 'PY_PYTHON is required')
  local flyte = require('flyte_lsp')
  local flyte_is_client = flyte.is_flyte_client
  vim.cmd('runtime plugin/flyte_lsp.lua')
  vim.lsp.config('flyte_lsp', { cmd = { bin, 'serve' } })
  -- Pyright as nvim-lspconfig configures it, pointed at the venv (python.pythonPath).
  vim.lsp.config('pyright', {
    cmd = { pyright, '--stdio' },
    filetypes = { 'python' },
    root_dir = work,
    settings = { python = { pythonPath = py, analysis = { diagnosticMode = 'openFilesOnly' } } },
  })
  vim.lsp.enable({ 'flyte_lsp', 'pyright' })
  vim.cmd('filetype on')
  vim.cmd('edit ' .. vim.fn.fnameescape(work .. '/envs.py'))
  local buf = vim.api.nvim_get_current_buf()
  local pyright_timeout = math.max(timeout, 60000) -- its first analysis reads flyte and kubernetes

  local function client_named(pred)
    for _, c in ipairs(vim.lsp.get_clients({ bufnr = buf })) do
      if pred(c) and c.initialized then
        return c
      end
    end
    return nil
  end
  local function is_pyright(c)
    return c.name == 'pyright'
  end
  local both = vim.wait(pyright_timeout, function()
    return client_named(flyte_is_client) ~= nil and client_named(is_pyright) ~= nil
  end, 20)
  local names = vim.tbl_map(function(c)
    return c.name
  end, vim.lsp.get_clients({ bufnr = buf }))
  if not check('python: flyte_lsp and pyright both attach to the .py buffer (filetype python)', both,
      vim.bo[buf].filetype .. ': ' .. table.concat(names, ', ')) then
    return
  end
  local ours, theirs = client_named(flyte_is_client), client_named(is_pyright)

  -- 1. Diagnostics: ours (FLY105 on the pull policy), Pyright's (the misspelt keyword).
  local bad_line, bad_col = find(buf, '"Sometimes"')
  local typo_line = find(buf, 'termination_message_polcy')
  local got = vim.wait(pyright_timeout, function()
    local mine = vim.tbl_filter(function(d)
      return d.code == 'FLY105'
    end, diagnostics_of(ours, buf))
    local other = vim.tbl_filter(function(d)
      return d.lnum == typo_line
    end, diagnostics_of(theirs, buf))
    return #mine > 0 and #other > 0
  end, 50)
  local mine, other = diagnostics_of(ours, buf), diagnostics_of(theirs, buf)
  local fly105 = vim.tbl_filter(function(d)
    return d.code == 'FLY105'
  end, mine)[1]
  check('python: our FLY105 sits on the "Sometimes" of image_pull_policy (line ' .. (bad_line + 1) .. ')',
    got and fly105 ~= nil and fly105.lnum == bad_line and fly105.col == bad_col, describe_list(mine))
  check('python: Pyright reports the misspelt keyword (line ' .. (typo_line + 1) .. ')', got and vim.iter(other)
    :any(function(d)
      return d.lnum == typo_line and d.message:find('termination_message_polcy', 1, true) ~= nil
    end), describe_list(other))
  local repeated = {}
  for _, d in ipairs(mine) do
    for _, p in ipairs(other) do
      if d.lnum == p.lnum and d.col == p.col and d.end_lnum == p.end_lnum and d.end_col == p.end_col then
        table.insert(repeated, d)
      end
    end
  end
  check('python: none of our diagnostics repeats one of Pyright\'s on the same range', got and #repeated == 0,
    'ours on Pyright\'s ranges: ' .. describe_list(repeated) .. ' || Pyright: ' .. describe_list(other))

  -- 2. Completion inside image_pull_policy=" (half typed), invoked and triggered by `"`.
  local original = vim.api.nvim_buf_get_lines(buf, bad_line, bad_line + 1, false)[1]
  local typed = original:sub(1, bad_col + 1) -- up to and with the opening quote
  set_line(buf, bad_line, typed)
  for _, trigger in ipairs({ false, '"' }) do
    local labels, lerr = completion_labels(ours, buf, bad_line, #typed, trigger or nil)
    check(('python: completion inside image_pull_policy=" offers IfNotPresent (%s)'):format(
      trigger and 'typed "' or 'invoked'), vim.tbl_contains(labels, 'IfNotPresent'),
      lerr and vim.inspect(lerr) or table.concat(labels, ', '))
  end
  set_line(buf, bad_line, original)

  -- 3. At a keyword position inside V1Container(: Pyright lists the keywords; we list none of
  -- them (python.keywordCompletion is false by default).
  local typo_text = vim.api.nvim_buf_get_lines(buf, typo_line, typo_line + 1, false)[1]
  local indent = typo_text:match('^%s*')
  set_line(buf, typo_line, indent .. 'ima')
  local col = #indent + 3
  local theirs_labels, terr = completion_labels(theirs, buf, typo_line, col)
  local keywords = {}
  for _, l in ipairs(theirs_labels) do
    if l:match('^[%w_]+=$') then
      keywords[keyword_name(l)] = true
    end
  end
  local kw_list = vim.tbl_keys(keywords)
  table.sort(kw_list)
  check('python: Pyright lists V1Container\'s keywords there (it resolves kubernetes from the venv)',
    keywords.image ~= nil, terr and vim.inspect(terr)
      or (#theirs_labels .. ' items, keywords: ' .. table.concat(kw_list, ', ')))
  local function shared(labels)
    local out = {}
    for _, l in ipairs(labels) do
      if keywords[keyword_name(l)] then
        table.insert(out, l)
      end
    end
    return out
  end
  local our_labels = completion_labels(ours, buf, typo_line, col)
  local dup = shared(our_labels)
  check('python: our completion shares no label with Pyright\'s keyword items', next(keywords) ~= nil and #dup == 0,
    'shared: ' .. table.concat(dup, ', ') .. ' (ours: ' .. table.concat(our_labels, ', ') .. ')')
  -- The comparison can fail: with python.keywordCompletion on, ours do overlap.
  local settings = ours.settings['flyte-lsp'] or {}
  ours.settings['flyte-lsp'] = settings
  settings.python = { keywordCompletion = true }
  ours:notify('workspace/didChangeConfiguration', { settings = ours.settings })
  local overlap = {}
  vim.wait(timeout, function()
    overlap = shared((completion_labels(ours, buf, typo_line, col)))
    return #overlap > 0
  end, 100)
  check('python: with python.keywordCompletion = true the same comparison finds shared keywords', #overlap > 0,
    'ours: ' .. table.concat((completion_labels(ours, buf, typo_line, col)), ', '))
  settings.python = { keywordCompletion = false }
  ours:notify('workspace/didChangeConfiguration', { settings = ours.settings })

  -- 4. Fix the typo (drop the line) and save: the file renders now.
  vim.api.nvim_buf_set_lines(buf, typo_line, typo_line + 1, false, {})
  vim.cmd('silent write')

  -- 5. :FlytePreview from the .py buffer: the environment whose call holds the cursor.
  local serve_line = find(buf, 'name="serve"')
  vim.api.nvim_win_set_cursor(0, { serve_line + 1, 4 })
  vim.cmd('FlytePreview')
  local preview
  local shown = vim.wait(timeout, function()
    preview = preview_buffer(buf)
    return preview ~= nil and buffer_text(preview):find('ghcr.io/acme/serve:2.0', 1, true) ~= nil
  end, 20)
  check('python: :FlytePreview in the call of `serve` shows its pod (kind: Pod, its image)', shown,
    preview and buffer_text(preview):sub(1, 300) or 'no preview window')
  if not preview then
    return
  end
  check('python: the preview split is named after the environment',
    vim.api.nvim_buf_get_name(preview):find('envs.py (environment serve)', 1, true) ~= nil,
    vim.api.nvim_buf_get_name(preview))
  check('python: the cursor stays in the .py window, and the preview has no client',
    vim.api.nvim_get_current_buf() == buf and #vim.lsp.get_clients({ bufnr = preview }) == 0)
  local train_line = find(buf, 'train = flyte.TaskEnvironment(')
  vim.api.nvim_win_set_cursor(0, { train_line + 1, 0 })
  vim.cmd('FlytePreview')
  local switched = vim.wait(timeout, function()
    local t = buffer_text(preview)
    return t:find('team: ml', 1, true) ~= nil and t:find('imagePullPolicy: Sometimes', 1, true) ~= nil
  end, 20)
  check('python: :FlytePreview on the `train` line shows train\'s pod in the same split', switched
    and #vim.api.nvim_list_wins() == 2, buffer_text(preview):sub(1, 300))
  -- Refreshed on :write.
  local label_line = find(buf, '"team": "ml"')
  set_line(buf, label_line, (vim.api.nvim_buf_get_lines(buf, label_line, label_line + 1, false)[1]
    :gsub('"ml"', '"platform"')))
  vim.cmd('silent write')
  local refreshed = vim.wait(timeout, function()
    return buffer_text(preview):find('team: platform', 1, true) ~= nil
  end, 20)
  check('python: the preview refreshes on :write', refreshed, buffer_text(preview):sub(1, 300))
  vim.api.nvim_buf_delete(preview, { force = true })

  -- 6. The code lenses name the environments; running one opens its preview.
  vim.lsp.codelens.refresh({ bufnr = buf })
  local lenses = {}
  vim.wait(timeout, function()
    lenses = vim.lsp.codelens.get(buf)
    return #lenses >= 2
  end, 20)
  local envs = {}
  for _, l in ipairs(lenses) do
    local a = l.command and (l.command.arguments or {})[1] or {}
    table.insert(envs, tostring(a.environment or a.task))
  end
  table.sort(envs)
  if check('python: a Preview pod lens on each environment (train, serve)', table.concat(envs, ',') == 'serve,train',
      vim.inspect(lenses)) then
    vim.api.nvim_win_set_cursor(0, { serve_line + 1, 0 })
    local lens = flyte.lens_at(lenses, serve_line)
    vim.api.nvim_win_set_cursor(0, { lens.range.start.line + 1, 0 })
    vim.lsp.codelens.run()
    local opened = vim.wait(timeout, function()
      local b = preview_buffer(buf)
      return b ~= nil and buffer_text(b):find('ghcr.io/acme/serve:2.0', 1, true) ~= nil
    end, 20)
    check('python: running the serve lens opens its preview', opened)
  end

  -- 7. :checkhealth from the .py buffer.
  vim.cmd('only')
  vim.api.nvim_set_current_buf(buf)
  local lines = checkhealth()
  check('python: :checkhealth flyte_lsp reports the client attached to the .py buffer',
    line_with(lines, { 'OK', 'attached to the current buffer', 'envs.py' }) ~= nil, table.concat(lines, ' | '))
end

local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(plugin_dir)
  local flyte = require('flyte_lsp')
  local save_mode = api_kind == 'setup'
  if api_kind == 'missing' then
    return missing_binary()
  elseif api_kind == 'python' then
    return python()
  end

  if api_kind == 'setup' then
    -- setup() alone, as a lazy-loading plugin manager would call it (plugin/ not sourced).
    flyte.setup({ cmd = { bin, 'serve' }, settings = { diagnostics = { trigger = 'save' } } })
  else
    -- What Neovim does at startup for a plugin on 'runtimepath' (`-u NONE` skips it).
    vim.cmd('runtime plugin/flyte_lsp.lua')
    vim.lsp.config('flyte_lsp', { cmd = { bin, 'serve' } })
    vim.lsp.enable('flyte_lsp')
  end
  vim.cmd('filetype on')
  vim.cmd('edit ' .. vim.fn.fnameescape(work .. '/pod-template.yaml'))
  local buf = vim.api.nvim_get_current_buf()

  local attached = vim.wait(timeout, function()
    local c = vim.lsp.get_clients({ bufnr = buf })[1]
    return c ~= nil and c.initialized and c.server_capabilities ~= nil
  end, 20)
  if not check(api_kind .. ': client attached to the YAML buffer', attached, vim.bo[buf].filetype) then
    return
  end
  local client = vim.lsp.get_clients({ bufnr = buf })[1]
  check(api_kind .. ': server says it is flyte-lsp', flyte.is_flyte_client(client), client.name)

  -- 1. Diagnostics after open: the bad label key `team name` (line 4) is FLY201.
  local got = vim.wait(timeout, function()
    return has_code(buf, 'FLY201')
  end, 20)
  local d = vim.diagnostic.get(buf)[1]
  check(
    api_kind .. ': FLY201 on the label key after open',
    got and d ~= nil and d.lnum == 3 and d.col == 2,
    describe(buf)
  )

  -- 2. Edit: fix the key, break a label value (FLY202).
  set_line(buf, 3, '  team-name: ml')
  set_line(buf, 4, '  owner: data eng')
  if save_mode then
    -- Save mode: typing changes nothing until :write.
    vim.wait(1500, function()
      return not has_code(buf, 'FLY201')
    end, 50)
    check('setup: save mode keeps the saved diagnostics while editing', has_code(buf, 'FLY201')
      and not has_code(buf, 'FLY202'), describe(buf))
    vim.cmd('silent write')
    got = vim.wait(timeout, function()
      return has_code(buf, 'FLY202') and not has_code(buf, 'FLY201')
    end, 20)
    check('setup: diagnostics changed after :write (FLY201 gone, FLY202 on the value)', got, describe(buf))
  else
    got = vim.wait(timeout, function()
      return has_code(buf, 'FLY202') and not has_code(buf, 'FLY201')
    end, 20)
    check('enable: diagnostics follow the edit without saving (change mode)', got, describe(buf))
    vim.cmd('silent write')
  end

  -- 3. Completion in the primary container: `imagePullPolicy` is a container field.
  vim.api.nvim_buf_set_lines(buf, 9, 9, false, { '      imageP' })
  vim.api.nvim_win_set_cursor(0, { 10, 12 })
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local resp = vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, timeout) or {}
  local labels = {}
  for _, r in pairs(resp) do
    local items = r.result and (r.result.items or r.result) or {}
    for _, it in ipairs(items) do
      table.insert(labels, it.label)
    end
  end
  check(
    api_kind .. ': completion offers imagePullPolicy',
    vim.tbl_contains(labels, 'imagePullPolicy'),
    ('%d items: %s'):format(#labels, table.concat(vim.list_slice(labels, 1, 8), ', '))
  )
  vim.api.nvim_buf_set_lines(buf, 9, 10, false, {})
  vim.cmd('silent write')

  -- 4. :FlytePreview opens a scratch split with the rendered pod.
  vim.api.nvim_win_set_cursor(0, { 4, 0 })
  vim.cmd('FlytePreview')
  local preview
  local shown = vim.wait(timeout, function()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      local b = vim.api.nvim_win_get_buf(win)
      if b ~= buf and buffer_text(b):find('kind: Pod', 1, true) then
        preview = b
        return true
      end
    end
    return false
  end, 20)
  check(api_kind .. ': :FlytePreview shows kind: Pod in a split', shown and #vim.api.nvim_list_wins() == 2,
    preview and buffer_text(preview):sub(1, 200) or 'no preview window')
  if preview then
    check(
      api_kind .. ': the preview is a read-only scratch buffer',
      vim.bo[preview].buftype == 'nofile' and not vim.bo[preview].modifiable
        and #vim.lsp.get_clients({ bufnr = preview }) == 0,
      ('buftype=%s modifiable=%s'):format(vim.bo[preview].buftype, tostring(vim.bo[preview].modifiable))
    )
    check(api_kind .. ': the cursor stays in the source window', vim.api.nvim_get_current_buf() == buf)
    -- Refreshed on save.
    set_line(buf, 4, '  owner: platform')
    vim.cmd('silent write')
    local refreshed = vim.wait(timeout, function()
      return buffer_text(preview):find('owner: platform', 1, true) ~= nil
    end, 20)
    check(api_kind .. ': the preview refreshes on :write', refreshed, buffer_text(preview):sub(1, 300))
    vim.api.nvim_buf_delete(preview, { force = true })
  end

  -- 5. The "Preview pod" code lens runs through the plugin's command handler.
  vim.lsp.codelens.refresh({ bufnr = buf })
  local lenses = {}
  vim.wait(timeout, function()
    lenses = vim.lsp.codelens.get(buf)
    return #lenses > 0
  end, 20)
  if check(api_kind .. ': a Preview pod code lens', #lenses > 0 and lenses[1].command ~= nil
      and lenses[1].command.title == 'Preview pod', vim.inspect(lenses)) then
    vim.api.nvim_win_set_cursor(0, { lenses[1].range.start.line + 1, 0 })
    vim.lsp.codelens.run()
    local opened = vim.wait(timeout, function()
      for _, win in ipairs(vim.api.nvim_list_wins()) do
        local b = vim.api.nvim_win_get_buf(win)
        if b ~= buf and buffer_text(b):find('kind: Pod', 1, true) then
          return true
        end
      end
      return false
    end, 20)
    check(api_kind .. ': running the code lens opens the preview', opened)
  end

  -- 6. :checkhealth flyte_lsp from the YAML buffer.
  vim.cmd('only')
  vim.api.nvim_set_current_buf(buf)
  health_checks(checkhealth(), save_mode)
end)

if not ok then
  check('lua error', false, err)
end
finish()
