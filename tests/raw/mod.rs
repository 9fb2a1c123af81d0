//! A byte-level LSP client for hostile-input tests: unlike `common::Client` it can write
//! arbitrary bytes, returns error responses instead of panicking on them, and keeps the
//! server's stderr (its log) for assertions. Every wait is bounded. It shares the framing
//! reader and the client capabilities with `common` (both are modules of the `hostile` test).
//!
//! Sessions are as strict as `common`'s: they end with `shutdown`/`exit` (explicitly or when a
//! `Raw` whose process is still running is dropped), exit status 0, and no message left
//! unread: read it ([`Raw::wait_for`], [`Raw::take_queued`]) or allow it
//! ([`Raw::allow_unread`]).

#![allow(dead_code)]

use std::io::{BufReader, Read, Write};

pub use crate::common::push_client;
use crate::common::read_message;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The longest any single wait may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Messages received while waiting for something else.
    pub queued: Vec<Value>,
    log: Arc<Mutex<String>>,
    next_id: i64,
    /// Notification methods allowed to stay unread when the session ends.
    allowed_unread: Vec<String>,
    ended: bool,
}

impl Raw {
    /// Spawns `flyte-lsp serve` with its log (`FLYTE_LSP_LOG=info`) captured.
    pub fn spawn() -> Raw {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
            .arg("serve")
            .env("FLYTE_LSP_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn flyte-lsp");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                sink.lock().expect("log lock").push_str(&text);
            }
        });
        Raw {
            stdin: child.stdin.take(),
            child,
            rx,
            queued: Vec::new(),
            log,
            next_id: 1000,
            allowed_unread: Vec::new(),
            ended: false,
        }
    }

    /// Spawns the server and completes the handshake with `capabilities`.
    pub fn start(capabilities: Value) -> Raw {
        Raw::start_with(json!({"processId": null, "rootUri": null, "capabilities": capabilities}))
    }

    /// Spawns the server and completes the handshake with these `initialize` params.
    pub fn start_with(params: Value) -> Raw {
        let mut raw = Raw::spawn();
        let id = raw.send_request("initialize", params);
        let init = raw.response(id);
        assert!(init.get("result").is_some(), "initialize failed: {init}");
        raw.notify("initialized", json!({}));
        raw
    }

    /// Writes bytes as they are.
    pub fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is closed");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush to server");
    }

    /// Writes one framed message.
    pub fn send(&mut self, msg: &Value) {
        self.write(&frame(msg.to_string().as_bytes()));
    }

    /// Sends a request with a fresh id and returns the id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and waits for its response (the whole message: `result` or `error`).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub fn did_open(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": version, "text": text}}),
        );
    }

    /// The response with this id (`json!(id)` may be `null`).
    pub fn response(&mut self, id: impl Into<Value>) -> Value {
        let id = id.into();
        self.wait_for(|m| m.get("method").is_none() && m["id"] == id, TIMEOUT)
            .unwrap_or_else(|| panic!("no response with id {id} within {TIMEOUT:?}"))
    }

    /// The first message (queued or new) matching `pred`, within `timeout`.
    pub fn wait_for(
        &mut self,
        mut pred: impl FnMut(&Value) -> bool,
        timeout: Duration,
    ) -> Option<Value> {
        if let Some(i) = self.queued.iter().position(&mut pred) {
            return Some(self.queued.remove(i));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) => {
                    if msg.get("id").is_some() && msg.get("method").is_some() {
                        // A server-to-client request: answer `null` (configuration, refresh).
                        let n = msg["params"]["items"].as_array().map_or(0, Vec::len);
                        let result = if msg["method"] == "workspace/configuration" {
                            Value::Array(vec![Value::Null; n])
                        } else {
                            Value::Null
                        };
                        self.send(&json!({"jsonrpc": "2.0", "id": msg["id"], "result": result}));
                        continue;
                    }
                    if pred(&msg) {
                        return Some(msg);
                    }
                    self.queued.push(msg);
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    return None
                }
            }
        }
    }

    /// The next `publishDiagnostics` params for `uri` with this version.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        self.wait_for(
            |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && m["params"]["version"] == version
            },
            TIMEOUT,
        )
        .map(|m| m["params"].clone())
        .unwrap_or_else(|| panic!("no diagnostics for {uri} version {version} within {TIMEOUT:?}"))
    }

    /// Asserts the server still answers (`shutdown` gets `null`), exits with 0 after `exit`,
    /// and sent nothing the test did not read.
    pub fn shutdown_and_exit(mut self) {
        self.end_session();
    }

    /// Lets notifications with this method stay unread when the session ends.
    pub fn allow_unread(&mut self, method: &str) {
        self.allowed_unread.push(method.to_string());
    }

    /// Every message received so far and not yet read (without waiting), removed.
    pub fn take_queued(&mut self) -> Vec<Value> {
        // Moves whatever has arrived into `queued` (answering server requests on the way).
        let _ = self.wait_for(|_| false, Duration::ZERO);
        std::mem::take(&mut self.queued)
    }

    /// The error responses without an id (what malformed input is answered with) received so
    /// far, removed from the queue; whatever else is queued stays.
    pub fn take_unaddressed_errors(&mut self) -> Vec<Value> {
        let all = self.take_queued();
        let (errors, rest) = all
            .into_iter()
            .partition(|m| m["id"].is_null() && m.get("error").is_some());
        self.queued = rest;
        errors
    }

    fn end_session(&mut self) {
        self.ended = true;
        let resp = self.call("shutdown", Value::Null);
        assert_eq!(resp["result"], Value::Null, "{resp}");
        assert!(resp.get("error").is_none(), "{resp}");
        self.notify("exit", Value::Null);
        let status = self
            .wait_exit(Duration::from_secs(5))
            .expect("exit after `exit`");
        assert_eq!(status.code(), Some(0));
        // What the reader thread read before EOF is still in the channel.
        let queued = std::mem::take(&mut self.queued);
        crate::common::assert_all_read(&self.rx, queued, &self.allowed_unread);
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to end (and reaps it). `None` on timeout.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().expect("log lock").clone()
    }

    /// Waits until the log contains `needle` (the log is written asynchronously).
    pub fn wait_log(&self, needle: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let log = self.log();
            if log.contains(needle) || Instant::now() >= deadline {
                return log;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        // The strict ending, unless the test ended the process itself (closed stdin, `exit`,
        // a crash it provoked) or is failing already.
        let process_ended = self.stdin.is_none() || !matches!(self.child.try_wait(), Ok(None));
        if !self.ended && !process_ended && !std::thread::panicking() {
            self.end_session();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}
