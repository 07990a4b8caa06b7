"""The standard library's threaded HTTP server, for test servers that must stay quiet.

A client that hangs up early (a timeout test, a killed process) makes the
handler's write fail with a broken pipe. ``socketserver`` prints that as a
traceback on ``sys.stderr``, and a CLI test that captures stderr at that
moment finds a stranger's traceback in its output. A client going away is
normal for these servers; anything else still prints.
"""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from typing import Any


class QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)
