"""The root command: help for every command, docs coverage, version, usage errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT, Invoke

from flowkit import __version__
from flowkit.cli import COMMANDS, cli


def all_commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    ctx = click.Context(group)
    for name in sorted(group.list_commands(ctx)):
        sub = group.get_command(ctx, name)
        found.append((*path, name))
        if isinstance(sub, click.Group):
            found += all_commands(sub, (*path, name))
    return found


def find(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        sub = command.get_command(click.Context(command), name)
        assert sub is not None
        command = sub
    return command


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help_with_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    command = find(path)
    assert command.help, f"flowkit {' '.join(path)} has no help text"
    if not isinstance(command, click.Group):
        assert "Example:" in command.help, f"flowkit {' '.join(path)} help has no Example: block"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_root_summaries_are_the_commands_own(name: str) -> None:
    assert COMMANDS[name][1] == find((name,)).get_short_help_str(limit=200)


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_is_in_the_reference(path: tuple[str, ...]) -> None:
    reference = (ROOT / "docs" / "commands.md").read_text()
    assert f"## flowkit {' '.join(path)}\n" in reference, "run 'make docs'"


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.stdout.strip() == f"flowkit {__version__}"


def test_python_dash_m() -> None:
    result = subprocess.run([sys.executable, "-m", "flowkit", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"flowkit {__version__}"


def test_unknown_command_one_line_exit_2(invoke: Invoke) -> None:
    result = invoke(["frobnicate"])
    assert result.exit_code == 2
    assert result.stderr == "flowkit: error: No such command 'frobnicate'. (see 'flowkit --help')\n"
    assert result.stdout == ""


def test_missing_option_one_line_exit_2(invoke: Invoke) -> None:
    result = invoke(["state", "show"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "flowkit: error: Missing argument 'KEY'. (see 'flowkit state show --help')"


def test_a_cores_usage_error_is_one_line_naming_the_commands_help(invoke: Invoke) -> None:
    result = invoke(["transform", "--xslt", "x.xsl", "--param", "oops"])
    assert result.exit_code == 2
    assert result.stderr == "flowkit: error: --param 'oops': use NAME=VALUE (see 'flowkit transform --help')\n"
    assert result.stdout == ""


def test_a_flowkit_error_is_one_line_with_its_exit_code(invoke: Invoke) -> None:
    result = invoke(["state", "sent", "1203"])
    assert result.exit_code == 65
    assert result.stderr.startswith("flowkit: error: no delivery of '1203' in ") and result.stderr.count("\n") == 1


def test_subcommands_from_other_modules_are_registered_under_their_own_names() -> None:
    for group, subcommands in ((name, entry.subcommands) for name, entry in COMMANDS.items()):
        for name in subcommands:
            assert find((group, name)).name == name


def test_a_mistyped_subcommand_from_another_module_is_suggested(invoke: Invoke) -> None:
    result = invoke(["state", "sen", "1203"])
    assert result.exit_code == 2
    assert result.stderr == "flowkit: error: No such command 'sen'. Did you mean 'sent'? (see 'flowkit state --help')\n"


def test_purge_days_from_config_or_usage_error(invoke: Invoke, tmp_config: Callable[..., Path]) -> None:
    result = invoke(["state", "purge"])
    assert result.exit_code == 2 and "state.retention_days" in result.stderr
    config = tmp_config("[state]\nretention_days = 30\n")
    result = invoke(["state", "purge"], config=config)
    assert result.exit_code == 0 and '"deleted"' in result.stdout


def test_log_settings_from_config(invoke: Invoke, tmp_config: Callable[..., Path]) -> None:
    import json

    config = tmp_config('[log]\nlevel = "info"\nformat = "json"\n[state]\nretention_days = 1\n')
    result = invoke(["state", "purge"], config=config)
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert lines and lines[0]["level"] == "info" and "purge" in lines[0]["msg"]
