//! The code actions of a range: the quick fixes of the diagnostics it touches and the
//! refactors offered at its start, in one answer from one snapshot.

use crate::text::TextRange;

use super::{Diagnostic, Fix, Snapshot};

/// Which kinds of action the client wants (its `only`; both when it says nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionKinds {
    pub quick_fixes: bool,
    pub refactors: bool,
}

/// One quick fix, with the diagnostic it fixes.
#[derive(Debug, Clone)]
pub struct QuickFix {
    pub diagnostic: Diagnostic,
    pub fix: Fix,
    /// The diagnostic's only fix, so an editor may apply it without asking.
    pub preferred: bool,
}

/// Every code action of a range: quick fixes first, then refactors.
#[derive(Debug, Clone, Default)]
pub struct CodeActions {
    pub quick_fixes: Vec<QuickFix>,
    pub refactors: Vec<Fix>,
}

/// The actions of `range` in `snap`. A diagnostic counts when its range touches `range`, so a
/// cursor right after the word still gets its fix; refactors (add a container, add a volume
/// and its mount) are the ones at `range.start`.
pub fn code_actions(snap: &Snapshot<'_>, range: &TextRange, kinds: ActionKinds) -> CodeActions {
    let mut out = CodeActions::default();
    if kinds.quick_fixes {
        for d in snap.analyze().diagnostics {
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
