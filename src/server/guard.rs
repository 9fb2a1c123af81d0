//! The server's last lines of defence: a panic in any handler becomes a JSON-RPC error (the
//! server keeps serving), and a document above the size ceiling gets one notice instead of an
//! analysis. Nothing here knows about features; it wraps them.
//!
//! Why a wrapper: tower-lsp-server 0.23 polls handler futures inside its `serve` loop without
//! `catch_unwind`, so one panicking handler would unwind through `serve` and end the process.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use tower::Service;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, Position, Range};
use tower_lsp_server::{ClientSocket, LspService};

use super::store::{Snapshot, MAX_DOCUMENT_BYTES};
use super::{transport, Backend};

/// The service `run_stdio` serves: the backend's handlers (plus, in debug builds, the
/// `flyte-lsp/debugPanic` request that tests use) behind a [`CatchPanic`].
pub(super) fn service(
    init: impl FnOnce(tower_lsp_server::Client) -> Backend,
) -> (CatchPanic<LspService<Backend>>, ClientSocket) {
    let builder = LspService::build(init)
        .custom_method(transport::INVALID_MESSAGE, Backend::invalid_message)
        .custom_method(transport::DID_OPEN_HANDOFF, Backend::did_open_handoff);
    #[cfg(debug_assertions)]
    let builder = builder.custom_method(DEBUG_PANIC, Backend::debug_panic);
    let (service, socket) = builder.finish();
    (CatchPanic { inner: service }, socket)
}

/// Wraps a JSON-RPC service so that a panic while creating or polling a handler's future is
/// caught: it is logged, a request is answered with `InternalError`, a notification is dropped,
/// and the next message is served as usual.
///
/// `AssertUnwindSafe` is sound enough here because the shared state survives a panic: the
/// document store and the other locks recover from poisoning (`unwrap_or_else(into_inner)`),
/// and every handler re-reads the state it needs. The price of one panicked request is that
/// tower-lsp-server keeps its id in the pending-request table (a few bytes).
pub struct CatchPanic<S> {
    inner: S,
}

impl<S> Service<Request> for CatchPanic<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Guarded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let id = req.id().cloned();
        let method = req.method().to_string();
        let inner = catch_unwind(AssertUnwindSafe(|| self.inner.call(req))).map(Box::pin);
        Guarded { inner, id, method }
    }
}

/// The future of one guarded request; see [`CatchPanic`].
pub struct Guarded<F> {
    /// `Err` when creating the handler's future already panicked.
    inner: std::thread::Result<Pin<Box<F>>>,
    id: Option<Id>,
    method: String,
}

impl<F, E> Future for Guarded<F>
where
    F: Future<Output = Result<Option<Response>, E>>,
{
    type Output = Result<Option<Response>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let payload = match &mut this.inner {
            Ok(fut) => match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
                // tower-lsp-server drops unknown `$/` methods silently, requests included; the
                // specification wants a request answered with `MethodNotFound`.
                Ok(Poll::Ready(Ok(None))) if this.method.starts_with("$/") => {
                    return Poll::Ready(Ok(this
                        .id
                        .take()
                        .map(|id| Response::from_error(id, Error::method_not_found()))));
                }
                Ok(poll) => return poll,
                Err(payload) => payload,
            },
            Err(payload) => std::mem::replace(payload, Box::new(())),
        };
        let message = panic_message(payload.as_ref());
        tracing::error!(method = %this.method, panic = %message, "a handler panicked; answered with an internal error");
        Poll::Ready(Ok(this.id.take().map(|id| {
            Response::from_error(
                id,
                Error {
                    code: ErrorCode::InternalError,
                    message: format!(
                        "flyte-lsp: internal error while handling `{}`: {message}",
                        this.method
                    )
                    .into(),
                    data: None,
                },
            )
        })))
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Most diagnostics published for one document. A 10 MB file of unknown fields has a million;
/// as JSON that is a few hundred megabytes per keystroke, which no editor can show anyway.
pub const MAX_PUBLISHED_DIAGNOSTICS: usize = 10_000;

/// The LSP form of `diagnostics` (sorted by position): the first
/// [`MAX_PUBLISHED_DIAGNOSTICS`], and then one information diagnostic saying how many more
/// there are (`check` reports them all).
pub(super) fn capped(
    snap: &Snapshot,
    diagnostics: &[crate::analysis::Diagnostic],
    enc: crate::text::Encoding,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = diagnostics
        .iter()
        .take(MAX_PUBLISHED_DIAGNOSTICS)
        .map(|d| super::convert::diagnostic(snap, d, enc))
        .collect();
    if let Some(rest) = diagnostics.len().checked_sub(MAX_PUBLISHED_DIAGNOSTICS) {
        if rest > 0 {
            let at = out.last().map(|d| d.range).unwrap_or_default();
            out.push(Diagnostic {
                range: Range::new(at.end, at.end),
                severity: Some(DiagnosticSeverity::INFORMATION),
                source: Some("flyte-lsp".to_string()),
                message: format!(
                    "flyte-lsp: {rest} more problems in this document are not shown \
                     (at most {MAX_PUBLISHED_DIAGNOSTICS}); `flyte-lsp check` lists them all"
                ),
                ..Diagnostic::default()
            });
        }
    }
    out
}

/// The one diagnostic of a document above [`MAX_DOCUMENT_BYTES`]: an information at its
/// start saying that it is not analysed, and why. `None` for documents within the ceiling.
pub(super) fn size_notice(snap: &Snapshot) -> Option<Diagnostic> {
    if !snap.too_large() {
        return None;
    }
    tracing::info!(
        version = snap.version,
        bytes = snap.text.len(),
        "document above the size ceiling: not analysed"
    );
    Some(Diagnostic {
        range: Range::new(Position::new(0, 0), Position::new(0, 0)),
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some("flyte-lsp".to_string()),
        message: format!(
            "flyte-lsp: this document is {:.1} MiB, above the {} MiB limit, so it is not checked",
            snap.text.len() as f64 / (1024.0 * 1024.0),
            MAX_DOCUMENT_BYTES / (1024 * 1024)
        ),
        ..Diagnostic::default()
    })
}

impl Backend {
    /// Answers the request that `transport` puts in place of a malformed message: always the
    /// JSON-RPC error it carries.
    async fn invalid_message(
        &self,
        params: serde_json::Value,
    ) -> tower_lsp_server::jsonrpc::Result<serde_json::Value> {
        let code = params["code"].as_i64().unwrap_or(transport::PARSE_ERROR);
        let message = params["message"].as_str().unwrap_or("malformed message");
        Err(Error {
            code: ErrorCode::from(code),
            message: message.to_string().into(),
            data: None,
        })
    }
}

/// A request that only debug builds answer, by panicking: the protocol tests use it to prove
/// that a panicking handler is answered with an error and the server keeps serving.
#[cfg(debug_assertions)]
pub const DEBUG_PANIC: &str = "flyte-lsp/debugPanic";

/// Debug builds panic in `initialize` when its `initializationOptions` hold
/// `{"debugPanicInInitialize": true}`, so that a test can show that a failed handshake is
/// answered with an error and can be retried (tower-lsp-server sets its state only when the
/// handler returns, so after the panic it is still uninitialized).
#[cfg(debug_assertions)]
pub(super) fn debug_panic_in_initialize(params: &tower_lsp_server::ls_types::InitializeParams) {
    let asked = params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("debugPanicInInitialize"))
        .and_then(serde_json::Value::as_bool);
    if asked == Some(true) {
        panic!("debugPanicInInitialize");
    }
}

#[cfg(debug_assertions)]
impl Backend {
    /// `{"in": "handler"}` panics in the handler itself; `{"in": "blocking"}` panics in
    /// blocking work run as an analysis is ([`super::in_place`]), which must become an
    /// internal error too.
    async fn debug_panic(
        &self,
        params: serde_json::Value,
    ) -> tower_lsp_server::jsonrpc::Result<serde_json::Value> {
        if params.get("in").and_then(|v| v.as_str()) == Some("blocking") {
            // Through the helper the analyses run in, so its panic path is the one tested.
            return super::in_place(|| -> serde_json::Value {
                panic!("flyte-lsp/debugPanic in a blocking task")
            })
            .await
            .ok_or_else(|| {
                tracing::error!("a blocking task panicked");
                Error::internal_error()
            });
        }
        panic!("flyte-lsp/debugPanic in a handler")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    /// A service whose handlers panic for method `boom`, and answer `null` otherwise.
    struct Flaky;

    impl Service<Request> for Flaky {
        type Response = Option<Response>;
        type Error = ();
        type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, ()>> + Send>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, req: Request) -> Self::Future {
            if req.method() == "sync-boom" {
                panic!("before the future");
            }
            let boom = req.method() == "boom";
            let id = req.id().cloned();
            Box::pin(async move {
                if boom {
                    panic!("inside the future");
                }
                Ok(id.map(|id| Response::from_ok(id, serde_json::Value::Null)))
            })
        }
    }

    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }

    fn run(service: &mut CatchPanic<Flaky>, req: Request) -> Option<Response> {
        let waker = Arc::new(Noop).into();
        let mut cx = Context::from_waker(&waker);
        let mut fut = Box::pin(service.call(req));
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(r)) => r,
            other => panic!("not ready: {:?}", other.is_pending()),
        }
    }

    fn request(method: &'static str, id: i64) -> Request {
        Request::build(method).id(id).finish()
    }

    fn is_internal_error(resp: &Option<Response>, id: i64) -> bool {
        let json = serde_json::to_value(resp).unwrap_or_default();
        json["id"] == id && json["error"]["code"] == -32603
    }

    #[test]
    fn a_panicking_handler_is_answered_with_an_internal_error_and_service_goes_on() {
        let mut service = CatchPanic { inner: Flaky };
        assert!(is_internal_error(&run(&mut service, request("boom", 1)), 1));
        assert!(is_internal_error(
            &run(&mut service, request("sync-boom", 2)),
            2
        ));
        let ok = serde_json::to_value(run(&mut service, request("fine", 3))).unwrap_or_default();
        assert_eq!(ok["id"], 3);
        assert!(ok.get("error").is_none(), "{ok}");
    }

    #[test]
    fn a_panicking_notification_gets_no_answer() {
        let mut service = CatchPanic { inner: Flaky };
        let note = Request::build("boom").finish();
        assert!(run(&mut service, note).is_none());
    }
}
