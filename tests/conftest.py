"""Fixtures shared by every test folder. Keep this small: folder-specific fixtures live in the
folder's own conftest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.postgres import Postgres

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The five development articles and their manifest."""
    return REPO / "seeds"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One real PostgreSQL server for the session (see tests/postgres.py); each test that
    needs a journal there asks it for a database of its own."""
    from tests.postgres import postgres_server

    with postgres_server() as server:
        yield server
