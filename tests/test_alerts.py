"""[alerts]: one alert per run for dead deliveries, failed inbox imports and held orders, through real transports.

The alert destination is the suite's aiosmtpd (STARTTLS + AUTH), its HTTP server or a hotfolder; the problems
come from real runs (a destination answering 400, an inbox message for an unknown order, a rule that holds).
"""

from __future__ import annotations

import email
import json
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from typing import Any

import orjson
from conftest import ROOT, Invoke, record_line, records, store_rows
from servers.smtp import PASSWORD, USER
from servers.sshd import free_port

Write = Callable[..., Path]
SMTP_ENV = {"SMTP_PASSWORD": PASSWORD}
ORDER = str(ROOT / "samples" / "orders" / "1203.json")


def mail_destination(smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], *, port: int | None = None) -> str:
    return "\n".join(
        [
            "[destinations.ops-mail]",
            'type = "email"',
            'host = "127.0.0.1"',
            f"port = {port or smtp_server[0].port}",
            f'username = "{USER}"',
            'password = "${SMTP_PASSWORD}"',
            f'from = "{USER}"',
            'to = "ops@example.com"',
            'subject = "Order {key}"',  # a payload's subject: an alert has its own
            f'ca_file = "{tls_cert[0]}"',
            "",
        ]
    )


def erp_destination(http_server: Any) -> str:
    """An HTTP destination whose URL carries a password (it must never reach an alert)."""
    base = http_server.base.replace("http://", "http://erp:s3cret-pw@")
    return f'[destinations.erp]\ntype = "http"\nurl = "{base}/orders/{{key}}"\nmax_attempts = 1\n\n'


def payload(key: str) -> str:
    return record_line("payload", key, {"number": key}, meta={"channel": "web"})


def mails(smtp_server: tuple[Any, Any]) -> list[Message]:
    return [email.message_from_bytes(envelope["data"]) for envelope in smtp_server[1].envelopes]


def text_of(message: Message) -> str:
    assert not message.is_multipart()
    return str(message.get_payload(decode=True).decode())


def last_run(invoke: Invoke, command: str) -> dict[str, Any]:
    result = invoke(["state", "runs", "--command", command, "--limit", "1", "--json"])
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_a_delivery_going_dead_sends_one_mail_naming_key_and_reason(
    invoke: Invoke, tmp_config: Write, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], http_server: Any
) -> None:
    config = tmp_config(mail_destination(smtp_server, tls_cert) + erp_destination(http_server) + '[alerts]\nto = "ops-mail"\n')
    http_server.state.script["/orders/1203"] = [(400, {}, "sku unknown")]
    payloads = payload("1203") + payload("1204")
    result = invoke(["deliver", "--to", "erp"], input=payloads, config=config, env=SMTP_ENV)
    assert result.exit_code == 1, result.stderr
    assert [r["body"]["status"] for r in records(result.stdout)] == ["dead", "delivered"]
    [mail] = mails(smtp_server)
    assert mail["Subject"] == "flowkit alert: deliver erp run 1: 1 dead"
    assert mail["To"] == "ops@example.com"
    text = text_of(mail)
    assert "deliver erp run 1 (partial, exit 1)" in text
    assert "  counts: dead 1, delivered 1" in text
    [line] = [ln for ln in text.splitlines() if ln.startswith("  dead")]
    assert line.startswith("  dead   1203  delivery to erp: gave up after 1 attempt(s): ")
    assert "400" in line and "1204" not in text
    assert "s3cret-pw" not in text and PASSWORD not in text
    counts = last_run(invoke, "deliver")["counts"]
    assert (counts["alert_problems"], counts["alerts_sent"], counts["alerts_pending"]) == (1, 1, 0)
    # The same dead delivery met again is no news: no second alert.
    again = invoke(["deliver", "--to", "erp"], input=payload("1203"), config=config, env=SMTP_ENV)
    assert again.exit_code == 1 and records(again.stdout)[0]["body"]["status"] == "dead"
    assert len(mails(smtp_server)) == 1


def test_held_orders_are_posted_as_json_to_an_http_destination(invoke: Invoke, tmp_config: Write, http_server: Any) -> None:
    rules = tmp_config('[checks]\nduplicate = false\n[[rules]]\nname = "big"\nhold = "Held for review"\n'
                       'when.any_line_quantity = ">= 1"\n', name="rules.toml")  # fmt: skip
    config = tmp_config(
        f'[destinations.ops-hook]\ntype = "http"\nurl = "{http_server.base}/alerts/{{key}}"\n\n'
        f'[apply-rules]\nrules = "{rules}"\n\n[alerts]\nto = "ops-hook"\n'
    )
    result = invoke(["apply-rules", ORDER], config=config)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["hold"] == {"on_hold": True, "reason": "Held for review", "until": None}
    [request] = [r for r in http_server.state.requests if r["path"].startswith("/alerts/")]
    assert request["path"] == "/alerts/run-1" and request["headers"]["Content-Type"] == "application/json"
    alert = json.loads(request["body"])
    assert alert["flowkit"] == "alert/1" and alert["subject"] == "flowkit alert: apply-rules run 1: 1 held"
    [run] = alert["runs"]
    assert (run["run"], run["command"], run["status"], run["exit_code"], run["problems"]) == (
        1,
        "apply-rules",
        "ok",
        0,
        {"held": 1},
    )
    assert run["lines"] == [
        {"on": "held", "key": "1203", "what": "order held by apply-rules", "reason": "Held for review (rule: big)"}
    ]
    assert "  held   1203  order held by apply-rules: Held for review (rule: big)" in alert["text"]


def test_a_failed_inbox_import_is_told_then_its_parking(invoke: Invoke, tmp_config: Write, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    message = {"message_seq": 1, "order": "200001", "lines": [{"sku": "X", "qty": 1}]}  # an order the store does not know
    (folder / "1.json").write_bytes(orjson.dumps(message))
    config = tmp_config('[destinations.ops-folder]\ntype = "hotfolder"\npath = "alerts"\n\n[alerts]\nto = "ops-folder"\n')
    args = ["import-shipment", "--from-dir", str(folder), "--max-attempts", "2"]
    first = invoke(args, config=config)
    assert first.exit_code == 65, first.stderr
    alert = json.loads((tmp_path / "alerts" / "flowkit-alert-run-1.json").read_text())
    [line] = alert["runs"][0]["lines"]
    assert line["on"] == "failed" and line["key"] == "1.json"
    assert line["what"] == "import-shipment inbox file, attempt 1 of 2, kept for the next run"
    assert line["reason"] == "1 message(s) failed; the first: message 1 (order '200001'): Order \"200001\" does not exist."
    second = invoke(args, config=config)
    assert second.exit_code == 65, second.stderr
    alert = json.loads((tmp_path / "alerts" / "flowkit-alert-run-2.json").read_text())
    assert alert["runs"][0]["problems"] == {"failed": 1}  # failed again and parked: one problem, told as it ended
    [line] = alert["runs"][0]["lines"]
    assert line["what"] == "import-shipment inbox file, parked in failed/" and "does not exist" in line["reason"]


def test_nothing_wrong_sends_nothing(
    invoke: Invoke, tmp_config: Write, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], tmp_path: Path
) -> None:
    config = tmp_config(
        mail_destination(smtp_server, tls_cert)
        + f'[destinations.mis]\ntype = "hotfolder"\npath = "{tmp_path / "out"}"\n\n[alerts]\nto = "ops-mail"\n'
    )
    result = invoke(["deliver", "--to", "mis"], input=payload("1203") + payload("1204"), config=config, env=SMTP_ENV)
    assert result.exit_code == 0, result.stderr
    rules = tmp_config('[checks]\nduplicate = false\n[[rules]]\nname = "never"\nhold = "x"\nwhen.any_line_quantity = "> 999"\n',
                       name="rules.toml")  # fmt: skip
    result = invoke(["apply-rules", "--rules", str(rules), ORDER], config=config, env=SMTP_ENV)
    assert result.exit_code == 0, result.stderr
    assert smtp_server[1].envelopes == [] and result.stderr == ""
    assert not {"alert_problems", "alerts_sent", "alerts_pending"} & set(last_run(invoke, "deliver")["counts"])


def test_smtp_down_keeps_the_exit_code_warns_and_sends_with_the_next_run(
    invoke: Invoke,
    tmp_config: Write,
    smtp_server: tuple[Any, Any],
    tls_cert: tuple[Path, Path],
    http_server: Any,
    tmp_path: Path,
    state_path: Path,
) -> None:
    mis = f'[destinations.mis]\ntype = "hotfolder"\npath = "{tmp_path / "out"}"\n\n'
    plain = tmp_config(erp_destination(http_server) + mis, name="plain.toml")
    http_server.state.script["/orders/1203"] = [(400, {}, "sku unknown")]
    without = invoke(["deliver", "--to", "erp"], input=payload("1203"), config=plain)
    down = free_port()  # nothing listens there
    config = tmp_config(
        mail_destination(smtp_server, tls_cert, port=down) + erp_destination(http_server) + mis + '[alerts]\nto = "ops-mail"\n'
    )
    http_server.state.script["/orders/1300"] = [(400, {}, "sku unknown")]
    result = invoke(["--log-format", "json", "deliver", "--to", "erp"], input=payload("1300"), config=config, env=SMTP_ENV)
    assert result.exit_code == without.exit_code == 1
    assert records(result.stdout)[0]["body"]["status"] == "dead"  # the run's work is kept: its result, its ledger row
    [warning] = [json.loads(line) for line in result.stderr.splitlines() if '"alert-not-sent"' in line]
    assert warning["level"] == "warning" and warning["destination"] == "ops-mail"
    assert warning["msg"] == (
        f"flowkit: warning: alert not sent to ops-mail: smtp 127.0.0.1:{down}: cannot connect: connection refused; "
        "the problems of run 2 are kept for the next run's alert"
    )
    assert smtp_server[1].envelopes == []
    assert last_run(invoke, "deliver")["counts"]["alerts_pending"] == 1
    metrics = tmp_path / "flowkit.prom"
    # The mail server is back; the next run has nothing wrong of its own, and sends what run 2 could not.
    config.write_text(config.read_text().replace(f"port = {down}", f"port = {smtp_server[0].port}"))
    later = invoke(["--metrics-file", str(metrics), "deliver", "--to", "mis"], input=payload("1400"), config=config, env=SMTP_ENV)
    assert later.exit_code == 0 and later.stderr == "deliver to mis: 1 delivered\n"
    [mail] = mails(smtp_server)
    assert mail["Subject"] == "flowkit alert: deliver erp run 2: 1 dead"
    assert "  dead   1300  delivery to erp: gave up after 1 attempt(s): " in text_of(mail)
    assert "flowkit_alerts_pending 0" in metrics.read_text()
    assert store_rows(state_path, "SELECT run_id, status, attempts, destination FROM alerts") == [(2, "sent", 2, "ops-mail")]


def test_on_chooses_what_is_told_and_min_interval_bundles_runs(
    invoke: Invoke, tmp_config: Write, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], http_server: Any
) -> None:
    rules = tmp_config('[checks]\nduplicate = false\n[[rules]]\nname = "all"\nhold = "Review"\nwhen.any_line_quantity = ">= 1"\n',
                       name="rules.toml")  # fmt: skip
    alerts = '[alerts]\nto = "ops-mail"\non = ["held"]\nmin_interval = 3600\n'
    config = tmp_config(mail_destination(smtp_server, tls_cert) + erp_destination(http_server) + alerts)
    http_server.state.script["/orders/1203"] = [(400, {}, "sku unknown")]
    dead = invoke(["deliver", "--to", "erp"], input=payload("1203"), config=config, env=SMTP_ENV)
    assert dead.exit_code == 1 and smtp_server[1].envelopes == []  # not asked for
    for _ in range(2):
        held = invoke(["apply-rules", "--rules", str(rules), ORDER], config=config, env=SMTP_ENV)
        assert held.exit_code == 0, held.stderr
    order_1204 = str(ROOT / "samples" / "orders" / "1204.json")
    held = invoke(["apply-rules", "--rules", str(rules), order_1204], config=config, env=SMTP_ENV)
    [mail] = mails(smtp_server)  # run 2's; run 3 held nothing new; run 4's waits for the interval
    assert "1203" in text_of(mail) and "1204" not in text_of(mail)
    assert last_run(invoke, "apply-rules")["counts"]["alerts_pending"] == 1
    config.write_text(config.read_text().replace("min_interval = 3600", "min_interval = 0"))
    invoke(["apply-rules", "--rules", str(rules), order_1204], config=config, env=SMTP_ENV)
    assert len(mails(smtp_server)) == 2
    assert mails(smtp_server)[1]["Subject"] == "flowkit alert: apply-rules run 4: 1 held"


def test_config_check_refuses_an_unknown_alert_destination(invoke: Invoke, tmp_config: Write) -> None:
    config = tmp_config('[destinations.ops-mail]\ntype = "hotfolder"\npath = "a"\n\n[alerts]\nto = "ops-mial"\n')
    result = invoke(["config", "check"], config=config)
    assert result.exit_code == 78
    assert f"{config}:6: 'alerts.to' names no [destinations] table of this file (did you mean 'ops-mail'?)" in result.stderr
    assert invoke(["deliver", "--to", "ops-mail"], input="", config=config).exit_code == 78  # every command loads it
    bad_on = tmp_config('[destinations.ops]\ntype = "hotfolder"\npath = "a"\n\n[alerts]\nto = "ops"\non = ["dead", "late"]\n')
    result = invoke(["config", "check"], config=bad_on)
    assert result.exit_code == 78 and f"{bad_on}:7: unknown value for 'alerts.on'" in result.stderr
    url = tmp_config('[alerts]\nto = "file:///tmp/alerts/"\n')
    assert invoke(["config", "check"], config=url).exit_code == 0
    odd = tmp_config('[alerts]\nto = "file:///tmp/alerts/"\non = []\nmin_interval = -1\ndown_after = -5\n', "odd.toml")
    result = invoke(["config", "check"], config=odd)
    assert result.exit_code == 78
    assert f"{odd}:3: 'alerts.on' is empty: no alert would ever be sent" in result.stderr
    assert f"{odd}:4: 'alerts.min_interval' must be 0 or more seconds" in result.stderr
    assert f"{odd}:5: 'alerts.down_after' must be 0 or more seconds" in result.stderr


def test_a_pipeline_alerts_once_per_run_mark_sent_included(
    invoke: Invoke, tmp_config: Write, http_server: Any, tmp_path: Path
) -> None:
    config = tmp_config(
        f'[sources.shop]\ntype = "dir"\npath = "{ROOT / "samples" / "orders"}"\n\n'
        + erp_destination(http_server)
        + '[destinations.ops-folder]\ntype = "hotfolder"\npath = "alerts"\n\n[alerts]\nto = "ops-folder"\n'
    )
    http_server.state.script["/orders/1203"] = [(400, {}, "sku unknown")]
    orders = invoke(["query-orders", "--source", "shop", "--unsent"], config=config)
    payloads = invoke(["render"], input=orders.stdout, config=config)
    results = invoke(["deliver", "--to", "erp"], input=payloads.stdout, config=config)
    marked = invoke(["query-orders", "mark-sent", "--no-source"], input=results.stdout, config=config)
    assert (orders.exit_code, results.exit_code, marked.exit_code) == (0, 1, 0), marked.stderr
    folder = tmp_path / "alerts"
    assert sorted(p.name for p in folder.iterdir()) == ["flowkit-alert-run-1.json", "flowkit-alert-run-2.json",
                                                        "flowkit-alert-run-3.json"]  # fmt: skip
    told = {n: json.loads((folder / f"flowkit-alert-run-{n}.json").read_text())["runs"][0] for n in (1, 2, 3)}
    assert told[1]["command"] == "query-orders" and told[1]["lines"][0]["key"] == "1205"  # on hold at the source
    assert told[1]["lines"][0]["what"] == "order held by query-orders"
    assert [(ln["key"], ln["what"]) for ln in told[2]["lines"]] == [("1203", "delivery to erp")]
    [line] = told[3]["lines"]
    assert (told[3]["command"], line["on"], line["key"], line["what"]) == (
        "mark-sent",
        "dead",
        "1203",
        "order given up by mark-sent",
    )
    assert "HTTP 400" in line["reason"] and "s3cret-pw" not in json.dumps(told)


def test_a_push_stock_inbox_file_that_fails_is_told(invoke: Invoke, tmp_config: Write, tmp_path: Path) -> None:
    folder = tmp_path / "stock"
    folder.mkdir()
    (folder / "message-1.json").write_text('{"not": "stock"\n')
    config = tmp_config('[destinations.ops-folder]\ntype = "hotfolder"\npath = "alerts"\n\n[alerts]\nto = "ops-folder"\n')
    result = invoke(["push-stock", "--target", "web", "--from-dir", str(folder)], config=config)
    assert result.exit_code == 65
    alert = json.loads((tmp_path / "alerts" / "flowkit-alert-run-1.json").read_text())
    assert alert["subject"] == "flowkit alert: push-stock web run 1: 1 failed"
    [line] = alert["runs"][0]["lines"]
    assert (line["key"], line["what"]) == ("message-1.json", "push-stock inbox file, attempt 1 of 3, kept for the next run")
    assert "invalid JSON" in line["reason"]


def test_a_run_that_finds_another_sending_leaves_its_alert_to_the_next(
    invoke: Invoke, tmp_config: Write, tmp_path: Path, state_path: Path
) -> None:
    from flowkit.store.lock import exclusive

    rules = tmp_config('[checks]\nduplicate = false\n[[rules]]\nname = "all"\nhold = "Review"\nwhen.any_line_quantity = ">= 1"\n',
                       name="rules.toml")  # fmt: skip
    config = tmp_config(
        '[state]\nlock_timeout = 0.2\n\n[destinations.ops-folder]\ntype = "hotfolder"\npath = "alerts"\n\n'
        '[alerts]\nto = "ops-folder"\n'
    )
    with exclusive(state_path, "alerts", wait=1):  # another run is sending alerts
        held = invoke(["apply-rules", "--rules", str(rules), ORDER], config=config)
    assert held.exit_code == 0 and held.stderr == ""
    assert not (tmp_path / "alerts").exists()
    assert last_run(invoke, "apply-rules")["counts"]["alerts_pending"] == 1
    again = invoke(["apply-rules", "--rules", str(rules), ORDER], config=config)  # held before: nothing new
    assert again.exit_code == 0
    alert = json.loads((tmp_path / "alerts" / "flowkit-alert-run-1.json").read_text())  # named after the latest it tells
    assert [run["run"] for run in alert["runs"]] == [1]
