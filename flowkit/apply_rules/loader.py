"""Load and compile a rules file (TOML) once; errors name the file, line, rule and key.

A rules file holds ``[[rules]]`` tables (applied in file order) and optionally
``[checks]`` and ``[maps]`` tables (built-in checks and mappings; the config's
``[apply-rules]`` table overrides them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flowkit.apply_rules.actions import ACTIONS, Action
from flowkit.apply_rules.checks import problems as check_problems
from flowkit.apply_rules.common import RuleError
from flowkit.apply_rules.compiled import Rule, Runner, rule_test, runner
from flowkit.apply_rules.conditions import Namespace, compile_when
from flowkit.config import locate
from flowkit.errors import ConfigError

RULE_KEYS = ("name", "when", "enabled", "stop", "description")
TOP_KEYS = ("rules", "checks", "maps")


@dataclass(frozen=True)
class RuleSet:
    path: Path | None
    rules: tuple[Rule, ...] = ()
    run: Runner | None = None
    checks: dict[str, Any] = field(default_factory=dict)
    maps: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    namespace: Namespace | None = None


def load(path: Path) -> RuleSet:
    """Read, parse and compile ``path``; any problem is a ConfigError (exit 78)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: rules file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read rules file: {exc}") from exc
    return parse(text, path)


def parse(text: str, path: Path | None = None) -> RuleSet:
    """Parse and compile a rules file; every problem is named (``file:line``, rule, key), then it is refused (exit 78)."""
    import tomllib

    from flowkit.problems import refuse

    name = str(path) if path else "<rules>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: invalid TOML: {exc}") from exc
    problems: list[tuple[int, str]] = []  # (line, problem): named in the file's order

    def problem(line: int | None, message: str) -> None:
        problems.append((line or 0, f"{_where(name, line)}: {message}"))

    for key in data:
        if key not in TOP_KEYS:
            problem(locate(text, (key,)), f"unknown key {key!r} (known: {', '.join(TOP_KEYS)})")
    for key in ("checks", "maps"):
        if not isinstance(data.get(key, {}), Mapping):
            problem(locate(text, (key,)), f"[{key}] must be a table")
    checks = data["checks"] if isinstance(data.get("checks"), Mapping) else {}
    for key in checks:  # its [checks] too (settings.py checks the config's)
        line = locate(text, ("checks", key))
        problems += [(line or 0, found) for found in check_problems({key: checks[key]}, {key: _where(name, line)}.__getitem__)]
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list) or not all(isinstance(r, Mapping) for r in raw_rules):
        problem(locate(text, ("rules",)), "'rules' must be an array of tables ([[rules]])")
        raw_rules = []
    rules: list[Rule] = []
    seen: set[str] = set()
    ns = Namespace()
    for index, spec in enumerate(raw_rules):
        try:
            rule = compile_rule(spec, seen, ns, index)
        except RuleErrors as exc:
            label = spec.get("name") if isinstance(spec.get("name"), str) else f"#{index + 1}"
            for error in exc.errors:
                problem(locate_rule_key(text, index, error.key), f"rule {label!r}: key '{error.key}': {error.message}")
            continue
        if rule is not None:
            rules.append(rule)
    refuse(name, [said for _, said in sorted(problems, key=lambda found: found[0])])
    return RuleSet(path, tuple(rules), runner(rules, ns), dict(data.get("checks", {})), dict(data.get("maps", {})), text, ns)


def with_tests(ruleset: RuleSet) -> RuleSet:
    """The rule set with one test function per rule (for --explain; compiled only when asked)."""
    if ruleset.namespace is None:
        return ruleset
    tests = tuple(replace(rule, test=rule_test(rule.expr, ruleset.namespace)) for rule in ruleset.rules)
    return replace(ruleset, rules=tests)


class RuleErrors(RuleError):
    """Every problem of one rule (``errors``); as a ``RuleError`` it is the first of them."""

    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__(errors[0].key, errors[0].message)
        self.errors = errors


def compile_rule(spec: Mapping[str, Any], seen: set[str], ns: Namespace, index: int = -1) -> Rule | None:
    """Compile one ``[[rules]]`` table (None when ``enabled = false``); ``RuleErrors`` names all its problems."""
    errors: list[RuleError] = []
    rule_name = spec.get("name")
    if not isinstance(rule_name, str) or not rule_name.strip():
        errors.append(RuleError("name", "every rule needs a non-empty name"))
    elif rule_name in seen:
        errors.append(RuleError("name", "another rule already has this name"))
    else:
        seen.add(rule_name)
    for key in ("enabled", "stop"):
        if not isinstance(spec.get(key, False), bool):
            errors.append(RuleError(key, "must be true or false"))
    when = spec.get("when", {})
    if isinstance(when, Mapping):
        misplaced = [k for k in when if k in ACTIONS]
        errors += [RuleError(f"when.{k}", "is an action, not a condition: write actions before [rules.when]") for k in misplaced]
        when = {k: v for k, v in when.items() if k not in ACTIONS}
    expr, why = _when(when, ns, errors)
    actions = _actions(spec, errors)
    if not any(key in ACTIONS for key in spec):
        errors.append(RuleError("name", f"a rule needs at least one action ({', '.join(ACTIONS)})"))
    if errors:
        raise RuleErrors(errors)
    if spec.get("enabled", True) is False:
        return None
    return Rule(str(rule_name), expr, why, tuple(actions), bool(spec.get("stop", False)), index=index)


def _when(when: Any, ns: Namespace, errors: list[RuleError]) -> tuple[str, str]:
    """The compiled ``when``; when it fails, each of its conditions is compiled alone to name every bad one."""
    try:
        return compile_when(when, ns)
    except RuleError as first:
        found = []
        for name, value in when.items() if isinstance(when, Mapping) else ():
            try:
                compile_when({name: value}, ns)
            except RuleError as exc:
                found.append(exc)
        errors += found or [first]
        return "True", "always"


def _actions(spec: Mapping[str, Any], errors: list[RuleError]) -> list[tuple[str, Action]]:
    """The rule's actions, compiled; a bad action or an unknown key joins ``errors``."""
    actions: list[tuple[str, Action]] = []
    for key, value in spec.items():
        if key in ACTIONS:
            try:
                actions.append((f"{key} {_brief(value)}", ACTIONS[key](value, key)))
            except RuleError as exc:
                errors.append(exc)
        elif key not in RULE_KEYS:
            errors.append(RuleError(key, f"unknown key (conditions go under 'when'; actions: {', '.join(ACTIONS)})"))
    return actions


def _brief(value: Any) -> str:
    """A short rendering of an action's value for --explain."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {v!r}" for k, v in value.items()) + "}"
    return repr(value)


def _where(name: str, line: int | None) -> str:
    return f"{name}:{line}" if line else name


_RULES_HEADER = re.compile(r"^\s*\[\[\s*rules\s*\]\]\s*(#.*)?$")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def locate_rule_key(text: str, index: int, key: str) -> int | None:
    """Best-effort line of ``key`` (dotted, may hold ``[i]``) inside the ``index``-th ``[[rules]]``."""
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines) if _RULES_HEADER.match(line)]
    if index >= len(starts):
        return None
    start = starts[index]
    end = len(lines)
    for n in range(start + 1, len(lines)):
        header = _HEADER.match(lines[n])
        if header and not header.group(1).startswith("rules."):
            end = n
            break
    parts = [p for p in re.split(r"\.|\[\d+\]", key) if p]
    for part in reversed(parts):
        pattern = re.compile(r'(^|[\s{,.])"?' + re.escape(part) + r'"?\s*(=|\])')
        for n in range(start, end):
            if pattern.search(lines[n].split("#", 1)[0]):
                return n + 1
    return start + 1
