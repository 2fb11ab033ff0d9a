"""Filters that say when they match nothing: an unknown outlet or speaker is a 400 naming it."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index.search.searcher import Searcher

QUERY = "firm support on issues concerning each other's core interests"
NOWHERE = "The Nowhere Gazette"


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        pytest.param("get", "/v1/lookup", {"text": QUERY, "outlet": NOWHERE}, id="get"),
        pytest.param("get", "/v1/lookup", {"text": QUERY, "outlets": NOWHERE}, id="get-old"),
        pytest.param("post", "/v1/lookup", {"text": QUERY, "outlet": [NOWHERE]}, id="post"),
        pytest.param("post", "/v1/lookup", {"text": QUERY, "outlets": [NOWHERE]}, id="post-old"),
        pytest.param(
            "post", "/v1/lookup/batch", {"texts": [QUERY], "outlet": [NOWHERE]}, id="batch"
        ),
        pytest.param(
            "post", "/v1/lookup/batch", {"texts": [QUERY], "outlets": [NOWHERE]}, id="batch-old"
        ),
        pytest.param("get", "/v1/statements", {"outlet": NOWHERE}, id="statements"),
    ],
)
def test_an_unknown_outlet_is_a_400_naming_it(
    client: TestClient[Litestar], method: str, path: str, payload: dict[str, Any]
) -> None:
    if method == "get":
        response = client.get(path, params=payload)
    else:
        response = client.post(path, json=payload)
    assert response.status_code == 400, response.text
    assert NOWHERE in response.json()["detail"]


def test_a_known_outlet_in_any_case_is_accepted(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    outlet = searcher.corpus.articles[0].outlet.upper()
    assert client.get("/v1/lookup", params={"text": QUERY, "outlet": outlet}).status_code == 200


@pytest.mark.parametrize("key", ["outlet", "outlets"])
def test_get_and_post_filter_outlets_by_the_same_name(
    client: TestClient[Litestar], searcher: Searcher, key: str
) -> None:
    outlet = searcher.corpus.articles[0].outlet
    by_get = client.get("/v1/lookup", params={"text": QUERY, key: outlet, "include_weak": True})
    by_post = client.post("/v1/lookup", json={"text": QUERY, key: [outlet], "include_weak": True})
    assert by_get.status_code == by_post.status_code == 200, by_post.text
    assert by_get.json() == by_post.json()
    outlets = {v["outlet"] for m in by_post.json()["matches"] for v in m["variants"]}
    assert outlets == {outlet}


def test_an_unknown_speaker_is_a_400_naming_it(client: TestClient[Litestar]) -> None:
    response = client.get("/v1/statements", params={"speaker": "Nobody Atall"})
    assert response.status_code == 400
    assert "Nobody Atall" in response.json()["detail"]


def test_a_speaker_filter_takes_a_name_or_an_id(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    speaker = next(
        s
        for s in searcher.corpus.speakers
        if any(g.speaker == s.id for g in searcher.corpus.groups)
    )
    by_id = client.get("/v1/statements", params={"speaker": speaker.id})
    by_name = client.get("/v1/statements", params={"speaker": speaker.name.lower()})
    assert by_id.status_code == by_name.status_code == 200
    assert by_id.json() == by_name.json()
    assert by_id.json()["items"]
