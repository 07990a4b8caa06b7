"""Start and stop the receiver: the inbox folders made and checked, the server bound, the routes said.

``start`` returns the bound server (the CLI layer runs ``serve_forever`` and
turns SIGTERM/SIGINT into ``stop``); ``routes_table`` is what ``--check``
prints, one JSON object per route.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from flowkit.errors import ConfigError, UnavailableError
from flowkit.receive import spool
from flowkit.receive.config import Settings
from flowkit.receive.report import Report
from flowkit.receive.server import ReceiveServer


def prepare(settings: Settings, report: Report) -> None:
    """Make each inbox folder, check it takes a file, remove what a killed receiver left (hidden temporary files)."""
    for route in settings.routes.values():
        try:
            removed = spool.prepare(route.inbox)
        except OSError as exc:
            raise ConfigError(f"route '{route.name}': inbox {route.inbox} cannot be written: {exc.strerror}") from exc
        if removed:
            report.say(f"{route.inbox}: removed {removed} unfinished temporary file(s) of a stopped receiver", event="cleaned")


def routes_table(settings: Settings) -> list[dict[str, Any]]:
    return [
        {
            "route": route.name,
            "method": "POST",
            "path": route.path,
            "inbox": str(route.inbox),
            "kind": route.kind,
            "auth": route.auth,
            "max_body_size": route.max_body_size,
        }
        for route in settings.routes.values()
    ]


def start(settings: Settings, report: Report) -> ReceiveServer:
    """The bound server, its inboxes ready and its routes said on stderr."""
    prepare(settings, report)
    try:
        server = ReceiveServer(settings, report)
    except OSError as exc:
        raise UnavailableError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}") from exc
    server.sweep()
    report.say(f"listening on {server.url}", event="listening", url=server.url)
    for route in settings.routes.values():
        limit = f"up to {route.max_body_size} bytes"
        report.say(
            f"POST {route.path} -> {route.inbox} ({route.kind}, auth {route.auth}, {limit})", event="route", route=route.name
        )
        if route.auth == "none" and not _loopback(settings.host):
            report.say(
                f"warning: route '{route.name}' takes posts without authentication on {settings.host}",
                event="no-auth",
                level="warning",
            )
    return server


def stop(server: ReceiveServer, report: Report, why: str) -> None:
    report.say(f"stopping ({why}): finishing the posts in flight", event="stopping")
    server.stop()
    counts = report.counts
    report.say(
        f"stopped: {counts['accepted']} accepted ({counts['replayed']} replayed), {counts['refused']} refused",
        event="stopped",
        counts=dict(counts),
    )


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
