;;; flyte-lsp.el --- Eglot setup for flyte-lsp  -*- lexical-binding: t; -*-

;; Diagnostics, completion, hover, quick fixes and a pod preview for Flyte task environments
;; and Kubernetes pod templates in YAML, through Eglot (built into Emacs 29; `elpa-eglot' or
;; GNU ELPA on Emacs 28) and `flyte-lsp serve'.  Load this file from your init file, or copy
;; the forms you need.  Settings go in `eglot-workspace-configuration' under `:flyte-lsp'.
;;
;; Python: Eglot runs one server per buffer, so this file does not register flyte-lsp for
;; Python (it would take Pyright's place).  Run both through a multiplexer (README.md here);
;; `flyte-lsp-preview' works in Python buffers either way.

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

(defun flyte-lsp--python-p ()
  "Whether the current buffer is Python."
  (derived-mode-p 'python-mode 'python-ts-mode))

(defun flyte-lsp--lens-at (lenses line)
  "The renderPreview argument of the lens in LENSES nearest at or above LINE.
LINE is 0-based; with no lens at or above it, the first lens.  The server
puts a lens on the first line of each `flyte.TaskEnvironment(...)' and
`clone_with(...)' call and on each task decorator that sets its own
`pod_template'; the argument names the environment or the task."
  (let (best first)
    (seq-doseq (lens lenses)
      (let* ((cmd (plist-get lens :command))
             (args (and cmd (equal (plist-get cmd :command) "flyte-lsp.renderPreview")
                        (plist-get cmd :arguments)))
             (arg (and (vectorp args) (> (length args) 0) (aref args 0)))
             (at (plist-get (plist-get (plist-get lens :range) :start) :line)))
        (when (and arg (integerp at))
          (when (or (null first) (< at (car first))) (setq first (cons at arg)))
          (when (and (<= at line) (or (null best) (>= at (car best)))) (setq best (cons at arg))))))
    (cdr (or best first))))

(defun flyte-lsp--python-environment ()
  "The `name' of the environment call at or above point, read from the buffer.
The call is `TaskEnvironment(...)' or `clone_with(...)'; only its own `name='
keyword counts, not one nested deeper (a container's).  For when the server's
code lenses cannot be asked (a multiplexer that sends them to another server)."
  (save-excursion
    (end-of-line)
    (let (name)
      (while (and (not name)
                  (re-search-backward "\\_<\\(TaskEnvironment\\|clone_with\\)[ \t]*(" nil t))
        (save-excursion
          (let* ((open (1- (match-end 0)))
                 (depth (car (syntax-ppss open)))
                 (end (or (ignore-errors (scan-sexps open 1)) (point-max))))
            (goto-char open)
            (while (and (not name)
                        (re-search-forward "\\_<name[ \t]*=[ \t]*[\"']\\([^\"'\n]+\\)[\"']" end t))
              (let ((ppss (syntax-ppss (match-beginning 0))))
                (when (and (= (car ppss) (1+ depth)) (not (nth 3 ppss)))
                  (setq name (match-string-no-properties 1))))))))
      name)))

(defun flyte-lsp--preview-argument (server layer)
  "The renderPreview argument for point, in LAYER; SERVER is asked in Python.
YAML: the `---' document at point.  Python: what the server's lens nearest at
or above point names (an environment or a task), else the environment whose
call is at or above point."
  (let ((uri (eglot--path-to-uri (buffer-file-name))))
    (if (not (flyte-lsp--python-p))
        `(:uri ,uri :document ,(flyte-lsp--document-index) :layer ,layer)
      (let* ((lenses (condition-case nil
                         (jsonrpc-request server :textDocument/codeLens `(:textDocument (:uri ,uri)))
                       (jsonrpc-error nil)))
             (arg (flyte-lsp--lens-at lenses (1- (line-number-at-pos))))
             (name (and (not arg) (flyte-lsp--python-environment))))
        (cond (arg (plist-put (copy-sequence arg) :layer layer))
              (name `(:uri ,uri :environment ,name :layer ,layer))
              (t (user-error "No flyte.TaskEnvironment at or above point")))))))

(defun flyte-lsp-preview (&optional layer)
  "Show the pod rendered from the YAML document at point in another window.
In Python, the pod of the task environment at or above point (or of the
task, when its decorator sets its own `pod_template').  With a prefix
argument LAYER, include what the cluster adds."
  (interactive (list (if current-prefix-arg "cluster" "sdk")))
  (let* ((server (eglot--current-server-or-lose))
         (source (current-buffer))
         (argument (flyte-lsp--preview-argument server (or layer "sdk")))
         (text (jsonrpc-request
                server :workspace/executeCommand
                `(:command "flyte-lsp.renderPreview" :arguments [,argument])))
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
