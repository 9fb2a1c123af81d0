"""A short LSP session with the `flyte-lsp` found on PATH (the one the wheel installed).

initialize, initialized, didOpen of a YAML file with a mistake, wait for its publishDiagnostics
with the expected code on the expected line, shutdown, exit; the server must exit with status 0.
Standard library only: it runs in the fresh venv that holds nothing but the wheel.

    python3 lsp_session.py FILE CODE LINE    (LINE 1-based, as editors show it)

Exits 0 and prints one line on success; exits 1 with what went wrong otherwise.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

TIMEOUT = 60.0


def send(proc: subprocess.Popen, message: dict) -> None:
    body = json.dumps(message).encode("utf-8")
    assert proc.stdin is not None
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def reader(stream, out: queue.Queue) -> None:
    """Frames from the server's stdout onto `out`; None at end of stream."""
    while True:
        length = None
        while True:
            line = stream.readline()
            if not line:
                out.put(None)
                return
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        if length is None:
            out.put({"error": "frame without Content-Length"})
            return
        out.put(json.loads(stream.read(length)))


def main(argv: list[str]) -> int:
    path, code, line = Path(argv[0]).resolve(), argv[1], int(argv[2])
    uri = path.as_uri()
    proc = subprocess.Popen(
        ["flyte-lsp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    frames: queue.Queue = queue.Queue()
    threading.Thread(target=reader, args=(proc.stdout, frames), daemon=True).start()

    def wait_for(what: str, matches) -> dict:
        """The next frame that `matches`; answers the server's own requests on the way."""
        while True:
            try:
                frame = frames.get(timeout=TIMEOUT)
            except queue.Empty:
                raise SystemExit(f"FAIL: no {what} within {TIMEOUT:.0f} s")
            if frame is None:
                raise SystemExit(f"FAIL: the server closed stdout before {what}")
            if "method" in frame and "id" in frame:
                # workspace/configuration wants one item per section; anything else, null.
                items = frame.get("params", {}).get("items")
                result = [None] * len(items) if frame["method"] == "workspace/configuration" else None
                send(proc, {"jsonrpc": "2.0", "id": frame["id"], "result": result})
                continue
            if matches(frame):
                return frame

    try:
        send(proc, {
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": None, "rootUri": path.parent.as_uri(), "capabilities": {}},
        })
        init = wait_for("initialize response", lambda f: f.get("id") == 1)
        if "result" not in init:
            raise SystemExit(f"FAIL: initialize failed: {init}")
        name = init["result"].get("serverInfo", {}).get("name")
        send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        send(proc, {
            "jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": {"textDocument": {
                "uri": uri, "languageId": "yaml", "version": 1,
                "text": path.read_text(encoding="utf-8"),
            }},
        })
        diags = wait_for(
            "publishDiagnostics",
            lambda f: f.get("method") == "textDocument/publishDiagnostics"
            and f["params"]["uri"] == uri,
        )["params"]["diagnostics"]
        found = [d for d in diags if d.get("code") == code and d["range"]["start"]["line"] == line - 1]
        if not found:
            seen = [(d.get("code"), d["range"]["start"]["line"] + 1) for d in diags]
            raise SystemExit(f"FAIL: no {code} on line {line}; published (code, line): {seen}")
        send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        wait_for("shutdown response", lambda f: f.get("id") == 2)
        send(proc, {"jsonrpc": "2.0", "method": "exit"})
        status = proc.wait(timeout=TIMEOUT)
        if status != 0:
            raise SystemExit(f"FAIL: the server exited with status {status} after exit")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    print(f"ok: {name} published {code} at {path.name}:{line} ({len(diags)} diagnostics), exit 0")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
