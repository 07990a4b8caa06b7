"""The Saxon engine in tests: required wherever saxonche ships a wheel, so CI cannot skip it silently."""

from __future__ import annotations

import platform

import pytest

# The platforms saxonche (SaxonC-HE 13) publishes wheels for: there, `make test` installs it
# (flowkit-orders[test,saxon]) and a missing module is a broken install, not a reason to skip.
WHEELS = {("Linux", "x86_64"), ("Linux", "aarch64"), ("Darwin", "x86_64"), ("Darwin", "arm64"), ("Windows", "AMD64")}


def require_saxon() -> None:
    """Fail when saxonche is missing where it has a wheel; skip, saying why, only where it has none."""
    try:
        import saxonche  # noqa: F401
    except ImportError:
        where = (platform.system(), platform.machine())
        if where in WHEELS:
            pytest.fail(
                "saxonche is not installed: `make test` installs flowkit-orders[test,saxon] (pip install -e '.[test,saxon]')"
            )
        pytest.skip(f"saxonche publishes no wheel for {where[0]} {where[1]}: the Saxon engine cannot be installed here")
