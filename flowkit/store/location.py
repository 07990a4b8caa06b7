"""Where the state store lives: a sqlite file (a path) or a PostgreSQL database (a ``postgresql://`` URL).

``--state`` and ``[state] path``/``url`` name it. A value that starts with
``postgresql://`` or ``postgres://`` is a database; anything else is a file.
The URL's password may be a ``${ENV}`` reference or a ``file:`` secret (as
``[state] password``), or come from libpq's own PGPASSWORD/PGPASSFILE; it is
resolved here, remembered as a secret (so logs mask it) and never shown: a
``PgUrl`` prints as the URL without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from flowkit.errors import ConfigError

SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class PgUrl:
    """A PostgreSQL state store: ``url`` to connect with (password resolved), printed without the password."""

    url: str = field(repr=False)
    shown: str

    def __str__(self) -> str:
        return self.shown


def is_url(value: str) -> bool:
    return value.lower().startswith(SCHEMES)


def parse(value: str, *, password: str | None = None, where: str = "--state", resolve: Callable[[str], str] = str) -> PgUrl:
    """The ``PgUrl`` of ``value``; ``password`` goes in when the URL has none.

    ``resolve`` turns a password (the URL's own or ``password``) that is a ``${ENV}``/``file:``
    reference into the secret (``flowkit.config.resolve_secret``, which also remembers it for masking).
    """
    try:
        parts = urlsplit(value)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise ConfigError(f"{where}: not a valid PostgreSQL URL ({exc})") from None
    if not host and "host=" not in parts.query:
        raise ConfigError(f"{where}: a PostgreSQL URL needs a host (postgresql://user@host:port/db)")
    user = unquote(parts.username) if parts.username else None
    secret = unquote(parts.password) if parts.password is not None else password
    if secret is not None:
        secret = resolve(secret)
    netloc_host = (f"[{host}]" if host and ":" in host else host or "") + (f":{port}" if port else "")
    shown_user = quote(user, safe="") + "@" if user else ""
    shown = urlunsplit(("postgresql", shown_user + netloc_host, parts.path, _without_password(parts.query), ""))
    auth = shown_user[:-1] + (":" + quote(secret, safe="") if secret else "") + "@" if (user or secret) else ""
    full = urlunsplit(("postgresql", auth + netloc_host, parts.path, parts.query, ""))
    return PgUrl(url=full, shown=shown)


def _without_password(query: str) -> str:
    return "&".join(p for p in query.split("&") if p and not p.lower().startswith("password="))


def lock_file(state: Path, name: str) -> Path:
    """The file beside a sqlite store that holds its lock ``name``."""
    return state.with_name(f"{state.name}.{name}.lock")
