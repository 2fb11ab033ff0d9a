"""Exact validation: each field's pattern holds for the whole value.

A final line feed, a C1 control, a line separator in a one-line field, or a value that shows
no character is refused with a 400 in every field that takes text, ingest and lookup alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index.search.searcher import Searcher
from service.app import create_app
from service.errors import PROBLEM_BASE
from service.schemas import (
    ARTICLE_ID_PATTERN,
    ARTICLE_TEXT_PATTERN,
    NOT_BLANK,
    ONE_LINE_NOT_BLANK_PATTERN,
    ONE_LINE_PATTERN,
)
from tests.api.conftest import API_KEY, own_settings

KEY = {"X-API-Key": API_KEY}
NEWS = 'The mayor said: "We will open the new bridge in May."'

# Values that no field takes: controls C0 and C1 (NEL, CSI), DEL.
CONTROLS = ["a\x00b", "a\x1b[31mb", "a\x7fb", "a\x85b", "a\x9b31mb", "a\x9fb"]
# Values that show nothing.
BLANKS = [" ", "\u3000\u3000", "\u200b\u200b", "\ufeff", "\u2060 \u200d", "\u00a0\t"]
# Breaks a one-line field refuses and a text takes.
BREAKS = ["a\nb", "a\rb", "a\u2028b", "a\u2029b", "a\n"]


@pytest.fixture
def writer(tmp_path: Path, searcher: Searcher) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(own_settings(tmp_path), searcher=searcher)) as client:
        yield client


def ingest(client: TestClient[Litestar], **fields: Any) -> Any:
    body = {"id": "v-1", "outlet": "Wire", "text": NEWS, **fields}
    return client.post("/v1/articles", json={"articles": [body]}, headers=KEY)


def assert_400(response: Any) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["type"] == PROBLEM_BASE + "invalid-input"


def test_every_pattern_holds_for_the_whole_value() -> None:
    for pattern in (ARTICLE_ID_PATTERN, NOT_BLANK, ONE_LINE_PATTERN, ONE_LINE_NOT_BLANK_PATTERN):
        assert pattern.startswith(r"\A") and pattern.endswith(r"\Z")
        assert re.search(pattern, "abc\n") is None or pattern == NOT_BLANK
    assert ARTICLE_TEXT_PATTERN == NOT_BLANK


def test_patterns_run_in_linear_time_on_long_values() -> None:
    # A long value failing at its last character must not backtrack quadratically.
    for pattern in (NOT_BLANK, ONE_LINE_NOT_BLANK_PATTERN):
        assert re.search(pattern, "word " * 20_000 + "\x00") is None
        assert re.search(pattern, " " * 100_000) is None


@pytest.mark.parametrize("value", ["idnl\n", "id\r", "id ", "id\u2028", "../x", "", "-id"])
def test_ids_are_refused_unless_exact(writer: TestClient[Litestar], value: str) -> None:
    assert_400(ingest(writer, id=value))


@pytest.mark.parametrize("value", CONTROLS + BLANKS + BREAKS + ["Evil Wire\n"])
def test_outlets_are_one_visible_line(writer: TestClient[Litestar], value: str) -> None:
    assert_400(ingest(writer, outlet=value))
    assert value not in [item["name"] for item in writer.get("/v1/outlets").json()["items"]]


@pytest.mark.parametrize("field", ["title", "url", "published"])
@pytest.mark.parametrize("value", CONTROLS + BREAKS + ["T\n"])
def test_metadata_is_one_line(writer: TestClient[Litestar], field: str, value: str) -> None:
    assert_400(ingest(writer, **{field: value}))


@pytest.mark.parametrize("value", [NEWS + c for c in CONTROLS] + BLANKS + ["\n\u3000\r\n"])
def test_article_text_refuses_controls_and_blanks(writer: TestClient[Litestar], value: str) -> None:
    assert_400(ingest(writer, text=value))


@pytest.mark.parametrize("value", ["\u2028" + NEWS, NEWS + "\n", "\t" + NEWS + "\r\n"])
def test_article_text_takes_line_breaks(writer: TestClient[Litestar], value: str) -> None:
    response = ingest(writer, text=value)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("value", CONTROLS + BLANKS)
def test_lookup_text_refuses_controls_and_blanks(writer: TestClient[Litestar], value: str) -> None:
    assert_400(writer.get("/v1/lookup", params={"text": value}))
    assert_400(writer.post("/v1/lookup", json={"text": value}))
    assert_400(writer.post("/v1/lookup/batch", json={"texts": ["bridge", value]}))


def test_lookup_text_takes_line_breaks(writer: TestClient[Litestar]) -> None:
    response = writer.post("/v1/lookup", json={"text": "the new\nbridge\u2028in May"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("value", CONTROLS + BLANKS + BREAKS)
def test_claimed_speakers_are_one_visible_line(writer: TestClient[Litestar], value: str) -> None:
    params = {"text": "the new bridge", "claimed_speaker": value}
    assert_400(writer.get("/v1/lookup", params=params))
    assert_400(writer.post("/v1/lookup", json=params))


@pytest.mark.parametrize("value", CONTROLS + BLANKS + BREAKS)
def test_outlet_filters_are_one_visible_line(writer: TestClient[Litestar], value: str) -> None:
    assert_400(writer.post("/v1/lookup", json={"text": "the new bridge", "outlets": [value]}))
