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

from index.search.searcher import Searcher
from service import schemas
from service.document import openapi_document
from service.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from tests.api.conftest import API_KEY

LONG_TEXT = "word " * (schemas.MAX_TEXT_LENGTH // 5) + "x"
LONG_ID = "x" * (schemas.MAX_NAME_LENGTH + 1)
HUGE_BODY = json.dumps({"text": "x" * (schemas.MAX_BODY_BYTES + 1)})
HUGE_INGEST = json.dumps(
    {"articles": [{"id": "a", "outlet": "o", "text": "x " * (schemas.MAX_INGEST_BODY_BYTES // 2)}]}
)


@dataclass(frozen=True)
class Case:
    operation: str
    status: int
    method: str
    url: str
    body: Any = None
    # Which app answers: "ready", "loading" (index still loading), "failed" (load failed),
    # "writer" (accepts writes with the key, on an index of its own) or "keyed" (reads keyed).
    app: str = "ready"
    # The X-API-Key header: "good", "bad" or none.
    key: str | None = None
    # Raw body bytes instead of JSON.
    raw: str | None = None
    # The problem type slug expected for an error.
    problem: str | None = None

    @property
    def id(self) -> str:
        return f"{self.operation}-{self.status}-{self.method}-{self.url[:40]}-{self.app}"


def bad(operation: str, method: str, url: str, body: Any = None, **kw: Any) -> Case:
    return Case(operation, 400, method, url, body, problem=kw.pop("problem", "invalid-input"), **kw)


def not_ready(
    operation: str, method: str, url: str, body: Any = None, key: str | None = None
) -> list[Case]:
    return [
        Case(operation, 503, method, url, body, app="loading", key=key, problem="not-ready"),
        Case(operation, 503, method, url, body, app="failed", key=key, problem="index-unavailable"),
    ]


def keyed(operation: str, method: str, url: str, body: Any = None) -> list[Case]:
    """A keyed read: 401 without the key, 403 with a wrong one, 200 with the right one."""
    return [
        Case(operation, 401, method, url, body, app="keyed", problem="api-key-required"),
        Case(operation, 403, method, url, body, app="keyed", key="bad", problem="api-key-rejected"),
        Case(operation, 200, method, url, body, app="keyed", key="good"),
    ]


def write(status: int, operation: str, method: str, url: str, body: Any = None, **kw: Any) -> Case:
    """A write with the right key, on an app of its own that accepts writes."""
    kw.setdefault("app", "writer")
    kw.setdefault("key", "good")
    return Case(operation, status, method, url, body, **kw)


def bad_article(**fields: Any) -> Case:
    """An ingest whose one article is ARTICLE with ``fields`` changed (None: left out)."""
    article = {k: v for k, v in {**ARTICLE, **fields}.items() if v is not None}
    return write(400, "addArticles", "POST", "/v1/articles", {"articles": [article]},
                 problem="invalid-input")  # fmt: skip


ARTICLE = {
    "id": "test-wire-0001",
    "outlet": "Test Wire",
    "text": 'The mayor said: "We will open the new bridge in May."',
    "title": "Bridge opens in May",
    "published": "2024-05-01",
}
CROWDED = " ".join(['"word"'] * 1500)


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
    bad("listStatements", "GET", "/v1/statements?limit=1&outlet=AFP&speaker=nobody"),
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
    Case("listArticles", 200, "GET", "/v1/articles?limit=1"),
    bad("listArticles", "GET", "/v1/articles?outlet=No+Such+Outlet"),
    *not_ready("listArticles", "GET", "/v1/articles"),
    Case("getArticle", 200, "GET", "/v1/articles/{article}"),
    bad("getArticle", "GET", f"/v1/articles/{LONG_ID}"),
    Case("getArticle", 404, "GET", "/v1/articles/no-such-article", problem="not-found"),
    *not_ready("getArticle", "GET", "/v1/articles/any"),
    # adding articles
    write(200, "addArticles", "POST", "/v1/articles", {"articles": [ARTICLE]}),
    write(200, "addArticles", "POST", "/v1/articles", {"articles": [ARTICLE, ARTICLE]}),
    write(400, "addArticles", "POST", "/v1/articles", {}, problem="invalid-input"),
    write(400, "addArticles", "POST", "/v1/articles", {"articles": []}, problem="invalid-input"),
    write(
        400,
        "addArticles",
        "POST",
        "/v1/articles",
        {"articles": [ARTICLE] * 21},
        problem="invalid-input",
    ),
    write(400, "addArticles", "POST", "/v1/articles", ARTICLE, problem="invalid-input"),
    write(400, "addArticles", "POST", "/v1/articles", raw="{not json", problem="invalid-input"),
    bad_article(id=None),
    bad_article(id=""),
    bad_article(id="../etc/passwd"),
    bad_article(id="a b"),
    bad_article(id=LONG_ID),
    bad_article(outlet=" "),
    bad_article(outlet=7),
    bad_article(text=""),
    bad_article(text=" \n\t "),
    bad_article(text="He said \u0000 nothing."),
    bad_article(text="x" * (schemas.MAX_ARTICLE_TEXT + 1)),
    bad_article(title="two\nlines"),
    bad_article(extra="field"),
    write(
        401,
        "addArticles",
        "POST",
        "/v1/articles",
        {"articles": [ARTICLE]},
        key=None,
        problem="api-key-required",
    ),
    write(
        403,
        "addArticles",
        "POST",
        "/v1/articles",
        {"articles": [ARTICLE]},
        key="bad",
        problem="api-key-rejected",
    ),
    write(
        403,
        "addArticles",
        "POST",
        "/v1/articles",
        {"articles": [ARTICLE]},
        app="ready",
        problem="writes-disabled",
    ),
    write(
        409,
        "addArticles",
        "POST",
        "/v1/articles",
        {"articles": [{**ARTICLE, "id": "{article}"}]},
        problem="article-conflict",
    ),
    write(413, "addArticles", "POST", "/v1/articles", raw=HUGE_INGEST, problem="body-too-large"),
    write(
        422,
        "addArticles",
        "POST",
        "/v1/articles",
        {"articles": [{**ARTICLE, "text": CROWDED}]},
        problem="article-rejected",
    ),
    *not_ready("addArticles", "POST", "/v1/articles", {"articles": [ARTICLE]}, key="good"),
    # deleting articles
    write(204, "deleteArticle", "DELETE", "/v1/articles/{article}"),
    write(400, "deleteArticle", "DELETE", f"/v1/articles/{LONG_ID}", problem="invalid-input"),
    write(404, "deleteArticle", "DELETE", "/v1/articles/no-such-article", problem="not-found"),
    write(
        401,
        "deleteArticle",
        "DELETE",
        "/v1/articles/{article}",
        key=None,
        problem="api-key-required",
    ),
    write(
        403,
        "deleteArticle",
        "DELETE",
        "/v1/articles/{article}",
        key="bad",
        problem="api-key-rejected",
    ),
    *not_ready("deleteArticle", "DELETE", "/v1/articles/any", key="good"),
    # reads, when the server keys them
    *keyed("lookupByQuery", "GET", "/v1/lookup?text=firm%20support"),
    *keyed("lookup", "POST", "/v1/lookup", LOOKUP),
    *keyed("lookupBatch", "POST", "/v1/lookup/batch", {"texts": ["trade"]}),
    *keyed("listStatements", "GET", "/v1/statements"),
    *keyed("getStatement", "GET", "/v1/statements/{statement}"),
    *keyed("listSpeakers", "GET", "/v1/speakers"),
    *keyed("getSpeaker", "GET", "/v1/speakers/{speaker}"),
    *keyed("listOutlets", "GET", "/v1/outlets"),
    *keyed("listArticles", "GET", "/v1/articles"),
    *keyed("getArticle", "GET", "/v1/articles/{article}"),
    # health and metrics (never keyed)
    Case("liveness", 200, "GET", "/v1/health/live", app="keyed"),
    Case("readiness", 200, "GET", "/v1/health/ready", app="keyed"),
    Case("metrics", 200, "GET", "/metrics", app="keyed"),
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
    "listArticles": schemas.ArticlePage,
    "getArticle": schemas.Article,
    "addArticles": schemas.IngestResponse,
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


def filled(body: Any, searcher: Searcher) -> Any:
    """``body`` with ``{article}`` and the like filled in its strings."""
    if isinstance(body, str):
        return fill(body, searcher) if body.startswith("{") and body.endswith("}") else body
    if isinstance(body, list):
        return [filled(item, searcher) for item in body]
    if isinstance(body, dict):
        return {key: filled(value, searcher) for key, value in body.items()}
    return body


APPS = {
    "ready": "client",
    "loading": "loading_client",
    "failed": "failed_client",
    "writer": "writer_client",
    "keyed": "keyed_client",
}
KEYS = {"good": API_KEY, "bad": "not-" + API_KEY}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_status(case: Case, request: pytest.FixtureRequest, searcher: Searcher) -> None:
    client: TestClient[Litestar] = request.getfixturevalue(APPS[case.app])
    url = fill(case.url, searcher)
    headers = {"X-API-Key": KEYS[case.key]} if case.key else {}
    if case.raw is not None:
        headers["content-type"] = "application/json"
        response = client.request(case.method, url, content=case.raw, headers=headers)
    else:
        response = client.request(
            case.method, url, json=filled(case.body, searcher), headers=headers
        )

    assert response.status_code == case.status, response.text
    if case.status >= 400:
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        problem = msgspec.json.decode(response.content, type=schemas.Problem)
        assert problem.status == case.status
        assert problem.type == PROBLEM_BASE + (case.problem or "")
        assert problem.title
        if case.status == 401:
            assert response.headers["www-authenticate"].startswith("ApiKey")
    elif case.operation in RESPONSE_TYPES:
        msgspec.json.decode(response.content, type=RESPONSE_TYPES[case.operation], strict=True)
    elif case.status == 204:
        assert not response.content


def test_cases_cover_every_documented_status() -> None:
    documented = {
        (operation["operationId"], int(status))
        for path in openapi_document()["paths"].values()
        for operation in path.values()
        for status in operation["responses"]
    }
    covered = {(case.operation, case.status) for case in CASES}
    assert covered == documented
