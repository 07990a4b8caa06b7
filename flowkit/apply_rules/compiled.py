"""Turn compiled rule expressions into Python functions, once per rules file.

The whole rule list becomes one generated function: facts (country, line
quantities, tags, …) are read once into local variables, each rule is an
inlined ``if``, ``add_tags`` and ``set`` are inlined too (tags checked against
a set beside the tag list) and the other actions are calls to the compiled
action closures. Facts are read again after a ``set`` of a field they depend
on; cached values are only forgotten when something cached depends on it. Only
names bound in the namespace and fixed fact accessors appear in the code:
rule names, strings and patterns are constants, never source text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flowkit.apply_rules.actions import Action, Outcome
from flowkit.apply_rules.common import set_at
from flowkit.apply_rules.conditions import FACT_DEPS, FACTS, Namespace

Runner = Callable[[Outcome], None]


@dataclass(frozen=True)
class Rule:
    """One compiled rule: its test, its description and its actions in order (the loader builds it)."""

    name: str
    expr: str
    why: str
    actions: tuple[tuple[str, Action], ...]
    stop: bool = False
    test: Callable[[Outcome], bool] | None = None
    index: int = -1  # its place among the file's [[rules]] (where its keys are found again), -1 when not from a file


def all_facts(ns: Namespace) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every fact variable: name -> (accessor source, top-level fields it depends on)."""
    return {**{name: (source, FACT_DEPS[name]) for name, source in FACTS.items()}, **ns.facts}


_NAME = re.compile(r"\bF_\w+")


def facts_used(expressions: Sequence[str], ns: Namespace) -> list[str]:
    """The fact variables the expressions read, in a fixed order (one regex, whatever the facts)."""
    named = {name for expr in expressions for name in _NAME.findall(expr)}
    return [fact for fact in all_facts(ns) if fact in named]


def _define(source: str, ns: Namespace, name: str) -> Any:
    scope: dict[str, Any] = dict(ns)
    exec(compile(source, "<flowkit rules>", "exec"), scope)
    return scope[name]


def rule_test(expr: str, ns: Namespace) -> Callable[[Outcome], bool]:
    """One rule's test as a function (used by --explain and by tests)."""
    facts = all_facts(ns)
    lines = ["def _test(s):", *(f"    {fact} = {facts[fact][0]}" for fact in facts_used([expr], ns)), f"    return bool({expr})"]
    return _define("\n".join(lines) + "\n", ns, "_test")  # type: ignore[no-any-return]


def runner(rules: Sequence[Rule], ns: Namespace) -> Runner:
    """All rules, in file order, as one function of the Outcome."""
    known = all_facts(ns)
    facts = facts_used([rule.expr for rule in rules], ns)
    if any(getattr(a, "tags", None) is not None for rule in rules for _, a in rule.actions):
        facts.extend(fact for fact in ("F_tags", "F_tagset") if fact not in facts)  # add_tags is inlined on both
    lines = ["def _run(s):", "    matched = s.matched", *(f"    {fact} = {known[fact][0]}" for fact in facts)]
    path_tops = {deps[0] for name, (_, deps) in ns.facts.items()}  # fields whose paths Outcome caches
    setter = ns.bind(set_at, "S")
    for rule in rules:
        name = ns.bind(rule.name, "N")
        lines.append(f"    if {rule.expr}:")
        lines.append(f"        matched.append({name})")
        for _, action in rule.actions:
            tags = getattr(action, "tags", None)
            if tags is not None:  # add_tags, unrolled on the tag list and the set beside it
                for tag in tags:
                    bound = ns.bind(tag)
                    lines.append(
                        f"        if {bound} not in F_tagset: "
                        f"F_tagset.add({bound}); F_tags.append({bound}); s.order['tags'] = F_tags"
                    )
                continue
            touches: frozenset[str] = getattr(action, "touches", frozenset())
            assignments = getattr(action, "assignments", None)
            if assignments is not None:  # set, inlined; cached values are forgotten only if some exist
                lines.extend(f"        {setter}(s.order, {ns.bind(parts)}, {ns.bind(new)})" for parts, new in assignments)
                if action.facts or not touches.isdisjoint(path_tops):  # type: ignore[attr-defined]
                    lines.append(f"        s.changed({ns.bind(touches)}, {ns.bind(action.facts)})")  # type: ignore[attr-defined]
            else:
                lines.append(f"        {ns.bind(action, 'A')}(s, {name})")
            lines.extend(f"        {fact} = {known[fact][0]}" for fact in facts if not touches.isdisjoint(known[fact][1]))
        if rule.stop:
            lines.append("        return")
    lines.append("    return")
    return _define("\n".join(lines) + "\n", ns, "_run")  # type: ignore[no-any-return]
