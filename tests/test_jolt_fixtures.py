"""Jolt's own test fixtures, run through flowkit's wrapper (flowkit.mapping.jolt.JoltChain).

The fixtures (Apache-2.0 data from bazaarvoice/jolt) live beside the repository
in ``../shared/jolt-fixtures``; without that folder every case is skipped.
Each operation's fixtures run as a one-step chain, chainr fixtures as chains;
specs Jolt rejects must be rejected at compile time. Not run: fixtures for
Java-only parts (chainr/increments, chainr/transforms and chainr/context load
custom Java classes; utils and deepcopy test Java helpers; sample has no
expected output).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from flowkit.errors import ConfigError
from flowkit.mapping.jolt import JoltChain, MappingFailed, load_json

FIXTURES = ROOT.parent / "shared" / "jolt-fixtures"
OPERATIONS = {"shiftr": "shift", "defaultr": "default", "removr": "remove", "cardinality": "cardinality"}
MODES = {"OVERWRITR": "modify-overwrite-beta", "DEFAULTR": "modify-default-beta", "DEFINR": "modify-define-beta"}
# Cases jolt-py is known to get wrong; strict, so a fix upstream shows up here.
KNOWN_FAILURES: dict[str, str] = {}
# Specs that must be refused at compile time although the fixture has an expected output.
REJECTED = {
    # Jolt's RemovrTest expects a SpecException for this file too.
    "removr/negativeTestCases": "a non-empty string RHS is not a Removr spec",
    # flowkit makes unknown modify functions errors; Jolt's test relies on the typo
    # "=nonnull" silently producing no value, and on Java functions registered by the test.
    "modifier/testListOfFunction:OVERWRITR": "unknown function 'nonnull'",
    "modifier/functions/labelsLookupTest:DEFAULTR": "custom Java functions minLabelComputation/maxLabelComputation",
}


def _files(folder: str) -> list[Path]:
    return sorted((FIXTURES / folder).glob("*.json"))


def _name(path: Path) -> str:
    return str(path.relative_to(FIXTURES).with_suffix(""))


def _cases() -> Iterator[tuple[str, dict[str, Any]]]:
    for folder, operation in OPERATIONS.items():
        for path in _files(folder):
            data = load_json(path)
            chain = [{"operation": operation, "spec": data["spec"]}]
            if "expected" in data:
                yield _name(path), {"chain": chain, "input": data["input"], "expected": data["expected"]}
            else:
                yield _name(path), {"chain": chain, "input": data["input"], "fails": True}
    for path in _files("modifier") + _files("modifier/functions"):
        data = load_json(path)
        for mode, operation in MODES.items():
            if mode in data:
                yield (
                    f"{_name(path)}:{mode}",
                    {
                        "chain": [{"operation": operation, "spec": data["spec"]}],
                        "input": data["input"],
                        "context": data.get("context"),
                        "expected": data[mode],
                    },
                )
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


def _params() -> list[Any]:
    if not FIXTURES.is_dir():
        return [pytest.param("absent", {}, marks=pytest.mark.skip(reason="../shared/jolt-fixtures not present"))]
    out = []
    for name, case in _cases():
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[name])] if name in KNOWN_FAILURES else []
        out.append(pytest.param(name, case, id=name, marks=marks))
    return out


def _ordered(value: Any) -> Any:
    """Dicts as lists of pairs, so key order counts (Sortr's whole point)."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


@pytest.mark.parametrize(("name", "case"), _params())
def test_jolt_fixture(name: str, case: dict[str, Any]) -> None:
    if case.get("rejected") or name in REJECTED:
        with pytest.raises(ConfigError):
            JoltChain(case["chain"], where=name)
        return
    if case.get("fails"):
        with pytest.raises((ConfigError, MappingFailed)):
            JoltChain(case["chain"], where=name).apply(case["input"])
        return
    actual = JoltChain(case["chain"], where=name).apply(case["input"], case.get("context"))
    if case.get("ordered"):
        assert _ordered(actual) == _ordered(case["expected"])
    else:
        assert actual == case["expected"]
