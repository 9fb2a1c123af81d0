//! FLY204 and FLY205: container names are DNS-1123 labels, unique across `containers` and
//! `initContainers`.
//!
//! Mirrors `pkg/apis/core/validation/validation.go`: `validateContainerCommon` (`name` required,
//! `ValidateDNS1123Label`), `validateContainers` and `validateInitContainers` (`Duplicate value`
//! on the later entry). In a Flyte template without containers the SDK adds the primary
//! container, so an init container may collide with that one too.

use crate::analysis::names;
use crate::model::pod::{ContainerList, PodParts};
use crate::text::TextRange;

use super::pod_values::{join, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static NAME_RULE: Rule = Rule {
    code: "FLY204",
    name: "invalid-container-name",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A container name must be a DNS-1123 label: at most 63 lowercase letters, digits \
              and `-`, starting and ending with a letter or digit. `_`, `.` and upper case are \
              rejected by the API server (`spec.containers[0].name: Invalid value`), and a Flyte \
              task with such a name stays queued (flyteorg/flyte#998).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: fetch_data\n      image: busybox\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: fetch-data\n      image: busybox\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateContainerCommon`, \
             `ValidateDNS1123Label`)",
};

pub static DUPLICATE_RULE: Rule = Rule {
    code: "FLY205",
    name: "duplicate-container-name",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Two containers have the same name. Names must be unique across `containers` and \
              `initContainers`; the API server reports the later one (`Duplicate value`).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: primary\n      image: busybox\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: setup\n      image: busybox\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateContainers`, \
             `validateInitContainers`)",
};

pub static FAMILY: Family = Family {
    rules: &[&NAME_RULE, &DUPLICATE_RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let primary = parts.primary_name();
    let containers = parts.all_containers();
    // The SDK appends `V1Container(name=primary)` to a Flyte pod spec without containers.
    let synthesized = primary.filter(|_| parts.containers_in("containers").is_empty());
    // A set, not a list: a pod with 60,000 containers took seconds with `Vec::contains`.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (list, container) in containers {
        let Some(entry) = container.entry("name") else {
            // A missing name is FLY104 (the schema requires it).
            continue;
        };
        let Some(name) = string_value(&entry.value) else {
            if entry.value.is_null() {
                ctx.report(
                    &NAME_RULE,
                    entry.key.span.clone(),
                    "Required value".to_string(),
                );
            }
            continue;
        };
        let range = entry.value.span.clone();
        if name.is_empty() {
            ctx.report(&NAME_RULE, range, "Required value".to_string());
            continue;
        }
        let errs = names::dns1123_label(name);
        if !errs.is_empty() {
            let message = format!("Invalid value: \"{name}\": {}", join(&errs));
            let suggestion = suggest(name).filter(|_| Some(name) != primary);
            let writer = ctx.writer;
            let diag = ctx.report(&NAME_RULE, range.clone(), message);
            if let Some(s) = suggestion {
                let edit = writer.set_string(&entry.value, &s);
                diag.with_edit(format!("Rename to `{s}`"), edit);
            }
        }
        let collides = seen.contains(&name)
            || (list == ContainerList::InitContainers && synthesized == Some(name));
        if collides {
            report_duplicate(ctx, name, range, synthesized == Some(name));
        } else {
            seen.insert(name);
        }
    }
}

fn report_duplicate(ctx: &mut Ctx<'_>, name: &str, range: TextRange, sdk_primary: bool) {
    let message = if sdk_primary {
        format!(
            "Duplicate value: \"{name}\": the SDK adds the primary container \"{name}\" to a pod \
             spec without containers"
        )
    } else {
        format!("Duplicate value: \"{name}\"")
    };
    ctx.report(&DUPLICATE_RULE, range, message);
}

/// `Fetch_Data` → `fetch-data`, when lower-casing and turning `_`, `.` and spaces into `-`
/// makes a valid label.
fn suggest(name: &str) -> Option<String> {
    let s: String = name
        .chars()
        .map(|c| match c {
            '_' | '.' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    (s != name && names::dns1123_label(&s).is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn names_must_be_dns_labels() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    containers:
      - name: Main_1
#             ^^^^^^ error FLY204: Invalid value: "Main_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')
        image: busybox
      - name: ""
#             ^^ error FLY204: Required value
        image: busybox
    initContainers:
      - name: setup.v2
#             ^^^^^^^^ error FLY204: Invalid value: "setup.v2": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')
        image: busybox
"#,
        );
    }

    #[test]
    fn later_duplicates_are_reported() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    containers:
      - name: main
        image: busybox
      - name: main
#             ^^^^ error FLY205: Duplicate value: "main"
        image: busybox
    initContainers:
      - name: setup
        image: busybox
      - name: main
#             ^^^^ error FLY205: Duplicate value: "main"
        image: busybox
      - name: setup
#             ^^^^^ error FLY205: Duplicate value: "setup"
        image: busybox
"#,
        );
    }

    #[test]
    fn the_sdk_primary_counts_when_containers_is_empty() {
        check_k8s(
            r#"pod_spec:
  containers: []
  initContainers:
    - name: primary
#           ^^^^^^^ error FLY205: Duplicate value: "primary": the SDK adds the primary container "primary" to a pod spec without containers
      image: busybox
"#,
        );
    }

    #[test]
    fn distinct_valid_names_pass() {
        check_k8s(
            r#"primary_container_name: trainer
pod_spec:
  containers:
    - name: trainer
  initContainers:
    - name: fetch-data-0
      image: busybox
    - name: "123"
      image: busybox
"#,
        );
    }

    #[test]
    fn rename_fix() {
        check_fix(
            "pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: Fetch_Data\n      image: busybox\n",
            "Rename to `fetch-data`",
            "pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: fetch-data\n      image: busybox\n",
        );
    }
}
