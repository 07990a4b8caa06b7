"""Apply mappings, built-in checks and the compiled rules to one order, in that order."""

from __future__ import annotations

from flowkit.apply_rules.actions import Outcome
from flowkit.apply_rules.checks import StoreView, apply_maps, run_checks
from flowkit.apply_rules.common import Meta, Order
from flowkit.apply_rules.loader import RuleSet, with_tests
from flowkit.apply_rules.settings import Settings


class Seen(dict[tuple[str | None, str], None]):
    """Orders seen in this run, for duplicate detection; the oldest are forgotten past ``limit``."""

    limit = 200_000

    def add(self, key: tuple[str | None, str]) -> None:
        self[key] = None
        if len(self) > self.limit:
            del self[next(iter(self))]


class Engine:
    """Holds the compiled rules and settings for a whole run (compile once, apply many)."""

    def __init__(self, ruleset: RuleSet, settings: Settings, view: StoreView | None, *, explain: bool = False) -> None:
        self.rules = with_tests(ruleset).rules if explain else ruleset.rules
        self._run = ruleset.run
        self.settings = settings
        self.view = view
        self.explain = explain
        self.seen = Seen()
        self.text, self.path = ruleset.text, ruleset.path  # where a refusal finds a rule's ``set`` (``refusal``)
        self.current = Outcome({}, {})  # the last order's, kept for a refusal to name the rules that matched
        # a rule that sets fields can leave a shape the state store cannot keep: those fields are checked again
        self.sets: frozenset[str] = frozenset(
            top
            for rule in self.rules
            for _, act in rule.actions
            if getattr(act, "assignments", None) is not None
            for top in getattr(act, "touches", ())
        )

    def apply(self, order: Order, meta: Meta) -> Outcome:
        """Change ``order`` in place; later rules see earlier rules' changes."""
        out = self.current = Outcome(order, meta)
        checks, maps = self.settings.for_meta(meta)
        unmanaged = apply_maps(out, maps)
        run_checks(out, checks, unmanaged, self.view, self.seen)
        if self.explain:
            self._explained(out)
            return out
        if self._run is not None:
            self._run(out)
        return out

    def _explained(self, out: Outcome) -> None:
        """The same loop, writing why each rule matched or not."""
        for rule in self.rules:
            if rule.test is not None and not rule.test(out):
                out.explain.append(f"rule {rule.name!r} not matched: {rule.why}")
                continue
            out.matched.append(rule.name)
            for _, act in rule.actions:
                act(out, rule.name)
            done = ", ".join(name for name, _ in rule.actions)
            out.explain.append(f"rule {rule.name!r} matched: {rule.why} -> {done}" + (" (stop)" if rule.stop else ""))
            if rule.stop:
                break
