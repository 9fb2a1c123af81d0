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
