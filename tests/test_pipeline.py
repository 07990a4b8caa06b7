"""pipeline.run: outputs filled at commit keep their place, staged windows close and discard as they say."""

from __future__ import annotations

import io
from collections.abc import Iterator

import orjson
import pytest

from flowkit import pipeline
from flowkit.errors import RecordError
from flowkit.pipeline import Pending
from flowkit.records import BadLine, Record, Writer, make_record


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
