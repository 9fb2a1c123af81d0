//! The workspace index: which Kubernetes `PodTemplate`s the folder defines, by name, so that a
//! string `pod_template: gpu-template` can be resolved, completed and navigated across files;
//! which files name them (YAML task environments, Python environments, tasks and flytekit's
//! `pod_template_name=`); and which containers and volumes Python files define, for a pod spec
//! that one module builds and another uses.
//!
//! Indexing one file is pure (`index_file`); scanning folders does IO and is bounded (file count,
//! file size, no symlink following, no virtual environments). A Python file costs a parse, so
//! only one that mentions flyte or kubernetes is parsed, and only one that imports them is read
//! further. The server keeps the index current per file, so a keystroke re-indexes one document,
//! never the workspace.
//!
//! The index is a persistent map (`imbl::OrdMap`) of shared per-file entries: a clone is O(1)
//! and replacing one file's entries O(log n), so the server publishes a new snapshot per edit
//! while readers keep the one they hold (docs/decisions.md).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::DocKind;
use crate::settings::FileRules;
use crate::text::{Encoding, LineCol, LineIndex, TextRange};
use crate::tree::{Language, Node, Stream};

/// Files larger than this are not indexed.
pub const MAX_INDEXED_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// At most this many YAML files are read when scanning a workspace folder.
pub const MAX_INDEXED_FILES: usize = 20_000;

/// What kind of name an index entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Named {
    /// A Kubernetes PodTemplate's name.
    PodTemplate,
    /// A container's name (Python files only).
    Container,
    /// A volume's name (Python files only).
    Volume,
}

/// Where a PodTemplate is defined (`metadata.name` of a `kind: PodTemplate`), or referred to
/// (a task environment's string `pod_template`); or, for [`Named::Container`] and
/// [`Named::Volume`], where a Python file defines a container or a volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDef {
    pub kind: Named,
    pub name: String,
    /// True for a definition, false for a reference.
    pub definition: bool,
    pub path: PathBuf,
    /// The document index within the file.
    pub document: usize,
    /// The byte range of the name (the `metadata.name` or `pod_template` value; in Python the
    /// string's text between its quotes, which is what a rename rewrites).
    pub range: TextRange,
    /// The same range as lines and columns, in both encodings, so the server can point into a
    /// file it does not have open.
    pub utf16: (LineCol, LineCol),
    pub utf8: (LineCol, LineCol),
    /// The template's own text (its document), for previews and hovers. Shared: the entries
    /// of one file are cloned with every snapshot node that holds them.
    pub source: Arc<str>,
}

impl TemplateDef {
    /// The defined template as JSON (its document read again: the index keeps only text; a
    /// Python template is its file's document [`TemplateDef::document`]). `None` when a value
    /// only run time knows is in it.
    pub fn template_json(&self) -> Option<serde_json::Value> {
        if indexed_language(&self.path) == Some(Language::Python) {
            let stream = crate::python::parse_tree(&self.source);
            let d = stream
                .documents
                .get(self.document)
                .filter(|d| d.kind == DocKind::KubePodTemplate)?;
            return crate::tree::json::to_json(d, d.root.as_ref()?).ok();
        }
        // It was a PodTemplate when indexed, by content or because the settings said so.
        let stream = crate::yaml::parse_with(&self.source, Some(DocKind::KubePodTemplate));
        stream.documents.iter().find_map(|d| {
            if d.kind != DocKind::KubePodTemplate {
                return None;
            }
            crate::tree::json::to_json(d, d.root.as_ref()?).ok()
        })
    }

    pub fn range_in(&self, enc: Encoding) -> (LineCol, LineCol) {
        match enc {
            Encoding::Utf16 => self.utf16,
            Encoding::Utf8 => self.utf8,
        }
    }
}

/// Every PodTemplate of the workspace, by file. Cloning it is O(1) (a persistent map of shared
/// entries), so a clone is a snapshot and [`WorkspaceIndex::set`] on it changes one file.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceIndex {
    files: imbl::OrdMap<Arc<Path>, Arc<[TemplateDef]>>,
    /// True once the workspace folders have been scanned; before that, "not found" means
    /// "not known yet" and is not reported.
    pub complete: bool,
}

impl WorkspaceIndex {
    /// Replaces what the index knows about `path` with the templates defined in `text`.
    pub fn update(&mut self, path: &Path, text: &str) {
        let language = indexed_language(path).unwrap_or(Language::Yaml);
        self.update_as(path, text, language, None);
    }

    /// Replaces what the index knows about `path` with what [`index_file`] finds in it.
    pub fn update_parsed(&mut self, path: &Path, text: &str, stream: &Stream) {
        self.set(path, index_file(path, text, stream));
    }

    /// Replaces what the index knows about `path` with its PodTemplates only ([`index_text`]),
    /// which is all `check` reads: no Python file is parsed a second time for its containers.
    pub fn update_templates(&mut self, path: &Path, text: &str, stream: &Stream) {
        self.set(path, index_text(path, text, stream));
    }

    /// Replaces what the index knows about `path` with `defs` (what [`index_file`] gave).
    pub fn set(&mut self, path: &Path, defs: Vec<TemplateDef>) {
        if defs.is_empty() {
            self.files.remove(path);
        } else {
            self.files.insert(Arc::from(path), Arc::from(defs));
        }
    }

    pub fn remove(&mut self, path: &Path) {
        self.files.remove(path);
    }

    /// Everything the index holds about one file (what [`index_file`] gave for it).
    pub fn lookup_file(&self, path: &Path) -> &[TemplateDef] {
        self.files.get(path).map_or(&[], |defs| &**defs)
    }

    /// Templates with this name, in path order.
    pub fn lookup(&self, name: &str) -> Vec<&TemplateDef> {
        self.lookup_named(Named::PodTemplate, name)
    }

    /// Definitions of a name of this kind, in path order.
    pub fn lookup_named(&self, kind: Named, name: &str) -> Vec<&TemplateDef> {
        self.files
            .values()
            .flat_map(|defs| defs.iter())
            .filter(|d| d.kind == kind && d.definition && d.name == name)
            .collect()
    }

    /// Task environments that refer to this template name, in path order.
    pub fn references(&self, name: &str) -> Vec<&TemplateDef> {
        self.files
            .values()
            .flat_map(|defs| defs.iter())
            .filter(|d| d.kind == Named::PodTemplate && !d.definition && d.name == name)
            .collect()
    }

    /// The number of files the index holds entries of.
    pub fn files(&self) -> usize {
        self.files.len()
    }

    /// Every template name, sorted and unique (for completion).
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .files
            .values()
            .flat_map(|defs| defs.iter())
            .filter(|d| d.kind == Named::PodTemplate && d.definition)
            .map(|d| d.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The number of templates defined.
    pub fn len(&self) -> usize {
        self.files
            .values()
            .flat_map(|defs| defs.iter())
            .filter(|d| d.kind == Named::PodTemplate && d.definition)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Scans `roots` recursively for `*.yaml`/`*.yml` and `*.py` (no symlinks followed, bounded
    /// count and size, no VCS, dependency or virtual-environment folders) and indexes every
    /// file. Unreadable files are skipped.
    pub fn scan(roots: &[PathBuf]) -> WorkspaceIndex {
        WorkspaceIndex::scan_selected(roots, &FileRules::default())
    }

    /// [`WorkspaceIndex::scan_selected`] for the PodTemplates only (what `render` merges): a
    /// Python file is not parsed a second time for the containers and volumes it defines.
    pub fn scan_templates(roots: &[PathBuf], rules: &FileRules) -> WorkspaceIndex {
        Self::scan_files(roots, rules, false)
    }

    /// [`WorkspaceIndex::scan`] under the `files.*` settings: excluded files and folders are
    /// not read, and `files.kinds` gives documents their kind.
    pub fn scan_selected(roots: &[PathBuf], rules: &FileRules) -> WorkspaceIndex {
        Self::scan_files(roots, rules, true)
    }

    fn scan_files(roots: &[PathBuf], rules: &FileRules, names: bool) -> WorkspaceIndex {
        let mut index = WorkspaceIndex::default();
        let mut seen = 0;
        for root in roots {
            let walker = walkdir::WalkDir::new(root)
                .follow_links(false)
                .into_iter()
                .filter_entry(|e| {
                    // Skip VCS, dependency and environment folders: large, never the user's.
                    let name = e.file_name().to_string_lossy();
                    !(e.depth() > 0
                        && e.file_type().is_dir()
                        && (name.starts_with('.')
                            || name == "target"
                            || foreign_dir(e.path())
                            || rules.excludes_dir(e.path())))
                });
            for entry in walker.flatten() {
                if seen >= MAX_INDEXED_FILES {
                    break;
                }
                let path = entry.path();
                let Some(language) = indexed_language(path) else {
                    continue;
                };
                if !entry.file_type().is_file() {
                    continue;
                }
                let selection = rules.select(path, language);
                if selection.excluded {
                    continue;
                }
                seen += 1;
                let Some(text) = read_indexable(path) else {
                    continue;
                };
                if names {
                    index.update_as(path, &text, language, selection.kind);
                } else {
                    let stream = parse_for_index(&text, language, selection.kind);
                    index.update_templates(path, &text, &stream);
                }
            }
        }
        index.complete = true;
        index
    }

    /// Indexes `text` as a file of `language` whose documents the settings give `kind` (see
    /// [`index_source`]).
    pub fn update_as(
        &mut self,
        path: &Path,
        text: &str,
        language: Language,
        kind: Option<DocKind>,
    ) {
        self.set(path, index_source(path, text, language, kind));
    }
}

/// What [`index_file`] finds in a file read from disk (the scan, a watched file), with no more
/// work than its entries need. Each kind of entry comes from a construct that has to be
/// written out in the text, so a file whose text names none of them has none and is not parsed:
///
/// - YAML: a `kind: PodTemplate` document (or one a `# flyte-lsp:` modeline makes one) and a
///   task environment's `pod_template` key (any backslash counts: a quoted escape could spell
///   either);
/// - Python (after [`mentions_frameworks`]): a `V1PodTemplate`/`V1PodTemplateSpec` call, a
///   `pod_template=`/`pod_template_name=` keyword (an environment, a derived task or clone, a
///   flytekit task; any `template` counts, for `"pod_" "template"`), and `V1Container`/`V1Volume` calls for the names. A file with the names but
///   neither of the others is parsed and resolved for them and not lowered, which is most of a
///   Python file's cost.
///
/// Under a `files.kinds` setting (`kind`) a file is read in full, as [`parse_for_index`] reads
/// it. The equivalence with [`index_file`] is tested over every fixture of the repository.
pub fn index_source(
    path: &Path,
    text: &str,
    language: Language,
    kind: Option<DocKind>,
) -> Vec<TemplateDef> {
    match (language, kind) {
        (Language::Yaml, None) => {
            // A backslash: a quoted escape could spell `PodTemplate` or `pod_template`.
            let may_name = text.contains("PodTemplate")
                || text.contains("pod_template")
                || text.contains("flyte-lsp:")
                || text.contains('\\');
            if !may_name {
                return Vec::new();
            }
            index_file(path, text, &crate::yaml::parse_with(text, None))
        }
        (Language::Python, None) => {
            if !mentions_frameworks(text) {
                return Vec::new();
            }
            // `template` also covers a dict key written `"pod_" "template"`.
            let templates = text.contains("template") || text.contains("PodTemplate");
            let names = text.contains("V1Container") || text.contains("V1Volume");
            if templates {
                let (stream, defined) = crate::python::parse_indexed(text);
                entries(path, text, &stream, &defined)
            } else if names {
                let stream = Stream {
                    language: Language::Python,
                    ..Stream::default()
                };
                entries(
                    path,
                    text,
                    &stream,
                    &crate::python::names::defined_names(text),
                )
            } else {
                Vec::new()
            }
        }
        _ => index_file(path, text, &parse_for_index(text, language, kind)),
    }
}

/// The language the index reads a file in, by its name: YAML and Python files.
pub fn indexed_language(path: &Path) -> Option<Language> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => Some(Language::Yaml),
        Some("py") => Some(Language::Python),
        _ => None,
    }
}

/// Parses a file for the index, its documents given `kind` unless their modeline says
/// otherwise (`files.kinds`; for Python only `ignore` means something). A Python file that does
/// not even mention flyte or kubernetes imports neither, so it is not parsed at all (most of a
/// project's Python files); the front end itself lowers only the files that import them.
pub fn parse_for_index(text: &str, language: Language, kind: Option<DocKind>) -> Stream {
    match language {
        Language::Yaml => crate::yaml::parse_with(text, kind),
        Language::Python if kind != Some(DocKind::Unknown) && mentions_frameworks(text) => {
            crate::python::parse_tree(text)
        }
        Language::Python => Stream {
            language: Language::Python,
            ..Stream::default()
        },
    }
}

/// Whether a Python file's text so much as mentions flyte (or flytekit) or kubernetes: one that
/// does not cannot import them.
fn mentions_frameworks(text: &str) -> bool {
    text.contains("flyte") || text.contains("kubernetes")
}

/// Folders that hold other people's code or tool state, skipped by every walk (`check` and the
/// workspace index): a virtual environment (a folder with `pyvenv.cfg`, or the usual names), a
/// conda environment (a folder with `conda-meta/`), installed packages, VCS and tool caches.
/// Without this, a project with no `.gitignore` has `.venv/.../kubernetes` read as its own.
pub fn foreign_dir(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    foreign_name(name) || path.join("pyvenv.cfg").is_file() || path.join("conda-meta").is_dir()
}

/// The folder names [`foreign_dir`] skips whatever they hold.
fn foreign_name(name: &str) -> bool {
    matches!(
        name,
        ".git"
            | ".hg"
            | ".svn"
            | "node_modules"
            | "__pycache__"
            | "site-packages"
            | "dist-packages"
            | ".venv"
            | "venv"
            | ".tox"
            | ".nox"
            | ".mypy_cache"
            | ".pytest_cache"
            | ".ruff_cache"
            | ".eggs"
    )
}

/// Whether a file the editor reports changed on disk is one the index reads: a YAML or Python
/// file under no folder [`foreign_dir`] skips by name.
pub fn watched(path: &Path) -> Option<Language> {
    let language = indexed_language(path)?;
    let foreign = path
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .any(|c| c.as_os_str().to_str().is_some_and(foreign_name));
    (!foreign).then_some(language)
}

/// Reads a file for the index: `None` unless it is a regular file (a FIFO or a device would
/// block or never end) of at most [`MAX_INDEXED_FILE_BYTES`] (also when it grows while being
/// read) holding UTF-8 text. Symlinks are followed once, by the open.
pub fn read_indexable(path: &Path) -> Option<String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_INDEXED_FILE_BYTES {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_INDEXED_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > MAX_INDEXED_FILE_BYTES {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// The PodTemplates a file defines (a YAML `kind: PodTemplate`, a Python `V1PodTemplate` with
/// its `metadata.name`) and the ones its task environments name.
pub fn index_text(path: &Path, text: &str, stream: &Stream) -> Vec<TemplateDef> {
    entries(path, text, stream, &[])
}

/// Everything the index keeps of a file: [`index_text`], and for a Python file the containers
/// and volumes it defines (read from its source: a `V1Container(...)` module constant of a
/// shared module is in no document of the tree).
pub fn index_file(path: &Path, text: &str, stream: &Stream) -> Vec<TemplateDef> {
    // Container and volume models come from the kubernetes client: a file that does not name
    // it defines none (and is not parsed again).
    let defined = if stream.language == Language::Python && text.contains("kubernetes") {
        crate::python::names::defined_names(text)
    } else {
        Vec::new()
    };
    entries(path, text, stream, &defined)
}

/// One name the index keeps: its kind, text, range in the tree's terms (a Python string with
/// its quotes), whether it defines the name, and its document.
struct Found<'a> {
    kind: Named,
    name: &'a str,
    span: TextRange,
    definition: bool,
    document: usize,
}

fn entries(
    path: &Path,
    text: &str,
    stream: &Stream,
    defined: &[crate::python::names::Defined],
) -> Vec<TemplateDef> {
    use crate::python::names::Defines;
    let python = stream.language == Language::Python;
    let mut found: Vec<Found<'_>> = Vec::new();
    for (i, doc) in stream.documents.iter().enumerate() {
        let Some(root) = doc.root.as_ref() else {
            continue;
        };
        let (node, definition) = match doc.kind {
            DocKind::KubePodTemplate => (root.get("metadata").and_then(|m| m.get("name")), true),
            DocKind::TaskEnvironment => (template_reference(root), false),
            _ => continue,
        };
        let Some(node) = node else { continue };
        let Some(name) = node.as_str() else { continue };
        found.push(Found {
            kind: Named::PodTemplate,
            name,
            span: node.span.clone(),
            definition,
            document: i,
        });
    }
    for d in defined {
        found.push(Found {
            kind: match d.kind {
                Defines::Container => Named::Container,
                Defines::Volume => Named::Volume,
            },
            name: &d.name,
            span: d.literal.clone(),
            definition: true,
            document: 0,
        });
    }
    let mut out: Vec<TemplateDef> = Vec::new();
    let mut line_index: Option<LineIndex> = None;
    // A Python file's templates share one copy of its text.
    let mut whole: Option<Arc<str>> = None;
    for f in found {
        if f.name.is_empty() {
            continue;
        }
        // Python: the text between the quotes; a literal that is not one plain string (or a
        // value the front end synthesized) is no name a rename could rewrite.
        let range = if python {
            match crate::python::names::string_content(text, f.span.clone()) {
                Some(r) if !f.span.is_empty() => r,
                _ => continue,
            }
        } else {
            f.span
        };
        // A Python environment's values are also those of the tasks derived from it.
        if out
            .iter()
            .any(|d| d.kind == f.kind && d.definition == f.definition && d.range == range)
        {
            continue;
        }
        let li = line_index.get_or_insert_with(|| LineIndex::new(text));
        let at = |offset: usize, enc: Encoding| li.to_line_col(text, offset, enc);
        // A Python document is read again with the module around it (its imports and
        // constants), so a Python template keeps the whole file.
        let source = match (f.kind, f.definition) {
            (Named::PodTemplate, true) if python => {
                Arc::clone(whole.get_or_insert_with(|| Arc::from(text)))
            }
            (Named::PodTemplate, true) => Arc::from(
                stream
                    .documents
                    .get(f.document)
                    .map_or("", |d| d.text(text)),
            ),
            _ => Arc::from(""),
        };
        out.push(TemplateDef {
            kind: f.kind,
            name: f.name.to_string(),
            definition: f.definition,
            path: path.to_path_buf(),
            document: f.document,
            utf16: (
                at(range.start, Encoding::Utf16),
                at(range.end, Encoding::Utf16),
            ),
            utf8: (
                at(range.start, Encoding::Utf8),
                at(range.end, Encoding::Utf8),
            ),
            range,
            source,
        });
    }
    out
}

/// The string `pod_template` of a task environment document, if it has one.
pub fn template_reference(root: &Node) -> Option<&Node> {
    root.get("pod_template")
        .filter(|n| n.as_str().is_some() && n.as_scalar().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_pod_templates_by_name() {
        let text = "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-default\ntemplate:\n  spec:\n    containers: []\n---\nname: x\npod_template: gpu-default\n";
        let mut index = WorkspaceIndex::default();
        index.update(Path::new("/w/t.yaml"), text);
        let defs = index.lookup("gpu-default");
        assert_eq!(defs.len(), 1);
        assert_eq!(&text[defs[0].range.clone()], "gpu-default");
        assert_eq!(defs[0].utf16.0, LineCol { line: 3, col: 8 });
        assert_eq!(index.names(), vec!["gpu-default"]);
        assert_eq!(index.references("gpu-default").len(), 1);
        index.update(Path::new("/w/t.yaml"), "name: x\n");
        assert!(index.is_empty());
    }

    #[test]
    fn python_files_name_templates_and_define_containers_and_volumes() {
        let text = "import flyte\nfrom kubernetes.client import V1Container, V1PodSpec, V1Volume\n\nMAIN = 'main'\nenv = flyte.TaskEnvironment(name=\"a\", pod_template=\"gpu\")\n\n@env.task\ndef t(): ...\n\n@env.task(pod_template=\"gpu\")\ndef u(): ...\n\nSPEC = V1PodSpec(containers=[V1Container(name=MAIN)], volumes=[V1Volume(name=\"data\")])\n";
        let mut index = WorkspaceIndex::default();
        let path = Path::new("/w/a.py");
        index.update_as(path, text, Language::Python, None);
        // The environment and the task with its own template; the bare task is its
        // environment's (one entry), and each name is the text between its quotes.
        let refs = index.references("gpu");
        assert_eq!(refs.len(), 2, "{refs:?}");
        assert!(refs.iter().all(|d| &text[d.range.clone()] == "gpu"));
        let main = index.lookup_named(Named::Container, "main");
        assert_eq!(main.len(), 1);
        assert_eq!(&text[main[0].range.clone()], "main");
        assert_eq!(main[0].utf16.0, LineCol { line: 3, col: 8 });
        assert_eq!(index.lookup_named(Named::Volume, "data").len(), 1);
        // The names of containers are not template names.
        assert!(index.names().is_empty() && index.is_empty());
        // The server's path (a tree it already has) finds the same.
        let stream = crate::python::parse_tree(text);
        assert_eq!(index_file(path, text, &stream), index.lookup_file(path));
        // A file that imports none of flyte, flytekit or kubernetes has nothing.
        index.update_as(
            Path::new("/w/b.py"),
            "from models import V1Container\nx = V1Container(name='a', pod_template='gpu')\n",
            Language::Python,
            None,
        );
        assert_eq!(index.files(), 1);
    }

    #[test]
    fn a_python_pod_template_is_a_definition_read_back_with_its_module() {
        let text = "from kubernetes import client as k8s\nNAME = 'gpu'\nt = k8s.V1PodTemplate(metadata=k8s.V1ObjectMeta(name=NAME), template=k8s.V1PodTemplateSpec(spec=k8s.V1PodSpec(containers=[k8s.V1Container(name='default', image='busybox')])))\nspec = k8s.V1PodSpec(containers=[])\n";
        let mut index = WorkspaceIndex::default();
        index.update(Path::new("/w/templates.py"), text);
        // The lone pod spec's synthesized name is not one.
        assert_eq!(index.names(), ["gpu"]);
        let def = index.lookup("gpu")[0];
        assert_eq!(&text[def.range.clone()], "gpu");
        let json = def.template_json().expect("the template as JSON");
        assert_eq!(
            json["template"]["spec"]["containers"][0]["image"], "busybox",
            "{json}"
        );
    }

    const GPU: &str = "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu\ntemplate:\n  spec:\n    containers: []\n";

    #[test]
    fn a_clone_is_a_snapshot_that_later_updates_do_not_change() {
        let mut index = WorkspaceIndex::default();
        for i in 0..100 {
            index.update(
                &PathBuf::from(format!("/w/t{i:03}.yaml")),
                &GPU.replace("gpu", &format!("gpu-{i}")),
            );
        }
        index.update(Path::new("/w/env.yaml"), "name: x\npod_template: gpu-7\n");
        let before = index.clone();
        // One file's entries change (its name and its range); one file goes; one is added.
        index.update(
            Path::new("/w/t007.yaml"),
            &format!("# moved\n{}", GPU.replace("gpu", "gpu-7")),
        );
        index.update(Path::new("/w/t008.yaml"), "name: x\n");
        index.update(Path::new("/w/new.yaml"), &GPU.replace("gpu", "gpu-new"));

        // The snapshot is what it was.
        assert_eq!(before.files(), 101);
        assert_eq!(
            before.lookup("gpu-7")[0].utf16.0,
            LineCol { line: 3, col: 8 }
        );
        assert_eq!(before.lookup("gpu-8").len(), 1);
        assert!(before.lookup("gpu-new").is_empty());
        // The index has the new entries of those files only.
        assert_eq!(index.files(), 101);
        assert_eq!(
            index.lookup("gpu-7")[0].utf16.0,
            LineCol { line: 4, col: 8 }
        );
        assert!(index.lookup("gpu-8").is_empty());
        assert_eq!(index.lookup("gpu-new").len(), 1);
        for i in (0..100).filter(|i| ![7, 8].contains(i)) {
            let path = PathBuf::from(format!("/w/t{i:03}.yaml"));
            assert_eq!(index.lookup_file(&path), before.lookup_file(&path));
        }
        assert_eq!(index.references("gpu-7").len(), 1);
        assert_eq!(index.len(), 100);
        // Names stay sorted and unique; definitions come in path order.
        let names = index.names();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        index.update(Path::new("/w/a/dup.yaml"), &GPU.replace("gpu", "gpu-1"));
        let paths: Vec<&Path> = index
            .lookup("gpu-1")
            .iter()
            .map(|d| d.path.as_path())
            .collect();
        assert_eq!(
            paths,
            [Path::new("/w/a/dup.yaml"), Path::new("/w/t001.yaml")]
        );
    }

    #[test]
    fn a_python_files_templates_share_its_text() {
        let text = "from kubernetes import client as k8s\na = k8s.V1PodTemplate(metadata=k8s.V1ObjectMeta(name='a'))\nb = k8s.V1PodTemplate(metadata=k8s.V1ObjectMeta(name='b'))\n";
        let defs = index_source(Path::new("/w/t.py"), text, Language::Python, None);
        assert_eq!(defs.len(), 2, "{defs:?}");
        assert_eq!(&*defs[0].source, text);
        assert!(Arc::ptr_eq(&defs[0].source, &defs[1].source));
    }

    /// The shortcuts of [`index_source`] lose nothing: over every YAML and Python fixture of the
    /// repository (and each one's text with its flyte/kubernetes words or keys removed, to reach
    /// the branches that skip work), it finds what [`index_file`] finds on the full parse.
    #[test]
    fn reading_less_finds_what_the_full_parse_finds() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["tests", "examples"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                if let Some(language) = indexed_language(entry.path()) {
                    if let Some(text) = read_indexable(entry.path()) {
                        files.push((entry.path().to_path_buf(), language, text));
                    }
                }
            }
        }
        assert!(files.len() > 100, "{} fixtures", files.len());
        let (mut with_entries, mut python_names) = (0, 0);
        for (path, language, text) in &files {
            let variants = [
                text.clone(),
                text.replace("pod_template", "pod_tmpl"),
                text.replace("V1PodTemplate", "V1PodTmpl")
                    .replace("pod_template", "pod_tmpl"),
            ];
            for text in &variants {
                let full = index_file(path, text, &parse_for_index(text, *language, None));
                let fast = index_source(path, text, *language, None);
                assert_eq!(fast, full, "{}", path.display());
                with_entries += usize::from(!full.is_empty());
                python_names += usize::from(
                    *language == Language::Python
                        && full.iter().any(|d| d.kind != Named::PodTemplate),
                );
            }
        }
        // The comparison saw files with entries, Python names among them.
        assert!(
            with_entries > 20 && python_names > 5,
            "{with_entries} {python_names}"
        );
    }

    #[test]
    fn foreign_folders_are_skipped_by_name_when_watched() {
        assert_eq!(
            watched(Path::new("/w/flows/train.py")),
            Some(Language::Python)
        );
        assert_eq!(watched(Path::new("/w/t.yml")), Some(Language::Yaml));
        assert_eq!(watched(Path::new("/w/.venv/lib/kubernetes/x.py")), None);
        assert_eq!(watched(Path::new("/w/a/__pycache__/x.py")), None);
        assert_eq!(watched(Path::new("/w/notes.txt")), None);
    }

    #[test]
    fn scan_finds_templates_in_the_examples() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
        let index = WorkspaceIndex::scan(&[root]);
        assert!(index.complete);
        assert!(
            !index.lookup("gpu-default").is_empty(),
            "{:?}",
            index.names()
        );
    }
}
