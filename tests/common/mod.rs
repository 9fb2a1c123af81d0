//! A small synchronous LSP client for end-to-end tests: it spawns the real `flyte-lsp serve`
//! binary, writes `Content-Length` framed JSON-RPC to its stdin and reads framed messages from
//! its stdout on a reader thread.
//!
//! Every wait is bounded, so a hung server fails the test instead of hanging CI. Requests the
//! server sends to the client are answered automatically while waiting (see [`Client::answer`]).
//!
//! Sessions are strict: each ends with `shutdown` and `exit` (by [`Client::shutdown_and_exit`],
//! or by the drop of a client whose test did not end it some other way), the server must exit
//! with status 0, and every message it sent must have been read by the test. A notification
//! left unread (an unexpected `publishDiagnostics`, a `window/logMessage`) fails the test
//! unless the test reads it ([`Client::take`], the waits) or allows it
//! ([`Client::allow_unread`]).
//!
//! Also [`TempDir`], the one way tests make scratch folders: removed when dropped.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The longest any single wait may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How long "nothing arrives" assertions listen.
pub const QUIET: Duration = Duration::from_secs(1);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else, oldest first.
    queued: VecDeque<Value>,
    /// The answer to each item of a `workspace/configuration` request (`null` by default).
    pub configuration: Value,
    /// Every request the server sent to the client, in order.
    pub server_requests: Vec<Value>,
    /// Notification methods the test allows to be left unread when the session ends.
    allowed_unread: Vec<String>,
    /// The session is over: ended with `shutdown`/`exit` and checked, or the process ended
    /// the way the test wanted (see `Drop`).
    ended: bool,
    /// The longest a request or a wait for diagnostics may take ([`TIMEOUT`] unless the test
    /// says otherwise with [`Client::set_timeout`]).
    timeout: Duration,
}

impl Client {
    /// Spawns `flyte-lsp serve` with piped stdin/stdout; stderr is discarded.
    pub fn spawn() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn flyte-lsp");
        let stdout = child.stdout.take().expect("child stdout");
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            next_id: 0,
            queued: VecDeque::new(),
            configuration: Value::Null,
            server_requests: Vec::new(),
            allowed_unread: Vec::new(),
            ended: false,
            timeout: TIMEOUT,
        }
    }

    /// Spawns the server and completes the `initialize` / `initialized` handshake. Returns the
    /// client and the `initialize` result.
    pub fn start(capabilities: Value, initialization_options: Option<Value>) -> (Client, Value) {
        Client::start_with(capabilities, initialization_options, Value::Null)
    }

    /// Like [`Client::start`], with `configuration` as the answer to `workspace/configuration`.
    pub fn start_with(
        capabilities: Value,
        initialization_options: Option<Value>,
        configuration: Value,
    ) -> (Client, Value) {
        let mut client = Client::spawn();
        client.configuration = configuration;
        let mut params = json!({
            "processId": std::process::id(),
            "rootUri": null,
            "capabilities": capabilities,
            "clientInfo": {"name": "flyte-lsp-tests"},
        });
        if let Some(opts) = initialization_options {
            params["initializationOptions"] = opts;
        }
        let result = client.request("initialize", params);
        client.notify("initialized", json!({}));
        (client, result)
    }

    /// Raises the bound of every wait of this session, for inputs a debug build on a loaded
    /// machine needs longer for (a hung server still fails, only later).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Sends a request and waits for its response, answering server requests and queuing
    /// notifications meanwhile. Returns `result`; panics on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.try_request(method, params)
            .unwrap_or_else(|err| panic!("`{method}` failed: {err}"))
    }

    /// Like [`Client::request`], for a request that may fail: `Err` with the response's `error`.
    pub fn try_request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let timeout = self.timeout;
        let deadline = Instant::now() + timeout;
        loop {
            let msg = self
                .recv_until(deadline)
                .unwrap_or_else(|| panic!("no response to `{method}` within {timeout:?}"));
            if msg.get("method").is_some() {
                // A notification (server requests were answered by `recv_until`).
                self.queued.push_back(msg);
                continue;
            }
            if msg["id"] != json!(id) {
                panic!("unexpected response while waiting for `{method}` (id {id}): {msg}");
            }
            if let Some(err) = msg.get("error") {
                return Err(err.clone());
            }
            return Ok(msg.get("result").cloned().unwrap_or(Value::Null));
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub fn did_open(&mut self, uri: &str, version: i32, text: &str) {
        self.did_open_as(uri, "yaml", version, text);
    }

    /// Opens a document with this LSP `languageId` (`python`, `yaml`).
    pub fn did_open_as(&mut self, uri: &str, language_id: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": version, "text": text}}),
        );
    }

    /// Sends one incremental change: replace `range` with `text`.
    pub fn did_change(&mut self, uri: &str, version: i32, range: Value, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range, "text": text}],
            }),
        );
    }

    pub fn did_save(&mut self, uri: &str) {
        self.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": uri}}),
        );
    }

    /// Waits for a `textDocument/publishDiagnostics` for `uri` whose params satisfy `pred`, and
    /// returns those params. Publishes for `uri` that do not match are consumed (`pred` sees
    /// each of them, in arrival order); other notifications stay queued.
    pub fn wait_diagnostics(
        &mut self,
        uri: &str,
        mut pred: impl FnMut(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        let is_ours = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        let mut i = 0;
        while i < self.queued.len() {
            if is_ours(&self.queued[i]) {
                let msg = self.queued.remove(i).expect("queued index");
                if pred(&msg["params"]) {
                    return msg["params"].clone();
                }
            } else {
                i += 1;
            }
        }
        let deadline = Instant::now() + timeout.min(self.timeout);
        loop {
            let Some(msg) = self.recv_until(deadline) else {
                panic!("no matching publishDiagnostics for {uri} within {timeout:?}");
            };
            if is_ours(&msg) {
                if pred(&msg["params"]) {
                    return msg["params"].clone();
                }
            } else {
                self.queued.push_back(msg);
            }
        }
    }

    /// Waits for the next `publishDiagnostics` for `uri` with exactly this `version`.
    pub fn wait_version(&mut self, uri: &str, version: i32) -> Value {
        let timeout = self.timeout;
        self.wait_diagnostics(uri, |p| p["version"] == json!(version), timeout)
    }

    /// Listens for `duration` and panics if a `publishDiagnostics` for `uri` arrives (or is
    /// already queued).
    pub fn assert_no_diagnostics(&mut self, uri: &str, duration: Duration) {
        let is_ours = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(msg) = self.queued.iter().find(|m| is_ours(m)) {
            panic!("unexpected publishDiagnostics: {msg}");
        }
        let deadline = Instant::now() + duration;
        while let Some(msg) = self.recv_until(deadline) {
            if is_ours(&msg) {
                panic!("unexpected publishDiagnostics: {msg}");
            }
            self.queued.push_back(msg);
        }
    }

    /// Every `publishDiagnostics` params for `uri` that arrives (or is queued) within `duration`.
    pub fn collect_diagnostics(&mut self, uri: &str, duration: Duration) -> Vec<Value> {
        let is_ours = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        let mut out = Vec::new();
        let mut rest = VecDeque::new();
        for msg in self.queued.drain(..) {
            if is_ours(&msg) {
                out.push(msg["params"].clone());
            } else {
                rest.push_back(msg);
            }
        }
        self.queued = rest;
        let deadline = Instant::now() + duration;
        while let Some(msg) = self.recv_until(deadline) {
            if is_ours(&msg) {
                out.push(msg["params"].clone());
            } else {
                self.queued.push_back(msg);
            }
        }
        out
    }

    /// `shutdown`, then `exit`; asserts the process exits with status 0 within a few seconds
    /// and that every message the server sent was read (or allowed, [`Client::allow_unread`]).
    pub fn shutdown_and_exit(mut self) {
        self.end_session();
    }

    /// Lets notifications with this method stay unread when the session ends (for tests that
    /// do not care how many of them arrive, e.g. intermediate publishes of a burst of edits).
    pub fn allow_unread(&mut self, method: &str) {
        self.allowed_unread.push(method.to_string());
    }

    /// Removes and returns the notifications with this method received so far (without
    /// waiting for more).
    pub fn take(&mut self, method: &str) -> Vec<Value> {
        while let Ok(msg) = self.rx.try_recv() {
            self.on_message(msg);
        }
        let (taken, rest): (VecDeque<Value>, VecDeque<Value>) =
            self.queued.drain(..).partition(|m| m["method"] == method);
        self.queued = rest;
        taken.into()
    }

    /// `shutdown` and `exit`, exit status 0, then nothing unread.
    fn end_session(&mut self) {
        self.ended = true;
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null, "shutdown result");
        self.notify("exit", Value::Null);
        let status = self
            .wait_exit(Duration::from_secs(5))
            .expect("server did not exit after `exit`");
        assert_eq!(status.code(), Some(0), "exit status after shutdown + exit");
        // The reader thread ends at EOF; whatever it read before is still in the channel. A
        // request sent after `exit` cannot be answered any more: it counts as unread.
        let queued: Vec<Value> = self.queued.drain(..).collect();
        assert_all_read(&self.rx, queued, &self.allowed_unread);
    }

    /// A message that arrived while the test was not waiting for it.
    fn on_message(&mut self, msg: Value) {
        if msg.get("id").is_some() && msg.get("method").is_some() {
            self.answer(&msg);
        } else {
            self.queued.push_back(msg);
        }
    }

    /// Closes the server's stdin (as a crashed client would).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the process to end, draining its output meanwhile. `None` on timeout.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            // Doubles as a poll interval: returns early when a message (or EOF) arrives.
            match self.rx.recv_timeout(Duration::from_millis(20)) {
                Ok(msg) => self.queued.push_back(msg),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        let stdin = self.stdin.as_mut().expect("stdin is closed");
        write!(stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).expect("write to server");
        stdin.flush().expect("flush to server");
    }

    /// The next message before `deadline`, answering server-to-client requests on the way.
    fn recv_until(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = match self.rx.recv_timeout(left) {
                Ok(msg) => msg,
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output (exited?)")
                }
            };
            if msg.get("id").is_some() && msg.get("method").is_some() {
                self.answer(&msg);
                continue;
            }
            return Some(msg);
        }
    }

    /// Answers a server-to-client request: `workspace/configuration` with
    /// [`Client::configuration`] for every item, the rest with `null`.
    fn answer(&mut self, req: &Value) {
        let result = match req["method"].as_str() {
            Some("workspace/configuration") => {
                let n = req["params"]["items"].as_array().map_or(1, Vec::len);
                Value::Array(vec![self.configuration.clone(); n])
            }
            _ => Value::Null,
        };
        self.server_requests.push(req.clone());
        let reply = json!({"jsonrpc": "2.0", "id": req["id"].clone(), "result": result});
        self.send(&reply);
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A test that neither ended the session nor ended the process on purpose (closed
        // stdin, sent `exit` itself) gets the strict ending here; a failing test (panicking)
        // just has the server killed.
        let process_ended = self.stdin.is_none() || !matches!(self.child.try_wait(), Ok(None));
        if !self.ended && !process_ended && !thread::panicking() {
            self.end_session();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one framed message; `None` at EOF or on a malformed frame.
pub fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// An LSP range.
pub fn range(start_line: u32, start_char: u32, end_line: u32, end_char: u32) -> Value {
    json!({
        "start": {"line": start_line, "character": start_char},
        "end": {"line": end_line, "character": end_char},
    })
}

/// The `(code, range)` of each diagnostic, in order.
pub fn codes_and_ranges(diagnostics: &Value) -> Vec<(String, Value)> {
    diagnostics
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["range"].clone(),
            )
        })
        .collect()
}

/// The codes of the diagnostics, in order.
pub fn codes(diagnostics: &Value) -> Vec<String> {
    codes_and_ranges(diagnostics)
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

/// Client capabilities of an editor that takes pushed diagnostics and speaks only UTF-16.
pub fn push_client() -> Value {
    json!({"textDocument": {"publishDiagnostics": {"versionSupport": true}}})
}

/// A fresh, empty folder under the system temp dir, removed with everything in it when the
/// guard is dropped (also when the test panics: drops run while unwinding). Its name is
/// `flyte-lsp-<name>-<pid>-<n>`, unique per process and call, so tests running in parallel
/// never share (or remove) each other's folder.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("flyte-lsp-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `content` to `relative` inside the folder and returns the file's path.
    pub fn write(&self, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path.join(relative);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent dir");
        }
        std::fs::write(&p, content).expect("write temp file");
        p
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.path.as_os_str()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Files a test made unreadable are still removable (the folder is ours); a folder a
        // test made unwritable is given its permissions back first.
        if std::fs::remove_dir_all(&self.path).is_err() {
            restore_permissions(&self.path);
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn restore_permissions(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                restore_permissions(&e.path());
            }
        }
    }
}

/// Collects what the reader thread still holds after `exit` and fails when any message the
/// test did not read is left (except methods in `allowed`). Shared by both protocol clients.
pub fn assert_all_read(
    rx: &std::sync::mpsc::Receiver<Value>,
    mut queued: Vec<Value>,
    allowed: &[String],
) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(msg) => queued.push(msg),
            Err(_) => break,
        }
    }
    let unread: Vec<String> = queued
        .iter()
        .filter(|m| {
            !m["method"]
                .as_str()
                .is_some_and(|method| allowed.iter().any(|a| a == method))
        })
        .map(|m| m.to_string().chars().take(600).collect())
        .collect();
    assert!(
        unread.is_empty(),
        "the server sent {} message(s) the test never read:\n{}",
        unread.len(),
        unread.join("\n")
    );
}
