"""The receiver's settings: ``[receive]`` and its ``[receive.routes.NAME]`` tables, layered under the flags.

Each route is a POST path with its inbox folder, the kind of message it takes
(the file names the inbox readers expect follow it), its authentication
(``bearer`` or ``hmac-sha256`` with a ``secret``, or ``none``) and its body size
limit. Without routes, ``--inbox DIR`` makes one: ``POST /`` into DIR.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowkit.config import Config, resolve_secret
from flowkit.errors import ConfigError, UsageError

KINDS = ("order", "stock", "shipment", "status", "message")
AUTHS = ("none", "bearer", "hmac-sha256")
DEFAULT_SIGNATURE_HEADER = "X-Signature"
DEFAULT_MAX_BODY = 10 * 1024 * 1024


@dataclass(frozen=True)
class Route:
    """One POST path: where its bodies go and what it asks of a sender."""

    name: str
    path: str
    inbox: Path
    kind: str = "message"
    auth: str = "none"
    secret: bytes = field(default=b"", repr=False)
    signature_header: str = DEFAULT_SIGNATURE_HEADER
    max_body_size: int = DEFAULT_MAX_BODY


@dataclass(frozen=True)
class Settings:
    """What the server needs: the address, the routes by path and the limits."""

    host: str
    port: int
    routes: Mapping[str, Route]
    read_timeout: float = 10.0
    max_connections: int = 64
    rate_limit: float = 0.0  # posts per second per client address; 0: no limit


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6) as a host and a port number."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise UsageError(f"--listen {value!r}: give HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080, 0.0.0.0:8080)")
    return host.strip("[]") or "0.0.0.0", int(port)


def routes(config: Config, inbox: str | None, max_body_size: int) -> dict[str, Route]:
    """The routes by path: ``[receive.routes.NAME]`` tables, else one route ``POST /`` into ``inbox``."""
    tables = config.section("receive").get("routes") or {}
    if not isinstance(tables, Mapping):
        raise ConfigError(f"{config.where('receive', 'routes')}: [receive.routes] must be a table of named tables")
    if not tables:
        if inbox is None:
            raise UsageError("no inbox: give --inbox DIR, or routes in [receive.routes.NAME] of the config")
        return {"/": Route("default", "/", Path(inbox), max_body_size=max_body_size)}
    found: dict[str, Route] = {}
    for name, spec in tables.items():
        route = _route(config, str(name), spec, inbox, max_body_size)
        if route.path in found:
            where = config.where("receive", "routes", str(name), "path")
            raise ConfigError(f"{where}: path {route.path} is also the path of route '{found[route.path].name}'")
        found[route.path] = route
    return found


def _route(config: Config, name: str, spec: Any, inbox: str | None, max_body_size: int) -> Route:
    def where(key: str | None = None) -> str:
        return config.where("receive", "routes", name, *((key,) if key else ()))

    if not isinstance(spec, Mapping):
        raise ConfigError(f"{where()}: 'receive.routes.{name}' must be a table")
    path = str(spec.get("path", f"/{name}"))
    if not path.startswith("/") or "?" in path or "#" in path:
        raise ConfigError(f"{where('path')}: 'receive.routes.{name}.path' must be a URL path starting with /")
    kind, auth = str(spec.get("kind", "message")), str(spec.get("auth", "none"))
    for key, value, known in (("kind", kind, KINDS), ("auth", auth, AUTHS)):
        if value not in known:
            raise ConfigError(f"{where(key)}: unknown value for 'receive.routes.{name}.{key}' (known: {', '.join(known)})")
    secret = b""
    if auth != "none":
        if not spec.get("secret"):
            raise ConfigError(f'{where("auth")}: route \'{name}\' with auth = "{auth}" needs a secret ("${{ENV}}" or file:)')
        secret = str(resolve_secret(spec["secret"], where=where("secret"))).encode()
        if not secret:
            raise ConfigError(f"{where('secret')}: the secret of route '{name}' is empty")
    folder = spec.get("inbox")
    if folder is None and inbox is None:
        raise ConfigError(f"{where()}: route '{name}' has no inbox: set 'inbox', or give --inbox DIR (then DIR/{name})")
    size = spec.get("max_body_size", max_body_size)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ConfigError(f"{where('max_body_size')}: 'receive.routes.{name}.max_body_size' must be a positive integer (bytes)")
    return Route(
        name=name,
        path=path,
        inbox=config.resolve_path(str(folder)) if folder is not None else Path(str(inbox)) / name,
        kind=kind,
        auth=auth,
        secret=secret,
        signature_header=str(spec.get("signature_header", DEFAULT_SIGNATURE_HEADER)),
        max_body_size=size,
    )
