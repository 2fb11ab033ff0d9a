"""Hostile input: nothing a client sends makes a 5xx, and nothing reaches the file system.

Every request here is refused with a 4xx problem, or taken in with its quote offsets intact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index.search.searcher import Searcher
from service.app import create_app
from service.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from service.schemas import MAX_ARTICLE_TEXT, MAX_INGEST_BODY_BYTES
from tests.api.conftest import API_KEY, own_settings

KEY = {"X-API-Key": API_KEY}
NEWS = 'The mayor said: "We will open the new bridge in May."'


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def writer(workdir: Path, searcher: Searcher) -> Iterator[TestClient[Litestar]]:
    app = create_app(own_settings(workdir), searcher=searcher)
    with TestClient(app) as client:
        yield client
    # Only the index folder, its locks (index.live.locks) and the journal exist where the
    # service writes: no id, outlet or text of any request became a path.
    assert {p.name for p in workdir.iterdir()} <= {
        "index",
        ".index.writer",
        ".index.lock",
        "journal.sqlite3",
        "journal.sqlite3-wal",
        "journal.sqlite3-shm",
    }


def article(**fields: Any) -> dict[str, Any]:
    return {"id": "hostile-1", "outlet": "Wire", "text": NEWS, **fields}


def send_raw(client: TestClient[Litestar], body: bytes) -> Any:
    return client.post(
        "/v1/articles", content=body, headers={**KEY, "content-type": "application/json"}
    )


def assert_problem(response: Any, status: int, problem: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["type"] == PROBLEM_BASE + problem


def assert_offsets(client: TestClient[Litestar], article_id: str) -> list[dict[str, Any]]:
    stored = client.get(f"/v1/articles/{article_id}").json()
    for quote in stored["quotes"]:
        assert stored["text"][quote["start"] : quote["end"]] == quote["text"]
    return list(stored["quotes"])


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b'{"articles": [}',
        b"null",
        b"[]",
        b'"articles"',
        b'{"articles": null}',
        b'{"articles": [null]}',
        b'{"articles": {"id": "a"}}',
        b"{'articles': []}",
        b'{"articles": [{"id": "a", "outlet": "o", "text": NaN}]}',
        b'{"articles": [{"id": 1e999, "outlet": "o", "text": "t"}]}',
        b'{"articles": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"articles": [{"id": "a", "outlet": "o", "text": "t"}]} trailing',
    ],
    ids=lambda body: body[:30].decode(errors="replace"),
)
def test_malformed_json_is_a_400(writer: TestClient[Litestar], body: bytes) -> None:
    assert_problem(send_raw(writer, body), 400, "invalid-input")


@pytest.mark.parametrize(
    "fields",
    [
        {"id": 42},
        {"id": ["a"]},
        {"id": None},
        {"outlet": {"name": "Wire"}},
        {"text": ["a", "list"]},
        {"text": 3.5},
        {"text": True},
        {"title": 7},
        {"published": ["2024"]},
        {"url": {"href": "x"}},
    ],
    ids=str,
)
def test_wrong_types_are_a_400(writer: TestClient[Litestar], fields: dict[str, Any]) -> None:
    response = writer.post("/v1/articles", json={"articles": [article(**fields)]}, headers=KEY)
    assert_problem(response, 400, "invalid-input")
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "text",
    [
        b"\xff\xfe",  # not UTF-8 at all
        b"caf\xc3",  # a truncated sequence
        b"\xed\xa0\x80",  # an encoded surrogate
        b"\xc0\xaf",  # an overlong slash
        b"\\ud800 a lone surrogate escape",
    ],
)
def test_invalid_utf8_is_a_400(writer: TestClient[Litestar], text: bytes) -> None:
    body = b'{"articles": [{"id": "a", "outlet": "o", "text": "' + text + b'"}]}'
    assert_problem(send_raw(writer, body), 400, "invalid-input")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", "He said \x00 nothing."),
        ("text", "Escape \x1b[31m red"),
        ("text", "Delete \x7f"),
        ("text", "\x0b\x0c"),
        ("outlet", "Wire\x00"),
        ("outlet", "Wire\nTimes"),
        ("title", "Title\r\nSet-Cookie: a=b"),
        ("url", "https://x.example/\x00"),
        ("id", "a\x00b"),
    ],
)
def test_control_characters_are_a_400(writer: TestClient[Litestar], field: str, value: str) -> None:
    response = writer.post(
        "/v1/articles", json={"articles": [article(**{field: value})]}, headers=KEY
    )
    assert_problem(response, 400, "invalid-input")


def test_tabs_and_line_breaks_are_text(writer: TestClient[Litestar]) -> None:
    text = f"First paragraph.\r\n\t{NEWS}\n\nLast paragraph."
    response = writer.post("/v1/articles", json={"articles": [article(text=text)]}, headers=KEY)
    assert response.status_code == 200, response.text
    assert [q["text"] for q in assert_offsets(writer, "hostile-1")] == [
        "We will open the new bridge in May."
    ]


def test_a_1_mb_quote_is_refused_before_any_work(writer: TestClient[Litestar]) -> None:
    quote = 'He said: "' + "word " * 200_000 + '"'
    response = writer.post("/v1/articles", json={"articles": [article(text=quote)]}, headers=KEY)
    assert_problem(response, 400, "invalid-input")
    assert str(MAX_ARTICLE_TEXT) in response.text
    # As a lookup, the same megabyte is over the body limit.
    assert_problem(writer.post("/v1/lookup", json={"text": quote}), 413, "body-too-large")


def test_a_long_quote_within_the_limit_is_taken(writer: TestClient[Litestar]) -> None:
    quote = "word " * 4_000
    text = f'The minister said: "{quote.strip()}." That was all.'
    response = writer.post("/v1/articles", json={"articles": [article(text=text)]}, headers=KEY)
    assert response.status_code == 200, response.text
    [found] = assert_offsets(writer, "hostile-1")
    assert len(found["text"]) > 19_000


@pytest.mark.parametrize(
    "body",
    [
        {"articles": []},
        {"articles": [{}]},
        {"articles": [article(text="")]},
        {"articles": [article(text="   \n\t  ")]},
        {"articles": [article(outlet="")]},
        {"articles": [article(id="")]},
    ],
    ids=str,
)
def test_an_empty_article_is_a_400(writer: TestClient[Litestar], body: dict[str, Any]) -> None:
    assert_problem(writer.post("/v1/articles", json=body, headers=KEY), 400, "invalid-input")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ('"' * 5000, 422),  # 5,000 marks in a row: one word no tokenizer should chew on
        ("“" * 2500 + "”" * 2500, 422),
        (" ".join(['"a"'] * 2500), 422),  # 2,500 one-word quotations in one paragraph
        (" ".join(['"'] * 5000), 200),  # 5,000 marks that quote nothing
        ("\n".join(['"Yes," he said.'] * 2500), 422),  # 5,000 marks over 2,500 paragraphs
    ],
    ids=["run", "curly-run", "pairs", "spaced", "paragraphs"],
)
def test_five_thousand_quotation_marks(
    writer: TestClient[Litestar], text: str, status: int
) -> None:
    response = writer.post("/v1/articles", json={"articles": [article(text=text)]}, headers=KEY)
    assert response.status_code == status, response.text
    if status == 422:
        assert_problem(response, 422, "article-rejected")
        assert writer.get("/v1/articles/hostile-1").status_code == 404
    else:
        assert_offsets(writer, "hostile-1")


@pytest.mark.parametrize(
    "text",
    [
        'He said "this never ends.',
        'She said this never ends."',
        "“Open and never closed. ‘Single” and »reversed« and „low“.",
        '"""Triple""" and "" empty and " " blank.',
        "It’s the workers’ ‘choice’, he said, ‘or not.",
        '"Nested "inner" quote," he said.',
        '"Runs on into the next paragraph,\n"and ends here," she said.',
    ],
)
def test_unbalanced_marks_keep_offsets_exact(writer: TestClient[Litestar], text: str) -> None:
    response = writer.post("/v1/articles", json={"articles": [article(text=text)]}, headers=KEY)
    assert response.status_code == 200, response.text
    for quote in response.json()["results"][0]["quotes"]:
        assert text[quote["start"] : quote["end"]] == quote["text"]
    assert_offsets(writer, "hostile-1")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/articles/..%2F..%2Fjournal.sqlite3",
        "/v1/articles/%2E%2E",
        "/v1/articles/..",
        "/v1/articles/%00",
        "/v1/articles/index",
        "/v1/articles/manifest.json",
        "/v1/articles/~",
    ],
)
def test_ids_in_paths_are_looked_up_never_opened(writer: TestClient[Litestar], path: str) -> None:
    for method in ("GET", "DELETE"):
        response = writer.request(method, path, headers=KEY)
        assert 400 <= response.status_code < 500, (method, path, response.text)


def test_ids_that_look_like_paths_are_refused_on_ingest(writer: TestClient[Litestar]) -> None:
    for article_id in ("../../etc/passwd", "/tmp/x", "a/b", "..", ".hidden", "C:\\x", "a b"):
        response = writer.post(
            "/v1/articles", json={"articles": [article(id=article_id)]}, headers=KEY
        )
        assert_problem(response, 400, "invalid-input")


def test_a_batch_over_the_limit_is_a_400(writer: TestClient[Litestar]) -> None:
    batch = [article(id=f"a{n}", text=f"{NEWS} Number {n}.") for n in range(21)]
    assert_problem(
        writer.post("/v1/articles", json={"articles": batch}, headers=KEY), 400, "invalid-input"
    )


def test_a_body_over_the_limit_is_a_413(writer: TestClient[Litestar]) -> None:
    body = json.dumps({"articles": [article(text="x" * MAX_INGEST_BODY_BYTES)]}).encode()
    assert_problem(send_raw(writer, body), 413, "body-too-large")


@pytest.mark.parametrize("path", ["/v1/lookup", "/v1/lookup/batch"])
def test_lookups_take_hostile_bodies_as_400s(writer: TestClient[Litestar], path: str) -> None:
    for body in (b'{"text": "\xff"}', b"[" * 100_000, b'{"text": "a\\u0000"', b"\x00"):
        response = writer.post(path, content=body, headers={"content-type": "application/json"})
        assert_problem(response, 400, "invalid-input")
