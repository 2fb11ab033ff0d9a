"""System tools that some tests need, and what a test does when one is missing.

No test installs anything: ``.ci/run`` installs these Debian packages, once, before the tests.
Outside CI a test whose tool is missing is skipped, with the reason in pytest's summary; under
``CI=true`` it fails instead, so that a missing install step cannot pass as a skip.
"""

from __future__ import annotations

import os
import shutil

import pytest

# The tool a test looks for on PATH, and the Debian package .ci/run installs it with.
PACKAGES: dict[str, str] = {
    "podman": "podman",
    "buildah": "buildah",
    "runc": "runc",
    "debootstrap": "debootstrap",
    "chromium": "chromium",
    "chromedriver": "chromium-driver",
    "pg_ctlcluster": "postgresql",
    "strip": "binutils",
}


def under_ci() -> bool:
    """Whether this is a CI run (``CI`` set to anything but empty, ``0`` or ``false``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_tool(*tools: str) -> None:
    """Skip the calling test (fail it under CI) unless every one of ``tools`` is on PATH."""
    unknown = [tool for tool in tools if tool not in PACKAGES]
    assert not unknown, f"add {unknown} to tests.system.PACKAGES and to .ci/run"
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not missing:
        return
    packages = " ".join(dict.fromkeys(PACKAGES[tool] for tool in missing))
    reason = f"{', '.join(missing)} not installed (.ci/run installs it: apt-get install {packages})"
    if under_ci():
        pytest.fail(f"{reason}; under CI a missing system tool is an error", pytrace=False)
    pytest.skip(reason)
