"""pipeline.run: outputs filled at commit keep their place, staged windows close and discard as they say."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import Invoke

from flowkit import pipeline
from flowkit.errors import ExitCode, InternalError, PartialError, RecordError
from flowkit.pipeline import Pending
from flowkit.records import BadLine, Record, Writer, make_record

SAMPLES = Path(__file__).parent.parent / "samples"


class Items:
    """An input of records (and bad lines) that is always ready, or that fails after them."""

    mode = "record"

    def __init__(self, items: list[Record | BadLine], fail: BaseException | None = None) -> None:
        self.items, self.fail = items, fail

    def __iter__(self) -> Iterator[Record | BadLine]:
        yield from self.items
        if self.fail is not None:
            raise self.fail

    def ready(self) -> bool:
        return True


class Staged:
    """A toy staged window: results exist only at commit; a repeated key closes the window."""

    lookahead = 1
    commit_every = 3

    def __init__(self) -> None:
        self.queued: list[Pending] = []
        self.commits: list[list[str]] = []
        self.discarded: list[list[str]] = []

    def prepare(self, items: list[Record | BadLine]) -> None:
        pass

    def closes(self, item: Record | BadLine) -> bool:
        return (
            isinstance(item, BadLine)
            or item["kind"] != "payload"
            or any(slot.record["key"] == item["key"] for slot in self.queued)
        )

    def process(self, record: Record) -> Pending:
        slot = Pending(record)
        self.queued.append(slot)
        return slot

    def commit(self) -> None:
        if not self.queued:
            return
        self.commits.append([slot.record["key"] for slot in self.queued])
        for slot in self.queued:
            key = slot.record["key"]
            if key.startswith("bad"):
                slot.failed(RecordError(f"{key} refused", code=69))
            elif key.startswith("late"):
                result = make_record("result", key, {"status": "failed"})
                slot.failed(RecordError("failed: down", code=75), result)
            else:
                slot.done(make_record("result", key, {"status": "delivered"}))
        self.queued.clear()

    def discard(self) -> None:
        self.discarded.append([slot.record["key"] for slot in self.queued])
        self.queued.clear()


def payload(key: str) -> Record:
    return make_record("payload", key, {"n": key})


def lines(out: io.BytesIO) -> list[tuple[str, str]]:
    return [(r["kind"], r["key"]) for r in map(orjson.loads, out.getvalue().splitlines())]


def test_outputs_filled_at_commit_keep_input_order_with_pass_through_and_failures(capsys: pytest.CaptureFixture[str]) -> None:
    window, out = Staged(), io.BytesIO()
    items: list[Record | BadLine] = [
        payload("a"),
        payload("bad1"),
        make_record("alert", "x", {}),
        payload("b"),
        payload("b"),
        payload("late1"),
        BadLine("<stdin>:7", "invalid JSON"),
        payload("c"),
    ]
    tally = pipeline.run(Items(items), Writer(out), window.process, consumes=("payload",), command="toy", window=window)
    assert lines(out) == [
        ("result", "a"),
        ("error", "bad1"),
        ("alert", "x"),
        ("result", "b"),
        ("result", "b"),
        ("result", "late1"),
        ("result", "c"),
    ]
    # the alert, the repeated key and the bad line each closed the window; a full window commits at 3
    assert window.commits == [["a", "bad1"], ["b"], ["b", "late1"], ["c"]]
    assert (tally.ok, tally.failed, tally.passed) == (4, 3, 1)
    assert sorted(tally.codes) == [65, 69, 75]
    err = capsys.readouterr().err
    assert "flowkit: record 'bad1': bad1 refused" in err and "flowkit: record 'late1': failed: down" in err
    error = orjson.loads(out.getvalue().splitlines()[1])
    assert error["body"]["command"] == "toy" and error["body"]["exit_code"] == 69


def test_a_run_stopped_by_an_exception_discards_a_staged_window_and_writes_none_of_it() -> None:
    window, out = Staged(), io.BytesIO()
    items: list[Record | BadLine] = [payload("a"), payload("b"), payload("c"), payload("d")]
    with pytest.raises(KeyboardInterrupt):
        pipeline.run(
            Items(items, fail=KeyboardInterrupt()),
            Writer(out),
            window.process,
            consumes=("payload",),
            command="toy",
            window=window,
        )
    assert window.commits == [["a", "b", "c"]] and window.discarded == [["d"]]
    assert lines(out) == [("result", "a"), ("result", "b"), ("result", "c")]


def test_a_plain_window_keeps_what_the_records_before_the_error_did() -> None:
    committed: list[int] = []

    class Plain:
        lookahead, commit_every = 2, 100

        def prepare(self, items: list[Record | BadLine]) -> None:
            pass

        def commit(self) -> None:
            committed.append(1)

    out = io.BytesIO()
    with pytest.raises(KeyboardInterrupt):
        pipeline.run(
            Items([payload("a"), payload("b")], fail=KeyboardInterrupt()),
            Writer(out),
            lambda r: [r],
            consumes=("payload",),
            command="toy",
            window=Plain(),
        )
    assert committed == [1] and lines(out) == [("payload", "a"), ("payload", "b")]


def test_an_unfilled_pending_is_a_bug_not_a_silent_loss() -> None:
    class Forgetful(Staged):
        def commit(self) -> None:
            self.queued.clear()

    window = Forgetful()
    with pytest.raises(RuntimeError, match="no outcome after the commit"):
        pipeline.run(
            Items([payload("a")]), Writer(io.BytesIO()), window.process, consumes=("payload",), command="toy", window=window
        )


def deep(levels: int) -> object:
    value: object = 0
    for _ in range(levels):
        value = [value]
    return value


def test_a_bug_in_one_record_fails_it_alone_with_exit_70_and_the_stream_goes_on(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    def process(record: Record) -> list[Record]:
        if record["key"] == "b":
            raise KeyError("lines")
        if record["key"] == "c":  # its first output encodes, its second cannot: neither is written
            return [make_record("result", "c", {}), make_record("result", "c2", deep(300))]
        return [make_record("result", record["key"], {})]

    out = io.BytesIO()
    caplog.set_level("DEBUG", logger="flowkit")
    tally = pipeline.run(Items([payload(k) for k in "abcd"]), Writer(out), process, consumes=("payload",), command="toy")
    assert lines(out) == [("result", "a"), ("error", "b"), ("error", "c"), ("result", "d")]
    assert (tally.ok, tally.failed, tally.codes) == (2, 2, [70, 70])
    error = orjson.loads(out.getvalue().splitlines()[1])["body"]
    assert error["exit_code"] == 70 and error["command"] == "toy" and error["kind"] == "payload"
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "flowkit: record 'b': internal error (KeyError: 'lines'); please report it (run with -vv for the traceback)"
    )
    assert err[1].startswith("flowkit: record 'c': internal error (TypeError: Recursion limit reached)")
    assert len(err) == 2  # one line each, the traceback only in the debug log
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert [r.levelname for r in tracebacks] == ["DEBUG", "DEBUG"] and "raise KeyError" in caplog.text
    with pytest.raises(PartialError) as partial:
        pipeline.finish(tally)
    assert partial.value.exit_code == 1


def test_a_stream_whose_every_failure_is_internal_exits_70() -> None:
    def process(record: Record) -> list[Record]:
        raise ZeroDivisionError("division by zero")

    tally = pipeline.run(Items([payload("a"), payload("b")]), Writer(io.BytesIO()), process, consumes=None, command="toy")
    with pytest.raises(PartialError) as partial:
        pipeline.finish(tally)
    assert partial.value.exit_code == 70 == ExitCode.SOFTWARE


def test_a_temporary_failure_beside_an_internal_error_is_not_safe_to_rerun() -> None:
    tally = pipeline.Tally(ok=0, failed=2, codes=[75, 70])
    with pytest.raises(PartialError) as partial:
        pipeline.finish(tally)
    assert partial.value.exit_code == 1


def test_a_bug_in_a_windowed_record_queues_nothing_of_it_and_the_window_commits_the_others() -> None:
    window, out = Staged(), io.BytesIO()

    def process(record: Record) -> Pending:
        if record["key"] == "b":
            raise AttributeError("'str' object has no attribute 'get'")
        return window.process(record)

    items: list[Record | BadLine] = [payload("a"), payload("b"), payload("c")]
    tally = pipeline.run(Items(items), Writer(out), process, consumes=("payload",), command="toy", window=window)
    assert window.commits == [["a", "c"]] and window.discarded == []
    assert lines(out) == [("result", "a"), ("error", "b"), ("result", "c")]
    assert tally.codes == [70]


def test_a_staged_output_that_cannot_be_encoded_fails_its_record_alone() -> None:
    class Deep(Staged):
        def commit(self) -> None:
            for slot in self.queued:
                slot.done(make_record("result", slot.record["key"], deep(300) if slot.record["key"] == "b" else {}))
            self.queued.clear()

    window, out = Deep(), io.BytesIO()
    items: list[Record | BadLine] = [payload("a"), payload("b"), payload("c")]
    tally = pipeline.run(Items(items), Writer(out), window.process, consumes=("payload",), command="toy", window=window)
    assert lines(out) == [("result", "a"), ("error", "b"), ("result", "c")]
    assert (tally.ok, tally.failed, tally.codes) == (2, 1, [70])


def test_a_bug_on_an_item_that_is_not_a_record_stops_the_run_with_exit_70() -> None:
    class Item:
        key = "doc-1"

    class Input:
        mode = "record"

        def __iter__(self) -> Iterator[Item]:
            yield Item()

        def ready(self) -> bool:
            return True

    def process(item: Item) -> list[Record]:
        raise ValueError("bad")

    with pytest.raises(InternalError) as stopped:
        pipeline.run(Input(), Writer(io.BytesIO()), process, consumes=None, command="toy")
    assert stopped.value.exit_code == 70 and "please report it" in str(stopped.value)


def test_apply_rules_records_no_decision_of_an_order_that_met_a_bug(
    invoke: Invoke, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order's holds were decided, then a bug: its decision was never queued, the others' are committed."""
    from flowkit.apply_rules import apply

    summary = apply._summary

    def buggy(out: Any, explain: bool) -> dict[str, Any]:
        if out.order["number"] == "1203":
            raise KeyError("reason")
        return summary(out, explain)

    monkeypatch.setattr(apply, "_summary", buggy)
    orders = (SAMPLES / "apply-rules" / "orders.ndjson").read_text()
    result = invoke(["-vv", "apply-rules", "--rules", str(SAMPLES / "rules.toml")], input=orders)
    assert result.exit_code == 1
    assert "flowkit: record '1203': internal error (KeyError: 'reason'); please report it" in result.stderr
    assert "Traceback" in result.stderr  # -vv: the debug log carries it
    out = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert {(r["kind"], r["body"]["exit_code"]) for r in out if r["key"] == "1203"} == {("error", 70)}
    conn = sqlite3.connect(state_path)
    statuses = dict(conn.execute("SELECT number, export_status FROM orders").fetchall())
    conn.close()
    assert "1203" not in statuses and statuses["1206"] == "held"  # 1203 alone is not recorded held


def test_a_store_error_met_on_a_record_stops_the_run_instead_of_failing_the_record_as_a_bug() -> None:
    """sqlite failing under a record is the store's environment (the CLI maps it to 75/78), not an internal error."""

    def process(record: Record) -> list[Record]:
        if record["key"] == "b":
            raise sqlite3.OperationalError("disk I/O error")
        return [make_record("result", record["key"], {})]

    out = io.BytesIO()
    with pytest.raises(sqlite3.OperationalError):
        pipeline.run(Items([payload(k) for k in "abc"]), Writer(out), process, consumes=("payload",), command="toy")
    assert lines(out) == [("result", "a")]  # what the record before did is written; nothing of b or after


def test_an_error_message_never_carries_a_url_password_or_a_known_secret() -> None:
    from flowkit import secrets
    from flowkit.errors import UnavailableError

    secrets.remember("s3cr3t-token-value")
    try:
        message = UnavailableError(
            "https://ops:hunter22@erp.example.com/orders refused: server said token s3cr3t-token-value is invalid"
        ).format_message()
    finally:
        secrets.forget()
    assert "hunter22" not in message and "s3cr3t-token-value" not in message
    assert message.startswith("https://ops:") and "erp.example.com/orders refused" in message
