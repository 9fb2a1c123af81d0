//! The server's stdin and stdout as editors and scripts give them, beside the pipes every other
//! test uses (as Emacs and Helix do): a socket pair (how libuv, so VS Code and Neovim, spawn a
//! server), and regular files. A change to how the transport reads or writes (polling the
//! descriptors, non-blocking writes: docs/performance.md, session 15) must keep all of them
//! working.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{push_client, read_message, TempDir};
use crate::raw::{frame, TIMEOUT};

/// A Flyte pod template with one mistake, `imagePulPolicy` (FLY101).
const POD_TEMPLATE: &str = "primary_container_name: primary\npod_spec:\n  containers:\n    - name: primary\n      imagePulPolicy: Always\n";
const URI: &str = "file:///tmp/stdio.pod-template.yaml";
const BIG_URI: &str = "file:///tmp/stdio-big.pod-template.yaml";

fn message(value: Value) -> Vec<u8> {
    frame(value.to_string().as_bytes())
}

fn initialize(id: i64) -> Vec<u8> {
    message(json!({"jsonrpc": "2.0", "id": id, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": push_client()}}))
}

fn notification(method: &str, params: Value) -> Vec<u8> {
    message(json!({"jsonrpc": "2.0", "method": method, "params": params}))
}

fn request(id: i64, method: &str) -> Vec<u8> {
    message(json!({"jsonrpc": "2.0", "id": id, "method": method}))
}

fn did_open() -> Vec<u8> {
    notification(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "yaml", "version": 1, "text": POD_TEMPLATE}}),
    )
}

/// Reads messages until one satisfies `want`, within [`TIMEOUT`].
fn wait_for(reader: &mut impl std::io::BufRead, want: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    while start.elapsed() < TIMEOUT {
        match read_message(reader) {
            Some(msg) if want(&msg) => return msg,
            Some(_) => {}
            None => break,
        }
    }
    panic!("no such message from the server within {TIMEOUT:?}");
}

fn is_response(id: i64) -> impl Fn(&Value) -> bool {
    move |m| m.get("id") == Some(&json!(id)) && m.get("method").is_none()
}

fn diagnostic_codes(msg: &Value) -> Vec<String> {
    msg["params"]["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str().map(str::to_owned))
        .collect()
}

fn is_diagnostics(m: &Value) -> bool {
    m.get("method") == Some(&json!("textDocument/publishDiagnostics"))
        && m["params"]["uri"] == URI
        && m["params"]["version"] == 1
}

/// `flyte-lsp serve` with these streams.
fn serve(stdin: impl Into<Stdio>, stdout: impl Into<Stdio>, stderr: Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .arg("serve")
        .stdin(stdin)
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("spawn flyte-lsp")
}

fn wait_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("the server did not exit within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_socket_pair_as_stdin_and_stdout_serves_a_whole_session() {
    let (ours, theirs) = UnixStream::pair().expect("socketpair");
    let theirs_out = theirs.try_clone().expect("dup");
    let mut child = serve(
        OwnedFd::from(theirs),
        OwnedFd::from(theirs_out),
        Stdio::null(),
    );
    ours.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let mut writer = ours.try_clone().expect("dup");
    let mut reader = BufReader::new(ours);

    writer.write_all(&initialize(1)).expect("write");
    let init = wait_for(&mut reader, is_response(1));
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    writer
        .write_all(&notification("initialized", json!({})))
        .expect("write");
    writer.write_all(&did_open()).expect("write");
    let published = wait_for(&mut reader, is_diagnostics);
    assert_eq!(diagnostic_codes(&published), ["FLY101"], "{published}");

    // Diagnostics far bigger than a socket buffer, written while this side is not reading:
    // the server's writes wait for room instead of failing or dropping bytes.
    let mut big = String::from("primary_container_name: primary\npod_spec:\n  containers:\n");
    for i in 0..3000 {
        big.push_str(&format!("    - name: c{i}\n      imagePulPolicy: Always\n"));
    }
    writer
        .write_all(&notification(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": BIG_URI, "languageId": "yaml", "version": 1, "text": big}}),
        ))
        .expect("write");
    std::thread::sleep(Duration::from_millis(300));
    let published = wait_for(&mut reader, |m| m["params"]["uri"] == BIG_URI);
    let codes = diagnostic_codes(&published);
    assert!(
        codes.iter().filter(|c| *c == "FLY101").count() >= 3000,
        "{codes:?}"
    );

    writer.write_all(&request(3, "shutdown")).expect("write");
    wait_for(&mut reader, is_response(3));
    writer
        .write_all(&notification("exit", Value::Null))
        .expect("write");
    assert!(wait_exit(&mut child).success());
}

#[test]
fn a_regular_file_as_stdout_receives_the_whole_session() {
    let dir = TempDir::new("stdio-file-out");
    let output = dir.path().join("out.lsp");
    let (stdin_read, mut stdin_write) = std::io::pipe().expect("pipe");
    let output_file = File::create(&output).expect("create output");
    let mut child = serve(stdin_read, output_file, Stdio::null());
    // Each step waits for its answer in the file, as a client waits on a pipe.
    let answered = |id: i64| {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            let written = std::fs::read(&output).expect("read output");
            let mut reader = BufReader::new(written.as_slice());
            while let Some(msg) = read_message(&mut reader) {
                if is_response(id)(&msg) {
                    return msg;
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("no answer to request {id} in {}", output.display());
    };
    stdin_write.write_all(&initialize(1)).expect("write");
    let init = answered(1);
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    stdin_write
        .write_all(&notification("initialized", json!({})))
        .expect("write");
    stdin_write
        .write_all(&request(2, "shutdown"))
        .expect("write");
    assert_eq!(answered(2)["result"], Value::Null);
    stdin_write
        .write_all(&notification("exit", Value::Null))
        .expect("write");
    assert!(wait_exit(&mut child).success());
}

/// A regular file as stdin: its end is the end of the session (exit status 1: no `shutdown`),
/// not a hang or a crash.
#[test]
fn a_regular_file_as_stdin_is_read_to_its_end() {
    let dir = TempDir::new("stdio-file-in");
    let input = dir.path().join("in.lsp");
    std::fs::write(&input, initialize(1)).expect("write input");
    let input_file = File::open(&input).expect("open input");
    let mut child = serve(input_file, Stdio::piped(), Stdio::piped());
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(1), "{status}");
    let mut log = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut log)
        .expect("read log");
    assert!(!log.contains("panicked"), "{log}");
}
