"""[alerts] on "down": a destination that stays down (or refuses) is told, once per run after down_after, until it is back.

Real parts only: an sshd of the test's own, stopped and started again (the outage), the suite's sshd with a
known_hosts that does not know it (refused, 69), an HTTP destination on a port nothing listens on, then the
suite's HTTP server; alerts by mail to the suite's aiosmtpd (STARTTLS + AUTH) or into a hotfolder.
"""

from __future__ import annotations

import email
import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke, record_line, records, store_rows
from servers import sshd
from servers.smtp import PASSWORD, USER
from servers.sshd import free_port

Write = Callable[..., Path]
SMTP_ENV = {"SMTP_PASSWORD": PASSWORD}


@pytest.fixture
def own_sshd(tmp_path: Path) -> Iterator[sshd.Sshd]:
    """An sshd of this test's own: stopping it is an outage no other test sees."""
    if not sshd.available():
        pytest.skip("OpenSSH sshd not installed (run scripts/test-servers.sh)")
    server = sshd.start(tmp_path / "srv")
    yield server
    if server.process.poll() is None:
        server.stop()


def mail_destination(smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path]) -> str:
    return (
        f'[destinations.ops-mail]\ntype = "email"\nhost = "127.0.0.1"\nport = {smtp_server[0].port}\n'
        f'username = "{USER}"\npassword = "${{SMTP_PASSWORD}}"\nfrom = "{USER}"\nto = "ops@example.com"\n'
        f'ca_file = "{tls_cert[0]}"\n\n'
    )


def sftp_destination(server: sshd.Sshd, name: str = "mis-sftp", known_hosts: Path | None = None) -> str:
    return (
        f'[destinations.{name}]\ntype = "sftp"\nhost = "127.0.0.1"\nport = {server.port}\nusername = "{server.user}"\n'
        f'key_file = "{server.client_key}"\nknown_hosts = "{known_hosts or server.known_hosts}"\n'
        f'path = "{server.upload}"\nfilename = "{{key}}.xml"\n\n'
    )


def payload(key: str, **meta: str) -> str:
    return record_line("payload", key, f'<order number="{key}"/>', meta={"channel": "web", **meta}, type="application/xml")


def mails(smtp_server: tuple[Any, Any]) -> list[Message]:
    return [email.message_from_bytes(envelope["data"]) for envelope in smtp_server[1].envelopes]


def text_of(message: Message) -> str:
    return str(message.get_payload(decode=True).decode())


def down_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("  down ", "  recovered "))]


def story(invoke: Invoke, key: str) -> list[dict[str, Any]]:
    result = invoke(["state", "show", key, "--json"])
    assert result.exit_code == 0, result.stderr
    return list(json.loads(result.stdout)["events"])


def stamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_sftp_down_for_several_runs_is_told_once_per_run_after_down_after_then_back(
    invoke: Invoke, tmp_config: Write, own_sshd: sshd.Sshd, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path]
) -> None:
    config = tmp_config(
        mail_destination(smtp_server, tls_cert) + sftp_destination(own_sshd) + '[alerts]\nto = "ops-mail"\ndown_after = 1\n'
    )
    stream = payload("1203") + payload("1204")
    own_sshd.stop()  # cron goes on; the printer's SFTP server is gone
    first = invoke(["deliver", "--to", "mis-sftp"], input=stream, config=config, env=SMTP_ENV)
    assert first.exit_code == 75, first.stderr
    assert [r["body"]["error"][:9] for r in records(first.stdout)] == ["not sent:", "not sent:"]
    second = invoke(["deliver", "--to", "mis-sftp"], input=stream, config=config, env=SMTP_ENV)
    assert second.exit_code == 75 and mails(smtp_server) == []  # down for less than down_after: nobody paged yet
    [opened] = [e for e in story(invoke, "destination:mis-sftp") if e["event"] == "down"]
    since = opened["detail"]["since"]
    time.sleep(max(0.0, stamp(since) + 1.05 - time.time()))
    for run in (3, 4):  # still down: one mail per run, each naming destination, cause, since when and the keys
        result = invoke(["deliver", "--to", "mis-sftp"], input=stream, config=config, env=SMTP_ENV)
        assert result.exit_code == 75, result.stderr
        assert len(mails(smtp_server)) == run - 2
        mail = mails(smtp_server)[-1]
        assert mail["Subject"] == f"flowkit alert: deliver mis-sftp run {run}: 1 down"
        [line] = down_lines(text_of(mail))
        assert line.startswith(f"  down   mis-sftp  destination not reachable since {since[:19]}Z (")
        assert "2 payload(s) waiting: 1203, 1204: " in line
        assert line.endswith(f"sftp 127.0.0.1:{own_sshd.port}: cannot connect: connection refused (rerun later) (exit 75)")
    own_sshd.restart()  # back: the next run delivers what waited, and says so once
    back = invoke(["deliver", "--to", "mis-sftp"], input=stream, config=config, env=SMTP_ENV)
    assert back.exit_code == 0, back.stderr
    assert [r["body"]["status"] for r in records(back.stdout)] == ["delivered", "delivered"]
    assert sorted(p.name for p in own_sshd.upload.iterdir()) == ["1203.xml", "1204.xml"]
    assert len(mails(smtp_server)) == 3
    assert mails(smtp_server)[-1]["Subject"] == "flowkit alert: deliver mis-sftp run 5: 1 recovered"
    [line] = down_lines(text_of(mails(smtp_server)[-1]))
    assert line.startswith(
        f"  recovered mis-sftp  destination back: this run reached it again, after it failed from {since[:19]}Z on ("
    )
    quiet = invoke(["deliver", "--to", "mis-sftp"], input=stream + payload("1205"), config=config, env=SMTP_ENV)
    assert quiet.exit_code == 0 and len(mails(smtp_server)) == 3  # back and well: no more alerts
    events = [(e["event"], e["detail"].get("waiting")) for e in story(invoke, "destination:mis-sftp")]
    assert events == [("down", None), ("down-alert", 2), ("down-alert", 2), ("up", None)]


def test_http_down_in_a_routed_run_min_interval_bundles_and_back_is_told(
    invoke: Invoke, tmp_config: Write, tmp_path: Path, http_server: Any, smtp_server: tuple[Any, Any],
    tls_cert: tuple[Path, Path], state_path: Path,
) -> None:  # fmt: skip
    down = free_port()  # nothing listens there: every request is refused
    routes = (
        f'[deliver]\nretries = 1\nbase_delay = 0.01\n\n[destinations.mis]\ntype = "hotfolder"\npath = "{tmp_path / "mis"}"\n\n'
        f'[destinations.erp]\ntype = "http"\nurl = "http://127.0.0.1:{down}/orders/{{key}}"\nmethod = "PUT"\n\n'
        '[suppliers.acme.deliver]\nto = "mis"\n\n[channels.b2b.deliver]\nto = "erp"\n\n'
    )
    alerts = '[alerts]\nto = "ops-mail"\ndown_after = 0\nmin_interval = 3600\n'
    config = tmp_config(mail_destination(smtp_server, tls_cert) + routes + alerts)
    stream = payload("1", supplier="acme") + payload("2", channel="b2b") + payload("3", channel="b2b")
    first = invoke(["deliver"], input=stream, config=config, env=SMTP_ENV)
    assert first.exit_code == 75, first.stderr
    assert [(r["key"], r["body"]["status"]) for r in records(first.stdout)] == [
        ("1", "delivered"),
        ("2", "failed"),
        ("3", "failed"),
    ]
    [mail] = mails(smtp_server)
    assert mail["Subject"] == "flowkit alert: deliver run 1: 1 down"
    [line] = down_lines(text_of(mail))  # mis took its payload: only erp is down
    assert line.startswith("  down   erp  destination not reachable since ") and "2 payload(s) waiting: 2, 3: " in line
    assert line.endswith(f"PUT http://127.0.0.1:{down}/orders/2: cannot connect: connection refused (exit 75)")
    second = invoke(["deliver"], input=stream, config=config, env=SMTP_ENV)  # within min_interval: kept
    assert second.exit_code == 75 and len(mails(smtp_server)) == 1
    config.write_text(config.read_text().replace("min_interval = 3600", "min_interval = 0"))
    third = invoke(["deliver"], input=stream, config=config, env=SMTP_ENV)
    assert third.exit_code == 75 and len(mails(smtp_server)) == 2
    bundled = mails(smtp_server)[1]  # runs 2 and 3 in one mail; erp told once, as the latest run saw it
    assert bundled["Subject"] == "flowkit alert: 2 runs: 1 down (latest: deliver run 3)"
    text = text_of(bundled)
    assert len(down_lines(text)) == 1 and "deliver run 3 (error:75, exit 75)" in text and "deliver run 2 (" not in text
    assert "1 earlier run(s) met the same destination(s) down: the latest run above tells it." in text
    config.write_text(config.read_text().replace(f"http://127.0.0.1:{down}", http_server.base))
    back = invoke(["deliver"], input=stream, config=config, env=SMTP_ENV)
    assert back.exit_code == 0, back.stderr
    assert [r["path"] for r in http_server.state.requests] == ["/orders/2", "/orders/3"]
    assert mails(smtp_server)[-1]["Subject"] == "flowkit alert: deliver run 4: 1 recovered"
    assert store_rows(state_path, "SELECT run_id, status FROM alerts ORDER BY run_id") == [
        (1, "sent"),
        (2, "sent"),
        (3, "sent"),
        (4, "sent"),
    ]


def test_a_refusing_destination_is_told_with_exit_69(
    invoke: Invoke, tmp_config: Write, tmp_path: Path, sshd_server: sshd.Sshd
) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")  # the server's host key is not known: refused, whatever the retries
    config = tmp_config(
        sftp_destination(sshd_server, "printco-sftp", known_hosts=empty)
        + '[destinations.ops-folder]\ntype = "hotfolder"\npath = "alerts"\n\n[alerts]\nto = "ops-folder"\ndown_after = 0\n'
    )
    result = invoke(["deliver", "--to", "printco-sftp"], input=payload("1203"), config=config)
    assert result.exit_code == 69, result.stderr
    alert = json.loads((tmp_path / "alerts" / "flowkit-alert-run-1.json").read_text())
    [line] = alert["runs"][0]["lines"]
    assert (line["on"], line["key"], line["exit_code"], line["waiting"], line["keys"]) == (
        "down",
        "printco-sftp",
        69,
        1,
        ["1203"],
    )
    assert line["what"].startswith("destination refusing since ")
    assert "unknown host key ssh-ed25519 SHA256:" in line["reason"] and line["reason"].endswith("(exit 69)")


def test_a_blip_shorter_than_the_default_down_after_pages_nobody(
    invoke: Invoke, tmp_config: Write, tmp_path: Path, own_sshd: sshd.Sshd
) -> None:
    config = tmp_config(
        sftp_destination(own_sshd)
        + '[destinations.ops-folder]\ntype = "hotfolder"\npath = "alerts"\n\n[alerts]\nto = "ops-folder"\n'
    )
    own_sshd.stop()
    blip = invoke(["deliver", "--to", "mis-sftp"], input=payload("1203"), config=config)
    assert blip.exit_code == 75
    own_sshd.restart()
    back = invoke(["deliver", "--to", "mis-sftp"], input=payload("1203"), config=config)
    assert back.exit_code == 0, back.stderr
    assert not (tmp_path / "alerts").exists()  # down for a moment (under 15 minutes), back: no alert either way
    assert [e["event"] for e in story(invoke, "destination:mis-sftp")] == ["down", "up"]


def test_on_without_down_tells_no_outage(invoke: Invoke, tmp_config: Write, tmp_path: Path) -> None:
    config = tmp_config(
        f'[destinations.erp]\ntype = "http"\nurl = "http://127.0.0.1:{free_port()}/{{key}}"\nretries = 0\n\n'
        '[destinations.ops-folder]\ntype = "hotfolder"\npath = "alerts"\n\n'
        '[alerts]\nto = "ops-folder"\non = ["dead", "held"]\ndown_after = 0\n'
    )
    result = invoke(["deliver", "--to", "erp"], input=payload("1203"), config=config)
    assert result.exit_code == 75
    assert not (tmp_path / "alerts").exists()
    assert invoke(["state", "show", "destination:erp"]).exit_code != 0  # no outage story kept either
    check = invoke(["config", "check"], config=config)
    assert check.exit_code == 0, check.stderr


def routed_to_a_down_erp(tmp_config: Write, tmp_path: Path) -> Path:
    """acme -> the hotfolder mis, b2b -> an HTTP erp on a port nothing listens on; alerts into a folder, at once."""
    return tmp_config(
        "[state]\nlock_timeout = 0.2\n\n[deliver]\nretries = 0\n\n"
        f'[destinations.mis]\ntype = "hotfolder"\npath = "{tmp_path / "mis"}"\n\n'
        f'[destinations.erp]\ntype = "http"\nurl = "http://127.0.0.1:{free_port()}/orders/{{key}}"\n\n'
        '[suppliers.acme.deliver]\nto = "mis"\n\n[channels.b2b.deliver]\nto = "erp"\n\n'
        '[destinations.ops-folder]\ntype = "hotfolder"\npath = "alerts"\n\n[alerts]\nto = "ops-folder"\ndown_after = 0\n'
    )


@pytest.mark.sqlite_only
def test_a_lane_kept_by_another_runs_lock_is_not_down(
    invoke: Invoke, tmp_config: Write, tmp_path: Path, state_path: Path
) -> None:
    from flowkit.deliver.run import lock_name
    from flowkit.store.lock import exclusive

    config = routed_to_a_down_erp(tmp_config, tmp_path)
    with exclusive(state_path, lock_name("mis"), wait=1):  # another run is delivering to mis right now
        kept = invoke(["deliver"], input=payload("1", supplier="acme"), config=config)
    assert kept.exit_code == 75 and "holds the lock" in kept.stderr
    assert not (tmp_path / "alerts").exists()  # kept by a lock, not by the destination: nothing to tell
    assert invoke(["state", "show", "destination:mis"]).exit_code != 0


def test_the_keys_named_are_capped_the_rest_counted(invoke: Invoke, tmp_config: Write, tmp_path: Path) -> None:
    config = routed_to_a_down_erp(tmp_config, tmp_path)
    many = "".join(payload(f"B{n:02d}", channel="b2b") for n in range(25))
    result = invoke(["deliver"], input=many, config=config)
    assert result.exit_code == 75
    alert = json.loads((tmp_path / "alerts" / "flowkit-alert-run-1.json").read_text())
    [line] = alert["runs"][0]["lines"]
    assert (line["key"], line["waiting"], line["keys"]) == ("erp", 25, [f"B{n:02d}" for n in range(20)])
    assert line["what"].endswith(", B18, B19, … 5 more")
