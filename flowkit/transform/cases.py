"""``transform test``: discover golden cases, run them on the production engine, compare.

Convention: ``NAME.in.xml`` or ``NAME.in.json`` is a case; ``NAME.out.EXT`` is
its expected output; settings come from ``transform.toml`` in the case's folder
overlaid by ``NAME.toml`` (paths relative to the TOML file): ``xslt`` or
``jolt``, ``params`` (table), ``meta`` (table), ``param_from_meta`` (list),
``schema``, ``ignore_whitespace``, ``expect_error`` (a substring of the
error the case must raise) and ``engine`` (``saxon`` for XSLT 3.0; a file
that names a stylesheet pins its engine, libxslt unless it says so). A Jolt
case takes a typed context as the command line does: ``context``,
``param_json`` and ``jolt_strict`` (flowkit/transform/case_context.py); a
mistake there stops the run before any case runs (exit 78, file and line).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from flowkit import golden
from flowkit.errors import FlowkitError, InputError, RecordError
from flowkit.golden import Case, Result
from flowkit.records import make_record
from flowkit.transform import case_context, compare
from flowkit.transform.core import ENGINES, Engine

KEYS = {
    "xslt",
    "jolt",
    "params",
    "meta",
    "param_from_meta",
    "schema",
    "ignore_whitespace",
    "expect_error",
    "engine",
    *case_context.TYPED,
}
PATH_KEYS = ("xslt", "jolt", "schema")


def discover(paths: Iterable[Path]) -> list[Case]:
    """Cases under folders (recursively) or named directly, in a stable order."""
    return golden.discover(paths, (".xml", ".json"))


def _load_toml(path: Path) -> dict[str, Any]:
    data, text = golden.read_settings(path, KEYS, PATH_KEYS)
    if "engine" in data:  # named with its file and line, as an unknown key is
        from flowkit.config import locate

        line = locate(text, ("engine",))
        data["_where_engine"] = f"{path}{f':{line}' if line else ''}"
        if data["engine"] not in ENGINES:
            raise InputError(f"{data['_where_engine']}: engine {data['engine']!r} is not one of {', '.join(ENGINES)}")
    return {**data, **case_context.load(path, text, data)}


def case_settings(case: Case) -> dict[str, Any]:
    """Folder defaults (transform.toml) overlaid by the case's own NAME.toml."""
    merged: dict[str, Any] = {}
    for candidate in (case.folder / "transform.toml", case.folder / f"{case.stem}.toml"):
        if candidate.is_file():
            found = _load_toml(candidate)
            if "xslt" in found or "jolt" in found:
                merged.pop("xslt", None)
                merged.pop("jolt", None)
                merged.pop("engine", None)
                merged.pop("_where_engine", None)
            merged.update(found)
    if "xslt" not in merged and "jolt" not in merged:
        raise FlowkitError(f"{case.input}: no xslt or jolt in {case.stem}.toml or transform.toml")
    if "jolt" in merged and "engine" in merged:  # as transform refuses --engine with --jolt
        raise InputError(f"{merged['_where_engine']}: engine is for an XSLT stylesheet; this case runs a Jolt spec")
    case_context.check(merged)
    return merged


def check_contexts(cases: Iterable[Case]) -> None:
    """Every case's typed context read before any case runs: a mistake there is the run's (CaseContextError, 78).

    Other problems of a case's settings are that case's failure, reported when it runs.
    """
    for case in cases:
        try:
            case_settings(case)
        except case_context.CaseContextError:
            raise
        except FlowkitError:
            pass


class Runner:
    """Runs cases, compiling each stylesheet or spec once across cases."""

    def __init__(
        self,
        *,
        ignore_whitespace: bool,
        schema: str | None,
        update: bool,
        allow_read: tuple[Path, ...],
        max_bytes: int,
        engine: str | None = None,
    ) -> None:
        self.xslt_engine = engine  # transform test --engine: every XSLT case on it
        self.ignore_whitespace = ignore_whitespace
        self.schema = schema
        self.update = update
        self.allow_read = allow_read
        self.max_bytes = max_bytes
        self._compiled: dict[tuple[str, str, str, bool], Any] = {}
        self._validators: dict[str, compare.Validator] = {}

    def engine(self, settings: dict[str, Any]) -> Engine:
        kind = "xslt" if "xslt" in settings else "jolt"
        engine = self.xslt_engine or str(settings.get("engine", "libxslt"))
        strict = bool(settings.get("jolt_strict", False))
        key = (kind, settings[kind], engine, strict)
        if key not in self._compiled:
            self._compiled[key] = Engine.build(
                xslt=settings.get("xslt"),
                jolt=settings.get("jolt"),
                allow_read=self.allow_read,
                engine=engine,
                jolt_strict=strict,
            )
        built = self._compiled[key]
        params = {str(k): str(v) for k, v in dict(settings.get("params", {})).items()}
        return Engine(
            xslt=built.xslt,
            jolt=built.jolt,
            params=params,
            param_json=dict(settings.get("param_json", {})),
            context_file=settings.get("context"),
            jolt_strict=strict,
            param_from_meta=tuple(settings.get("param_from_meta", ())),
            max_bytes=self.max_bytes,
        )

    def run(self, case: Case) -> Result:
        started = time.perf_counter()
        try:
            result = self._run(case)
        except case_context.CaseContextError:
            raise
        except FlowkitError as exc:
            result = Result(case, False, exc.format_message())
        result.seconds = time.perf_counter() - started
        return result

    def _run(self, case: Case) -> Result:
        settings = case_settings(case)
        engine = self.engine(settings)
        raw = case.input.read_bytes()
        media = "application/json" if case.input.suffix == ".json" else "application/xml"
        try:
            body: Any = orjson.loads(raw) if media == "application/json" else raw.decode("utf-8")
        except (orjson.JSONDecodeError, UnicodeDecodeError) as exc:
            raise FlowkitError(f"{case.input}: cannot read the case input: {exc}") from exc
        record = make_record(
            "payload", case.stem, body, type=media, meta={**dict(settings.get("meta", {})), "filename": case.input.name}
        )
        expect_error = settings.get("expect_error")
        try:
            out = next(iter(engine.process(record)))
        except RecordError as exc:
            if expect_error and str(expect_error) in exc.format_message():
                return Result(case, True, f"failed as expected: {exc.format_message()}")
            return Result(case, False, exc.format_message())
        if expect_error:
            return Result(case, False, f"expected an error containing {expect_error!r}, but it succeeded")
        return self._check(case, settings, out)

    def _check(self, case: Case, settings: dict[str, Any], out: dict[str, Any]) -> Result:
        kind = compare.kind_of(out["type"])
        actual = _serialize(out)
        problems = self._validate(settings, actual, kind, case)
        expected = case.expected()
        if self.update:
            target = expected or case.folder / f"{case.stem}.out.{out['meta']['format']}"
            try:
                target.write_bytes(actual)
            except OSError as exc:
                raise FlowkitError(f"{target}: cannot write the expected output: {exc.strerror}") from exc
            return Result(case, not problems, f"updated {target.name}", updated=True, problems=problems)
        if expected is None:
            return Result(case, False, f"no expected output {case.stem}.out.* (run with --update to create it)")
        ignore = bool(settings.get("ignore_whitespace", self.ignore_whitespace))
        found = compare.diff(expected.read_bytes(), actual, kind, names=(str(expected), "actual"), ignore_whitespace=ignore)
        if found is not None:
            return Result(case, False, f"output differs from {expected.name}", diff=found, problems=problems)
        if problems:
            return Result(case, False, "output is not valid: " + problems[0], problems=problems)
        return Result(case, True)

    def _validate(self, settings: dict[str, Any], actual: bytes, kind: str, case: Case) -> list[str]:
        schema = settings.get("schema") or self.schema
        if not schema or kind != "xml":
            return []
        if schema not in self._validators:
            self._validators[schema] = compare.validator(schema)
        from flowkit.mapping import xmlsafe

        return self._validators[schema](xmlsafe.parse(actual, f"{case.name} output", encoding=None))


def _serialize(out: dict[str, Any]) -> bytes:
    body = out["body"]
    if not isinstance(body, str):
        return orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n"
    encoding = str(out["meta"].get("encoding") or "utf-8")
    return body.encode(encoding, errors="xmlcharrefreplace")


def run_cases(cases: list[Case], *, echo: Callable[[str], Any], **options: Any) -> list[Result]:
    """Run every case, echoing PASS/FAIL lines and diffs; return the results."""
    check_contexts(cases)
    return golden.run_all(cases, Runner(**options).run, echo)
