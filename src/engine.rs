//! The engine's front door: picks a file's front end, parses with it, and hands the analysis a
//! [`Snapshot`] that carries that front end's writer and cursor answers.
//!
//! Servers, the CLI, tests and benches come in here; `analysis` never names a front end, and a
//! front end never runs a rule. Today the one front end is YAML; Python plugs in beside it.

use crate::analysis::{FileAnalysis, Snapshot};
use crate::settings::Settings;
use crate::tree::Stream;
use crate::workspace::WorkspaceIndex;
use crate::yaml::{self, YamlSites, YamlWriter};

pub use crate::tree::Language;

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
    let get = || stream;
    let sites = YamlSites::new(source, &get);
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
