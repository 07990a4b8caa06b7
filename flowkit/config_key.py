"""One config key of the schema (``flowkit.config_schema``): its kind, allowed values and nested keys.

Apart from the schema's tables so that the tables read as a list of keys;
``config_check`` reads both.
"""

from __future__ import annotations

from collections.abc import Mapping


class Key:
    """One config key: its kind (see ``config_check.KINDS``), allowed values and nested keys.

    ``option``: the key is a click option's default (``include-held`` and
    ``include_held`` both work). ``secret``: a ``${ENV}``/``file:`` reference
    is resolved (for a table: each of its values). ``needs``: read only when
    the named key has one of the given values (``("auth", ("bearer",))``). ``comma``: a
    string holding a comma list, each word one of ``choices`` (``ready = "paid,files"``).
    A plain class, not a dataclass: the schema is built at every config load.
    """

    __slots__ = ("kind", "choices", "keys", "option", "secret", "needs", "comma")

    def __init__(
        self,
        kind: str = "string",
        choices: tuple[str, ...] = (),
        *,
        keys: Mapping[str, Key] | None = None,
        option: bool = False,
        secret: bool = False,
        needs: tuple[str, tuple[str, ...]] | None = None,
        comma: bool = False,
    ) -> None:
        self.kind = kind
        self.choices = choices
        self.keys = keys
        self.option = option
        self.secret = secret
        self.needs = needs
        self.comma = comma


Table = Mapping[str, Key]

STR, BOOL, INT, NUM = Key(), Key("bool"), Key("int"), Key("number")
STRINGS, TABLE = Key("strings"), Key("table")


def opt(kind: str = "string", *choices: str) -> Key:
    """A key that is also a click option of the command (either spelling, - or _)."""
    return Key(kind, choices, option=True)


def one_of(*choices: str) -> Key:
    return Key("string", choices)
