-- `:checkhealth flyte_lsp`: which server binary runs and its version (`flyte-lsp --version`),
-- whether a flyte-lsp client is attached (to the buffer `:checkhealth` was run from, and to any
-- buffer), and the settings in use. Neovim finds this file by its name (lua/*/health.lua).

local M = {}

local health = vim.health

--- The buffer the user ran `:checkhealth` from: the health report is the current buffer by now
--- (in a new tab, a split or a float, depending on `g:health` and the command's modifiers).
local function user_buffer()
  local here = vim.api.nvim_get_current_buf()
  local function usable(b)
    return b and b > 0 and b ~= here and vim.api.nvim_buf_is_valid(b) and vim.bo[b].buftype == ''
  end
  -- A split or a float: the previous window of this tab page.
  local prev_win = vim.fn.win_getid(vim.fn.winnr('#'))
  if prev_win ~= 0 and usable(vim.api.nvim_win_get_buf(prev_win)) then
    return vim.api.nvim_win_get_buf(prev_win)
  end
  -- A new tab page (the default): the current window of the previous one.
  local prev_tab = vim.fn.tabpagenr('#')
  local tabs = vim.api.nvim_list_tabpages()
  if prev_tab > 0 and tabs[prev_tab] then
    local b = vim.api.nvim_win_get_buf(vim.api.nvim_tabpage_get_win(tabs[prev_tab]))
    if usable(b) then
      return b
    end
  end
  local alt = vim.fn.bufnr('#')
  return usable(alt) and alt or nil
end

local function buf_label(b)
  local name = vim.api.nvim_buf_get_name(b)
  return name ~= '' and vim.fn.fnamemodify(name, ':~:.') or ('[buffer ' .. b .. ']')
end

--- One line for a Lua value: `{ diagnostics = { trigger = "save" } }`.
local function inline(v)
  return vim.inspect(v, { newline = ' ', indent = '' })
end

--- The configuration the user set up, and how: `setup()` or Neovim 0.11's `vim.lsp.config`.
local function configured(flyte)
  if flyte._setup_config then
    return flyte._setup_config, 'require("flyte_lsp").setup()'
  end
  if vim.fn.has('nvim-0.11') == 1 then
    local ok, config = pcall(function()
      return vim.lsp.config[flyte.client_name]
    end)
    if ok and config then
      return config, 'vim.lsp.config("flyte_lsp") (lsp/flyte_lsp.lua)'
    end
  end
  return nil, nil
end

--- The binary a `cmd` runs: `cmd[1]` of a list, `flyte-lsp` (from PATH) for the default
--- function; nil for a function of the user's own.
local function binary_of(flyte, cmd)
  if type(cmd) == 'table' then
    return cmd[1]
  end
  if cmd == flyte._default_cmd then
    return 'flyte-lsp'
  end
  return nil
end

local function check_binary(bin)
  local path = vim.fn.exepath(bin)
  if path == '' then
    local where = bin:find('/', 1, true) and '' or ' on PATH'
    health.error(('the server binary `%s` is not found%s'):format(bin, where), {
      'Install it: `cargo install --path .` in a checkout of flyte-lsp (puts it in ~/.cargo/bin)',
      'or give its full path: setup({ cmd = { "/path/to/flyte-lsp", "serve" } }), or '
        .. 'vim.lsp.config("flyte_lsp", { cmd = { "/path/to/flyte-lsp", "serve" } })',
    })
    return
  end
  local ok, result = pcall(function()
    return vim.system({ path, '--version' }, { text = true }):wait(5000)
  end)
  if not ok then
    health.error(('`%s --version` could not run: %s'):format(path, tostring(result)))
    return
  end
  local version = vim.trim(result.stdout or '')
  if result.code ~= 0 or version == '' then
    health.error(('`%s --version` failed (exit %s): %s'):format(path, tostring(result.code),
      vim.trim(result.stderr or '')))
    return
  end
  health.ok(('%s (%s)'):format(version, path))
end

function M.check()
  local flyte = require('flyte_lsp')

  health.start('Neovim and the plugin')
  if vim.fn.has('nvim-0.10') == 1 then
    health.ok('Neovim ' .. tostring(vim.version()))
  else
    health.error('Neovim ' .. tostring(vim.version()) .. ': flyte-lsp needs 0.10 or newer')
  end
  if vim.g.loaded_flyte_lsp then
    health.ok(':FlytePreview, the Preview pod code lens and the on-save diagnostics hook are set up')
  else
    health.warn('plugin/flyte_lsp.lua has not run: no :FlytePreview and no diagnostics after :write '
      .. 'in save mode', { 'put editors/nvim on \'runtimepath\', or call require("flyte_lsp").setup()' })
  end

  local config, origin = configured(flyte)
  local clients = vim.tbl_filter(flyte.is_flyte_client, vim.lsp.get_clients())

  health.start('Server binary')
  -- What the running clients run, else what is configured.
  local seen = {}
  local cmds = {}
  for _, c in ipairs(clients) do
    table.insert(cmds, c.config.cmd)
  end
  if #cmds == 0 then
    table.insert(cmds, config and config.cmd or flyte._default_cmd)
  end
  for _, cmd in ipairs(cmds) do
    local bin = binary_of(flyte, cmd)
    if bin == nil then
      health.info('cmd is a function of your own: which binary it runs is not known here')
    elseif not seen[bin] then
      seen[bin] = true
      check_binary(bin)
    end
  end

  health.start('Clients')
  local buf = user_buffer()
  if buf then
    local attached = vim.tbl_filter(flyte.is_flyte_client, vim.lsp.get_clients({ bufnr = buf }))
    if #attached > 0 then
      local c = attached[1]
      local info = c.server_info or {}
      health.ok(('client %s (id %d, %s %s) is attached to the current buffer %s'):format(c.name, c.id,
        info.name or '?', info.version or '', buf_label(buf)))
    elseif vim.bo[buf].filetype == 'yaml' then
      health.warn(('no flyte-lsp client is attached to the current buffer %s (filetype yaml)')
        :format(buf_label(buf)), { 'see :messages and :LspLog for why the server did not start' })
    else
      health.info(('the current buffer %s is not YAML (filetype %q): no client expected there')
        :format(buf_label(buf), vim.bo[buf].filetype))
    end
  end
  if #clients == 0 then
    health.warn('no flyte-lsp client is running', {
      'open a YAML file; the server starts for filetype yaml',
      'with vim.lsp.config, also call vim.lsp.enable("flyte_lsp")',
    })
  end
  for _, c in ipairs(clients) do
    local names = {}
    for b in pairs(c.attached_buffers or {}) do
      table.insert(names, buf_label(b))
    end
    table.sort(names)
    health.info(('client %s (id %d) runs `%s`, root %s, attached to %d buffer(s): %s'):format(c.name, c.id,
      type(c.config.cmd) == 'table' and table.concat(c.config.cmd, ' ') or 'flyte-lsp serve',
      c.root_dir or c.config.root_dir or '(none)', #names, table.concat(names, ', ')))
  end

  health.start('Settings')
  if origin then
    health.info('configured through ' .. origin)
  else
    health.warn('flyte-lsp is not configured', {
      'call require("flyte_lsp").setup({}), or vim.lsp.enable("flyte_lsp") on Neovim 0.11',
    })
  end
  local settings, from
  if clients[1] then
    settings, from = (clients[1].config.settings or {})['flyte-lsp'], ('in use by client id %d'):format(clients[1].id)
  elseif config then
    settings, from = (config.settings or {})['flyte-lsp'], 'configured'
  end
  if from then
    settings = settings or {}
    local note = next(settings) == nil and ' (the server\'s defaults: diagnostics while typing, the newest '
      .. 'embedded Kubernetes schema)' or ''
    health.info(('settings %s: %s%s'):format(from, inline(settings), note))
  end
end

return M
