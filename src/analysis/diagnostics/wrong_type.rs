//! FLY103: a value of the wrong shape (a string where an integer is wanted, a scalar where a
//! list is wanted, ...).

use crate::schema::JsonType;
use crate::tree::{Node, Reading};

use super::{Applies, Check, Ctx, Expected, Family, Mismatch, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY103",
    name: "wrong-type",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: true,
    reads: Reads::NOTHING,
    summary: "The value has the wrong type. The API server fails to decode the pod (`json: cannot \
              unmarshal string into Go struct field ... of type int32`) and the kubernetes ≥ 37 \
              Python models refuse it before Flyte serializes anything.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - containerPort: \"8080\"\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - containerPort: 8080\n",
    source: "kube-apiserver decoding (`staging/src/k8s.io/api/core/v1/types.go` field types); Kubernetes OpenAPI schema",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Mismatch(mismatch),
};

/// The catch-all for a refused shape.
fn mismatch(ctx: &mut Ctx<'_>, m: &Mismatch<'_>) -> bool {
    match &m.expected {
        Expected::Types(types) => report(ctx, m.node, types),
        Expected::Described(what) => report_expected(ctx, m.node, what),
    }
    true
}

/// Reports `node` as not being any of `expected`.
pub(super) fn report(ctx: &mut Ctx<'_>, node: &Node, expected: &[JsonType]) {
    let mut names: Vec<&str> = Vec::new();
    for t in expected {
        // `integer` is a `number` for the reader; say the stricter one once.
        let name = t.name();
        if !names.contains(&name) && !(*t == JsonType::Null) {
            names.push(name);
        }
    }
    let expected = match names.as_slice() {
        [] => "another type".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    report_expected(ctx, node, &expected);
}

pub(super) fn report_expected(ctx: &mut Ctx<'_>, node: &Node, expected: &str) {
    // What the document's reader saw, in its own words: a bare `y` is a boolean to go-yaml
    // but a string to PyYAML, and the message must say which one this document gets.
    let found = match node.as_scalar() {
        Some(s)
            if !s.style.is_quoted()
                && s.reading() == Reading::Str
                && !ctx.doc.reader.is_empty()
                && !expected.contains("list")
                && !expected.contains("mapping")
                && s.value.len() <= 8
                && !s.value.contains(char::is_whitespace) =>
        {
            format!("the string `{}` (as {} reads it)", s.value, ctx.doc.reader)
        }
        _ => node.shape_name().to_string(),
    };
    // A quoted decimal number, which the user meant as a number.
    let quoted_number = node
        .as_scalar()
        .filter(|s| s.style.is_quoted())
        .and_then(|s| number_literal(&s.value));
    let message = match &quoted_number {
        Some(_) => format!("expected {expected}, found a quoted string; remove the quotes"),
        None => format!("expected {expected}, found {found}"),
    };
    let writer = ctx.writer;
    let diag = ctx.report(&RULE, node.span.clone(), message);
    if let Some(number) = quoted_number {
        if expected.contains("integer") || expected.contains("number") {
            diag.with_edit("Remove the quotes", writer.set_value(node, &number));
        }
    }
}

/// The number a string spells in plain decimal (`"8080"`, `"-1"`, `"0.5"`), as a JSON number.
fn number_literal(text: &str) -> Option<serde_json::Value> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    // `"0644"` may mean an octal mode; which number it is depends on the language, so no fix.
    if digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.") {
        return None;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(i.into());
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(serde_json::Value::Number)
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::{check, check_fix};

    #[test]
    fn shapes_and_scalars_of_the_wrong_type() {
        check(
            r#"primary_container_name: primary
pod_spec:
  terminationGracePeriodSeconds: "30"
#                                ^^^^ error FLY103: expected an integer, found a quoted string; remove the quotes
  hostNetwork: maybe
#              ^^^^^ error FLY103: expected a boolean, found the string `maybe` (as PyYAML reads it)
  containers:
    - name: primary
      command: python main.py
#     ^^^^^^^ warning FLY303: `command` of the primary container `primary` is replaced by the SDK (with `[]`); this value never runs
#              ^^^^^^^^^^^^^^ error FLY103: expected a list, found a string
      ports:
        - containerPort: http
#                        ^^^^ error FLY103: expected an integer, found the string `http` (as PyYAML reads it)
      resources:
        limits:
          memory: [1, 2]
#                 ^^^^^^ error FLY103: expected a quantity such as "500m" or "2Gi", found a list
"#,
        );
    }

    #[test]
    fn right_types_and_yaml_1_1_readings_pass() {
        check(
            r#"primary_container_name: primary
pod_spec:
  terminationGracePeriodSeconds: 30
  hostNetwork: yes
  volumes:
    - name: cfg
      configMap:
        name: cfg
        defaultMode: 0644
  containers:
    - name: primary
      resources:
        limits:
          cpu: "2"
          memory: "4Gi"
"#,
        );
    }

    #[test]
    fn unquote_fix() {
        check_fix(
            "pod_spec:\n  containers: []\n  priority: \"10\"\n",
            "Remove the quotes",
            "pod_spec:\n  containers: []\n  priority: 10\n",
        );
    }
}
