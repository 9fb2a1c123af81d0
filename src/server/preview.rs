//! The pod preview over LSP: the `flyte-lsp.renderPreview` command and "Preview pod" code lenses.
//!
//! Thin: it finds the snapshot, calls `analysis::render`, and turns the result (or the reasons
//! the SDK would refuse the document) into text for the editor's preview pane.

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{CodeLens, Command, Uri};

use crate::analysis::render::{self, Layer, RenderError};
use crate::analysis::FileAnalysis;
use crate::model::DocKind;
use crate::settings::Settings;
use crate::text::Encoding;

use super::convert;
use super::store::Snapshot;

/// The command name clients execute (and the code lenses carry).
pub const RENDER_PREVIEW: &str = "flyte-lsp.renderPreview";

/// What `flyte-lsp.renderPreview` takes: `{uri, document?, layer?}`.
pub struct PreviewArgs {
    pub uri: Uri,
    pub document: usize,
    pub layer: Layer,
}

pub fn parse_args(arguments: &[Value]) -> Result<PreviewArgs> {
    let arg = arguments
        .first()
        .ok_or_else(|| Error::invalid_params("expected one argument: {uri, document, layer}"))?;
    let uri = arg
        .get("uri")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Uri>().ok())
        .ok_or_else(|| Error::invalid_params("`uri` must be a document URI"))?;
    let document = match arg.get("document") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_u64()
            .and_then(|d| usize::try_from(d).ok())
            .ok_or_else(|| Error::invalid_params("`document` must be a non-negative integer"))?,
    };
    let layer = match arg.get("layer").and_then(Value::as_str) {
        None | Some("sdk") => Layer::Sdk,
        Some("cluster") => Layer::Cluster,
        Some(other) => {
            return Err(Error::invalid_params(format!(
                "unknown layer `{other}`; use sdk or cluster"
            )))
        }
    };
    Ok(PreviewArgs {
        uri,
        document,
        layer,
    })
}

/// The preview text: the rendered pod as YAML, or comments saying why there is none.
pub fn preview_text(
    snap: &Snapshot,
    document: usize,
    layer: Layer,
    settings: &Settings,
    ctx: &render::RenderContext<'_>,
) -> String {
    match crate::engine::render(&snap.text, snap.stream(), document, settings, layer, ctx) {
        Ok(rendered) => render::to_yaml_with_notes(&rendered, layer),
        Err(RenderError::NotRenderable(msg)) => format!("# Nothing to preview: {msg}\n"),
        Err(RenderError::Refused(diags)) => {
            let mut out = String::from(
                "# The Flyte SDK would refuse this document, so there is no pod to show:\n",
            );
            for d in diags {
                let at = snap
                    .index
                    .to_line_col(&snap.text, d.range.start, Encoding::Utf16);
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

/// A "Preview pod" lens on the first line of each task environment and Flyte pod template.
pub fn code_lenses(
    uri: &Uri,
    snap: &Snapshot,
    analysis: &FileAnalysis,
    enc: Encoding,
) -> Vec<CodeLens> {
    let stream = snap.stream();
    analysis
        .documents
        .iter()
        .enumerate()
        .filter(|(_, d)| matches!(d.kind, DocKind::TaskEnvironment | DocKind::FlytePodTemplate))
        .filter_map(|(i, _)| {
            let root = stream.documents.get(i)?.root.as_ref()?;
            let at = root.as_map()?.first()?.key.span.clone();
            Some(CodeLens {
                range: convert::range(snap, &at, enc),
                command: Some(Command {
                    title: "Preview pod".to_string(),
                    command: RENDER_PREVIEW.to_string(),
                    arguments: Some(vec![json!({"uri": uri.as_str(), "document": i})]),
                }),
                data: None,
            })
        })
        .collect()
}
