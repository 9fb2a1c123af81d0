//! FLY001: YAML syntax errors, at the position the parser stopped.

use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity, Surface};

pub static RULE: Rule = Rule {
    code: "FLY001",
    name: "syntax-error",
    severity: Severity::Error,
    applies: Applies::Surface(Surface::YamlSyntax),
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "The YAML cannot be parsed past this point. Everything before the error is still \
              checked; the rest of the document is not until the error is fixed.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      image: \"ghcr.io/acme/train:1\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      image: \"ghcr.io/acme/train:1\"\n",
    source: "YAML 1.2 (granit-parser); Kubernetes and PyYAML refuse the same documents",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::AnyDocument(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>) {
    for err in &ctx.doc.errors {
        ctx.report(
            &RULE,
            err.range.clone(),
            format!("syntax error: {}", err.message),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::check;

    #[test]
    fn unclosed_quote_is_reported_and_earlier_fields_still_checked() {
        check(
            r#"pod_spec:
  imagePullSecret: []
# ^^^^^^^^^^^^^^^ error FLY101: unknown field `imagePullSecret` in PodSpec; did you mean `imagePullSecrets`?
  containers:
    - name: primary
      image: "ghcr.io/acme/train:1
#            ^^^^^^^^^^^^^^^^^^^^^ error FLY001: syntax error: unclosed quote
"#,
        );
    }

    #[test]
    fn valid_yaml_has_no_syntax_error() {
        check("pod_spec:\n  containers: []\n");
    }
}
