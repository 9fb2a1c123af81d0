-- flyte-lsp for Neovim (>= 0.10): starts `flyte-lsp serve` for YAML buffers, keeps on-save
-- diagnostics fresh, and shows the rendered pod in a scratch split (`:FlytePreview`).
--
--   require("flyte_lsp").setup({
--     cmd = { "flyte-lsp", "serve" },            -- or { "/path/to/flyte-lsp", "serve" }
--     settings = {                               -- the server's settings (README "Settings")
--       kubernetesVersion = "1.36",
--       diagnostics = { trigger = "save" },      -- "change" (default) or "save"
--       rules = { FLY102 = "off" },
--     },
--   })
--
-- Neovim 0.11 users can instead rely on `lsp/flyte_lsp.lua` with `vim.lsp.enable("flyte_lsp")`;
-- `plugin/flyte_lsp.lua` adds `:FlytePreview` and the save hook in both cases.

local M = {}

--- The server's name in `initialize` (`serverInfo.name`) and the default client name.
M.server_name = 'flyte-lsp'
M.client_name = 'flyte_lsp'
--- The server command that renders a preview (`src/server/preview.rs`).
M.render_command = 'flyte-lsp.renderPreview'

local has_011 = vim.fn.has('nvim-0.11') == 1

--- `client:request(...)` on 0.11, `client.request(...)` on 0.10.
local function request(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function notify(msg, level)
  vim.notify('flyte-lsp: ' .. msg, level or vim.log.levels.INFO)
end

local function missing_message(bin)
  return ('cannot find the server binary `%s`. Install flyte-lsp (`cargo install --path .` in a '
    .. 'checkout) and put it on PATH, or set cmd = { "/path/to/flyte-lsp", "serve" }.'):format(bin)
end

--- The default `cmd`: `flyte-lsp serve` from PATH, with a clear message when it is missing.
local function default_cmd(dispatchers, config)
  if vim.fn.executable('flyte-lsp') ~= 1 then
    error('flyte-lsp: ' .. missing_message('flyte-lsp'), 0)
  end
  config = config or {}
  return vim.lsp.rpc.start({ 'flyte-lsp', 'serve' }, dispatchers, { cwd = config.cmd_cwd, env = config.cmd_env })
end
--- For `:checkhealth flyte_lsp` (health.lua), which tells the default from a `cmd` of the user's.
M._default_cmd = default_cmd

--- Server settings are sent twice: as `initializationOptions` (so the first diagnostics already
--- use them) and through `workspace/configuration` (section `flyte-lsp`).
local function before_init(params, config)
  local s = (config.settings or {})['flyte-lsp']
  if type(s) == 'table' and next(s) ~= nil then
    params.initializationOptions = s
  end
end

--- The `vim.lsp.Config` for flyte-lsp. `opts` may set `cmd`, `settings` (the server's settings,
--- unwrapped), `filetypes`, `root_markers` and any other `vim.lsp.start` field.
function M.config(opts)
  opts = vim.deepcopy(opts or {})
  local settings = opts.settings or {}
  opts.settings = nil
  local config = vim.tbl_deep_extend('force', {
    name = M.client_name,
    cmd = default_cmd,
    filetypes = { 'yaml' },
    root_markers = { 'flyte-lsp.toml', '.git' },
    settings = { ['flyte-lsp'] = settings },
    before_init = before_init,
  }, opts)
  return config
end

--- Is `client` a flyte-lsp client (by our name, or by what the server called itself)?
function M.is_flyte_client(client)
  return client.name == M.client_name
    or (client.server_info ~= nil and client.server_info.name == M.server_name)
end

local function flyte_client(bufnr)
  local get = vim.lsp.get_clients
  for _, c in ipairs(get({ bufnr = bufnr })) do
    if M.is_flyte_client(c) then
      return c
    end
  end
  return nil
end

local function root_dir(bufnr, markers)
  local found = vim.fs.root(bufnr, markers)
  if found then
    return found
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  return name ~= '' and vim.fs.dirname(name) or vim.uv.cwd()
end

--- Starts (or reuses) the client for `bufnr` when it is a YAML file buffer.
local function start(bufnr, config)
  if vim.bo[bufnr].buftype ~= '' then
    return -- previews and other scratch buffers
  end
  local conf = vim.deepcopy(config)
  conf.root_dir = conf.root_dir or root_dir(bufnr, conf.root_markers or { '.git' })
  vim.lsp.start(conf, { bufnr = bufnr })
end

--- Starts flyte-lsp for every YAML buffer (Neovim >= 0.10). See the header for `opts`.
function M.setup(opts)
  if not vim.g.loaded_flyte_lsp then
    -- setup() works without plugin/flyte_lsp.lua being sourced (e.g. lazy-loaded from a subfolder).
    vim.g.loaded_flyte_lsp = true
    M._plugin()
  end
  local config = M.config(opts)
  M._setup_config = config -- what `:checkhealth flyte_lsp` reports when no client runs
  if type(config.cmd) == 'table' and vim.fn.executable(config.cmd[1]) ~= 1 then
    notify(missing_message(config.cmd[1]), vim.log.levels.WARN)
  end
  local group = vim.api.nvim_create_augroup('flyte_lsp.setup', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      start(args.buf, config)
    end,
  })
  -- Buffers that were already open when setup() ran.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(config.filetypes, vim.bo[buf].filetype) then
      start(buf, config)
    end
  end
end

--- Pulls diagnostics for `bufnr` now. Neovim pulls by itself after open and change, but not
--- after save, and it does not accept `workspace/diagnostic/refresh` (0.11.4): in save mode
--- the diagnostics would stay at the previous save until the next edit.
function M.pull_diagnostics(client, bufnr)
  if not (client.server_capabilities or {}).diagnosticProvider then
    return
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  request(client, 'textDocument/diagnostic', params, function(err, result, ctx)
    vim.lsp.diagnostic.on_diagnostic(err, result, ctx)
  end, bufnr)
end

--- Which YAML document (0-based, `---`-separated) holds `line` (0-based), counted as the
--- server's parser counts them: a `---` starts a new document unless nothing came before it.
function M.document_index(bufnr, line)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, line + 1, false)
  local index, started = 0, false
  for _, text in ipairs(lines) do
    if text:match('^%-%-%-%s') or text == '---' then
      if started then
        index = index + 1
      end
      started = true
    elseif text:match('^%s*[^%s#%%]') then
      started = true
    end
  end
  return index
end

-- Preview state: source buffer -> { buf = preview buffer, args = renderPreview argument }.
local previews = {}

local function set_preview_text(buf, text)
  if not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  local lines = vim.split(text, '\n', { plain = true })
  if lines[#lines] == '' then
    table.remove(lines)
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
end

--- Re-renders the preview of `src` (if any) through `workspace/executeCommand`.
function M.refresh_preview(src)
  local p = previews[src]
  if not p or not vim.api.nvim_buf_is_valid(p.buf) then
    previews[src] = nil
    return
  end
  local client = flyte_client(src)
  if not client then
    set_preview_text(p.buf, '# flyte-lsp is not attached to the source buffer')
    return
  end
  local params = { command = M.render_command, arguments = { p.args } }
  request(client, 'workspace/executeCommand', params, function(err, result)
    if err then
      set_preview_text(p.buf, '# flyte-lsp could not render this document: ' .. (err.message or vim.inspect(err)))
    elseif type(result) == 'string' then
      set_preview_text(p.buf, result)
    end
  end, src)
end

local function preview_buffer(src, args)
  local p = previews[src]
  if p and vim.api.nvim_buf_is_valid(p.buf) then
    p.args = args
    return p.buf
  end
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(src), ':t')
  pcall(vim.api.nvim_buf_set_name, buf, ('flyte-preview://%s (pod %d)'):format(name, args.document + 1))
  vim.bo[buf].filetype = 'yaml'
  vim.bo[buf].modifiable = false
  previews[src] = { buf = buf, args = args }
  local group = vim.api.nvim_create_augroup('flyte_lsp.preview.' .. src, { clear = true })
  vim.api.nvim_create_autocmd('BufWritePost', {
    group = group,
    buffer = src,
    callback = function()
      M.refresh_preview(src)
    end,
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = group,
    buffer = buf,
    callback = function()
      previews[src] = nil
      pcall(vim.api.nvim_del_augroup_by_id, group)
    end,
  })
  return buf
end

--- Opens (or updates) the scratch split showing the pod rendered from `args`
--- (`{ uri, document, layer }`), keeping the cursor in the source window.
function M.open_preview(src, args)
  local buf = preview_buffer(src, args)
  if vim.fn.bufwinid(buf) == -1 then
    local win = vim.api.nvim_get_current_win()
    vim.cmd('rightbelow vsplit')
    vim.api.nvim_win_set_buf(0, buf)
    vim.wo.wrap = false
    vim.api.nvim_set_current_win(win)
  end
  M.refresh_preview(src)
  return buf
end

--- `:FlytePreview [sdk|cluster]`: the pod of the YAML document under the cursor.
function M.preview(layer)
  local src = vim.api.nvim_get_current_buf()
  if not flyte_client(src) then
    notify('the server is not attached to this buffer (is it a YAML file, and is flyte-lsp installed?)',
      vim.log.levels.WARN)
    return nil
  end
  local line = vim.api.nvim_win_get_cursor(0)[1] - 1
  return M.open_preview(src, {
    uri = vim.uri_from_bufnr(src),
    document = M.document_index(src, line),
    layer = (layer ~= nil and layer ~= '') and layer or 'sdk',
  })
end

--- The "Preview pod" code lens runs the server command; show its result in the split.
function M.run_lens_command(command, ctx)
  local args = (command.arguments or {})[1]
  if type(args) ~= 'table' or type(args.uri) ~= 'string' then
    return
  end
  local src = vim.uri_to_bufnr(args.uri)
  if ctx and ctx.bufnr and vim.uri_from_bufnr(ctx.bufnr) == args.uri then
    src = ctx.bufnr
  end
  args.document = args.document or 0
  args.layer = args.layer or 'sdk'
  M.open_preview(src, args)
end

--- Called once from `plugin/flyte_lsp.lua`: commands and the save hook, for `setup()` and
--- for `vim.lsp.enable("flyte_lsp")` alike.
function M._plugin()
  vim.api.nvim_create_user_command('FlytePreview', function(cmd)
    M.preview(cmd.args)
  end, {
    nargs = '?',
    complete = function()
      return { 'sdk', 'cluster' }
    end,
    desc = 'flyte-lsp: show the rendered pod of the document under the cursor',
  })
  vim.lsp.commands[M.render_command] = M.run_lens_command
  local group = vim.api.nvim_create_augroup('flyte_lsp.plugin', { clear = true })
  -- After `didSave` has gone out, pull the diagnostics of the saved text (see pull_diagnostics).
  vim.api.nvim_create_autocmd('LspNotify', {
    group = group,
    callback = function(args)
      if args.data.method ~= 'textDocument/didSave' then
        return
      end
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      local uri = vim.tbl_get(args.data, 'params', 'textDocument', 'uri')
      if client and uri and M.is_flyte_client(client) then
        M.pull_diagnostics(client, vim.uri_to_bufnr(uri))
      end
    end,
  })
end

return M
