//! Python text -> the Python front end's tree -> every diagnostic and the Python writer's
//! fixes, then completion and hover at a few offsets. Must never panic or hang, whatever the
//! text (half-typed calls, deep nesting, names rebound in every way).

#![no_main]

use flyte_lsp::engine::{analyze_in_workspace, parse_as, Language};
use flyte_lsp::settings::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let stream = parse_as(text, Language::Python);
    for doc in &stream.documents {
        assert!(doc.span.start <= doc.span.end && doc.span.end <= text.len());
    }
    let mut settings = Settings::default();
    settings.python.keyword_completion = true;
    let get = || &stream;
    // Offsets spread over the text, and its end (where the user types).
    for at in (0..=text.len())
        .step_by(text.len() / 7 + 1)
        .chain([text.len()])
    {
        let c = flyte_lsp::engine::completions_in(
            Language::Python,
            None,
            text,
            &get,
            &settings,
            None,
            at,
            None,
        );
        for item in c.iter().flat_map(|c| &c.items) {
            if let Some(r) = &item.replace_range {
                assert!(text.get(r.clone()).is_some(), "{item:?}");
            }
        }
        let h =
            flyte_lsp::engine::hover_in(Language::Python, None, text, &stream, &settings, None, at);
        if let Some(h) = h {
            assert!(text.get(h.range.clone()).is_some(), "{h:?}");
        }
    }
    let analysis = analyze_in_workspace(text, &stream, &Settings::default(), None);
    for d in &analysis.diagnostics {
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
});
