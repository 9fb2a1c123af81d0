//! The diagnostic rule registry and the driver that runs every rule over a file.
//!
//! A rule is declared once, in its file, as a [`Rule`]: a stable code (never reused), its doc
//! (which feeds `docs/rules.md` and SARIF), where it applies ([`Applies`]: every front end, or
//! one [`Surface`] such as YAML 1.1 readings) and whether `check --fix` may apply its fix. The
//! rules one check reports form that file's [`Family`], whose [`Check`] names the hook point:
//! a document hook (syntax errors, duplicate keys), a schema-walk hook (an unknown key, a
//! refused shape, a map, a scalar; `walk.rs` calls them) or a pod-parts hook. [`FAMILIES`]
//! lists every family once; [`RULES`] is derived from it. A new rule is a `Rule` static and an
//! entry in its file's `FAMILY`; a new file adds its `FAMILY` to [`FAMILIES`]. Settings may
//! change a rule's severity or turn it off.

mod affinity;
mod annotations;
mod client_spelling;
mod container_image;
mod container_kinds;
mod container_names;
mod deprecated;
mod dns;
mod duplicate_key;
mod enum_value;
mod env;
mod env_refs;
pub mod examples;
mod flyte_derived;
mod flyte_environment;
mod flyte_merge;
mod flyte_primary;
mod flyte_reference;
pub mod fork;
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
mod registry;
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
mod unknown;
mod unknown_field;
mod volume_devices;
mod volume_sources;
mod volumes;
mod walk;
mod wrong_type;
mod yaml11;

#[cfg(test)]
pub(crate) mod fixture;

use std::sync::LazyLock;

use crate::model::pod::PodParts;
use crate::model::DocKind;
use crate::schema::{schemas, SchemaSet};
use crate::settings::{RuleLevel, Settings};
use crate::text::TextRange;
use crate::tree::edit::Writer;
use crate::tree::Document;
use crate::workspace::WorkspaceIndex;

use super::{DocInfo, Snapshot};

pub use crate::settings::Severity;
pub use crate::tree::edit::Edit;
pub use crate::tree::Surface;
pub use registry::{Applies, Depends, Family, Reads, Rule, PORT_FIELDS};
pub(crate) use registry::{Check, Expected, Hooks, KeyVerdict, Mismatch};

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

/// Every rule family, once. Hooks of one point run in this order, which matters where a hook
/// claims a finding: catch-alls come after the hooks that know better.
pub static FAMILIES: &[&Family] = &[
    // The document as the front end read it.
    &syntax::FAMILY,
    &duplicate_key::FAMILY,
    // The schema walk. An unknown key is first a snake_case spelling (FLY102), then a field of
    // a newer Kubernetes (FLY107), and only then an unknown field (FLY101); a refused scalar is
    // first an unquoted YAML 1.1 value (FLY106), and only then a wrong type (FLY103).
    &snake_case::FAMILY,
    &k8s_version::FAMILY,
    &unknown_field::FAMILY,
    &yaml11::FAMILY,
    &wrong_type::FAMILY,
    &required::FAMILY,
    &quantity_syntax::FAMILY,
    &client_spelling::FAMILY,
    &enum_value::FAMILY,
    // Over the pod parts, after the walk.
    &flyte_primary::FAMILY,
    &flyte_environment::FAMILY,
    &flyte_derived::FAMILY,
    &flyte_merge::FAMILY,
    &flyte_reference::FAMILY,
    &labels::FAMILY,
    &annotations::FAMILY,
    &container_names::FAMILY,
    &container_image::FAMILY,
    &container_kinds::FAMILY,
    &ports::FAMILY,
    &env::FAMILY,
    &resources::FAMILY,
    &volumes::FAMILY,
    &tolerations::FAMILY,
    &pod_fields::FAMILY,
    &affinity::FAMILY,
    &probes::FAMILY,
    &security::FAMILY,
    &env_refs::FAMILY,
    &volume_sources::FAMILY,
    &topology_spread::FAMILY,
    &dns::FAMILY,
    &pod_lists::FAMILY,
    &host_namespaces::FAMILY,
    &sysctls::FAMILY,
    &pod_os::FAMILY,
    &mounts::FAMILY,
    &resize_policy::FAMILY,
    &pod_resources::FAMILY,
    &port_overlap::FAMILY,
    &deprecated::FAMILY,
    &label_selectors::FAMILY,
    &object_meta::FAMILY,
    &volume_devices::FAMILY,
    &resource_claims::FAMILY,
    &ip_formats::FAMILY,
];

/// Every rule, in code order: the families' rules (for docs, SARIF and settings).
pub static RULES: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    let mut rules: Vec<&'static Rule> = FAMILIES
        .iter()
        .flat_map(|f| f.rules.iter().copied())
        .collect();
    rules.sort_by_key(|r| r.code);
    rules
});

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
    pub settings: &'a Settings,
    /// Whether the document's reader validates pod values with typed models that take a
    /// quantity only as a string (the kubernetes Python client from 37 on: pydantic
    /// `StrictStr`), so that a number there is refused before the API server sees it.
    pub quantities_are_strings: bool,
    /// The hooks of the families that apply to this file (the schema walk calls them).
    pub(super) hooks: &'a Hooks,
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

/// In an editor, documents from this size on run the schema walk and the pod rules on two
/// threads ([`fork`]): below it, handing the pod rules over costs more than they take (about
/// 0.1 ms of rules per 10 KB).
const PARALLEL_BYTES: usize = 16 * 1024;

/// Runs every rule over every document and applies the severity settings. Only for an editor
/// (`Settings::editor`) does a big document take a second thread: a user waits for that one
/// document. `check` already runs a worker per core, so there a second thread per document only
/// adds its hand-off, and the rules run where their caller runs (which also lets the tests that
/// count a thread's allocations see the pod rules').
pub fn diagnostics(snap: &Snapshot<'_>, documents: &[DocInfo]) -> Vec<Diagnostic> {
    let parallel_from = if snap.settings.editor {
        PARALLEL_BYTES
    } else {
        usize::MAX
    };
    diagnostics_split(snap, documents, parallel_from)
}

/// [`diagnostics`], running the rules on two threads for documents of `parallel_from` bytes or
/// more (the tests force either way and compare).
fn diagnostics_split(
    snap: &Snapshot<'_>,
    documents: &[DocInfo],
    parallel_from: usize,
) -> Vec<Diagnostic> {
    let (source, stream, settings, workspace) =
        (snap.source, snap.stream, snap.settings, snap.workspace);
    let set = schemas().for_version(settings.kubernetes_version());
    // A file with any Flyte or pod document is a Flyte file: its syntax errors are ours to
    // report even in documents we could not classify (often they broke before detection).
    let flyte_file = documents.iter().any(|d| d.kind != DocKind::Unknown);
    let hooks = Hooks::new(FAMILIES, stream.surfaces);
    // The driver, unlike the rules, knows the source language: which reader validates the
    // values, and what a type checker beside us already reports, are properties of it.
    let python = stream.language == crate::tree::Language::Python;
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
            settings,
            quantities_are_strings: python && settings.python.kubernetes_client >= 37,
            hooks: &hooks,
            out: Vec::new(),
        };
        for check in &hooks.any_document {
            check(&mut ctx);
        }
        // A derived document that is a copy of the one it derives from (a bare task) is read
        // only by the rules about the deriving call.
        let copy = doc.derived.as_ref().is_some_and(|d| d.copy_of.is_some());
        if info.kind != DocKind::Unknown {
            for check in &hooks.document {
                check(&mut ctx);
            }
            if copy {
                out.append(&mut ctx.out);
                continue;
            }
            match doc.root.as_ref() {
                Some(root) if doc.span.len() >= parallel_from => {
                    // The schema walk and the pod rules read the same tree and report into
                    // their own lists; the pod rules' list is appended after the walk's, as
                    // when they run one after the other, so the output is the same.
                    let parts = PodParts::of(root, info.kind);
                    let mut pod = Ctx {
                        out: Vec::new(),
                        ..ctx
                    };
                    // The walk runs here; the pod rules on the fork's helper, or here after
                    // the walk when the helper has not started them (`fork`).
                    fork::join(
                        || walk::check_document(&mut ctx),
                        || {
                            for check in &hooks.pod {
                                check(&mut pod, &parts);
                            }
                        },
                    );
                    ctx.out.append(&mut pod.out);
                }
                root => {
                    walk::check_document(&mut ctx);
                    if let Some(root) = root {
                        let parts = PodParts::of(root, info.kind);
                        for check in &hooks.pod {
                            check(&mut ctx, &parts);
                        }
                    }
                }
            }
            unknown::drop_unknowable(doc, &mut ctx.out);
        }
        out.append(&mut ctx.out);
    }
    if python && settings.leaves_to_type_checker() {
        out.retain(|d| !crate::settings::TYPE_CHECKER_CODES.contains(&d.code));
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
         Most rules are about the pod and run for YAML and Python alike (in Python at the keyword or \
         value written, with the kubernetes client's own argument names); a few are about one surface \
         of YAML (its syntax, duplicate keys, YAML 1.1 readings, key spelling) and run on YAML files \
         only, and a few read what only Python writes (task decorators, `clone_with`, flytekit). \
         The main rules also have a Python example. `check --fix` applies the fixes of the rules \
         marked *safe fix*.\n\n\
         | code | name | default severity | applies to | fix |\n|---|---|---|---|---|\n",
    );
    for r in RULES.iter() {
        md.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {} |\n",
            r.code,
            r.code.to_lowercase(),
            r.name,
            r.severity.name(),
            r.describe_applies(),
            if r.safe_fix { "safe fix" } else { "" }
        ));
    }
    for r in RULES.iter() {
        let safe = if r.safe_fix {
            " Its fix is safe: `check --fix` applies it."
        } else {
            ""
        };
        let lang = r.example_language();
        md.push_str(&format!(
            "\n## {}\n\n**{}** ({} by default). {}\n\nApplies to {}.{safe}\n\nSource: {}\n\nTriggers it:\n\n```{lang}\n{}\n```\n\nFixed:\n\n```{lang}\n{}\n```\n",
            r.code,
            r.name,
            r.severity.name(),
            r.summary,
            r.describe_applies(),
            r.source,
            r.bad.trim_end(),
            r.good.trim_end()
        ));
        for (_, bad, good) in examples::PYTHON_EXAMPLES
            .iter()
            .filter(|(c, _, _)| *c == r.code)
        {
            md.push_str(&format!(
                "\nIn Python:\n\n```python\n{}\n```\n\nFixed:\n\n```python\n{}\n```\n",
                bad.trim_end(),
                good.trim_end()
            ));
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{parse, with_snapshot};
    use crate::settings::Settings;
    use crate::tree::Stream;

    /// Every fixture and example, YAML and Python, has the same diagnostics, in the same order,
    /// whether its rules run on one thread or two.
    #[test]
    fn two_threads_report_what_one_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let settings = Settings::default();
        let mut compared = 0;
        for dir in ["tests", "examples"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                let path = entry.path();
                let Some(language) = crate::engine::language_of_path(path) else {
                    continue;
                };
                let Ok(text) = std::fs::read_to_string(path) else {
                    continue;
                };
                let stream = crate::engine::parse_as(&text, language);
                let documents = DocInfo::of(&stream);
                let (one, two) = with_snapshot(&text, &stream, &settings, None, |snap| {
                    (
                        diagnostics_split(snap, &documents, usize::MAX),
                        diagnostics_split(snap, &documents, 0),
                    )
                });
                assert_eq!(one, two, "{}", path.display());
                compared += usize::from(!one.is_empty());
            }
        }
        assert!(compared > 100, "only {compared} files with diagnostics");
    }

    #[test]
    fn every_code_is_in_exactly_one_family() {
        let mut codes: Vec<&str> = FAMILIES
            .iter()
            .flat_map(|f| f.rules.iter().map(|r| r.code))
            .collect();
        let total = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), total, "a rule is in two families");
        assert_eq!(RULES.len(), total);
        assert!(
            RULES.windows(2).all(|w| w[0].code < w[1].code),
            "RULES in code order"
        );
        for family in FAMILIES {
            assert!(!family.rules.is_empty(), "a family without rules");
        }
    }

    #[test]
    fn a_family_applies_where_all_its_rules_apply() {
        for family in FAMILIES {
            for r in family.rules {
                assert_eq!(
                    r.applies,
                    family.applies(),
                    "{}: the family's check runs where its first rule applies",
                    r.code
                );
            }
        }
    }

    #[test]
    fn claiming_hooks_end_with_their_catch_all() {
        let last = |hook: &str| {
            FAMILIES
                .iter()
                .rfind(|f| f.hook() == hook)
                .map(|f| f.rules[0].code)
        };
        assert_eq!(
            last("unknown-key"),
            Some("FLY101"),
            "unknown field asks last"
        );
        assert_eq!(last("mismatch"), Some("FLY103"), "wrong type asks last");
    }

    #[test]
    fn surface_rules_run_only_for_front_ends_with_the_surface() {
        let text = "pod_spec:\n  containers:\n    - name: primary\n      env:\n        - name: PORT\n          value: 8080\n";
        let codes = |stream: &Stream| {
            with_snapshot(text, stream, &Settings::default(), None, |s| s.analyze())
                .diagnostics
                .iter()
                .map(|d| d.code)
                .collect::<Vec<_>>()
        };
        let mut stream = parse(text);
        let yaml = codes(&stream);
        assert!(yaml.contains(&"FLY106"), "{yaml:?}");
        // The same tree from a front end without YAML's surfaces: the number is a wrong type.
        stream.surfaces = &[];
        let other = codes(&stream);
        assert!(
            other.contains(&"FLY103") && !other.contains(&"FLY106"),
            "{other:?}"
        );
    }
}
