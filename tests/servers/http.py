"""A local HTTP(S) server that stores what is POSTed/PUT and can be told to misbehave.

Default behaviour: POST/PUT store the body under the path and answer 201
(a repeated ``Idempotency-Key`` gets the first answer again without storing
twice); GET answers 200 with ``{"found": true, "id": PATH}`` or 404. A
``script`` of actions per path overrides the next requests: ``(status,
headers, body)``, ``("hang", seconds)`` (answer late), ``("drop",)`` (read
the request, close without answering, after storing it: the lost-reply case).
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from servers.quiet import QuietHTTPServer


@dataclass
class State:
    stored: dict[str, bytes] = field(default_factory=dict)
    creates: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: defaultdict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(list))
    seen_keys: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.stored.clear()
            self.creates.clear()
            self.requests.clear()
            self.script.clear()
            self.seen_keys.clear()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self) -> None:
        state = self.server.state
        data = self._body() if self.command in ("POST", "PUT") else b""
        with state.lock:
            state.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": data})
            action = state.script[self.path].pop(0) if state.script[self.path] else None
        if action and action[0] == "hang":
            time.sleep(action[1])
        elif action and action[0] == "drop":
            self._store(data)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        elif action:
            status, headers, body = action
            self._answer(status, body.encode() if isinstance(body, str) else body, headers)
            return
        if self.command == "GET":
            found = self.path in state.stored
            self._answer(
                200 if found else 404,
                json.dumps({"found": found, "id": self.path}).encode(),
                {"Content-Type": "application/json"},
            )
            return
        key = self.headers.get("Idempotency-Key")
        if key and key in state.seen_keys:
            status, body = state.seen_keys[key]
            self._answer(status, body, {"Idempotent-Replayed": "true"})
            return
        self._store(data)
        body = json.dumps({"id": self.path}).encode()
        if key:
            state.seen_keys[key] = (201, body)
        self._answer(201, body, {"Location": self.path, "Content-Type": "application/json"})

    def _store(self, data: bytes) -> None:
        state = self.server.state
        with state.lock:
            state.stored[self.path] = data
            state.creates[self.path] += 1
            key = self.headers.get("Idempotency-Key")
            if key:
                state.seen_keys[key] = (201, json.dumps({"id": self.path}).encode())

    do_GET = do_POST = do_PUT = _handle


class Server(QuietHTTPServer):
    daemon_threads = True

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = State()
        self.scheme = "http"
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            self.socket = context.wrap_socket(self.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
