"""The client generated from the committed OpenAPI document type-checks under ``mypy --strict``,
and so does a caller that reads with a plain ``Client`` and writes with an ``AuthenticatedClient``
(``data/client_usage.py``): required fields are plain types there, never ``Unset``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_client import CLIENT_PACKAGE, generate_client

pytestmark = [pytest.mark.e2e]

USAGE = Path(__file__).with_name("data") / "client_usage.py"


def test_generated_client_and_its_caller_pass_mypy_strict(tmp_path: Path, repo_root: Path) -> None:
    generate_client(repo_root / "openapi" / "openapi.json", tmp_path)
    for name in [m for m in sys.modules if m.split(".")[0] == CLIENT_PACKAGE]:
        del sys.modules[name]
    shutil.copy(USAGE, tmp_path / "usage.py")
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    command += ["--config-file", "/dev/null", CLIENT_PACKAGE, "usage.py"]
    result = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
