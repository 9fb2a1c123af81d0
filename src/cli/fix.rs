//! `check --fix`: applies the safe quick fixes and writes the files back atomically.
//!
//! A fix is safe when its diagnostic offers exactly one repair and the rule's repair cannot
//! change what the user meant: a rename to the one close field, a camelCase spelling, the right
//! case of an enum value, quotes around a YAML 1.1 scalar, removing quotes from a number. The
//! rule registry says which rules those are (`Rule::safe_fix`); `analysis::actions::safe_edits`
//! picks them, for this and for the editor's `source.fixAll`. Files are written through a
//! temporary file in the same folder and a rename, never in place, and only files that were
//! read and parsed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use crate::analysis::actions::{count_by_code, safe_edits};
use crate::analysis::Diagnostic;

/// The text with the safe fixes applied ([`safe_edits`], the same set an editor's
/// `source.fixAll` applies), and how many of each rule were fixed; `None` when there is nothing
/// to fix.
pub fn apply_safe_fixes(
    text: &str,
    diagnostics: &[Diagnostic],
) -> Option<(String, BTreeMap<&'static str, usize>)> {
    let kept = safe_edits(text, diagnostics);
    if kept.is_empty() {
        return None;
    }
    let mut out = text.to_string();
    for (e, _) in kept.iter().rev() {
        out.replace_range(e.range.clone(), &e.new_text);
    }
    Some((out, count_by_code(&kept)))
}

/// Writes `text` to `path` through a temporary file in the same folder, then renames it over
/// the original, so a crash never leaves a half-written file. Keeps the file's permissions.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.flyte-lsp-fix.{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze;
    use crate::settings::Settings;

    #[test]
    fn applies_only_single_safe_fixes() {
        let text = "labels:\n  enabled: yes\npod_spec:\n  imagePullSecret: []\n  restartPolicy: Always\n  containers:\n    - name: primary\n";
        let analysis = analyze(text, &Settings::default());
        let (fixed, counts) = apply_safe_fixes(text, &analysis.diagnostics).expect("fixes");
        assert_eq!(
            fixed,
            "labels:\n  enabled: \"yes\"\npod_spec:\n  imagePullSecrets: []\n  restartPolicy: Always\n  containers:\n    - name: primary\n",
            "restartPolicy: Always (FLY315) changes behaviour, so it is left for the user"
        );
        assert_eq!(counts.get("FLY101"), Some(&1));
        assert_eq!(counts.get("FLY106"), Some(&1));
        let again = analyze(&fixed, &Settings::default());
        assert!(apply_safe_fixes(&fixed, &again.diagnostics).is_none());
    }

    #[test]
    fn the_registry_marks_the_safe_rules() {
        use crate::analysis::diagnostics::RULES;
        let safe: Vec<&str> = RULES
            .iter()
            .filter(|r| r.safe_fix)
            .map(|r| r.code)
            .collect();
        assert_eq!(
            safe,
            ["FLY101", "FLY102", "FLY103", "FLY105", "FLY106", "FLY201", "FLY324", "FLY325"],
            "a rule's fix becomes safe for `check --fix` only by a deliberate change here"
        );
    }
}
