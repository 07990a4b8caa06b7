"""A throw-away PostgreSQL cluster from the distribution on a high loopback port.

``.ci/run`` installs Debian's ``postgresql`` package when ``initdb`` is missing.
The cluster lives in a temp dir, trusts every local login as ``postgres`` and
runs without fsync (test data only), on tmpfs (/dev/shm) where there is one: a
database per test then costs ~30 ms instead of ~300 ms on disk (a benchmark
comparing engines passes ``base``, a dir on disk, to be fair to sqlite).
``initdb`` and ``pg_ctl`` refuse to run as root, so as root they run as the
``postgres`` user (``runuser``), which owns the dir. Each test gets its own
database (``create_database``), dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from servers.sshd import free_port

SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    " -c full_page_writes=off -c max_connections=200 -c max_wal_size=256MB -c min_wal_size=32MB"
)
TMPFS = Path("/dev/shm")
DISTRO_BINDIRS = "/usr/lib/postgresql/*/bin"  # Debian's layout: one dir per major version
MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH nor under /usr/lib/postgresql/*/bin: "
    "install the distribution's postgresql package (.ci/run does: apt-get install postgresql)"
)


def bindir() -> Path | None:
    """Where initdb and pg_ctl are: PATH first, then the newest /usr/lib/postgresql/N/bin."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).resolve().parent == Path(pg_ctl).resolve().parent:
        return Path(initdb).resolve().parent
    found = [Path(p).parent for p in glob.glob(f"{DISTRO_BINDIRS}/initdb") if Path(p).with_name("pg_ctl").exists()]
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, default=None)


def kill_connections(url: str) -> int:
    """End every other session on ``url``'s database (a host dying); returns how many ended."""
    dbname = str(conninfo_to_dict(url)["dbname"])
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        ).fetchall()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # pg_terminate_backend only signals: wait until they are gone
            left = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,)
            ).fetchone()
            if left is None or left[0] == 0:
                break
            time.sleep(0.01)
    return sum(1 for (ended,) in rows if ended)


@dataclass
class PgServer:
    """A running cluster: its port, data dir and the user the server runs as."""

    port: int
    root: Path
    bindir: Path
    as_root: bool

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        """A fresh, empty, uniquely named database; returns its URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = str(conninfo_to_dict(url)["dbname"])
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def stop(self) -> None:
        run(self, "pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-s", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def run(server: PgServer, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [str(server.bindir / tool), *args]
    if server.as_root:
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(
        command, cwd=server.root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def start(base: Path | None = None) -> PgServer:
    """initdb a cluster in a new dir under ``base`` (tmpfs, else the temp dir) and start it on a free loopback port (~1 s)."""
    bins = bindir()
    if bins is None:
        raise FileNotFoundError(MISSING)
    if base is None and TMPFS.is_dir() and os.access(TMPFS, os.W_OK):
        base = TMPFS
    root = Path(tempfile.mkdtemp(prefix="flowkit-pg-", dir=base))
    server = PgServer(port=0, root=root, bindir=bins, as_root=os.geteuid() == 0)
    try:
        if server.as_root:
            shutil.chown(root, "postgres", "postgres")
        run(server, "initdb", "-D", str(server.datadir), "-A", "trust", "-U", "postgres", "--locale=C", "-E", "UTF8", "-N")
        for _attempt in range(5):  # another process may take the free port before the server binds it
            server.port = free_port()
            options = f"{SERVER_OPTIONS} -k {root} -p {server.port}"
            log = str(root / "server.log")
            if (
                run(
                    server, "pg_ctl", "-D", str(server.datadir), "-l", log, "-w", "-s", "-o", options, "start", check=False
                ).returncode
                == 0
            ):
                return server
        raise RuntimeError(f"PostgreSQL did not start: {(root / 'server.log').read_text(errors='replace')[-2000:]}")
    except BaseException:
        server.stop()
        raise
