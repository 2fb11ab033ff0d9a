"""API keys: where they come from, how they are compared, and what each route needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index.search.searcher import Searcher
from service.app import create_app
from service.auth import ApiKeys, KeyConfigError
from service.errors import PROBLEM_BASE
from service.settings import Settings, load_settings
from tests.api.conftest import API_KEY, own_settings

ARTICLE = {"id": "auth-1", "outlet": "Wire", "text": 'She said: "The vote is on Friday."'}


def test_keys_come_from_the_environment_and_a_file(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_text("# the newsroom\n\n  file-key-1  \nfile-key-2\n", encoding="utf-8")
    settings = load_settings(
        {
            "WHOSAID_API_KEYS": " env-key-1 , ,env-key-2",
            "WHOSAID_API_KEYS_FILE": str(keys_file),
            "WHOSAID_PROTECT_READS": "1",
            "WHOSAID_JOURNAL": str(tmp_path / "j.sqlite3"),
        }
    )
    assert settings.protect_reads is True
    assert settings.journal_location == tmp_path / "j.sqlite3"
    keys = ApiKeys.from_settings(settings)
    for key in ("env-key-1", "env-key-2", "file-key-1", "file-key-2"):
        assert keys.accepts(key), key
    for key in ("", " ", "env-key", "env-key-1 ", "file-key-12", "# the newsroom", "env-key-1,"):
        assert not keys.accepts(key), key


def test_the_journal_defaults_to_beside_the_index_folder() -> None:
    settings = Settings(index_dir=Path("/data/index"))
    assert settings.journal_location == Path("/data/journal.sqlite3")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (Settings(api_keys_file=Path("/nonexistent/keys")), "cannot read the API keys file"),
        (Settings(protect_reads=True), "no API key is configured"),
        (Settings(protect_reads=True, api_keys=" , "), "no API key is configured"),
    ],
)
def test_a_key_setup_that_cannot_work_fails_at_once(settings: Settings, message: str) -> None:
    with pytest.raises(KeyConfigError, match=message):
        create_app(settings)


def post(
    client: TestClient[Litestar], key: str | bytes | None, header: str = "X-API-Key"
) -> tuple[int, dict[str, Any]]:
    headers = {header: key} if key is not None else {}
    response = client.post("/v1/articles", json={"articles": [ARTICLE]}, headers=headers)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("key", "status", "problem"),
    [
        (None, 401, "api-key-required"),
        ("", 401, "api-key-required"),
        ("wrong", 403, "api-key-rejected"),
        (API_KEY[:-1], 403, "api-key-rejected"),
        (API_KEY + "x", 403, "api-key-rejected"),
        (API_KEY.upper(), 403, "api-key-rejected"),
        ("é-ünïcode".encode("latin-1"), 403, "api-key-rejected"),
        (b"\xff\x00", 403, "api-key-rejected"),
        (API_KEY, 200, None),
    ],
)
def test_writes_need_a_right_key(
    writer_client: TestClient[Litestar], key: str | bytes | None, status: int, problem: str | None
) -> None:
    code, body = post(writer_client, key)
    assert code == status, body
    if problem:
        assert body["type"] == PROBLEM_BASE + problem
        assert "X-API-Key" in body["detail"]
    deleted = writer_client.delete(
        "/v1/articles/auth-1", headers={"X-API-Key": key} if key is not None else {}
    )
    assert deleted.status_code == (204 if status == 200 else status)


def test_the_header_name_is_case_insensitive(writer_client: TestClient[Litestar]) -> None:
    assert post(writer_client, API_KEY, header="x-api-key")[0] == 200


def test_a_key_from_the_file_writes(tmp_path: Path, searcher: Searcher) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_text("from-the-file\n", encoding="utf-8")
    app = create_app(own_settings(tmp_path, api_keys="", api_keys_file=keys_file), searcher)
    with TestClient(app) as client:
        assert post(client, "from-the-file")[0] == 200
        assert post(client, API_KEY)[0] == 403


def test_with_no_key_configured_nobody_writes(client: TestClient[Litestar]) -> None:
    for key in (None, API_KEY, "anything"):
        code, body = post(client, key)
        assert code == 403
        assert body["type"] == PROBLEM_BASE + "writes-disabled"
        assert "no API key is configured" in body["detail"]
        assert "WHOSAID_API_KEYS" in body["detail"]


def test_a_server_of_several_workers_takes_writes(tmp_path: Path, searcher: Searcher) -> None:
    # Every worker shares the journal and follows the others' rows (tests/e2e/test_replicas.py
    # runs two for real); none refuses a write for being one of several.
    app = create_app(own_settings(tmp_path, workers=2), searcher)
    with TestClient(app) as client:
        code, body = post(client, API_KEY)
        ready = client.get("/v1/health/ready").json()
    assert code == 200, body
    assert ready["writes"] == {"available": True, "problem": None}


def test_reads_are_open_unless_keyed(
    writer_client: TestClient[Litestar], keyed_client: TestClient[Litestar]
) -> None:
    assert writer_client.get("/v1/outlets").status_code == 200
    assert keyed_client.get("/v1/outlets").status_code == 401
    assert keyed_client.get("/v1/outlets", headers={"X-API-Key": "nope"}).status_code == 403
    assert keyed_client.get("/v1/outlets", headers={"X-API-Key": API_KEY}).status_code == 200
    # Probes and metrics stay open: an orchestrator has no key.
    for path in ("/v1/health/live", "/v1/health/ready", "/metrics"):
        assert keyed_client.get(path).status_code == 200, path
