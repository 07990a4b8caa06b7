"""Config: location, validation with file:line:key, layering, secrets, init/check/show."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Invoke

from flowkit.config import Config, load, locate, redact, resolve_secret
from flowkit.errors import ConfigError

GOOD = """
[state]
path = "s.db"

[destinations.mis]
type = "hotfolder"
path = "out"

[destinations.printer]
type = "sftp"
host = "sftp.example.com"
password = "${MIS_PASS}"

[render]
format = "json"
payment = false

[channels.web.render]
payment = true

[suppliers.acme.render]
payment = false
history = true
"""


def test_load_finds_local_file_and_resolves_paths(tmp_config: Callable[..., Path], tmp_path: Path) -> None:
    tmp_config(GOOD)
    config = load()
    assert config.path == Path("flowkit.toml")
    assert config.state_path() == Path("s.db")
    assert config.state_path("override.db") == Path("override.db")
    assert config.resolve_path("out") == config.base_dir / "out"


def test_env_var_names_config(tmp_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_config(GOOD, name="elsewhere.toml")
    monkeypatch.setenv("FLOWKIT_CONFIG", str(path))
    assert load().path == path


def test_missing_explicit_file_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found") as info:
        load(str(tmp_path / "nope.toml"))
    assert info.value.exit_code == 78


def test_no_file_gives_defaults() -> None:
    config = load()
    assert config.path is None and dict(config.data) == {}
    assert config.state_path().name == "state.db"


def test_invalid_toml_names_line(tmp_config: Callable[..., Path]) -> None:
    path = tmp_config("[state]\npath = \n")
    with pytest.raises(ConfigError, match=r"invalid TOML: .*line 2"):
        load(str(path))


def test_unknown_keys_name_file_line_and_key(tmp_config: Callable[..., Path]) -> None:
    path = tmp_config("[state]\npath = 'x'\nbogus = 1\n\n[renderr]\nx = 1\n")
    with pytest.raises(ConfigError) as info:
        load(str(path))
    assert info.value.format_message() == f"{path}: 2 problem(s)"  # each problem is a line of its own
    assert info.value.problem_lines[0].startswith(f"{path}:3: unknown key 'state.bogus'")
    assert info.value.problem_lines[1].startswith(f"{path}:5: unknown table 'renderr'")


def test_wrong_type_and_missing_destination_type(tmp_config: Callable[..., Path]) -> None:
    path = tmp_config("[state]\nlock_timeout = 'soon'\n[destinations.x]\npath = 'o'\n")
    with pytest.raises(ConfigError) as info:
        load(str(path))
    assert info.value.problem_lines == (
        f"{path}:2: 'state.lock_timeout' must be a number",
        f"{path}:3: 'destinations.x' needs 'type' or 'url'",
    )


def test_channel_and_supplier_overrides() -> None:
    import tomllib

    config = Config(data=tomllib.loads(GOOD))
    assert config.options("render", {})["payment"] is False
    assert config.options("render", {"channel": "web"})["payment"] is True
    both = config.options("render", {"channel": "web", "supplier": "acme"})
    assert both == {"format": "json", "payment": True, "history": True}


def test_named_lookup_error_lists_known() -> None:
    import tomllib

    config = Config(data=tomllib.loads(GOOD))
    assert config.named("destinations", "mis")["type"] == "hotfolder"
    with pytest.raises(ConfigError, match=r"no \[destinations.erp\] \(known: mis, printer\)"):
        config.named("destinations", "erp")


def test_secrets_from_env_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIS_PASS", "s3cret")
    assert resolve_secret("${MIS_PASS}") == "s3cret"
    secret = tmp_path / "token"
    secret.write_text("tok\n")
    assert resolve_secret(f"file:{secret}") == "tok"
    monkeypatch.delenv("MIS_PASS")
    with pytest.raises(ConfigError, match="MIS_PASS is not set") as info:
        resolve_secret("${MIS_PASS}", where="destinations.mis.password")
    assert "s3cret" not in info.value.format_message()


def test_redact_masks_secret_values_keeps_references() -> None:
    data = {"password": "hunter2", "token": "${TOKEN}", "url": "sftp://u:pw@host/x", "path": "p"}
    assert redact(data) == {"password": "***", "token": "${TOKEN}", "url": "sftp://u:***@host/x", "path": "p"}


def test_locate() -> None:
    text = '[a]\nx = 1\n[b."c"]\ny = 2\n'
    assert locate(text, ("a", "x")) == 2
    assert locate(text, ("b", "c", "y")) == 4
    assert locate(text, ("b", "c")) == 3
    assert locate(text, ("zz",)) is None


def test_cli_check_ok_and_bad(invoke: Invoke, tmp_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIS_PASS", "s3cret")
    good = tmp_config(GOOD)
    result = invoke(["config", "check"], config=good)
    assert result.exit_code == 0 and "ok" in result.stderr and result.stdout == ""
    bad = tmp_config("[log]\nlevel = 'info'\ncolour = true\n", name="bad.toml")
    result = invoke(["config", "check"], config=bad)
    assert result.exit_code == 78
    assert f"{bad}:3: unknown key 'log.colour'" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_missing_config_is_one_line_78(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(["state", "runs"], config=tmp_path / "missing.toml")
    assert result.exit_code == 78
    assert result.stderr.count("\n") == 1 and "config file not found" in result.stderr


def test_cli_show_redacts(invoke: Invoke, tmp_config: Callable[..., Path]) -> None:
    path = tmp_config(GOOD.replace("${MIS_PASS}", "plaintext-pw"))
    result = invoke(["config", "show"], config=path)
    assert result.exit_code == 0
    assert "plaintext-pw" not in result.stdout and '"***"' in result.stdout


def test_cli_init_writes_valid_commented_config(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "new.toml"
    assert invoke(["config", "init", str(target)]).exit_code == 0
    text = target.read_text()
    assert text.count("\n# ") >= 3
    load(str(target))  # the starter passes validation
    assert invoke(["config", "init", str(target)]).exit_code == 2
    assert invoke(["config", "init", "--force", str(target)]).exit_code == 0
    assert oct(os.stat(target).st_mode)[-3:] in ("644", "664", "600", "640")
