"""Receive pushed orders, stock, shipment and status messages over HTTP into inbox folders.

Example: flowkit receive --listen 127.0.0.1:8080 --inbox /srv/flowkit/inbox
"""

from __future__ import annotations

import click


@click.command("receive")
@click.option("--listen", default="127.0.0.1:8080", show_default=True, metavar="HOST:PORT", help="Address to listen on.")
@click.option(
    "--inbox", type=click.Path(file_okay=False), metavar="DIR", help="Inbox folder (routes without their own: DIR/ROUTE)."
)
@click.option(
    "--read-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Longest wait for a client's bytes, and for a whole request line and headers.",
)
@click.option(
    "--max-body-size",
    type=click.IntRange(min=1),
    default=10 * 1024 * 1024,
    show_default=True,
    metavar="BYTES",
    help="Largest body taken (413 beyond); a route's max_body_size overrides it.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    metavar="N",
    help="Connections served at once (503 beyond).",
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="N",
    help="Posts a second per client address (429 beyond); 0: no limit.",
)
@click.option("--check", is_flag=True, help="Check the routes and inbox folders, print the routes (JSON lines), and exit.")
def command(
    listen: str, inbox: str | None, read_timeout: float, max_body_size: int, max_connections: int, rate_limit: float, check: bool
) -> None:
    """Receive pushed orders, stock, shipment and status messages over HTTP into inbox folders.

    Each POST is authenticated (bearer token or HMAC-SHA256 signature, per
    route), checked (JSON, NDJSON or XML, size, depth; XML hardened) and
    answered 202 only once its body is durably in the route's inbox, under a
    name the --from-dir readers and the dir source take in arrival order. A
    repeated Idempotency-Key gets the first answer again. Routes come from
    [receive.routes.NAME]; without any, POST / goes into --inbox. Stops
    gracefully on SIGTERM or SIGINT (exit 0).

    \b
    Example:
      flowkit receive --listen 127.0.0.1:8080 --inbox /srv/flowkit/inbox
      flowkit --config receive.toml receive --check
    """
    import sys

    import orjson

    from flowkit import log
    from flowkit.cli.app import get_app
    from flowkit.cli.signals import Interrupted
    from flowkit.receive import run
    from flowkit.receive.config import Settings, parse_listen, routes
    from flowkit.receive.report import Report

    app = get_app()
    log.context.update(command="receive")  # JSON log lines name it (no run of the store: the receiver opens none)
    host, port = parse_listen(listen)
    table = routes(app.config, inbox, max_body_size)
    settings = Settings(host, port, table, read_timeout, max_connections, rate_limit)
    report = Report(app.verbosity)
    if check:
        run.prepare(settings, report)
        sys.stdout.buffer.write(b"".join(orjson.dumps(row) + b"\n" for row in run.routes_table(settings)))
        return
    server = run.start(settings, report)
    why = "stopped"
    try:
        server.serve_forever(poll_interval=0.5)
    except Interrupted as exc:
        why = exc.name
    finally:
        run.stop(server, report, why)
