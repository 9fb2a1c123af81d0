//! FLY002: a key repeated in one mapping.

use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity, Surface};

pub static RULE: Rule = Rule {
    code: "FLY002",
    name: "duplicate-key",
    severity: Severity::Error,
    applies: Applies::Surface(Surface::YamlDuplicateKeys),
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A mapping has the same key twice. The API server's strict decoding rejects it, and \
              PyYAML silently keeps only the last one, so one of the two values is lost.",
    bad: "pod_spec:\n  containers: []\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n",
    source: "kube-apiserver strict field validation (`duplicate field`); YAML 1.2 §3.2.1.1 (keys are unique)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Document(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>) {
    for dup in &ctx.doc.duplicate_keys {
        let line = ctx.source[..dup.first.start.min(ctx.source.len())]
            .matches('\n')
            .count()
            + 1;
        let message = format!(
            "duplicate key `{}`: already defined on line {line}",
            dup.key
        );
        ctx.report(&RULE, dup.duplicate.clone(), message);
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::check;

    #[test]
    fn second_occurrence_is_reported() {
        check(
            r#"primary_container_name: main
labels:
  team: ml
  team: data
# ^^^^ error FLY002: duplicate key `team`: already defined on line 3
"#,
        );
    }

    #[test]
    fn same_key_in_different_mappings_is_fine() {
        check("primary_container_name: main\nlabels:\n  team: ml\nannotations:\n  team: ml\n");
    }
}
