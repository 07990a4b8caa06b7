"""Destinations: the table a ``--to`` names, and the transport built for it.

Each transport (hotfolder, ftp, sftp, http, email) implements the one small
interface of ``base.py`` and is imported only when a destination of its type
is opened, so a run pays for paramiko or httpx only when it uses them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowkit.config import Config
from flowkit.errors import ConfigError
from flowkit.secrets import remember_url
from flowkit.transports.base import SCHEMES, Transport, from_url, url_name


def destination(config: Config, target: str) -> dict[str, Any]:
    """A destination table: ``[destinations.NAME]`` or a URL (``file:///dir/``, ``sftp://…``).

    A URL's user, password, host, port and path become the table's keys and its
    query parameters options (``sftp://u@host/in/?known_hosts=kh``). The name
    (the ledger's destination) never contains the password or the query.
    """
    if "://" in target:
        remember_url(target)  # its password is masked in every message from now on
        spec = from_url(target)
        spec["name"] = url_name(target)
        return spec
    spec = config.named("destinations", target)
    spec.setdefault("name", target)
    kinds = sorted(set(SCHEMES.values()))
    if "type" in spec and spec["type"] not in kinds:
        raise ConfigError(
            f"{config.where('destinations', target, 'type')}: unknown destination type "
            f"{spec['type']!r} (known: {', '.join(kinds)})"
        )
    if "url" in spec:
        spec = {**from_url(str(spec["url"])), **spec}
    return spec


def open_transport(spec: Mapping[str, Any], config: Config) -> Transport:
    """Build (not yet open) the transport for a destination table."""
    kind = spec.get("type")
    if kind == "hotfolder":
        from flowkit.transports.hotfolder import Hotfolder

        return Hotfolder.from_spec(spec, config)
    if kind == "sftp":
        from flowkit.transports.sftp import Sftp

        return Sftp.from_spec(spec, config)
    if kind in ("ftp", "ftps"):
        from flowkit.transports.ftp import Ftp

        return Ftp.from_spec(spec, config)
    if kind == "http":
        from flowkit.transports.http import Http

        return Http.from_spec(spec, config)
    if kind == "email":
        from flowkit.transports.email import Email

        return Email.from_spec(spec, config)
    raise ConfigError(
        f"{config.where('destinations', str(spec.get('name')))}: unknown destination type {kind!r} "
        "(known: hotfolder, sftp, ftp, ftps, http, email)"
    )
