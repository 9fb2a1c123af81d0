//! The `flyte-lsp` binary: `serve` (the default), `check` and `schema`.
//!
//! Exit codes of `check`: 0 no errors, 1 errors found, 2 usage or IO failure.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use flyte_lsp::cli::{self, exit, output, Format};
use flyte_lsp::engine::Pick;
use flyte_lsp::schema::{schemas, KubeVersion};
use flyte_lsp::settings::Settings;

#[derive(Parser)]
#[command(
    name = "flyte-lsp",
    version,
    about = "Language server and linter for Flyte task environments and pod templates"
)]
struct Cli {
    /// Serve LSP over stdio (the default; accepted for editors that pass it).
    #[arg(long, global = true)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Language Server Protocol over stdin/stdout.
    Serve,
    /// Check files and folders (recursively, *.yaml and *.yml).
    Check {
        #[arg(long, value_enum, default_value = "human")]
        format: FormatArg,
        /// Kubernetes version to check against, e.g. 1.35 (default: the newest embedded).
        #[arg(long, value_name = "1.NN")]
        kubernetes_version: Option<String>,
        /// Apply the safe quick fixes (renames, quoting, enum case) in place, then report what
        /// is left. Files are written atomically.
        #[arg(long)]
        fix: bool,
        /// Apply `files.include`/`files.exclude` (flyte-lsp.toml) to the files and folders named
        /// on the command line too; without it they are always checked (for pre-commit, which
        /// names every changed file).
        #[arg(long)]
        force_exclude: bool,
        /// Print the diagnostics and nothing else: no progress, no summary line, no notes on
        /// fixed files. Problems (unreadable files) still go to stderr.
        #[arg(long, short)]
        quiet: bool,
        /// Files analysed at once (default 0: one per core).
        #[arg(long, short, value_name = "N", default_value_t = 0)]
        jobs: usize,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Render the pod Flyte will run for a task environment or Flyte pod template.
    Render {
        path: PathBuf,
        /// Which document of the file (0-based): a YAML `---` document, or a Python file's
        /// recognised constructs in source order. Default: the first (for Python, the one
        /// task environment when there is exactly one).
        #[arg(long, conflicts_with = "environment")]
        document: Option<usize>,
        /// The task environment to render, by its `name`.
        #[arg(long, value_name = "NAME")]
        environment: Option<String>,
        /// Python: the task to render, by its function's name: its environment's pod with what
        /// its decorator sets (its own `pod_template`). With `--environment`, the task must be
        /// of that environment.
        #[arg(long, value_name = "FUNCTION", conflicts_with = "document")]
        task: Option<String>,
        #[arg(long, value_enum, default_value = "yaml")]
        format: RenderFormat,
        /// `sdk`: what the SDK registers; `cluster`: plus what the backend adds at run time.
        #[arg(long, value_enum, default_value = "sdk")]
        layer: LayerArg,
        #[arg(long, value_name = "1.NN")]
        kubernetes_version: Option<String>,
        /// Folder whose PodTemplates a string `pod_template` may name (cluster layer).
        #[arg(long, value_name = "DIR", default_value = ".")]
        workspace: PathBuf,
        /// The cluster's default PodTemplate, merged under the pod in the cluster layer.
        #[arg(long, value_name = "FILE")]
        cluster_template: Option<PathBuf>,
    },
    /// Print an embedded JSON Schema, with every definition it needs.
    Schema {
        #[arg(long, value_name = "1.NN")]
        kubernetes_version: Option<String>,
        /// Which document shape: task-environment, pod-template, pod-spec, kubernetes-pod-template, pod.
        #[arg(long, default_value = "pod-template")]
        kind: String,
        /// Print the embedded schemas as they are (open objects, no enums, untyped quantities)
        /// instead of the strict schema.
        #[arg(long)]
        loose: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RenderFormat {
    Yaml,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum LayerArg {
    Sdk,
    Cluster,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
    /// GitHub Actions annotations (`::error file=...`).
    Github,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(exit::FAILURE as u8),
            };
        }
    };
    match cli.command {
        None | Some(Command::Serve) => serve(),
        Some(Command::Check {
            format,
            kubernetes_version,
            fix,
            force_exclude,
            quiet,
            jobs,
            paths,
        }) => check(
            format,
            kubernetes_version,
            CheckOptions {
                fix,
                force_exclude,
                quiet,
                jobs,
            },
            &paths,
        ),
        Some(Command::Render {
            path,
            document,
            environment,
            task,
            format,
            layer,
            kubernetes_version,
            workspace,
            cluster_template,
        }) => render(
            &path,
            Pick {
                document,
                environment,
                task,
            },
            format,
            layer,
            kubernetes_version,
            &workspace,
            cluster_template.as_deref(),
        ),
        Some(Command::Schema {
            kubernetes_version,
            kind,
            loose,
        }) => schema(kubernetes_version, &kind, loose),
    }
}

fn serve() -> ExitCode {
    flyte_lsp::server::heap::prepare();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FLYTE_LSP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("flyte-lsp: cannot start the async runtime: {err}");
            return ExitCode::from(exit::FAILURE as u8);
        }
    };
    // On a worker rather than this thread: the publish tasks that its handlers spawn then start
    // on that worker's own queue, instead of waking a parked worker to take them.
    let clean = runtime.block_on(async {
        tokio::spawn(flyte_lsp::server::run_stdio())
            .await
            .unwrap_or(false)
    });
    // Do not wait for blocking analysis tasks of a client that is gone.
    runtime.shutdown_background();
    // LSP: exit code 0 after `shutdown`, 1 when the client exits (or vanishes) without it.
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn parse_version(v: Option<String>) -> Result<Option<KubeVersion>, String> {
    let Some(v) = v else { return Ok(None) };
    match KubeVersion::parse(&v) {
        Some(k) if schemas().get(k).is_some() => Ok(Some(k)),
        _ => {
            let known: Vec<String> = schemas().versions().map(|v| v.to_string()).collect();
            Err(format!(
                "unsupported --kubernetes-version {v}; embedded: {}",
                known.join(", ")
            ))
        }
    }
}

/// Settings from the nearest `flyte-lsp.toml` above `start` (or the current folder); problems
/// in it are printed and the defaults used for what could not be read. The `files.*` globs are
/// relative to the folder holding that file, else to the current folder.
fn config_settings(start: Option<&std::path::Path>) -> Settings {
    let cwd = std::env::current_dir().ok();
    let start = start
        .map(std::path::Path::to_path_buf)
        .or_else(|| cwd.clone())
        .unwrap_or_default();
    let absolute = std::fs::canonicalize(&start).unwrap_or(start);
    let Some(config) = Settings::find_config(&absolute) else {
        let mut settings = Settings::default();
        settings.files.roots = cwd.into_iter().collect();
        return settings;
    };
    let (mut settings, warnings) = match std::fs::read_to_string(&config) {
        Ok(text) => Settings::from_toml(&text),
        Err(e) => (Settings::default(), vec![e.to_string()]),
    };
    for w in warnings {
        eprintln!("flyte-lsp: {}: {w}", config.display());
    }
    settings.files.roots = config
        .parent()
        .map(std::path::Path::to_path_buf)
        .into_iter()
        .collect();
    settings
}

/// `check`'s switches.
struct CheckOptions {
    fix: bool,
    force_exclude: bool,
    quiet: bool,
    jobs: usize,
}

fn check(
    format: FormatArg,
    version: Option<String>,
    opts: CheckOptions,
    paths: &[PathBuf],
) -> ExitCode {
    let kubernetes_version = match parse_version(version) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("flyte-lsp: {e}");
            return ExitCode::from(exit::FAILURE as u8);
        }
    };
    let mut settings = config_settings(paths.first().map(PathBuf::as_path));
    if kubernetes_version.is_some() {
        settings.kubernetes_version = kubernetes_version;
    }
    let (files, mut problems) = cli::collect_selected(paths, &settings.files, opts.force_exclude);
    if opts.fix {
        // Fixed files are written by the worker that analysed them; the report below reads
        // every file again, as it is now.
        let mut progress = cli::progress::Progress::new("fixing", files.len(), opts.quiet);
        cli::check_stream(
            &files,
            &settings,
            opts.jobs,
            |r| {
                let (text, counts) = cli::fix::apply_safe_fixes(&r.text, &r.analysis.diagnostics)?;
                Some(
                    cli::fix::write_atomically(&r.path, &text)
                        .map(|()| counts)
                        .map_err(|e| format!("{}: cannot write the fix: {e}", r.path.display())),
                )
            },
            |c| {
                progress.tick();
                match c.outcome {
                    Ok(Some(Ok(counts))) if !opts.quiet => {
                        progress.clear();
                        let what: Vec<String> = counts
                            .iter()
                            .map(|(code, n)| format!("{code} x{n}"))
                            .collect();
                        eprintln!("flyte-lsp: fixed {}: {}", c.path.display(), what.join(", "));
                    }
                    Ok(Some(Err(e))) => problems.push(e),
                    // Unreadable files are reported once, by the check below.
                    _ => {}
                }
            },
        );
        progress.clear();
    }
    let format = match format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Github => Format::Github,
    };
    let stdout = std::io::stdout().lock();
    let Ok(mut out) =
        output::OutputStream::new(format, std::io::BufWriter::new(stdout), opts.quiet)
    else {
        return ExitCode::from(exit::FAILURE as u8);
    };
    let mut progress = cli::progress::Progress::new("checking", files.len(), opts.quiet);
    let (mut errors, mut written) = (false, true);
    cli::check_stream(
        &files,
        &settings,
        opts.jobs,
        |r| output::fragment(format, r),
        |c| {
            progress.tick();
            match c.outcome {
                Ok(fragment) => {
                    errors |= c.has_errors;
                    // After a failed write (a closed pipe) the rest is not written either.
                    written = written && out.write(&fragment).is_ok();
                }
                Err(e) => problems.push(e),
            }
        },
    );
    progress.clear();
    if !(written && out.finish().is_ok()) {
        return ExitCode::from(exit::FAILURE as u8);
    }
    for p in &problems {
        eprintln!("flyte-lsp: {p}");
    }
    let code = if !problems.is_empty() {
        exit::FAILURE
    } else if errors {
        exit::ERRORS
    } else {
        exit::CLEAN
    };
    ExitCode::from(code as u8)
}

#[allow(clippy::too_many_arguments)]
fn render(
    path: &std::path::Path,
    pick: Pick,
    format: RenderFormat,
    layer: LayerArg,
    version: Option<String>,
    workspace: &std::path::Path,
    cluster_template: Option<&std::path::Path>,
) -> ExitCode {
    use flyte_lsp::analysis::render::{self, Layer, RenderError};
    let kubernetes_version = match parse_version(version) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("flyte-lsp: {e}");
            return ExitCode::from(exit::FAILURE as u8);
        }
    };
    let mut settings = config_settings(Some(path));
    if kubernetes_version.is_some() {
        settings.kubernetes_version = kubernetes_version;
    }
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => {
            eprintln!("flyte-lsp: {}: not UTF-8 text", path.display());
            return ExitCode::from(exit::FAILURE as u8);
        }
        Err(e) => {
            eprintln!("flyte-lsp: {}: {e}", path.display());
            return ExitCode::from(exit::FAILURE as u8);
        }
    };
    let language = flyte_lsp::engine::language_of_path(path).unwrap_or_default();
    // A file named here is rendered even when excluded; `files.kinds` still says what it is.
    let kind = settings.files.select(path, language).kind;
    let stream = flyte_lsp::engine::parse_file(&text, language, kind);
    let document = match pick.index(&stream) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("flyte-lsp: {}: {e}", path.display());
            return ExitCode::from(exit::FAILURE as u8);
        }
    };
    let layer = match layer {
        LayerArg::Sdk => Layer::Sdk,
        LayerArg::Cluster => Layer::Cluster,
    };
    // The workspace and the cluster template matter only for the cluster layer.
    let (index, cluster_text) = if matches!(layer, Layer::Cluster) {
        let index = flyte_lsp::workspace::WorkspaceIndex::scan_templates(
            &[workspace.to_path_buf()],
            &settings.files,
        );
        let cluster_text = match cluster_template.map(std::fs::read_to_string) {
            Some(Ok(t)) => Some(t),
            Some(Err(e)) => {
                eprintln!("flyte-lsp: --cluster-template: {e}");
                return ExitCode::from(exit::FAILURE as u8);
            }
            None => None,
        };
        (Some(index), cluster_text)
    } else {
        (None, None)
    };
    let cluster = cluster_text.as_deref().map(flyte_lsp::engine::parse);
    let ctx = render::RenderContext {
        workspace: index.as_ref(),
        cluster_template: cluster.as_ref(),
    };
    let out = match flyte_lsp::engine::render(&text, &stream, document, &settings, layer, &ctx) {
        Ok(rendered) => match format {
            RenderFormat::Json => format!(
                "{}\n",
                serde_json::to_string_pretty(&rendered.pod).unwrap_or_default()
            ),
            RenderFormat::Yaml => render::to_yaml_with_notes(&rendered, layer),
        },
        Err(RenderError::NotRenderable(msg)) => {
            eprintln!("flyte-lsp: {}: {msg}", path.display());
            return ExitCode::from(exit::FAILURE as u8);
        }
        Err(RenderError::Refused(diags)) => {
            let result = cli::FileResult {
                path: path.to_path_buf(),
                analysis: flyte_lsp::analysis::FileAnalysis {
                    documents: Vec::new(),
                    diagnostics: diags,
                },
                text,
            };
            eprint!("{}", output::human(std::slice::from_ref(&result)));
            eprintln!("flyte-lsp: the Flyte SDK would refuse this document; nothing rendered");
            return ExitCode::from(exit::ERRORS as u8);
        }
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return ExitCode::from(exit::FAILURE as u8);
    }
    ExitCode::SUCCESS
}

fn schema(version: Option<String>, kind: &str, loose: bool) -> ExitCode {
    let version = match parse_version(version) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("flyte-lsp: {e}");
            return ExitCode::from(exit::FAILURE as u8);
        }
    };
    let Some(root) = cli::schema::root_for_kind(kind) else {
        eprintln!("flyte-lsp: unknown --kind {kind}; use task-environment, pod-template, pod-spec, kubernetes-pod-template or pod");
        return ExitCode::from(exit::FAILURE as u8);
    };
    let set = schemas().for_version(version);
    let doc = if loose {
        cli::schema::loose_document(set, root)
    } else {
        cli::schema::strict_document(set, root)
    };
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{text}").is_err() {
        return ExitCode::from(exit::FAILURE as u8);
    }
    ExitCode::SUCCESS
}
