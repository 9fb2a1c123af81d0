;;; test.el --- Emacs batch test of editors/emacs/flyte-lsp.el against the real server  -*- lexical-binding: t; -*-

;; Run by tests/editors/run.sh:  emacs --batch -Q -l test.el
;; Environment: FLYTE_LSP_EL (editors/emacs/flyte-lsp.el), WORK_DIR (a scratch copy of
;; tests/editors/fixtures), TEST_TIMEOUT (seconds per step, default 10).  `flyte-lsp' must be on
;; PATH, as the snippet expects.  Prints `ok NAME' or `not ok NAME: DETAIL' per check on stdout;
;; exits 1 on a failure.

(dolist (d (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path d))
(require 'yaml-mode)
(require 'json)
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

(defun test-diags () (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))
(defun test-has (sub) (seq-some (lambda (m) (string-match-p (regexp-quote sub) m)) (test-diags)))
(defun test-describe () (mapconcat #'identity (test-diags) " | "))

(defun test-replace-line (n text)
  (save-excursion
    (goto-char (point-min)) (forward-line (1- n))
    (delete-region (line-beginning-position) (line-end-position))
    (insert text)))

;; Save mode, through the same variable users set.
(setq-default eglot-workspace-configuration '(:flyte-lsp (:diagnostics (:trigger "save"))))
(setq eglot-sync-connect 10 eglot-connect-timeout 30)

(condition-case err
    (progn
      (find-file (expand-file-name "pod-template.yaml" (getenv "WORK_DIR")))
      ;; `eglot-ensure' connects from `post-command-hook', which batch mode never runs.
      (run-hooks 'post-command-hook)
      (test-check "emacs: eglot connected through the yaml-mode hook"
                  (test-wait (lambda () (eglot-current-server))) major-mode)
      (test-check "emacs: FLY201 on the label key after open"
                  (test-wait (lambda () (test-has "[FLY201]"))) (test-describe))
      ;; Fix the key, break a value: nothing changes until the file is saved.
      (test-replace-line 4 "  team-name: ml")
      (test-replace-line 5 "  owner: data eng")
      ;; (Eglot 1.9's Flymake backend drops the shown diagnostics on an edit; the server must
      ;; not publish any for the unsaved text.)
      (test-wait (lambda () (test-has "[FLY202]")) 1.5)
      (test-check "emacs: save mode publishes nothing for unsaved edits"
                  (not (test-has "[FLY202]")) (test-describe))
      (save-buffer)
      (test-check "emacs: diagnostics changed after save (FLY201 gone, FLY202 on the value)"
                  (test-wait (lambda () (and (test-has "[FLY202]") (not (test-has "[FLY201]")))))
                  (test-describe))
      ;; Completion through Eglot's completion-at-point function.
      (goto-char (point-min)) (forward-line 9)
      (insert "      imageP\n") (forward-line -1) (end-of-line)
      (let* ((capf (eglot-completion-at-point))
             (labels (and capf (all-completions "" (nth 2 capf)))))
        (test-check "emacs: completion offers imagePullPolicy" (member "imagePullPolicy" labels)
                    (format "%d items: %s" (length labels) (seq-take labels 8))))
      (forward-line 0) (delete-region (point) (progn (forward-line 1) (point)))
      (save-buffer)
      ;; The preview command of the snippet.
      (goto-char (point-min)) (forward-line 3)
      (let* ((buffer (flyte-lsp-preview))
             (text (with-current-buffer buffer (buffer-string))))
        (test-check "emacs: flyte-lsp-preview shows kind: Pod" (string-match-p "^kind: Pod$" text)
                    (substring text 0 (min 200 (length text))))
        (test-check "emacs: the preview buffer is read-only"
                    (with-current-buffer buffer buffer-read-only))))
  (error (test-check "emacs: lisp error" nil (error-message-string err))))

(ignore-errors (eglot-shutdown (eglot-current-server)))
(kill-emacs (if (= test-failures 0) 0 1))
;;; test.el ends here
