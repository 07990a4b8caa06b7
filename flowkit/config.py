"""Configuration: one TOML file shared by all commands.

Location, first found: ``--config PATH``, ``$FLOWKIT_CONFIG``,
``./flowkit.toml``, ``$XDG_CONFIG_HOME/flowkit/config.toml``. Layers, lowest
first: built-in defaults < the file's ``[COMMAND]`` table < per-supplier and
per-channel ``[suppliers.X.COMMAND]``/``[channels.X.COMMAND]`` tables <
``FLOWKIT_COMMAND_OPTION`` environment variables < command-line flags.
Secrets are references (``"${ENV_VAR}"`` or ``"file:/path"``), resolved only
when used and never logged or shown.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowkit.config_keys import OLD_KEYS, as_read
from flowkit.errors import ConfigError

if TYPE_CHECKING:
    from flowkit.store.location import PgUrl

_REF = r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}"


def __getattr__(name: str) -> Any:
    """``SECRET_KEY`` and ``redact``, the one redaction (flowkit/secrets.py), kept here for their callers.

    Looked up on first use: every start loads the config, and the secrets module's patterns
    cost a few milliseconds to compile, which a run without a config file or a secret never needs.
    """
    if name in ("SECRET_KEY", "redact"):
        from flowkit import secrets

        return getattr(secrets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def user_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "flowkit"


def user_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "flowkit"


def find_config(explicit: str | None) -> tuple[Path | None, bool]:
    """The config file to load and whether the user named it (so it must exist)."""
    if explicit:
        return Path(explicit), True
    env = os.environ.get("FLOWKIT_CONFIG")
    if env:
        return Path(env), True
    for candidate in (Path("flowkit.toml"), user_config_dir() / "config.toml"):
        if candidate.is_file():
            return candidate, False
    return None, False


@dataclass(frozen=True, init=False, repr=False, eq=False)
class Config:
    """The loaded configuration; ``data`` is the TOML document as parsed.

    Frozen; ``dataclasses.replace`` works. Its ``__init__`` is written by hand: the code a
    dataclass generates (``__init__``, ``__repr__``, ``__eq__``) cost ~1 ms of every start.
    """

    path: Path | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""
    notes: tuple[str, ...] = ()  # warnings for the run: keys spelt the old way

    def __init__(
        self, path: Path | None = None, data: Mapping[str, Any] | None = None, text: str = "", notes: tuple[str, ...] = ()
    ) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "data", {} if data is None else data)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "notes", notes)

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        return as_read(name, value) if isinstance(value, Mapping) else {}

    def named(self, kind: str, name: str) -> dict[str, Any]:
        """A named ``[sources.NAME]``/``[destinations.NAME]`` table, or ConfigError."""
        table = self.section(kind).get(name)
        if not isinstance(table, Mapping):
            known = ", ".join(sorted(self.section(kind))) or "none configured"
            raise ConfigError(f"{self.where(kind)}: no [{kind}.{name}] (known: {known})")
        return dict(table)

    def options(self, command: str, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``[command]`` overlaid by the record's supplier's and channel's tables."""
        merged = self.section(command)
        meta = meta or {}
        for kind, meta_key in (("suppliers", "supplier"), ("channels", "channel")):
            name = meta.get(meta_key)
            entry = self.section(kind).get(str(name)) if name is not None else None
            if isinstance(entry, Mapping) and isinstance(entry.get(command), Mapping):
                merged.update(as_read(command, entry[command]))
        return merged

    def resolve_path(self, value: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        path = Path(os.path.expanduser(value))
        return path if path.is_absolute() else self.base_dir / path

    def state_path(self, override: str | None = None) -> Path | PgUrl:
        """The state store: ``--state``, else ``[state] url``, else ``[state] path``, else the user's state folder.

        A ``postgresql://`` URL is a PostgreSQL database (``flowkit.store.location``); any other value is a sqlite file.
        """
        section = self.section("state")
        value, where = override, "--state"
        if not value and section.get("url"):
            value, where = str(section["url"]), self.where("state", "url")
        elif not value and section.get("path"):
            value, where = str(section["path"]), self.where("state", "path")
        if value:
            from flowkit.store.location import is_url, parse

            if is_url(value):
                password = section.get("password")
                return parse(
                    value,
                    password=None if password is None else str(password),
                    where=where,
                    resolve=lambda secret: str(resolve_secret(secret, where=where)),
                )
            return Path(value) if override else self.resolve_path(value)
        return user_state_dir() / "state.db"

    def where(self, *keys: str) -> str:
        """``file:line`` of a dotted key, for messages (never the value)."""
        name = str(self.path) if self.path else "<config>"
        line = locate(self.text, keys) if self.text else None
        return f"{name}:{line}" if line else name


def read(explicit: str | None = None) -> Config:
    """Find and parse the config, unchecked; an absent implicit file gives defaults."""
    path, required = find_config(explicit)
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found", hint="create one with 'flowkit config init'") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    if not required and not text.strip():
        return Config(path=path)
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    return Config(path=path, data=data, text=text)


def load(explicit: str | None = None) -> Config:
    """Find, parse and check the config; a ConfigError names every problem (up to ``flowkit.problems.CAP``).

    Its secrets become known to the redaction of every output (``flowkit.secrets``).
    """
    config = read(explicit)
    if config.data or "flowkit.secrets" in sys.modules:  # with neither, no secret is known or to forget
        from flowkit import secrets

        secrets.forget()
        secrets.remember_config(config.data)
    problems = validate(config)
    if config.data and any(old in config.text for keys in OLD_KEYS.values() for old in keys):
        from dataclasses import replace

        from flowkit.config_check import old_spellings

        config = replace(config, notes=tuple(old_spellings(config)))
    if problems:
        from flowkit.problems import refuse

        refuse(str(config.path), problems)  # several: each on a line of its own, then the error line
    return config


def validate(config: Config, *, secrets: bool = False) -> list[str]:
    """Every problem found (see flowkit/config_check.py), each naming file, line and key, never a value.

    With ``secrets``, also ``${ENV}``/``file:`` secret references that would not resolve now.
    """
    if not config.data:
        return []
    from flowkit.config_check import problems

    return problems(config, secrets=secrets)


def locate(text: str, keys: tuple[str, ...]) -> int | None:
    """Line number of ``keys`` (a table path plus key) in TOML ``text``, best effort."""
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    assign = re.compile(r'^\s*("?)([A-Za-z0-9_\-]+)\1\s*=')
    current: tuple[str, ...] = ()
    best: int | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        match = header.match(line)
        if match:
            current = tuple(part.strip().strip('"') for part in match.group(1).split("."))
            if current == keys and best is None:
                best = lineno
            continue
        match = assign.match(line)
        if match and (*current, match.group(2)) == keys:
            return lineno
        if match and best is None and (*current, match.group(2)) == keys[: len(current) + 1]:
            best = lineno
    return best


def resolve_secret(value: Any, *, where: str = "config") -> Any:
    """Expand ``${ENV}`` references and ``file:PATH`` secrets; never echo the value."""
    if not isinstance(value, str):
        return value
    if value.startswith("file:"):
        path = Path(os.path.expanduser(value[5:]))
        try:
            resolved = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{where}: cannot read secret file {path}: {exc.strerror}") from exc
        _remember(resolved)
        return resolved

    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(f"{where}: environment variable {name} is not set")
        return os.environ[name]

    resolved = re.sub(_REF, expand, value)
    if resolved != value:
        _remember(resolved)
    return resolved


def _remember(value: str) -> None:
    from flowkit.secrets import remember

    remember(value)
