"""Jolt's own test fixtures through the real command line: ``flowkit transform --jolt SPEC --context CTX INPUT``.

Each case (tests/jolt_cases.py) is written out as files (the chain as the spec
file, the input document, the fixture's context as a --context file) and run
by a ``python -m flowkit`` process, as a user would run it. A case Jolt
passes must give Jolt's expected output; a spec Jolt refuses exits 78 naming
the spec file; a run Jolt fails exits non-zero with nothing on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from jolt_cases import NEEDS_JAVA, UNKNOWN_FUNCTIONS, cases, first_argument_expectation, ordered, params

Run = tuple[Path, "subprocess.CompletedProcess[str]"]


def _flowkit(folder: Path, case: dict[str, Any], *extra: str) -> Run:
    folder.mkdir(parents=True, exist_ok=True)
    spec = folder / "spec.json"
    spec.write_text(json.dumps(case["chain"]), encoding="utf-8")
    args = ["transform", "--jolt", str(spec), *extra]
    if case.get("context") is not None:
        context = folder / "context.json"
        context.write_text(json.dumps(case["context"]), encoding="utf-8")
        args += ["--context", str(context)]
    if "input" in case:
        document = folder / "input.json"
        document.write_text(json.dumps(case["input"]), encoding="utf-8")
        args.append(str(document))
    else:
        args.append("-")
    cmd = [sys.executable, "-m", "flowkit", *args]
    return folder, subprocess.run(cmd, capture_output=True, text=True, input="{}", timeout=120)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every case's run, a process each, a few at a time (each one mostly waits for its interpreter to start)."""
    root = tmp_path_factory.mktemp("jolt-cli")
    found = list(cases())
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        done = pool.map(lambda item: _flowkit(root / f"case{item[0]}", item[1][1]), enumerate(found))
        return {name: run for (name, _), run in zip(found, done, strict=True)}


@pytest.mark.parametrize(("name", "case"), params())
def test_jolt_fixture_through_the_cli(name: str, case: dict[str, Any], runs: dict[str, Run]) -> None:
    folder, done = runs[name]
    if case.get("rejected"):
        assert done.returncode == 78, done.stderr
        assert f"{folder / 'spec.json'}:" in done.stderr
        assert done.stdout == ""
        return
    if case.get("fails"):  # as in Jolt: the spec is refused (78) or the document fails (65)
        assert done.returncode in (65, 78), done.stderr
        assert done.stdout == ""
        return
    assert done.returncode == 0, done.stderr
    actual = json.loads(done.stdout)
    if name in NEEDS_JAVA:
        assert actual == first_argument_expectation(case)  # stock Jolt; the fixture's output needs its Java functions
    elif case.get("ordered"):
        assert ordered(actual) == ordered(case["expected"])
    else:
        assert actual == case["expected"]
    if name in UNKNOWN_FUNCTIONS:  # Jolt runs it; flowkit says so on stderr, naming where it is
        assert f"unknown modify function '{UNKNOWN_FUNCTIONS[name]}'" in done.stderr
    else:
        assert done.stderr == ""


@pytest.mark.parametrize(("name", "case"), [p for p in params() if p.values[0] in UNKNOWN_FUNCTIONS])
def test_jolt_strict_refuses_the_unknown_function(name: str, case: dict[str, Any], tmp_path: Path) -> None:
    _, done = _flowkit(tmp_path, case, "--jolt-strict")
    assert done.returncode == 78
    assert done.stdout == ""
    line = done.stderr.strip()
    assert line.startswith(f"flowkit: error: {tmp_path / 'spec.json'}: $[0].spec.")
    assert f"unknown modify function '{UNKNOWN_FUNCTIONS[name]}'" in line
