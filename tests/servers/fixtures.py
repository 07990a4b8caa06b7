"""Session-scoped real servers on 127.0.0.1 for transport tests (pytest plugin)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from servers import sshd


@pytest.fixture(scope="session")
def sshd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sshd.Sshd]:
    if not sshd.available():
        pytest.skip("OpenSSH sshd not installed (run scripts/test-servers.sh)")
    server = sshd.start(tmp_path_factory.mktemp("sshd") / "srv")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def password_sftp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from servers import sftp_password

    server = sftp_password.start(tmp_path_factory.mktemp("sftp-password"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from servers import certs

    return certs.make(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def http_server_session(tls_cert: tuple[Path, Path]) -> Iterator[tuple[Any, Any]]:
    from servers.http import Server

    plain, secure = Server(), Server(tls_cert)
    yield plain, secure
    plain.stop()
    secure.stop()


@pytest.fixture
def http_server(http_server_session: tuple[Any, Any]) -> Any:
    """The plain HTTP server, its state reset for this test."""
    http_server_session[0].state.reset()
    return http_server_session[0]


@pytest.fixture
def https_server(http_server_session: tuple[Any, Any]) -> Any:
    http_server_session[1].state.reset()
    return http_server_session[1]


@pytest.fixture(scope="session")
def ftp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from servers import ftp

    server = ftp.start(tmp_path_factory.mktemp("ftp"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ftps_server(tmp_path_factory: pytest.TempPathFactory, tls_cert: tuple[Path, Path]) -> Iterator[Any]:
    from servers import ftp

    server = ftp.start(tmp_path_factory.mktemp("ftps"), tls_cert)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_server_session(tls_cert: tuple[Path, Path]) -> Iterator[tuple[Any, Any]]:
    from servers import smtp
    from servers.sshd import free_port

    controller, mailbox = smtp.start(free_port(), tls_cert)
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def smtp_server(smtp_server_session: tuple[Any, Any]) -> tuple[Any, Any]:
    """(controller, mailbox), the mailbox emptied for this test."""
    smtp_server_session[1].envelopes.clear()
    return smtp_server_session


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A PostgreSQL cluster for the session; missing binaries fail the test (CI installs them), never skip."""
    from servers import postgres

    try:
        server = postgres.start()
    except FileNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: Any) -> Iterator[str]:
    """The URL of a fresh, empty database for this test, dropped (WITH FORCE) afterwards."""
    url: str = pg_server.create_database()
    yield url
    pg_server.drop_database(url)
