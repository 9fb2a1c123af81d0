//! Which document of a parsed file a user means: by index (`render --document N`, the YAML
//! preview), by environment name (`--environment NAME`) or by task function (`--task FUNCTION`).
//!
//! One answer for the CLI's `render` and the server's `flyte-lsp.renderPreview`, so that the
//! preview of a Python environment or task is the pod `render` prints for it. Reads only the
//! tree's documents and their derivations; knows no front end.

use crate::model::DocKind;
use crate::tree::{Document, Language, Stream, Via};

/// What a user names to pick a document; all unset means the file's default (the first
/// document, or for Python the one task environment when there is exactly one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pick {
    pub document: Option<usize>,
    pub environment: Option<String>,
    pub task: Option<String>,
}

/// How many copies of copies [`source_of`] follows (a copy names a document that is no copy,
/// so one step is the norm; the bound only guards against a cycle).
const MAX_COPY_STEPS: usize = 8;

impl Pick {
    /// The index in `stream` of the document whose pod this pick shows (a task that changes
    /// nothing is its environment's document), or why there is none.
    pub fn index(&self, stream: &Stream) -> Result<usize, String> {
        // Environments as written or cloned; tasks and overrides are derived from them.
        let envs: Vec<(usize, Option<String>)> = stream
            .documents
            .iter()
            .enumerate()
            .filter(|(_, d)| d.kind == DocKind::TaskEnvironment)
            .filter(|(_, d)| {
                d.derived
                    .as_ref()
                    .is_none_or(|x| matches!(x.via, Via::Clone))
            })
            .map(|(i, d)| (i, environment_name(stream, d)))
            .collect();
        let listed = |envs: &[(usize, Option<String>)]| {
            let names: Vec<&str> = envs.iter().filter_map(|(_, n)| n.as_deref()).collect();
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        };
        if let Some(want) = &self.task {
            let tasks: Vec<(usize, &str, Option<String>)> = stream
                .documents
                .iter()
                .enumerate()
                .filter_map(|(i, d)| match d.derived.as_ref().map(|x| &x.via) {
                    Some(Via::Task { function }) => {
                        Some((i, function.as_str(), environment_name(stream, d)))
                    }
                    _ => None,
                })
                .collect();
            return tasks
                .iter()
                .find(|(_, f, env)| {
                    *f == want.as_str()
                        && self
                            .environment
                            .as_ref()
                            .is_none_or(|e| env.as_deref() == Some(e.as_str()))
                })
                .map(|(i, _, _)| source_of(stream, *i))
                .ok_or_else(|| {
                    let names: Vec<&str> = tasks.iter().map(|(_, f, _)| *f).collect();
                    format!(
                        "no task `{want}`{}; the file's tasks: {}",
                        self.environment
                            .as_ref()
                            .map_or(String::new(), |e| format!(" in environment `{e}`")),
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    )
                });
        }
        if let Some(want) = &self.environment {
            return envs
                .iter()
                .find(|(_, n)| n.as_deref() == Some(want.as_str()))
                .map(|(i, _)| *i)
                .ok_or_else(|| {
                    format!(
                        "no task environment named `{want}`; the file has: {}",
                        listed(&envs)
                    )
                });
        }
        if let Some(i) = self.document {
            return Ok(i);
        }
        if stream.language == Language::Python {
            return match envs.as_slice() {
                [(i, _)] => Ok(*i),
                [] => Ok(0),
                _ => Err(format!(
                    "the file has {} task environments ({}): pick one with --environment NAME, or a task with --task FUNCTION",
                    envs.len(),
                    listed(&envs)
                )),
            };
        }
        Ok(0)
    }
}

/// The `name` of a task environment document as a string, following a copy (a task that
/// changes nothing has its environment's name).
pub fn environment_name(stream: &Stream, doc: &Document) -> Option<String> {
    let doc = doc
        .derived
        .as_ref()
        .and_then(|x| x.copy_of)
        .and_then(|start| stream.documents.iter().find(|s| s.span.start == start))
        .unwrap_or(doc);
    doc.root
        .as_ref()
        .and_then(|r| r.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string)
}

/// The document whose tree document `index` shows: itself, or for a copy (a task that changes
/// nothing) the document it copies, followed through copies of copies.
pub fn source_of(stream: &Stream, mut index: usize) -> usize {
    for _ in 0..MAX_COPY_STEPS {
        let Some(start) = stream
            .documents
            .get(index)
            .and_then(|d| d.derived.as_ref())
            .and_then(|d| d.copy_of)
        else {
            break;
        };
        match stream.documents.iter().position(|d| d.span.start == start) {
            Some(i) if i != index => index = i,
            _ => break,
        }
    }
    index
}
