"""A local SMS gateway for development and tests, speaking the generic JSON API of `congso.notifications.sms`.

    python -m congso.notifications.sms_simulator --port 8091 [--api-key KEY]

- POST /send      a message (JSON: to, from, text, unicode, request_id); 202 {"id": …} when accepted;
                  401 with a wrong API key, 400 for a malformed message or a number that is not 84xxxxxxxxx
- GET  /messages  every accepted message, oldest first (JSON list); DELETE /messages empties it
- POST /control   {"fail_next": n, "status": 503} answers the next n messages with that status (errors on demand);
                  {"refuse": "84…"} refuses that number for good with 400
- GET  /health    "ok"
Port 0 picks a free port; the first line printed is "listening on http://host:port".
"""

from __future__ import annotations

import argparse
import hmac
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MSISDN = re.compile(r"^84\d{9,10}$")


class Store:
    def __init__(self, api_key: str = ""):
        self.api_key = api_key
        self.messages: list[dict] = []
        self.fail_next = 0
        self.fail_status = 503
        self.refused: set[str] = set()
        self.attempts = 0
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    store: Store  # set on the subclass made by `serve`
    server_version = "congso-sms-simulator/1"

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        sys.stderr.write("sms-simulator: " + (format % args) + "\n")

    def _answer(self, status: int, body) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        try:
            length = min(int(self.headers.get("Content-Length") or 0), 100_000)
            return json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            return None

    def do_GET(self):  # noqa: N802 - the stdlib's name
        if self.path == "/messages":
            with self.store.lock:
                return self._answer(200, list(self.store.messages))
        if self.path == "/health":
            return self._answer(200, "ok")
        return self._answer(404, {"error": "not found"})

    def do_DELETE(self):  # noqa: N802
        if self.path == "/messages":
            with self.store.lock:
                self.store.messages.clear()
            return self._answer(200, {"deleted": True})
        return self._answer(404, {"error": "not found"})

    def do_POST(self):  # noqa: N802
        if self.path == "/control":
            body = self._body() or {}
            with self.store.lock:
                if "fail_next" in body:
                    self.store.fail_next = int(body["fail_next"])
                    self.store.fail_status = int(body.get("status", 503))
                if body.get("refuse"):
                    self.store.refused.add(str(body["refuse"]))
            return self._answer(200, {"fail_next": self.store.fail_next})
        if self.path != "/send":
            return self._answer(404, {"error": "not found"})
        given = self.headers.get("Authorization", "")
        if self.store.api_key and not hmac.compare_digest(given, f"Bearer {self.store.api_key}"):
            return self._answer(401, {"error": "invalid API key"})
        body = self._body()
        with self.store.lock:
            self.store.attempts += 1
            if self.store.fail_next > 0:
                self.store.fail_next -= 1
                return self._answer(self.store.fail_status, {"error": "simulated failure"})
            if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"]:
                return self._answer(400, {"error": "text is required"})
            to = str(body.get("to", ""))
            if not MSISDN.match(to):
                return self._answer(400, {"error": "to must be 84xxxxxxxxx"})
            if to in self.store.refused:
                return self._answer(400, {"error": "number refused"})
            message = {"id": len(self.store.messages) + 1, "to": to, "from": str(body.get("from", "")),
                       "text": body["text"], "unicode": bool(body.get("unicode")),
                       "request_id": str(body.get("request_id", ""))}
            self.store.messages.append(message)
        return self._answer(202, {"id": message["id"], "status": "accepted"})


def serve(host: str, port: int, api_key: str = "") -> ThreadingHTTPServer:
    store = Store(api_key)
    handler = type("BoundHandler", (Handler,), {"store": store})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m congso.notifications.sms_simulator",
                                     description="A local SMS gateway that stores what it receives.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091, help="0 picks a free port (printed on the first line)")
    parser.add_argument("--api-key", default="", help="require `Authorization: Bearer <key>`")
    args = parser.parse_args(argv)
    server = serve(args.host, args.port, args.api_key)
    print(f"listening on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
