"""Run flowkit as ``python -m flowkit``."""

from flowkit.cli import cli

if __name__ == "__main__":  # pragma: no cover
    cli(prog_name="flowkit")
