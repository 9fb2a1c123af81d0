//! FLY255–FLY256: operating-system specific settings. With `os.name: windows` the Linux-only
//! security settings (user and group IDs, SELinux, seccomp, AppArmor, capabilities, sysctls,
//! host PID/IPC, user namespaces, ...) are forbidden, and with `os.name: linux` the Windows
//! options are; `windowsOptions` values must be well formed and `hostProcess` consistent.
//!
//! Mirrors `pkg/apis/core/validation/validation.go`: `validateWindows` and `validateLinux`
//! (called from `ValidatePodSpec` when `os.name` is valid), `validateWindowsSecurityContextOptions`
//! (from `validatePodSpecSecurityContext` and `ValidateSecurityContext`) and
//! `validateWindowsHostProcessPod`. Containers are visited as `VisitContainersWithPath` does:
//! init, regular and ephemeral containers.

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::tree::{Entry, Node, NodeKind, Reading};

use super::host_namespaces::{containers_fully_visible, every_container, flag};
use super::pod_values::{is_merged, join, string_value};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY255",
    name: "field-forbidden-for-os",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A field that does not apply to the pod's `os.name`. A Windows pod may not set \
              Linux-only settings (`runAsUser`, `runAsGroup`, `fsGroup`, `supplementalGroups`, \
              `seLinuxOptions`, `seccompProfile`, `appArmorProfile`, `sysctls`, `capabilities`, \
              `privileged`, `procMount`, `hostUsers`, `hostPID`, `shareProcessNamespace`, ...: \
              `Forbidden: cannot be set for a windows pod`); a Linux pod may not set \
              `windowsOptions` (`windows options cannot be set for a linux pod`).",
    bad: "pod_spec:\n  os:\n    name: windows\n  securityContext:\n    runAsUser: 1000\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  os:\n    name: windows\n  securityContext:\n    windowsOptions:\n      runAsUserName: ContainerUser\n  containers:\n    - name: primary\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateWindows`, `validateLinux`)",
};

pub static WINDOWS_OPTIONS_RULE: Rule = Rule {
    code: "FLY256",
    name: "invalid-windows-options",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Invalid `windowsOptions`: `gmsaCredentialSpecName` must be a DNS-1123 subdomain, \
              `gmsaCredentialSpec` must be non-empty and under 64 KiB, `runAsUserName` must be \
              `[DOMAIN\\]USER` with a NetBIOS or DNS domain and a user name of at most 104 \
              characters without `\"/\\:;|=,+*?<>@[]`. A pod with any `hostProcess` container \
              must make every container a HostProcess container, set `hostNetwork: true`, and \
              not contradict the pod-level `hostProcess`.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      securityContext:\n        windowsOptions:\n          gmsaCredentialSpecName: GMSA_Trainer\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      securityContext:\n        windowsOptions:\n          gmsaCredentialSpecName: gmsa-trainer\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateWindowsSecurityContextOptions`, \
             `validateWindowsHostProcessPod`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE, &WINDOWS_OPTIONS_RULE],
    check: Check::Pod(check),
};

/// The YAML shape a field decodes from, so that a value of the wrong type (FLY106's) is not
/// reported as forbidden as well: the API server never gets past decoding it.
#[derive(Clone, Copy)]
enum Shape {
    Map,
    List,
    Int,
    Bool,
    Str,
}

/// Pod `securityContext` fields `validateWindows` forbids when set (`sysctls` only when
/// non-empty).
const WINDOWS_POD_SC: &[(&str, Shape)] = &[
    ("appArmorProfile", Shape::Map),
    ("seLinuxOptions", Shape::Map),
    ("seccompProfile", Shape::Map),
    ("fsGroup", Shape::Int),
    ("fsGroupChangePolicy", Shape::Str),
    ("sysctls", Shape::List),
    ("runAsUser", Shape::Int),
    ("runAsGroup", Shape::Int),
    ("supplementalGroups", Shape::List),
    ("supplementalGroupsPolicy", Shape::Str),
    ("seLinuxChangePolicy", Shape::Str),
];

/// Container `securityContext` fields `validateWindows` forbids when set.
const WINDOWS_CONTAINER_SC: &[(&str, Shape)] = &[
    ("appArmorProfile", Shape::Map),
    ("seLinuxOptions", Shape::Map),
    ("seccompProfile", Shape::Map),
    ("capabilities", Shape::Map),
    ("readOnlyRootFilesystem", Shape::Bool),
    ("privileged", Shape::Bool),
    ("allowPrivilegeEscalation", Shape::Bool),
    ("procMount", Shape::Str),
    ("runAsUser", Shape::Int),
    ("runAsGroup", Shape::Int),
];

const WINDOWS_FORBIDDEN: &str = "Forbidden: cannot be set for a windows pod";

/// `maxGMSACredentialSpecLength` (64 KiB).
const MAX_GMSA_SPEC: usize = 64 * 1024;
/// `maxRunAsUserNameDomainLength`: the domain must be shorter.
const MAX_DOMAIN: usize = 256;
/// `maxRunAsUserNameUserLength`.
const MAX_USER: usize = 104;
/// `invalidUserNameCharsRegex`.
const USER_FORBIDDEN_CHARS: &[char] = &[
    '"', '/', '\\', ':', ';', '|', '=', ',', '+', '*', '?', '<', '>', '@', '[', ']',
];
/// Characters `validNetBiosRegex` refuses anywhere (a leading `.` is refused too).
const NETBIOS_FORBIDDEN_CHARS: &[char] = &['\\', '/', ':', '*', '?', '"', '<', '>', '|'];

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let Some(spec) = parts.spec.filter(|s| s.as_map().is_some()) else {
        return;
    };
    match spec
        .get("os")
        .and_then(|os| os.get("name"))
        .and_then(string_value)
    {
        Some("windows") => check_windows(ctx, parts, spec),
        Some("linux") => check_linux(ctx, parts, spec),
        // No OS, or one FLY105 rejects: `ValidatePodSpec` skips both checks.
        _ => {}
    }
    if let Some(options) = windows_options(spec.get("securityContext")) {
        check_windows_options(ctx, options);
    }
    for container in every_container(parts) {
        if let Some(options) = windows_options(container.get("securityContext")) {
            check_windows_options(ctx, options);
        }
    }
    check_host_process(ctx, parts, spec);
}

fn windows_options(sc: Option<&Node>) -> Option<&Node> {
    sc?.get("windowsOptions").filter(|o| o.as_map().is_some())
}

fn has_shape(node: &Node, shape: Shape) -> bool {
    match shape {
        Shape::Map => node.as_map().is_some(),
        Shape::List => node.as_seq().is_some(),
        Shape::Int => matches!(node.reading(), Some(Reading::Int(_))),
        Shape::Bool => matches!(node.reading(), Some(Reading::Bool(_))),
        Shape::Str => string_value(node).is_some(),
    }
}

/// The entries of `sc` that are set (a Go pointer or slice that is not nil) with the right shape.
fn set_entries<'a>(
    sc: Option<&'a Node>,
    fields: &'a [(&'a str, Shape)],
) -> impl Iterator<Item = &'a Entry> + 'a {
    fields.iter().filter_map(move |(field, shape)| {
        let entry = sc?.entry(field)?;
        let set = !matches!(entry.value.kind, NodeKind::Missing) && !entry.value.is_null();
        (set && has_shape(&entry.value, *shape)).then_some(entry)
    })
}

fn check_windows(ctx: &mut Ctx<'_>, parts: &PodParts<'_>, spec: &Node) {
    let sc = spec.get("securityContext");
    for entry in set_entries(sc, WINDOWS_POD_SC) {
        // `len(securityContext.Sysctls) > 0`: an empty list is accepted.
        if entry.key_str() == Some("sysctls") && entry.value.as_seq().is_some_and(<[_]>::is_empty) {
            continue;
        }
        ctx.report(&RULE, entry.key.span.clone(), WINDOWS_FORBIDDEN.to_string());
    }
    // Pointer fields: any value, even `false`, is forbidden.
    for field in ["hostUsers", "shareProcessNamespace"] {
        if let Some(entry) = spec.entry(field) {
            if flag(Some(&entry.value)).is_some() {
                ctx.report(&RULE, entry.key.span.clone(), WINDOWS_FORBIDDEN.to_string());
            }
        }
    }
    // Plain booleans: only `true` is forbidden.
    for field in ["hostPID", "hostIPC"] {
        if let Some(node) = spec.get(field).filter(|n| flag(Some(n)) == Some(true)) {
            ctx.report(&RULE, node.span.clone(), WINDOWS_FORBIDDEN.to_string());
        }
    }
    for container in every_container(parts) {
        let sc = container.get("securityContext");
        for entry in set_entries(sc, WINDOWS_CONTAINER_SC) {
            ctx.report(&RULE, entry.key.span.clone(), WINDOWS_FORBIDDEN.to_string());
        }
    }
}

fn check_linux(ctx: &mut Ctx<'_>, parts: &PodParts<'_>, spec: &Node) {
    let mut contexts = vec![spec.get("securityContext")];
    contexts.extend(
        every_container(parts)
            .into_iter()
            .map(|c| c.get("securityContext")),
    );
    for sc in contexts {
        let forbidden: &[(&str, Shape)] = &[("windowsOptions", Shape::Map)];
        for entry in set_entries(sc, forbidden) {
            ctx.report(
                &RULE,
                entry.key.span.clone(),
                "Forbidden: windows options cannot be set for a linux pod".to_string(),
            );
        }
    }
}

/// `validateWindowsSecurityContextOptions` for one `windowsOptions` mapping.
fn check_windows_options(ctx: &mut Ctx<'_>, options: &Node) {
    if let Some(node) = options.get("gmsaCredentialSpecName") {
        if let Some(name) = string_value(node) {
            let errs = names::dns1123_subdomain(name);
            if !errs.is_empty() {
                let message = format!("Invalid value: {name:?}: {}", join(&errs));
                ctx.report(&WINDOWS_OPTIONS_RULE, node.span.clone(), message);
            }
        }
    }
    if let Some(node) = options.get("gmsaCredentialSpec") {
        if let Some(spec) = string_value(node) {
            let message = if spec.is_empty() {
                Some(
                    "Invalid value: \"\": gmsaCredentialSpec cannot be an empty string".to_string(),
                )
            } else if spec.len() > MAX_GMSA_SPEC {
                // The API server echoes the whole value; a 64 KiB message helps nobody.
                Some(format!(
                    "Invalid value: gmsaCredentialSpec size must be under {} KiB",
                    MAX_GMSA_SPEC / 1024
                ))
            } else {
                None
            };
            if let Some(message) = message {
                ctx.report(&WINDOWS_OPTIONS_RULE, node.span.clone(), message);
            }
        }
    }
    if let Some(node) = options.get("runAsUserName") {
        if let Some(name) = string_value(node) {
            let errs = run_as_user_name_problems(name);
            if !errs.is_empty() {
                let message = format!("Invalid value: {name:?}: {}", join(&errs));
                ctx.report(&WINDOWS_OPTIONS_RULE, node.span.clone(), message);
            }
        }
    }
}

/// The `runAsUserName` checks of `validateWindowsSecurityContextOptions`, in its order and with
/// its messages.
fn run_as_user_name_problems(name: &str) -> Vec<String> {
    if name.is_empty() {
        return vec!["runAsUserName cannot be an empty string".to_string()];
    }
    // `[[:cntrl:]]` is ASCII: 0x00–0x1F and 0x7F.
    if name.chars().any(|c| c.is_ascii_control()) {
        return vec!["runAsUserName cannot contain control characters".to_string()];
    }
    let parts: Vec<&str> = name.split('\\').collect();
    let (domain, user) = match parts.as_slice() {
        [user] => (None, *user),
        [domain, user] => (Some(*domain), *user),
        _ => return vec!["runAsUserName cannot contain more than one backslash".to_string()],
    };
    let mut errs = Vec::new();
    if domain.is_some_and(|d| d.len() >= MAX_DOMAIN) {
        errs.push(format!(
            "runAsUserName's Domain length must be under {MAX_DOMAIN} characters"
        ));
    }
    if domain.is_some_and(|d| !is_netbios_domain(d) && !is_dns_domain(d)) {
        errs.push(
            "runAsUserName's Domain doesn't match the NetBios nor the DNS format".to_string(),
        );
    }
    if user.is_empty() {
        errs.push("runAsUserName's User cannot be empty".to_string());
    } else if user.len() > MAX_USER {
        errs.push(format!(
            "runAsUserName's User length must not be longer than {MAX_USER} characters"
        ));
    }
    if !user.is_empty() && user.chars().all(|c| c == '.' || c == ' ') {
        errs.push("runAsUserName's User cannot contain only periods or spaces".to_string());
    }
    if user.contains(USER_FORBIDDEN_CHARS) {
        errs.push(
            "runAsUserName's User cannot contain the following characters: \"/\\:;|=,+*?<>@[]"
                .to_string(),
        );
    }
    errs
}

/// `validNetBiosRegex`: `^[^\\/:\*\?"<>|\.][^\\/:\*\?"<>|]{0,14}$` (1 to 15 characters).
fn is_netbios_domain(domain: &str) -> bool {
    let count = domain.chars().count();
    (1..=15).contains(&count)
        && !domain.starts_with('.')
        && !domain.contains(NETBIOS_FORBIDDEN_CHARS)
}

/// `validWindowsUserDomainDNSRegex`: labels `[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?`
/// joined by dots.
fn is_dns_domain(domain: &str) -> bool {
    domain.split('.').all(|label| {
        let b = label.as_bytes();
        match (b.first(), b.last()) {
            (Some(first), Some(last)) => {
                b.len() <= 63
                    && first.is_ascii_alphanumeric()
                    && last.is_ascii_alphanumeric()
                    && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            }
            _ => false,
        }
    })
}

/// A container as `validateWindowsHostProcessPod` sees it: its own `hostProcess` value and the
/// node to point at.
struct HostProcess<'a> {
    value: Option<bool>,
    node: Option<&'a Node>,
}

/// `validateWindowsHostProcessPod`: container values must match the pod's, HostProcess pods are
/// all-or-nothing and need `hostNetwork: true`. (The `--allow-privileged` cluster policy it also
/// checks is not knowable offline.)
fn check_host_process(ctx: &mut Ctx<'_>, parts: &PodParts<'_>, spec: &Node) {
    let pod_node = windows_options(spec.get("securityContext")).and_then(|o| o.get("hostProcess"));
    let pod_value = flag(pod_node);
    let mut containers: Vec<HostProcess<'_>> = every_container(parts)
        .into_iter()
        .map(|c| {
            let node = windows_options(c.get("securityContext")).and_then(|o| o.get("hostProcess"));
            HostProcess {
                value: flag(node),
                node,
            }
        })
        .collect();
    // Flyte appends a bare primary container when `containers` is empty or absent.
    let no_containers = parts
        .spec_field("containers")
        .is_none_or(|c| c.is_null() || c.as_seq().is_some_and(<[_]>::is_empty));
    // A hostProcess that is not a boolean fails decoding (FLY106): nothing else is checked.
    let undecodable =
        |node: Option<&Node>| node.is_some_and(|n| !n.is_null() && flag(Some(n)).is_none());
    if undecodable(pod_node) || containers.iter().any(|c| undecodable(c.node)) {
        return;
    }
    if parts.is_flyte() && no_containers {
        containers.push(HostProcess {
            value: None,
            node: None,
        });
    }
    let mut first_true: Option<&Node> = None;
    let mut host_process_count = 0;
    for container in &containers {
        if let (Some(pod), Some(own), Some(node)) = (pod_value, container.value, container.node) {
            if pod != own {
                let message = format!(
                    "Invalid value: {own}: pod hostProcess value must be identical if both are \
                     specified, was {pod}"
                );
                ctx.report(&WINDOWS_OPTIONS_RULE, node.span.clone(), message);
            }
        }
        match (container.value, pod_value) {
            (Some(true), _) => {
                host_process_count += 1;
                first_true = first_true.or(container.node);
            }
            (None, Some(true)) => {
                host_process_count += 1;
                first_true = first_true.or(pod_node);
            }
            _ => {}
        }
    }
    let Some(anchor) = first_true else {
        return;
    };
    // Skip what depends on seeing every container, or every pod field, behind merges/aliases.
    let visible = |sc: Option<&Node>| {
        sc.is_none_or(|sc| {
            !is_merged(sc) && windows_options(Some(sc)).is_none_or(|o| !is_merged(o))
        })
    };
    let all_visible = !is_merged(spec)
        && visible(spec.get("securityContext"))
        && containers_fully_visible(parts)
        && every_container(parts)
            .iter()
            .all(|c| visible(c.get("securityContext")));
    if all_visible && host_process_count != containers.len() {
        ctx.report(
            &WINDOWS_OPTIONS_RULE,
            anchor.span.clone(),
            "Invalid value: \"\": If pod contains any hostProcess containers then all containers \
             must be HostProcess containers"
                .to_string(),
        );
    }
    let host_network = spec.get("hostNetwork").filter(|n| !n.is_null());
    if host_network.is_none_or(|n| flag(Some(n)) == Some(false)) && !is_merged(spec) {
        let at = host_network.unwrap_or(anchor);
        ctx.report(
            &WINDOWS_OPTIONS_RULE,
            at.span.clone(),
            "Invalid value: false: hostNetwork must be true if pod contains any hostProcess \
             containers"
                .to_string(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use super::run_as_user_name_problems;

    #[test]
    fn windows_forbids_linux_settings() {
        check_k8s(
            r#"pod_spec:
  os:
    name: windows
  hostUsers: true
# ^^^^^^^^^ error FLY255: Forbidden: cannot be set for a windows pod
  hostPID: true
#          ^^^^ error FLY255: Forbidden: cannot be set for a windows pod
  hostIPC: false
  shareProcessNamespace: false
# ^^^^^^^^^^^^^^^^^^^^^ error FLY255: Forbidden: cannot be set for a windows pod
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
#   ^^^^^^^^^ error FLY255: Forbidden: cannot be set for a windows pod
    fsGroup: 2000
#   ^^^^^^^ error FLY255: Forbidden: cannot be set for a windows pod
    supplementalGroups: []
#   ^^^^^^^^^^^^^^^^^^ error FLY255: Forbidden: cannot be set for a windows pod
    sysctls: []
    seccompProfile:
#   ^^^^^^^^^^^^^^ error FLY255: Forbidden: cannot be set for a windows pod
      type: RuntimeDefault
    windowsOptions:
      runAsUserName: ContainerUser
  containers:
    - name: primary
      securityContext:
        runAsNonRoot: true
        privileged: false
#       ^^^^^^^^^^ error FLY255: Forbidden: cannot be set for a windows pod
        capabilities:
#       ^^^^^^^^^^^^ error FLY255: Forbidden: cannot be set for a windows pod
          drop: [ALL]
        runAsGroup: null
"#,
        );
    }

    #[test]
    fn windows_pod_template() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    os:
      name: windows
    securityContext:
      sysctls:
#     ^^^^^^^ error FLY255: Forbidden: cannot be set for a windows pod
        - name: kernel.shm_rmid_forced
          value: "1"
    initContainers:
      - name: setup
        image: mcr.microsoft.com/windows/nanoserver:ltsc2022
        securityContext:
          readOnlyRootFilesystem: true
#         ^^^^^^^^^^^^^^^^^^^^^^ error FLY255: Forbidden: cannot be set for a windows pod
    containers:
      - name: trainer
        image: ghcr.io/acme/train:1.4.2
        securityContext:
          procMount: Default
#         ^^^^^^^^^ error FLY255: Forbidden: cannot be set for a windows pod
          windowsOptions:
            runAsUserName: "NT AUTHORITY\\NETWORK SERVICE"
"#,
        );
    }

    #[test]
    fn linux_forbids_windows_options() {
        check_k8s(
            r#"pod_spec:
  os:
    name: linux
  hostPID: true
  securityContext:
    runAsUser: 1000
    windowsOptions:
#   ^^^^^^^^^^^^^^ error FLY255: Forbidden: windows options cannot be set for a linux pod
      runAsUserName: ContainerUser
  containers:
    - name: primary
      securityContext:
        windowsOptions:
#       ^^^^^^^^^^^^^^ error FLY255: Forbidden: windows options cannot be set for a linux pod
          gmsaCredentialSpecName: gmsa-trainer
"#,
        );
    }

    #[test]
    fn no_os_no_restriction() {
        // Without `os` (or with an OS the enum rule rejects) neither list applies.
        check_k8s(
            r#"pod_spec:
  hostPID: true
  securityContext:
    runAsUser: 1000
    windowsOptions:
      runAsUserName: ContainerUser
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn windows_options_values() {
        check_k8s(
            r#"pod_spec:
  securityContext:
    windowsOptions:
      gmsaCredentialSpecName: GMSA_Trainer
#                             ^^^^^^^^^^^^ error FLY256: Invalid value: "GMSA_Trainer": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
      gmsaCredentialSpec: ""
#                         ^^ error FLY256: Invalid value: "": gmsaCredentialSpec cannot be an empty string
      runAsUserName: "ACME\\ml\\trainer"
#                    ^^^^^^^^^^^^^^^^^^^ error FLY256: Invalid value: "ACME\\ml\\trainer": runAsUserName cannot contain more than one backslash
  containers:
    - name: primary
      securityContext:
        windowsOptions:
          runAsUserName: "ACME\\ml:trainer"
#                        ^^^^^^^^^^^^^^^^^^ error FLY256: Invalid value: "ACME\\ml:trainer": runAsUserName's User cannot contain the following characters: "/\:;|=,+*?<>@[]
    - name: side
      image: busybox:1.36
      securityContext:
        windowsOptions:
          runAsUserName: "..."
#                        ^^^^^ error FLY256: Invalid value: "...": runAsUserName's User cannot contain only periods or spaces
"#,
        );
    }

    #[test]
    fn windows_options_accepted() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    securityContext:
      windowsOptions:
        gmsaCredentialSpecName: gmsa.trainer-1
        gmsaCredentialSpec: '{"CmsPlugins":["ActiveDirectory"]}'
        runAsUserName: ACME.example.com\trainer
    containers:
      - name: trainer
        image: ghcr.io/acme/train:1.4.2
        securityContext:
          windowsOptions:
            runAsUserName: "NT AUTHORITY\\SYSTEM"
"#,
        );
    }

    #[test]
    fn user_name_rules() {
        let ok = |s: &str| run_as_user_name_problems(s).is_empty();
        assert!(ok("ContainerUser"));
        assert!(ok("NT AUTHORITY\\NETWORK SERVICE"));
        assert!(ok("acme-corp.example.com\\svc"));
        assert!(!ok(""));
        assert!(!ok("a\u{7}b"));
        assert!(!ok("\\user"));
        assert!(!ok(".domain\\user"));
        assert!(!ok("domain\\"));
        assert!(!ok(&"u".repeat(105)));
        assert!(ok(&"u".repeat(104)));
        // 16 characters: too long for NetBIOS, but a valid DNS name.
        assert!(ok("abcdefghijklmnop\\user"));
        assert!(!ok("abcdefghijklmno_\\user"));
        assert_eq!(
            run_as_user_name_problems(&format!("{}\\", "d".repeat(256))),
            vec![
                "runAsUserName's Domain length must be under 256 characters".to_string(),
                "runAsUserName's Domain doesn't match the NetBios nor the DNS format".to_string(),
                "runAsUserName's User cannot be empty".to_string(),
            ]
        );
    }

    #[test]
    fn host_process_consistency() {
        check_k8s(
            r#"pod_spec:
  securityContext:
    windowsOptions:
      hostProcess: true
#                  ^^^^ error FLY256: Invalid value: "": If pod contains any hostProcess containers then all containers must be HostProcess containers
#                  ^^^^ error FLY256: Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers
  containers:
    - name: primary
    - name: side
      image: busybox:1.36
      securityContext:
        windowsOptions:
          hostProcess: false
#                      ^^^^^ error FLY256: Invalid value: false: pod hostProcess value must be identical if both are specified, was true
---
apiVersion: v1
kind: PodTemplate
metadata:
  name: trainer
template:
  spec:
    hostNetwork: false
#                ^^^^^ error FLY256: Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers
    containers:
      - name: trainer
        image: ghcr.io/acme/train:1.4.2
        securityContext:
          windowsOptions:
            hostProcess: true
"#,
        );
    }

    #[test]
    fn host_process_pods_accepted() {
        check_k8s(
            r#"pod_spec:
  hostNetwork: true
  securityContext:
    windowsOptions:
      hostProcess: true
  containers:
    - name: primary
      securityContext:
        windowsOptions:
          hostProcess: true
---
pod_spec:
  hostNetwork: true
  containers:
    - name: primary
      securityContext:
        windowsOptions:
          hostProcess: true
---
pod_spec:
  securityContext:
    windowsOptions:
      hostProcess: false
  containers:
    - name: primary
"#,
        );
    }

    #[test]
    fn flyte_adds_a_bare_primary() {
        // With no containers the SDK appends a bare `primary`: it inherits the pod's hostProcess,
        // but is not a HostProcess container when only another container sets it.
        check_k8s(
            r#"pod_spec:
  hostNetwork: true
  securityContext:
    windowsOptions:
      hostProcess: true
  initContainers:
    - name: setup
      image: mcr.microsoft.com/windows/nanoserver:ltsc2022
  containers: []
---
pod_spec:
  hostNetwork: true
  initContainers:
    - name: setup
      image: mcr.microsoft.com/windows/nanoserver:ltsc2022
      securityContext:
        windowsOptions:
          hostProcess: true
#                      ^^^^ error FLY256: Invalid value: "": If pod contains any hostProcess containers then all containers must be HostProcess containers
  containers: []
"#,
        );
    }
}
