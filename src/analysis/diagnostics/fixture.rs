//! Test support: fixtures with expected diagnostics written as caret comments.
//!
//! A caret line sits under the line it describes: `#` then spaces up to the range's first
//! column, then `^` to its end, then `severity CODE: message`. When the range starts at column
//! 0 the `#` itself stands for the first caret. `check` strips these lines, runs the analysis,
//! writes the actual diagnostics back the same way and compares the whole text.

use crate::engine::analyze;
use crate::settings::Settings;
use crate::text::LineIndex;

fn is_caret_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('#') else {
        return false;
    };
    let rest = rest.trim_start_matches(' ');
    rest.starts_with('^')
        || ["error FLY", "warning FLY", "information FLY", "hint FLY"]
            .iter()
            .any(|p| rest.starts_with(p))
}

/// The fixture without its caret lines.
pub fn strip(fixture: &str) -> String {
    fixture
        .split_inclusive('\n')
        .filter(|l| !is_caret_line(l.trim_end_matches(['\n', '\r'])))
        .collect()
}

/// Renders `source` with a caret line under each diagnostic's first line.
pub fn annotate(source: &str, settings: &Settings) -> String {
    let analysis = analyze(source, settings);
    let index = LineIndex::new(source);
    let mut by_line: Vec<Vec<String>> = vec![Vec::new(); index.line_count()];
    for d in &analysis.diagnostics {
        let line = index.line_of(d.range.start);
        let line_range = index.line_range(source, line);
        let start_col = source[line_range.start..d.range.start.min(line_range.end)]
            .chars()
            .count();
        let end = d
            .range
            .end
            .min(line_range.end)
            .max(d.range.start.min(line_range.end));
        let width = source[d.range.start.min(line_range.end)..end]
            .chars()
            .count()
            .max(1);
        let carets = if start_col == 0 {
            format!("#{}", "^".repeat(width - 1))
        } else {
            format!("#{}{}", " ".repeat(start_col - 1), "^".repeat(width))
        };
        by_line[line].push(format!(
            "{carets} {} {}: {}",
            d.severity.name(),
            d.code,
            d.message
        ));
    }
    let mut out = String::new();
    for (i, line) in source.split_inclusive('\n').enumerate() {
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push('\n');
        }
        for c in by_line.get(i).into_iter().flatten() {
            out.push_str(c);
            out.push('\n');
        }
    }
    // Diagnostics on a final line without a newline, or past the end.
    for extra in by_line.iter().skip(source.split_inclusive('\n').count()) {
        for c in extra {
            out.push_str(c);
            out.push('\n');
        }
    }
    out
}

/// Asserts that analysing the fixture (without its caret lines) yields exactly its carets.
#[track_caller]
pub fn check(fixture: &str) {
    check_with(&Settings::default(), fixture);
}

#[track_caller]
pub fn check_with(settings: &Settings, fixture: &str) {
    let source = strip(fixture);
    let actual = annotate(&source, settings);
    let expected = if fixture.ends_with('\n') {
        fixture.to_string()
    } else {
        format!("{fixture}\n")
    };
    assert!(
        actual == expected,
        "diagnostics differ.\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

/// Asserts that the fix titled `title` turns `source` into `fixed`.
#[track_caller]
pub fn check_fix(source: &str, title: &str, fixed: &str) {
    let analysis = analyze(source, &Settings::default());
    let fix = analysis
        .diagnostics
        .iter()
        .flat_map(|d| &d.fixes)
        .find(|f| f.title == title);
    let Some(fix) = fix else {
        let titles: Vec<&str> = analysis
            .diagnostics
            .iter()
            .flat_map(|d| &d.fixes)
            .map(|f| f.title.as_str())
            .collect();
        panic!("no fix titled {title:?}; fixes: {titles:?}");
    };
    let mut text = source.to_string();
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    for e in edits {
        text.replace_range(e.range.clone(), &e.new_text);
    }
    assert_eq!(text, fixed);
}
