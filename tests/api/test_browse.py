"""Statements, speakers, outlets and articles: what the browse routes return."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from index.search.searcher import Searcher
from service import schemas


def get(client: TestClient[Litestar], url: str, kind: type[Any], **params: Any) -> Any:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return msgspec.json.decode(response.content, type=kind, strict=True)


def all_statements(client: TestClient[Litestar], limit: int, **filters: str) -> list[str]:
    """Walk every page; fail on a loop."""
    ids: list[str] = []
    cursor: str | None = None
    for _ in range(1000):
        params: dict[str, Any] = {"limit": limit, **filters}
        if cursor is not None:
            params["cursor"] = cursor
        page = get(client, "/v1/statements", schemas.StatementPage, **params)
        assert len(page.items) <= limit
        ids.extend(item.id for item in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return ids
    raise AssertionError("pagination does not end")


@pytest.mark.parametrize("limit", [1, 2, 7, 100])
def test_pages_walk_every_statement_once_in_order(
    client: TestClient[Litestar], searcher: Searcher, limit: int
) -> None:
    assert all_statements(client, limit) == [group.id for group in searcher.corpus.groups]


def test_statement_filters(client: TestClient[Litestar], searcher: Searcher) -> None:
    groups = searcher.corpus.groups
    speaker = next(g.speaker for g in groups if g.speaker is not None)
    outlet = groups[0].variants[0].outlet
    by_speaker = [g.id for g in groups if g.speaker == speaker]
    by_outlet = [g.id for g in groups if any(v.outlet == outlet for v in g.variants)]
    both = [i for i in by_speaker if i in by_outlet]
    assert all_statements(client, 2, speaker=speaker) == by_speaker
    assert all_statements(client, 2, outlet=outlet) == by_outlet
    assert all_statements(client, 1, speaker=speaker, outlet=outlet) == both


def test_next_cursor_continues_after_the_page(client: TestClient[Litestar]) -> None:
    first = get(client, "/v1/statements", schemas.StatementPage, limit=1)
    assert first.next_cursor is not None
    rest = get(client, "/v1/statements", schemas.StatementPage, cursor=first.next_cursor)
    assert first.items[0].id not in [item.id for item in rest.items]


def test_statement_has_every_variant_with_offsets(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    articles = {a.id: a for a in searcher.corpus.articles}
    group = max(searcher.corpus.groups, key=lambda g: len(g.variants))
    statement = get(client, f"/v1/statements/{group.id}?max_variants=200", schemas.Statement)
    assert statement.canonical_text == group.canonical_text
    # Every variant is a row or a fragment folded under one, in the group's order.
    rows = [v.quote_id for v in statement.variants]
    folded = [f.quote_id for v in statement.variants for f in v.fragments]
    assert sorted(rows + folded) == sorted(v.quote_id for v in group.variants)
    assert rows == [v.quote_id for v in group.variants if v.quote_id in set(rows)]
    assert statement.variant_count == len(group.variants)
    assert statement.outlets == tuple(dict.fromkeys(v.outlet for v in group.variants))
    records = {v.quote_id: v for v in group.variants}
    for variant in statement.variants:
        assert articles[variant.article_id].text[variant.start : variant.end] == variant.text
        assert len(variant.differences) == len(records[variant.quote_id].edits)
        for fragment in variant.fragments:
            assert (
                articles[fragment.article_id].text[fragment.start : fragment.end] == fragment.text
            )


def test_speakers_have_counts_that_add_up(client: TestClient[Litestar], searcher: Searcher) -> None:
    speakers = get(client, "/v1/speakers", schemas.SpeakerList).items
    assert {s.id for s in speakers} == {s.id for s in searcher.corpus.speakers}
    assert sum(s.statement_count for s in speakers) == sum(
        1 for g in searcher.corpus.groups if g.speaker is not None
    )
    assert sum(s.quote_count for s in speakers) == sum(
        1 for q in searcher.corpus.quotes if q.speaker is not None
    )
    counts = [s.statement_count for s in speakers]
    assert counts == sorted(counts, reverse=True)


def test_speaker_detail_lists_their_statements(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    record = searcher.corpus.speakers[0]
    speaker = get(client, f"/v1/speakers/{record.id}", schemas.SpeakerDetail)
    assert (speaker.name, speaker.aliases) == (record.name, record.aliases)
    assert [s.id for s in speaker.statements] == [
        g.id for g in searcher.corpus.groups if g.speaker == record.id
    ]
    assert all(s.speaker is not None and s.speaker.id == record.id for s in speaker.statements)


def test_outlets_are_every_outlet_with_counts(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    outlets = get(client, "/v1/outlets", schemas.OutletList).items
    names = sorted({a.outlet for a in searcher.corpus.articles})
    assert [o.name for o in outlets] == names
    assert sum(o.article_count for o in outlets) == len(searcher.corpus.articles)
    assert sum(o.quote_count for o in outlets) == len(searcher.corpus.quotes)


def test_article_quotes_point_into_its_text(
    client: TestClient[Litestar], searcher: Searcher
) -> None:
    record = max(
        searcher.corpus.articles,
        key=lambda a: sum(q.article_id == a.id for q in searcher.corpus.quotes),
    )
    article = get(client, f"/v1/articles/{record.id}", schemas.Article)
    assert (article.outlet, article.text) == (record.outlet, record.text)
    assert article.quotes
    assert [q.start for q in article.quotes] == sorted(q.start for q in article.quotes)
    statement_ids = {g.id for g in searcher.corpus.groups}
    for quote in article.quotes:
        assert article.text[quote.start : quote.end] == quote.text
        assert quote.statement_id is None or quote.statement_id in statement_ids


def test_browse_indexes_wait_for_first_use_or_warm(searcher: Searcher) -> None:
    """Loading an index does not build the browse indexes; warming, or browsing, does."""
    from index.search.browse import Catalog

    catalog = Catalog(searcher)
    assert "_views" not in catalog.__dict__
    catalog.warm()
    assert "_views" in catalog.__dict__
    lazy = Catalog(searcher)
    assert {row.speaker.id for row in lazy.speakers} == {s.id for s in searcher.corpus.speakers}
    assert "_views" in lazy.__dict__
