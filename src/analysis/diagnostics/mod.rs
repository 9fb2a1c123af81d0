//! The diagnostic rule registry and the driver that runs every rule over a file.
//!
//! Each rule lives in its own file with a stable code (never reused), a default severity and a
//! doc block that feeds `docs/rules.md`. Settings may change a rule's severity or turn it off.

mod affinity;
mod annotations;
mod container_image;
mod container_kinds;
mod container_names;
mod deprecated;
mod dns;
mod duplicate_key;
mod enum_value;
mod env;
mod env_refs;
mod flyte_environment;
mod flyte_merge;
mod flyte_primary;
mod flyte_reference;
mod host_namespaces;
mod ip_formats;
mod k8s_version;
mod label_selectors;
mod labels;
mod mounts;
mod object_meta;
mod pod_fields;
mod pod_lists;
mod pod_os;
mod pod_resources;
mod pod_values;
mod port_overlap;
mod ports;
mod probes;
mod quantity_syntax;
mod required;
mod resize_policy;
mod resource_claims;
mod resources;
mod security;
mod snake_case;
mod syntax;
mod sysctls;
mod tolerations;
mod topology_spread;
mod unknown_field;
mod volume_devices;
mod volume_sources;
mod volumes;
mod walk;
mod wrong_type;
mod yaml11;

#[cfg(test)]
pub(crate) mod fixture;

use crate::model::pod::PodParts;
use crate::model::DocKind;
use crate::schema::{schemas, SchemaSet};
use crate::settings::RuleLevel;
use crate::text::TextRange;
use crate::tree::edit::Writer;
use crate::tree::Document;
use crate::workspace::WorkspaceIndex;

use super::{DocInfo, Snapshot};

/// How serious a finding is; the names match LSP's and the JSON output's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

pub use crate::tree::edit::Edit;

/// A quick fix: one obvious repair, as edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

/// One finding, with the exact range the user must change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: TextRange,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub fixes: Vec<Fix>,
}

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, e.g. `FLY101`. Never reused for another meaning.
    pub code: &'static str,
    /// Short kebab-case name.
    pub name: &'static str,
    pub severity: Severity,
    /// One or two sentences: what is wrong and why it matters.
    pub summary: &'static str,
    /// A YAML snippet that triggers the rule.
    pub bad: &'static str,
    /// The same snippet, fixed.
    pub good: &'static str,
    /// What the rule mirrors (source file or document).
    pub source: &'static str,
}

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &syntax::RULE,
    &duplicate_key::RULE,
    &unknown_field::RULE,
    &snake_case::RULE,
    &wrong_type::RULE,
    &required::RULE,
    &enum_value::RULE,
    &yaml11::RULE,
    &k8s_version::RULE,
    &flyte_primary::MISSING_PRIMARY,
    &flyte_primary::PRIMARY_NAME_FORMAT,
    &flyte_primary::PRIMARY_COMMAND_REPLACED,
    &flyte_primary::PRIMARY_IMAGE,
    &flyte_environment::NAME_FORMAT,
    &flyte_environment::NAME_LENGTH,
    &flyte_environment::TEMPLATE_NAME,
    &flyte_environment::REUSABLE,
    &flyte_environment::SECRET,
    &flyte_environment::RESOURCES,
    &flyte_merge::ENV_SHADOWED,
    &flyte_merge::RESOURCE_OVERRIDDEN,
    &flyte_merge::GPU_CLAMPED,
    &flyte_merge::MULTI_CONTAINER,
    &flyte_merge::RESTART_POLICY,
    &flyte_merge::SHM_CONFLICT,
    &flyte_merge::FLYTE_LABEL,
    &flyte_reference::UNKNOWN_TEMPLATE,
    &flyte_merge::PRIMARY_IMAGE_WINS,
    &flyte_merge::REQUEST_OVER_LIMIT,
    &flyte_merge::SERVICE_ACCOUNT,
    &labels::KEY_RULE,
    &labels::VALUE_RULE,
    &annotations::RULE,
    &container_names::NAME_RULE,
    &container_names::DUPLICATE_RULE,
    &container_image::RULE,
    &container_kinds::EPHEMERAL_RULE,
    &container_kinds::INIT_FIELDS_RULE,
    &container_kinds::RESTART_POLICY_RULE,
    &ports::NUMBER_RULE,
    &ports::NAME_RULE,
    &ports::DUPLICATE_RULE,
    &ports::HOST_PORT_RULE,
    &env::NAME_RULE,
    &env::VALUE_AND_SOURCE_RULE,
    &env::SOURCE_COUNT_RULE,
    &env::DUPLICATE_RULE,
    &quantity_syntax::RULE,
    &resources::NAME_RULE,
    &resources::VALUE_RULE,
    &resources::LIMIT_RULE,
    &resources::OVERCOMMIT_RULE,
    &resources::FRACTIONAL_RULE,
    &volumes::NAME_RULE,
    &volumes::DUPLICATE_RULE,
    &volumes::SOURCES_RULE,
    &volumes::MOUNT_NAME_RULE,
    &volumes::MOUNT_PATH_RULE,
    &tolerations::RULE,
    &pod_fields::GRACE_RULE,
    &pod_fields::DEADLINE_RULE,
    &pod_fields::NAME_RULE,
    &affinity::NODE_RULE,
    &affinity::POD_RULE,
    &probes::HANDLER_RULE,
    &probes::PORT_RULE,
    &probes::TIMING_RULE,
    &security::ID_RULE,
    &security::ESCALATION_RULE,
    &security::PROFILE_RULE,
    &env_refs::RULE,
    &volume_sources::SOURCE_RULE,
    &volume_sources::SUB_PATH_RULE,
    &topology_spread::RULE,
    &container_kinds::NO_CONTAINERS_RULE,
    &dns::POLICY_RULE,
    &dns::CONFIG_RULE,
    &pod_lists::HOST_ALIAS_RULE,
    &pod_lists::GATES_RULE,
    &pod_lists::LIST_ENTRY_RULE,
    &host_namespaces::HOST_USERS_RULE,
    &host_namespaces::PROC_MOUNT_RULE,
    &host_namespaces::SHARE_PID_RULE,
    &sysctls::RULE,
    &pod_os::RULE,
    &pod_os::WINDOWS_OPTIONS_RULE,
    &mounts::PROPAGATION_RULE,
    &mounts::RECURSIVE_READ_ONLY_RULE,
    &resize_policy::RULE,
    &pod_resources::RULE,
    &port_overlap::RULE,
    &deprecated::RULE,
    &label_selectors::NULL_SELECTOR_RULE,
    &object_meta::RULE,
    &volume_devices::RULE,
    &resource_claims::RULE,
    &affinity::PREFERRED_VALUE_RULE,
    &volume_sources::OVERLAP_RULE,
    &ip_formats::RULE,
    &object_meta::HOSTNAME_RULE,
];

/// Rules over the pod-shaped parts of a document (Kubernetes and Flyte semantics), run after
/// the schema walk. Each entry is one rule file's `check`.
type PodCheck = fn(&mut Ctx<'_>, &PodParts<'_>);
static POD_CHECKS: &[PodCheck] = &[
    flyte_primary::check,
    flyte_environment::check,
    flyte_merge::check,
    flyte_reference::check,
    labels::check,
    annotations::check,
    container_names::check,
    container_image::check,
    container_kinds::check,
    ports::check,
    env::check,
    resources::check,
    volumes::check,
    tolerations::check,
    pod_fields::check,
    affinity::check,
    probes::check,
    security::check,
    env_refs::check,
    volume_sources::check,
    topology_spread::check,
    dns::check,
    pod_lists::check,
    host_namespaces::check,
    sysctls::check,
    pod_os::check,
    mounts::check,
    resize_policy::check,
    pod_resources::check,
    port_overlap::check,
    deprecated::check,
    label_selectors::check,
    object_meta::check,
    volume_devices::check,
    resource_claims::check,
    ip_formats::check,
];

pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code == code)
}

/// What a rule check sees, and where it reports.
pub(crate) struct Ctx<'a> {
    pub source: &'a str,
    pub doc: &'a Document,
    pub kind: DocKind,
    pub set: &'a SchemaSet,
    /// The workspace's PodTemplates, when known (server with a folder, or `check`).
    pub workspace: Option<&'a WorkspaceIndex>,
    /// The front end's writer: fixes say what to change, it says how in the source language.
    pub writer: &'a dyn Writer,
    pub out: Vec<Diagnostic>,
}

impl Ctx<'_> {
    pub fn report(
        &mut self,
        rule: &'static Rule,
        range: TextRange,
        message: String,
    ) -> &mut Diagnostic {
        self.out.push(Diagnostic {
            range,
            severity: rule.severity,
            code: rule.code,
            message,
            fixes: Vec::new(),
        });
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    /// The source text of a range (empty when the range is not valid for this text).
    pub fn text(&self, range: &TextRange) -> &str {
        self.source.get(range.clone()).unwrap_or("")
    }
}

impl Diagnostic {
    /// Adds a one-edit quick fix that the front end's writer produced.
    pub fn with_edit(&mut self, title: impl Into<String>, edit: Edit) -> &mut Self {
        self.fixes.push(Fix {
            title: title.into(),
            edits: vec![edit],
        });
        self
    }
}

/// Runs every rule over every document and applies the severity settings.
pub fn diagnostics(snap: &Snapshot<'_>, documents: &[DocInfo]) -> Vec<Diagnostic> {
    let (source, stream, settings, workspace) =
        (snap.source, snap.stream, snap.settings, snap.workspace);
    let set = schemas().for_version(settings.kubernetes_version());
    // A file with any Flyte or pod document is a Flyte file: its syntax errors are ours to
    // report even in documents we could not classify (often they broke before detection).
    let flyte_file = documents.iter().any(|d| d.kind != DocKind::Unknown);
    let mut out = Vec::new();
    for (doc, info) in stream.documents.iter().zip(documents) {
        if !flyte_file {
            continue;
        }
        let mut ctx = Ctx {
            source,
            doc,
            kind: info.kind,
            set,
            workspace,
            writer: snap.writer,
            out: Vec::new(),
        };
        syntax::check(&mut ctx);
        if info.kind != DocKind::Unknown {
            duplicate_key::check(&mut ctx);
            walk::check_document(&mut ctx);
            if let Some(root) = doc.root.as_ref() {
                let parts = PodParts::of(root, info.kind);
                for check in POD_CHECKS {
                    check(&mut ctx, &parts);
                }
            }
        }
        out.append(&mut ctx.out);
    }
    out.retain_mut(|d| match settings.rule_level(d.code) {
        Some(RuleLevel::Off) => false,
        Some(level) => {
            if let Some(sev) = level.severity() {
                d.severity = sev;
            }
            true
        }
        None => true,
    });
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    out.dedup();
    out
}

/// Renders the rule catalogue as Markdown (the content of `docs/rules.md`).
pub fn rules_markdown() -> String {
    let mut md = String::from(
        "# Diagnostic rules\n\n\
         Generated from the rule registry (`src/analysis/diagnostics/`); a test keeps this file in step.\n\
         Regenerate with `UPDATE_DOCS=1 cargo test --test docs`.\n\
         Severities are defaults: change them with the `rules` setting, e.g. `{\"FLY102\": \"off\"}`.\n\
         Every warning the API server gives for pods, and the code that reports it: \
         [pod-warnings.md](pod-warnings.md).\n\n\
         | code | name | default severity |\n|---|---|---|\n",
    );
    for r in RULES {
        md.push_str(&format!(
            "| [{}](#{}) | {} | {} |\n",
            r.code,
            r.code.to_lowercase(),
            r.name,
            r.severity.name()
        ));
    }
    for r in RULES {
        md.push_str(&format!(
            "\n## {}\n\n**{}** ({} by default). {}\n\nSource: {}\n\nTriggers it:\n\n```yaml\n{}\n```\n\nFixed:\n\n```yaml\n{}\n```\n",
            r.code,
            r.name,
            r.severity.name(),
            r.summary,
            r.source,
            r.bad.trim_end(),
            r.good.trim_end()
        ));
    }
    md
}
