//! Security properties, checked mechanically (see docs/security.md): the binary runs no
//! programs, opens no network connection and writes no file; its only outputs are stdout
//! (the protocol or the report) and stderr (the log).

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Crates that open sockets or speak network protocols. None may be in the build.
const NETWORK_CRATES: &[&str] = &[
    "mio",
    "socket2",
    "hyper",
    "h2",
    "reqwest",
    "ureq",
    "curl",
    "isahc",
    "surf",
    "attohttpc",
    "rustls",
    "native-tls",
    "openssl",
    "tokio-rustls",
    "tungstenite",
    "tonic",
    "quinn",
];

#[test]
fn no_network_capable_crate_is_in_the_dependency_graph() {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock");
    let names: Vec<&str> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    assert!(names.contains(&"tokio"), "the lock file lists packages");
    for banned in NETWORK_CRATES {
        assert!(
            !names.contains(banned),
            "`{banned}` is in Cargo.lock: flyte-lsp must not be able to open the network"
        );
    }
    // tokio's sockets live behind its `net` feature (and `full`).
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let tokio = manifest
        .lines()
        .find(|l| l.starts_with("tokio ="))
        .expect("a tokio dependency line");
    assert!(
        !tokio.contains("\"net\"") && !tokio.contains("\"full\""),
        "{tokio}"
    );
}

/// Source files under `src/`, with the text before their `#[cfg(test)]` module.
fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read");
                let code = text.find("#[cfg(test)]").map_or(&text[..], |i| &text[..i]);
                let rel = path.strip_prefix(root()).unwrap_or(&path);
                out.push((rel.display().to_string(), code.to_string()));
            }
        }
    }
    out
}

/// The one file that may write: `check --fix`, through a temporary file and a rename.
const WRITER: &str = "src/cli/fix.rs";

/// What the code may not call: (needle, what it does, whether it is a write that [`WRITER`]
/// may do).
const FORBIDDEN: &[(&str, &str, bool)] = &[
    ("process::Command", "runs a program", false),
    ("Command::new", "runs a program", false),
    // `std::net`'s address types only parse text (FLY269 compares IP spellings with them);
    // what opens the network is a socket type.
    ("TcpListener", "opens the network", false),
    ("ToSocketAddrs", "resolves host names", false),
    ("TcpStream", "opens the network", false),
    ("UdpSocket", "opens the network", false),
    ("UnixStream", "opens a socket", false),
    ("fs::write", "writes a file", true),
    ("File::create", "writes a file", true),
    ("OpenOptions", "opens a file for writing", true),
    ("fs::remove", "deletes files", true),
    ("fs::rename", "moves files", true),
    ("set_permissions", "changes permissions", true),
];

#[test]
fn the_sources_never_run_programs_open_sockets_or_write_files() {
    let files = sources();
    assert!(files.len() > 10);
    for (path, code) in &files {
        for (needle, what, write) in FORBIDDEN {
            if *write && path == WRITER {
                continue;
            }
            assert!(
                !code.contains(needle),
                "{path} uses `{needle}`: flyte-lsp never {what} (docs/security.md)"
            );
        }
    }
    // The writer writes atomically: a temporary file renamed over the original.
    if let Some((_, code)) = files.iter().find(|(p, _)| p == WRITER) {
        assert!(
            code.contains("fs::rename"),
            "{WRITER} must write through a rename"
        );
    }
}

/// With strace on the machine, the real binary is watched: `check` and a short LSP session
/// make no socket, connect or execve call (beyond the first exec) and open no file for
/// writing. Without strace the static checks above stand alone.
#[test]
fn check_and_serve_make_no_network_exec_or_write_syscalls_under_strace() {
    let has_strace = Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_strace {
        eprintln!("strace is not installed: only the static checks ran");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_flyte-lsp");
    let trace_dir = crate::common::TempDir::new("strace");
    let trace = trace_dir.join("trace");
    let examples = root().join("examples");
    let session = lsp_session();
    for (args, input) in [
        (vec!["check", examples.to_str().expect("path")], None),
        (vec!["serve"], Some(session)),
    ] {
        let mut child = Command::new("strace")
            .args(["-f", "-qq", "-o"])
            .arg(&trace)
            .args([
                "-e",
                "trace=socket,connect,execve,execveat,open,openat,creat,rename,unlink",
            ])
            .arg(bin)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("strace");
        if let Some(input) = &input {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(input).expect("write session");
        }
        drop(child.stdin.take());
        child.wait().expect("wait");
        let log = std::fs::read_to_string(&trace).expect("strace output");
        check_trace(&log, &args);
    }
}

fn check_trace(log: &str, args: &[&str]) {
    let execs = log.matches("execve(").count();
    assert_eq!(execs, 1, "{args:?} ran a program:\n{log}");
    for line in log.lines() {
        assert!(
            !line.contains("socket(") && !line.contains("connect("),
            "{args:?} used the network: {line}"
        );
        let writes = [
            "O_WRONLY", "O_RDWR", "O_CREAT", "creat(", "rename(", "unlink(",
        ];
        // The dynamic loader may map libraries read-only; nothing may be opened for writing.
        if writes.iter().any(|w| line.contains(w)) && !line.contains("/dev/") {
            panic!("{args:?} opened a file for writing: {line}");
        }
    }
}

/// initialize, open a document, hover, shutdown, exit: framed for stdin.
fn lsp_session() -> Vec<u8> {
    let messages = [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#.to_string(),
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#.to_string(),
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "file:///tmp/a.yaml", "languageId": "yaml", "version": 1,
            "text": "primary_container_name: primary\npod_spec:\n  containers: []\n"}}})
        .to_string(),
        r#"{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///tmp/a.yaml"},"position":{"line":1,"character":2}}}"#.to_string(),
        r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#.to_string(),
        r#"{"jsonrpc":"2.0","method":"exit"}"#.to_string(),
    ];
    let mut out = Vec::new();
    for m in messages {
        out.extend(format!("Content-Length: {}\r\n\r\n{m}", m.len()).into_bytes());
    }
    out
}
