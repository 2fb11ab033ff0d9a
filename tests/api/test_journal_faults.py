"""Honest journal errors: a journal that cannot be written is a 503 ``journal-unavailable``
that says why in words and names no path; readiness says writes are unavailable, and writes
resume by themselves once the cause is gone.

The journal lives on a small tmpfs of the test's own (mounting needs root: the tests skip
without it), so a full disk and a read-only file system are real ones. Each fault is met both
where the service sees it coming (before the write's analysis) and where only SQLite meets it
(the look-ahead switched off).
"""

from __future__ import annotations

import contextlib
import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index.live import kept
from index.search.searcher import Searcher
from service.app import create_app
from service.errors import PROBLEM_BASE
from tests.api.conftest import API_KEY, own_settings

KEY = {"X-API-Key": API_KEY}


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs."""
    where = tmp_path / "disk"
    where.mkdir()
    try:
        mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where))
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("mounting a tmpfs needs root")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture(params=["seen-ahead", "met-by-sqlite"])
def ahead(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "met-by-sqlite":
        monkeypatch.setattr(kept, "obstacle", lambda path: None)
    return str(request.param)


def writer(tmp_path: Path, journal: Path, searcher: Searcher) -> TestClient[Litestar]:
    settings = own_settings(tmp_path, journal=str(journal))
    return TestClient(create_app(settings, searcher=searcher))


def ingest(client: TestClient[Litestar], n: int) -> Any:
    body = {"id": f"fault-{n}", "outlet": "Wire", "text": f'He said: "Bridge number {n} opens."'}
    return client.post("/v1/articles", json={"articles": [body]}, headers=KEY)


def writes(client: TestClient[Litestar]) -> dict[str, Any]:
    response = client.get("/v1/health/ready")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["writes"]
    return result


def assert_unavailable(response: Any, tmp_path: Path, *words: str) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["type"] == PROBLEM_BASE + "journal-unavailable"
    assert any(word in body["detail"] for word in words), body["detail"]
    assert str(tmp_path) not in response.text
    assert "rollback" not in body["detail"]


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as out:
        while True:
            out.write(b"\0" * 4096)
            out.flush()
    with contextlib.suppress(OSError), filler.open("ab") as out:  # the last bytes too
        while True:
            out.write(b"\0")
            out.flush()
    return filler


def test_a_full_disk(tmp_path: Path, disk: Path, searcher: Searcher, ahead: str) -> None:
    with writer(tmp_path, disk / "journal.sqlite3", searcher) as client:
        assert ingest(client, 1).status_code == 200
        filler = fill(disk)
        response = ingest(client, 2)
        assert_unavailable(response, tmp_path, "disk is full", "failed a read or a write")
        if ahead == "seen-ahead":
            assert writes(client) == {"available": False, "problem": response.json()["detail"]}
        filler.unlink()
        assert writes(client) == {"available": True, "problem": None}
        assert ingest(client, 2).status_code == 200
        assert client.get("/v1/articles/fault-2").status_code == 200


def test_a_file_where_the_folder_should_be(
    tmp_path: Path, disk: Path, searcher: Searcher, ahead: str
) -> None:
    (disk / "journals").write_text("not a folder")
    with writer(tmp_path, disk / "journals" / "journal.sqlite3", searcher) as client:
        if ahead == "seen-ahead":
            assert writes(client)["available"] is False
            assert "file stands where" in writes(client)["problem"]
        assert_unavailable(ingest(client, 1), tmp_path, "file stands where")
        (disk / "journals").unlink()
        assert writes(client) == {"available": True, "problem": None}
        assert ingest(client, 1).status_code == 200


def test_a_read_only_file_system(
    tmp_path: Path, disk: Path, searcher: Searcher, ahead: str
) -> None:
    with writer(tmp_path, disk / "journal.sqlite3", searcher) as client:
        assert ingest(client, 1).status_code == 200
        # Linux refuses to remount a file system read-only while a file on it is open for
        # writing, so the service's connection is closed first (the kernel's own remount on
        # an error does not wait for that).
        runtime = client.app.state.runtime
        runtime.live.journal.close()
        mount("-o", "remount,ro", str(disk))
        try:
            response = ingest(client, 2)
            assert_unavailable(response, tmp_path, "read-only", "failed a read or a write")
            if ahead == "seen-ahead":
                assert writes(client)["problem"] == response.json()["detail"]
        finally:
            mount("-o", "remount,rw", str(disk))
        assert writes(client) == {"available": True, "problem": None}
        assert ingest(client, 2).status_code == 200


def test_causes_are_words_without_paths() -> None:
    from index.live.journal import cause

    assert cause(OSError(errno.ENOSPC, "No space left", "/secret/path")) == "the disk is full"
    assert "/secret" not in cause(OSError(errno.ENAMETOOLONG, "too long", "/secret/path"))
