"""Fixtures of the live-index end-to-end tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def real_seeds_index(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    """The seeds index built once with the real model; copy it before serving from it."""
    folder = tmp_path_factory.mktemp("real-seeds") / "index"
    subprocess.run(
        [sys.executable, "-m", "service.cli", "build", "--out", str(folder), "--quiet"],
        cwd=repo_root,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return folder


@pytest.fixture
def served_index(tmp_path: Path, real_seeds_index: Path) -> Path:
    """A work folder holding a copy of the seeds index at ``index``."""
    shutil.copytree(real_seeds_index, tmp_path / "index")
    return tmp_path
