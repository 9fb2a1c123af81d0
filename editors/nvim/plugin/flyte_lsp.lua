-- flyte-lsp: `:FlytePreview`, the "Preview pod" code lens command and the on-save diagnostics
-- hook. Starting the server is up to `require("flyte_lsp").setup()` or, on Neovim 0.11,
-- `vim.lsp.enable("flyte_lsp")` (which reads `lsp/flyte_lsp.lua`).
if vim.g.loaded_flyte_lsp or vim.fn.has('nvim-0.10') ~= 1 then
  return
end
vim.g.loaded_flyte_lsp = true
require('flyte_lsp')._plugin()
