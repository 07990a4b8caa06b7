"""sqlite3's face on a psycopg connection: the ledgers' SQL in sqlite's spelling, rows by name and position.

``translate`` turns the few sqlite spellings the ledgers keep into
PostgreSQL's (``?`` and ``?N`` parameters, ``INSERT OR IGNORE``, ``json_each``,
``json_extract(column, '$.name')``, two-argument ``MAX``/``MIN``, a negative
``substr``), once per statement (cached). Used by ``store/postgres.py`` only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from flowkit.errors import FlowkitError
from flowkit.store.location import PgUrl

# --- SQL in sqlite's spelling, as PostgreSQL reads it ------------------------------------------

_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|%|\?(\d*)")
_OR_IGNORE = re.compile(r"\bINSERT\s+OR\s+IGNORE\s+INTO\b", re.I)
_RETURNING = re.compile(r"\sRETURNING\s", re.I)
_JSON_EACH = re.compile(r"\bjson_each\((\?\d*)\)", re.I)
_JSON_FIELD = re.compile(r"\bjson_extract\(([\w.]+), '\$\.(\w+)'\)", re.I)
_PAIR = re.compile(r"\b(MAX|MIN)\(([^(),]+),([^(),]+)\)", re.I)
_TAIL = re.compile(r"\bsubstr\(([^;]+?), -(\d+)\)", re.I)


@lru_cache(maxsize=1024)
def translate(sql: str, with_params: bool) -> tuple[str, tuple[int, ...] | None]:
    """``sql`` as PostgreSQL reads it, and for ``?N`` parameters the order to pass them in.

    With parameters, ``?`` becomes ``%s`` and a literal ``%`` doubles (psycopg's format);
    without, the text goes as written.
    """
    sql = _JSON_EACH.sub(r"json_array_elements_text(\1::json)", sql)
    sql = _JSON_FIELD.sub(r"(\1::json ->> '\2')", sql)  # as text: compare it after a CAST, as sqlite reads too
    if _OR_IGNORE.search(sql):
        sql = _OR_IGNORE.sub("INSERT INTO", sql)
        returning = _RETURNING.search(sql)
        at = returning.start() if returning else len(sql.rstrip().rstrip(";"))
        sql = sql[:at] + " ON CONFLICT DO NOTHING" + sql[at:]
    sql = _PAIR.sub(lambda m: f"{'GREATEST' if m.group(1).upper() == 'MAX' else 'LEAST'}({m.group(2)},{m.group(3)})", sql)
    sql = _TAIL.sub(r"right(\1, \2)", sql)
    if not with_params:
        return sql, None
    order: list[int] = []

    def place(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "%":
            return "%%"
        if text[0] != "?":
            return text  # a quoted literal or name: as written
        if match.group(1):
            order.append(int(match.group(1)) - 1)
        return "%s"

    sql = _PLACEHOLDER.sub(place, sql)
    return sql, tuple(order) if order else None


def _params(params: Sequence[Any], order: tuple[int, ...] | None) -> Sequence[Any]:
    return params if order is None else [params[i] for i in order]


# --- rows like sqlite3.Row: by position and by name ------------------------------------------


@lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> type[tuple[Any, ...]]:
    index = {name: n for n, name in enumerate(names)}

    class Row(tuple[Any, ...]):
        __slots__ = ()

        def __getitem__(self, key: Any) -> Any:
            if isinstance(key, str):
                return tuple.__getitem__(self, index[key])
            return tuple.__getitem__(self, key)

        def keys(self) -> list[str]:
            return list(names)

    return Row


def _named_rows(cursor: Any) -> Any:
    description = cursor.description
    if description is None:
        return tuple
    return _row_class(tuple(column.name for column in description))


class Cursor:
    """A cursor with sqlite3's face: ``execute``/``executemany`` in sqlite's spelling, rows by name (or plain)."""

    def __init__(self, conn: Face) -> None:
        self._conn = conn
        self._cur = conn.raw.cursor()
        self.row_factory: Any = _named_rows

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        self._cur.row_factory = self.row_factory or _plain_rows
        self._conn.run(self._cur, sql, parameters)
        return self

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Cursor:
        self._conn.run_many(self._cur, sql, seq_of_parameters)
        return self

    def fetchone(self) -> Any:
        return self._cur.fetchone() if self._cur.description is not None else None

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall()) if self._cur.description is not None else []

    def fetchmany(self, size: int) -> list[Any]:
        return list(self._cur.fetchmany(size)) if self._cur.description is not None else []

    def __iter__(self) -> Iterator[Any]:
        if self._cur.description is None:
            return iter(())
        return iter(self._cur)

    @property
    def rowcount(self) -> int:
        return int(self._cur.rowcount)

    @property
    def description(self) -> Any:
        return self._cur.description

    def close(self) -> None:
        self._cur.close()


def _plain_rows(cursor: Any) -> Any:
    return tuple


class Face:
    """A psycopg connection with the face of the sqlite3 connection the ledgers use.

    ``mapped`` turns an error of the statement's environment into its flowkit error (the engine's).
    """

    def __init__(self, url: PgUrl, raw: Any) -> None:
        self.url, self.raw = url, raw

    def mapped(self, exc: BaseException) -> FlowkitError | None:
        return None

    def run(self, cur: Any, sql: str, parameters: Sequence[Any]) -> None:
        text, order = translate(sql, bool(parameters))
        try:
            cur.execute(text, _params(parameters, order) if parameters else None)
        except Exception as exc:
            error = self.mapped(exc)
            if error is not None:
                raise error from exc
            raise

    def run_many(self, cur: Any, sql: str, seq: Any) -> None:
        rows = list(seq)
        if not rows:
            return
        text, order = translate(sql, True)
        try:
            cur.executemany(text, [_params(p, order) for p in rows])
        except Exception as exc:
            error = self.mapped(exc)
            if error is not None:
                raise error from exc
            raise

    def cursor(self) -> Cursor:
        return Cursor(self)

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Cursor:
        return self.cursor().executemany(sql, parameters)

    @property
    def in_transaction(self) -> bool:
        return bool(self.raw.info.transaction_status != self._idle)

    @property
    def _idle(self) -> Any:
        from psycopg.pq import TransactionStatus

        return TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()

    def __del__(self) -> None:  # like sqlite3's: a connection nobody holds any more is closed, quietly
        raw = getattr(self, "raw", None)
        if raw is not None and not raw.closed:
            try:
                raw.close()
            except Exception:
                pass
