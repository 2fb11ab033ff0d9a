"""What a request cannot get out of the service: whole inputs echoed, keys through the query,
file paths; and what a client that goes away counts as (in process; the HTTP layer below the
app is tested against a real server in tests/e2e/test_first_hour.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index import IndexFormatError
from service.app import create_app
from service.errors import MAX_DETAIL, excerpt, to_problem, without_paths
from service.settings import Settings
from tests.api.conftest import API_KEY


def test_a_long_query_gets_a_short_error(client: TestClient[Litestar]) -> None:
    text = "firm support " * 5000  # 65 KB, far past the 1,000-character limit
    answer = client.get("/v1/lookup", params={"text": text})
    assert answer.status_code == 400
    problem = answer.json()
    assert len(answer.content) < 2 * MAX_DETAIL + 500
    assert "firm support" not in problem["detail"]
    assert problem["instance"] == "/v1/lookup"


def test_details_are_excerpts() -> None:
    assert excerpt("Validation failed for GET /v1/lookup?text=abc&k=0") == (
        "Validation failed for GET /v1/lookup"
    )
    assert excerpt("is it?") == "is it?"
    long = excerpt("x" * 10_000)
    assert len(long) == MAX_DETAIL and long.endswith("…")


def test_server_errors_name_no_path() -> None:
    assert without_paths("no index folder at /srv/data/var/index; build one") == (
        "no index folder at …/index; build one"
    )
    problem, _ = to_problem(IndexFormatError("cannot read /srv/data/index/vectors.npy: short"))
    assert problem.status == 503
    assert problem.detail is not None and "/srv" not in problem.detail
    assert "vectors.npy" in problem.detail


@pytest.mark.parametrize(
    "query",
    [
        {"api_key": API_KEY},
        {"X-API-Key": "not-even-right"},
        {"token": "a-token-value-7c1"},
        {"said_by": API_KEY},
    ],
)
def test_a_key_in_the_query_is_refused_and_never_logged(
    writer_client: TestClient[Litestar], caplog: pytest.LogCaptureFixture, query: dict[str, str]
) -> None:
    with caplog.at_level(logging.INFO, logger="whosaid"):
        answer = writer_client.get("/v1/lookup", params={"text": "firm support", **query})
    assert answer.status_code == 400
    assert answer.json()["type"].endswith("/api-key-in-query")
    value = next(iter(query.values()))
    assert value not in answer.text
    ours = [r for r in caplog.records if r.name.startswith("whosaid")]  # httpx logs its URL
    assert ours and all(value not in record.getMessage() for record in ours)


def test_the_access_log_records_the_route_not_the_text(
    client: TestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="whosaid.access"):
        assert client.get("/v1/lookup", params={"text": "firm support on core"}).is_success
        assert client.get("/v1/statements/nonexistent-id").status_code == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "whosaid.access"]
    assert any(line.startswith("GET /v1/lookup 200 ") and line.endswith("ms") for line in lines)
    assert any(line.startswith("GET /v1/statements/{statement_id} 404") for line in lines)
    assert not any("firm" in line or "nonexistent" in line for line in lines)


def test_a_setting_turns_text_logging_on(
    hash_index: Path, searcher: object, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(index_dir=hash_index, cpu_workers=1, log_queries=True)
    app = create_app(settings, searcher=searcher)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="whosaid.access"), TestClient(app) as client:
        client.get("/v1/lookup", params={"text": "firm support"})
        lines = [r.getMessage() for r in caplog.records if r.name == "whosaid.access"]
    assert any(line.startswith("GET /v1/lookup?text=firm+support 200") for line in lines), lines


def test_a_key_in_the_query_is_not_logged_even_with_text_logging(
    hash_index: Path, searcher: object, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(index_dir=hash_index, cpu_workers=1, log_queries=True, api_keys=API_KEY)
    app = create_app(settings, searcher=searcher)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="whosaid.access"), TestClient(app) as client:
        assert client.get("/v1/lookup", params={"text": "a", "said_by": API_KEY}).status_code == 400
        lines = [r.getMessage() for r in caplog.records if r.name == "whosaid.access"]
    assert lines and not any(API_KEY in line for line in lines)


def test_a_client_gone_mid_body_is_no_server_error(
    writer_client: TestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    app = writer_client.app
    sent: list[dict[str, object]] = []
    arrived = [
        {"type": "http.request", "body": b'{"text": "firm', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, object]:
        return arrived.pop(0) if arrived else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/lookup", "raw_path": b"/v1/lookup", "query_string": b"",
        "root_path": "", "headers": [(b"content-type", b"application/json"),
                                     (b"content-length", b"100")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip
    with caplog.at_level(logging.ERROR):
        writer_client.blocking_portal.call(app, scope, receive, send)  # type: ignore[arg-type]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    metrics = writer_client.get("/metrics").text
    assert 'whosaid_http_client_disconnects_total{method="POST",route="/v1/lookup"} 1.0' in metrics
    assert 'status="500"' not in metrics
    assert sent == [] or sent[0].get("status") == 499  # nobody reads it
