"""Errors the routes themselves do not raise: unknown routes, methods, and our own faults."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from litestar import Litestar
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from litestar.testing import TestClient

from index.errors import IndexFormatError
from index.search.searcher import Searcher
from service.app import create_app
from service.errors import (
    PROBLEM_BASE,
    PROBLEM_MEDIA_TYPE,
    InvalidCursorError,
    NotReadyError,
    UnknownIdError,
    to_problem,
)
from service.settings import Settings


class FailingSearcher:
    """A searcher whose lookups fail as a bug would."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self.manifest = searcher.manifest
        self.corpus = searcher.corpus

    def __getattr__(self, name: str) -> Any:  # everything else (the live index needs it)
        return getattr(self._searcher, name)

    def lookup(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail")


@pytest.fixture
def failing_client(hash_index: Path, searcher: Searcher) -> Iterator[TestClient[Litestar]]:
    app = create_app(
        Settings(index_dir=hash_index), searcher=cast(Searcher, FailingSearcher(searcher))
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_unknown_route_is_a_404_problem(client: TestClient[Litestar]) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["type"] == PROBLEM_BASE + "not-found"


def test_wrong_method_is_a_405_problem(client: TestClient[Litestar]) -> None:
    response = client.delete("/v1/outlets")
    assert response.status_code == 405
    assert response.json()["type"] == PROBLEM_BASE + "method-not-allowed"


def test_a_fault_of_ours_is_a_500_without_internals(
    failing_client: TestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    response = failing_client.get("/v1/lookup", params={"text": "anything"})
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["type"] == PROBLEM_BASE + "internal-error"
    assert "secret" not in response.text
    assert "secret internal detail" in caplog.text


@pytest.mark.parametrize(
    ("exc", "status", "type_"),
    [
        (ValidationException("bad"), 400, PROBLEM_BASE + "invalid-input"),
        (InvalidCursorError(), 400, PROBLEM_BASE + "invalid-cursor"),
        (UnknownIdError("statement", "x"), 404, PROBLEM_BASE + "not-found"),
        (NotFoundException(), 404, PROBLEM_BASE + "not-found"),
        (NotReadyError("loading"), 503, PROBLEM_BASE + "not-ready"),
        (IndexFormatError("bad manifest"), 503, PROBLEM_BASE + "index-unavailable"),
        # An HTTP error the table does not list keeps its status, with no extra semantics.
        (NotAuthorizedException(), 401, "about:blank"),
        (HTTPException(status_code=418), 418, "about:blank"),
        (KeyError("x"), 500, PROBLEM_BASE + "internal-error"),
    ],
)
def test_exception_to_problem(exc: Exception, status: int, type_: str) -> None:
    problem, _ = to_problem(exc, instance="/v1/x")
    assert (problem.status, problem.type) == (status, type_)
    assert problem.instance == "/v1/x"


def test_validation_problem_lists_the_fields(client: TestClient[Litestar]) -> None:
    response = client.post("/v1/lookup", json={"text": "ok", "k": 0})
    errors = response.json()["errors"]
    assert [error["key"] for error in errors] == ["k"]
