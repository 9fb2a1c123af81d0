//! FLY318: a string `pod_template` that names no PodTemplate in the workspace.
//!
//! Information only: the template may exist only in the cluster. The backend looks the name up
//! in the execution namespace, then in flytepropeller's own namespace, and fails the task with
//! `PodTemplate '<name>' does not exist` when neither has it (flyteplugins
//! `pod_template_store.go`; facts/flyte-semantics.md §5.3, rule 21).

use crate::model::pod::PodParts;
use crate::tree::Reading;
use crate::workspace::template_reference;

use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static UNKNOWN_TEMPLATE: Rule = Rule {
    code: "FLY318",
    name: "unknown-pod-template",
    severity: Severity::Information,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A string `pod_template` names a Kubernetes PodTemplate that no file in the workspace \
              (or, for `check`, among the checked files) defines. It may live only in the cluster; \
              if it does not, the task fails at run time with `PodTemplate '<name>' does not exist`.",
    bad: "# workspace has no PodTemplate named gpu-tempalte\nname: train\npod_template: gpu-tempalte\n",
    good: "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-template\ntemplate:\n  spec:\n    containers: []\n---\nname: train\npod_template: gpu-template\n",
    source: "flyteplugins `flytek8s/pod_template_store.go`; flyte 2.12.1 `task_serde.py` (`pod_template_name`)",
};

pub static FAMILY: Family = Family {
    rules: &[&UNKNOWN_TEMPLATE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let Some(index) = ctx.workspace.filter(|w| w.complete) else {
        return;
    };
    let Some(node) = parts.environment.and_then(template_reference) else {
        return;
    };
    if node.reading() != Some(Reading::Str) {
        return;
    }
    let Some(name) = node.as_str() else { return };
    if !index.lookup(name).is_empty() {
        return;
    }
    let suggestion = crate::text::similar::closest(name, index.names());
    let mut msg = format!("no PodTemplate named `{name}` in the workspace; it must exist in the cluster (project or flytepropeller namespace)");
    if let Some(s) = suggestion {
        msg.push_str(&format!("; did you mean `{s}`?"));
    }
    let writer = ctx.writer;
    let diag = ctx.report(&UNKNOWN_TEMPLATE, node.span.clone(), msg);
    if let Some(s) = suggestion {
        diag.with_edit(format!("Change to `{s}`"), writer.set_string(node, s));
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::engine::analyze_in_workspace;
    use crate::engine::parse;
    use crate::settings::Settings;
    use crate::workspace::WorkspaceIndex;

    fn codes(text: &str, index: Option<&WorkspaceIndex>) -> Vec<(&'static str, String)> {
        let stream = parse(text);
        analyze_in_workspace(text, &stream, &Settings::default(), index)
            .diagnostics
            .into_iter()
            .map(|d| (d.code, d.message))
            .collect()
    }

    #[test]
    fn unknown_names_are_information_with_a_suggestion() {
        let mut index = WorkspaceIndex::default();
        index.update(
            Path::new("/w/cluster.yaml"),
            "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-template\ntemplate:\n  spec:\n    containers: []\n",
        );
        index.complete = true;
        let env = "name: train\nenv_vars: {A: \"1\"}\npod_template: gpu-tempalte\n";
        let found = codes(env, Some(&index));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "FLY318");
        assert!(
            found[0].1.ends_with("did you mean `gpu-template`?"),
            "{}",
            found[0].1
        );
        assert!(codes(
            "name: train\nenv_vars: {A: \"1\"}\npod_template: gpu-template\n",
            Some(&index)
        )
        .is_empty());
        // Without a (complete) index nothing is said.
        assert!(codes(env, None).is_empty());
        index.complete = false;
        assert!(codes(env, Some(&index)).is_empty());
    }
}
