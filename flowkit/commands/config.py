"""Write, check and show the config file.

Example: flowkit config init && flowkit config check && flowkit config show
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from flowkit.cli.groups import Group

# Section -> (comment, starter values). Written with tomli-w, comments between.
STARTER: list[tuple[str, str, dict[str, Any]]] = [
    (
        "state",
        'The state store: a sqlite file (relative to this file), or url = "postgresql://..." shared by several hosts.',
        {"path": "flowkit-state.db", "lock_timeout": 10, "retention_days": 90},
    ),
    ("log", "Log level and format (text or json) on stderr.", {"level": "warning", "format": "text"}),
    (
        "sources.inbox",
        "A folder of order files (canonical JSON or a known source format).",
        {"type": "dir", "path": "orders/inbox", "move_processed": True},
    ),
    (
        "destinations.mis",
        "A hotfolder the MIS watches; secrets are ${ENV_VAR} or file: references.",
        {"type": "hotfolder", "path": "out/mis", "filename": "{key}.xml"},
    ),
    ("channels.web", "Per-channel overrides: any command table nested here wins for that channel.", {"name": "Web shop"}),
    ("channels.web.render", "", {"payment": True}),
    ("render", "Defaults for 'flowkit render' (flags still win).", {"format": "xml"}),
]


def starter_text() -> str:
    import tomli_w

    parts = ["# flowkit configuration. Every table and key is described by: flowkit config reference\n"]
    for table, comment, values in STARTER:
        if comment:
            parts.append(f"\n# {comment}\n")
        parts.append(f"[{table}]\n" + tomli_w.dumps(values))
    return "".join(parts)


@click.group("config", cls=Group)
def command() -> None:
    """Write a starter config, check one, or show the effective config."""


@command.command("init")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str | None, force: bool) -> None:
    """Write a commented starter config to PATH (default ./flowkit.toml; - for stdout).

    \b
    Example:
      flowkit config init flowkit.toml
    """
    import os
    import sys
    from pathlib import Path

    text = starter_text()
    if path == "-":
        sys.stdout.write(text)
        return
    target = Path(path or "flowkit.toml")
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists; use --force to overwrite it")
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    from flowkit import log

    log.emit(f"wrote {target}", event="config-written")


@command.command("reference")
def reference() -> None:
    """Print the config reference (every table and key), as shipped with flowkit.

    \b
    Example:
      flowkit config reference | less
    """
    import sys

    sys.stdout.write(reference_path().read_text(encoding="utf-8"))


def reference_path() -> Path:
    """The config reference inside the installed package (docs/config.md in the source)."""
    return Path(__file__).resolve().parent.parent / "data" / "config.md"


@command.command("check")
def check() -> None:
    """Validate the config: every problem on its own line, naming file, line and key (exit 78).

    Also reports ${ENV} secret references whose variable is unset and file:
    secrets whose file is missing.

    \b
    Example:
      flowkit --config flowkit.toml config check
    """
    from flowkit.cli.app import get_app
    from flowkit.config import read, validate
    from flowkit.errors import ConfigError

    config = read(get_app().config_arg)
    if config.path is None:
        raise ConfigError("no config file found", hint="name one with --config or create ./flowkit.toml")
    problems = validate(config, secrets=True)
    from flowkit import log

    for problem in problems:
        log.emit(f"flowkit: {problem}", event="config-problem", level="error")
    if problems:
        raise ConfigError(f"{config.path}: {len(problems)} problem(s)")
    log.emit(f"{config.path}: ok", event="config-ok")


@command.command("show")
def show() -> None:
    """Print the effective config as JSON, secrets redacted.

    \b
    Example:
      flowkit config show | jq .destinations
    """
    import json

    from flowkit.cli.app import get_app
    from flowkit.config import redact

    app = get_app()
    config = app.config
    data = dict(redact(config.data))
    data.setdefault("state", {})
    data["state"] = {**data["state"], "path": str(app.state_path)}
    click.echo(json.dumps({"file": str(config.path) if config.path else None, "config": data}, indent=2))
