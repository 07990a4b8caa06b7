"""Session-scoped real servers on 127.0.0.1 for transport tests (pytest plugin)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from servers import sshd


@pytest.fixture(scope="session")
def sshd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sshd.Sshd]:
    if not sshd.available():
        pytest.skip("OpenSSH sshd not installed (run scripts/test-servers.sh)")
    server = sshd.start(tmp_path_factory.mktemp("sshd") / "srv")
    yield server
    server.stop()
