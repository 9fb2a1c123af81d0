//! The pod preview over LSP: "Preview pod" code lenses on the documents `engine` says can be
//! previewed, and the `flyte-lsp.renderPreview` command, whose arguments are read here and
//! whose text `engine::preview` writes.

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{CodeLens, CodeLensParams, Command, ExecuteCommandParams, Uri};

use crate::analysis::render::Layer;
use crate::engine::{Pick, PreviewTarget};

use super::super::convert;
use super::super::Backend;

/// The command name clients execute (and the code lenses carry).
pub const RENDER_PREVIEW: &str = "flyte-lsp.renderPreview";

/// What `flyte-lsp.renderPreview` takes: `{uri, document?, layer?}` (the YAML form, what
/// the lenses of YAML files carry), or `{uri, environment?, task?, layer?}` (what the lenses
/// of Python files carry: the names `render --environment/--task` take).
struct PreviewArgs {
    uri: Uri,
    pick: Pick,
    layer: Layer,
}

fn parse_args(arguments: &[Value]) -> Result<PreviewArgs> {
    let arg = arguments.first().ok_or_else(|| {
        Error::invalid_params("expected one argument: {uri, document | environment | task, layer}")
    })?;
    let uri = arg
        .get("uri")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Uri>().ok())
        .ok_or_else(|| Error::invalid_params("`uri` must be a document URI"))?;
    let document = match arg.get("document") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|d| usize::try_from(d).ok())
                .ok_or_else(|| {
                    Error::invalid_params("`document` must be a non-negative integer")
                })?,
        ),
    };
    let name = |key: &str| match arg.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::invalid_params(format!("`{key}` must be a string"))),
    };
    let (environment, task) = (name("environment")?, name("task")?);
    if document.is_some() && (environment.is_some() || task.is_some()) {
        return Err(Error::invalid_params(
            "give `document`, or `environment` and/or `task`, not both",
        ));
    }
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
        pick: Pick {
            document,
            environment,
            task,
        },
        layer,
    })
}

/// The lens command's argument for one preview target.
fn lens_argument(uri: &Uri, target: &PreviewTarget) -> Value {
    match target {
        PreviewTarget::Document(i) => json!({"uri": uri.as_str(), "document": i}),
        PreviewTarget::Environment(name) => json!({"uri": uri.as_str(), "environment": name}),
        PreviewTarget::Task(function) => json!({"uri": uri.as_str(), "task": function}),
    }
}

impl Backend {
    /// A "Preview pod" lens on each pod `engine::previewable` names: the first key of each YAML
    /// task environment and Flyte pod template, each Python environment and each task with its
    /// own `pod_template`.
    pub(in crate::server) async fn handle_code_lens(
        &self,
        params: CodeLensParams,
    ) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.state.store.current(&uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        let lenses = tokio::task::spawn_blocking(move || {
            crate::engine::previewable(&snap.text, snap.stream())
                .into_iter()
                .map(|(target, at)| CodeLens {
                    range: convert::range(&snap, &at, enc),
                    command: Some(Command {
                        title: "Preview pod".to_string(),
                        command: RENDER_PREVIEW.to_string(),
                        arguments: Some(vec![lens_argument(&uri, &target)]),
                    }),
                    data: None,
                })
                .collect()
        })
        .await
        .ok();
        Ok(lenses)
    }

    /// `flyte-lsp.renderPreview`: the preview text of one document of an open file (a pick
    /// that names nothing there is a comment saying so: a preview refreshed after the user
    /// renamed its environment shows that, not an error).
    pub(in crate::server) async fn handle_execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<Value>> {
        if params.command != RENDER_PREVIEW {
            return Err(Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )));
        }
        let args = parse_args(&params.arguments)?;
        let Some(snap) = self.state.store.current(&args.uri) else {
            return Err(Error::invalid_params("the document is not open"));
        };
        let settings = self.settings();
        let workspace = self.workspace();
        let root = self
            .state
            .roots
            .read()
            .ok()
            .and_then(|r| r.first().cloned());
        let text = tokio::task::spawn_blocking(move || {
            crate::engine::preview(
                &snap.text,
                snap.stream(),
                &args.pick,
                args.layer,
                &settings,
                Some(&workspace),
                root.as_deref(),
            )
        })
        .await
        .map_err(|_| Error::internal_error())?;
        Ok(Some(Value::String(text)))
    }
}
