"""Golden cases, as ``transform test`` and ``apply-rules test`` run them: find, read, compare, report.

A case is ``NAME.in.EXT`` beside its expected output ``NAME.out.EXT``; its
settings come from a folder file (``transform.toml``, ``apply-rules.toml``)
overlaid by ``NAME.toml``. Each command runs its cases its own way and hands
back a ``Result`` per case; the PASS/FAIL lines, the unified diffs, the
summary line, the exit code (1 when any case fails) and the JUnit report are
the same for both.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import orjson

from flowkit.errors import InputError, PartialError, UsageError

Echo = Callable[[str], Any]
T = TypeVar("T")


@dataclass
class Case:
    name: str
    input: Path

    @property
    def folder(self) -> Path:
        return self.input.parent

    @property
    def stem(self) -> str:
        return self.input.name.rsplit(".in.", 1)[0]

    def expected(self) -> Path | None:
        found = sorted(self.folder.glob(f"{self.stem}.out.*"))
        return found[0] if found else None


@dataclass
class Result:
    case: Case
    ok: bool
    message: str = ""
    diff: str = ""
    seconds: float = 0.0
    updated: bool = False
    problems: list[str] = field(default_factory=list)  # the output is not valid: "  invalid: …"
    notes: list[str] = field(default_factory=list)  # more about a failure, one line each


def discover(paths: Iterable[Path], suffixes: tuple[str, ...]) -> list[Case]:
    """Cases (``NAME.in.SUFFIX``) under folders, recursively, or named directly, in a stable order."""
    inputs: list[Path] = []
    for path in paths:
        if path.is_dir():
            inputs += sorted(p for p in path.rglob("*.in.*") if p.suffix in suffixes)
        elif ".in." in path.name:
            inputs.append(path)
    seen: dict[Path, Case] = {}
    for item in inputs:
        case = Case(name=str(item.parent / item.name.rsplit(".in.", 1)[0]), input=item)
        seen.setdefault(item.resolve(), case)
    return list(seen.values())


def read_settings(path: Path, keys: Iterable[str], path_keys: Iterable[str] = ()) -> tuple[dict[str, Any], str]:
    """A case's TOML settings (and their text, to locate keys); paths resolved against its folder.

    A file that cannot be read, invalid TOML or an unknown key is an InputError naming file and line.
    """
    from flowkit.config import locate

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read case settings: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
        if found is None:
            raise InputError(f"{path}: invalid TOML: {exc}") from exc
        reason = str(exc)[: found.start()]
        raise InputError(f"{path}:{found[1]}: invalid TOML: {reason} (column {found[2]})") from exc
    known = set(keys)
    for key in data:
        if key not in known:
            line = locate(text, (key,))
            raise InputError(f"{path}{f':{line}' if line else ''}: unknown key {key!r} (known: {', '.join(sorted(known))})")
    for key in path_keys:
        if isinstance(data.get(key), str):
            data[key] = str((path.parent / data[key]).resolve())
    return data, text


def parse_json(data: bytes, where: str) -> Any:
    """JSON, or an InputError naming ``where`` and the line."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{where}:{exc.lineno}: invalid JSON: {exc.msg} (column {exc.colno})") from exc


def json_text(value: Any) -> str:
    """The normal form JSON is compared in: keys sorted, two-space indent."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode("utf-8")


def unified(want: str, got: str, names: tuple[str, str]) -> str | None:
    """A unified diff of two normal forms, or None when they are equal."""
    if want == got:
        return None
    return "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(), names[0], names[1], lineterm=""))


def report(result: Result, echo: Echo) -> None:
    """One case's PASS/FAIL/UPDATED line, then its diff and what else it has to say."""
    status = "UPDATED" if result.updated else ("PASS" if result.ok else "FAIL")
    echo(f"{status} {result.case.name}" + (f": {result.message}" if result.message and not result.ok else ""))
    if result.diff:
        echo(result.diff)
    for problem in result.problems:
        echo(f"  invalid: {problem}")
    for note in result.notes:
        echo(f"  {note}")


def run_all(items: Iterable[T], run: Callable[[T], Result], echo: Echo) -> list[Result]:
    """Run every case in order, reporting each as it ends; return the results."""
    results = []
    for item in items:
        result = run(item)
        results.append(result)
        report(result, echo)
    return results


def finish(results: Sequence[Result], what: str, echo: Echo) -> None:
    """The summary line; PartialError (exit 1) when any case failed."""
    failed = sum(1 for r in results if not r.ok)
    echo(f"{len(results) - failed} passed, {failed} failed")
    if failed:
        raise PartialError(f"{failed} of {len(results)} {what} case(s) failed")


def write_junit(path: Path, results: Sequence[Result], *, command: str) -> None:
    """One <testsuite> with a <testcase> per case; failures carry the message, the diff and the notes."""
    from lxml import etree

    failures = sum(1 for r in results if not r.ok)
    total = sum(r.seconds for r in results)
    counts = {"tests": str(len(results)), "failures": str(failures), "errors": "0"}
    suites = etree.Element("testsuites", name=f"flowkit {command} test", **counts, time=f"{total:.3f}")
    suite = etree.SubElement(suites, "testsuite", name=f"flowkit {command}", **counts, skipped="0", time=f"{total:.3f}")
    for result in results:
        case = result.case
        element = etree.SubElement(
            suite,
            "testcase",
            name=case.stem,
            classname=str(case.folder).replace(os.sep, "."),
            file=str(case.input),
            time=f"{result.seconds:.3f}",
        )
        if not result.ok:
            failure = etree.SubElement(element, "failure", message=result.message, type=command)
            failure.text = "\n".join(x for x in (result.message, result.diff, *result.problems, *result.notes) if x)
    data = etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except (FileExistsError, NotADirectoryError) as exc:  # mkdir's and open's words for a file where a folder goes
        raise UsageError(f"--junit {path}: cannot write the report: a file stands where a folder should be") from exc
    except OSError as exc:
        raise UsageError(f"--junit {path}: cannot write the report: {exc.strerror}") from exc
