"""Unknown modify functions in a Jolt chain: found with their JSON path, run as Jolt runs them.

Jolt looks a ``"=name…"`` function up when it builds a spec and keeps a
missing one as "no function". At run time that evaluator then behaves as a
plain value expression: ``"=nonnull"`` (no arguments) gives no value, so a
list of alternatives falls through to the next one, and
``"=nonnull(@(1,a), 2)"`` gives its first argument's value. jolt-py gives no
value in both cases; ``jolt_equivalent`` rewrites the second kind into the
stock ``=isPresent(first argument)``, which gives exactly that value (or none
when a lookup finds nothing), so a spec runs as it runs under Jolt.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Every spelling of a modify operation that jolt-py accepts (the Java class names too).
MODIFY_OPERATIONS = frozenset(
    {
        *(f"modify-{mode}{beta}" for mode in ("overwrite", "default", "define") for beta in ("", "-beta")),
        *(f"com.bazaarvoice.jolt.Modifier${kind}" for kind in ("Overwritr", "Defaultr", "Definr")),
    }
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class UnknownFunction:
    """One use of a modify function Jolt does not have."""

    where: tuple[int | str, ...]  # the steps from the chain's root to the right-hand side
    name: str
    rhs: str
    first_arg: str | None  # None when called without parentheses ("=nonnull")

    @property
    def path(self) -> str:
        """The place in the spec file, as a JSON path: ``$[0].spec.data["+z"][0]``."""
        parts = [f"[{p}]" if isinstance(p, int) else f".{p}" if _NAME.match(p) else f"[{json.dumps(p)}]" for p in self.where]
        return "$" + "".join(parts)

    @property
    def effect(self) -> str:
        """What Jolt (and so flowkit, unless strict) makes of it."""
        if self.first_arg is None:
            return "gives no value"
        return f"gives its first argument ({self.first_arg or 'null'})"


def parse_call(rhs: str) -> tuple[str, str | None] | None:
    """``"=fn"`` -> ("fn", None); ``"=fn(a, b)"`` -> ("fn", "a"); None when ``rhs`` calls no function.

    The arguments split as Jolt splits them: at commas outside quotes and parentheses.
    """
    if not rhs.startswith("="):
        return None
    body = rhs[1:]
    if "(" not in body:
        return None if body.endswith(")") else (body, None)  # "=fn)" does not compile: jolt-py says why
    first = body.index("(")
    inner = body[first + 1 : -1]
    depth_open = quoted = False
    for index, char in enumerate(inner):
        if char == "'":
            quoted = not quoted
        elif char in "()" and not quoted:
            depth_open = char == "("
        elif char == "," and not (depth_open or quoted):
            return body[:first], inner[:index].strip()
    return body[:first], inner.strip()


@lru_cache(maxsize=256)
def is_known(name: str) -> bool:
    """True when jolt-py's modify functions include ``name`` (it warns when a spec names another)."""
    from pyjolt import ModifyOverwrite

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ModifyOverwrite({"probe": f"={name}"})
        except Exception:  # a name that does not compile: the chain's compile says why
            return True
    return not any("Unknown modify function" in str(w.message) for w in caught)


def unknown_functions(chain: list[Any]) -> list[UnknownFunction]:
    """Every use of an unknown function in the chain's modify steps, in spec order."""
    found: list[UnknownFunction] = []
    for index, step in enumerate(chain):
        if isinstance(step, dict) and str(step.get("operation")) in MODIFY_OPERATIONS and isinstance(step.get("spec"), dict):
            _walk(step["spec"], (index, "spec"), found)
    return found


def _walk(spec: dict[str, Any], where: tuple[int | str, ...], found: list[UnknownFunction]) -> None:
    for key, rhs in spec.items():
        here = (*where, key)
        if isinstance(rhs, dict) and rhs:
            _walk(rhs, here, found)
        elif isinstance(rhs, str):
            _check(rhs, here, found)
        elif isinstance(rhs, list):
            for position, item in enumerate(rhs):
                if isinstance(item, str):
                    _check(item, (*here, position), found)


def _check(rhs: str, where: tuple[int | str, ...], found: list[UnknownFunction]) -> None:
    call = parse_call(rhs)
    if call is not None and not is_known(call[0]):
        found.append(UnknownFunction(where, call[0], rhs, call[1]))


def jolt_equivalent(chain: list[Any], unknown: list[UnknownFunction]) -> list[Any]:
    """The chain with each unknown call that has arguments replaced by ``=isPresent(first argument)``."""
    calls = [u for u in unknown if u.first_arg is not None]
    if not calls:
        return chain
    out = copy.deepcopy(chain)
    for use in calls:
        parent: Any = out
        for step in use.where[:-1]:
            parent = parent[step]
        parent[use.where[-1]] = f"=isPresent({use.first_arg})"
    return out
