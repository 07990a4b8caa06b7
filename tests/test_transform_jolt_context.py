"""flowkit transform --jolt with a typed context: --context FILE.json, --param-json NAME=JSON, --jolt-strict."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, ROOT, Invoke, record_line, records

HERE = DATA / "transform"
SAMPLES = ROOT / "samples" / "transform"
# Reads a number (^minQuantity), a map (^labels.CODE) and a list (^sizes) from the context.
SPEC = [
    {
        "operation": "modify-overwrite-beta",
        "spec": {
            "lines": {"*": {"quantity": "=max(@(1,quantity), ^minQuantity)", "label": "^labels.@(1,code)"}},
            "sizes": "^sizes",
            "channel": ["^channel", "none"],
        },
    }
]
DOC = {"lines": [{"code": "A5", "quantity": 1}, {"code": "B2", "quantity": 40}]}
CONTEXT = {"minQuantity": 25, "labels": {"A5": "Flyer A5", "B2": "Poster B2"}, "sizes": [148, 210]}


@pytest.fixture
def files(tmp_path: Path) -> Callable[..., list[str]]:
    """Write the spec, the document and (when given) a context file; return the command line's paths."""

    def write(context: Any = None, text: str | None = None) -> list[str]:
        (tmp_path / "spec.json").write_text(json.dumps(SPEC), encoding="utf-8")
        (tmp_path / "doc.json").write_text(json.dumps(DOC), encoding="utf-8")
        args = ["--jolt", str(tmp_path / "spec.json")]
        if context is not None or text is not None:
            (tmp_path / "ctx.json").write_text(text if text is not None else json.dumps(context), encoding="utf-8")
            args += ["--context", str(tmp_path / "ctx.json")]
        return args

    return write


def test_context_file_keeps_numbers_lists_and_maps(invoke: Invoke, files: Callable[..., list[str]], tmp_path: Path) -> None:
    result = invoke(["transform", *files(CONTEXT), str(tmp_path / "doc.json")])
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout) == [
        {
            "lines": [{"code": "A5", "quantity": 25, "label": "Flyer A5"}, {"code": "B2", "quantity": 40, "label": "Poster B2"}],
            "sizes": [148, 210],
            "channel": "none",
        }
    ]


def test_param_json_adds_typed_values_and_wins_over_the_file(
    invoke: Invoke, files: Callable[..., list[str]], tmp_path: Path
) -> None:
    args = [
        *files(CONTEXT),
        "--param-json",
        "minQuantity=50",
        "--param-json",
        'labels={"A5": "Leaflet"}',
        "--param",
        "channel=web",
    ]
    result = invoke(["transform", *args, str(tmp_path / "doc.json")])
    assert result.exit_code == 0, result.stderr
    (out,) = records(result.stdout)
    assert [line["quantity"] for line in out["lines"]] == [50, 50]
    assert [line.get("label") for line in out["lines"]] == ["Leaflet", None]  # the whole map is replaced
    assert out["sizes"] == [148, 210] and out["channel"] == "web"


def test_param_json_alone_is_a_context(invoke: Invoke, files: Callable[..., list[str]], tmp_path: Path) -> None:
    result = invoke(["transform", *files(), "--param-json", "sizes=[1, 2.5, null]", str(tmp_path / "doc.json")])
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0]["sizes"] == [1, 2.5, None]


def test_record_mode_provenance_names_the_context_file_not_its_values(
    invoke: Invoke, files: Callable[..., list[str]], tmp_path: Path
) -> None:
    line = record_line("payload", "1203", DOC, {"channel": "shop"})
    args = [*files(CONTEXT), "--param-json", "minQuantity=30", "--param-from-meta", "channel"]
    result = invoke(["transform", *args], input=line)
    assert result.exit_code == 0, result.stderr
    (out,) = records(result.stdout)
    assert out["body"]["channel"] == "shop" and out["body"]["lines"][0]["quantity"] == 30
    (step,) = out["meta"]["transform"]
    assert step["params"] == {"minQuantity": 30, "channel": "shop"}
    assert step["context"] == "ctx.json"  # shown as provenance shows paths: relative to the working directory
    assert step["context_sha256"] == hashlib.sha256((tmp_path / "ctx.json").read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--param-json", "n=[1,"], "--param-json n (column 4): invalid JSON: Expecting value"),
        (["--param-json", "n={\n'a': 1}"], "--param-json n (line 2, column 1): invalid JSON: Expecting property name"),
        (["--param-json", "n=NaN"], "--param-json n: invalid JSON: NaN is not JSON"),
        (["--param-json", "n"], "--param-json 'n': use NAME=JSON"),
        (["--param", "n=1", "--param-json", "n=1"], "'n' is given by both --param and --param-json"),
    ],
)
def test_bad_param_json_is_a_usage_error(
    invoke: Invoke, files: Callable[..., list[str]], tmp_path: Path, args: list[str], message: str
) -> None:
    result = invoke(["transform", *files(), *args, str(tmp_path / "doc.json")])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n  // comments are fine\n  "a": 1,\n  "b": \n}', "ctx.json:5:1: invalid JSON: Expecting value"),
        ("[1, 2]", "ctx.json: a context is a JSON object (names to values), not an array"),
        ('"text"', "not a string"),
        ("", "ctx.json:1:1: invalid JSON: Expecting value"),
    ],
)
def test_bad_context_file_is_a_usage_error(
    invoke: Invoke, files: Callable[..., list[str]], tmp_path: Path, text: str, message: str
) -> None:
    result = invoke(["transform", *files(text=text), str(tmp_path / "doc.json")])
    assert result.exit_code == 2
    assert f"--context {tmp_path / 'ctx.json'}" in result.stderr
    assert message in result.stderr


def test_missing_context_file_is_a_usage_error(invoke: Invoke, files: Callable[..., list[str]], tmp_path: Path) -> None:
    result = invoke(["transform", *files(), "--context", "nowhere.json", str(tmp_path / "doc.json")])
    assert result.exit_code == 2
    assert "--context nowhere.json: cannot read: No such file or directory" in result.stderr


def test_typed_context_is_for_jolt_only(invoke: Invoke) -> None:
    result = invoke(["transform", "--xslt", str(HERE / "identity.xsl"), "--param-json", "n=1", str(HERE / "order.xml")])
    assert result.exit_code == 2
    assert "--param-json: for a Jolt spec's context; a stylesheet takes --param strings" in result.stderr
    # and the other way round: --engine chooses an XSLT engine, it is never silently ignored for a Jolt spec
    result = invoke(["transform", "--jolt", str(HERE / "rename.jolt.json"), "--engine", "saxon", str(HERE / "order.json")])
    assert result.exit_code == 2 and result.stdout == ""
    assert "--engine: for an XSLT stylesheet (--xslt); a Jolt spec runs on jolt-py" in result.stderr


def test_configured_jolt_keys_do_not_stop_an_xslt_run(invoke: Invoke, tmp_config: Callable[..., Path]) -> None:
    config = tmp_config('[transform]\nparam_json = ["n=1"]\njolt_strict = true\n')
    result = invoke(["transform", "--xslt", str(HERE / "identity.xsl"), str(HERE / "order.xml")], config=config)
    assert result.exit_code == 0, result.stderr


def test_config_keys(invoke: Invoke, files: Callable[..., list[str]], tmp_path: Path, tmp_config: Callable[..., Path]) -> None:
    files(CONTEXT)
    config = tmp_config('[transform]\njolt = "spec.json"\ncontext = "ctx.json"\nparam_json = ["minQuantity=60"]\n')
    result = invoke(["transform", str(tmp_path / "doc.json")], config=config)
    assert result.exit_code == 0, result.stderr
    (out,) = records(result.stdout)
    assert [line["quantity"] for line in out["lines"]] == [60, 60] and out["sizes"] == [148, 210]
    (tmp_path / "ctx.json").write_text("{,}", encoding="utf-8")
    broken = invoke(["transform", str(tmp_path / "doc.json")], config=config)
    assert broken.exit_code == 78  # a config's file: a config error
    assert f"{config}:3: [transform] context {tmp_path / 'ctx.json'}:1:2: invalid JSON" in broken.stderr
    assert invoke(["config", "check"], config=config).exit_code == 0
    files(CONTEXT)
    for pairs, said in ('"minQuantity=[6"', "param_json minQuantity (column 3): invalid JSON"), ('"60"', "param_json '60'"):
        bad = tmp_config(f'[transform]\njolt = "spec.json"\nparam_json = [{pairs}]\n', name="bad.toml")
        result = invoke(["transform", str(tmp_path / "doc.json")], config=bad)  # the config's mistake: 78, its line
        assert result.exit_code == 78 and result.stdout == ""
        assert f"{bad}:3: [transform] {said}" in result.stderr and "--param-json" not in result.stderr


def test_config_jolt_strict(invoke: Invoke, tmp_config: Callable[..., Path]) -> None:
    spec = HERE / "unknown-fn.jolt.json"
    config = tmp_config(f'[transform]\njolt = "{spec}"\njolt_strict = true\n')
    result = invoke(["transform", str(HERE / "order.json")], config=config)
    assert result.exit_code == 78
    assert f"{spec}: $[0].spec.name: unknown modify function 'toShouty'" in result.stderr


def test_unknown_function_with_arguments_gives_its_first_argument(invoke: Invoke, tmp_path: Path) -> None:
    """As in Jolt: a missing function with arguments evaluates its first argument; without arguments, nothing."""
    spec = tmp_path / "spec.json"
    rhs = {
        "a": "=nonnull(^size, 3)",
        "b": "=nonnull(@(1,x))",
        "c": "=nonnull",
        "d": ["=nonnull", "=toUpper(@(1,x))"],
        "e": "=nope()",
    }
    spec.write_text(json.dumps([{"operation": "modify-overwrite-beta", "spec": rhs}]), encoding="utf-8")
    result = invoke(["transform", "--jolt", str(spec), "--param-json", "size=[7]", "-"], input='{"x": "abc", "c": 1}')
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout) == [{"x": "abc", "c": 1, "a": [7], "b": "abc", "d": "ABC", "e": None}]
    warned = [line for line in result.stderr.splitlines() if "unknown modify function" in line]
    assert [line.split(": ")[3] for line in warned] == [
        "$[0].spec.a",
        "$[0].spec.b",
        "$[0].spec.c",
        "$[0].spec.d[0]",
        "$[0].spec.e",
    ]
    assert "'nonnull' gives its first argument (^size)" in warned[0]


def test_gelato_sample_with_its_context(invoke: Invoke) -> None:
    args = ["--jolt", str(SAMPLES / "gelato-order.jolt.json"), "--context", str(SAMPLES / "gelato-context.json")]
    result = invoke(["transform", *args, str(SAMPLES / "cases" / "gelato" / "order-1203.in.json")])
    assert result.exit_code == 0, result.stderr
    (out,) = records(result.stdout)
    assert out["shipmentMethodUid"] == "express"
    assert [item["productUid"] for item in out["items"]] == [
        "flyers_pf_a5_pt_350-gsm-coated-silk_cl_4-4_ver",
        "cards_pf_a6_pt_350-gsm-coated-silk_cl_4-0_ver",
    ]
