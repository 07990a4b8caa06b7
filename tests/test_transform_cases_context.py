"""transform test: a Jolt case's typed context (context, param_json, jolt_strict), as the command line's
--context FILE.json, --param-json NAME=JSON and --jolt-strict; its mistakes stop the run (78, file:line)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Invoke

SAMPLES = ROOT / "samples" / "transform"
CASES = SAMPLES / "cases" / "print-run"


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    """A copy of samples/transform/ (the print-run cases and their spec and context)."""
    shutil.copytree(SAMPLES, tmp_path / "transform")
    return tmp_path / "transform" / "cases" / "print-run"


def run(invoke: Invoke, *paths: Path) -> tuple[int, str, str]:
    result = invoke(["transform", "test", *map(str, paths)])
    return result.exit_code, result.stdout, result.stderr


def test_the_print_run_cases_pass_with_their_typed_context(invoke: Invoke) -> None:
    code, out, err = run(invoke, CASES)
    assert code == 0, out + err
    assert "2 passed, 0 failed" in out
    planned = json.loads((CASES / "order-1203.out.json").read_text())
    # a number (minRun 250 lifts the 5-unit line), a map of lists (sheet sizes by SKU), a list (finishing)
    assert [(r["ordered"], r["quantity"], r["sheet"]) for r in planned["runs"]] == [(500, 500, [148, 210]), (5, 250, [105, 148])]
    assert planned["runs"][0]["finishing"] == ["trim", "box"]


@pytest.mark.parametrize(
    ("case", "flags"),
    [
        ("order-1203", []),
        ("order-1203-long-runs", ["--param-json", "minRun=1000", "--param-json", 'finishing=["trim", "shrink-wrap", "box"]']),
    ],
)
def test_a_case_gives_the_spec_what_the_command_line_gives_it(invoke: Invoke, case: str, flags: list[str]) -> None:
    """The expected output of each case is what `transform --jolt SPEC --context FILE [--param-json ...]` writes."""
    result = invoke(
        [
            "transform",
            "--jolt",
            str(SAMPLES / "print-run.jolt.json"),
            "--context",
            str(SAMPLES / "print-run-context.json"),
            *flags,
            "--raw",
            str(CASES / f"{case}.in.json"),
        ]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == json.loads((CASES / f"{case}.out.json").read_text())


def test_param_json_as_a_table_and_over_the_context_file(invoke: Invoke, cases: Path) -> None:
    (cases / "order-1203-long-runs.toml").write_text(
        '[param_json]\nminRun = "1000"\nfinishing = \'["trim", "shrink-wrap", "box"]\'\n', encoding="utf-8"
    )
    code, out, err = run(invoke, cases)
    assert code == 0, out + err
    # without param_json the case's own file gives nothing: the folder's context (minRun 250) applies, and it fails
    (cases / "order-1203-long-runs.toml").write_text("# no typed values of its own\n", encoding="utf-8")
    code, out, _ = run(invoke, cases)
    assert code == 1 and "FAIL" in out and '-      "quantity": 1000,' in out and '+      "quantity": 250,' in out


def test_without_the_context_the_case_fails(invoke: Invoke, cases: Path) -> None:
    """The context is what the spec needs: the same case with the spec alone gives another output."""
    (cases / "transform.toml").write_text('jolt = "../../print-run.jolt.json"\n', encoding="utf-8")
    code, out, _ = run(invoke, cases / "order-1203.in.json")
    assert code == 1 and "output differs from order-1203.out.json" in out
    assert '-      "sheet": [' in out and '+      "sheet": "unknown",' in out


def stops(invoke: Invoke, *paths: Path) -> str:
    """The run stopped before any case: exit 78, no PASS/FAIL line, one line on stderr."""
    code, out, err = run(invoke, *paths)
    assert code == 78, out + err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_context_file_that_is_not_there(invoke: Invoke, cases: Path) -> None:
    (cases / "transform.toml").write_text('jolt = "../../print-run.jolt.json"\n\ncontext = "nope.json"\n', encoding="utf-8")
    line = stops(invoke, cases)
    assert f"{cases}/transform.toml:3: context {cases}/nope.json: cannot read: No such file or directory" in line


def test_a_context_file_with_bad_json(invoke: Invoke, cases: Path) -> None:
    (cases.parent.parent / "print-run-context.json").write_text('{\n  "minRun": 250\n  "finishing": []\n}\n')
    line = stops(invoke, cases)
    assert f"{cases}/transform.toml:3: context " in line
    assert "print-run-context.json:3:3: invalid JSON: Expecting ',' delimiter" in line


def test_a_context_file_that_is_not_an_object(invoke: Invoke, cases: Path) -> None:
    (cases.parent.parent / "print-run-context.json").write_text("[250]\n")
    assert "a context is a JSON object (names to values), not an array" in stops(invoke, cases)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("param_json = ['minRun=1,000']\n", "order-1203.toml:1: param_json minRun (column 2): invalid JSON: Extra data"),
        ("\nparam_json = ['minRun']\n", "order-1203.toml:2: param_json 'minRun': use NAME=JSON"),
        ("[param_json]\nminRun = 1000\n", "order-1203.toml:1: param_json minRun: give the value as JSON text"),
        ("param_json = 1000\n", 'order-1203.toml:1: param_json must be a list of "NAME=JSON" strings'),
        ("jolt_strict = 'yes'\n", "order-1203.toml:1: jolt_strict must be true or false"),
        ("params = {minRun = '5'}\nparam_json = ['minRun=5']\n", "order-1203.toml:2: param_json minRun is also in params"),
        ('xslt = "../csv/../../lines-csv.xsl"\n', "transform.toml:3: context is for Jolt specs; this case runs a stylesheet"),
    ],
)
def test_bad_typed_values_name_file_and_line(invoke: Invoke, cases: Path, toml: str, message: str) -> None:
    (cases / "order-1203.toml").write_text(toml, encoding="utf-8")
    assert message in stops(invoke, cases)


def test_no_case_runs_before_a_bad_context_is_found(invoke: Invoke, cases: Path) -> None:
    """Cases in another folder that come first in the run are not run either: the run is refused whole."""
    (cases / "order-1203-long-runs.toml").write_text("param_json = ['minRun=']\n", encoding="utf-8")
    line = stops(invoke, cases.parent / "csv", cases)
    assert "order-1203-long-runs.toml:1: param_json minRun (column 1): invalid JSON: Expecting value" in line


def test_jolt_strict_refuses_an_unknown_function(invoke: Invoke, cases: Path) -> None:
    spec = cases.parent.parent / "print-run.jolt.json"
    spec.write_text(spec.read_text().replace('"finishing": "^finishing"', '"finishing": ["=nonnull", "^finishing"]'))
    code, out, err = run(invoke, cases)
    assert code == 0, out + err  # as Jolt: an unknown function gives no value, the next one is tried
    (cases / "order-1203.toml").write_text("jolt_strict = true\n", encoding="utf-8")
    code, out, _ = run(invoke, cases)
    assert code == 1 and "1 passed, 1 failed" in out
    assert "FAIL" in out and "nonnull" in out


def test_the_command_exits_78_with_one_line(cases: Path, tmp_path: Path) -> None:
    """Through the real command: exit 78, `flowkit: error: FILE:LINE: …` on stderr, nothing on stdout."""
    (cases / "transform.toml").write_text('jolt = "../../print-run.jolt.json"\ncontext = "ctx.json"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "flowkit", "transform", "test", "print-run"],
        cwd=cases.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 78 and done.stdout == ""
    assert done.stderr.strip() == (
        "flowkit: error: print-run/transform.toml:2: context print-run/ctx.json: cannot read: No such file or directory"
    )
