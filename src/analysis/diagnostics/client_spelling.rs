//! FLY325: a keyword spelled the way only newer kubernetes Python clients accept. From 37 the
//! client's pydantic models take the API's camelCase names as keywords too
//! (`V1Container(imagePullPolicy=...)`) and validate a dict into a model by either spelling;
//! up to 36 their `__init__` takes only the snake_case attribute names (anything else is
//! `TypeError: __init__() got an unexpected keyword argument`), and a dict is sent as written.
//! The front end records such keys in [`Document::spellings`](crate::tree::Document); the
//! `python.kubernetesClient` setting says which client runs the code.
//!
//! Mirrors kubernetes 36.0.0 and 37.0.2 `kubernetes/client/models/v1_container.py`
//! (`__init__` signatures; `model_config = ConfigDict(validate_by_name=True, ...)` in 37).

use crate::tree::{Node, NodeKind, ScalarStyle};

use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static NEEDS_NEWER_CLIENT: Rule = Rule {
    code: "FLY325",
    name: "keyword-needs-newer-client",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: true,
    reads: Reads::NOTHING,
    summary: "A kubernetes client keyword in the API's camelCase spelling (`imagePullPolicy=`), or a \
              dict key in the client's snake_case spelling where a model is wanted, with \
              `python.kubernetesClient` set to 36 or older: those clients take only their \
              snake_case attribute names as keywords (`TypeError`) and send a dict as written. \
              The fix writes the spelling every client version takes.",
    bad: "from kubernetes.client import V1Container, V1PodSpec\n# with kubernetesClient = 36\n\nspec = V1PodSpec(containers=[V1Container(name=\"main\", image=\"python:3.12\", imagePullPolicy=\"Always\")])\n",
    good: "from kubernetes.client import V1Container, V1PodSpec\n# with kubernetesClient = 36\n\nspec = V1PodSpec(containers=[V1Container(name=\"main\", image=\"python:3.12\", image_pull_policy=\"Always\")])\n",
    source: "kubernetes 36.0.0 / 37.0.2 `kubernetes/client/models/*.py` (`__init__` keywords; pydantic `validate_by_name` in 37)",
};

pub static FAMILY: Family = Family {
    rules: &[&NEEDS_NEWER_CLIENT],
    check: Check::Document(check),
};

fn check(ctx: &mut Ctx<'_>) {
    let client = ctx.settings.python.kubernetes_client;
    let doc = ctx.doc;
    for s in doc.spellings.iter().filter(|s| client < s.since) {
        let message = format!(
            "kubernetes client {client} does not take `{}` here (only clients from {} do): write `{}`",
            s.written, s.since, s.portable
        );
        let key = doc.root.as_ref().and_then(|r| key_at(r, &s.range));
        let writer = ctx.writer;
        let diag = ctx.report(&NEEDS_NEWER_CLIENT, s.range.clone(), message);
        if let Some(key) = key {
            let edit = match key.as_scalar().map(|k| k.style) {
                Some(ScalarStyle::Plain) | None => writer.rename_key(key, &s.portable),
                Some(_) => writer.set_string(key, &s.portable),
            };
            diag.with_edit(format!("Rename to `{}`", s.portable), edit);
        }
    }
}

/// The key node spanning exactly `range`.
fn key_at<'n>(node: &'n Node, range: &std::ops::Range<usize>) -> Option<&'n Node> {
    match &node.kind {
        NodeKind::Map(entries) => entries.iter().find_map(|e| {
            if e.key.span == *range {
                Some(&e.key)
            } else {
                key_at(&e.value, range)
            }
        }),
        NodeKind::Seq(items) => items.iter().find_map(|i| key_at(i, range)),
        _ => None,
    }
}
