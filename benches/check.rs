//! `check` at scale (issue 16): wall time, CPU time and peak memory of `flyte-lsp check` over
//! 20, 200 and 2,000 copies of the latency bench's 2k-line Flyte pod template (1,984 lines,
//! 55 kB), and check-jsonschema 0.39.0 over the 20 copies with the schema the latency bench
//! gives yaml-language-server (`flyte-lsp schema --kind pod-template --loose`).
//!
//! A plain program (`harness = false`): each run is a child process, timed from spawn to exit;
//! CPU time and peak RSS come from `wait4`'s resource usage of that child alone. Medians of
//! `--repeat` runs (default 5; 3 at 2,000 copies). `--baseline BIN` also runs another
//! flyte-lsp binary on the same files (for before/after tables). check-jsonschema is taken from
//! `--jsonschema PATH`, else `~/.cache/flyte-lsp-schemas/venv/bin/check-jsonschema` (the venv
//! `tests/schemas/run.sh` makes); without it that row is skipped with a note.
//!
//! ```sh
//! cargo bench --bench check
//! cargo bench --bench check -- --copies 20,200 --repeat 3 --baseline /tmp/flyte-lsp-before
//! ```
//!
//! The table goes to stdout and `target/scale/check.md`; the files to `target/scale/`.

#[path = "generate/mod.rs"]
mod generate;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// One child's cost.
#[derive(Clone, Copy)]
struct Cost {
    wall_ms: f64,
    cpu_ms: f64,
    rss_mib: f64,
}

/// Runs `cmd` to its end with stdout and stderr discarded; its exit status must be `ok`.
fn measure(mut cmd: Command, ok: &[i32]) -> Result<Cost, String> {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let start = Instant::now();
    let child = cmd.spawn().map_err(|e| format!("spawn {cmd:?}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own child, not yet
    // reaped (the `Child` is not waited on; dropping it does not reap or kill it).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if reaped != pid {
        return Err(format!("wait4 failed for {cmd:?}"));
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    if !ok.contains(&code) {
        return Err(format!("{cmd:?} exited {code}"));
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    Ok(Cost {
        wall_ms: wall.as_secs_f64() * 1e3,
        cpu_ms: secs(usage.ru_utime) + secs(usage.ru_stime),
        // ru_maxrss is in KiB on Linux.
        rss_mib: usage.ru_maxrss as f64 / 1024.0,
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// The medians of `repeat` runs of `make()`.
fn medians(repeat: usize, ok: &[i32], make: impl Fn() -> Command) -> Result<Cost, String> {
    let mut runs = Vec::new();
    for _ in 0..repeat {
        runs.push(measure(make(), ok)?);
    }
    Ok(Cost {
        wall_ms: median(runs.iter().map(|c| c.wall_ms).collect()),
        cpu_ms: median(runs.iter().map(|c| c.cpu_ms).collect()),
        rss_mib: median(runs.iter().map(|c| c.rss_mib).collect()),
    })
}

/// `copies` copies of the template in `root/copies-N/`, 100 to a folder (as a monorepo holds
/// them); written once and reused.
fn corpus(root: &Path, copies: usize, template: &str) -> Result<(PathBuf, Vec<PathBuf>), String> {
    let dir = root.join(format!("copies-{copies}"));
    let mut files = Vec::new();
    for i in 0..copies {
        let path = dir
            .join(format!("team-{:02}", i / 100))
            .join(format!("env-{i:04}.pod-template.yaml"));
        files.push(path);
    }
    let stamp = dir.join(".complete");
    if !stamp.exists() {
        for path in &files {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(path, template).map_err(|e| e.to_string())?;
        }
        std::fs::write(&stamp, "").map_err(|e| e.to_string())?;
    }
    Ok((dir, files))
}

struct Args {
    copies: Vec<usize>,
    repeat: usize,
    baseline: Option<PathBuf>,
    jsonschema: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        copies: vec![20, 200, 2000],
        repeat: 5,
        baseline: None,
        jsonschema: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--copies" => {
                let v = it.next().ok_or("--copies needs a list")?;
                a.copies = v
                    .split(',')
                    .map(|n| n.parse().map_err(|_| format!("bad count {n}")))
                    .collect::<Result<_, _>>()?;
            }
            "--repeat" => {
                let v = it.next().ok_or("--repeat needs N")?;
                a.repeat = v.parse().map_err(|_| format!("bad --repeat {v}"))?;
            }
            "--baseline" => a.baseline = it.next().map(PathBuf::from),
            "--jsonschema" => a.jsonschema = it.next().map(PathBuf::from),
            // `cargo bench` passes `--bench`.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("check bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args = args()?;
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_flyte-lsp"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/scale");
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    let template = generate::flyte_pod_template(53);
    let mut rows: Vec<String> = Vec::new();
    let mut binaries = vec![("flyte-lsp", bin.clone())];
    if let Some(b) = &args.baseline {
        binaries.push(("baseline", b.clone()));
    }
    let mut ours_at_20 = None;
    for &copies in &args.copies {
        let (dir, _) = corpus(&root, copies, &template)?;
        let repeat = if copies >= 2000 {
            args.repeat.min(3)
        } else {
            args.repeat
        };
        for (name, path) in &binaries {
            let cost = medians(repeat, &[1], || {
                let mut c = Command::new(path);
                c.arg("check").arg(&dir);
                c
            })?;
            if copies == 20 && *name == "flyte-lsp" {
                ours_at_20 = Some(cost.wall_ms);
            }
            rows.push(format!(
                "| {name} `check` | {copies} | {:.1} | {:.1} | {:.2} | {:.1} | {:.1} |",
                cost.wall_ms,
                cost.cpu_ms,
                cost.cpu_ms / cost.wall_ms,
                cost.rss_mib,
                (template.len() * copies) as f64 / 1e6 / (cost.wall_ms / 1e3),
            ));
            eprintln!("{}", rows.last().map_or("", String::as_str));
        }
    }
    let jsonschema = args.jsonschema.clone().or_else(|| {
        let home = std::env::var_os("HOME")?;
        let p = PathBuf::from(home).join(".cache/flyte-lsp-schemas/venv/bin/check-jsonschema");
        p.exists().then_some(p)
    });
    let mut notes = Vec::new();
    match (jsonschema, args.copies.contains(&20)) {
        (Some(cj), true) => {
            let (_, files) = corpus(&root, 20, &template)?;
            let schema = root.join("podtemplate.loose.schema.json");
            let out = Command::new(&bin)
                .args(["schema", "--kind", "pod-template", "--loose"])
                .output()
                .map_err(|e| e.to_string())?;
            std::fs::write(&schema, &out.stdout).map_err(|e| e.to_string())?;
            // The planted number in an env value fails the schema: exit 1 proves it validated.
            let cost = medians(args.repeat, &[1], || {
                let mut c = Command::new(&cj);
                c.arg("--schemafile").arg(&schema).args(&files);
                c
            })?;
            rows.push(format!(
                "| check-jsonschema 0.39.0 | 20 | {:.1} | {:.1} | {:.2} | {:.1} | {:.1} |",
                cost.wall_ms,
                cost.cpu_ms,
                cost.cpu_ms / cost.wall_ms,
                cost.rss_mib,
                (template.len() * 20) as f64 / 1e6 / (cost.wall_ms / 1e3),
            ));
            if let Some(ours) = ours_at_20 {
                notes.push(format!(
                    "flyte-lsp is {:.0}x faster than check-jsonschema on 20 copies (wall, medians).",
                    cost.wall_ms / ours
                ));
            }
        }
        (None, _) => notes.push(
            "check-jsonschema not found (run `bash tests/schemas/run.sh` once, or pass --jsonschema)".to_string(),
        ),
        _ => {}
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut table = format!(
        "copies of a {}-line, {}-byte Flyte pod template; medians of {} runs; load average {}\n\n\
         | command | files | wall ms | CPU ms | CPU/wall | peak RSS MiB | MB/s |\n|---|---|---|---|---|---|---|\n",
        template.lines().count(),
        template.len(),
        args.repeat,
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    );
    for r in &rows {
        table.push_str(r);
        table.push('\n');
    }
    for n in &notes {
        table.push_str(&format!("\n{n}\n"));
    }
    println!("{table}");
    std::fs::write(root.join("check.md"), &table).map_err(|e| e.to_string())?;
    Ok(())
}
