//! The registry's types: a [`Rule`] (code, doc, where it applies, whether its fix is safe), a
//! [`Family`] (rules that share one [`Check`]), and the hook points a check plugs into.
//!
//! Nothing here names a rule; `mod.rs` lists the families and the driver and the schema walk
//! call their hooks through [`Hooks`], so adding a rule never touches the walk or the driver.

use crate::model::pod::PodParts;
use crate::schema::{JsonType, SchemaNode};
use crate::settings::Severity;
use crate::text::TextRange;
use crate::tree::{Entry, Node, Surface};

use super::Ctx;

/// A rule's identity, documentation and policy.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, e.g. `FLY101`. Never reused for another meaning.
    pub code: &'static str,
    /// Short kebab-case name.
    pub name: &'static str,
    pub severity: Severity,
    /// Which front ends the rule runs for.
    pub applies: Applies,
    /// Whether `check --fix` may apply the rule's fix without asking: the diagnostic offers one
    /// repair and it cannot change what the user meant (a rename to the one close field, quotes
    /// around a YAML 1.1 scalar).
    pub safe_fix: bool,
    /// What its finding reads besides the node it points at, so that the driver can drop a
    /// finding about what a syntax error cut off or an opaque value hides (`unknown.rs`).
    pub reads: Reads,
    /// One or two sentences: what is wrong and why it matters.
    pub summary: &'static str,
    /// A snippet that triggers the rule: YAML, or Python for a rule about what only Python
    /// writes (a snippet that starts with `import` or `from`; see [`Rule::example_language`]).
    pub bad: &'static str,
    /// The same snippet, fixed.
    pub good: &'static str,
    /// What the rule mirrors (source file or document).
    pub source: &'static str,
}

/// What a finding reads besides the node it points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depends {
    /// The mapping it points into (a required field, a field allowed only with another).
    Subject,
    /// The list its subject is an item of (duplicates among siblings).
    Siblings,
    /// Values elsewhere in the document: any of these keys (all keys when empty), such as the
    /// container names a reference must match.
    Document(&'static [&'static str]),
}

/// The port fields that port conflicts compare.
pub const PORT_FIELDS: &[&str] = &["containerPort", "hostPort", "hostIP", "protocol", "name"];

/// What a rule's findings depend on. Most rules judge the one value they point at, which an
/// opaque value never fails and a cut never fakes: [`Reads::NOTHING`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    /// Read by every finding: a cut or an opaque value here drops it.
    pub own: Option<Depends>,
    /// Read only through an opaque value (a Flyte container's need for an image depends on
    /// which container is the primary): an opaque value here drops the finding, a cut does
    /// not.
    pub when_opaque: Option<Depends>,
}

impl Reads {
    pub const NOTHING: Reads = Reads {
        own: None,
        when_opaque: None,
    };

    pub const fn of(own: Depends) -> Reads {
        Reads {
            own: Some(own),
            when_opaque: None,
        }
    }

    pub const fn and_when_opaque(self, wider: Depends) -> Reads {
        Reads {
            own: self.own,
            when_opaque: Some(wider),
        }
    }
}

impl Rule {
    /// The language of the rule's examples: `"python"` when they are Python code, else `"yaml"`.
    pub fn example_language(&self) -> &'static str {
        if self.bad.starts_with("import ") || self.bad.starts_with("from ") {
            "python"
        } else {
            "yaml"
        }
    }

    /// For docs: where the rule runs, in words.
    pub fn describe_applies(&self) -> String {
        match self.applies {
            Applies::Everywhere if self.example_language() == "python" => {
                "Python (what it reads is written only there)".to_string()
            }
            other => other.describe(),
        }
    }
}

/// Where a rule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// For every front end: the rule is about the pod, not about how it is written.
    Everywhere,
    /// Only for front ends with this surface (see [`Surface`]).
    Surface(Surface),
}

impl Applies {
    /// Whether the rule runs on a tree from a front end with these surfaces.
    pub fn to(self, surfaces: &[Surface]) -> bool {
        match self {
            Applies::Everywhere => true,
            Applies::Surface(s) => surfaces.contains(&s),
        }
    }

    /// For docs: "YAML and Python", "YAML only (YAML 1.1 readings)".
    pub fn describe(self) -> String {
        match self {
            Applies::Everywhere => "YAML and Python".to_string(),
            Applies::Surface(s) => format!("YAML only ({})", s.describe()),
        }
    }
}

/// Rules that one check reports, usually the rules of one file. Every family is listed once in
/// `FAMILIES`; its rules are the registry's rules.
pub struct Family {
    pub rules: &'static [&'static Rule],
    pub(crate) check: Check,
}

impl Family {
    /// Where the family's check runs: where its rules apply (a test keeps them uniform).
    pub fn applies(&self) -> Applies {
        self.rules
            .first()
            .map_or(Applies::Everywhere, |r| r.applies)
    }

    /// The hook point's name, for tests and docs.
    pub fn hook(&self) -> &'static str {
        match self.check {
            Check::AnyDocument(_) => "any-document",
            Check::Document(_) => "document",
            Check::UnknownKey(_) => "unknown-key",
            Check::Mismatch(_) => "mismatch",
            Check::Map(_) => "map",
            Check::Scalar(_) => "scalar",
            Check::Pod(_) => "pod",
        }
    }
}

pub(crate) type DocumentFn = fn(&mut Ctx<'_>);
pub(crate) type UnknownKeyFn = fn(&mut Ctx<'_>, &Entry, SchemaNode<'_>) -> KeyVerdict;
pub(crate) type MismatchFn = fn(&mut Ctx<'_>, &Mismatch<'_>) -> bool;
pub(crate) type MapFn = fn(&mut Ctx<'_>, &Node, SchemaNode<'_>, &TextRange);
pub(crate) type ScalarFn = fn(&mut Ctx<'_>, &Node, SchemaNode<'_>);
pub(crate) type PodFn = fn(&mut Ctx<'_>, &PodParts<'_>);

/// Where a family's check plugs into the analysis of one document.
#[derive(Clone, Copy)]
pub(crate) enum Check {
    /// Once per document of a Flyte file, classified or not (a syntax error often breaks the
    /// document before its kind shows).
    AnyDocument(DocumentFn),
    /// Once per classified document, before the schema walk.
    Document(DocumentFn),
    /// Schema walk: a map key its schema does not have. Hooks are asked in `FAMILIES` order
    /// until one answers, so the catch-all (unknown field) comes last.
    UnknownKey(UnknownKeyFn),
    /// Schema walk: a node whose shape its schema refuses. Hooks are asked in `FAMILIES` order
    /// until one returns `true` (claims it), so the catch-all (wrong type) comes last.
    Mismatch(MismatchFn),
    /// Schema walk: a map of the right shape, after its entries were walked; `at` is where to
    /// point for the map as a whole (the key that holds it, or its first key).
    Map(MapFn),
    /// Schema walk: a scalar of a shape its schema accepts.
    Scalar(ScalarFn),
    /// After the walk, once over the document's pod parts (Kubernetes and Flyte semantics).
    Pod(PodFn),
}

/// What an unknown-key hook made of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyVerdict {
    /// Not this hook's business: ask the next one.
    Pass,
    /// Reported; the walk does not descend into the value.
    Reported,
    /// Reported, and the rest of the analysis reads the key as this schema property (the walk
    /// descends into the value with that property's schema).
    ReadAs(String),
}

/// A node whose shape its schema refuses, as the schema walk found it.
pub(crate) struct Mismatch<'n> {
    pub node: &'n Node,
    pub expected: Expected,
    /// The schema's own `type` includes a string (not an `anyOf` of alternatives, not
    /// int-or-string, not a quantity Kubernetes also takes as a number), so a scalar read as
    /// anything else was probably meant as a string.
    pub wants_string: bool,
}

/// What the schema wanted, for the message.
pub(crate) enum Expected {
    Types(Vec<JsonType>),
    /// A description: "a quantity such as \"500m\" or \"2Gi\"".
    Described(&'static str),
}

/// The hooks of the families that apply to one file, by hook point, in `FAMILIES` order.
#[derive(Default)]
pub(crate) struct Hooks {
    pub any_document: Vec<DocumentFn>,
    pub document: Vec<DocumentFn>,
    pub unknown_key: Vec<UnknownKeyFn>,
    pub mismatch: Vec<MismatchFn>,
    pub map: Vec<MapFn>,
    pub scalar: Vec<ScalarFn>,
    pub pod: Vec<PodFn>,
}

impl Hooks {
    /// The hooks of `families` that apply to a front end with `surfaces`.
    pub fn new(families: &[&Family], surfaces: &[Surface]) -> Hooks {
        let mut hooks = Hooks::default();
        for family in families.iter().filter(|f| f.applies().to(surfaces)) {
            match family.check {
                Check::AnyDocument(f) => hooks.any_document.push(f),
                Check::Document(f) => hooks.document.push(f),
                Check::UnknownKey(f) => hooks.unknown_key.push(f),
                Check::Mismatch(f) => hooks.mismatch.push(f),
                Check::Map(f) => hooks.map.push(f),
                Check::Scalar(f) => hooks.scalar.push(f),
                Check::Pod(f) => hooks.pod.push(f),
            }
        }
        hooks
    }

    /// Asks the unknown-key hooks in order; `Pass` when none answered.
    pub fn unknown_key(
        &self,
        ctx: &mut Ctx<'_>,
        entry: &Entry,
        schema: SchemaNode<'_>,
    ) -> KeyVerdict {
        for hook in &self.unknown_key {
            match hook(ctx, entry, schema) {
                KeyVerdict::Pass => continue,
                verdict => return verdict,
            }
        }
        KeyVerdict::Pass
    }

    /// Asks the mismatch hooks in order until one claims the mismatch.
    pub fn mismatch(&self, ctx: &mut Ctx<'_>, mismatch: &Mismatch<'_>) {
        for hook in &self.mismatch {
            if hook(ctx, mismatch) {
                return;
            }
        }
    }
}
