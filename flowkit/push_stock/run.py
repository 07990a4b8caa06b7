"""One push-stock run: options -> engine, sender, inputs -> result records and a tally."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click
import orjson

from flowkit.config import Config
from flowkit.errors import ExitCode, RecordError, UnavailableError
from flowkit.pipeline import Tally
from flowkit.push_stock.adjust import Calculator, load_catalogue, load_quotes
from flowkit.push_stock.engine import Engine
from flowkit.push_stock.model import UNSENT_STATUSES, Message
from flowkit.push_stock.read import Bad, read
from flowkit.records import Record
from flowkit.store import Store, stock

# Messages read from a file are decided in groups of about this many lines per
# transaction (stdin: one message per transaction, so a slow pipe still flows).
GROUP_LINES = 5000


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
    raise click.UsageError("name the ledger with --target NAME (or a destination with --to)")


def calculator(opts: Options) -> Calculator:
    quotes: dict[str, int] = {}
    if opts.adjustment == "unsent_orders_and_quotes":
        if not opts.quotes:
            raise click.UsageError("adjustment unsent_orders_and_quotes needs --quotes FILE")
        quotes = load_quotes(Path(opts.quotes), cutoff_days=opts.active_quote_cutoff_days)
    return Calculator(adjustment=opts.adjustment, allow_negative=opts.allow_negative, statuses=opts.statuses,
                      unsent_cutoff_days=opts.unsent_order_cutoff_days, quotes=quotes)


def ledger_messages(store: Store, target: str) -> Iterator[Message]:
    """The target's whole ledger as messages of up to 5000 lines (for --full without input)."""
    after = ("", "")
    while True:
        page = stock.page(store.conn, target, after, 5000)
        if not page:
            return
        after = (page[-1]["sku"], page[-1]["source"])
        yield Message(None, page, f"ledger {target}", target, {"format": "ledger"})


def _inputs(files: Sequence[str], opts: Options, engine: Engine, tally: Tally,
            warn: Callable[[str], None]) -> Iterator[list[Record]]:
    if opts.from_dir:
        from flowkit.push_stock import inbox

        outcome = inbox.Outcome()
        yield from inbox.run(Path(opts.from_dir), engine, batch_size=opts.batch_size,
                             max_attempts=opts.max_attempts, warn=warn, outcome=outcome)
        tally.failed += outcome.retry + outcome.dead
        tally.codes += outcome.codes
        return
    if opts.mode == "full" and not files:
        for msg in ledger_messages(engine.store, engine.target):
            yield engine.resend(msg)
            yield engine.sender.drain() if engine.sender else []
        return
    group: list[Message] = []
    size = 0
    for item in read(files):
        if isinstance(item, Message):
            group.append(item)
            size += len(item.lines)
            if size < GROUP_LINES and not item.where.startswith("<stdin>"):
                continue
        if group:
            yield _decide(engine, group)
            group, size = [], 0
        if isinstance(item, Bad):
            warn(str(item))
            tally.failed += 1
            tally.codes.append(int(ExitCode.DATAERR))
        elif not isinstance(item, Message):
            yield [item]
    if group:
        yield _decide(engine, group)


def _decide(engine: Engine, group: list[Message]) -> list[Record]:
    """One transaction for a group of messages from a file; then the chunks that filled up."""
    out = engine.process_many(group)
    return out + engine.sender.drain() if engine.sender is not None else out


def push(files: Sequence[str], opts: Options, *, store: Store, config: Config, out: IO[bytes],
         warn: Callable[[str], None]) -> tuple[Engine, Tally]:
    """Decide (and send) everything the inputs hold; write result records to ``out``."""
    target = target_of(opts)
    if opts.mode == "full" and not files and not opts.to and not opts.from_dir:
        raise click.UsageError("--full without input resends the ledger: it needs --to DESTINATION")
    catalogue = load_catalogue(Path(opts.catalogue)) if opts.catalogue else None
    engine = Engine(store, target, calc=calculator(opts), catalogue=catalogue, snapshot=opts.mode,
                    default_source=opts.default_source, warn=warn)
    tally = Tally()
    stock.tune_for_bulk(store.conn)
    with ExitStack() as stack:
        if opts.to:
            engine.sender = _sender(store, target, opts, config, engine, stack)
            settled = engine.sender.recover()
            if settled:
                warn(f"settled {settled} chunk(s) left unconfirmed by an earlier run")
        for batch in _inputs(files, opts, engine, tally, warn):
            _write(out, batch)
        if engine.sender is not None:
            _write(out, engine.sender.drain(final=True))
            tally.codes += engine.sender.error_codes
    sent_failures = engine.sender.failed_lines if engine.sender is not None else 0
    tally.failed += engine.counts["failure"]
    if engine.counts["failure"] > sent_failures:
        tally.codes.append(int(ExitCode.DATAERR))
    tally.ok += sum(engine.counts[k] for k in ("success", "duplicate", "superseded", "unchanged"))
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
    return Sender(store, target, transport, fmt=opts.message_format, chunk_size=opts.chunk_size,
                  emit=lambda body, meta: engine.record(body, Message(None, [], f"destination {opts.to}", "", meta)))


def _write(out: IO[bytes], records: list[Record]) -> None:
    if records:
        dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        out.write(b"".join([dumps(r, option=newline) for r in records]))
        out.flush()
