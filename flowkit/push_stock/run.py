"""One push-stock run on the record loop: options -> engine, sender; inputs -> result records and a tally.

Stock messages (decoded by ``push_stock.decode`` for ``records.Reader``) are
decided by ``pipeline.run`` with a ``Group`` window: about ``GROUP_LINES``
lines per transaction, and sooner when the input pauses (``reader.ready()``),
so a slow pipe still flows. ``--from-dir`` hands each file to ``flowkit.inbox``.
"""

from __future__ import annotations

import re
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from flowkit import inbox
from flowkit.config import Config
from flowkit.errors import ExitCode, RecordError, TempFailError, UnavailableError, UsageError
from flowkit.pipeline import Tally, run
from flowkit.push_stock.adjust import Calculator, load_catalogue, load_quotes
from flowkit.push_stock.decode import KIND, decode, message
from flowkit.push_stock.engine import Engine
from flowkit.push_stock.model import UNSENT_STATUSES, Message, seq_from_name
from flowkit.records import BadLine, Reader, Record, Writer
from flowkit.store import Store, stock

if TYPE_CHECKING:
    from flowkit.store.stock_defer import Deferred

# Messages are decided in groups of about this many lines per transaction: 20,000 lines over
# random SKUs dirty most ledger pages once, where four groups of 5,000 wrote them four times
# (bench/push_stock.py, 1,000,000 lines: half the bytes written, a fifth less CPU).
GROUP_LINES = 20_000
COMMAND = "push-stock"
POLICY = inbox.Policy(COMMAND, stock.inbox_record, seq_from_name)


@dataclass(frozen=True)
class Options:
    """push-stock's settings after flags, environment and config were layered."""

    target: str | None = None
    to: str | None = None
    message_format: str = "json"
    chunk_size: int = 100
    mode: str | None = None  # None, "full" or "incremental"
    from_dir: str | None = None
    batch_size: int = 50
    max_attempts: int = 3
    quotes: str | None = None
    adjustment: str = "none"
    allow_negative: bool = False
    unsent_order_cutoff_days: float = 30.0
    active_quote_cutoff_days: float = 7.0
    catalogue: str | None = None
    default_source: str = "default"
    statuses: tuple[str, ...] = UNSENT_STATUSES


def target_of(opts: Options) -> str:
    if opts.target:
        return opts.target
    if opts.to:
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", opts.to) if "://" in opts.to else opts.to
    raise UsageError("name the ledger with --target NAME (or a destination with --to)")


def calculator(opts: Options) -> Calculator:
    quotes: dict[str, int] = {}
    if opts.adjustment == "unsent_orders_and_quotes":
        if not opts.quotes:
            raise UsageError("adjustment unsent_orders_and_quotes needs --quotes FILE")
        quotes = load_quotes(Path(opts.quotes), cutoff_days=opts.active_quote_cutoff_days)
    return Calculator(
        adjustment=opts.adjustment,
        allow_negative=opts.allow_negative,
        statuses=opts.statuses,
        unsent_cutoff_days=opts.unsent_order_cutoff_days,
        quotes=quotes,
    )


class Group:
    """``pipeline.Window`` for push-stock: the messages of about ``GROUP_LINES`` lines share a transaction.

    ``commit_every`` (records) follows the lines seen: it drops to the records read
    so far once they hold ``GROUP_LINES`` lines, so the loop commits there. Deferred
    (PostgreSQL), a full window is written while the next one is decided; any other
    commit (a stall of the input, the end) waits until the writes are committed.
    """

    lookahead = 1

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.commit_every = sys.maxsize
        self._records = self._lines = 0

    def prepare(self, items: list[Record | BadLine]) -> None:
        self._records += len(items)
        self._lines += sum(len(i["body"]["lines"]) for i in items if not isinstance(i, BadLine) and i["kind"] == KIND)
        if self._lines >= GROUP_LINES:
            self.commit_every = self._records

    def commit(self) -> None:
        full = self._lines >= GROUP_LINES
        self.engine.commit()
        self._records = self._lines = 0
        self.commit_every = sys.maxsize
        if self.engine.deferred is not None and not full:
            self.engine.deferred.settle()


class Ahead:
    """The input of a deferred run: records read up to ``Deferred.depth`` ahead (never waiting on the
    producer for that), each stock message handed to ``Deferred.prefetch`` as it is read."""

    def __init__(self, reader: Reader, deferred: Deferred) -> None:
        self.reader, self.deferred, self.mode = reader, deferred, reader.mode
        self._queue: deque[Record | BadLine] = deque()

    def ready(self) -> bool:
        return bool(self._queue) or self.reader.ready()

    def __iter__(self) -> Iterator[Record | BadLine]:
        source, queue, more = iter(self.reader), self._queue, True
        while True:
            while more and len(queue) < self.deferred.depth and (not queue or self.reader.ready()):
                item = next(source, None)
                if item is None:
                    more = False
                    break
                if not isinstance(item, BadLine) and item["kind"] == KIND:
                    self.deferred.prefetch(item["body"]["lines"], item["body"]["message_seq"])
                queue.append(item)
            if not queue:
                return
            yield queue.popleft()


class Held:
    """The writer of a deferred run: a window's outputs wait until the store confirms its writes.

    ``pipeline.run`` writes a window's outputs right after its commit; deferred, that
    commit only handed the writes on, so they are held (as encoded bytes, in order)
    until the windows decided up to then are written.
    """

    def __init__(self, writer: Writer, deferred: Deferred) -> None:
        self.writer, self.deferred, self.encode = writer, deferred, writer.encode
        self._held: deque[tuple[int, list[bytes]]] = deque()

    def put(self, chunks: Sequence[bytes]) -> None:
        self._held.append((self.deferred.handed, list(chunks)))
        self._release(self.deferred.confirmed())

    def _release(self, written: int) -> None:
        while self._held and self._held[0][0] <= written:
            self.writer.put(self._held.popleft()[1])

    def settle(self) -> None:
        """Wait for every write; write the outputs of the windows written (raises a failed write)."""
        try:
            self.deferred.settle()
        finally:
            self._release(self.deferred.written)


def ledger_messages(store: Store, target: str) -> Iterator[Message]:
    """The target's whole ledger as messages of up to 5000 lines (for --full without input)."""
    after = ("", "")
    while True:
        page = stock.page(store, target, after, 5000)
        if not page:
            return
        after = (page[-1]["sku"], page[-1]["source"])
        yield Message(None, page, f"ledger {target}", target, {"format": "ledger"})


def _stream(reader: Reader, writer: Writer, engine: Engine) -> Tally:
    """The one record loop over ``reader``: each ``stock`` record decided, other kinds passed on."""
    if engine.deferred is None:
        return _loop(reader, writer, engine)
    held = Held(writer, engine.deferred)
    try:
        tally = _loop(Ahead(reader, engine.deferred), held, engine)
    except BaseException:
        try:
            held.settle()  # the windows written before the failure keep their outputs
        except Exception:
            pass  # the failure that stopped the run is the one reported
        raise
    held.settle()
    return tally


def _loop(reader: Reader | Ahead, writer: Writer | Held, engine: Engine) -> Tally:
    return run(
        reader,
        cast(Writer, writer),
        lambda record: engine.decide(message(record)),
        consumes=(KIND,),
        command=COMMAND,
        window=Group(engine),
    )


def _inbox(folder: Path, opts: Options, engine: Engine, writer: Writer, tally: Tally, warn: Callable[[str], None]) -> None:
    def handle(path: Path) -> None:
        failed_before = engine.sender.failed if engine.sender else 0
        done = _stream(inbox.reader(path, decode), writer, engine)
        tally.passed += done.passed
        if engine.sender is not None:
            _write(writer, engine.sender.drain(final=True))
            if engine.sender.failed > failed_before:
                raise TempFailError("the destination did not confirm every chunk")

    outcome = inbox.run(
        folder,
        handle,
        store=engine.store,
        policy=POLICY,
        batch_size=opts.batch_size,
        max_attempts=opts.max_attempts,
        warn=lambda name, text: warn(f"{name}: {text}"),
    )
    tally.failed += outcome.retry + outcome.dead
    tally.codes += outcome.codes


def _inputs(files: Sequence[str], opts: Options, engine: Engine, writer: Writer, warn: Callable[[str], None]) -> Tally:
    if opts.from_dir:
        tally = Tally()
        _inbox(Path(opts.from_dir), opts, engine, writer, tally, warn)
        return tally
    if opts.mode == "full" and not files:
        for msg in ledger_messages(engine.store, engine.target):
            engine.resend(msg)
            _write(writer, engine.sender.drain() if engine.sender else [])
        return Tally()
    return _stream(Reader(files, decode=decode), writer, engine)


def push(
    files: Sequence[str], opts: Options, *, store: Store, config: Config, writer: Writer, warn: Callable[[str], None]
) -> tuple[Engine, Tally]:
    """Decide (and send) everything the inputs hold; write result records with ``writer``."""
    target = target_of(opts)
    if opts.mode == "full" and not files and not opts.to and not opts.from_dir:
        raise UsageError("--full without input resends the ledger: it needs --to DESTINATION")
    catalogue = load_catalogue(Path(opts.catalogue)) if opts.catalogue else None
    engine = Engine(
        store,
        target,
        calc=calculator(opts),
        catalogue=catalogue,
        snapshot=opts.mode,
        default_source=opts.default_source,
        command=COMMAND,
        warn=warn,
    )
    stock.tune_for_bulk(store)
    with ExitStack() as stack:
        if opts.to:
            engine.sender = _sender(store, target, opts, config, engine, stack)
            settled = engine.sender.recover()
            if settled:
                warn(f"settled {settled} chunk(s) left unconfirmed by an earlier run")
        else:
            engine.defer()
            if engine.deferred is not None:
                stack.callback(engine.deferred.close)
        tally = _inputs(files, opts, engine, writer, warn)
        if engine.sender is not None:
            _write(writer, engine.sender.drain(final=True))
            tally.codes += engine.sender.error_codes
    sent_failures = engine.sender.failed_lines if engine.sender is not None else 0
    tally.failed += engine.counts["failure"]
    if engine.counts["failure"] > sent_failures:
        tally.codes.append(int(ExitCode.DATAERR))
    tally.ok = sum(engine.counts[k] for k in ("success", "duplicate", "superseded", "unchanged"))
    return engine, tally


def _sender(store: Store, target: str, opts: Options, config: Config, engine: Engine, stack: ExitStack) -> Any:
    from flowkit.push_stock.send import Sender
    from flowkit.transports import destination, open_transport

    transport = open_transport(destination(config, str(opts.to)), config)
    try:
        transport.open()
    except RecordError as exc:
        raise UnavailableError(f"destination {opts.to}: {exc.format_message()}") from exc
    stack.callback(transport.close)
    return Sender(
        store,
        target,
        transport,
        fmt=opts.message_format,
        chunk_size=opts.chunk_size,
        emit=lambda body, meta: engine.record(body, Message(None, [], f"destination {opts.to}", "", meta)),
    )


def _write(writer: Writer, records: list[Record]) -> None:
    writer.put([writer.encode(record) for record in records])
