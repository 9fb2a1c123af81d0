-- Headless Neovim test of editors/nvim against the real server. Run by tests/editors/run.sh:
--   nvim --headless -u NONE -i NONE -n -l test.lua
-- Environment:
--   FLYTE_LSP_BIN  the server binary
--   PLUGIN_DIR     editors/nvim (put on 'runtimepath' like a plugin manager would)
--   WORK_DIR       a scratch copy of tests/editors/fixtures (files get edited and written)
--   TEST_API       "setup": require("flyte_lsp").setup() in save mode (the Neovim 0.10 path)
--                  "enable": lsp/flyte_lsp.lua through vim.lsp.enable() in change mode (0.11)
--                  "missing": vim.lsp.enable() with no flyte-lsp on PATH: :checkhealth says so
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

local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(plugin_dir)
  local flyte = require('flyte_lsp')
  local save_mode = api_kind == 'setup'
  if api_kind == 'missing' then
    return missing_binary()
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
