;;; python.el --- Emacs batch test: flyte-lsp beside Pyright under Eglot, through rass  -*- lexical-binding: t; -*-

;; Run by tests/editors/run.sh:  emacs --batch -Q -l python.el
;; Eglot runs one server per buffer; editors/emacs/README.md runs Pyright and flyte-lsp behind
;; the multiplexer rassumfrassum (`rass').  This test does what that README says, on envs.py.
;; Environment: FLYTE_LSP_EL (editors/emacs/flyte-lsp.el), WORK_DIR (a scratch copy of the
;; fixtures with tests/editors/python/), RASS, PYRIGHT_BIN, PY_PYTHON (the venv's interpreter,
;; for Pyright), TEST_TIMEOUT (seconds per step, default 10; Pyright's first analysis gets 60).
;; `flyte-lsp' is on PATH.  Prints `ok NAME' or `not ok NAME: DETAIL' per check; exits 1 on a
;; failure.

(dolist (d (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path d))
(require 'python)
(load (getenv "FLYTE_LSP_EL") nil t)

(defvar test-failures 0)
(defvar test-timeout (string-to-number (or (getenv "TEST_TIMEOUT") "10")))

(defun test-check (name ok &optional detail)
  (princ (if ok (format "ok %s\n" name)
           (setq test-failures (1+ test-failures))
           (format "not ok %s: %s\n" name (or detail ""))))
  ok)

(defun test-wait (pred &optional secs)
  (let ((end (+ (float-time) (or secs test-timeout))) (ok nil))
    (while (and (not (setq ok (funcall pred))) (< (float-time) end))
      (accept-process-output nil 0.05))
    ok))

(defun test-diag (sub)
  "The first Flymake diagnostic whose text holds SUB."
  (seq-find (lambda (d) (string-match-p (regexp-quote sub) (flymake-diagnostic-text d)))
            (flymake-diagnostics)))
(defun test-describe ()
  (mapconcat (lambda (d) (format "%d: %s" (line-number-at-pos (flymake-diagnostic-beg d))
                                 (flymake-diagnostic-text d)))
             (flymake-diagnostics) " | "))
(defun test-line-of (text)
  (save-excursion (goto-char (point-min)) (search-forward text) (line-number-at-pos)))
(defun test-goto (text)
  (goto-char (point-min)) (search-forward text) (goto-char (match-beginning 0)))

;; As editors/emacs/README.md says: Pyright first (rass sends the requests only one server
;; answers, hover among them, to the first), then flyte-lsp.
(add-to-list 'eglot-server-programs
             `((python-mode python-ts-mode)
               . (,(getenv "RASS") "--" ,(getenv "PYRIGHT_BIN") "--stdio" "--" "flyte-lsp" "serve")))
(add-hook 'python-mode-hook #'eglot-ensure)
;; Pyright reads the venv from its own section; flyte-lsp's stays as the snippet sets it.
(setq-default eglot-workspace-configuration
              (append `(:python (:pythonPath ,(getenv "PY_PYTHON")))
                      (default-value 'eglot-workspace-configuration)))
(setq eglot-sync-connect 30 eglot-connect-timeout 60)

(condition-case err
    (progn
      (find-file (expand-file-name "envs.py" (getenv "WORK_DIR")))
      ;; `eglot-ensure' connects from `post-command-hook', which batch mode never runs.
      (run-hooks 'post-command-hook)
      (test-check "emacs-python: eglot connected through rass in python-mode"
                  (test-wait (lambda () (eglot-current-server)) 30) major-mode)
      (let* ((ours-line (test-line-of "\"Sometimes\""))
             (typo-line (test-line-of "termination_message_polcy"))
             (both (test-wait (lambda () (and (test-diag "[FLY105]") (test-diag "No parameter named"))) 60))
             (ours (test-diag "[FLY105]"))
             (theirs (test-diag "No parameter named")))
        (test-check (format "emacs-python: Flymake shows our FLY105 on line %d" ours-line)
                    (and ours (= (line-number-at-pos (flymake-diagnostic-beg ours)) ours-line))
                    (test-describe))
        (test-check (format "emacs-python: and Pyright's finding on line %d, which flyte-lsp leaves to it"
                            typo-line)
                    (and both (= (line-number-at-pos (flymake-diagnostic-beg theirs)) typo-line)
                         (not (test-diag "[FLY101]")))
                    (test-describe)))
      ;; Completion inside image_pull_policy=" (half typed), through rass.
      (test-goto "\"Sometimes\"")
      (forward-char 1)
      (delete-region (point) (line-end-position))
      (let* ((capf (eglot-completion-at-point))
             (labels (and capf (all-completions "" (nth 2 capf)))))
        (test-check "emacs-python: completion inside image_pull_policy=\" offers IfNotPresent"
                    (member "IfNotPresent" labels) (format "%s" (seq-take labels 8))))
      (insert "Sometimes\",")
      ;; Drop the misspelt keyword so the file renders, and save.
      (test-goto "termination_message_polcy")
      (delete-region (line-beginning-position) (progn (forward-line 1) (point)))
      (save-buffer)
      ;; flyte-lsp-preview in the call of `serve', then on the `train' line.
      (test-goto "name=\"serve\"")
      (let* ((buffer (flyte-lsp-preview))
             (text (with-current-buffer buffer (buffer-string))))
        (test-check "emacs-python: flyte-lsp-preview in the call of `serve' shows its pod"
                    (and (string-match-p "^kind: Pod$" text)
                         (string-match-p "image: ghcr.io/acme/serve:2.0" text))
                    (substring text 0 (min 300 (length text)))))
      (test-goto "train = flyte.TaskEnvironment(")
      (let* ((buffer (flyte-lsp-preview))
             (text (with-current-buffer buffer (buffer-string))))
        (test-check "emacs-python: flyte-lsp-preview on the `train' line shows train's pod"
                    (and (string-match-p "team: ml" text)
                         (string-match-p "image: ghcr.io/acme/train:1.0" text))
                    (substring text 0 (min 300 (length text))))))
  (error (test-check "emacs-python: lisp error" nil (error-message-string err))))

(ignore-errors (eglot-shutdown (eglot-current-server)))
(kill-emacs (if (= test-failures 0) 0 1))
;;; python.el ends here
