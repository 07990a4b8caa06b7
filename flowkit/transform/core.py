"""The transform engine: one compiled XSLT stylesheet or Jolt chain applied per payload record.

``Engine.process`` is the pure per-record core: a payload record in, a payload
record out (key and meta kept; ``type``, ``meta.format`` and the extension of
``meta.filename`` follow the output), or ``RecordError`` for that record.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from flowkit.config import Config
from flowkit.errors import ConfigError, FlowkitError, RecordError, UsageError
from flowkit.mapping import xmlsafe
from flowkit.mapping.jolt import MappingFailed
from flowkit.mapping.jolt_context import ContextFile
from flowkit.mapping.xslt import TransformFailed
from flowkit.provenance import Steps, file_sha256
from flowkit.records import MARK, Record, Writer, derive, is_json_type

CONSUMES = ("payload",)
LIBXSLT, ENGINES = "libxslt", ("libxslt", "saxon")  # --engine: libxslt (XSLT 1.0) or Saxon-HE (XSLT 3.0)


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as a dict; a pair without ``=`` is a usage error."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {pair!r}: use NAME=VALUE")
        params[name.strip()] = value
    return params


@dataclass
class Engine:
    """What to run on each record and with which parameters."""

    xslt: Any = None
    jolt: Any = None
    params: dict[str, str] = field(default_factory=dict)
    param_from_meta: tuple[str, ...] = ()
    max_bytes: int = xmlsafe.DEFAULT_MAX_BYTES
    # Per-record choice (meta -> (xslt, jolt)) from [suppliers.X.transform]/[channels.X.transform].
    routes: Route | None = None
    allow_read: tuple[Path, ...] = ()
    steps: Steps = field(default_factory=Steps)  # meta.transform's steps (paths shown relative to steps.base)
    # Jolt only: typed context values (--param-json, a --context file) and strict unknown functions.
    param_json: dict[str, Any] = field(default_factory=dict)
    context_file: ContextFile | None = None
    jolt_strict: bool = False
    engine: str = LIBXSLT  # the XSLT engine of --xslt (--engine, [transform] engine); routes carry their own
    _compiled: dict[tuple[str, ...], Any] = field(default_factory=dict)
    _digests: dict[str, str] = field(default_factory=dict)  # Jolt spec path -> sha256, read once per run

    @classmethod
    def build(cls, *, xslt: str | None, jolt: str | None, allow_read: Sequence[Path] = (), **options: Any) -> Engine:
        """Compile the stylesheet or chain once for the whole run."""
        if bool(xslt) == bool(jolt):
            raise UsageError("name exactly one of --xslt STYLESHEET or --jolt SPEC")
        if xslt:
            sheet = compile_xslt(xslt, tuple(allow_read), options.get("engine", LIBXSLT))
            return cls(xslt=sheet, allow_read=tuple(allow_read), **options)
        return cls(jolt=compile_jolt(str(jolt), options.get("jolt_strict", False)), allow_read=tuple(allow_read), **options)

    def __post_init__(self) -> None:
        both = sorted(set(self.params) & set(self.param_json))
        if both:
            raise UsageError(f"{both[0]!r} is given by both --param and --param-json: keep one")
        self._jolt_params: dict[str, Any] = {**self.params, **self.param_json}

    def select(self, record: Record) -> tuple[Any, Any]:
        """The compiled stylesheet or chain for this record (compiled once per file)."""
        if self.routes is None:
            return self.xslt, self.jolt
        xslt, jolt, engine = self.routes(record.get("meta", {}))
        if bool(xslt) == bool(jolt):
            raise RecordError(
                "no stylesheet or spec for this record: give --xslt/--jolt, or set xslt or jolt in "
                "[transform] or its [suppliers.X.transform]/[channels.X.transform]",
                code=78,
            )
        key = ("xslt", str(xslt), engine) if xslt else ("jolt", str(jolt))
        if key not in self._compiled:
            try:
                made = compile_xslt(key[1], self.allow_read, engine) if xslt else compile_jolt(key[1], self.jolt_strict)
            except FlowkitError as exc:
                raise RecordError(exc.format_message(), code=exc.exit_code) from exc
            self._compiled[key] = made
        found = self._compiled[key]
        return (found, None) if xslt else (None, found)

    def parameters(self, record: Record) -> dict[str, str]:
        """--param values plus the --param-from-meta ones taken from this record's meta."""
        if not self.param_from_meta:
            return self.params
        params = dict(self.params)
        meta = record.get("meta", {})
        for name in self.param_from_meta:
            value = meta.get(name)
            if value is None:
                raise RecordError(f"meta has no {name!r} for --param-from-meta {name}")
            params[name] = value if isinstance(value, str) else orjson.dumps(value).decode()
        return params

    def process(self, record: Record) -> list[Record]:
        """Transform one payload record; failures are RecordError for that record."""
        try:
            xslt, jolt = self.select(record)
            out = self._xslt_record(record, xslt) if xslt is not None else self._jolt_record(record, jolt)
        except RecordError:
            raise
        except FlowkitError as exc:
            raise RecordError(exc.format_message(), code=exc.exit_code) from exc
        return [out]

    def _xslt_record(self, record: Record, sheet: Any) -> Record:
        media_type = record["type"]
        if media_type == "application/json" or media_type.endswith("+json"):
            raise RecordError(f"record {record['key']!r} is {media_type}; --xslt needs an XML payload")
        try:
            doc = xmlsafe.parse(
                record["body"].encode("utf-8"),
                f"record {record['key']!r}",
                max_bytes=self.max_bytes,
                strip_blanks=sheet.strips_all,
            )
            params = self.parameters(record)
            output = sheet.apply(doc, params)
        except TransformFailed as exc:
            raise RecordError(f"{sheet.name}: {exc}") from exc
        del doc  # free the input tree before building the output record
        body: Any = output.text
        if is_json_type(output.media_type):
            try:
                body = orjson.loads(output.data)
            except orjson.JSONDecodeError as exc:
                raise RecordError(f"{sheet.name} declares JSON output but wrote invalid JSON: {exc}") from exc
        extension = output.extension
        meta = record.get("meta", {})
        step = _with_engine(self.steps.step("stylesheet", str(sheet.path), sheet.sha256, params), sheet)
        return {
            "flowkit": MARK,
            "kind": "payload",
            "key": record["key"],
            "type": output.media_type,
            "meta": {
                **meta,
                "format": extension,
                "filename": _rename(record, extension),
                "encoding": output.encoding,
                "transform": Steps.chained(meta, step),
            },
            "body": body,
        }

    def _jolt_record(self, record: Record, chain: Any) -> Record:
        if not is_json_type(record["type"]):
            raise RecordError(f"record {record['key']!r} is {record['type']}; --jolt needs a JSON payload")
        shown = self._jolt_params  # what provenance shows: the parameters, not a context file's values
        if self.param_from_meta:
            shown = {**shown, **{n: record.get("meta", {}).get(n) for n in self.param_from_meta}}
        context = {**self.context_file.values, **shown} if self.context_file else shown
        try:
            body = chain.apply(record["body"], context)
        except MappingFailed as exc:
            raise RecordError(f"{chain.where}: {exc}") from exc
        digest = self._digests.get(chain.where) or self._digests.setdefault(chain.where, file_sha256(chain.where))
        from_file = (self.context_file.path, self.context_file.sha256) if self.context_file else None
        step = self.steps.step("spec", chain.where, digest, shown, from_file)
        return derive(
            record,
            "payload",
            body,
            type="application/json",
            format="json",
            filename=_rename(record, "json"),
            transform=Steps.chained(record.get("meta", {}), step),
        )


Route = Callable[[Mapping[str, Any]], tuple[str | None, str | None, str]]


def router(config: Config, engine: str | None = None) -> Route | None:
    """Per-record (xslt, jolt, engine) from [suppliers.X.transform]/[channels.X.transform], or None without such tables.

    The most specific table that names ``xslt`` or ``jolt`` wins (channel over
    supplier over ``[transform]``); paths are relative to the config file. The
    engine is ``engine`` (--engine on the command line) when given, else that
    of the most specific table naming one that is not less specific than the
    stylesheet's own (a table that names a stylesheet pins its engine), else libxslt.
    """
    tables = [("suppliers", "supplier"), ("channels", "channel")]
    if not any(
        isinstance(entry, Mapping)
        and isinstance(entry.get("transform"), Mapping)
        and ({"xslt", "jolt", "engine"} & set(entry["transform"]))
        for kind, _ in tables
        for entry in config.section(kind).values()
    ):
        return None

    def route(meta: Mapping[str, Any]) -> tuple[str | None, str | None, str]:
        chosen: Mapping[str, Any] = config.section("transform")
        pinned = chosen.get("engine", LIBXSLT)
        for kind, meta_key in tables:
            entry = config.section(kind).get(str(meta.get(meta_key)))
            table = entry.get("transform") if isinstance(entry, Mapping) else None
            if isinstance(table, Mapping) and {"xslt", "jolt"} & set(table):
                chosen, pinned = table, LIBXSLT
            if isinstance(table, Mapping) and "engine" in table:
                pinned = table["engine"]
        paths = [chosen.get(k) for k in ("xslt", "jolt")]
        xslt, jolt = (str(config.resolve_path(p)) if isinstance(p, str) and p else None for p in paths)
        return xslt, jolt, engine or str(pinned)

    return route


def compile_xslt(path: str, allow_read: tuple[Path, ...], engine: str = LIBXSLT) -> Any:
    if engine not in ENGINES:
        raise ConfigError(f"engine {engine!r} is not one of {', '.join(ENGINES)}")
    if engine == "saxon":
        from flowkit.mapping.saxon import SaxonStylesheet

        return SaxonStylesheet(path, allow_read=allow_read)
    from flowkit.mapping.xslt import Stylesheet

    return Stylesheet(path, allow_read=allow_read)


def _with_engine(step: dict[str, Any], sheet: Any) -> dict[str, Any]:
    """meta.transform's step names the engine when it is not libxslt (its bytes differ: see docs/architecture.md)."""
    engine = getattr(sheet, "engine", LIBXSLT)
    return step if engine == LIBXSLT else {**step, "engine": engine}


def compile_jolt(path: str, strict: bool = False) -> Any:
    from flowkit.mapping.jolt import JoltChain

    return JoltChain.from_file(path, strict=strict)


def _rename(record: Record, extension: str) -> str:
    """The record's file name with the output's extension (``1203.xml`` -> ``1203.csv``)."""
    name = str(record.get("meta", {}).get("filename") or record["key"])
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}.{extension}"


def _is_record_stream(path: str) -> bool:
    """True when the file starts with a record line (NDJSON records are read line by line)."""
    with open(path, "rb") as stream:
        head = stream.read(1 << 16).lstrip()
    line = head.split(b"\n", 1)[0]
    if not line.startswith(b"{"):
        return False
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return b'"flowkit"' in line
    return isinstance(value, dict) and "flowkit" in value


def check_file_sizes(paths: Sequence[str], max_bytes: int) -> None:
    """Refuse a named raw document over the limit before it is read into memory."""
    for path in paths:
        if path != "-" and os.path.isfile(path) and os.path.getsize(path) > max_bytes and not _is_record_stream(path):
            xmlsafe.check_size(os.path.getsize(path), max_bytes, path)


def settings(table: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """Validate the ``[transform]`` keys this engine reads (max size, allowed folders)."""
    size = table.get("max_document_size", xmlsafe.DEFAULT_MAX_BYTES)
    allow = table.get("allow_read", [])
    if not isinstance(allow, list) or not all(isinstance(a, str) for a in allow):
        raise ConfigError("[transform] allow_read must be a list of folder paths")
    return {
        "max_bytes": xmlsafe.parse_size(size, where="[transform] max_document_size"),
        "allow_read": tuple((base / os.path.expanduser(a)).resolve() for a in allow),
    }


class EncodedWriter(Writer):
    """A Writer that, in raw mode, writes text in the encoding xsl:output declared."""

    def encode(self, record: Record) -> bytes:
        if self.mode != "raw":
            return super().encode(record)
        encoding = str(record.get("meta", {}).get("encoding") or "utf-8")
        body = record.get("body")
        if record.get("kind") == "error" or not isinstance(body, str) or encoding.lower().replace("-", "") == "utf8":
            return super().encode(record)
        data = body.encode(encoding, errors="xmlcharrefreplace")
        return data if data.endswith(b"\n") else data + b"\n"
