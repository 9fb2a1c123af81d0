//! The code actions of a range: the quick fixes of the diagnostics it touches and the
//! refactors offered at its start, in one answer from one snapshot; and "fix all", the safe
//! fixes of the whole file (what `check --fix` applies, and an editor's `source.fixAll` on
//! save).

use std::collections::BTreeMap;

use crate::text::TextRange;

use super::{Diagnostic, Edit, Fix, Snapshot};

/// Which kinds of action the client wants (its `only`; quick fixes and refactors when it says
/// nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionKinds {
    pub quick_fixes: bool,
    pub refactors: bool,
    /// The file's safe fixes as one action (`source.fixAll`).
    pub fix_all: bool,
}

/// One quick fix, with the diagnostic it fixes.
#[derive(Debug, Clone)]
pub struct QuickFix {
    pub diagnostic: Diagnostic,
    pub fix: Fix,
    /// The diagnostic's only fix, so an editor may apply it without asking.
    pub preferred: bool,
}

/// Every code action of a range: quick fixes first, then refactors, then the file's fix-all.
#[derive(Debug, Clone, Default)]
pub struct CodeActions {
    pub quick_fixes: Vec<QuickFix>,
    pub refactors: Vec<Fix>,
    /// The safe fixes of the whole file; `None` when there is nothing safe to fix.
    pub fix_all: Option<Fix>,
}

/// The actions of `range` in `snap`. A diagnostic counts when its range touches `range`, so a
/// cursor right after the word still gets its fix; refactors (add a container, add a volume
/// and its mount) are the ones at `range.start`.
pub fn code_actions(snap: &Snapshot<'_>, range: &TextRange, kinds: ActionKinds) -> CodeActions {
    let mut out = CodeActions::default();
    let diagnostics = if kinds.quick_fixes || kinds.fix_all {
        snap.analyze().diagnostics
    } else {
        Vec::new()
    };
    if kinds.fix_all {
        let edits: Vec<Edit> = safe_edits(snap.source, &diagnostics)
            .into_iter()
            .map(|(e, _)| e.clone())
            .collect();
        if !edits.is_empty() {
            out.fix_all = Some(Fix {
                title: "Fix all safe problems (flyte-lsp)".to_string(),
                edits,
            });
        }
    }
    if kinds.quick_fixes {
        for d in diagnostics {
            if d.range.end < range.start || d.range.start > range.end {
                continue;
            }
            let preferred = d.fixes.len() == 1;
            for fix in &d.fixes {
                out.quick_fixes.push(QuickFix {
                    diagnostic: d.clone(),
                    fix: fix.clone(),
                    preferred,
                });
            }
        }
    }
    if kinds.refactors {
        out.refactors = super::refactor::refactors(snap, range.start);
    }
    out
}

/// Whether the rule registry marks `code`'s single fix as safe to apply without asking.
fn safe_fix(code: &str) -> bool {
    super::diagnostics::rule(code).is_some_and(|r| r.safe_fix)
}

/// The safe fixes of a file's diagnostics, as edits in source order with the code each fixes:
/// a fix is safe when its diagnostic offers exactly one repair and its rule is marked
/// `safe_fix` (a rename to the one close field, a camelCase spelling, the right case of an enum
/// value, quotes around a YAML 1.1 scalar, removing quotes from a number). Of overlapping
/// edits the first is kept; applying these and checking again picks up the rest.
pub fn safe_edits<'d>(text: &str, diagnostics: &'d [Diagnostic]) -> Vec<(&'d Edit, &'static str)> {
    let mut edits: Vec<(&Edit, &'static str)> = Vec::new();
    for d in diagnostics {
        if !safe_fix(d.code) || d.fixes.len() != 1 {
            continue;
        }
        for e in &d.fixes[0].edits {
            edits.push((e, d.code));
        }
    }
    edits.sort_by_key(|(e, _)| (e.range.start, e.range.end));
    let mut kept: Vec<(&Edit, &'static str)> = Vec::new();
    for (e, code) in edits {
        let overlaps = kept
            .last()
            .is_some_and(|(k, _)| e.range.start < k.range.end);
        let valid = e.range.end <= text.len()
            && text.is_char_boundary(e.range.start)
            && text.is_char_boundary(e.range.end);
        if !overlaps && valid {
            kept.push((e, code));
        }
    }
    kept
}

/// How many edits of each rule [`safe_edits`] keeps, for a report.
pub fn count_by_code(edits: &[(&Edit, &'static str)]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for (_, code) in edits {
        *counts.entry(*code).or_insert(0) += 1;
    }
    counts
}
