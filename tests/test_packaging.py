"""The built wheel: its distribution name, the `flowkit` command, and the config reference it carries.

The wheel is built once, from a copy of the sources (the checkout gets no build/ or egg-info), with the
test environment's setuptools and no network.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from email.parser import Parser
from pathlib import Path

import pytest
from click.testing import CliRunner

import flowkit
from flowkit.cli import cli
from flowkit.commands.config import reference_path, starter_text

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    (src / "docs").mkdir()
    shutil.copy2(ROOT / "docs" / "config.md", src / "docs" / "config.md")
    shutil.copytree(ROOT / "flowkit", src / "flowkit", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    options = ["--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(out)]
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", *options, str(src)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def dist_info(archive: zipfile.ZipFile, name: str) -> str:
    (member,) = [m for m in archive.namelist() if m.endswith(f".dist-info/{name}") and m.count("/") == 1]
    return archive.read(member).decode("utf-8")


def test_wheel_is_named_flowkit_orders(wheel: zipfile.ZipFile) -> None:
    metadata = Parser().parsestr(dist_info(wheel, "METADATA"))
    assert metadata["Name"] == "flowkit-orders"
    assert metadata["Version"] == flowkit.__version__
    assert Path(wheel.filename or "").name == f"flowkit_orders-{flowkit.__version__}-py3-none-any.whl"


def test_wheel_installs_the_flowkit_command(wheel: zipfile.ZipFile) -> None:
    entry_points = configparser.ConfigParser()
    entry_points.read_string(dist_info(wheel, "entry_points.txt"))
    assert dict(entry_points["console_scripts"]) == {"flowkit": "flowkit.cli:cli"}
    assert "flowkit/cli/__init__.py" in wheel.namelist()
    assert "flowkit/__main__.py" in wheel.namelist()


def test_starter_config_points_to_a_command_that_prints_the_reference() -> None:
    header = starter_text().splitlines()[0]
    assert header.startswith("# ") and "docs/" not in header  # a wheel user has no docs/ folder
    words = header.split(": ", 1)[1].split()
    assert words[:3] == ["flowkit", "config", "reference"], header
    result = CliRunner().invoke(cli, words[1:])
    assert result.exit_code == 0, result.output
    assert result.stdout == (ROOT / "docs" / "config.md").read_text(encoding="utf-8")


def test_wheel_carries_the_config_reference(wheel: zipfile.ZipFile) -> None:
    package = Path(flowkit.__file__).resolve().parent
    member = "flowkit/" + reference_path().relative_to(package).as_posix()
    assert member == "flowkit/data/config.md"
    # The file in the checkout is a symlink to docs/config.md; the wheel must hold its text, not the link.
    assert wheel.read(member) == (ROOT / "docs" / "config.md").read_bytes()
    assert "flowkit/commands/config.py" in wheel.namelist()
