"""``--metrics-file`` / ``[metrics] file``: the Prometheus text file a cron host's node_exporter collects."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Invoke, record_line, records

ROOT = Path(__file__).parent.parent


def _samples(path: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the file, parsed by prometheus_client's own parser: (name, labels) -> value."""
    out = {}
    for family in text_string_to_metric_families(path.read_text(encoding="utf-8")):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _payload(key: str) -> str:
    return record_line("payload", key, f"<order>{key}</order>", type="application/xml")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_runs_deliveries_and_orders_are_written_and_parse(invoke: Invoke, tmp_path: Path) -> None:
    metrics = tmp_path / "flowkit.prom"
    out = tmp_path / "out"
    out.mkdir()
    hotfolder = out.as_uri() + "/"
    result = invoke(["--metrics-file", str(metrics), "deliver", "--to", hotfolder], input=_payload("1203") + _payload("1204"))
    assert result.exit_code == 0, result.output
    first = _samples(metrics)
    labels = (("command", "deliver"), ("target", hotfolder))
    assert first[("flowkit_last_run_exit_code", labels)] == 0
    assert first[("flowkit_last_run_records", tuple(sorted((*labels, ("outcome", "delivered")))))] == 2
    ended = first[("flowkit_last_run_timestamp_seconds", labels)]
    assert first[("flowkit_last_success_timestamp_seconds", labels)] == ended
    assert first[("flowkit_last_delivered_timestamp_seconds", labels)] == ended
    assert 0 <= first[("flowkit_last_run_duration_seconds", labels)] < 60

    # A destination that is down: the run exits 75, its last success and last delivery stay where they were.
    down = f"sftp://mis@127.0.0.1:{_closed_port()}/in/"
    result = invoke(["--metrics-file", str(metrics), "deliver", "--to", down], input=_payload("1205"))
    assert result.exit_code == 75, result.output
    second = _samples(metrics)
    failing = (("command", "deliver"), ("target", down))
    assert second[("flowkit_last_run_exit_code", failing)] == 75
    assert ("flowkit_last_success_timestamp_seconds", failing) not in second
    assert second[("flowkit_last_success_timestamp_seconds", labels)] == ended  # the hotfolder's, kept
    # nothing was sent, so the ledger holds nothing for it: zeros, the exit code tells the outage
    assert second[("flowkit_deliveries", (("destination", down), ("status", "failed")))] == 0
    assert second[("flowkit_deliveries", (("destination", hotfolder), ("status", "dead")))] == 0

    # A delivery run that sends nothing new succeeds, but is not a delivery.
    result = invoke(["--metrics-file", str(metrics), "deliver", "--to", hotfolder], input=_payload("1203"))
    assert result.exit_code == 0, result.output
    third = _samples(metrics)
    assert third[("flowkit_last_success_timestamp_seconds", labels)] > ended
    assert third[("flowkit_last_delivered_timestamp_seconds", labels)] == ended
    assert third[("flowkit_last_run_records", tuple(sorted((*labels, ("outcome", "duplicate")))))] == 1
    assert not list(tmp_path.glob(".flowkit.prom.*"))  # no temporary file left beside it


def test_the_config_names_the_file_and_orders_are_counted(invoke: Invoke, tmp_path: Path) -> None:
    config = tmp_path / "flowkit.toml"
    config.write_text('[metrics]\nfile = "metrics/flowkit.prom"\n', encoding="utf-8")
    (tmp_path / "metrics").mkdir()
    inbox = tmp_path / "inbox"
    shutil.copytree(ROOT / "samples" / "orders", inbox)
    result = invoke(["query-orders", "--source", str(inbox), "--unsent"], config=config)
    assert result.exit_code == 0, result.output
    emitted = len(records(result.stdout))
    samples = _samples(tmp_path / "metrics" / "flowkit.prom")
    labels = (("command", "query-orders"), ("target", str(inbox)))
    assert samples[("flowkit_last_run_exit_code", labels)] == 0
    assert samples[("flowkit_last_run_records", tuple(sorted((*labels, ("outcome", "emitted")))))] == emitted
    assert samples[("flowkit_orders", (("export_status", "queued"),))] == emitted
    assert sum(v for (name, _), v in samples.items() if name == "flowkit_orders") == len(list(inbox.glob("*.json")))


def test_a_metrics_file_that_cannot_be_written_is_a_warning_not_a_failure(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    missing = tmp_path / "no-such-folder" / "flowkit.prom"
    result = invoke(["--metrics-file", str(missing), "deliver", "--to", out.as_uri() + "/"], input=_payload("1203"))
    assert result.exit_code == 0, result.output
    assert "flowkit: warning: the metrics were not written: metrics file" in result.stderr
    assert "does not exist" in result.stderr
