//! The engine's front door: picks a file's front end, parses with it, and hands the analysis a
//! [`Snapshot`] that carries that front end's writer and cursor answers.
//!
//! Servers, the CLI, tests and benches come in here; `analysis` never names a front end, and a
//! front end never runs a rule. The front ends are YAML and Python. The LSP server asks here too:
//! one verb per request, each on one snapshot of the document and one settings version.

use std::path::Path;

use crate::analysis::navigation;
use crate::analysis::{FileAnalysis, Snapshot};
use crate::settings::Settings;
use crate::tree::{DocKind, Stream};
use crate::workspace::WorkspaceIndex;
use crate::yaml::{self, YamlSites, YamlWriter};

pub use crate::tree::Language;
pub use pick::{source_of, Pick};

pub mod navigate;
mod pick;

/// Parses YAML `source` with its front end: the neutral tree, documents with their kinds,
/// scalars with their readings. Never fails.
pub fn parse(source: &str) -> Stream {
    yaml::parse(source)
}

/// Parses `source` with the front end of `language`.
pub fn parse_as(source: &str, language: Language) -> Stream {
    match language {
        Language::Yaml => yaml::parse(source),
        Language::Python => crate::python::parse_tree(source),
    }
}

/// Parses `source` with the front end of `language`, its documents given `kind` unless their
/// modeline says otherwise (`files.kinds`; see [`crate::settings::files`]). For Python only
/// `Some(Unknown)` (`ignore`) means something: the file has no documents.
pub fn parse_file(source: &str, language: Language, kind: Option<DocKind>) -> Stream {
    match (language, kind) {
        (Language::Yaml, kind) => yaml::parse_with(source, kind),
        (Language::Python, Some(DocKind::Unknown)) => Stream {
            documents: Vec::new(),
            surfaces: &[],
            language,
        },
        // A Python file's constructs are recognised by what they call; a kind says nothing.
        (Language::Python, _) => parse_as(source, language),
    }
}

/// The stream of `source` after an edit, given the stream `old` of `old_source` that
/// [`parse_file`] made with the same `language` and `kind`: the YAML front end patches a
/// keystroke inside a plain value in place, else re-parses only the `---` documents the edit
/// touched (see [`yaml::reparse`]); anything else parses in full.
/// Always equals `parse_file(source, language, kind)`.
pub fn reparse_file(
    old_source: &str,
    old: Stream,
    source: &str,
    language: Language,
    kind: Option<DocKind>,
) -> Stream {
    if language == Language::Yaml {
        if let Some(stream) = yaml::reparse(old_source, old, source, kind) {
            return stream;
        }
    }
    parse_file(source, language, kind)
}

/// The language of a file by its name: `*.py` is Python, `*.yaml`/`*.yml` YAML.
pub fn language_of_path(path: &std::path::Path) -> Option<Language> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("py" | "pyi") => Some(Language::Python),
        Some("yaml" | "yml") => Some(Language::Yaml),
        _ => None,
    }
}

/// The language of an editor document: its LSP `languageId`, else its URI's extension, else
/// YAML (the server is registered for YAML and Python only).
pub fn language_of_document(language_id: Option<&str>, uri: &str) -> Language {
    match language_id {
        Some("python") => Language::Python,
        Some("yaml") => Language::Yaml,
        _ => language_of_path(std::path::Path::new(
            uri.split(['?', '#']).next().unwrap_or(""),
        ))
        .unwrap_or(Language::Yaml),
    }
}

/// Runs `f` on a snapshot of a parsed file.
pub fn with_snapshot<R>(
    source: &str,
    stream: &Stream,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    f: impl FnOnce(&Snapshot<'_>) -> R,
) -> R {
    let yaml_writer;
    let python_writer;
    let writer: &dyn crate::tree::edit::Writer = match stream.language {
        Language::Yaml => {
            yaml_writer = YamlWriter::new(source, stream);
            &yaml_writer
        }
        Language::Python => {
            python_writer = crate::python::PythonWriter::new(source);
            &python_writer
        }
    };
    let snap = Snapshot {
        source,
        stream,
        writer,
        settings,
        workspace,
    };
    f(&snap)
}

/// Parses and analyses `source`.
pub fn analyze(source: &str, settings: &Settings) -> FileAnalysis {
    let stream = parse(source);
    analyze_parsed(source, &stream, settings)
}

/// Analyses an already parsed `source` (the server parses once per version).
pub fn analyze_parsed(source: &str, stream: &Stream, settings: &Settings) -> FileAnalysis {
    analyze_in_workspace(source, stream, settings, None)
}

/// Like [`analyze_parsed`], with the workspace's PodTemplates for cross-file rules.
pub fn analyze_in_workspace(
    source: &str,
    stream: &Stream,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
) -> FileAnalysis {
    with_snapshot(source, stream, settings, workspace, |snap| snap.analyze())
}

/// Completions at `offset`; the file is parsed only if the answer needs the tree.
pub fn completions(
    source: &str,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    offset: usize,
) -> crate::analysis::completion::Completions {
    let cell = std::cell::OnceCell::new();
    let stream = || cell.get_or_init(|| parse(source));
    let sites = YamlSites::new(source, &stream);
    crate::analysis::completion::completions(&sites, settings, workspace, offset)
}

/// Hover at `offset`.
pub fn hover(
    source: &str,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    offset: usize,
) -> Option<crate::analysis::hover::Hover> {
    let stream = parse(source);
    hover_parsed(source, &stream, settings, workspace, offset)
}

/// Hover at `offset` in an already parsed file.
pub fn hover_parsed(
    source: &str,
    stream: &Stream,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    offset: usize,
) -> Option<crate::analysis::hover::Hover> {
    hover_of_kind(source, stream, None, settings, workspace, offset)
}

/// [`hover_parsed`] in a file whose documents the settings give `kind` (`files.kinds`), as
/// [`parse_file`] parsed it.
fn hover_of_kind(
    source: &str,
    stream: &Stream,
    kind: Option<DocKind>,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    offset: usize,
) -> Option<crate::analysis::hover::Hover> {
    let get = || stream;
    let sites = YamlSites::new(source, &get).with_kind(kind);
    with_snapshot(source, stream, settings, workspace, |snap| {
        crate::analysis::hover::hover(snap, &sites, offset)
    })
}

/// Renders document `index` of a parsed file (see [`crate::analysis::render::render`]).
pub fn render(
    source: &str,
    stream: &Stream,
    index: usize,
    settings: &Settings,
    layer: crate::analysis::render::Layer,
    ctx: &crate::analysis::render::RenderContext<'_>,
) -> Result<crate::analysis::render::Rendered, crate::analysis::render::RenderError> {
    with_snapshot(source, stream, settings, None, |snap| {
        crate::analysis::render::render(snap, index, layer, ctx)
    })
}

/// Refactors (add a container, add a volume and its mount) offered at `offset` of a parsed
/// file, written by its front end.
pub fn refactors(
    source: &str,
    stream: &Stream,
    settings: &Settings,
    offset: usize,
) -> Vec<crate::analysis::Fix> {
    with_snapshot(source, stream, settings, None, |snap| {
        crate::analysis::refactor::refactors(snap, offset)
    })
}

/// [`completions`] over a file whose tree the caller parses on demand (the server's store).
pub fn completions_lazy<'a>(
    source: &'a str,
    stream: &'a dyn Fn() -> &'a Stream,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    offset: usize,
) -> crate::analysis::completion::Completions {
    let sites = YamlSites::new(source, stream);
    crate::analysis::completion::completions(&sites, settings, workspace, offset)
}

/// Whether a completion the client triggered by typing `trigger` is worth answering.
pub fn answers_trigger(source: &str, offset: usize, trigger: &str) -> bool {
    use crate::tree::site::Sites;
    // The answer reads the line alone; the tree is never asked for.
    static EMPTY: Stream = Stream {
        documents: Vec::new(),
        surfaces: &[],
        language: crate::tree::Language::Yaml,
    };
    let empty = || &EMPTY;
    YamlSites::new(source, &empty).answers_trigger(offset, trigger)
}

/// The code actions of `range` in a parsed file: the quick fixes of the diagnostics it touches
/// and the refactors at its start, from one snapshot (so one settings version).
pub fn code_actions(
    source: &str,
    stream: &Stream,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    range: &crate::text::TextRange,
    kinds: crate::analysis::actions::ActionKinds,
) -> crate::analysis::actions::CodeActions {
    with_snapshot(source, stream, settings, workspace, |snap| {
        crate::analysis::actions::code_actions(snap, range, kinds)
    })
}

/// The name under `offset` (for rename's range and placeholder), with where its occurrences
/// are written.
pub fn occurrences(source: &str, stream: &Stream, offset: usize) -> Option<navigate::NameAt> {
    navigate::name_at(source, stream, offset)
}

/// Where the name under `offset` is defined, here and in the workspace; `None` when the
/// cursor is on no name. `this` is the file's own path, whose index entries are skipped.
pub fn definition<'w>(
    source: &str,
    stream: &Stream,
    offset: usize,
    workspace: &'w WorkspaceIndex,
    this: Option<&Path>,
) -> Option<Vec<navigation::Target<'w>>> {
    let name = occurrences(source, stream, offset)?;
    Some(navigation::definition(&name.shown, workspace, this))
}

/// The references to the name under `offset` (see [`definition`]).
pub fn references<'w>(
    source: &str,
    stream: &Stream,
    offset: usize,
    workspace: &'w WorkspaceIndex,
    this: Option<&Path>,
    include_declaration: bool,
) -> Option<Vec<navigation::Target<'w>>> {
    let name = occurrences(source, stream, offset)?;
    Some(navigation::references(
        &name.shown,
        workspace,
        this,
        include_declaration,
    ))
}

/// What renaming the name under `offset` to `new_name` rewrites (each range once; in Python
/// the text between a string's quotes), or why it may not (see [`definition`]).
pub fn rename<'w>(
    source: &str,
    stream: &Stream,
    offset: usize,
    workspace: &'w WorkspaceIndex,
    this: Option<&Path>,
    new_name: &str,
) -> Option<Result<Vec<navigation::Target<'w>>, String>> {
    let name = occurrences(source, stream, offset)?;
    if let Some(r) = &name.unwritable {
        let line = crate::text::LineIndex::new(source)
            .to_line_col(source, r.start, crate::text::Encoding::Utf16)
            .line;
        return Some(Err(format!(
            "`{}` is also written on line {} as a string flyte-lsp cannot rewrite exactly (in several parts, or with an escape)",
            name.name,
            line + 1
        )));
    }
    Some(navigation::rename(
        &name.rewritten,
        workspace,
        this,
        new_name,
    ))
}

/// The outline of a parsed file.
pub fn symbols(source: &str, stream: &Stream) -> Vec<navigation::Symbol> {
    navigation::symbols(source, stream)
}

/// The folding ranges of a parsed file.
pub fn folding_ranges(source: &str, stream: &Stream) -> Vec<crate::analysis::structure::Fold> {
    crate::analysis::structure::folding_ranges(source, stream)
}

/// The nested ranges around `offset`, innermost first.
pub fn selection_ranges(stream: &Stream, offset: usize) -> Vec<crate::text::TextRange> {
    crate::analysis::structure::selection_ranges(stream, offset)
}

/// Completions for an editor document of `language` at `offset`, typed with `trigger` if the
/// client says so. `None` for triggers not worth answering. In Python the tree is always needed
/// (the cursor's place comes from it), and keyword names are offered only when
/// `python.keywordCompletion` asks: the type checker beside us lists them.
/// `kind` is what the settings make the file's documents (`files.kinds`), as [`parse_file`]
/// parsed `stream`.
#[allow(clippy::too_many_arguments)]
pub fn completions_in<'a>(
    language: Language,
    kind: Option<DocKind>,
    source: &'a str,
    stream: &'a dyn Fn() -> &'a Stream,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    offset: usize,
    trigger: Option<&str>,
) -> Option<crate::analysis::completion::Completions> {
    if language == Language::Python {
        use crate::tree::site::Sites;
        let sites =
            crate::python::PythonSites::new(source, stream(), settings.python.keyword_completion);
        if trigger.is_some_and(|t| !sites.answers_trigger(offset, t)) {
            return None;
        }
        return Some(crate::analysis::completion::completions(
            &sites, settings, workspace, offset,
        ));
    }
    if trigger.is_some_and(|t| !answers_trigger(source, offset, t)) {
        return None;
    }
    let sites = YamlSites::new(source, stream).with_kind(kind);
    Some(crate::analysis::completion::completions(
        &sites, settings, workspace, offset,
    ))
}

/// Hover for an editor document of `language` at `offset`.
pub fn hover_in(
    language: Language,
    kind: Option<DocKind>,
    source: &str,
    stream: &Stream,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    offset: usize,
) -> Option<crate::analysis::hover::Hover> {
    if language == Language::Python {
        let sites = crate::python::PythonSites::new(source, stream, false);
        return with_snapshot(source, stream, settings, workspace, |snap| {
            crate::analysis::hover::hover(snap, &sites, offset)
        });
    }
    hover_of_kind(source, stream, kind, settings, workspace, offset)
}

/// What a "Preview pod" lens previews: a document by index (YAML), or for Python an
/// environment by name or a task by function, as `render --environment/--task` name them (a
/// Python file's document indices shift with every construct typed above).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewTarget {
    Document(usize),
    Environment(String),
    Task(String),
}

impl PreviewTarget {
    /// The [`Pick`] that finds this target's document again.
    pub fn pick(&self) -> Pick {
        match self {
            PreviewTarget::Document(i) => Pick {
                document: Some(*i),
                ..Pick::default()
            },
            PreviewTarget::Environment(name) => Pick {
                environment: Some(name.clone()),
                ..Pick::default()
            },
            PreviewTarget::Task(function) => Pick {
                task: Some(function.clone()),
                ..Pick::default()
            },
        }
    }
}

/// The pods a preview is offered for, each with the range an editor puts its lens on (one
/// line). YAML: every task environment and Flyte pod template, at its first key. Python: every
/// task environment whose name is a string (as written or cloned), at its call, and every task
/// whose decorator gives its own `pod_template`, at the decorator; the other tasks' pods are
/// their environment's.
pub fn previewable(source: &str, stream: &Stream) -> Vec<(PreviewTarget, crate::text::TextRange)> {
    use crate::model::DocKind;
    use crate::tree::Via;
    if stream.language == Language::Yaml {
        return stream
            .documents
            .iter()
            .enumerate()
            .filter(|(_, d)| matches!(d.kind, DocKind::TaskEnvironment | DocKind::FlytePodTemplate))
            .filter_map(|(i, d)| {
                let at = d.root.as_ref()?.as_map()?.first()?.key.span.clone();
                Some((PreviewTarget::Document(i), at))
            })
            .collect();
    }
    let mut out = Vec::new();
    for d in &stream.documents {
        if d.kind != DocKind::TaskEnvironment {
            continue;
        }
        let (target, at) = match d.derived.as_ref() {
            None => match pick::environment_name(stream, d) {
                Some(name) => (PreviewTarget::Environment(name), d.span.clone()),
                None => continue,
            },
            Some(x) => match &x.via {
                Via::Clone => match pick::environment_name(stream, d) {
                    Some(name) => (PreviewTarget::Environment(name), x.span.clone()),
                    None => continue,
                },
                Via::Task { function }
                    if x.copy_of.is_none()
                        && d.sdk == crate::tree::Sdk::Flyte
                        && x.arguments.iter().any(|(a, _)| a == "pod_template") =>
                {
                    (PreviewTarget::Task(function.clone()), x.span.clone())
                }
                _ => continue,
            },
        };
        out.push((target, first_line(source, at)));
    }
    out
}

/// The part of `range` on its first line, up to the call's opening parenthesis: a code lens
/// spans one line.
fn first_line(source: &str, range: crate::text::TextRange) -> crate::text::TextRange {
    let text = source.get(range.clone()).unwrap_or("");
    let end = text.find(['(', '\n']).unwrap_or(text.len());
    range.start..range.start + end
}

/// The preview of the document `pick` names: the rendered pod as YAML with its notes (what
/// `render` prints for the same pick), or comments saying why there is none. The cluster layer
/// merges `settings.platform.pod_template`, read from disk (a relative path is relative to
/// `root`, the first workspace folder).
pub fn preview(
    source: &str,
    stream: &Stream,
    pick: &Pick,
    layer: crate::analysis::render::Layer,
    settings: &Settings,
    workspace: Option<&WorkspaceIndex>,
    root: Option<&Path>,
) -> String {
    use crate::analysis::render::{self, RenderError};
    let index = match pick.index(stream) {
        Ok(i) => i,
        Err(msg) => return format!("# Nothing to preview: {msg}\n"),
    };
    let cluster_text = settings.platform.pod_template.as_ref().and_then(|p| {
        let path = match root {
            Some(root) if p.is_relative() => root.join(p),
            _ => p.clone(),
        };
        crate::workspace::read_indexable(&path)
    });
    let cluster = cluster_text.as_deref().map(parse);
    let ctx = render::RenderContext {
        workspace,
        cluster_template: cluster.as_ref(),
    };
    match render(source, stream, index, settings, layer, &ctx) {
        Ok(rendered) => render::to_yaml_with_notes(&rendered, layer),
        Err(RenderError::NotRenderable(msg)) => format!("# Nothing to preview: {msg}\n"),
        Err(RenderError::Refused(diags)) => {
            let lines = crate::text::LineIndex::new(source);
            let mut out = String::from(
                "# The Flyte SDK would refuse this document, so there is no pod to show:\n",
            );
            for d in diags {
                let at = lines.to_line_col(source, d.range.start, crate::text::Encoding::Utf16);
                out.push_str(&format!(
                    "#   line {}: {} {}\n",
                    at.line + 1,
                    d.code,
                    d.message
                ));
            }
            out
        }
    }
}
