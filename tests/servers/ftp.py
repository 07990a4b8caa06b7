"""pyftpdlib FTP and FTPS (explicit TLS, protected data channel required) servers in threads."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

USER, PASSWORD = "flowkit", "ftp-secret"


@dataclass
class FtpServer:
    server: Any
    thread: threading.Thread
    home: Path
    tls: bool
    stopping: threading.Event

    @property
    def port(self) -> int:
        return int(self.server.address[1])

    def url(self, folder: str = "") -> str:
        scheme = "ftps" if self.tls else "ftp"
        return f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{folder}"

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)


def start(home: Path, cert: tuple[Path, Path] | None = None) -> FtpServer:
    import warnings

    with warnings.catch_warnings():  # pyftpdlib still imports asyncore/asynchat on Python 3.11
        warnings.simplefilter("ignore", DeprecationWarning)
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
        from pyftpdlib.ioloop import IOLoop
        from pyftpdlib.servers import FTPServer

    logging.getLogger("pyftpdlib").setLevel(logging.ERROR)
    home.mkdir(parents=True, exist_ok=True)
    authorizer = DummyAuthorizer()
    authorizer.add_user(USER, PASSWORD, str(home), perm="elradfmwMT")
    base: Any = TLS_FTPHandler if cert else FTPHandler
    attrs: dict[str, Any] = {"authorizer": authorizer, "passive_ports": None, "auth_failed_timeout": 0}
    if cert:
        attrs.update(certfile=str(cert[0]), keyfile=str(cert[1]), tls_control_required=True, tls_data_required=True)
    handler = type("Handler", (base,), attrs)
    server = FTPServer(("127.0.0.1", 0), handler, ioloop=IOLoop())  # one loop per server thread
    stopping = threading.Event()

    def loop() -> None:
        while not stopping.is_set():
            server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        server.close_all()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return FtpServer(server, thread, home, cert is not None, stopping)
