"""Fixtures shared by every test folder. Keep this small: folder-specific fixtures live in the
folder's own conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The five development articles and their manifest."""
    return REPO / "seeds"
