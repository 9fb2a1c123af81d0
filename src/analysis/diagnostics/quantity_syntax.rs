//! FLY218: a Kubernetes quantity that does not parse (`8GB`, `1.5 Gi`, `500mi`), with fixes,
//! and the reader of quantity nodes the resource rules share (the grammar itself is
//! `analysis::quantity`). FLY324: a number where a typed Python client takes only a string.
//!
//! Mirrors `staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go` (`ParseQuantity`,
//! `parseQuantityString`, `UnmarshalJSON`) and `suffix.go` (`interpret`). A bad quantity fails
//! at decode time, before any validation: `quantities must match the regular expression ...`
//! (`ErrFormatWrong`) or `unable to parse quantity's suffix` (`ErrSuffix`).

use crate::analysis::quantity::{parse, Quantity};
use crate::schema::SchemaNode;
use crate::tree::{Node, Reading};

use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY218",
    name: "invalid-quantity",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "The value is not a Kubernetes quantity: a number with an optional suffix, binary \
              (`Ki Mi Gi Ti Pi Ei`), decimal (`n u m k M G T P E`) or an exponent (`e3`). `GB`, \
              `mb` and spaces are not quantities, and the API server cannot even decode the pod \
              (`quantities must match the regular expression \
              '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: 8GB\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: 8Gi\n",
    source: "`staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go` (`ParseQuantity`); \
             `suffix.go`",
};

pub static NOT_A_STRING: Rule = Rule {
    code: "FLY324",
    name: "quantity-not-a-string",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: true,
    reads: Reads::NOTHING,
    summary: "A quantity written as a number where the kubernetes Python client (37 and later) \
              takes only a string: its pydantic models declare quantities `StrictStr`, so \
              `V1ResourceRequirements(limits={\"cpu\": 2})` raises a `ValidationError` before \
              anything reaches the API server (which would accept the number). Quote it. With \
              `python.kubernetesClient` set to 36 or older the number is sent as it is, and this \
              rule is silent.",
    bad: "from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements\n\nspec = V1PodSpec(containers=[V1Container(name=\"main\", image=\"python:3.12\", resources=V1ResourceRequirements(limits={\"cpu\": 2}))])\n",
    good: "from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements\n\nspec = V1PodSpec(containers=[V1Container(name=\"main\", image=\"python:3.12\", resources=V1ResourceRequirements(limits={\"cpu\": \"2\"}))])\n",
    source: "kubernetes 37.0.2 `kubernetes/client/models/v1_resource_requirements.py` (`Dict[str, StrictStr]`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE, &NOT_A_STRING],
    check: Check::Scalar(on_scalar),
};

fn on_scalar(ctx: &mut Ctx<'_>, node: &Node, schema: SchemaNode<'_>) {
    if schema.is_quantity() {
        check(ctx, node);
        if ctx.quantities_are_strings {
            check_string(ctx, node);
        }
    }
}

/// FLY324: a number where the reader takes only a string quantity.
fn check_string(ctx: &mut Ctx<'_>, node: &Node) {
    let Some(scalar) = node.as_scalar() else {
        return;
    };
    if !matches!(node.reading(), Some(Reading::Int(_) | Reading::Float(_))) {
        return;
    }
    let text = scalar.value.clone();
    let writer = ctx.writer;
    let message = format!(
        "the kubernetes client (37 and later) takes a quantity only as a string: `{text}` raises a pydantic `ValidationError`; write \"{text}\""
    );
    ctx.report(&NOT_A_STRING, node.span.clone(), message)
        .with_edit(
            format!("Quote as \"{text}\""),
            writer.set_string(node, &text),
        );
}

/// The quantity a YAML node decodes to: a number is read as its JSON text, a string is parsed.
/// `None` for null, booleans, collections and unparsable strings (FLY103/FLY218 report those).
pub(super) fn quantity_of(node: &Node) -> Option<Quantity> {
    let scalar = node.as_scalar()?;
    match node.reading()? {
        Reading::Int(i) => parse(&i.to_string()).ok(),
        Reading::Float(f) if f.is_finite() => parse(&f.to_string()).ok(),
        Reading::Str => parse(&scalar.value).ok(),
        _ => None,
    }
}

/// Reports `node` when it is a string that does not parse as a quantity; called by the schema
/// walk for every `Quantity` field.
pub(super) fn check(ctx: &mut Ctx<'_>, node: &Node) {
    let Some(scalar) = node.as_scalar() else {
        return;
    };
    if node.reading() != Some(Reading::Str) {
        return;
    }
    let text = scalar.value.as_str();
    let Err(err) = parse(text) else { return };
    let message = format!("Invalid value: \"{text}\": {}", err.message());
    let cpu = key_before(ctx.source, node.span.start) == Some("cpu");
    let suggestions = suggest(text, cpu);
    let writer = ctx.writer;
    let diag = ctx.report(&RULE, node.span.clone(), message);
    for s in suggestions {
        // A quantity may be a string or a number: a bare suggestion that is a plain number
        // stays one, anything else is the string.
        let number = plain_number(&s).filter(|_| !scalar.style.is_quoted());
        let edit = match number {
            Some(n) => writer.set_value(node, &n),
            None => writer.set_string(node, &s),
        };
        diag.with_edit(format!("Change to `{s}`"), edit);
    }
}

/// `s` as a JSON number when it spells one exactly as a number is written back (`1`, `1.5`).
fn plain_number(s: &str) -> Option<serde_json::Value> {
    let n: serde_json::Number = s.parse().ok()?;
    (n.to_string() == s).then_some(serde_json::Value::Number(n))
}

/// The map key written just before `offset` on its line (`cpu` in `  cpu: 500mi`), so that a
/// fix can tell CPU from bytes.
fn key_before(source: &str, offset: usize) -> Option<&str> {
    let before = source.get(..offset)?;
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let head = line.trim_end().strip_suffix(':')?.trim_end();
    let head = head.trim_end_matches(['"', '\'']);
    let start = head
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | '_')))
        .map_or(0, |i| i + 1);
    Some(&head[start..])
}

/// Likely meant quantities: `8GB` → `8G` then `8Gi`; `512mb` → `512M`, `512Mi`; `1.5 Gi` →
/// `1.5Gi`; `100mi` → `100Mi`. For CPU only millicores make sense: `500mi` → `500m`.
fn suggest(text: &str, cpu: bool) -> Vec<String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    if number.is_empty() || parse(number).is_err() {
        return Vec::new();
    }
    let unit: String = unit.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = unit.to_ascii_lowercase();
    let stem = lower
        .strip_suffix("bytes")
        .or_else(|| lower.strip_suffix("byte"))
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let candidates: Vec<String> = match stem {
        "" => vec![String::new()],
        "m" | "mi" | "mc" if cpu => vec!["m".into()],
        _ if cpu => Vec::new(),
        "k" => vec!["k".into(), "Ki".into()],
        "m" | "g" | "t" | "p" => {
            let up = stem.to_ascii_uppercase();
            vec![up.clone(), format!("{up}i")]
        }
        "ki" | "mi" | "gi" | "ti" | "pi" | "ei" => {
            let mut c = stem.chars();
            let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or('K');
            vec![format!("{first}i")]
        }
        _ => Vec::new(),
    };
    // `512m` is a valid (milli) quantity, so a lone lower-case `m` never reaches here; `mb`
    // does, and means megabytes.
    candidates
        .into_iter()
        .map(|c| format!("{number}{c}"))
        .filter(|c| c != t && parse(c).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use super::*;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn bad_quantities_in_every_quantity_field() {
        check_k8s(
            r#"pod_spec:
  overhead:
    cpu: 1 core
#        ^^^^^^ error FLY218: Invalid value: "1 core": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
  containers:
    - name: primary
      resources:
        requests:
          cpu: 500mi
#              ^^^^^ error FLY218: Invalid value: "500mi": unable to parse quantity's suffix
          memory: "4 Gi"
#                 ^^^^^^ error FLY218: Invalid value: "4 Gi": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
        limits:
          memory: 8GB
#                 ^^^ error FLY218: Invalid value: "8GB": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
          cpu: "2"
          ephemeral-storage: 1e3
  volumes:
    - name: scratch
      emptyDir:
        sizeLimit: 20gb
#                  ^^^^ error FLY218: Invalid value: "20gb": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
"#,
        );
    }

    #[test]
    fn fixes() {
        check_fix(
            "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: 8GB\n",
            "Change to `8G`",
            "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: 8G\n",
        );
        check_fix(
            "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: \"8GB\"\n",
            "Change to `8Gi`",
            "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: \"8Gi\"\n",
        );
        assert_eq!(suggest("512mb", false), ["512M", "512Mi"]);
        assert_eq!(suggest("100mi", false), ["100Mi"]);
        assert_eq!(suggest("500mi", true), ["500m"]);
        assert_eq!(suggest("500 m", true), ["500m"]);
        assert!(suggest("2GB", true).is_empty());
        assert_eq!(suggest("1.5 Gi", false), ["1.5Gi"]);
        assert_eq!(suggest("4 GiB", false), ["4Gi"]);
        assert_eq!(suggest("1KB", false), ["1k", "1Ki"]);
        assert!(suggest("lots", false).is_empty());
        assert_eq!(super::key_before("  cpu: 5", 7), Some("cpu"));
        assert_eq!(super::key_before("x: {cpu: 5", 9), Some("cpu"));
        assert_eq!(super::key_before("  - 5", 4), None);
    }
}
