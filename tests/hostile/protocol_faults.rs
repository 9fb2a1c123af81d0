//! Protocol faults against the real `flyte-lsp serve`: malformed frames and JSON, wrong
//! `Content-Length`s, unknown methods, requests out of order, out-of-range positions, stale and
//! unknown document changes, cancellation, abrupt ends and panicking handlers. After each fault
//! the server must answer as the specification says and keep serving; every wait is bounded.

use std::time::Duration;

use crate::raw::{frame, push_client, Raw, TIMEOUT};
use serde_json::{json, Value};

const POD_TEMPLATE: &str = "primary_container_name: primary\npod_spec:\n  containers:\n    - name: primary\n      imagePulPolicy: Always\n";

fn hover_params(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

/// The server still answers requests: a hover on a document that is not open is `null`.
fn assert_serving(raw: &mut Raw) {
    let resp = raw.call(
        "textDocument/hover",
        hover_params("file:///nowhere.yaml", 0, 0),
    );
    assert_eq!(resp.get("result"), Some(&Value::Null), "{resp}");
}

fn error_code(resp: &Value) -> i64 {
    resp["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {resp}"))
}

fn codes(params: &Value) -> Vec<String> {
    params["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

// Malformed messages ------------------------------------------------------------------------

#[test]
fn malformed_json_is_a_parse_error_and_the_server_keeps_serving() {
    let mut raw = Raw::start(push_client());
    raw.write(&frame(b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "));
    let resp = raw.response(Value::Null);
    assert_eq!(error_code(&resp), -32700, "{resp}");
    assert_serving(&mut raw);
    raw.shutdown_and_exit();
}

#[test]
fn json_that_is_not_json_rpc_is_an_invalid_request_answered_with_its_id() {
    let mut raw = Raw::start(push_client());
    raw.write(&frame(br#"{"jsonrpc": "2.0", "id": 77, "method": 5}"#));
    let resp = raw.response(77);
    assert_eq!(error_code(&resp), -32600, "{resp}");
    raw.write(&frame(b"[1, 2, 3]"));
    assert_eq!(error_code(&raw.response(Value::Null)), -32600);
    assert_serving(&mut raw);
    raw.shutdown_and_exit();
}

#[test]
fn invalid_utf8_in_a_body_is_a_parse_error() {
    let mut raw = Raw::start(push_client());
    raw.write(&frame(b"{\"jsonrpc\": \"2.0\", \"method\": \"x\xff\xfe\"}"));
    assert_eq!(error_code(&raw.response(Value::Null)), -32700);
    assert_serving(&mut raw);
    raw.shutdown_and_exit();
}

#[test]
fn a_content_length_too_short_resynchronises_at_the_next_message() {
    let mut raw = Raw::start(push_client());
    let body = json!({"jsonrpc": "2.0", "id": 5, "method": "textDocument/hover",
        "params": hover_params("file:///a.yaml", 0, 0)})
    .to_string();
    // Claims 10 bytes: the rest of the body is left in front of the next header.
    let mut bytes = b"Content-Length: 10\r\n\r\n".to_vec();
    bytes.extend_from_slice(body.as_bytes());
    raw.write(&bytes);
    let first = raw.response(Value::Null);
    assert_eq!(error_code(&first), -32700, "the cut body: {first}");
    // The next well-formed message is found behind the leftovers, which are answered with
    // their own parse error.
    assert_serving(&mut raw);
    let skipped = raw
        .wait_for(
            |m| {
                m["id"].is_null()
                    && m["error"]["message"]
                        .as_str()
                        .is_some_and(|s| s.contains("bytes before an LSP header"))
            },
            TIMEOUT,
        )
        .expect("an error for the skipped bytes");
    assert_eq!(error_code(&skipped), -32700, "{skipped}");
    let log = raw.wait_log("bytes before an LSP header");
    assert!(log.contains("bytes before an LSP header"), "{log}");
    raw.shutdown_and_exit();
}

#[test]
fn a_content_length_too_long_swallows_what_follows_then_recovers() {
    let mut raw = Raw::start(push_client());
    let body = br#"{"jsonrpc": "2.0", "method": "initialized", "params": {}}"#;
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len() + 300).into_bytes();
    bytes.extend_from_slice(body);
    raw.write(&bytes);
    // The server waits for 300 more bytes, so the next requests complete the bad body; the
    // ones after that are answered again.
    let mut answered = None;
    let mut ids = Vec::new();
    for _ in 0..10 {
        let id = raw.send_request("textDocument/hover", hover_params("file:///a.yaml", 0, 0));
        ids.push(id);
        if let Some(resp) = raw.wait_for(|m| m["id"] == id, Duration::from_millis(300)) {
            answered = Some(resp);
            break;
        }
    }
    let resp = answered.expect("the server never recovered from a too-long Content-Length");
    assert_eq!(resp["result"], Value::Null, "{resp}");
    let parse_error = raw
        .wait_for(|m| m["id"].is_null() && m.get("error").is_some(), TIMEOUT)
        .expect("a parse error for the swallowed bytes");
    assert_eq!(error_code(&parse_error), -32700);
    // How many requests the bad body swallowed depends on timing (each try waits 300 ms):
    // the rest of the one cut in two is garbage before the next header (another -32700),
    // and a try answered after its 300 ms is a late `null` result. Nothing else may be left.
    let late = raw.take_queued();
    for m in &late {
        let unaddressed_error = m["id"].is_null()
            && [-32700, -32600].contains(&m["error"]["code"].as_i64().unwrap_or(0));
        let late_answer = ids.iter().any(|id| m["id"] == *id) && m["result"].is_null();
        assert!(unaddressed_error || late_answer, "unexpected: {m}");
    }
    raw.shutdown_and_exit();
}

#[test]
fn a_missing_or_non_numeric_content_length_is_skipped() {
    let mut raw = Raw::start(push_client());
    raw.write(b"Content-Type: application/vscode-jsonrpc\r\n\r\n");
    assert_eq!(error_code(&raw.response(Value::Null)), -32700);
    raw.write(b"Content-Length: twelve\r\n\r\n");
    assert_eq!(error_code(&raw.response(Value::Null)), -32700);
    raw.write(b"this is not LSP at all\r\n\r\n");
    assert_eq!(error_code(&raw.response(Value::Null)), -32700);
    assert_serving(&mut raw);
    raw.shutdown_and_exit();
}

#[test]
fn a_huge_content_length_is_refused_without_buffering_it() {
    let mut raw = Raw::start(push_client());
    raw.write(b"Content-Length: 1000000000000000\r\n\r\n");
    let resp = raw.response(Value::Null);
    assert_eq!(error_code(&resp), -32600, "{resp}");
    assert!(
        resp["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("above")),
        "{resp}"
    );
    // What follows is part of that (skipped) body; the stream can only end.
    raw.write(&vec![b' '; 1 << 20]);
    raw.close_stdin();
    let status = raw.wait_exit(Duration::from_secs(5)).expect("exit at EOF");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn header_names_are_case_insensitive_and_content_type_is_accepted() {
    let mut raw = Raw::start(push_client());
    let body = json!({"jsonrpc": "2.0", "id": 9, "method": "textDocument/hover",
        "params": hover_params("file:///a.yaml", 0, 0)})
    .to_string();
    let msg = format!(
        "content-length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{body}",
        body.len()
    );
    raw.write(msg.as_bytes());
    assert_eq!(raw.response(9)["result"], Value::Null);
    raw.shutdown_and_exit();
}

// Methods and lifecycle -----------------------------------------------------------------------

#[test]
fn unknown_methods_get_method_not_found_and_unknown_notifications_are_ignored() {
    let mut raw = Raw::start(push_client());
    assert_eq!(
        error_code(&raw.call("flyte/noSuchThing", json!({}))),
        -32601
    );
    // `$/` requests too: tower-lsp-server alone would never answer them.
    assert_eq!(error_code(&raw.call("$/noSuchThing", json!({}))), -32601);
    raw.notify("flyte/noSuchNotification", json!({}));
    raw.notify("$/noSuchNotification", json!({}));
    assert_serving(&mut raw);
    // Wrong parameters are InvalidParams, not a crash.
    assert_eq!(
        error_code(&raw.call("textDocument/hover", json!({"position": 3}))),
        -32602
    );
    raw.shutdown_and_exit();
}

#[test]
fn requests_before_initialize_get_server_not_initialized_and_notifications_are_dropped() {
    let mut raw = Raw::spawn();
    let uri = "file:///early.yaml";
    let resp = raw.call("textDocument/hover", hover_params(uri, 0, 0));
    assert_eq!(error_code(&resp), -32002, "{resp}");
    raw.did_open(uri, 1, POD_TEMPLATE);
    let id = raw.send_request("initialize", json!({"capabilities": push_client()}));
    assert!(raw.response(id).get("result").is_some());
    raw.notify("initialized", json!({}));
    // The early didOpen was dropped: the document is unknown, so hover has nothing.
    assert_eq!(
        raw.call("textDocument/hover", hover_params(uri, 4, 8))["result"],
        Value::Null
    );
    // A second initialize is an invalid request.
    let again = raw.call("initialize", json!({"capabilities": {}}));
    assert_eq!(error_code(&again), -32600, "{again}");
    raw.shutdown_and_exit();
}

/// The transport decodes a `didOpen` itself and hands it to the server beside tower-lsp-server
/// (src/server/transport/handoff.rs). One parked before `initialize` is dropped as the usual
/// path drops it, and does not stand in for a later one; `didOpen`s it declines (an escaped
/// method, `params` before `method`, a duplicate key) still open their documents the usual way.
#[test]
fn every_spelling_of_did_open_opens_its_document_once_initialized() {
    let mut raw = Raw::spawn();
    raw.did_open("file:///early.yaml", 1, POD_TEMPLATE);
    let id = raw.send_request("initialize", json!({"capabilities": push_client()}));
    assert!(raw.response(id).get("result").is_some());
    raw.notify("initialized", json!({}));
    let bodies = [
        // As every client writes it: handed off.
        r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.yaml","languageId":"yaml","version":2,"text":TEXT}}}"#,
        r#"{"jsonrpc":"2.0","method":"textDocument\/didOpen","params":{"textDocument":{"uri":"file:///b.yaml","languageId":"yaml","version":3,"text":TEXT}}}"#,
        r#"{"params":{"textDocument":{"uri":"file:///c.yaml","languageId":"yaml","version":4,"text":TEXT}},"method":"textDocument/didOpen","jsonrpc":"2.0"}"#,
        r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///d.yaml","languageId":"yaml","version":5,"version":5,"text":TEXT}}}"#,
    ];
    let text = serde_json::to_string(POD_TEMPLATE).expect("json string");
    for body in bodies {
        raw.write(&frame(body.replace("TEXT", &text).as_bytes()));
    }
    for (uri, version) in [("a", 2), ("b", 3), ("c", 4), ("d", 5)] {
        let uri = format!("file:///{uri}.yaml");
        let params = raw.diagnostics(&uri, version);
        assert_eq!(codes(&params), ["FLY101"], "{uri}: {params}");
    }
    // The early document was never opened.
    assert_eq!(
        raw.call(
            "textDocument/hover",
            hover_params("file:///early.yaml", 4, 8)
        )["result"],
        Value::Null
    );
    raw.shutdown_and_exit();
}

#[test]
fn requests_after_shutdown_are_invalid_and_exit_then_ends_with_status_zero() {
    let mut raw = Raw::start(push_client());
    assert_eq!(raw.call("shutdown", Value::Null)["result"], Value::Null);
    let resp = raw.call("textDocument/hover", hover_params("file:///a.yaml", 0, 0));
    assert_eq!(error_code(&resp), -32600, "{resp}");
    raw.notify("exit", Value::Null);
    let status = raw.wait_exit(Duration::from_secs(5)).expect("exit");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_ends_with_status_one() {
    let mut raw = Raw::start(push_client());
    raw.did_open("file:///a.yaml", 1, POD_TEMPLATE);
    raw.notify("exit", Value::Null);
    let status = raw.wait_exit(Duration::from_secs(5)).expect("exit");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn stdin_closed_mid_message_ends_the_process_and_it_leaves_no_child() {
    let mut raw = Raw::start(push_client());
    // A large document is being analysed on a blocking thread when the client vanishes.
    let big = POD_TEMPLATE.to_string() + &"  # padding\n".repeat(200_000);
    raw.did_open("file:///big.yaml", 1, &big);
    raw.write(b"Content-Length: 500\r\n\r\n{\"jsonrpc\": \"2.0\", \"id\": 1");
    let pid = raw.pid();
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    assert!(
        children.trim().is_empty(),
        "the server started processes: {children}"
    );
    raw.close_stdin();
    let status = raw
        .wait_exit(Duration::from_secs(5))
        .expect("the server kept running after its stdin closed");
    assert_eq!(status.code(), Some(1), "no shutdown was asked");
    // Reaped by wait_exit: nothing is left of the process.
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}/status")).exists() || {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            !status.contains("State:\tZ")
        }
    );
}

// Documents and positions ---------------------------------------------------------------------

#[test]
fn positions_past_the_end_of_a_line_or_the_file_are_clamped() {
    let mut raw = Raw::start(push_client());
    let uri = "file:///clamp.yaml";
    raw.did_open(uri, 1, POD_TEMPLATE);
    assert_eq!(codes(&raw.diagnostics(uri, 1)), vec!["FLY101"]);
    for (line, character) in [
        (0, 10_000),
        (4, u32::MAX),
        (10_000, 0),
        (u32::MAX, u32::MAX),
    ] {
        for method in ["textDocument/hover", "textDocument/completion"] {
            let resp = raw.call(method, hover_params(uri, line, character));
            assert!(
                resp.get("error").is_none(),
                "{method} at {line}:{character}: {resp}"
            );
        }
        let resp = raw.call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": line, "character": character},
                             "end": {"line": 0, "character": 0}},
                   "context": {"diagnostics": []}}),
        );
        assert!(resp.get("error").is_none(), "codeAction: {resp}");
    }
    // An edit past the end of line 4 lands at its end (`Always` becomes `AlwaysX`); an edit
    // past the end of the file appends.
    raw.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 4, "character": 999},
                                             "end": {"line": 4, "character": 999}}, "text": "X"},
                                  {"range": {"start": {"line": 999, "character": 5},
                                             "end": {"line": 1000, "character": 0}},
                                   "text": "  restartPolicy: Sometimes\n"}]}),
    );
    let params = raw.diagnostics(uri, 2);
    assert_eq!(codes(&params), vec!["FLY101", "FLY105"], "{params}");
    raw.shutdown_and_exit();
}

#[test]
fn did_change_for_a_document_never_opened_is_ignored() {
    let mut raw = Raw::start(push_client());
    let uri = "file:///never-opened.yaml";
    raw.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                             "end": {"line": 0, "character": 0}}, "text": "x"}]}),
    );
    let log = raw.wait_log("not open");
    assert!(
        log.contains("didChange for a document that is not open"),
        "{log}"
    );
    assert_serving(&mut raw);
    assert!(
        raw.wait_for(|m| m["params"]["uri"] == uri, Duration::from_millis(500))
            .is_none(),
        "diagnostics for a document that was never opened"
    );
    raw.shutdown_and_exit();
}

#[test]
fn a_version_going_backwards_is_ignored() {
    let mut raw = Raw::start(push_client());
    let uri = "file:///versions.yaml";
    raw.did_open(uri, 5, POD_TEMPLATE);
    assert_eq!(codes(&raw.diagnostics(uri, 5)), vec!["FLY101"]);
    let change = |version: i64, text: &str| {
        json!({"textDocument": {"uri": uri, "version": version},
               "contentChanges": [{"range": {"start": {"line": 4, "character": 6},
                                             "end": {"line": 4, "character": 20}}, "text": text}]})
    };
    // Version 3 is older than 5: ignored, so the typo stays and nothing is published for it.
    raw.notify("textDocument/didChange", change(3, "imagePullPolicy"));
    raw.notify("textDocument/didChange", change(5, "imagePullPolicy"));
    // Version 6 replaces the same range: if 3 or 5 had been applied, the range would differ.
    raw.notify("textDocument/didChange", change(6, "imagePullPolicyy"));
    let params = raw.diagnostics(uri, 6);
    let message = params["diagnostics"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("`imagePullPolicyy`"), "{params}");
    assert!(
        raw.queued
            .iter()
            .all(|m| m["params"]["version"] != 3 && m["params"]["version"] != 5),
        "a publish for an ignored version: {:?}",
        raw.queued
    );
    raw.shutdown_and_exit();
}

#[test]
fn cancel_request_answers_request_cancelled_and_the_server_goes_on() {
    let mut raw = Raw::start(push_client());
    let uri = "file:///cancel.yaml";
    // Big enough that analysing it for code lenses takes a while.
    let item = "    - name: c{}\n      image: ghcr.io/acme/x:1\n      imagePulPolicy: Always\n";
    let mut text = String::from("primary_container_name: primary\npod_spec:\n  containers:\n");
    for i in 0..20_000 {
        text.push_str(&item.replace("{}", &i.to_string()));
    }
    raw.did_open(uri, 1, &text);
    let id = raw.send_request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    raw.notify("$/cancelRequest", json!({"id": id}));
    let resp = raw.response(id);
    assert_eq!(error_code(&resp), -32800, "{resp}");
    // Cancelling what is not pending (done, or never sent) is a no-op.
    raw.notify("$/cancelRequest", json!({"id": id}));
    raw.notify("$/cancelRequest", json!({"id": "no-such-request"}));
    assert_serving(&mut raw);
    raw.shutdown_and_exit();
}

// Panics --------------------------------------------------------------------------------------

/// Debug builds answer `flyte-lsp/debugPanic` by panicking (release builds do not have it).
#[cfg(debug_assertions)]
#[test]
fn a_panicking_handler_is_answered_with_an_internal_error_and_logged() {
    let mut raw = Raw::start(push_client());
    let uri = "file:///panic.yaml";
    raw.did_open(uri, 1, POD_TEMPLATE);
    assert_eq!(codes(&raw.diagnostics(uri, 1)), vec!["FLY101"]);
    for place in ["handler", "blocking", "handler"] {
        let resp = raw.call("flyte-lsp/debugPanic", json!({"in": place}));
        assert_eq!(error_code(&resp), -32603, "{place}: {resp}");
    }
    let log = raw.wait_log("a handler panicked");
    assert!(log.contains("a handler panicked"), "{log}");
    assert!(log.contains("a blocking task panicked"), "{log}");
    // Still serving, with its documents.
    raw.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 4, "character": 6},
                                             "end": {"line": 4, "character": 20}},
                                   "text": "imagePullPolicy"}]}),
    );
    assert_eq!(codes(&raw.diagnostics(uri, 2)), Vec::<String>::new());
    let hover = raw.call("textDocument/hover", hover_params(uri, 4, 8));
    assert!(hover["result"]["contents"].is_object(), "{hover}");
    raw.shutdown_and_exit();
}

/// A panic inside `initialize` itself (debug builds panic on request) is answered with an
/// internal error; the handshake can then be retried and the server serves as usual.
#[cfg(debug_assertions)]
#[test]
fn a_panic_inside_initialize_is_answered_and_the_handshake_can_be_retried() {
    let mut raw = Raw::spawn();
    let params = |panic: bool| {
        let mut p = json!({"processId": null, "rootUri": null, "capabilities": push_client()});
        if panic {
            p["initializationOptions"] = json!({"debugPanicInInitialize": true});
        }
        p
    };
    let resp = raw.call("initialize", params(true));
    assert_eq!(error_code(&resp), -32603, "{resp}");
    let log = raw.wait_log("a handler panicked");
    assert!(log.contains("a handler panicked"), "{log}");
    // Not initialized: other requests are refused as before any handshake.
    let early = raw.call("textDocument/hover", hover_params("file:///x.yaml", 0, 0));
    assert_eq!(error_code(&early), -32002, "{early}");
    let resp = raw.call("initialize", params(false));
    assert!(resp["result"]["capabilities"].is_object(), "{resp}");
    raw.notify("initialized", json!({}));
    let uri = "file:///retry.yaml";
    raw.did_open(uri, 1, POD_TEMPLATE);
    assert_eq!(codes(&raw.diagnostics(uri, 1)), vec!["FLY101"]);
    raw.shutdown_and_exit();
}
