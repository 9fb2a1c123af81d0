//! Scale bench (issue 16): named cases over generated folders, each run in a fresh child process
//! so that its wall time, CPU time (user + system) and peak RSS are its own, printed as one
//! table of medians.
//!
//! Run with `cargo bench --bench scale` (options after `--`, see `USAGE`). Files are generated
//! under `target/scale/` once per run. Cases:
//!
//! - `index 10,000 mixed files`: `WorkspaceIndex::scan` of 10,000 YAML and Python files, in a
//!   child process (this program run again with `FLYTE_SCALE_CHILD`), measured with `wait4`.
//! - `lsp: index 10,000 mixed files`: `flyte-lsp serve` on the same folder, from `initialized`
//!   to its `workspace indexed` log line; CPU and `VmHWM` of the server then.
//! - `lsp: open → diagnostics while indexing`: in the same session, a Flyte module is opened
//!   right after `initialized`, and the time to its first `publishDiagnostics` is recorded
//!   (and whether it came before the index finished).
//!
//! A case is a name and a function that returns a [`Sample`]; add one to [`cases`].
//! Not part of `cargo test` or `.ci/run`: the numbers depend on the machine.

#[path = "generate/lsp.rs"]
mod lsp;
use lsp::read_message;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const USAGE: &str = "\
usage: cargo bench --bench scale [-- OPTIONS] [FILTER]

  --repeat N         runs per case (default 5); the table gives medians
  --flyte-lsp PATH   the flyte-lsp binary (default: the one cargo built; env FLYTE_LSP_BIN)
  FILTER             only the cases whose name contains it

Files are generated under target/scale/.";

/// The child mode: `FLYTE_SCALE_CHILD=index` scans the folder given as the argument.
const CHILD_ENV: &str = "FLYTE_SCALE_CHILD";

/// What one run of a case measured.
#[derive(Default, Clone)]
struct Sample {
    wall: f64,
    cpu: Option<f64>,
    peak_kib: Option<u64>,
    /// Extra rows measured in the same run: (case name, wall ms, note).
    also: Vec<(String, f64, String)>,
    note: String,
}

struct Ctx {
    flyte_bin: PathBuf,
    mixed: PathBuf,
    open_file: PathBuf,
    /// A folder holding only a copy of `open_file`.
    alone: PathBuf,
}

type CaseFn = fn(&Ctx) -> Result<Sample, String>;

fn cases() -> Vec<(&'static str, CaseFn)> {
    vec![
        ("index 10,000 mixed files", index_in_child),
        ("lsp: index 10,000 mixed files", lsp_index),
        (
            "lsp: open → diagnostics, no index (control)",
            lsp_open_alone,
        ),
        ("edit: re-index one file of 10,000", reindex_one),
    ]
}

fn main() {
    if let Ok(mode) = std::env::var(CHILD_ENV) {
        std::process::exit(child(&mode));
    }
    let mut repeat = 5;
    let mut filter = String::new();
    let mut flyte_bin = std::env::var_os("FLYTE_LSP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_flyte-lsp")));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bench" => {}
            "--repeat" => repeat = args.next().and_then(|n| n.parse().ok()).unwrap_or(repeat),
            "--flyte-lsp" => flyte_bin = args.next().map(PathBuf::from).unwrap_or(flyte_bin),
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => filter = other.to_string(),
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/scale");
    let mixed = root.join("mixed-10k");
    let open_file = match generate_mixed(&mixed) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("scale: generating {}: {e}", mixed.display());
            std::process::exit(2);
        }
    };
    let alone = root.join("alone");
    let copied = std::fs::create_dir_all(&alone)
        .and_then(|_| std::fs::copy(&open_file, alone.join("flyte_5003.py")));
    if let Err(e) = copied {
        eprintln!("scale: {}: {e}", alone.display());
        std::process::exit(2);
    }
    let ctx = Ctx {
        flyte_bin,
        mixed,
        open_file,
        alone,
    };
    let mut rows: Vec<(String, Vec<Sample>)> = Vec::new();
    for (name, run) in cases() {
        if !name.contains(&filter) {
            continue;
        }
        let mut samples = Vec::new();
        for i in 0..repeat {
            match run(&ctx) {
                Ok(s) => samples.push(s),
                Err(e) => eprintln!("scale: {name}, run {i}: {e}"),
            }
        }
        // Rows a run measured besides its own, in the order it gave them.
        let extra: Vec<String> = samples
            .first()
            .map(|s| s.also.iter().map(|(n, _, _)| n.clone()).collect())
            .unwrap_or_default();
        rows.push((name.to_string(), samples.clone()));
        for (k, extra_name) in extra.into_iter().enumerate() {
            let derived = samples
                .iter()
                .filter_map(|s| s.also.get(k))
                .map(|(_, wall, note)| Sample {
                    wall: *wall,
                    note: note.clone(),
                    ..Sample::default()
                })
                .collect();
            rows.push((extra_name, derived));
        }
    }
    print!("{}", table(&rows, &load()));
}

/// The table of medians, in Markdown.
fn table(rows: &[(String, Vec<Sample>)], load: &str) -> String {
    let mut out = format!(
        "\nscale bench, medians (load average before the run: {load})\n\n\
         | case | runs | wall | CPU | CPU/wall | peak RSS | note |\n|---|---|---|---|---|---|---|\n"
    );
    for (name, samples) in rows {
        let wall = median(samples.iter().map(|s| s.wall).collect());
        let cpu = median(samples.iter().filter_map(|s| s.cpu).collect());
        let peak = median(
            samples
                .iter()
                .filter_map(|s| s.peak_kib.map(|k| k as f64 / 1024.0))
                .collect(),
        );
        let ratio = match (cpu, wall) {
            (Some(c), Some(w)) if w > 0.0 => format!("{:.2}", c / w),
            _ => "–".into(),
        };
        let note = samples.first().map_or("", |s| s.note.as_str());
        out.push_str(&format!(
            "| {name} | {} | {} | {} | {ratio} | {} | {note} |\n",
            samples.len(),
            fmt(wall, " ms"),
            fmt(cpu, " ms"),
            fmt(peak, " MiB"),
        ));
    }
    out
}

fn fmt(x: Option<f64>, unit: &str) -> String {
    // Sub-millisecond figures (an edit) keep three decimals.
    x.map_or("–".into(), |x| {
        if x < 1.0 {
            format!("{x:.3}{unit}")
        } else {
            format!("{x:.1}{unit}")
        }
    })
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    })
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

// ---------------------------------------------------------------------------------------------
// Children: a process measured from outside

/// Runs `cmd` to its end: (wall ms, CPU ms of user + system, peak RSS in KiB, stdout). The CPU
/// time and peak are the child's own (`wait4`'s rusage; `ru_maxrss` is its `VmHWM`).
fn measure(cmd: &mut Command) -> Result<(f64, f64, u64, String), String> {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that `wait4` fills; the pid is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64() * 1e3;
    if got != pid {
        return Err("wait4 failed".into());
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("the child failed (status {status})"));
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    let cpu = tv(usage.ru_utime) + tv(usage.ru_stime);
    Ok((wall, cpu, usage.ru_maxrss as u64, stdout))
}

/// The child side of [`index_in_child`]: scan, print what the index holds.
fn child(mode: &str) -> i32 {
    let Some(dir) = std::env::args().nth(1) else {
        return 2;
    };
    match mode {
        "index" => {
            let index = flyte_lsp::workspace::WorkspaceIndex::scan(&[PathBuf::from(dir)]);
            println!("{} files, {} templates", index.files(), index.len());
            0
        }
        _ => 2,
    }
}

fn index_in_child(ctx: &Ctx) -> Result<Sample, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let (wall, cpu, peak, out) =
        measure(Command::new(exe).env(CHILD_ENV, "index").arg(&ctx.mixed))?;
    Ok(Sample {
        wall,
        cpu: Some(cpu),
        peak_kib: Some(peak),
        note: out.trim().to_string(),
        ..Sample::default()
    })
}

// ---------------------------------------------------------------------------------------------
// The LSP session

/// `flyte-lsp serve` on the mixed folder: the index from `initialized` to its log line, and a
/// file opened meanwhile.
fn lsp_index(ctx: &Ctx) -> Result<Sample, String> {
    lsp_session(ctx, &ctx.mixed, &ctx.open_file)
}

/// The same file opened the same way in a folder of its own: what first diagnostics cost when
/// no index competes for the cores.
fn lsp_open_alone(ctx: &Ctx) -> Result<Sample, String> {
    let s = lsp_session(ctx, &ctx.alone, &ctx.alone.join("flyte_5003.py"))?;
    let (_, open_ms, _) = s.also.first().cloned().ok_or("no open sample")?;
    Ok(Sample {
        wall: open_ms,
        note: "the same module, the only file of its folder".into(),
        ..Sample::default()
    })
}

/// What a keystroke that changes one file's entries costs the index, in process: the entries
/// of one file replaced in a 10,000-file index while a reader holds the previous snapshot (the
/// server's `Arc::make_mut`), against copying a `BTreeMap` of the same entries (what the server
/// did before). Medians of 200 edits.
fn reindex_one(ctx: &Ctx) -> Result<Sample, String> {
    use flyte_lsp::workspace::{index_source, indexed_language, TemplateDef, WorkspaceIndex};
    use std::collections::BTreeMap;
    use std::sync::Arc;
    let mut index = Arc::new(WorkspaceIndex::scan(std::slice::from_ref(&ctx.mixed)));
    let mut old: BTreeMap<PathBuf, Vec<TemplateDef>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&ctx.mixed).into_iter().flatten() {
        let path = entry.path();
        let (Some(language), Ok(text)) = (indexed_language(path), std::fs::read_to_string(path))
        else {
            continue;
        };
        let defs = index_source(path, &text, language, None);
        if !defs.is_empty() {
            old.insert(path.to_path_buf(), defs);
        }
    }
    let path = ctx.mixed.join("d10/t1000.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let (mut new_ms, mut old_ms) = (Vec::new(), Vec::new());
    for i in 0..200 {
        let edited = format!("# edit {i}\n{text}");
        let defs = index_source(&path, &edited, flyte_lsp::tree::Language::Yaml, None);
        let reader = Arc::clone(&index);
        let start = Instant::now();
        Arc::make_mut(&mut index).set(&path, defs.clone());
        new_ms.push(start.elapsed().as_secs_f64() * 1e3);
        drop(reader);
        let start = Instant::now();
        let mut next = old.clone();
        next.insert(path.clone(), defs);
        old = std::hint::black_box(next);
        old_ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let old_median = median(old_ms).unwrap_or(0.0);
    Ok(Sample {
        wall: median(new_ms).unwrap_or(0.0),
        note: format!(
            "{} files; copying a BTreeMap of the same entries instead: {old_median:.3} ms",
            old.len()
        ),
        ..Sample::default()
    })
}

fn lsp_session(ctx: &Ctx, root: &Path, open_file: &Path) -> Result<Sample, String> {
    let mut s = Session::spawn(&ctx.flyte_bin)?;
    let root_uri = file_uri(root);
    let id = s.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": root_uri,
            "workspaceFolders": [{ "uri": root_uri, "name": "mixed" }],
            "capabilities": {
                "textDocument": { "publishDiagnostics": { "versionSupport": true } },
                "workspace": { "configuration": true, "workspaceFolders": true },
            },
        }),
    )?;
    s.wait_for("initialize", |m| {
        m.get("id").and_then(Value::as_i64) == Some(id)
    })?;
    let text = std::fs::read_to_string(open_file).map_err(|e| e.to_string())?;
    let uri = file_uri(open_file);
    let start = Instant::now();
    s.notify("initialized", json!({}))?;
    let opened = Instant::now();
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text,
        } }),
    )?;
    let (at, _) = s.wait_for("didOpen diagnostics", |m| {
        m.get("method").and_then(Value::as_str) == Some("textDocument/publishDiagnostics")
            && m["params"]["uri"].as_str() == Some(uri.as_str())
    })?;
    let open_ms = (at - opened).as_secs_f64() * 1e3;
    let done = s.indexed.try_recv().ok();
    let before_index = done.is_none();
    // The index is done when the server logs it.
    let indexed_at = loop {
        if let Some(at) = done {
            break at;
        }
        match s.indexed.recv_timeout(Duration::from_millis(50)) {
            Ok(at) => break at,
            Err(RecvTimeoutError::Timeout) => {
                s.settle_once()?;
                if start.elapsed() > Duration::from_secs(30) {
                    return Err("the index did not finish in 30 s".into());
                }
            }
            Err(RecvTimeoutError::Disconnected) => return Err("the server's log closed".into()),
        }
    };
    let (peak, cpu) = process_stats(s.child.id());
    s.shutdown();
    Ok(Sample {
        wall: (indexed_at - start).as_secs_f64() * 1e3,
        cpu,
        peak_kib: peak,
        note: "from `initialized` to `workspace indexed`; CPU and peak of the server then".into(),
        also: vec![(
            "lsp: open → diagnostics while indexing".into(),
            open_ms,
            if before_index {
                "a Flyte module opened right after `initialized`; before the index finished".into()
            } else {
                "a Flyte module opened right after `initialized`; AFTER the index finished".into()
            },
        )],
    })
}

struct Session {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    /// When the server logged `workspace indexed`.
    indexed: Receiver<Instant>,
    next_id: i64,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Session {
    fn spawn(bin: &Path) -> Result<Session, String> {
        let mut child = Command::new(bin)
            .arg("serve")
            .env("FLYTE_LSP_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e} (build it: cargo build --release)", bin.display()))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err("no stdio pipes".into());
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let (itx, indexed) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("workspace indexed") && itx.send(Instant::now()).is_err() {
                    break;
                }
            }
        });
        Ok(Session {
            child,
            stdin,
            rx,
            indexed,
            next_id: 0,
        })
    }

    fn send(&mut self, msg: &Value) -> Result<(), String> {
        let body = msg.to_string();
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

    /// Waits (at most 60 s) for a message `want` accepts, answering the server's requests.
    fn wait_for(
        &mut self,
        what: &str,
        mut want: impl FnMut(&Value) -> bool,
    ) -> Result<(Instant, Value), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .rx
                .recv_timeout(left)
                .map_err(|_| format!("no {what} within 60 s"))?;
            let at = Instant::now();
            if self.answer(&msg)? {
                continue;
            }
            if want(&msg) {
                return Ok((at, msg));
            }
        }
    }

    /// Answers whatever the server asked meanwhile, without waiting.
    fn settle_once(&mut self) -> Result<(), String> {
        while let Ok(msg) = self.rx.try_recv() {
            self.answer(&msg)?;
        }
        Ok(())
    }

    /// Answers a server → client request (configuration: defaults); returns whether it was one.
    fn answer(&mut self, msg: &Value) -> Result<bool, String> {
        let (Some(method), Some(id)) = (msg.get("method").and_then(Value::as_str), msg.get("id"))
        else {
            return Ok(false);
        };
        let result = if method == "workspace/configuration" {
            let n = msg["params"]["items"].as_array().map_or(0, Vec::len);
            Value::Array(vec![Value::Null; n])
        } else {
            Value::Null
        };
        self.send(&json!({ "jsonrpc": "2.0", "id": id.clone(), "result": result }))?;
        Ok(true)
    }

    fn shutdown(mut self) {
        if let Ok(id) = self.request("shutdown", Value::Null) {
            let _ = self.wait_for("shutdown", |m| {
                m.get("id").and_then(Value::as_i64) == Some(id)
            });
            let _ = self.notify("exit", Value::Null);
        }
    }
}

/// (VmHWM in KiB, CPU ms in user + system) of a live process.
fn process_stats(pid: u32) -> (Option<u64>, Option<f64>) {
    let hwm = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        });
    // Fields 14 and 15 of /proc/PID/stat (clock ticks), after the command name's paren.
    let cpu = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            // SAFETY: sysconf reads a constant.
            let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
            Some((utime + stime) / hz.max(1.0) * 1e3)
        });
    (hwm, cpu)
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

// ---------------------------------------------------------------------------------------------
// The generated folder

/// 10,000 files in 100 folders, a monorepo's mix: 3,000 YAML PodTemplates, 1,000 YAML task
/// environments naming them, 1,000 other YAML files (Kubernetes Deployments), 1,500 Flyte
/// modules with a pod spec (a container, a volume) and environments and tasks naming templates,
/// 1,500 Flyte modules of plain environments and tasks, and 2,000 Python modules that mention
/// neither flyte nor kubernetes. Written once (a marker file holds the generator's version);
/// returns the file the LSP case opens (one with a pod spec).
fn generate_mixed(dir: &Path) -> std::io::Result<PathBuf> {
    const VERSION: &str = "mixed-10k v2";
    let marker = dir.join(".generated");
    let open = dir.join("d50/flyte_5003.py");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(VERSION) {
        return Ok(open);
    }
    let _ = std::fs::remove_dir_all(dir);
    for i in 0..10_000 {
        let sub = dir.join(format!("d{}", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(&sub)?;
        }
        let (name, text) = match i {
            0..3000 => (format!("t{i}.yaml"), yaml_template(i)),
            3000..4000 => (
                format!("env{i}.yaml"),
                format!(
                    "name: env-{i}\nimage: ghcr.io/acme/train:{i}\nresources:\n  cpu: \"1\"\n  memory: 2Gi\npod_template: gpu-{}\n",
                    i % 3000
                ),
            ),
            4000..5000 => (format!("deploy{i}.yaml"), deployment(i)),
            5000..6500 => (format!("flyte_{i}.py"), flyte_module(i)),
            6500..8000 => (format!("tasks_{i}.py"), flyte_tasks(i)),
            _ => (format!("util_{i}.py"), unrelated(i)),
        };
        std::fs::write(sub.join(name), text)?;
    }
    std::fs::write(marker, VERSION)?;
    Ok(open)
}

fn yaml_template(i: usize) -> String {
    format!(
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-{i}\n  labels:\n    team: ml\ntemplate:\n  spec:\n    containers:\n      - name: default\n        image: ghcr.io/acme/base:{i}\n        resources:\n          requests: {{cpu: \"1\", memory: 1Gi}}\n          limits: {{cpu: \"2\", memory: 2Gi}}\n        volumeMounts:\n          - name: data\n            mountPath: /data\n    volumes:\n      - name: data\n        emptyDir: {{}}\n    tolerations:\n      - key: nvidia.com/gpu\n        operator: Exists\n        effect: NoSchedule\n"
    )
}

fn flyte_module(i: usize) -> String {
    format!(
        r#""""Training tasks {i}."""

import flyte
from kubernetes.client import V1Container, V1EnvVar, V1PodSpec, V1ResourceRequirements, V1Volume, V1VolumeMount

MOUNT_PATH = "/data/{i}"

SPEC = V1PodSpec(
    containers=[
        V1Container(
            name="primary",
            image="ghcr.io/acme/train:{i}",
            env=[V1EnvVar(name="MODE", value="prod")],
            volume_mounts=[V1VolumeMount(name="data", mount_path=MOUNT_PATH)],
            resources=V1ResourceRequirements(requests={{"cpu": "1", "memory": "1Gi"}}),
        ),
    ],
    volumes=[V1Volume(name="data")],
)

env = flyte.TaskEnvironment(
    name="env_{i}",
    image="ghcr.io/acme/train:{i}",
    resources=flyte.Resources(cpu=(1, 2), memory="4Gi"),
    pod_template="gpu-{t}",
)


@env.task
async def train_{i}(x: int) -> int:
    return x + {i}


@env.task(pod_template="gpu-{u}")
async def evaluate_{i}(x: int) -> int:
    return x * 2
"#,
        t = i % 3000,
        u = (i + 1) % 3000,
    )
}

fn deployment(i: usize) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api-{i}\n  labels:\n    app: api-{i}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: api-{i}\n  template:\n    metadata:\n      labels:\n        app: api-{i}\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:{i}\n          ports:\n            - containerPort: 8080\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n"
    )
}

fn flyte_tasks(i: usize) -> String {
    format!(
        r#""""Data tasks {i}."""

import flyte

env = flyte.TaskEnvironment(
    name="data_{i}",
    image="ghcr.io/acme/data:{i}",
    resources=flyte.Resources(cpu=2, memory="8Gi"),
    env_vars={{"MODE": "batch"}},
)


@env.task
async def extract_{i}(path: str) -> list[str]:
    return [path]


@env.task
async def transform_{i}(rows: list[str]) -> int:
    return len(rows)


@env.task
async def pipeline_{i}(path: str) -> int:
    rows = await extract_{i}(path)
    return await transform_{i}(rows)
"#
    )
}

fn unrelated(i: usize) -> String {
    format!(
        r#""""Helpers {i}."""

import json
import os
from dataclasses import dataclass


@dataclass
class Record{i}:
    name: str
    size: int = 0

    def to_json(self) -> str:
        return json.dumps({{"name": self.name, "size": self.size}})


def load_{i}(path: str) -> list[Record{i}]:
    out = []
    with open(os.path.join(path, "records-{i}.jsonl")) as f:
        for line in f:
            out.append(Record{i}(**json.loads(line)))
    return out
"#
    )
}
