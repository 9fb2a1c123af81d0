//! YAML text -> tree -> every diagnostic, plus what else reads a whole document: the alias
//! expanding JSON conversion, render (both layers) and its YAML output, document symbols and
//! the workspace index. Must never panic, whatever the text.

#![no_main]

use std::path::Path;

use flyte_lsp::analysis::navigation;
use flyte_lsp::analysis::render::{self, Layer, RenderContext};
use flyte_lsp::engine::analyze_in_workspace;
use flyte_lsp::settings::Settings;
use flyte_lsp::workspace::WorkspaceIndex;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let settings = Settings::default();
    let stream = flyte_lsp::engine::parse(text);
    for doc in &stream.documents {
        assert!(doc.span.start <= doc.span.end && doc.span.end <= text.len());
        if let Some(root) = &doc.root {
            let _ = flyte_lsp::tree::json::to_json(doc, root);
        }
    }
    let mut workspace = WorkspaceIndex::default();
    workspace.update_parsed(Path::new("/fuzz/a.yaml"), text, &stream);
    let analysis = analyze_in_workspace(text, &stream, &settings, Some(&workspace));
    for d in &analysis.diagnostics {
        // Ranges index the text: the edges slice with them.
        assert!(
            d.range.start <= d.range.end && d.range.end <= text.len(),
            "{d:?}"
        );
        assert!(
            text.is_char_boundary(d.range.start) && text.is_char_boundary(d.range.end),
            "{d:?}"
        );
        for fix in &d.fixes {
            for e in &fix.edits {
                assert!(
                    e.range.start <= e.range.end && e.range.end <= text.len(),
                    "{d:?}"
                );
            }
        }
    }
    let _ = navigation::symbols(text, &stream);
    let ctx = RenderContext {
        workspace: Some(&workspace),
        cluster_template: None,
    };
    for index in 0..stream.documents.len().min(4) {
        for layer in [Layer::Sdk, Layer::Cluster] {
            if let Ok(rendered) =
                flyte_lsp::engine::render(text, &stream, index, &settings, layer, &ctx)
            {
                let _ = render::to_yaml_with_notes(&rendered, layer);
            }
        }
    }
});
