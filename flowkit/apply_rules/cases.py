"""``apply-rules test``: golden cases, an order in and the decision on it out, run on the production engine.

Convention: ``NAME.in.json`` is a case, the order (a flowkit.order/1 document
or one order record with its meta); ``NAME.out.json`` is the expected decision
(``decision.py``). Settings come from ``apply-rules.toml`` in the case's folder,
overlaid key by key by ``NAME.toml``: ``meta`` (a table: the record's meta,
such as channel, supplier, source), ``expect_error`` (a substring of the error
the order must raise) and ``state`` (what the state store holds, ``case_state.py``).

Every case file is read and checked before any case runs: a bad one is an
InputError (65) naming its file and line. The rules and the config are read as
``apply-rules`` reads them (a problem: ConfigError, 78). A case records nothing,
delivers no alert and never opens the user's state store.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowkit import golden
from flowkit.apply_rules import case_state
from flowkit.apply_rules.apply import AlertSender, Applier, check_destinations
from flowkit.apply_rules.common import fresh
from flowkit.apply_rules.decision import KEYS as DECISION_KEYS
from flowkit.apply_rules.decision import decision
from flowkit.apply_rules.engine import Engine
from flowkit.apply_rules.loader import RuleSet
from flowkit.apply_rules.settings import Settings
from flowkit.config import Config, locate
from flowkit.errors import InputError, RecordError
from flowkit.golden import Case, Result
from flowkit.records import Record, make_record

if TYPE_CHECKING:
    from flowkit.store.rules import RulesView

FOLDER_FILE = "apply-rules.toml"
KEYS = ("meta", "expect_error", "state")


@dataclass
class Loaded:
    """A case, read and checked: the order, its meta, what it expects, the store it needs."""

    case: Case
    order: dict[str, Any]
    meta: dict[str, Any]
    expect_error: str | None
    state: case_state.State | None
    expected: Any  # the expected decision; None when there is no NAME.out.json yet

    @property
    def expected_path(self) -> Path:
        return self.case.folder / f"{self.case.stem}.out.json"


def discover(paths: Iterable[Path]) -> list[Case]:
    """Cases (``NAME.in.json``) under folders, recursively, or named directly."""
    return golden.discover(paths, (".json",))


def load(case: Case) -> Loaded:
    """Read and check one case's files; InputError naming file and line when one is wrong."""
    settings, where = _settings(case)
    order, meta = _order(golden.parse_json(_read(case.input), str(case.input)), case.input)
    extra = settings.get("meta", {})
    if not isinstance(extra, dict):
        raise InputError(f"{where('meta')}: 'meta' must be a table")
    expect_error = settings.get("expect_error")
    if expect_error is not None and (not isinstance(expect_error, str) or not expect_error):
        raise InputError(f"{where('expect_error')}: 'expect_error' must be a non-empty string")
    state = None
    if "state" in settings:
        state = case_state.parse(settings["state"], lambda key: where("state", key))
    loaded = Loaded(case, order, {**meta, **extra}, expect_error, state, None)
    if loaded.expected_path.is_file():
        loaded.expected = _expected(loaded.expected_path)
    return loaded


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the case: {exc.strerror}") from exc


def _settings(case: Case) -> tuple[dict[str, Any], Callable[..., str]]:
    """The folder's settings overlaid by the case's own, and where each key was given (file:line)."""
    merged: dict[str, Any] = {}
    given: dict[str, tuple[Path, str]] = {}
    for candidate in (case.folder / FOLDER_FILE, case.folder / f"{case.stem}.toml"):
        if candidate.is_file():
            found, text = golden.read_settings(candidate, KEYS)
            merged.update(found)
            given.update({key: (candidate, text) for key in found})

    def where(*keys: str) -> str:
        path, text = given[keys[0]]
        line = locate(text, tuple(k for k in keys if k)) or locate(text, keys[:1])
        return f"{path}:{line}" if line else str(path)

    return merged, where


def _order(document: Any, path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The order and its meta: a plain order document, or one flowkit order record."""
    if isinstance(document, dict) and isinstance(document.get("flowkit"), str) and "kind" in document:
        if document["kind"] != "order":
            raise InputError(f"{path}: a {document['kind']!r} record; a case holds one order (a record of kind 'order')")
        meta = document.get("meta", {})
        if not isinstance(meta, dict):
            raise InputError(f"{path}: the record's 'meta' must be an object")
        document, meta = document.get("body"), dict(meta)
    else:
        meta = {}
    if not isinstance(document, dict):
        raise InputError(f"{path}: a case holds one order, a JSON object")
    return document, meta


def _expected(path: Path) -> dict[str, Any]:
    data = _read(path)
    value = golden.parse_json(data, str(path))
    if not isinstance(value, dict):
        raise InputError(f"{path}:1: the expected decision must be a JSON object")
    for key in value:
        if key not in DECISION_KEYS:
            text = data.decode("utf-8", errors="replace")
            line = text.count("\n", 0, max(text.find(f'"{key}"'), 0)) + 1
            raise InputError(f"{path}:{line}: unknown key {key!r} (known: {', '.join(DECISION_KEYS)})")
    return value


class _Undelivered(AlertSender):
    """Names an alert's destination and sends nothing: a case has no side effects."""

    def send(self, record: Record, to: str) -> dict[str, Any]:
        return {"destination": to}


class Runner:
    """Runs loaded cases through the rules, compiled once, as ``apply-rules --dry-run`` would apply them."""

    def __init__(self, ruleset: RuleSet, config: Config, *, update: bool) -> None:
        self.ruleset = ruleset
        self.settings = Settings(ruleset, config)  # a bad [checks]/[maps] layer: 78, before any case
        check_destinations(ruleset, config)
        self.sender = _Undelivered(config)
        self.update = update

    def run(self, item: Loaded) -> Result:
        started = time.perf_counter()
        result = self._run(item)
        result.seconds = time.perf_counter() - started
        return result

    def _run(self, item: Loaded) -> Result:
        try:
            records = self.decide(item)
        except RecordError as exc:
            message = exc.format_message()
            if item.expect_error and item.expect_error in message:
                return Result(item.case, True, f"failed as expected: {message}")
            return Result(item.case, False, message)
        if item.expect_error:
            return Result(item.case, False, f"expected an error containing {item.expect_error!r}, but the order passed")
        return self._check(item, decision(item.order, records))

    def decide(self, item: Loaded, explain: Callable[[str], None] | None = None) -> list[Record]:
        """The records apply-rules writes for the case's order (a fresh copy of it each time)."""
        order = fresh(item.order)
        number = order.get("number")
        key = str(number) if isinstance(number, (str, int)) else item.case.stem
        record = make_record("order", key, order, meta={**item.meta, "filename": item.case.input.name})
        with self._view(item) as view:
            engine = Engine(self.ruleset, self.settings, view, explain=explain is not None)
            released = view.released if view is not None else _never
            applier = Applier(engine, decide=None, sender=self.sender, released=released, explain=explain)
            return applier(record)

    @contextmanager
    def _view(self, item: Loaded) -> Iterator[RulesView | None]:
        if item.state is None:  # nothing stored: the engine's checks run without a store, as on an empty one
            yield None
            return
        target = self.settings.for_meta(item.meta)[0].stock_target
        with case_state.view(item.state, item.order, item.meta, target) as view:
            yield view

    def _check(self, item: Loaded, actual: dict[str, Any]) -> Result:
        path = item.expected_path
        if self.update:
            try:
                path.write_text(golden.json_text(actual) + "\n", encoding="utf-8")
            except OSError as exc:
                return Result(item.case, False, f"{path}: cannot write the expected decision: {exc.strerror}")
            return Result(item.case, True, f"updated {path.name}", updated=True)
        if item.expected is None:
            return Result(item.case, False, f"no expected decision {path.name} (run with --update to create it)")
        found = golden.unified(golden.json_text(item.expected), golden.json_text(actual), (str(path), "actual"))
        if found is None:
            return Result(item.case, True)
        return Result(item.case, False, f"decision differs from {path.name}", diff=found, notes=self._why(item))

    def _why(self, item: Loaded) -> list[str]:
        """--explain's lines for a failing case: which rules and checks matched, and why."""
        lines: list[str] = []
        self.decide(item, explain=lines.append)
        return [f"why: {line.partition(': ')[2]}" for line in lines]


def _never(number: str) -> bool:
    return False
