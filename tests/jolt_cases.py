"""Jolt's own test fixtures as cases, for the wrapper tests and the CLI tests.

The fixtures (Apache-2.0 data from bazaarvoice/jolt) live beside the repository
in ``../shared/jolt-fixtures``; without that folder every case is skipped.
Each operation's fixtures run as a one-step chain, chainr fixtures as chains;
modifier fixtures with the context Jolt's ModifierTest hands them. Not run:
fixtures for Java-only parts (chainr/increments, chainr/transforms and
chainr/context load custom Java classes; utils and deepcopy test Java
helpers; sample has no expected output).

A case is a dict: ``chain``, and ``input`` with ``expected`` (optionally
``context``, ``ordered``), or ``fails`` (Jolt fails at run time), or
``rejected`` (the spec does not compile).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from flowkit.mapping.jolt import load_json

FIXTURES = ROOT.parent / "shared" / "jolt-fixtures"
OPERATIONS = {"shiftr": "shift", "defaultr": "default", "removr": "remove", "cardinality": "cardinality"}
MODES = {"OVERWRITR": "modify-overwrite-beta", "DEFAULTR": "modify-default-beta", "DEFINR": "modify-define-beta"}
# Specs Jolt refuses at compile time although the fixture has an expected output.
REJECTED = {
    "removr/negativeTestCases": "Jolt's RemovrTest expects a SpecException: a non-empty string RHS is not a Removr spec",
}
# Cases whose expected output Jolt itself gives only with Java code its test registers.
NEEDS_JAVA = {
    "modifier/functions/labelsLookupTest:DEFAULTR": "custom Java functions minLabelComputation/maxLabelComputation",
}
# Cases that name a modify function Jolt does not have: Jolt runs them; strict mode refuses them.
UNKNOWN_FUNCTIONS = {
    "modifier/testListOfFunction:OVERWRITR": "nonnull",
    "modifier/functions/labelsLookupTest:DEFAULTR": "minLabelComputation",
}


def _files(folder: str) -> list[Path]:
    return sorted((FIXTURES / folder).glob("*.json"))


def _name(path: Path) -> str:
    return str(path.relative_to(FIXTURES).with_suffix(""))


def cases() -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, case) for every fixture case, in a stable order."""
    for folder, operation in OPERATIONS.items():
        for path in _files(folder):
            data = load_json(path)
            chain = [{"operation": operation, "spec": data["spec"]}]
            if _name(path) in REJECTED:
                yield _name(path), {"chain": chain, "rejected": True}
            elif "expected" in data:
                yield _name(path), {"chain": chain, "input": data["input"], "expected": data["expected"]}
            else:
                yield _name(path), {"chain": chain, "input": data["input"], "fails": True}
    for path in _files("modifier") + _files("modifier/functions"):
        data = load_json(path)
        for mode, operation in MODES.items():
            if mode in data:
                case = {"chain": [{"operation": operation, "spec": data["spec"]}], "input": data["input"]}
                yield f"{_name(path)}:{mode}", {**case, "context": data.get("context"), "expected": data[mode]}
    for path in _files("chainr/integration"):
        data = load_json(path)
        yield _name(path), {"chain": data["spec"], "input": data["input"], "expected": data["expected"]}
    for path in _files("chainr/specformat") + _files("chainr/specloading"):
        yield _name(path), {"chain": load_json(path), "rejected": True}
    for index, spec in enumerate(load_json(FIXTURES / "modifier/validation/specThatShouldFail.json")):
        yield (
            f"modifier/validation/specThatShouldFail[{index}]",
            {"chain": [{"operation": "modify-overwrite-beta", "spec": spec}], "rejected": True},
        )
    sortr = FIXTURES / "sortr" / "simple"
    yield (
        "sortr/simple",
        {
            "chain": [{"operation": "sort"}],
            "input": load_json(sortr / "input.json"),
            "expected": load_json(sortr / "output.json"),
            "ordered": True,
        },
    )


def params() -> list[Any]:
    """The cases as pytest params (one skipped param when the fixtures are absent)."""
    if not FIXTURES.is_dir():
        return [pytest.param("absent", {}, marks=pytest.mark.skip(reason="../shared/jolt-fixtures not present"))]
    return [pytest.param(name, case, id=name) for name, case in cases()]


def ordered(value: Any) -> Any:
    """Dicts as lists of pairs, so key order counts (Sortr's whole point)."""
    if isinstance(value, dict):
        return [(k, ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [ordered(v) for v in value]
    return value


def first_argument_expectation(case: dict[str, Any]) -> Any:
    """labelsLookupTest as Jolt's stock engine runs it: an unknown function with arguments gives its first argument.

    ``=minLabelComputation(^ratings.&1.valuesLabels)`` writes the context's
    ``valuesLabels`` map where a rating has one and leaves the rest alone.
    """
    import copy

    out = copy.deepcopy(case["input"])
    for name, rating in out["ratings"].items():
        labels = case["context"]["ratings"].get(name, {}).get("valuesLabels")
        for key in ("minLabel", "maxLabel"):
            if labels is not None and rating.get(key) is None:  # modify-default-beta: missing or null only
                rating[key] = labels
    return out
