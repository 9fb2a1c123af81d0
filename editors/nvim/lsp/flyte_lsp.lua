-- Neovim 0.11 configuration for flyte-lsp, read by `vim.lsp.enable("flyte_lsp")`.
-- Override any field with `vim.lsp.config("flyte_lsp", { ... })`, for example
--   vim.lsp.config("flyte_lsp", { settings = { ["flyte-lsp"] = { diagnostics = { trigger = "save" } } } })
return require('flyte_lsp').config()
