"""The HTTP server: the standard library's ThreadingHTTPServer behind the receiver's limits.

One thread per connection, at most ``max_connections`` (a connection beyond
is answered 503 at once and closed); HTTP/1.1 keep-alive; every read under
``guard.DeadlineReader``. A post is answered only when its body is kept (202)
or refused (4xx, 503). ``stop`` is the graceful end (SIGTERM, SIGINT): no new
connection is taken, idle keep-alive connections are closed, posts in flight
are finished and answered (``Connection: close``), then it returns.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import orjson

from flowkit.receive import auth, body
from flowkit.receive.accept import Acceptor, Answer
from flowkit.receive.config import Route, Settings
from flowkit.receive.guard import MIN_RATE, DeadlineReader, RateLimiter
from flowkit.receive.keys import VALID
from flowkit.receive.report import Report
from flowkit.receive.spool import DiskFull

_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
SWEEP_EVERY = 3600.0


class ReceiveServer(ThreadingHTTPServer):
    """The listening socket, the connections' threads and what they share."""

    daemon_threads = False
    block_on_close = True
    request_queue_size = 128

    def __init__(self, settings: Settings, report: Report) -> None:
        self.settings = settings
        self.report = report
        self.acceptor = Acceptor()
        self.limiter = RateLimiter(settings.rate_limit)
        self.stopping = False
        self._lock = threading.Lock()
        self._idle: dict[Handler, bool] = {}
        self.active = 0  # connections taken, whose threads run
        self._swept = time.monotonic()
        if ":" in settings.host:
            self.address_family = socket.AF_INET6
        super().__init__((settings.host, settings.port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            full = self.active >= self.settings.max_connections
            self.active += not full
        if full:
            _refuse(request)
            self.report.error(503, "-", client_address[0], "too many connections, refused")
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self.active -= 1

    def mark(self, handler: Handler, idle: bool | None) -> bool:
        """Note whether ``handler`` waits for a request (None: it is done); False when it should close instead."""
        with self._lock:
            if idle is None:
                self._idle.pop(handler, None)
                return False
            self._idle[handler] = idle
            return not (self.stopping and idle)

    def stop(self) -> None:
        """Take no new connection, close the idle ones, wait for the posts in flight."""
        with self._lock:
            self.stopping = True
            idle = [h for h, waiting in self._idle.items() if waiting]
        for handler in idle:
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server_close()  # closes the listening socket, then joins the connections' threads

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A handler's unexpected error: one line (the connection is closed), never a traceback on stderr."""
        import sys

        error = sys.exc_info()[1]
        self.report.error(500, "-", client_address[0], f"{type(error).__name__}: {error}")
        if self.report.verbosity >= 2:  # -vv: the traceback of what is a bug
            import traceback

            traceback.print_exc()

    def service_actions(self) -> None:
        """Between polls of the listening socket: the hourly sweep of old Idempotency-Key records."""
        if time.monotonic() - self._swept >= SWEEP_EVERY:
            self._swept = time.monotonic()
            self.sweep()

    def sweep(self) -> int:
        return sum(self.acceptor.keys.sweep(route.inbox) for route in self.settings.routes.values())


def _refuse(request: socket.socket) -> None:
    try:
        request.setblocking(False)
        request.send(_BUSY)
    except OSError:
        pass


class Handler(BaseHTTPRequestHandler):
    """One connection: its requests one after the other (keep-alive)."""

    server: ReceiveServer
    protocol_version = "HTTP/1.1"
    server_version = "flowkit-receive"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        self.reader = DeadlineReader(self.connection, self.server.settings.read_timeout)
        self.rfile = io.BufferedReader(self.reader, 65536)

    def finish(self) -> None:
        self.server.mark(self, None)
        super().finish()

    def handle_one_request(self) -> None:
        self.reader.until(self.server.settings.read_timeout)  # the request line and headers, idle wait included
        if not self.server.mark(self, idle=True):
            self.close_connection = True
            return
        super().handle_one_request()

    def parse_request(self) -> bool:
        self.server.mark(self, idle=False)
        return super().parse_request()

    def handle_expect_100(self) -> bool:
        return True  # the 100 Continue is sent by do_POST, once the route, token and size are known good

    def do_POST(self) -> None:
        started = time.perf_counter()
        route = self.server.settings.routes.get(urlsplit(self.path).path)
        answer, size = self._post(route)
        try:
            self._send(answer)
        except OSError:  # the client is gone: what was kept stays kept (a retry with its key gets the same answer)
            self.close_connection = True
        self.server.report.post(answer, route, self.path, self.client_address[0], size, time.perf_counter() - started)

    def _post(self, route: Route | None) -> tuple[Answer, int]:
        if route is None:
            return Answer.error(404, "no route here", close=True), 0
        settings, headers = self.server.settings, self.headers
        wait = self.server.limiter.allow(self.client_address[0])
        if wait:
            return Answer.error(429, "too many posts, slow down", close=True, Retry_After=str(max(1, round(wait)))), 0
        length = self._length(route)
        if isinstance(length, Answer):
            return length, 0
        key = headers.get("Idempotency-Key")
        if key is not None and not VALID.match(key):
            return Answer.error(400, "Idempotency-Key must be 1 to 255 visible ASCII characters", close=True), 0
        try:
            auth.check_bearer(route, headers)
            if headers.get("Content-Type"):
                body.media_format(headers.get("Content-Type"), b"")
        except auth.Refused as exc:
            return Answer.error(exc.status, exc.reason, close=True), 0
        except body.UnsupportedType as exc:
            return Answer.error(415, exc.format_message(), close=True), 0
        if headers.get("Expect", "").lower() == "100-continue":
            self.send_response_only(100)
            self.end_headers()
        self.reader.until(settings.read_timeout + length / MIN_RATE)
        try:
            data = self.rfile.read(length)
        except TimeoutError:
            return Answer.error(408, "the body did not arrive in time", close=True), 0
        except ConnectionError:
            data = b""
        if len(data) < length:
            return Answer.error(400, "the body is shorter than its Content-Length", close=True), len(data)
        return self._checked(route, data, key), length

    def _length(self, route: Route) -> int | Answer:
        if self.headers.get("Transfer-Encoding"):
            return Answer.error(411, "send a Content-Length (chunked bodies are not taken)", close=True)
        raw = self.headers.get("Content-Length")
        if raw is None:
            return Answer.error(411, "send a Content-Length", close=True)
        if not raw.strip().isdigit():
            return Answer.error(400, "Content-Length is not a number", close=True)
        length = int(raw)
        if length > route.max_body_size:
            return Answer.error(413, f"the body is over this route's limit of {route.max_body_size} bytes", close=True)
        return length

    def _checked(self, route: Route, data: bytes, key: str | None) -> Answer:
        from flowkit.errors import InputError

        try:
            auth.check_signature(route, self.headers, data)
            checked = body.check(data, self.headers.get("Content-Type"), route.kind)
        except auth.Refused as exc:
            return Answer.error(exc.status, exc.reason)
        except body.UnsupportedType as exc:
            return Answer.error(415, exc.format_message())
        except InputError as exc:
            return Answer.error(400, exc.format_message())
        try:
            return self.server.acceptor.accept(route, data, checked, key)
        except DiskFull as exc:
            return Answer.error(503, f"{exc}: nothing was kept, send it again later", Retry_After="60")
        except OSError as exc:
            return Answer.error(503, f"the inbox could not be written ({exc.strerror}): nothing was kept", Retry_After="60")

    def _send(self, answer: Answer) -> None:
        if answer.close or self.server.stopping:
            self.close_connection = True
        payload = orjson.dumps(answer.body) + b"\n"
        self.connection.settimeout(self.server.settings.read_timeout)
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def _not_post(self) -> None:
        route = self.server.settings.routes.get(urlsplit(self.path).path)
        if route is None:
            answer = Answer.error(404, "no route here", close=True)
        else:
            answer = Answer.error(405, "this route takes POST", close=True, Allow="POST")
        self._send(answer)
        self.server.report.post(answer, route, self.path, self.client_address[0], 0, 0.0)

    do_GET = do_PUT = do_PATCH = do_DELETE = _not_post

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return  # one line per post: Report.post

    def log_message(self, format: str, *args: Any) -> None:
        """The standard library's own complaints (a request line that is no HTTP, a timeout)."""
        self.server.report.error(0, "-", self.client_address[0], format % args)
