//! Tidy: the code's own rules, checked mechanically.
//! - every `.rs` file under `src/` opens with a `//!` module doc;
//! - no LSP types below the wall (only `src/server/` may name them);
//! - no `unwrap()`, `dbg!` or printing to stdout outside tests and `main.rs`.

use std::path::{Path, PathBuf};

fn sources() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The file's text before its `#[cfg(test)]` module, where test code starts.
fn non_test_code(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

fn rel(p: &Path) -> String {
    p.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(p)
        .display()
        .to_string()
}

#[test]
fn every_module_has_a_doc() {
    for p in sources() {
        let text = std::fs::read_to_string(&p).expect("read");
        assert!(
            text.starts_with("//!"),
            "{} must start with a `//!` module doc",
            rel(&p)
        );
    }
}

#[test]
fn no_lsp_types_below_the_wall() {
    for p in sources() {
        let r = rel(&p);
        if r.starts_with("src/server") {
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("read");
        for banned in ["tower_lsp_server", "ls_types", "lsp_types"] {
            assert!(
                !text.contains(banned),
                "{r} names `{banned}`; only src/server/ may"
            );
        }
    }
}

#[test]
fn no_unwrap_or_stdout_on_server_and_analysis_paths() {
    for p in sources() {
        let r = rel(&p);
        if r == "src/main.rs" || r.contains("/fixture.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("read");
        let code = non_test_code(&text);
        for banned in [".unwrap()", ".expect(", "dbg!(", "println!(", "print!("] {
            assert!(!code.contains(banned), "{r} uses `{banned}` outside tests");
        }
    }
}

/// Edits go through the front end (issue 12): nothing under `src/analysis/` writes source text
/// itself. It names no front end but the preview's YAML emitter (`crate::yaml::emit`), builds
/// no `Edit` by hand (every edit comes from the snapshot's `Writer`), and keeps no quoting
/// helpers.
#[test]
fn analysis_writes_through_the_front_end() {
    for p in sources() {
        let r = rel(&p);
        if !r.starts_with("src/analysis") {
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("read");
        for (i, _) in text.match_indices("crate::yaml") {
            let rest = &text[i + "crate::yaml".len()..];
            assert!(
                rest.starts_with("::emit::"),
                "{r} names the YAML front end (`crate::yaml{}`); analysis goes through \
                 `crate::engine` and the snapshot's writer (only `crate::yaml::emit` is allowed)",
                rest.chars().take(20).collect::<String>()
            );
        }
        for banned in ["crate::{yaml", "super::yaml"] {
            assert!(!text.contains(banned), "{r} names the YAML front end");
        }
        let code = non_test_code(&text);
        for banned in ["requote", "with_fix(", "new_text:", "Edit {"] {
            assert!(
                !code.contains(banned),
                "{r} uses `{banned}`: fixes and refactors ask the front end's `Writer` for edits"
            );
        }
    }
}
