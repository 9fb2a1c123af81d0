//! The workspace index: which Kubernetes `PodTemplate`s the folder defines, by name, so that a
//! string `pod_template: gpu-template` can be resolved, completed and navigated across files.
//!
//! Indexing one file is pure (`index_text`); scanning folders does IO and is bounded (file count,
//! file size, no symlink following). The server keeps the index current per file, so a keystroke
//! re-indexes one document, never the workspace.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::DocKind;
use crate::settings::FileRules;
use crate::text::{Encoding, LineCol, LineIndex, TextRange};
use crate::tree::{Node, Stream};
use crate::yaml::parse;

/// Files larger than this are not indexed.
pub const MAX_INDEXED_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// At most this many YAML files are read when scanning a workspace folder.
pub const MAX_INDEXED_FILES: usize = 20_000;

/// Where a PodTemplate is defined (`metadata.name` of a `kind: PodTemplate`), or referred to
/// (a task environment's string `pod_template`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDef {
    pub name: String,
    /// True for a definition, false for a reference.
    pub definition: bool,
    pub path: PathBuf,
    /// The document index within the file.
    pub document: usize,
    /// The byte range of the name (the `metadata.name` or `pod_template` value).
    pub range: TextRange,
    /// The same range as lines and columns, in both encodings, so the server can point into a
    /// file it does not have open.
    pub utf16: (LineCol, LineCol),
    pub utf8: (LineCol, LineCol),
    /// The template's own text (its document), for previews and hovers.
    pub source: String,
}

impl TemplateDef {
    /// The defined template as JSON (its document read again: the index keeps only text).
    pub fn template_json(&self) -> Option<serde_json::Value> {
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

/// Every PodTemplate of the workspace, by file.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceIndex {
    files: BTreeMap<PathBuf, Vec<TemplateDef>>,
    /// True once the workspace folders have been scanned; before that, "not found" means
    /// "not known yet" and is not reported.
    pub complete: bool,
}

impl WorkspaceIndex {
    /// Replaces what the index knows about `path` with the templates defined in `text`.
    pub fn update(&mut self, path: &Path, text: &str) {
        let stream = parse(text);
        self.update_parsed(path, text, &stream);
    }

    pub fn update_parsed(&mut self, path: &Path, text: &str, stream: &Stream) {
        let defs = index_text(path, text, stream);
        if defs.is_empty() {
            self.files.remove(path);
        } else {
            self.files.insert(path.to_path_buf(), defs);
        }
    }

    pub fn remove(&mut self, path: &Path) {
        self.files.remove(path);
    }

    /// The templates one file defines.
    pub fn lookup_file(&self, path: &Path) -> &[TemplateDef] {
        self.files.get(path).map_or(&[], Vec::as_slice)
    }

    /// Templates with this name, in path order.
    pub fn lookup(&self, name: &str) -> Vec<&TemplateDef> {
        self.files
            .values()
            .flatten()
            .filter(|d| d.definition && d.name == name)
            .collect()
    }

    /// Task environments that refer to this template name, in path order.
    pub fn references(&self, name: &str) -> Vec<&TemplateDef> {
        self.files
            .values()
            .flatten()
            .filter(|d| !d.definition && d.name == name)
            .collect()
    }

    /// Every template name, sorted and unique (for completion).
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .files
            .values()
            .flatten()
            .filter(|d| d.definition)
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
            .flatten()
            .filter(|d| d.definition)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Scans `roots` recursively for `*.yaml`/`*.yml` (no symlinks followed, bounded count and
    /// size) and indexes every PodTemplate. Unreadable files are skipped.
    pub fn scan(roots: &[PathBuf]) -> WorkspaceIndex {
        WorkspaceIndex::scan_selected(roots, &FileRules::default())
    }

    /// [`WorkspaceIndex::scan`] under the `files.*` settings: excluded files and folders are
    /// not read, and `files.kinds` gives documents their kind.
    pub fn scan_selected(roots: &[PathBuf], rules: &FileRules) -> WorkspaceIndex {
        let mut index = WorkspaceIndex::default();
        let mut seen = 0;
        for root in roots {
            let walker = walkdir::WalkDir::new(root)
                .follow_links(false)
                .into_iter()
                .filter_entry(|e| {
                    // Skip VCS and dependency folders: large, never hold the user's templates.
                    let name = e.file_name().to_string_lossy();
                    !(e.depth() > 0
                        && e.file_type().is_dir()
                        && (name.starts_with('.')
                            || name == "node_modules"
                            || name == "target"
                            || rules.excludes_dir(e.path())))
                });
            for entry in walker.flatten() {
                if seen >= MAX_INDEXED_FILES {
                    break;
                }
                let path = entry.path();
                let is_yaml = matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml")
                );
                if !entry.file_type().is_file() || !is_yaml {
                    continue;
                }
                let selection = rules.select(path, crate::tree::Language::Yaml);
                if selection.excluded {
                    continue;
                }
                seen += 1;
                if let Some(text) = read_indexable(path) {
                    let stream = crate::yaml::parse_with(&text, selection.kind);
                    index.update_parsed(path, &text, &stream);
                }
            }
        }
        index.complete = true;
        index
    }
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

/// The PodTemplates a file defines and the ones its task environments name.
pub fn index_text(path: &Path, text: &str, stream: &Stream) -> Vec<TemplateDef> {
    let mut out = Vec::new();
    let mut line_index: Option<LineIndex> = None;
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
        let Some(value) = node.as_str().filter(|s| !s.is_empty()) else {
            continue;
        };
        let li = line_index.get_or_insert_with(|| LineIndex::new(text));
        let range = node.span.clone();
        let at = |offset: usize, enc: Encoding| li.to_line_col(text, offset, enc);
        out.push(TemplateDef {
            name: value.to_string(),
            definition,
            path: path.to_path_buf(),
            document: i,
            utf16: (
                at(range.start, Encoding::Utf16),
                at(range.end, Encoding::Utf16),
            ),
            utf8: (
                at(range.start, Encoding::Utf8),
                at(range.end, Encoding::Utf8),
            ),
            range,
            source: if definition {
                doc.text(text).to_string()
            } else {
                String::new()
            },
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
