"""The config schema: misspellings and ignored keys are exit 78 with file:line and a did-you-mean,
every problem is listed at once, and the schema matches what the code reads (click options,
transports, sources), so the two cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from conftest import Invoke

from flowkit import config_schema as schema
from flowkit.cli import load_command
from flowkit.config_keys import FLAG_KEYS

ROOT = Path(__file__).resolve().parent.parent
FLOWKIT = ROOT / "flowkit"
Write = Callable[..., Path]

# (config text, the problem expected on `config check`): each misspelling of issue 14 and its kin.
MISTAKES = [
    (
        '[sources.x]\ntype = "dir"\npath = "in"\nmove_procesed = true\n',
        ":4: unknown key 'sources.x.move_procesed' (did you mean 'move_processed'?)",
    ),
    (
        '[destinations.y]\ntype = "sftpp"\nhost = "h"\n',
        ":2: unknown destination type in 'destinations.y.type' (did you mean 'sftp'?",
    ),
    (
        '[destinations.y]\ntype = "sftp"\nhost = "h"\nknown_host = "kh"\n',
        ":4: unknown key 'destinations.y.known_host' (did you mean 'known_hosts'?)",
    ),
    ("[render]\npaymnet = true\n", ":2: unknown key 'render.paymnet' (did you mean 'payment'?)"),
    ("[deliver]\nmax_attempt = 3\n", ":2: unknown key 'deliver.max_attempt' (did you mean 'max_attempts'?)"),
    ("[query-orders]\nrequeue_aftr = 60\n", ":2: unknown key 'query-orders.requeue_aftr' (did you mean 'requeue_after'?)"),
    (
        '[destinations.y]\ntype = "hotfolder"\npath = "o"\nconflct = "fail"\n',
        ":4: unknown key 'destinations.y.conflct' (did you mean 'conflict'?)",
    ),
    (
        '[destinations.mis]\ntype = "hotfolder"\npath = "o"\n[suppliers.acme.deliver]\nto = "mjs"\n',
        ":5: 'suppliers.acme.deliver.to' names an unknown destination 'mjs': there is no [destinations.mjs] (did you mean 'mis'?)",
    ),
    ('[sources.x]\ntype = "dri"\npath = "in"\n', ":2: unknown source type in 'sources.x.type' (did you mean 'dir'?"),
    (
        '[destinations.y]\ntype = "hotfolder"\npath = "o"\nconflict = "fial"\n',
        ":4: unknown value for 'destinations.y.conflict' (did you mean 'fail'?; known: replace, ignore, rename, fail)",
    ),
    ("[deliver]\nbase-delay = 1\n", ":2: unknown key 'deliver.base-delay' (did you mean 'base_delay'?)"),
    ("[rendr]\npayment = true\n", ":1: unknown table 'rendr' (did you mean 'render'?)"),
    ("[channels.web.render]\npaymnet = true\n", ":2: unknown key 'channels.web.render.paymnet' (did you mean 'payment'?)"),
    (
        "[channels.web.apply-rules]\nexplain = true\n",
        ":2: 'channels.web.apply-rules.explain' is only read in [apply-rules], not per supplier or channel",
    ),
    (
        '[suppliers.acme.push-stock]\ntarget = "web"\n',
        ":1: 'suppliers.acme.push-stock' is not read: push-stock has no per-supplier or per-channel settings",
    ),
    (
        '[destinations.erp]\ntype = "http"\nurl = "https://erp.example.com/orders"\ntoken = "${ERP_TOKEN}"\n',
        ":4: 'destinations.erp.token' is only read with auth = \"bearer\"",
    ),
    (
        '[destinations.erp]\ntype = "http"\nurl = "https://erp"\nauth = "bearerr"\ntoken = "t0ken"\n',
        ":4: unknown value for 'destinations.erp.auth' (did you mean 'bearer'?; known: basic, bearer, header)",
    ),
    (
        '[destinations.y]\nurl = "sftp://u@h/in/?known_host=kh"\n',
        ":2: unknown option 'known_host' in the query of 'destinations.y.url' (did you mean 'known_hosts'?)",
    ),
    ('[render]\npayment = "yes"\n', ":2: 'render.payment' must be true or false"),
    ("[deliver]\nretries = 2.5\n", ":2: 'deliver.retries' must be an integer"),
    ('[log]\nlevel = "verbose"\n', ":2: unknown value for 'log.level' (known: error, warning, info, debug)"),
    ("[apply-rules.checks]\nduplicat = false\n", ":2: unknown key 'apply-rules.checks.duplicat' (did you mean 'duplicate'?)"),
    (
        '[sources.s]\ntype = "http"\nbase_url = "https://x"\nlist_path = "/o"\npagination = "pages"\n',
        ":5: unknown value for 'sources.s.pagination' (did you mean 'page'?",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MISTAKES, ids=[m[1].split("'")[1] for m in MISTAKES])
def test_each_mistake_is_exit_78_with_line_and_hint(invoke: Invoke, tmp_config: Write, text: str, expected: str) -> None:
    path = tmp_config(text)
    result = invoke(["config", "check"], config=path)
    assert result.exit_code == 78, result.stderr
    assert f"flowkit: {path}{expected}" in result.stderr
    assert result.stderr.count("\n") == 2 and "Traceback" not in result.stderr  # the problem, then the count
    result = invoke(["render", "--example", "xml"], config=path)  # any other command refuses the config too
    assert result.exit_code == 78 and result.stdout == ""
    assert result.stderr.startswith(f"flowkit: error: {path}{expected}") and result.stderr.count("\n") == 1


def test_all_problems_listed_at_once(invoke: Invoke, tmp_config: Write) -> None:
    path = tmp_config(
        '[state]\npath = "s.db"\nbogus = 1\n\n[render]\npaymnet = true\nformat = "pdf"\n\n[destinations.y]\ntype = "sftpp"\n'
    )
    result = invoke(["config", "check"], config=path)
    assert result.exit_code == 78
    lines = result.stderr.splitlines()
    assert [line.split(":")[2] for line in lines[:-1]] == ["3", "6", "7", "10"]
    assert lines[-1] == f"flowkit: error: {path}: 4 problem(s)"
    result = invoke(["deliver", "--to", "y"], config=path)  # any other command lists them all the same way
    assert result.exit_code == 78
    assert result.stderr.splitlines() == lines


def test_values_are_never_echoed(invoke: Invoke, tmp_config: Write) -> None:
    path = tmp_config(
        '[destinations.y]\ntype = "sftp"\nhost = "h"\npasword = "hunter2"\nport = "hunter3"\nconflict = "hunter4"\n'
    )
    result = invoke(["config", "check"], config=path)
    assert result.exit_code == 78 and result.stderr.count("\n") == 4
    assert "did you mean 'password'" in result.stderr
    assert "hunter" not in result.stderr


def test_unset_env_and_missing_secret_file_reported_by_check(
    invoke: Invoke, tmp_config: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWKIT_TEST_UNSET", raising=False)
    monkeypatch.setenv("FLOWKIT_TEST_SET", "s3cret")
    present = tmp_path / "present"
    present.write_text("pw\n")
    path = tmp_config(
        '[destinations.erp]\ntype = "http"\nurl = "https://erp.example.com"\nauth = "bearer"\n'
        'token = "${FLOWKIT_TEST_UNSET}"\nheaders = { X-Key = "${FLOWKIT_TEST_SET}" }\n\n'
        f'[destinations.sftp]\ntype = "sftp"\nhost = "h"\npassword = "file:{tmp_path}/absent"\n'
        f'passphrase = "file:{present}"\n\n'
        '[sources.shop]\ntype = "http"\npreset = "magento2"\nbase_url = "https://shop"\ntoken = "${FLOWKIT_TEST_UNSET}"\n'
    )
    result = invoke(["config", "check"], config=path)
    assert result.exit_code == 78
    assert result.stderr.splitlines()[:-1] == [
        f"flowkit: {path}:5: 'destinations.erp.token': environment variable FLOWKIT_TEST_UNSET is not set",
        f"flowkit: {path}:11: 'destinations.sftp.password': secret file {tmp_path}/absent does not exist",
        f"flowkit: {path}:18: 'sources.shop.token': environment variable FLOWKIT_TEST_UNSET is not set",
    ]
    assert "s3cret" not in result.stderr
    # Only `config check` asks: a command that needs no secret still runs.
    assert invoke(["config", "show"], config=path).exit_code == 0


def test_what_the_code_reads_is_accepted(invoke: Invoke, tmp_config: Write) -> None:
    path = tmp_config(
        "[query-orders]\nrequeue-after = 600\nmax_attempts = 5\n\n"
        '[apply-rules]\ndrop_held = true\nrecords-out = true\n[apply-rules.maps.routing]\nstock = "^MUG-"\n\n'
        '[render]\ninclude-held = true\n\n[deliver]\ntarget = "mis"\nbase_delay = 1\n\n'
        '[sources.shop]\ntype = "http"\nbase_url = "https://shop"\nlist_path = "/rest/{store_code}/V1/orders"\n'
        'store_code = "default"\n'
        '[sources.shop.mark_sent]\nmethod = "POST"\npath = "/x/{number}"\njson = { sent = true }\n\n'
        '[destinations.mis]\nurl = "file:///tmp/out"\nonce_per_key = true\n\n'
        '[suppliers.acme]\nname = "Acme Print"\nenabled = false\n[suppliers.acme.render]\nescape-non-ascii = true\n'
        '[suppliers.acme.deliver]\nfilename = "acme/{key}.xml"\n[channels.web.transform]\nxslt = "web.xsl"\n'
    )
    result = invoke(["config", "check"], config=path)
    assert result.exit_code == 0, result.stderr


def test_apply_rules_reads_drop_held_from_config(invoke: Invoke, tmp_config: Write, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[checks]\nduplicate = false\n[[rules]]\nname = "all"\nhold = "Review"\nwhen.any_line_quantity = ">= 1"\n')
    path = tmp_config(f'[apply-rules]\nrules = "{rules}"\ndry_run = true\ndrop_held = true\n')
    order = (ROOT / "samples" / "orders" / "1203.json").read_bytes()
    result = invoke(["apply-rules"], input=order, config=path)
    assert result.exit_code == 0 and result.stdout == "", result.stderr  # held, so dropped


SAMPLES = sorted(p for p in (ROOT / "samples").glob("*.toml") if "rules" not in p.name)


@pytest.mark.parametrize(
    "sample", [*SAMPLES, ROOT / "samples" / "deliver" / "flowkit.toml"], ids=lambda p: str(p.relative_to(ROOT))
)
def test_samples_pass_check(invoke: Invoke, sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in set(re.findall(r"\$\{(\w+)\}", sample.read_text())):
        monkeypatch.setenv(name, "x")
    result = invoke(["config", "check"], config=sample)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().endswith(": ok")


def test_config_init_passes_check(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "flowkit.toml"
    assert invoke(["config", "init", str(target)]).exit_code == 0
    result = invoke(["config", "check"], config=target)
    assert result.exit_code == 0 and result.stderr.strip() == f"{target}: ok"


# The schema against the code ----------------------------------------------------------------


def _kind(param: click.Option) -> tuple[str, tuple[str, ...]]:
    """The schema kind and choices a click option's config value has."""
    if param.is_flag and not param.is_bool_flag:
        return "string", ()  # --raw/--records: one key, the flag values are its choices (checked below)
    if param.is_flag:
        return "bool", ()
    if param.multiple:
        return "strings", ()
    if isinstance(param.type, click.Choice):
        return "string", tuple(str(c) for c in param.type.choices)
    if isinstance(param.type, (click.types.IntParamType, click.IntRange)):
        return "int", ()
    if isinstance(param.type, (click.types.FloatParamType, click.FloatRange)):
        return "number", ()
    return "string", ()


@pytest.mark.parametrize("command", list(schema.COMMANDS))
def test_command_tables_are_the_commands_options(command: str) -> None:
    cmd = load_command(command)
    assert cmd is not None
    options = [p for p in cmd.params if isinstance(p, click.Option) and p.name]
    read_as = dict(FLAG_KEYS.get(command, {}))  # a key spelt as its flag -> the option's parameter name
    table = {read_as.get(k, k): v for k, v in schema.COMMANDS[command].items()}
    refused = set(schema.NOT_IN_CONFIG.get(command, ((), ""))[0])
    assert {k for k, v in table.items() if v.option} | refused == {str(p.name) for p in options}
    flag_values: dict[str, set[str]] = {}
    aliases: dict[str, str] = {}
    for param in options:
        name = str(param.name)
        for flag in param.opts if param.is_bool_flag or not param.is_flag else ():  # --raw/--records: values
            spelt = flag.lstrip("-").replace("-", "_")
            if spelt != name and name not in refused:
                aliases[spelt] = name
        if name in refused:
            continue
        if param.is_flag and not param.is_bool_flag:
            flag_values.setdefault(name, set()).add(str(param.flag_value))
        kind, choices = _kind(param)
        assert (table[name].kind, table[name].choices or ()) == (kind, choices or table[name].choices), name
    for name, values in flag_values.items():
        assert set(table[name].choices) == values, name
    assert read_as == aliases  # every option whose flag is not its parameter name has its flag as config key


def _literals(*modules: str) -> set[str]:
    """Every string literal of the given flowkit modules (what the code could read)."""
    text = "".join((FLOWKIT / m).read_text() for m in modules)
    return set(re.findall(r'"([A-Za-z_][A-Za-z0-9_-]*)"', text))


# Modules that read each command table's keys that are no click option.
CONFIG_READERS = {
    "query-orders": ("commands/mark_sent.py",),
    "query-products": (),
    "apply-rules": ("apply_rules/settings.py",),
    "render": (),
    "transform": ("transform/core.py",),
    "deliver": ("deliver/run.py",),
    "push-stock": (),
    "import-shipment": ("commands/import_shipment.py",),
    "import-status": ("commands/import_status.py",),
    "receive": ("receive/config.py",),
}


@pytest.mark.parametrize("command", list(schema.COMMANDS))
def test_config_only_keys_are_read(command: str) -> None:
    extra = {k for k, v in schema.COMMANDS[command].items() if not v.option}
    assert extra <= _literals(*CONFIG_READERS[command])


def test_render_table_is_render_options() -> None:
    from dataclasses import fields

    from flowkit.commands.render import COMMAND_PARAMS
    from flowkit.formats.options import RenderOptions

    read_as = FLAG_KEYS["render"]  # a key spelt as its flag is read under the option's field name
    assert {read_as.get(k, k) for k in schema.RENDER} == {f.name for f in fields(RenderOptions)}
    assert set(schema.NOT_IN_CONFIG["render"][0]) == set(COMMAND_PARAMS) - {"files"}


def test_rules_tables_match_checks_and_maps() -> None:
    from flowkit.apply_rules import checks
    from flowkit.apply_rules.settings import COMMAND_KEYS

    assert set(schema.CHECKS) == set(checks.CHECK_KEYS)
    assert schema.CHECKS["reasons"].keys is not None and set(schema.CHECKS["reasons"].keys) == set(checks.REASONS)
    assert set(schema.MAPS) <= _literals("apply_rules/maps.py") and set(schema.ROUTING) <= _literals("apply_rules/maps.py")
    read_as = FLAG_KEYS["apply-rules"]
    assert {read_as.get(k, k) for k in schema.COMMANDS["apply-rules"]} == set(COMMAND_KEYS)


def _read_by(module: str) -> set[str]:
    """Option names a transport or source reads from its table: option(spec, "x"), spec.get("x"), spec["x"]."""
    text = (FLOWKIT / module).read_text()
    found = set(re.findall(r'(?:option|secret)\((?:self\.)?\w+, ["\'](\w+)["\']', text))
    return found | set(re.findall(r'(?:spec|merged)(?:\.get\(|\[)["\'](\w+)["\']', text))


@pytest.mark.parametrize("kind", list(schema.DESTINATIONS))
def test_destination_keys_are_what_the_transport_reads(kind: str) -> None:
    module = {"ftps": "ftp", "email": "email"}.get(kind, kind)
    read = _read_by(f"transports/{module}.py") - {"name", "type", "url"}
    if kind == "email":
        read |= {"to", "cc", "bcc"}  # read in one loop: addresses(spec.get(k)) for k in (...)
    if kind == "http":
        read -= {"url"}
    assert set(schema.DESTINATIONS[kind]) == read


def test_destination_common_keys() -> None:
    from flowkit.transports import base, hotfolder

    assert set(schema.DELIVERY) == _read_by("deliver/run.py") - {"name"}
    assert schema.SCHEMES == base.SCHEMES
    assert set(schema.DESTINATION_TYPES) == set(base.SCHEMES.values())
    assert schema.HOTFOLDER["conflict"].choices == hotfolder.CONFLICTS


def test_source_keys_are_what_the_sources_read() -> None:
    from flowkit import source_presets as presets
    from flowkit import sources
    from flowkit.sources import httpsource
    from flowkit.store.orders import EXPORT_STATUSES

    assert schema.SOURCE_TYPES == sources.SOURCE_TYPES
    assert tuple(presets.PRESETS) == schema.PRESETS
    assert {name: preset["auth"] for name, preset in presets.PRESETS.items()} == schema.PRESET_AUTH
    http = set(schema.HTTP_SOURCE)
    preset_keys = {k for preset in presets.PRESETS.values() for k in preset}
    assert set(presets.DEFAULTS) | preset_keys <= http
    read = _read_by("sources/httpsource.py") | _read_by("sources/httpclient.py") | _read_by("sources/__init__.py")
    assert http == (read | set(presets.DEFAULTS) | preset_keys) - {"type"}
    assert schema.HTTP_SOURCE["pagination"].choices == httpsource.PAGINATION
    assert set(schema.DIR_SOURCE) == _read_by("sources/dirsource.py")
    assert set(schema.STORE_SOURCE) == _read_by("sources/storesource.py")
    assert schema.EXPORT_STATUSES == EXPORT_STATUSES
    assert {"enabled", "disabled"} <= _literals("apply_rules/settings.py")


def test_schema_does_not_load_at_start_up() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from flowkit.cli import cli; "
        "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0; "
        "print(sorted(m for m in ('flowkit.config_schema', 'flowkit.config_check', 'difflib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _all_keys(table: schema.Table) -> set[str]:
    keys = set(table)
    for key in table.values():
        if key.keys is not None:
            keys |= _all_keys(key.keys)
    return keys


def test_every_key_is_documented_in_config_md() -> None:
    text = re.sub(r"```.*?```", "", (ROOT / "docs" / "config.md").read_text(encoding="utf-8"), flags=re.DOTALL)
    words = {w for span in re.findall(r"`([^`]+)`", text) for w in re.findall(r"[A-Za-z_][\w-]*", span)}
    tables = [
        *schema.TOP.values(),
        *schema.SOURCES.values(),
        *schema.DESTINATIONS.values(),
        *schema.ENTITIES.values(),
        *schema.PER_RECORD.values(),
        schema.SOURCE_COMMON,
        schema.DESTINATION_COMMON,
    ]
    missing = {key for table in tables for key in _all_keys(table)} - words
    assert not missing
    assert set(schema.TOP) | set(schema.NAMED) <= words


def _toml_blocks() -> list[tuple[str, str]]:
    found = []
    for doc in sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]):
        text = doc.read_text(encoding="utf-8")
        for match in re.finditer(r"```toml\n(.*?)```", text, flags=re.DOTALL):
            found.append((f"{doc.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 2}", match.group(1)))
    return found


@pytest.mark.parametrize(("where", "text"), _toml_blocks(), ids=[w for w, _ in _toml_blocks()])
def test_documented_config_examples_pass_the_schema(where: str, text: str) -> None:
    import tomllib

    from flowkit.config import Config, validate

    data = tomllib.loads(text)
    if {"rules", "when", "checks", "maps"} & set(data):
        pytest.skip("a rules file, not a config")
    if {"meta", "expect_error"} & set(data):
        pytest.skip("the settings of an apply-rules test case, not a config")
    assert validate(Config(path=Path(where), data=data, text=text)) == []


def test_a_key_is_spelt_as_its_flag_and_the_old_spelling_still_works_with_a_warning(
    invoke: Invoke, tmp_config: Write, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    new = tmp_config(f'[deliver]\nto = "{out.as_uri()}/"\nname = "{{key}}.txt"\n[render]\nexclude_extra = ["secret.*"]\n')
    checked = invoke(["config", "check"], config=new)
    assert checked.exit_code == 0 and "warning" not in checked.stderr, checked.stderr
    payload = '{"flowkit":"record/1","kind":"payload","key":"A1","type":"text/plain","meta":{},"body":"x"}\n'
    sent = invoke(["deliver"], input=payload, config=new)  # --to and --name from [deliver] to / name
    assert sent.exit_code == 0 and (out / "A1.txt").read_text() == "x", sent.stderr
    assert "warning" not in sent.stderr

    old = tmp_config(f'[deliver]\ntarget = "{out.as_uri()}/"\nname_template = "{{key}}.old"\n')
    sent = invoke(["deliver"], input=payload.replace("A1", "A2"), config=old)
    assert sent.exit_code == 0 and (out / "A2.old").exists(), sent.stderr
    assert "'deliver.target' is the old spelling of 'to' (the key of --to); it is still read, write 'to'" in sent.stderr
    assert "'deliver.name_template' is the old spelling of 'name'" in sent.stderr
    checked = invoke(["config", "check"], config=old)
    assert checked.exit_code == 0, checked.stderr
    quiet = invoke(["-q", "deliver"], input=payload.replace("A1", "A3"), config=old)
    assert quiet.exit_code == 0 and "old spelling" not in quiet.stderr  # -q: cron mails nothing


def test_the_environment_variable_is_spelt_as_the_flag_too(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    payload = '{"flowkit":"record/1","kind":"payload","key":"E1","type":"text/plain","meta":{},"body":"x"}\n'
    sent = invoke(["deliver"], input=payload, env={"FLOWKIT_DELIVER_TO": out.as_uri() + "/"})
    assert sent.exit_code == 0 and (out / "E1.txt").exists(), sent.stderr
    older = invoke(["deliver"], input=payload.replace("E1", "E2"), env={"FLOWKIT_DELIVER_TARGET": out.as_uri() + "/"})
    assert older.exit_code == 0 and (out / "E2.txt").exists(), older.stderr
