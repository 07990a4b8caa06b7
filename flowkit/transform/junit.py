"""A JUnit XML report of ``transform test`` results, for CI servers."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flowkit.errors import InputError


def write_junit(path: Path, results: Sequence[Any]) -> None:
    """Write one <testsuite> with a <testcase> per case; failures carry the message and diff."""
    from lxml import etree

    failures = sum(1 for r in results if not r.ok)
    total = sum(r.seconds for r in results)
    suites = etree.Element(
        "testsuites",
        name="flowkit transform test",
        tests=str(len(results)),
        failures=str(failures),
        errors="0",
        time=f"{total:.3f}",
    )
    suite = etree.SubElement(
        suites,
        "testsuite",
        name="flowkit transform",
        tests=str(len(results)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time=f"{total:.3f}",
    )
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
            failure = etree.SubElement(element, "failure", message=result.message, type="transform")
            failure.text = "\n".join(x for x in (result.message, result.diff, *result.problems) if x)
    data = etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write JUnit report: {exc.strerror}") from exc
