//! Typed views over a document: where its pod spec, labels and containers are, whatever the kind.
//!
//! A Flyte task environment keeps them under `pod_template`, a Flyte pod template at the top
//! level, a Kubernetes `PodTemplate` under `template`, a `Pod` under `spec`/`metadata`. Rules use
//! these views so that each rule is written once and applies at the matching path of every kind.

use crate::tree::{Node, NodeKind};

use super::DocKind;

/// Flyte's default primary container name (`flyte.PodTemplate.primary_container_name`).
pub const DEFAULT_PRIMARY: &str = "primary";

/// The pod-shaped parts of one document. Every field is optional: the user is mid-typing.
#[derive(Debug, Clone, Copy, Default)]
pub struct PodParts<'a> {
    pub kind: Option<DocKind>,
    /// The task environment root (task environments only).
    pub environment: Option<&'a Node>,
    /// The Flyte pod template mapping (inline `pod_template` or the whole Flyte document).
    pub flyte_template: Option<&'a Node>,
    /// The Kubernetes PodSpec mapping.
    pub spec: Option<&'a Node>,
    /// The pod's labels and annotations mappings.
    pub labels: Option<&'a Node>,
    pub annotations: Option<&'a Node>,
    /// The object's own metadata for Kubernetes objects (`metadata` of a PodTemplate or Pod).
    pub object_metadata: Option<&'a Node>,
}

impl<'a> PodParts<'a> {
    /// Finds the parts of `root` for a document of `kind`.
    pub fn of(root: &'a Node, kind: DocKind) -> PodParts<'a> {
        let mut parts = PodParts {
            kind: Some(kind),
            ..PodParts::default()
        };
        match kind {
            DocKind::TaskEnvironment => {
                parts.environment = Some(root);
                if let Some(t) = root.get("pod_template").filter(|t| t.as_map().is_some()) {
                    parts.set_flyte(t);
                }
            }
            DocKind::FlytePodTemplate => parts.set_flyte(root),
            DocKind::KubePodTemplate => {
                parts.object_metadata = root.get("metadata");
                let template = root.get("template");
                parts.spec = template.and_then(|t| t.get("spec"));
                let meta = template.and_then(|t| t.get("metadata"));
                parts.labels = meta.and_then(|m| m.get("labels"));
                parts.annotations = meta.and_then(|m| m.get("annotations"));
            }
            DocKind::KubePod => {
                parts.object_metadata = root.get("metadata");
                parts.spec = root.get("spec");
                parts.labels = parts.object_metadata.and_then(|m| m.get("labels"));
                parts.annotations = parts.object_metadata.and_then(|m| m.get("annotations"));
            }
            DocKind::Unknown => {}
        }
        parts
    }

    fn set_flyte(&mut self, template: &'a Node) {
        self.flyte_template = Some(template);
        self.spec = template.get("pod_spec");
        self.labels = template.get("labels");
        self.annotations = template.get("annotations");
    }

    /// True for the Flyte shapes, where the primary container is filled in by the SDK.
    pub fn is_flyte(&self) -> bool {
        self.flyte_template.is_some()
    }

    /// The primary container's name in a Flyte template (`primary` unless set). `None` for
    /// Kubernetes objects, which have no primary container.
    pub fn primary_name(&self) -> Option<&'a str> {
        let t = self.flyte_template?;
        match t.get("primary_container_name") {
            Some(n) => n.as_str().or(Some(DEFAULT_PRIMARY)),
            None => Some(DEFAULT_PRIMARY),
        }
    }

    /// A field of the pod spec.
    pub fn spec_field(&self, name: &str) -> Option<&'a Node> {
        self.spec?.get(name)
    }

    /// The items of `containers`, `initContainers` or `ephemeralContainers` that are mappings.
    pub fn containers_in(&self, field: &str) -> Vec<&'a Node> {
        match self.spec_field(field).map(|n| &n.kind) {
            Some(NodeKind::Seq(items)) => items.iter().filter(|i| i.as_map().is_some()).collect(),
            _ => Vec::new(),
        }
    }

    /// Regular containers, then init containers, each with the list it came from.
    pub fn all_containers(&self) -> Vec<(ContainerList, &'a Node)> {
        let mut out: Vec<(ContainerList, &'a Node)> = self
            .containers_in("containers")
            .into_iter()
            .map(|c| (ContainerList::Containers, c))
            .collect();
        out.extend(
            self.containers_in("initContainers")
                .into_iter()
                .map(|c| (ContainerList::InitContainers, c)),
        );
        out
    }
}

/// Which list a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerList {
    Containers,
    InitContainers,
}

impl ContainerList {
    pub fn field(self) -> &'static str {
        match self {
            ContainerList::Containers => "containers",
            ContainerList::InitContainers => "initContainers",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::parse;

    fn parts_of(text: &str, f: impl FnOnce(PodParts<'_>)) {
        let stream = parse(text);
        let doc = &stream.documents[0];
        let kind = doc.kind;
        let root = doc.root.as_ref().expect("root");
        f(PodParts::of(root, kind));
    }

    #[test]
    fn finds_the_spec_in_every_kind() {
        parts_of("name: a\nenv_vars: {}\npod_template:\n  primary_container_name: main\n  pod_spec:\n    containers: [{name: main}]\n", |p| {
            assert!(p.spec.is_some());
            assert_eq!(p.primary_name(), Some("main"));
            assert_eq!(p.all_containers().len(), 1);
        });
        parts_of(
            "pod_spec:\n  containers: []\n  initContainers: [{name: x}]\nlabels: {a: b}\n",
            |p| {
                assert_eq!(p.primary_name(), Some("primary"));
                assert!(p.labels.is_some());
                assert_eq!(p.all_containers()[0].0, ContainerList::InitContainers);
            },
        );
        parts_of("apiVersion: v1\nkind: PodTemplate\nmetadata: {name: t}\ntemplate:\n  metadata: {labels: {a: b}}\n  spec: {containers: []}\n", |p| {
            assert!(p.spec.is_some() && p.labels.is_some() && p.object_metadata.is_some());
            assert_eq!(p.primary_name(), None);
        });
        parts_of("apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: b}}\nspec: {containers: []}\n", |p| {
            assert!(p.spec.is_some() && p.labels.is_some());
        });
    }
}
