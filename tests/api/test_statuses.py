"""Every status the OpenAPI document promises, produced for real, one row per case.

A row names the operation, the request and the expected status; the last test checks that the
rows cover exactly the (operation, status) pairs the document lists, so documenting a new
status without a case here fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index.search import Searcher
from service import schemas
from service.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from service.openapi import openapi_document

LONG_TEXT = "word " * (schemas.MAX_TEXT_LENGTH // 5) + "x"
LONG_ID = "x" * (schemas.MAX_NAME_LENGTH + 1)
HUGE_BODY = json.dumps({"text": "x" * (schemas.MAX_BODY_BYTES + 1)})


@dataclass(frozen=True)
class Case:
    operation: str
    status: int
    method: str
    url: str
    body: Any = None
    # Which app answers: "ready", "loading" (index still loading) or "failed" (load failed).
    app: str = "ready"
    # Raw body bytes instead of JSON.
    raw: str | None = None
    # The problem type slug expected for an error.
    problem: str | None = None

    @property
    def id(self) -> str:
        return f"{self.operation}-{self.status}-{self.method}-{self.url[:40]}-{self.app}"


def bad(operation: str, method: str, url: str, body: Any = None, **kw: Any) -> Case:
    return Case(operation, 400, method, url, body, problem=kw.pop("problem", "invalid-input"), **kw)


def not_ready(operation: str, method: str, url: str, body: Any = None) -> list[Case]:
    return [
        Case(operation, 503, method, url, body, app="loading", problem="not-ready"),
        Case(operation, 503, method, url, body, app="failed", problem="index-unavailable"),
    ]


LOOKUP = {"text": "firm support on core interests"}
CASES = [
    # lookup by query string
    Case("lookupByQuery", 200, "GET", "/v1/lookup?text=firm%20support&k=2&outlet=AFP"),
    Case("lookupByQuery", 200, "GET", "/v1/lookup?text=support&claimed_speaker=Someone"),
    bad("lookupByQuery", "GET", "/v1/lookup"),
    bad("lookupByQuery", "GET", "/v1/lookup?text="),
    bad("lookupByQuery", "GET", "/v1/lookup?text=%20%20%20"),
    bad("lookupByQuery", "GET", f"/v1/lookup?text={LONG_TEXT}"),
    bad("lookupByQuery", "GET", "/v1/lookup?text=a&k=0"),
    bad("lookupByQuery", "GET", f"/v1/lookup?text=a&k={schemas.MAX_K + 1}"),
    bad("lookupByQuery", "GET", "/v1/lookup?text=a&k=many"),
    bad("lookupByQuery", "GET", "/v1/lookup?text=a&min_score=1.5"),
    bad("lookupByQuery", "GET", "/v1/lookup?text=a&claimed_speaker="),
    *not_ready("lookupByQuery", "GET", "/v1/lookup?text=a"),
    # lookup with a JSON body
    Case("lookup", 200, "POST", "/v1/lookup", LOOKUP),
    Case(
        "lookup",
        200,
        "POST",
        "/v1/lookup",
        {**LOOKUP, "k": 1, "min_score": 0.2, "claimed_speaker": "Someone", "outlets": ["AFP"]},
    ),
    bad("lookup", "POST", "/v1/lookup", {"text": ""}),
    bad("lookup", "POST", "/v1/lookup", {"text": "\n\t "}),
    bad("lookup", "POST", "/v1/lookup", {"text": LONG_TEXT}),
    bad("lookup", "POST", "/v1/lookup", {}),
    bad("lookup", "POST", "/v1/lookup", {**LOOKUP, "k": 0}),
    bad("lookup", "POST", "/v1/lookup", {**LOOKUP, "k": schemas.MAX_K + 1}),
    bad("lookup", "POST", "/v1/lookup", {**LOOKUP, "k": "five"}),
    bad("lookup", "POST", "/v1/lookup", {**LOOKUP, "k": 2.5}),
    bad("lookup", "POST", "/v1/lookup", {**LOOKUP, "outlets": "AFP"}),
    bad("lookup", "POST", "/v1/lookup", {**LOOKUP, "min_score": -2}),
    bad("lookup", "POST", "/v1/lookup", {**LOOKUP, "speaker": "unknown field"}),
    bad("lookup", "POST", "/v1/lookup", {**LOOKUP, "outlets": ["x"] * (schemas.MAX_OUTLETS + 1)}),
    bad("lookup", "POST", "/v1/lookup", {**LOOKUP, "outlets": [""]}),
    bad("lookup", "POST", "/v1/lookup", {**LOOKUP, "claimed_speaker": " "}),
    bad("lookup", "POST", "/v1/lookup", raw="{not json"),
    bad("lookup", "POST", "/v1/lookup", raw='["a list"]'),
    Case("lookup", 413, "POST", "/v1/lookup", raw=HUGE_BODY, problem="body-too-large"),
    *not_ready("lookup", "POST", "/v1/lookup", LOOKUP),
    # batch lookup
    Case("lookupBatch", 200, "POST", "/v1/lookup/batch", {"texts": ["firm support", "trade"]}),
    bad("lookupBatch", "POST", "/v1/lookup/batch", {"texts": []}),
    bad("lookupBatch", "POST", "/v1/lookup/batch", {"texts": ["ok", ""]}),
    bad(
        "lookupBatch", "POST", "/v1/lookup/batch", {"texts": ["a"] * (schemas.MAX_BATCH_TEXTS + 1)}
    ),
    bad("lookupBatch", "POST", "/v1/lookup/batch", {"texts": ["a"], "claimed_speaker": "X"}),
    Case("lookupBatch", 413, "POST", "/v1/lookup/batch", raw=HUGE_BODY, problem="body-too-large"),
    *not_ready("lookupBatch", "POST", "/v1/lookup/batch", {"texts": ["a"]}),
    # statements
    Case("listStatements", 200, "GET", "/v1/statements"),
    Case("listStatements", 200, "GET", "/v1/statements?limit=1&outlet=AFP&speaker=nobody"),
    bad("listStatements", "GET", "/v1/statements?limit=0"),
    bad("listStatements", "GET", f"/v1/statements?limit={schemas.MAX_PAGE_SIZE + 1}"),
    bad("listStatements", "GET", "/v1/statements?cursor=bm8tc3VjaC1pZA", problem="invalid-cursor"),
    bad("listStatements", "GET", "/v1/statements?cursor=%FF%FE", problem="invalid-cursor"),
    *not_ready("listStatements", "GET", "/v1/statements"),
    Case("getStatement", 200, "GET", "/v1/statements/{statement}"),
    bad("getStatement", "GET", f"/v1/statements/{LONG_ID}"),
    Case("getStatement", 404, "GET", "/v1/statements/no-such-statement", problem="not-found"),
    *not_ready("getStatement", "GET", "/v1/statements/any"),
    # speakers
    Case("listSpeakers", 200, "GET", "/v1/speakers"),
    *not_ready("listSpeakers", "GET", "/v1/speakers"),
    Case("getSpeaker", 200, "GET", "/v1/speakers/{speaker}"),
    bad("getSpeaker", "GET", f"/v1/speakers/{LONG_ID}"),
    Case("getSpeaker", 404, "GET", "/v1/speakers/no-such-speaker", problem="not-found"),
    *not_ready("getSpeaker", "GET", "/v1/speakers/any"),
    # outlets
    Case("listOutlets", 200, "GET", "/v1/outlets"),
    *not_ready("listOutlets", "GET", "/v1/outlets"),
    # articles
    Case("getArticle", 200, "GET", "/v1/articles/{article}"),
    bad("getArticle", "GET", f"/v1/articles/{LONG_ID}"),
    Case("getArticle", 404, "GET", "/v1/articles/no-such-article", problem="not-found"),
    *not_ready("getArticle", "GET", "/v1/articles/any"),
    # health and metrics
    Case("liveness", 200, "GET", "/v1/health/live"),
    Case("liveness", 200, "GET", "/v1/health/live", app="loading"),
    Case("readiness", 200, "GET", "/v1/health/ready"),
    *not_ready("readiness", "GET", "/v1/health/ready"),
    Case("metrics", 200, "GET", "/metrics"),
    Case("metrics", 200, "GET", "/metrics", app="loading"),
]

RESPONSE_TYPES: dict[str, type[Any]] = {
    "lookupByQuery": schemas.LookupResponse,
    "lookup": schemas.LookupResponse,
    "lookupBatch": schemas.BatchLookupResponse,
    "listStatements": schemas.StatementPage,
    "getStatement": schemas.Statement,
    "listSpeakers": schemas.SpeakerList,
    "getSpeaker": schemas.SpeakerDetail,
    "listOutlets": schemas.OutletList,
    "getArticle": schemas.Article,
    "liveness": schemas.Liveness,
    "readiness": schemas.Readiness,
}


def fill(url: str, searcher: Searcher) -> str:
    corpus = searcher.corpus
    return url.format(
        statement=corpus.groups[0].id,
        speaker=corpus.speakers[0].id,
        article=corpus.articles[0].id,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_status(case: Case, request: pytest.FixtureRequest, searcher: Searcher) -> None:
    fixture = {"ready": "client", "loading": "loading_client", "failed": "failed_client"}[case.app]
    client: TestClient[Litestar] = request.getfixturevalue(fixture)
    url = fill(case.url, searcher)
    if case.raw is not None:
        response = client.request(
            case.method, url, content=case.raw, headers={"content-type": "application/json"}
        )
    else:
        response = client.request(case.method, url, json=case.body)

    assert response.status_code == case.status, response.text
    if case.status >= 400:
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        problem = msgspec.json.decode(response.content, type=schemas.Problem)
        assert problem.status == case.status
        assert problem.type == PROBLEM_BASE + (case.problem or "")
        assert problem.title
    elif case.operation in RESPONSE_TYPES:
        msgspec.json.decode(response.content, type=RESPONSE_TYPES[case.operation], strict=True)


def test_cases_cover_every_documented_status() -> None:
    documented = {
        (operation["operationId"], int(status))
        for path in openapi_document()["paths"].values()
        for operation in path.values()
        for status in operation["responses"]
    }
    covered = {(case.operation, case.status) for case in CASES}
    assert covered == documented
