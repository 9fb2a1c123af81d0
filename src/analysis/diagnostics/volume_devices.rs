//! FLY265: raw block devices (`volumeDevices`) the API server rejects: a device that names no
//! volume or a volume that is not a PersistentVolumeClaim or ephemeral volume, an empty or
//! repeated name or `devicePath`, a `devicePath` with `..`, and a name or path that a
//! `volumeMounts` entry of the same container also uses.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`ValidateVolumeDevices`, `isMatchedDevice`,
//! and the volumeDevices checks of `ValidateVolumeMounts`).

use std::collections::{HashMap, HashSet};

use crate::model::pod::PodParts;
use crate::tree::Node;

use super::pod_values::{has_backsteps, is_merged, is_set, map_items, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY265",
    name: "invalid-volume-device",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(&["name"])),
    summary: "A `volumeDevices` entry the API server rejects: its `name` must be a volume of \
              the pod that is a `persistentVolumeClaim` or an `ephemeral` volume (`can only use \
              volume source type of PersistentVolumeClaim or Ephemeral for block mode`), names \
              and `devicePath`s are unique and non-empty, a `devicePath` has no `..`, and a \
              volume is either mounted or attached as a device in one container, not both, at \
              different paths.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      volumeDevices:\n        - name: scratch\n          devicePath: /dev/xvda\n  volumes:\n    - name: scratch\n      emptyDir: {}\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      volumeDevices:\n        - name: scratch\n          devicePath: /dev/xvda\n  volumes:\n    - name: scratch\n      persistentVolumeClaim:\n        claimName: scratch-block\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateVolumeDevices`, \
             `ValidateVolumeMounts`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    // Volume name -> whether it can back a block device. `None` when the volumes cannot all
    // be seen (merge keys): then nothing is concluded about names.
    let volumes = block_capable_volumes(parts);
    for (_, container) in parts.all_containers() {
        if is_merged(container) {
            continue;
        }
        check_container(ctx, container, volumes.as_ref());
    }
}

fn block_capable_volumes<'a>(parts: &PodParts<'a>) -> Option<HashMap<&'a str, bool>> {
    let list = parts.spec_field("volumes");
    if list.is_some_and(is_merged) {
        return None;
    }
    let mut out = HashMap::new();
    for volume in map_items(list) {
        if is_merged(volume) {
            return None;
        }
        if let Some(name) = volume.get("name").and_then(string_value) {
            let block =
                is_set(volume.get("persistentVolumeClaim")) || is_set(volume.get("ephemeral"));
            out.entry(name).or_insert(block);
        }
    }
    Some(out)
}

fn check_container(ctx: &mut Ctx<'_>, container: &Node, volumes: Option<&HashMap<&str, bool>>) {
    let devices: Vec<&Node> = map_items(container.get("volumeDevices")).collect();
    if devices.is_empty() {
        return;
    }
    let mounts: Vec<&Node> = map_items(container.get("volumeMounts")).collect();
    let mount_names: HashSet<&str> = mounts
        .iter()
        .filter_map(|m| m.get("name").and_then(string_value))
        .collect();
    let mount_paths: HashSet<&str> = mounts
        .iter()
        .filter_map(|m| m.get("mountPath").and_then(string_value))
        .collect();
    let mut names: HashSet<&str> = HashSet::new();
    let mut paths: HashSet<&str> = HashSet::new();
    for device in devices {
        if let Some(node) = device.get("name") {
            check_name(ctx, node, volumes, &mut names, &mount_names);
        }
        if let Some(node) = device.get("devicePath") {
            check_path(ctx, node, &mut paths, &mount_paths);
        }
    }
    // ValidateVolumeMounts reports the same overlaps from the mounts' side.
    for mount in mounts {
        if let Some(node) = mount.get("name") {
            if string_value(node).is_some_and(|n| names.contains(n)) {
                invalid(ctx, node, "must not already exist in volumeDevices");
            }
        }
        if let Some(node) = mount.get("mountPath") {
            if string_value(node).is_some_and(|p| paths.contains(p)) {
                invalid(
                    ctx,
                    node,
                    "must not already exist as a path in volumeDevices",
                );
            }
        }
    }
}

fn check_name<'a>(
    ctx: &mut Ctx<'_>,
    node: &'a Node,
    volumes: Option<&HashMap<&str, bool>>,
    names: &mut HashSet<&'a str>,
    mount_names: &HashSet<&str>,
) {
    // A missing name is FLY104's; `null` decodes to "".
    let name = if node.is_null() {
        ""
    } else {
        match string_value(node) {
            Some(n) => n,
            None => return,
        }
    };
    if name.is_empty() {
        ctx.report(&RULE, node.span.clone(), "Required value".to_string());
        return;
    }
    if !names.insert(name) {
        invalid(ctx, node, "must be unique");
    }
    match volumes.map(|v| v.get(name)) {
        Some(Some(false)) => invalid(
            ctx,
            node,
            "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode",
        ),
        Some(None) => {
            ctx.report(&RULE, node.span.clone(), format!("Not found: \"{name}\""));
        }
        _ => {}
    }
    if mount_names.contains(name) {
        invalid(ctx, node, "must not already exist in volumeMounts");
    }
}

fn check_path<'a>(
    ctx: &mut Ctx<'_>,
    node: &'a Node,
    paths: &mut HashSet<&'a str>,
    mount_paths: &HashSet<&str>,
) {
    let path = if node.is_null() {
        ""
    } else {
        match string_value(node) {
            Some(p) => p,
            None => return,
        }
    };
    if path.is_empty() {
        ctx.report(&RULE, node.span.clone(), "Required value".to_string());
        return;
    }
    if paths.contains(path) {
        invalid(ctx, node, "must be unique");
    }
    // `validatePathNoBacksteps`: a `..` element; such a path is not remembered.
    if has_backsteps(path) {
        invalid(ctx, node, "can not contain backsteps ('..')");
    } else {
        paths.insert(path);
    }
    if mount_paths.contains(path) {
        invalid(
            ctx,
            node,
            "must not already exist as a path in volumeMounts",
        );
    }
}

fn invalid(ctx: &mut Ctx<'_>, node: &Node, detail: &str) {
    let value = string_value(node).unwrap_or("");
    ctx.report(
        &RULE,
        node.span.clone(),
        format!("Invalid value: \"{value}\": {detail}"),
    );
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn devices_need_claims_and_unique_paths() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: block
template:
  spec:
    containers:
      - name: db
        image: postgres:16
        volumeMounts:
          - name: data
#                 ^^^^ error FLY265: Invalid value: "data": must not already exist in volumeDevices
            mountPath: /var/lib/data
          - name: logs
#                 ^^^^ error FLY265: Invalid value: "logs": must not already exist in volumeDevices
            mountPath: /dev/xvdb
#                      ^^^^^^^^^ error FLY265: Invalid value: "/dev/xvdb": must not already exist as a path in volumeDevices
        volumeDevices:
          - name: data
#                 ^^^^ error FLY265: Invalid value: "data": must not already exist in volumeMounts
            devicePath: /dev/xvda
          - name: logs
#                 ^^^^ error FLY265: Invalid value: "logs": can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode
#                 ^^^^ error FLY265: Invalid value: "logs": must not already exist in volumeMounts
            devicePath: /dev/xvdb
#                       ^^^^^^^^^ error FLY265: Invalid value: "/dev/xvdb": must not already exist as a path in volumeMounts
          - name: cache
#                 ^^^^^ error FLY265: Not found: "cache"
            devicePath: /dev/xvda
#                       ^^^^^^^^^ error FLY265: Invalid value: "/dev/xvda": must be unique
          - name: ""
#                 ^^ error FLY265: Required value
            devicePath: /dev/../xvdc
#                       ^^^^^^^^^^^^ error FLY265: Invalid value: "/dev/../xvdc": can not contain backsteps ('..')
    volumes:
      - name: data
        persistentVolumeClaim:
          claimName: db-block
      - name: logs
        emptyDir: {}
"#,
        );
    }

    #[test]
    fn claims_and_ephemeral_volumes_are_block_devices() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      volumeDevices:
        - name: data
          devicePath: /dev/xvda
        - name: scratch
          devicePath: /dev/xvdb
      volumeMounts:
        - name: config
          mountPath: /etc/app
  volumes:
    - name: data
      persistentVolumeClaim:
        claimName: train-block
    - name: scratch
      ephemeral:
        volumeClaimTemplate:
          spec:
            accessModes: [ReadWriteOnce]
            volumeMode: Block
            resources:
              requests:
                storage: 10Gi
    - name: config
      configMap:
        name: app-config
"#,
        );
        // Volumes that come from a merge key cannot be seen: no conclusion about names.
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      volumeDevices:
        - name: data
          devicePath: /dev/xvda
  volumes:
    - <<: {name: data, persistentVolumeClaim: {claimName: train-block}}
"#,
        );
    }
}
