"""Jolt's own test fixtures, run through flowkit's wrapper (flowkit.mapping.jolt.JoltChain).

The cases and what is left out are described in tests/jolt_cases.py;
tests/test_jolt_fixtures_cli.py runs the same cases through ``flowkit transform``.
"""

from __future__ import annotations

from typing import Any

import pytest
from jolt_cases import NEEDS_JAVA, UNKNOWN_FUNCTIONS, first_argument_expectation, ordered, params

from flowkit.errors import ConfigError
from flowkit.mapping.jolt import JoltChain, MappingFailed


@pytest.mark.parametrize(("name", "case"), params())
def test_jolt_fixture(name: str, case: dict[str, Any]) -> None:
    if case.get("rejected"):
        with pytest.raises(ConfigError):
            JoltChain(case["chain"], where=name)
        return
    if case.get("fails"):
        with pytest.raises((ConfigError, MappingFailed)):
            JoltChain(case["chain"], where=name).apply(case["input"])
        return
    actual = JoltChain(case["chain"], where=name).apply(case["input"], case.get("context"))
    if name in NEEDS_JAVA:
        assert actual == first_argument_expectation(case)  # stock Jolt; the fixture's output needs its Java functions
    elif case.get("ordered"):
        assert ordered(actual) == ordered(case["expected"])
    else:
        assert actual == case["expected"]


@pytest.mark.parametrize(("name", "case"), [p for p in params() if p.values[0] in UNKNOWN_FUNCTIONS])
def test_strict_refuses_the_unknown_function(name: str, case: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=rf"^{name}: \$\[0\]\.spec\.\S+: unknown modify function '{UNKNOWN_FUNCTIONS[name]}'"):
        JoltChain(case["chain"], where=name, strict=True)
