//! FLY242 and FLY243: fields inside volume sources (names, file modes, item paths, emptyDir size,
//! NFS server and path, CSI driver, projected sources and service account tokens) and the
//! `subPath` of volume mounts.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validateVolumeSource` for the emptyDir
//! `sizeLimit`, `validateConfigMapVolumeSource`, `validateSecretVolumeSource`,
//! `validateDownwardAPIVolumeSource`, `validateProjectedVolumeSource`,
//! `validateProjectionSources`, `validateKeyToPath`, `validateHostPathVolumeSource`,
//! `validatePersistentClaimVolumeSource`, `validateNFSVolumeSource`, `validateCSIVolumeSource`,
//! `ValidateCSIDriverName`, `validateLocalDescendingPath`, `ValidateLocalNonReservedPath`,
//! `ValidateVolumeMounts`).
//!
//! FLY268, the warnings for item paths that overlap, mirrors `pkg/api/pod/warnings.go`
//! (`warningsForOverlappingVirtualPaths`, `checkVolumeMappingForOverlap`, `checkForOverlap`):
//! within one configMap, secret or downwardAPI volume, and across the sources of a projected
//! volume, two paths overlap when they are equal or one is a directory prefix of the other
//! (after trailing `/` are trimmed); a projected source with no kind set has "no sources" (so
//! has one with only `clusterTrustBundle` or `podCertificate`, which are dropped while their
//! gates are off, as for FLY242).
//! Upstream keeps the previous source's paths for a source of no listed kind (a configMap or
//! secret without `items`) and so warns about that source's paths overlapping themselves; that
//! slip is not mirrored.

use std::collections::HashSet;

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::tree::Node;

use super::pod_values::{
    descending_path_problem, first_key_span, int_value, is_merged, join, map_items, string_value,
};
use super::quantity_syntax::quantity_of;
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static SOURCE_RULE: Rule = Rule {
    code: "FLY242",
    name: "invalid-volume-source",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A volume source field the API server rejects: a `configMap` without `name`, a \
              `secret` without `secretName`, an empty `hostPath.path` or `claimName`, a \
              `defaultMode`/`mode` outside 0–0777 (write modes in octal with a leading 0: \
              `0644`, not `644`), an item `path` that is absolute or contains `..`, a negative \
              `emptyDir.sizeLimit`, an `nfs` volume without `server` or with a relative `path`, \
              an invalid `csi.driver`, or a projected volume whose sources mix types, project \
              the same path twice, or ask for a service account token valid for less than 10 \
              minutes (`expirationSeconds` 600 to 2^32).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: cfg\n      configMap:\n        name: settings\n        defaultMode: 644\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: cfg\n      configMap:\n        name: settings\n        defaultMode: 0644\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateVolumeSource`, \
             `validateConfigMapVolumeSource`, `validateSecretVolumeSource`, `validateKeyToPath`, \
             `validateHostPathVolumeSource`, `validatePersistentClaimVolumeSource`, \
             `validateNFSVolumeSource`, `validateCSIVolumeSource`, `validateProjectionSources`)",
};

pub static OVERLAP_RULE: Rule = Rule {
    code: "FLY268",
    name: "overlapping-volume-paths",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Two items of a configMap, secret or downwardAPI volume, or two sources of a \
              projected volume, write the same file or a file inside the other's directory \
              (`config` and `config/app.yaml`); or a projected volume lists a source with \
              nothing in it. The API server accepts the pod with a warning (`volume \
              \"settings\" (ConfigMap \"app\"): overlapping paths: \"config/app.yaml\" with \
              \"config\"`); at run time one key overwrites the other or the mount fails with `is \
              a directory` / `file exists`.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: settings\n      configMap:\n        name: app\n        items:\n          - key: base\n            path: config\n          - key: app\n            path: config/app.yaml\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  volumes:\n    - name: settings\n      configMap:\n        name: app\n        items:\n          - key: base\n            path: config/base.yaml\n          - key: app\n            path: config/app.yaml\n",
    source: "`pkg/api/pod/warnings.go` (`warningsForOverlappingVirtualPaths`, \
             `checkVolumeMappingForOverlap`, `checkForOverlap`)",
};

pub static SUB_PATH_RULE: Rule = Rule {
    code: "FLY243",
    name: "invalid-sub-path",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A volume mount's `subPath` or `subPathExpr` must be a relative path without `..`, \
              and the two are mutually exclusive.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: data\n          mountPath: /data\n          subPath: /models\n  volumes:\n    - name: data\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: data\n          mountPath: /data\n          subPath: models\n  volumes:\n    - name: data\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateVolumeMounts`, \
             `validateLocalDescendingPath`)",
};

pub static FAMILY: Family = Family {
    rules: &[&SOURCE_RULE, &OVERLAP_RULE, &SUB_PATH_RULE],
    check: Check::Pod(check),
};

const MAX_MODE: i128 = 0o777;
const MODE_MESSAGE: &str = "must be a number between 0 and 0777 (octal), both inclusive";

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    for volume in map_items(parts.spec_field("volumes")) {
        check_overlaps(ctx, volume);
        if let Some(cm) = volume.get("configMap").filter(|n| usable(n)) {
            require(ctx, volume, "configMap", cm, "name");
            check_mode(ctx, cm.get("defaultMode"));
            check_items(ctx, cm.get("items"));
        }
        if let Some(secret) = volume.get("secret").filter(|n| usable(n)) {
            require(ctx, volume, "secret", secret, "secretName");
            check_mode(ctx, secret.get("defaultMode"));
            check_items(ctx, secret.get("items"));
        }
        if let Some(api) = volume.get("downwardAPI").filter(|n| usable(n)) {
            check_mode(ctx, api.get("defaultMode"));
            check_items(ctx, api.get("items"));
        }
        if let Some(projected) = volume.get("projected").filter(|n| usable(n)) {
            check_mode(ctx, projected.get("defaultMode"));
            check_projection_sources(ctx, projected);
        }
        if let Some(empty) = volume.get("emptyDir").filter(|n| usable(n)) {
            if let Some(node) = empty.get("sizeLimit") {
                if quantity_of(node).is_some_and(|q| q.negative) {
                    ctx.report(
                        &SOURCE_RULE,
                        node.span.clone(),
                        "Forbidden: SizeLimit field must be a valid resource quantity".to_string(),
                    );
                }
            }
        }
        if let Some(ephemeral) = volume.get("ephemeral").filter(|n| usable(n)) {
            // `validateEphemeralVolumeSource`: the claim template is required (its PVC spec is
            // not checked here).
            require(ctx, volume, "ephemeral", ephemeral, "volumeClaimTemplate");
        }
        if let Some(nfs) = volume.get("nfs").filter(|n| usable(n)) {
            check_nfs(ctx, nfs);
        }
        if let Some(csi) = volume.get("csi").filter(|n| usable(n)) {
            check_csi(ctx, csi);
        }
        if let Some(host) = volume.get("hostPath").filter(|n| usable(n)) {
            if let Some(node) = host.get("path") {
                match string_value(node) {
                    Some("") => required(ctx, node),
                    Some(p) if p.split('/').any(|part| part == "..") => {
                        let message = format!("Invalid value: \"{p}\": must not contain '..'");
                        ctx.report(&SOURCE_RULE, node.span.clone(), message);
                    }
                    _ => {}
                }
            }
        }
        if let Some(pvc) = volume.get("persistentVolumeClaim").filter(|n| usable(n)) {
            if let Some(node) = pvc.get("claimName") {
                if string_value(node) == Some("") {
                    required(ctx, node);
                }
            }
        }
    }
    for (_, container) in parts.all_containers() {
        for mount in map_items(container.get("volumeMounts")) {
            check_sub_path(ctx, mount);
        }
    }
}

/// `validateNFSVolumeSource`: `server` and `path` are required (the schema says so too, FLY104
/// reports them missing), and the path is absolute (`path.IsAbs`: it starts with `/`).
fn check_nfs(ctx: &mut Ctx<'_>, nfs: &Node) {
    if let Some(node) = nfs.get("server") {
        if string_value(node) == Some("") {
            required(ctx, node);
        }
    }
    if let Some(node) = nfs.get("path") {
        match string_value(node) {
            Some("") => required(ctx, node),
            Some(p) if !p.starts_with('/') => {
                let message = format!("Invalid value: \"{p}\": must be an absolute path");
                let edit = ctx.writer.set_string(node, &format!("/{p}"));
                ctx.report(&SOURCE_RULE, node.span.clone(), message)
                    .with_edit(format!("Change to `/{p}`"), edit);
            }
            _ => {}
        }
    }
}

const CSI_DRIVER_MAX: usize = 63;

/// `validateCSIVolumeSource` and `ValidateCSIDriverName`: the driver is a DNS subdomain (checked
/// in lower case) of at most 63 characters; a `nodePublishSecretRef` needs a `name`.
fn check_csi(ctx: &mut Ctx<'_>, csi: &Node) {
    if let Some(node) = csi.get("driver") {
        match string_value(node) {
            Some("") => required(ctx, node),
            Some(driver) => {
                if driver.len() > CSI_DRIVER_MAX {
                    let message = format!("Too long: may not be more than {CSI_DRIVER_MAX} bytes");
                    ctx.report(&SOURCE_RULE, node.span.clone(), message);
                }
                let errs = names::dns1123_subdomain(&driver.to_lowercase());
                if !errs.is_empty() {
                    let message = format!("Invalid value: \"{driver}\": {}", join(&errs));
                    ctx.report(&SOURCE_RULE, node.span.clone(), message);
                }
            }
            None => {}
        }
    }
    if let Some(entry) = csi.entry("nodePublishSecretRef") {
        if usable(&entry.value) {
            match entry.value.get("name").filter(|n| !n.is_null()) {
                None if !schema_requires(ctx, "LocalObjectReference", "name") => {
                    let message = "Required value: `nodePublishSecretRef.name`".to_string();
                    ctx.report(&SOURCE_RULE, entry.key.span.clone(), message);
                }
                Some(node) if string_value(node) == Some("") => required(ctx, node),
                _ => {}
            }
        }
    }
}

/// The projection kinds counted by `validateProjectionSources`. `clusterTrustBundle` (and
/// `podCertificate`) are left out: their feature gates are off by default, and the API server
/// drops a disabled field before validating.
const PROJECTIONS: &[&str] = &["secret", "configMap", "downwardAPI", "serviceAccountToken"];
/// `ServiceAccountTokenProjection.expirationSeconds` bounds (10 minutes, 2^32 seconds).
const TOKEN_MIN_SECONDS: i128 = 10 * 60;
const TOKEN_MAX_SECONDS: i128 = 1 << 32;

/// `validateProjectionSources`: one kind per source, names of configMap and secret sources,
/// items, no path projected twice (service account tokens are not counted, as upstream), and
/// service account token lifetimes and paths.
fn check_projection_sources(ctx: &mut Ctx<'_>, projected: &Node) {
    let mut paths: HashSet<&str> = HashSet::new();
    for source in map_items(projected.get("sources")) {
        if !is_merged(source) {
            let second = source
                .as_map()
                .unwrap_or(&[])
                .iter()
                .filter(|e| e.key_str().is_some_and(|k| PROJECTIONS.contains(&k)))
                .filter(|e| !e.value.is_null())
                .nth(1);
            if let Some(e) = second {
                ctx.report(
                    &SOURCE_RULE,
                    e.key.span.clone(),
                    "Forbidden: may not specify more than 1 volume type per source".to_string(),
                );
            }
        }
        for kind in ["secret", "configMap"] {
            let Some(entry) = source.entry(kind) else {
                continue;
            };
            if !usable(&entry.value) {
                continue;
            }
            let def = if kind == "secret" {
                "SecretProjection"
            } else {
                "ConfigMapProjection"
            };
            let name = match entry.value.get("name").filter(|n| !n.is_null()) {
                None => {
                    if !schema_requires(ctx, def, "name") {
                        let message = format!("Required value: `{kind}.name`");
                        ctx.report(&SOURCE_RULE, entry.key.span.clone(), message);
                    }
                    None
                }
                Some(node) => {
                    let name = string_value(node);
                    if name == Some("") {
                        required(ctx, node);
                    }
                    name.filter(|n| !n.is_empty())
                }
            };
            check_items(ctx, entry.value.get("items"));
            for path in item_paths(entry.value.get("items")) {
                duplicate_path(ctx, &mut paths, path, name);
            }
        }
        if let Some(api) = source.get("downwardAPI").filter(|n| usable(n)) {
            check_items(ctx, api.get("items"));
            for path in item_paths(api.get("items")) {
                duplicate_path(ctx, &mut paths, path, None);
            }
        }
        if let Some(token) = source.get("serviceAccountToken").filter(|n| usable(n)) {
            check_token(ctx, token);
        }
    }
}

/// One projected path for the overlap check: the path with trailing `/` trimmed, its node, and
/// where it comes from (`ConfigMap "app"`; empty for a plain volume's items). `items` is true for
/// configMap, secret and downwardAPI items, whose exact duplicates in a projected volume are
/// already FLY242's error (`conflicting duplicate paths`).
struct VirtualPath<'a> {
    path: &'a str,
    raw: &'a str,
    node: &'a Node,
    source: String,
    items: bool,
}

impl VirtualPath<'_> {
    /// `pathAndSource.String()`.
    fn shown(&self) -> String {
        if self.source.is_empty() {
            format!("\"{}\"", self.path)
        } else {
            format!("\"{}\" ({})", self.path, self.source)
        }
    }
}

/// The string paths of a list of items (an absent path is `""`, which overlaps nothing).
fn virtual_paths<'a>(items: Option<&'a Node>, source: &str) -> Vec<VirtualPath<'a>> {
    map_items(items)
        .filter_map(|item| {
            let node = item.get("path")?;
            let raw = string_value(node)?;
            Some(VirtualPath {
                path: raw.trim_end_matches('/'),
                raw,
                node,
                source: source.to_string(),
                items: true,
            })
        })
        .collect()
}

/// `checkForOverlap`: equal, or one a directory prefix of the other.
fn overlaps(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (a, b) = (format!("{a}/"), format!("{b}/"));
    a.starts_with(&b) || b.starts_with(&a)
}

/// `warningsForOverlappingVirtualPaths` for one volume.
fn check_overlaps(ctx: &mut Ctx<'_>, volume: &Node) {
    let name = volume.get("name").and_then(string_value).unwrap_or("");
    let mut plain: Vec<(String, Vec<VirtualPath<'_>>)> = Vec::new();
    if let Some(cm) = volume.get("configMap").filter(|n| usable(n)) {
        let source = format!(
            "ConfigMap \"{}\"",
            cm.get("name").and_then(string_value).unwrap_or("")
        );
        plain.push((source, virtual_paths(cm.get("items"), "")));
    }
    if let Some(secret) = volume.get("secret").filter(|n| usable(n)) {
        let secret_name = secret
            .get("secretName")
            .and_then(string_value)
            .unwrap_or("");
        plain.push((
            format!("Secret \"{secret_name}\""),
            virtual_paths(secret.get("items"), ""),
        ));
    }
    if let Some(api) = volume.get("downwardAPI").filter(|n| usable(n)) {
        plain.push((
            "DownwardAPI".to_string(),
            virtual_paths(api.get("items"), ""),
        ));
    }
    for (desc, paths) in plain {
        for (i, needle) in paths.iter().enumerate() {
            for earlier in paths[..i].iter().filter(|e| overlaps(needle.path, e.path)) {
                let message = format!(
                    "volume \"{name}\" ({desc}): overlapping paths: {} with {}",
                    needle.shown(),
                    earlier.shown()
                );
                ctx.report(&OVERLAP_RULE, needle.node.span.clone(), message);
            }
        }
    }
    let Some(projected) = volume.get("projected").filter(|n| usable(n)) else {
        return;
    };
    let mut all: Vec<VirtualPath<'_>> = Vec::new();
    for source in map_items(projected.get("sources")) {
        if is_merged(source) {
            continue;
        }
        let set = |kind: &str| source.get(kind).filter(|n| !n.is_null());
        // `clusterTrustBundle` and `podCertificate` sources are dropped before the warnings run
        // while their gates are off (their defaults, see PROJECTIONS): such a source is empty.
        if PROJECTIONS.iter().all(|k| set(k).is_none()) {
            let message = format!("volume \"{name}\" (Projected) has no sources provided");
            ctx.report(&OVERLAP_RULE, first_key_span(source), message);
            continue;
        }
        let items_of = |kind: &str| {
            set(kind)
                .and_then(|n| n.get("items"))
                .filter(|i| !i.is_null())
        };
        let named = |kind: &str| {
            set(kind)
                .and_then(|n| n.get("name"))
                .and_then(string_value)
                .unwrap_or("")
                .to_string()
        };
        // The first kind that applies, in upstream's order.
        let paths = if let Some(items) = items_of("configMap") {
            virtual_paths(
                Some(items),
                &format!("ConfigMap \"{}\"", named("configMap")),
            )
        } else if let Some(items) = items_of("secret") {
            virtual_paths(Some(items), &format!("Secret \"{}\"", named("secret")))
        } else if let Some(items) = items_of("downwardAPI") {
            virtual_paths(Some(items), "DownwardAPI")
        } else if let Some(token) = set("serviceAccountToken") {
            token_path(token)
        } else {
            Vec::new()
        };
        for needle in paths {
            for earlier in all.iter().filter(|e| overlaps(needle.path, e.path)) {
                if needle.items && earlier.items && needle.raw == earlier.raw {
                    continue;
                }
                let message = format!(
                    "volume \"{name}\" (Projected): overlapping paths: {} with {}",
                    needle.shown(),
                    earlier.shown()
                );
                ctx.report(&OVERLAP_RULE, needle.node.span.clone(), message);
            }
            all.push(needle);
        }
    }
}

/// The `path` of a service account token source.
fn token_path(source: &Node) -> Vec<VirtualPath<'_>> {
    let Some(node) = source.get("path") else {
        return Vec::new();
    };
    let Some(raw) = string_value(node) else {
        return Vec::new();
    };
    vec![VirtualPath {
        path: raw.trim_end_matches('/'),
        raw,
        node,
        source: "ServiceAccountToken".to_string(),
        items: false,
    }]
}

/// The non-empty string `path`s of a list of items, with their nodes.
fn item_paths(items: Option<&Node>) -> impl Iterator<Item = (&str, &Node)> {
    map_items(items).filter_map(|item| {
        let node = item.get("path")?;
        string_value(node)
            .filter(|p| !p.is_empty())
            .map(|p| (p, node))
    })
}

/// `conflicting duplicate paths`: the API server names the source (`secret`/`configMap` name)
/// or, for downward API items, the path.
fn duplicate_path<'a>(
    ctx: &mut Ctx<'_>,
    paths: &mut HashSet<&'a str>,
    (path, node): (&'a str, &Node),
    source_name: Option<&str>,
) {
    if paths.insert(path) {
        return;
    }
    let value = source_name.unwrap_or(path);
    let message = format!(
        "Invalid value: \"{value}\": conflicting duplicate paths (`{path}` is projected more \
         than once)"
    );
    ctx.report(&SOURCE_RULE, node.span.clone(), message);
}

/// The `serviceAccountToken` projection: lifetime bounds (unset is defaulted to 3600) and a
/// required local `path`.
fn check_token(ctx: &mut Ctx<'_>, token: &Node) {
    if let Some(node) = token.get("expirationSeconds") {
        if let Some(seconds) = int_value(node) {
            let problem = if seconds < TOKEN_MIN_SECONDS {
                Some("may not specify a duration less than 10 minutes")
            } else if seconds > TOKEN_MAX_SECONDS {
                Some("may not specify a duration larger than 2^32 seconds")
            } else {
                None
            };
            if let Some(problem) = problem {
                let message = format!("Invalid value: {seconds}: {problem}");
                ctx.report(&SOURCE_RULE, node.span.clone(), message);
            }
        }
    }
    if let Some(node) = token.get("path") {
        match string_value(node) {
            Some("") => required(ctx, node),
            Some(path) => {
                if let Some(problem) = local_path_problem(path, true) {
                    let message = format!("Invalid value: \"{path}\": {problem}");
                    ctx.report(&SOURCE_RULE, node.span.clone(), message);
                }
            }
            None => {}
        }
    }
}

/// Whether the schema marks `field` of `io.k8s.api.core.v1.<def>` required: FLY104 then reports
/// it missing, and this rule must not say it again.
fn schema_requires(ctx: &Ctx<'_>, def: &str, field: &str) -> bool {
    ctx.set
        .def(&format!("io.k8s.api.core.v1.{def}"))
        .is_some_and(|d| d.required().any(|r| r == field))
}

fn usable(node: &Node) -> bool {
    node.as_map().is_some() && !is_merged(node)
}

fn required(ctx: &mut Ctx<'_>, node: &Node) {
    ctx.report(
        &SOURCE_RULE,
        node.span.clone(),
        "Required value".to_string(),
    );
}

/// `field` must be a non-empty string (these are optional in the schema, required by the API
/// server).
fn require(ctx: &mut Ctx<'_>, volume: &Node, kind: &str, source: &Node, field: &str) {
    match source.entry(field) {
        Some(e) if e.value.is_null() => {
            let message = format!("Required value: `{kind}.{field}`");
            ctx.report(&SOURCE_RULE, e.key.span.clone(), message);
        }
        Some(e) => {
            if string_value(&e.value) == Some("") {
                required(ctx, &e.value);
            }
        }
        None => {
            // Where the schema itself requires the field, FLY104 already says so.
            let def = format!("io.k8s.api.core.v1.{}", source_def(kind));
            let schema_requires = ctx
                .set
                .def(&def)
                .is_some_and(|d| d.required().any(|r| r == field));
            if schema_requires {
                return;
            }
            if let Some(entry) = volume.entry(kind) {
                let message = format!("Required value: `{kind}.{field}`");
                ctx.report(&SOURCE_RULE, entry.key.span.clone(), message);
            }
        }
    }
}

fn source_def(kind: &str) -> &'static str {
    match kind {
        "configMap" => "ConfigMapVolumeSource",
        "ephemeral" => "EphemeralVolumeSource",
        _ => "SecretVolumeSource",
    }
}

fn check_mode(ctx: &mut Ctx<'_>, node: Option<&Node>) {
    let Some(node) = node else { return };
    let Some(mode) = int_value(node).filter(|m| !(0..=MAX_MODE).contains(m)) else {
        return;
    };
    let message = format!("Invalid value: {mode}: {MODE_MESSAGE}");
    // `644` written without the leading 0 is decimal; the octal digits were meant: the same
    // digits, read in base 8 (only when written as plain decimal digits, not `0x2A4`).
    let digits = mode.to_string();
    let meant = i128::from_str_radix(&digits, 8)
        .ok()
        .filter(|_| node.as_str() == Some(digits.as_str()))
        .filter(|m| *m <= MAX_MODE)
        .and_then(|m| u32::try_from(m).ok());
    let writer = ctx.writer;
    let diag = ctx.report(&SOURCE_RULE, node.span.clone(), message);
    if let Some(m) = meant {
        let edit = writer.set_octal(node, m);
        diag.with_edit(format!("Change to `{}` (octal)", edit.new_text), edit);
    }
}

fn check_items(ctx: &mut Ctx<'_>, items: Option<&Node>) {
    for item in map_items(items) {
        if let Some(node) = item.get("key") {
            if string_value(node) == Some("") {
                required(ctx, node);
            }
        }
        if let Some(node) = item.get("path") {
            if let Some(path) = string_value(node) {
                let problem = if path.is_empty() {
                    Some("Required value".to_string())
                } else {
                    local_path_problem(path, true)
                        .map(|p| format!("Invalid value: \"{path}\": {p}"))
                };
                if let Some(message) = problem {
                    ctx.report(&SOURCE_RULE, node.span.clone(), message);
                }
            }
        }
        check_mode(ctx, item.get("mode"));
    }
}

/// `validateLocalDescendingPath` (and, when `reserved`, `ValidateLocalNonReservedPath`).
fn local_path_problem(path: &str, reserved: bool) -> Option<&'static str> {
    if let Some(problem) = descending_path_problem(path) {
        return Some(problem);
    }
    if reserved && path.starts_with("..") {
        return Some("must not start with '..'");
    }
    None
}

fn check_sub_path(ctx: &mut Ctx<'_>, mount: &Node) {
    let sub_path = mount
        .get("subPath")
        .and_then(string_value)
        .filter(|s| !s.is_empty());
    for field in ["subPath", "subPathExpr"] {
        let Some(node) = mount.get(field) else {
            continue;
        };
        let Some(path) = string_value(node).filter(|s| !s.is_empty()) else {
            continue;
        };
        if let Some(problem) = local_path_problem(path, false) {
            let message = format!("Invalid value: \"{path}\": {problem}");
            ctx.report(&SUB_PATH_RULE, node.span.clone(), message);
        }
        if field == "subPathExpr" && sub_path.is_some() {
            let message = format!(
                "Invalid value: \"{path}\": subPathExpr and subPath are mutually exclusive"
            );
            ctx.report(&SUB_PATH_RULE, node.span.clone(), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn volume_sources() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      volumeMounts:
        - name: cfg
          mountPath: /a
          subPath: ../etc
#                  ^^^^^^ error FLY243: Invalid value: "../etc": must not contain '..'
        - name: cfg
          mountPath: /b
          subPath: x
          subPathExpr: $(POD_NAME)
#                      ^^^^^^^^^^^ error FLY243: Invalid value: "$(POD_NAME)": subPathExpr and subPath are mutually exclusive
  volumes:
    - name: cfg
      configMap:
#     ^^^^^^^^^ error FLY104: missing required field `name` in ConfigMapVolumeSource
        defaultMode: 644
#                    ^^^ error FLY242: Invalid value: 644: must be a number between 0 and 0777 (octal), both inclusive
        items:
          - key: a
            path: /abs
#                 ^^^^ error FLY242: Invalid value: "/abs": must be a relative path
          - key: b
            path: ..data
#                 ^^^^^^ error FLY242: Invalid value: "..data": must not start with '..'
            mode: 1000
#                 ^^^^ error FLY242: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive
    - name: sec
      secret:
        secretName: ""
#                   ^^ error FLY242: Required value
        defaultMode: 0400
    - name: sec2
      secret:
#     ^^^^^^ error FLY242: Required value: `secret.secretName`
        defaultMode: 0400
    - name: host
      hostPath:
        path: /var/../etc
#             ^^^^^^^^^^^ error FLY242: Invalid value: "/var/../etc": must not contain '..'
    - name: claim
      persistentVolumeClaim:
        claimName: ""
#                  ^^ error FLY242: Required value
"#,
        );
    }

    #[test]
    fn good_sources() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      volumeMounts:
        - name: cfg
          mountPath: /a
          subPath: conf/app.yaml
  volumes:
    - name: cfg
      configMap:
        name: settings
        defaultMode: 0644
        items:
          - key: app.yaml
            path: conf/app.yaml
            mode: 0400
    - name: sec
      secret:
        secretName: creds
        defaultMode: 420
"#,
        );
    }

    #[test]
    fn empty_dir_nfs_and_csi() {
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
    volumes:
      - name: scratch
        emptyDir:
          sizeLimit: -1Gi
#                    ^^^^ error FLY242: Forbidden: SizeLimit field must be a valid resource quantity
      - name: zero
        emptyDir:
          sizeLimit: "0"
      - name: data
        nfs:
          server: ""
#                 ^^ error FLY242: Required value
          path: exports/data
#               ^^^^^^^^^^^^ error FLY242: Invalid value: "exports/data": must be an absolute path
      - name: data2
        nfs:
          server: nfs.example.com
          path: /exports/data
      - name: secrets
        csi:
          driver: secrets-store.csi.k8s.io
          nodePublishSecretRef:
            name: ""
#                 ^^ error FLY242: Required value
      - name: upper
        csi:
          driver: Secrets-Store.CSI.k8s.io
      - name: bad
        csi:
          driver: my_driver
#                 ^^^^^^^^^ error FLY242: Invalid value: "my_driver": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
"#,
        );
    }

    #[test]
    fn projected_sources() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  volumes:
    - name: bundle
      projected:
        sources:
          - serviceAccountToken:
              audience: vault
              expirationSeconds: 300
#                                ^^^ error FLY242: Invalid value: 300: may not specify a duration less than 10 minutes
              path: token
          - serviceAccountToken:
              expirationSeconds: 4294967297
#                                ^^^^^^^^^^ error FLY242: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds
              path: /var/run/token
#                   ^^^^^^^^^^^^^^ error FLY242: Invalid value: "/var/run/token": must be a relative path
          - serviceAccountToken:
              path: ""
#                   ^^ error FLY242: Required value
          - configMap:
              name: settings
              items:
                - key: a
                  path: conf/a.yaml
            secret:
#           ^^^^^^ error FLY242: Forbidden: may not specify more than 1 volume type per source
              name: creds
          - secret:
              name: creds
              items:
                - key: password
                  path: conf/a.yaml
#                       ^^^^^^^^^^^ error FLY242: Invalid value: "creds": conflicting duplicate paths (`conf/a.yaml` is projected more than once)
          - secret:
              name: ""
#                   ^^ error FLY242: Required value
          - downwardAPI:
              items:
                - path: labels
                  fieldRef:
                    fieldPath: metadata.labels
                - path: labels
#                       ^^^^^^ error FLY242: Invalid value: "labels": conflicting duplicate paths (`labels` is projected more than once)
                  fieldRef:
                    fieldPath: metadata.labels
          - serviceAccountToken:
              path: labels
#                   ^^^^^^ warning FLY268: volume "bundle" (Projected): overlapping paths: "labels" (ServiceAccountToken) with "labels" (DownwardAPI)
"#,
        );
    }

    #[test]
    fn overlapping_paths_warn() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  volumes:
    - name: settings
      configMap:
        name: app
        items:
          - key: base
            path: config/
          - key: app
            path: config/app.yaml
#                 ^^^^^^^^^^^^^^^ warning FLY268: volume "settings" (ConfigMap "app"): overlapping paths: "config/app.yaml" with "config"
          - key: other
            path: configs/x
    - name: creds
      secret:
        secretName: db
        items:
          - key: user
            path: db
          - key: password
            path: db
#                 ^^ warning FLY268: volume "creds" (Secret "db"): overlapping paths: "db" with "db"
    - name: meta
      downwardAPI:
        items:
          - path: pod/labels
            fieldRef:
              fieldPath: metadata.labels
          - path: pod
#                 ^^^ warning FLY268: volume "meta" (DownwardAPI): overlapping paths: "pod" with "pod/labels"
            fieldRef:
              fieldPath: metadata.name
    - name: bundle
      projected:
        sources:
          - {}
#           ^^ warning FLY268: volume "bundle" (Projected) has no sources provided
          - configMap:
              name: app
              items:
                - key: ca
                  path: certs
          - secret:
              name: tls
              items:
                - key: tls.crt
                  path: certs/tls.crt
#                       ^^^^^^^^^^^^^ warning FLY268: volume "bundle" (Projected): overlapping paths: "certs/tls.crt" (Secret "tls") with "certs" (ConfigMap "app")
          - secret:
              name: plain
          - serviceAccountToken:
              path: token
"#,
        );
    }

    #[test]
    fn good_projected_in_a_pod_template() {
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
    volumes:
      - name: bundle
        projected:
          sources:
            - serviceAccountToken:
                expirationSeconds: 600
                path: token
            - serviceAccountToken:
                expirationSeconds: 4294967296
                path: other-token
            - configMap:
                name: settings
                items:
                  - key: a
                    path: token
#                         ^^^^^ warning FLY268: volume "bundle" (Projected): overlapping paths: "token" (ConfigMap "settings") with "token" (ServiceAccountToken)
            - secret:
                name: creds
              downwardAPI: null
"#,
        );
    }

    #[test]
    fn octal_mode_fix() {
        check_fix(
            "pod_spec:\n  containers: []\n  volumes:\n    - name: c\n      configMap:\n        name: s\n        defaultMode: 644\n",
            "Change to `0644` (octal)",
            "pod_spec:\n  containers: []\n  volumes:\n    - name: c\n      configMap:\n        name: s\n        defaultMode: 0644\n",
        );
        // Hex digits are not octal digits written without their 0: no fix.
        let hex = "pod_spec:\n  containers: []\n  volumes:\n    - name: c\n      configMap:\n        name: s\n        defaultMode: 0x2A4\n";
        let analysis = crate::engine::analyze(hex, &crate::settings::Settings::default());
        let fixes: Vec<&str> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.code == "FLY242")
            .flat_map(|d| d.fixes.iter().map(|f| f.title.as_str()))
            .collect();
        assert!(
            analysis.diagnostics.iter().any(|d| d.code == "FLY242"),
            "{:?}",
            analysis.diagnostics
        );
        assert!(fixes.is_empty(), "{fixes:?}");
    }

    #[test]
    fn ephemeral_volumes_need_a_claim_template() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
  volumes:
    - name: scratch
      ephemeral: {}
#     ^^^^^^^^^ error FLY242: Required value: `ephemeral.volumeClaimTemplate`
    - name: cache
      ephemeral:
        volumeClaimTemplate:
#       ^^^^^^^^^^^^^^^^^^^ error FLY242: Required value: `ephemeral.volumeClaimTemplate`
    - name: data
      ephemeral:
        volumeClaimTemplate:
          spec:
            accessModes: [ReadWriteOnce]
            resources:
              requests:
                storage: 1Gi
"#,
        );
    }
}
