"""OpenSSH sshd from the distribution on a high loopback port with its own config and keys.

Install it with scripts/test-servers.sh. The server logs every SFTP open and
rename (``internal-sftp``) so tests can count deliveries as the
server saw them.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"server on port {port} did not start")


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip() if path.suffix else Path(f"{path}.pub").read_text().strip()


@dataclass
class Sshd:
    """A running sshd: where it listens, who may log in with which key, and its log."""

    port: int
    user: str
    home: Path
    client_key: Path
    known_hosts: Path
    host_pub: str
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def upload(self) -> Path:
        return self.home / "upload"

    def url(self, folder: str = "upload") -> str:
        return (
            f"sftp://{self.user}@127.0.0.1:{self.port}{self.home}/{folder}/"
            f"?key_file={self.client_key}&known_hosts={self.known_hosts}"
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=5)

    def restart(self) -> None:
        """Start the stopped server again: same port, host key and users (an outage that ends)."""
        with self.log.open("ab") as err:
            self.process = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(self.home / "sshd_config")], stdout=subprocess.DEVNULL, stderr=err
            )
        wait_port(self.port)


def available() -> bool:
    return os.path.exists(SSHD) and shutil.which("ssh-keygen") is not None


def start(home: Path) -> Sshd:
    home.mkdir(parents=True, exist_ok=True)
    (home / "upload").mkdir()
    host_pub = keygen(home / "host_ed25519")
    client_pub = keygen(home / "client_ed25519")
    (home / "authorized_keys").write_text(client_pub + "\n")
    port = free_port()
    config = home / "sshd_config"
    config.write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {home}/host_ed25519
PidFile {home}/sshd.pid
AuthorizedKeysFile {home}/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
MaxStartups 200:30:400
MaxSessions 50
LogLevel INFO
Subsystem sftp internal-sftp
""")
    known = home / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {' '.join(host_pub.split()[:2])}\n")
    os.makedirs("/run/sshd", exist_ok=True)
    log = home / "sshd.log"
    with log.open("wb") as err:
        process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=err)
    wait_port(port)
    return Sshd(port, getpass.getuser(), home, home / "client_ed25519", known, host_pub, log, process)
