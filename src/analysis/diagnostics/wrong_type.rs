//! FLY103: a value of the wrong shape (a string where an integer is wanted, a scalar where a
//! list is wanted, ...).

use crate::schema::JsonType;
use crate::yaml::{Node, Reading};

use super::{Ctx, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY103",
    name: "wrong-type",
    severity: Severity::Error,
    summary: "The value has the wrong type. The API server fails to decode the pod (`json: cannot \
              unmarshal string into Go struct field ... of type int32`) and the kubernetes ≥ 37 \
              Python models refuse it before Flyte serializes anything.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - containerPort: \"8080\"\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - containerPort: 8080\n",
    source: "kube-apiserver decoding (`staging/src/k8s.io/api/core/v1/types.go` field types); Kubernetes OpenAPI schema",
};

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
    let found = node.shape_name();
    let quoted_number = node
        .as_scalar()
        .filter(|s| s.style.is_quoted())
        .and_then(|s| {
            matches!(
                crate::yaml::scalar::read_plain(&s.value),
                Reading::Int(_) | Reading::Float(_)
            )
            .then(|| s.value.clone())
        });
    let message = match &quoted_number {
        Some(_) => format!("expected {expected}, found a quoted string; remove the quotes"),
        None => format!("expected {expected}, found {found}"),
    };
    let diag = ctx.report(&RULE, node.span.clone(), message);
    if let Some(unquoted) = quoted_number {
        if expected.contains("integer") || expected.contains("number") {
            diag.with_fix("Remove the quotes", node.span.clone(), unquoted);
        }
    }
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
#              ^^^^^ error FLY103: expected a boolean, found a string
  containers:
    - name: primary
      command: python main.py
#     ^^^^^^^ warning FLY303: `command` of the primary container `primary` is replaced by the SDK (with `[]`); this value never runs
#              ^^^^^^^^^^^^^^ error FLY103: expected a list, found a string
      ports:
        - containerPort: http
#                        ^^^^ error FLY103: expected an integer, found a string
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
