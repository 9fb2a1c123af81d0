//! FLY224–FLY228: pod volumes and container volume mounts. Volume names are unique DNS labels
//! with at most one source; every mount names a declared volume at a unique, non-empty path.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`ValidateVolumes`, `validateVolumeSource`,
//! `ValidateVolumeMounts`, `IsMatchedVolume`). A volume without any source is not an error: the
//! API server defaults it to `emptyDir` first (`SetDefaults_Volume` in
//! `pkg/apis/core/v1/defaults.go`).

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::text::similar::closest;
use crate::tree::{Entry, Node};

use super::pod_values::{is_merged, is_set, join, map_items, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static NAME_RULE: Rule = Rule {
    code: "FLY224",
    name: "invalid-volume-name",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A volume name must be a DNS-1123 label (at most 63 lowercase letters, digits and \
              `-`); an empty name is `Required value`.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: model_cache\n      emptyDir: {}\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: model-cache\n      emptyDir: {}\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateVolumes`)",
};

pub static DUPLICATE_RULE: Rule = Rule {
    code: "FLY225",
    name: "duplicate-volume-name",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Two volumes have the same name (`Duplicate value`); mounts could not tell them \
              apart.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: data\n      emptyDir: {}\n    - name: data\n      configMap:\n        name: settings\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: data\n      emptyDir: {}\n    - name: settings\n      configMap:\n        name: settings\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateVolumes`)",
};

pub static SOURCES_RULE: Rule = Rule {
    code: "FLY226",
    name: "multiple-volume-sources",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Subject),
    summary: "A volume names more than one source (`emptyDir` and `configMap`, ...). The API \
              server answers `Forbidden: may not specify more than 1 volume type`; split it into \
              two volumes. (A volume with no source at all is fine: it becomes an `emptyDir`.)",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: data\n      emptyDir: {}\n      persistentVolumeClaim:\n        claimName: data\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: data\n      persistentVolumeClaim:\n        claimName: data\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateVolumeSource`)",
};

pub static MOUNT_NAME_RULE: Rule = Rule {
    code: "FLY227",
    name: "volume-mount-not-found",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(&["name"])),
    summary: "A volume mount names a volume that the pod spec does not declare (`Not found`). In \
              a Flyte template, a volume from the cluster's default PodTemplate is merged in only \
              at execution; declare the volume here to be safe.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: scratch\n          mountPath: /scratch\n  volumes:\n    - name: scrach\n      emptyDir: {}\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: scratch\n          mountPath: /scratch\n  volumes:\n    - name: scratch\n      emptyDir: {}\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateVolumeMounts`, `IsMatchedVolume`)",
};

pub static MOUNT_PATH_RULE: Rule = Rule {
    code: "FLY228",
    name: "invalid-mount-path",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A volume mount has an empty `mountPath` (`Required value`), or a container mounts \
              two volumes at the same path (`must be unique`).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: a\n          mountPath: /data\n        - name: b\n          mountPath: /data\n  volumes:\n    - name: a\n    - name: b\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: a\n          mountPath: /data/a\n        - name: b\n          mountPath: /data/b\n  volumes:\n    - name: a\n    - name: b\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateVolumeMounts`)",
};

pub static FAMILY: Family = Family {
    rules: &[
        &NAME_RULE,
        &DUPLICATE_RULE,
        &SOURCES_RULE,
        &MOUNT_NAME_RULE,
        &MOUNT_PATH_RULE,
    ],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let declared = check_volumes(ctx, parts);
    // Volumes from an alias or a merge key may carry names we cannot see.
    let volumes = parts.spec_field("volumes");
    let hidden = volumes.is_some_and(|v| {
        is_merged(v) || v.as_seq().is_some_and(|items| items.iter().any(is_merged))
    });
    for (_, container) in parts.all_containers() {
        let mut paths: Vec<&str> = Vec::new();
        for mount in map_items(container.get("volumeMounts")) {
            if !hidden {
                check_mount_name(ctx, mount, &declared);
            }
            check_mount_path(ctx, mount, &mut paths);
        }
    }
}

/// Checks `volumes` and returns the names declared there.
fn check_volumes<'a>(ctx: &mut Ctx<'_>, parts: &PodParts<'a>) -> Vec<&'a str> {
    let mut declared: Vec<&'a str> = Vec::new();
    for volume in map_items(parts.spec_field("volumes")) {
        check_sources(ctx, volume);
        let Some(entry) = volume.entry("name") else {
            continue;
        };
        let Some(name) = name_of(ctx, entry) else {
            continue;
        };
        let errs = names::dns1123_label(name);
        if !errs.is_empty() {
            let message = format!("Invalid value: \"{name}\": {}", join(&errs));
            ctx.report(&NAME_RULE, entry.value.span.clone(), message);
        }
        if declared.contains(&name) {
            let message = format!("Duplicate value: \"{name}\"");
            ctx.report(&DUPLICATE_RULE, entry.value.span.clone(), message);
        } else {
            declared.push(name);
        }
    }
    declared
}

/// The name's text; reports `Required value` for an empty or null name.
fn name_of<'a>(ctx: &mut Ctx<'_>, entry: &'a Entry) -> Option<&'a str> {
    if entry.value.is_null() {
        ctx.report(
            &NAME_RULE,
            entry.key.span.clone(),
            "Required value".to_string(),
        );
        return None;
    }
    let name = string_value(&entry.value)?;
    if name.is_empty() {
        ctx.report(
            &NAME_RULE,
            entry.value.span.clone(),
            "Required value".to_string(),
        );
        return None;
    }
    Some(name)
}

fn check_sources(ctx: &mut Ctx<'_>, volume: &Node) {
    let sources = volume.as_map().unwrap_or(&[]).iter().filter(|e| {
        e.key_str().is_some_and(|k| k != "name" && k != "<<") && is_set(Some(&e.value))
    });
    for extra in sources.skip(1) {
        ctx.report(
            &SOURCES_RULE,
            extra.key.span.clone(),
            "Forbidden: may not specify more than 1 volume type".to_string(),
        );
    }
}

fn check_mount_name(ctx: &mut Ctx<'_>, mount: &Node, declared: &[&str]) {
    let Some(entry) = mount.entry("name") else {
        return;
    };
    if entry.value.is_null() {
        ctx.report(
            &MOUNT_NAME_RULE,
            entry.key.span.clone(),
            "Required value".to_string(),
        );
        return;
    }
    let Some(name) = string_value(&entry.value) else {
        return;
    };
    if name.is_empty() {
        ctx.report(
            &MOUNT_NAME_RULE,
            entry.value.span.clone(),
            "Required value".to_string(),
        );
        return;
    }
    if declared.contains(&name) {
        return;
    }
    let message = if declared.is_empty() {
        format!("Not found: \"{name}\": the pod spec declares no `volumes`")
    } else {
        format!("Not found: \"{name}\": not one of the pod's `volumes`")
    };
    let suggestion = closest(name, declared.iter().copied());
    let writer = ctx.writer;
    let diag = ctx.report(&MOUNT_NAME_RULE, entry.value.span.clone(), message);
    if let Some(s) = suggestion {
        diag.with_edit(
            format!("Change to `{s}`"),
            writer.set_string(&entry.value, s),
        );
    }
}

fn check_mount_path<'a>(ctx: &mut Ctx<'_>, mount: &'a Node, paths: &mut Vec<&'a str>) {
    let Some(entry) = mount.entry("mountPath") else {
        return;
    };
    if entry.value.is_null() {
        ctx.report(
            &MOUNT_PATH_RULE,
            entry.key.span.clone(),
            "Required value".to_string(),
        );
        return;
    }
    let Some(path) = string_value(&entry.value) else {
        return;
    };
    if path.is_empty() {
        ctx.report(
            &MOUNT_PATH_RULE,
            entry.value.span.clone(),
            "Required value".to_string(),
        );
        return;
    }
    if paths.contains(&path) {
        let message = format!("Invalid value: \"{path}\": must be unique");
        ctx.report(&MOUNT_PATH_RULE, entry.value.span.clone(), message);
    } else {
        paths.push(path);
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn volume_names_and_sources() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  volumes:
    - name: Data_1
#           ^^^^^^ error FLY224: Invalid value: "Data_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')
      emptyDir: {}
    - name: cache
    - name: cache
#           ^^^^^ error FLY225: Duplicate value: "cache"
      emptyDir:
        medium: Memory
    - name: mixed
      emptyDir: {}
      configMap:
#     ^^^^^^^^^ error FLY226: Forbidden: may not specify more than 1 volume type
        name: c
      secret:
#     ^^^^^^ error FLY226: Forbidden: may not specify more than 1 volume type
        secretName: s
    - name: nulls
      emptyDir:
      hostPath:
        path: /tmp
    - name: ""
#           ^^ error FLY224: Required value
      emptyDir: {}
"#,
        );
    }

    #[test]
    fn mounts_name_declared_volumes_at_unique_paths() {
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
        volumeMounts:
          - name: data
            mountPath: /data
          - name: dtaa
#                 ^^^^ error FLY227: Not found: "dtaa": not one of the pod's `volumes`
            mountPath: /data
#                      ^^^^^ error FLY228: Invalid value: "/data": must be unique
          - name: config
            mountPath: ""
#                      ^^ error FLY228: Required value
      - name: other
        image: busybox
        volumeMounts:
          - name: data
            mountPath: /data
    initContainers:
      - name: init
        image: busybox
        volumeMounts:
          - name: data
            mountPath: /data
    volumes:
      - name: data
      - name: config
        configMap:
          name: settings
"#,
        );
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      volumeMounts:
        - name: scratch
#               ^^^^^^^ error FLY227: Not found: "scratch": the pod spec declares no `volumes`
          mountPath: /scratch
"#,
        );
    }

    #[test]
    fn merged_fields_are_not_guessed() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    initContainers:
      - &base
        name: init
        image: busybox
        volumeMounts:
          - name: shared
            mountPath: /shared
    containers:
      - <<: *base
        name: main
        resources:
          requests:
            example.com/fpga: 1
          limits: &lims
            example.com/fpga: 1
      - name: other
        image: busybox
        resources:
          requests:
            example.com/fpga: 1
          limits: *lims
    volumes:
      - &shared
        name: shared
      - *shared
"#,
        );
    }

    #[test]
    fn rename_mount_fix() {
        check_fix(
            "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: scrach\n          mountPath: /s\n  volumes:\n    - name: scratch\n",
            "Change to `scratch`",
            "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: scratch\n          mountPath: /s\n  volumes:\n    - name: scratch\n",
        );
    }
}
