//! The command-line front end: `check` over files and folders, with human, JSON, SARIF or GitHub
//! annotation output.
//!
//! This is an edge like the server: it does IO and converts byte ranges to lines and columns.
//! Folders are walked with the `ignore` crate (`.gitignore` and friends honoured, environments
//! skipped by name). `check` streams in two passes: the PodTemplates the files define (for
//! FLY318; only files that could define one are parsed, and only when some file could name
//! one), then each file is read, parsed, analysed and formatted on a worker, one per core, and
//! dropped; a bounded, ordered queue hands the output on in path order, so memory stays flat
//! however many files there are.

pub mod fix;
pub mod output;
pub mod progress;
pub mod schema;

use std::path::{Path, PathBuf};

use crate::analysis::FileAnalysis;
use crate::engine::analyze_in_workspace;
use crate::model::DocKind;
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

/// How many files may be analysed ahead of the oldest one not yet reported, per worker: enough
/// to keep every core busy behind one slow file, few enough that memory stays flat (only
/// finished fragments wait, never texts or trees).
const AHEAD_PER_WORKER: usize = 4;

/// The number of workers for `jobs` (0: one per core), never more than there are items.
pub fn workers(jobs: usize, items: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let wanted = if jobs == 0 { cores } else { jobs };
    wanted.min(items).max(1)
}

/// Runs `f` over `items` on `workers` threads and hands each result to `sink` on the calling
/// thread, in the items' order, as soon as it and all before it are done. At most
/// `workers * AHEAD_PER_WORKER` results wait for an earlier one, so a run over any number of
/// files holds a bounded number of them. A panic in `f` becomes `Err(item index)` for that item
/// alone; the others still report.
pub fn ordered_stream<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(usize, Result<R, usize>),
) {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex};

    struct Shared<R> {
        done: BTreeMap<usize, Result<R, usize>>,
        /// The index of the next item `sink` gets.
        emitted: usize,
    }
    let window = workers.max(1) * AHEAD_PER_WORKER;
    let next = AtomicUsize::new(0);
    let shared = Mutex::new(Shared {
        done: BTreeMap::new(),
        emitted: 0,
    });
    // Signalled when a result arrives (for the sink) and when one is emitted (for workers
    // waiting for room in the window).
    let changed = Condvar::new();
    let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
    let (f, next, changed, lock) = (&f, &next, &changed, &lock);
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                {
                    let mut s = lock();
                    while i >= s.emitted + window {
                        s = changed.wait(s).unwrap_or_else(|e| e.into_inner());
                    }
                }
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(item)))
                    .map_err(|_| i);
                lock().done.insert(i, result);
                changed.notify_all();
            });
        }
        for i in 0..items.len() {
            let result = {
                let mut s = lock();
                loop {
                    if let Some(r) = s.done.remove(&i) {
                        s.emitted = i + 1;
                        break r;
                    }
                    s = changed.wait(s).unwrap_or_else(|e| e.into_inner());
                }
            };
            changed.notify_all();
            sink(i, result);
        }
    });
}

/// Whether a file could define a Kubernetes PodTemplate by name, judged from its text alone
/// (a superset: such a file is parsed to find out). A YAML document is one by its `kind`, by a
/// modeline or by `files.kinds`; escapes in a quoted scalar could spell the kind, so any
/// backslash counts. A Python one is built by `V1PodTemplate(...)` or `V1PodTemplateSpec(...)`.
fn may_define(text: &str, language: crate::engine::Language, kind: Option<DocKind>) -> bool {
    match language {
        // `ignore` leaves a Python file without documents.
        crate::engine::Language::Python => {
            kind != Some(DocKind::Unknown) && text.contains("PodTemplate")
        }
        // A modeline wins over `files.kinds`, even over `ignore`.
        crate::engine::Language::Yaml => {
            kind == Some(DocKind::KubePodTemplate)
                || text.contains("PodTemplate")
                || text.contains("flyte-lsp:")
                || text.contains('\\')
        }
    }
}

/// Whether a file could name a PodTemplate by a string `pod_template` (FLY318 reads the
/// workspace's templates only then), judged from its text: a superset. A YAML key is matched
/// exactly, so it is written `pod_template` (through an alias or merge key too) unless a quoted
/// escape spells it; a Python dict key could be `"pod_" "template"`.
fn may_refer(text: &str, language: crate::engine::Language) -> bool {
    match language {
        crate::engine::Language::Yaml => text.contains("pod_template") || text.contains('\\'),
        crate::engine::Language::Python => text.contains("template"),
    }
}

/// The first pass of `check`: the PodTemplates the files define, for FLY318. Every file is
/// read, but only when some file could name a template are the files that could define one
/// parsed (most runs parse nothing here). Unreadable files are left to the second pass, which
/// reports them.
pub fn template_index(files: &[PathBuf], settings: &Settings, jobs: usize) -> WorkspaceIndex {
    let mut index = WorkspaceIndex::default();
    index.complete = true;
    let mut defining = Vec::new();
    let mut refers = false;
    let workers = workers(jobs, files.len());
    ordered_stream(
        files,
        workers,
        |p| {
            let (text, language, kind) = read_text(p, settings).ok()?;
            Some((
                may_define(&text, language, kind),
                may_refer(&text, language),
            ))
        },
        |i, seen| {
            if let Ok(Some((defines, refer))) = seen {
                if defines {
                    defining.push(files[i].clone());
                }
                refers |= refer;
            }
        },
    );
    if !refers {
        return index;
    }
    let workers = self::workers(jobs, defining.len());
    ordered_stream(
        &defining,
        workers,
        |p| {
            let parsed = read_and_parse(p, settings).ok()?;
            let mut defs = crate::workspace::index_text(&parsed.path, &parsed.text, &parsed.stream);
            // FLY318 needs the names only: a template's text would make the index grow with
            // every template checked.
            for d in &mut defs {
                d.source = std::sync::Arc::from("");
            }
            Some(defs)
        },
        |i, defs| {
            if let Ok(Some(defs)) = defs {
                index.set(&defining[i], defs);
            }
        },
    );
    index
}

/// What the second pass of `check` hands on for one file: its formatted output, or why it was
/// not checked.
pub struct Checked<R> {
    pub path: PathBuf,
    /// `Err` holds the message for a file that could not be read (or whose analysis failed).
    pub outcome: Result<R, String>,
    pub has_errors: bool,
}

/// `check`, streamed: the files' templates are indexed first ([`template_index`]), then each
/// file is read, parsed, analysed and given to `report` on a worker (which formats it, or fixes
/// it), then dropped; `sink` receives what `report` made, in file order. Memory stays flat
/// whatever the number of files.
pub fn check_stream<R: Send>(
    files: &[PathBuf],
    settings: &Settings,
    jobs: usize,
    report: impl Fn(&FileResult) -> R + Sync,
    mut sink: impl FnMut(Checked<R>),
) {
    let index = template_index(files, settings, jobs);
    let index = &index;
    let workers = workers(jobs, files.len());
    ordered_stream(
        files,
        workers,
        |p| {
            let parsed = read_and_parse(p, settings)?;
            let analysis =
                analyze_in_workspace(&parsed.text, &parsed.stream, settings, Some(index));
            // The tree is freed here, on the worker, before the result waits for its turn.
            drop(parsed.stream);
            let result = FileResult {
                path: parsed.path,
                text: parsed.text,
                analysis,
            };
            Ok((report(&result), result.analysis.has_errors()))
        },
        |i, outcome| {
            let path = files[i].clone();
            let checked = match outcome {
                Ok(Ok((made, has_errors))) => Checked {
                    path,
                    outcome: Ok(made),
                    has_errors,
                },
                Ok(Err(message)) => Checked {
                    path,
                    outcome: Err(message),
                    has_errors: false,
                },
                Err(_) => Checked {
                    outcome: Err(format!(
                        "{}: analysis failed (a bug: please report it)",
                        path.display()
                    )),
                    path,
                    has_errors: false,
                },
            };
            sink(checked);
        },
    );
}

/// A file read and parsed, ready for analysis.
struct Parsed {
    path: PathBuf,
    text: String,
    stream: crate::tree::Stream,
}

/// Reads a file's text (bounded in size, UTF-8), with its language and the kind the settings
/// give it.
fn read_text(
    path: &Path,
    settings: &Settings,
) -> Result<(String, crate::engine::Language, Option<DocKind>), String> {
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
    Ok((text, language, kind))
}

fn read_and_parse(path: &Path, settings: &Settings) -> Result<Parsed, String> {
    let (text, language, kind) = read_text(path, settings)?;
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

#[cfg(test)]
mod stream_tests {
    use super::ordered_stream;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_arrive_in_order_with_a_bounded_number_waiting() {
        let items: Vec<usize> = (0..200).collect();
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let mut got = Vec::new();
        ordered_stream(
            &items,
            3,
            |&i| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Early items are slow, so later ones finish first and must wait their turn.
                std::thread::sleep(std::time::Duration::from_micros(
                    ((200 - i) % 7) as u64 * 50,
                ));
                running.fetch_sub(1, Ordering::SeqCst);
                if i == 17 {
                    panic!("one item fails");
                }
                i * 2
            },
            |i, r| got.push((i, r)),
        );
        assert_eq!(got.len(), 200);
        for (n, (i, r)) in got.iter().enumerate() {
            assert_eq!(*i, n);
            match r {
                Ok(v) => assert_eq!(*v, n * 2),
                Err(at) => assert_eq!((*at, n), (17, 17), "only the panicking item fails"),
            }
        }
        assert!(
            most.load(Ordering::SeqCst) <= 3,
            "never more workers than asked"
        );
    }

    #[test]
    fn no_items_and_more_workers_than_items() {
        let mut n = 0;
        ordered_stream(&[] as &[u8], 4, |_| 0, |_, _| n += 1);
        assert_eq!(n, 0);
        assert_eq!(super::workers(8, 2), 2);
        assert_eq!(super::workers(0, 0), 1);
    }
}
