;;; flyte-lsp.el --- Eglot setup for flyte-lsp  -*- lexical-binding: t; -*-

;; Diagnostics, completion, hover, quick fixes and a pod preview for Flyte task environments
;; and Kubernetes pod templates in YAML, through Eglot (built into Emacs 29; `elpa-eglot' or
;; GNU ELPA on Emacs 28) and `flyte-lsp serve'.  Load this file from your init file, or copy
;; the forms you need.  Settings go in `eglot-workspace-configuration' under `:flyte-lsp'.

;;; Code:

(require 'eglot)

(defgroup flyte-lsp nil
  "Eglot setup for flyte-lsp."
  :group 'eglot)

(defcustom flyte-lsp-command '("flyte-lsp" "serve")
  "How to start the server: the binary (on `exec-path', or a full path) and its arguments."
  :type '(repeat string))

;; Start flyte-lsp for YAML buffers (yaml-mode, or yaml-ts-mode on Emacs 29+).  Eglot runs one
;; server per buffer: this entry takes precedence over other YAML servers in the list.
(add-to-list 'eglot-server-programs
             `((yaml-mode yaml-ts-mode) . ,(lambda (&rest _) flyte-lsp-command)))

;; The server's settings; `:trigger "save"' updates diagnostics on save only.
(unless (plist-member (default-value 'eglot-workspace-configuration) :flyte-lsp)
  (setq-default eglot-workspace-configuration
                (append (default-value 'eglot-workspace-configuration)
                        '(:flyte-lsp (:diagnostics (:trigger "change"))))))

(add-hook 'yaml-mode-hook #'eglot-ensure)
(when (boundp 'yaml-ts-mode-hook)
  (add-hook 'yaml-ts-mode-hook #'eglot-ensure))

(defun flyte-lsp--document-index ()
  "The 0-based index of the `---'-separated YAML document at point."
  (save-excursion
    (let ((limit (line-end-position)) (index 0) (started nil))
      (goto-char (point-min))
      (while (<= (point) limit)
        (cond ((looking-at "---\\([ \t]\\|$\\)")
               (when started (setq index (1+ index)))
               (setq started t))
              ((looking-at "[ \t]*[^ \t\n#%]") (setq started t)))
        (if (eobp) (setq limit -1) (forward-line 1)))
      index)))

(defun flyte-lsp-preview (&optional layer)
  "Show the pod rendered from the YAML document at point in another window.
With a prefix argument LAYER, include what the cluster adds."
  (interactive (list (if current-prefix-arg "cluster" "sdk")))
  (let* ((server (eglot--current-server-or-lose))
         (source (current-buffer))
         (text (jsonrpc-request
                server :workspace/executeCommand
                `(:command "flyte-lsp.renderPreview"
                  :arguments [(:uri ,(eglot--path-to-uri (buffer-file-name))
                               :document ,(flyte-lsp--document-index)
                               :layer ,(or layer "sdk"))])))
         (buffer (get-buffer-create (format "*flyte-preview: %s*" (buffer-name source)))))
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert text))
      (goto-char (point-min))
      (when (fboundp 'yaml-mode) (yaml-mode))
      (setq buffer-read-only t))
    (display-buffer buffer '(display-buffer-use-some-window (inhibit-same-window . t)))
    buffer))

(provide 'flyte-lsp)
;;; flyte-lsp.el ends here
