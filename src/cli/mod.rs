//! The command-line front end: `check` over files and folders, with human, JSON, SARIF or GitHub
//! annotation output.
//!
//! This is an edge like the server: it does IO and converts byte ranges to lines and columns.
//! Folders are walked with the `ignore` crate (`.gitignore` and friends honoured, environments
//! skipped by name); files are analysed in parallel, one worker per core, and reported in a
//! stable order.

pub mod fix;
pub mod output;
pub mod schema;

use std::path::{Path, PathBuf};

use crate::analysis::FileAnalysis;
use crate::engine::analyze_in_workspace;
use crate::settings::{FileRules, Settings};
use crate::workspace::WorkspaceIndex;

/// One file's outcome.
pub struct FileResult {
    /// The path as given or found, for display.
    pub path: PathBuf,
    pub text: String,
    pub analysis: FileAnalysis,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// The exit codes `check` promises.
pub mod exit {
    pub const CLEAN: i32 = 0;
    pub const ERRORS: i32 = 1;
    pub const FAILURE: i32 = 2;
}

/// Files bigger than this are not analysed (a notice is printed instead).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Expands the given paths: files as they are (always checked, even when an ignore file names
/// them), folders recursively to `*.yaml`/`*.yml` and `*.py`, sorted. The walk honours
/// `.gitignore` (in a git repository or not, and those of the folders above), `.ignore`,
/// `.git/info/exclude` and git's global excludes, like ripgrep. Folders a user never means are
/// skipped whether or not an ignore file says so: virtual environments, `site-packages`, `.git`,
/// `node_modules`, `__pycache__` and tool caches. Problems (missing paths, loops, unreadable
/// folders) come back as messages; a malformed ignore pattern is skipped, as git skips it.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    collect_selected(paths, &FileRules::default(), false)
}

/// [`collect_files`] under the `files.include`/`files.exclude` globs: the walk reads only
/// included files and does not enter excluded folders. A file or folder named on the command
/// line is read even when the globs leave it out, unless `force_exclude` (ruff's
/// `--force-exclude`: for tools such as pre-commit that pass every changed file by name).
pub fn collect_selected(
    paths: &[PathBuf],
    rules: &FileRules,
    force_exclude: bool,
) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let excluded = |p: &Path| {
        let language = crate::engine::language_of_path(p).unwrap_or_default();
        rules.select(p, language).excluded
    };
    for path in paths {
        if path.is_file() {
            if !(force_exclude && excluded(path)) {
                files.push(path.clone());
            }
            continue;
        }
        if force_exclude && path.is_dir() && rules.excludes_dir(path) {
            continue;
        }
        if !path.exists() {
            problems.push(format!("{}: no such file or directory", path.display()));
            continue;
        }
        let mut found = Vec::new();
        // The walk's filter outlives this call: it gets its own copy (the globs are shared).
        let prune = rules.clone();
        let walk = ignore::WalkBuilder::new(path)
            .follow_links(true)
            // Hidden files are checked (`.flyte/env.yaml`); `.git` is skipped by name below.
            .hidden(false)
            .ignore(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(true)
            // A project that is not (yet) a git repository still means its `.gitignore`.
            .require_git(false)
            .parents(true)
            .filter_entry(move |e| {
                e.depth() == 0
                    || !(e.file_type().is_some_and(|t| t.is_dir())
                        && (skipped_dir(e.path()) || prune.excludes_dir(e.path())))
            })
            .build();
        for entry in walk {
            match entry {
                Ok(e) => {
                    let Some(kind) = e.file_type() else { continue };
                    if kind.is_file() {
                        if is_checked(e.path()) && !excluded(e.path()) {
                            found.push(e.into_path());
                        }
                    } else if !kind.is_dir() && (e.depth() == 0 || is_checked(e.path())) {
                        // A FIFO or device would block or never end if read: say so, never open it.
                        problems.push(format!(
                            "{}: not a regular file, skipped",
                            e.path().display()
                        ));
                    }
                }
                Err(err) if is_pattern_error(&err) => {}
                Err(err) => problems.push(walk_problem(&err, path)),
            }
        }
        found.sort();
        files.extend(found);
    }
    (files, problems)
}

/// A malformed line in an ignore file: git skips such a pattern, and so do we.
fn is_pattern_error(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Glob { .. } => true,
        ignore::Error::Partial(errs) => errs.iter().all(is_pattern_error),
        ignore::Error::WithLineNumber { err, .. }
        | ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. } => is_pattern_error(err),
        _ => false,
    }
}

/// The walk's error as one line that names the path it is about.
fn walk_problem(err: &ignore::Error, root: &Path) -> String {
    match err {
        ignore::Error::WithDepth { err, .. } => walk_problem(err, root),
        // These print their own paths.
        ignore::Error::WithPath { .. } | ignore::Error::Loop { .. } => err.to_string(),
        other => format!("{}: {other}", root.display()),
    }
}

fn is_checked(path: &Path) -> bool {
    crate::engine::language_of_path(path).is_some()
}

/// Folders under a checked folder that hold other people's code or tool state (see
/// [`crate::workspace::foreign_dir`]): without this, `check .` in a project with no
/// `.gitignore` reads `.venv/.../kubernetes`.
fn skipped_dir(path: &Path) -> bool {
    crate::workspace::foreign_dir(path)
}

/// Runs `f` over `items` on one thread per core, keeping the order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let chunk = items.len().div_ceil(workers).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        // A worker that panicked loses its files' results; the others still report.
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// A file read and parsed, ready for analysis.
struct Parsed {
    path: PathBuf,
    text: String,
    stream: crate::tree::Stream,
}

/// Reads and analyses files in parallel. Unreadable or non-UTF-8 files become messages.
/// The PodTemplates defined among `files` form the workspace for cross-file rules. Each file
/// is read and parsed once: the same tree feeds the index and the analysis.
pub fn check_files(files: &[PathBuf], settings: &Settings) -> (Vec<FileResult>, Vec<String>) {
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    for outcome in parallel_map(files, |p| read_and_parse(p, settings)) {
        match outcome {
            Ok(p) => parsed.push(p),
            Err(e) => problems.push(e),
        }
    }
    let mut index = WorkspaceIndex::default();
    for p in &parsed {
        index.update_templates(&p.path, &p.text, &p.stream);
    }
    index.complete = true;
    let index = &index;
    let analyses = parallel_map(&parsed, |p| {
        analyze_in_workspace(&p.text, &p.stream, settings, Some(index))
    });
    let results = parsed
        .into_iter()
        .zip(analyses)
        .map(|(p, analysis)| FileResult {
            path: p.path,
            text: p.text,
            analysis,
        })
        .collect();
    (results, problems)
}

fn read_and_parse(path: &Path, settings: &Settings) -> Result<Parsed, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{}: skipped, larger than {} MiB",
            path.display(),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| not_utf8(path, &e))?;
    let language = crate::engine::language_of_path(path).unwrap_or_default();
    let kind = settings.files.select(path, language).kind;
    let stream = crate::engine::parse_file(&text, language, kind);
    Ok(Parsed {
        path: path.to_path_buf(),
        text,
        stream,
    })
}

/// Where a file stops being UTF-8, as a message: `path: not UTF-8 text (byte 0xE9 at line 2,
/// column 38), skipped`. Columns count bytes from 1.
fn not_utf8(path: &Path, e: &std::string::FromUtf8Error) -> String {
    let bytes = e.as_bytes();
    let at = e.utf8_error().valid_up_to();
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = at
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    let byte = bytes.get(at).copied().unwrap_or_default();
    format!(
        "{}: not UTF-8 text (byte 0x{byte:02X} at line {line}, column {column}), skipped",
        path.display()
    )
}
