//! Tidy: the code's own rules, checked mechanically.
//! - every `.rs` file under `src/` opens with a `//!` module doc;
//! - no LSP types below the wall (only `src/server/` may name them);
//! - no `unwrap()`, `dbg!` or printing to stdout outside tests and `main.rs`;
//! - layers: a module uses only the modules below it (docs/architecture.md), and analysis names
//!   no front end (only the preview's YAML emitter).

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

/// The layers, bottom up, as docs/architecture.md states them. A module may `use crate::X` only
/// for an `X` in an earlier entry; modules in one entry may not use each other.
const LAYERS: &[&[&str]] = &[
    &["text"],
    &["tree"],
    &["schema"],
    &["model"],
    &["settings"],
    &["yaml", "python"],
    &["workspace"],
    &["analysis"],
    &["engine"],
    &["server", "cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a source file belongs to (`src/yaml/build.rs` → `yaml`); `None` for
/// `lib.rs` and `main.rs`, which sit above every layer.
fn module_of(rel: &str) -> Option<&str> {
    let path = rel.strip_prefix("src/")?;
    let first = path.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then_some(name)
}

/// Every `crate::` path in `code` (comments skipped), as (line number, full path); a grouped
/// `crate::{a::B, c}` yields one path per group member.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            // `flyte_lsp::crate::` does not exist; `$crate::` in macros is still this crate.
            rest = &rest[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for member in group[..end].split(',') {
                    let member = member.trim();
                    if !member.is_empty() {
                        out.push((n + 1, member.to_string()));
                    }
                }
                continue;
            }
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            out.push((n + 1, rest[..end].trim_end_matches(':').to_string()));
        }
    }
    out
}

/// A file's code outside tests and its test code. `fixture.rs` is a test-only module.
fn split_tests<'a>(rel: &str, text: &'a str) -> (&'a str, &'a str) {
    if rel.ends_with("/fixture.rs") {
        return ("", text);
    }
    match text.find("#[cfg(test)]") {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    }
}

#[test]
fn layers_use_only_the_layers_below() {
    let mut problems = Vec::new();
    for p in sources() {
        let r = rel(&p);
        let Some(module) = module_of(&r) else {
            continue;
        };
        let own = layer_of(module)
            .unwrap_or_else(|| panic!("{r}: module `{module}` is in no layer of LAYERS"));
        let text = std::fs::read_to_string(&p).expect("read");
        let (code, tests) = split_tests(&r, &text);
        let test_offset = code.matches('\n').count();
        for (in_tests, part, offset) in [(false, code, 0), (true, tests, test_offset)] {
            for (line, path) in crate_paths(part) {
                let line = line + offset;
                let used = path.split("::").next().unwrap_or_default();
                if used == module || used.is_empty() {
                    continue;
                }
                let Some(layer) = layer_of(used) else {
                    problems.push(format!("{r}:{line}: `crate::{path}` is in no layer"));
                    continue;
                };
                // Tests may drive the engine (parse, analyse) to set up what they check.
                let allowed = layer < own || (in_tests && used == "engine");
                if !allowed {
                    let what = if in_tests { " (in tests)" } else { "" };
                    problems.push(format!(
                        "{r}:{line}: `{module}` uses `crate::{path}`{what}, which is not below it"
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "layer violations:\n{}",
        problems.join("\n")
    );
}

#[test]
fn analysis_names_no_front_end() {
    let mut problems = Vec::new();
    for p in sources() {
        let r = rel(&p);
        if !r.starts_with("src/analysis/") {
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("read");
        for (line, path) in crate_paths(&text) {
            // The preview prints its result as YAML whatever the source language was.
            if path == "yaml" || (path.starts_with("yaml::") && !path.starts_with("yaml::emit")) {
                problems.push(format!(
                    "{r}:{line}: `crate::{path}`; analysis reaches a front end only through the \
                     snapshot (tests: `crate::engine::parse`)"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_layer_check_reads_paths() {
    let code = "use crate::tree::{Node, Entry};\n// crate::yaml in a comment\nlet x = crate::yaml::emit::to_yaml(&p);\nuse crate::{text::TextRange, model};\n";
    let paths: Vec<String> = crate_paths(code).into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        paths,
        ["tree", "yaml::emit::to_yaml", "text::TextRange", "model"]
    );
    assert_eq!(module_of("src/yaml/cursor/lines.rs"), Some("yaml"));
    assert_eq!(module_of("src/settings.rs"), Some("settings"));
    assert_eq!(module_of("src/main.rs"), None);
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
