"""GET /v1/articles: the indexed articles, paged, filtered by outlet and publication date."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from index.search.searcher import Searcher
from service import schemas


def pages(client: TestClient[Litestar], **params: Any) -> list[schemas.ArticleSummary]:
    items: list[schemas.ArticleSummary] = []
    cursor = None
    while True:
        query = {**params, **({} if cursor is None else {"cursor": cursor})}
        response = client.get("/v1/articles", params=query)
        assert response.status_code == 200, response.text
        page = msgspec.json.decode(response.content, type=schemas.ArticlePage, strict=True)
        items.extend(page.items)
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


def test_every_article_once_in_pages(client: TestClient[Litestar], searcher: Searcher) -> None:
    items = pages(client, limit=2)
    assert [item.id for item in items] == [a.id for a in searcher.corpus.articles]
    quotes = {
        a.id: sum(q.article_id == a.id for q in searcher.corpus.quotes)
        for a in searcher.corpus.articles
    }
    assert all(item.quote_count == quotes[item.id] for item in items)


def test_outlet_and_date_filters(client: TestClient[Litestar], searcher: Searcher) -> None:
    articles = searcher.corpus.articles
    outlet = articles[0].outlet
    assert [i.id for i in pages(client, outlet=outlet.lower())] == [
        a.id for a in articles if a.outlet == outlet
    ]
    dated = sorted(a.published for a in articles if a.published)
    if dated:
        first = dated[0][:10]
        only_first = pages(client, published_from=first, published_to=first)
        assert only_first
        assert all((i.published or "")[:10] == first for i in only_first)
        assert pages(client, published_from="2999-01-01") == []


def test_an_unknown_outlet_or_a_bad_cursor_is_400(client: TestClient[Litestar]) -> None:
    assert client.get("/v1/articles", params={"outlet": "The Nowhere Gazette"}).status_code == 400
    assert client.get("/v1/articles", params={"cursor": "bm9wZQ"}).status_code == 400
