"""Bounded answers: a statement printed by a thousand outlets, quoted in fragments too.

At 300 articles one ``k=1`` lookup once returned 637 KB (660 variants, most of them one-word
scare-quote fragments). Variant rows are now paged (``max_variants``, default 20) and
fragments fold under the full variant they are part of.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from index import Catalog
from index.build import index_corpus
from index.models import Article, Corpus, Group, Quote, Speaker, Variant
from index.search.searcher import Searcher
from service import convert, schemas
from service.variants import decode_cursor, fold
from tests.fakes import HashEmbedder

ARTICLES = 1000
STATEMENT = "The new bridge will open to traffic before the winter storms arrive on the coast"
FRAGMENTS = ("new bridge", "winter storms")
LIMIT = 50_000


def _corpus() -> Corpus:
    articles, quotes, variants = [], [], []
    for number in range(ARTICLES):
        first, second = FRAGMENTS
        body = f"The mayor said: “{STATEMENT}.” Critics mocked the “{first}” and the “{second}”."
        article = Article(id=f"a{number}", outlet=f"Outlet {number}", text=body)
        articles.append(article)
        for part, text in enumerate((STATEMENT, *FRAGMENTS)):
            start = body.index(f"“{text}") + 1
            quote = Quote(
                id=f"q{number}-{part}",
                article_id=article.id,
                start=start,
                end=start + len(text),
                text=text,
                kind="full" if part == 0 else "scare",
                paragraph=0,
                speaker="mayor",
            )
            quotes.append(quote)
            variants.append(
                Variant(
                    quote_id=quote.id,
                    article_id=article.id,
                    outlet=article.outlet,
                    start=quote.start,
                    end=quote.end,
                    text=text,
                    fragment=part > 0,
                )
            )
    group = Group(
        id="g-bridge",
        speaker="mayor",
        canonical_quote_id="q0-0",
        canonical_text=STATEMENT,
        variants=tuple(variants),
    )
    speaker = Speaker(id="mayor", name="Ana Lopes", kind="person")
    return Corpus(
        articles=tuple(articles), quotes=tuple(quotes), speakers=(speaker,), groups=(group,)
    )


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    out: Path = tmp_path_factory.mktemp("bounded") / "index"
    index_corpus(_corpus(), out, HashEmbedder())
    return Searcher.open(out, embedder=HashEmbedder())


def test_a_lookup_at_a_thousand_articles_stays_small(searcher: Searcher) -> None:
    answer = convert.lookup_response(searcher.lookup(STATEMENT, k=1))
    body = msgspec.json.encode(answer)
    assert len(body) < LIMIT
    match = answer.matches[0]
    assert len(match.variants) == schemas.DEFAULT_MAX_VARIANTS
    assert match.variant_count == 3 * ARTICLES
    assert match.next_variants_cursor is not None


def test_fragments_fold_under_their_full_variant(searcher: Searcher) -> None:
    group = searcher.group("g-bridge")
    assert group is not None
    rows = fold(group.variants)
    assert len(rows) == ARTICLES
    for row, folded in rows:
        assert not row.fragment
        assert [f.text for f in folded] == list(FRAGMENTS)
        assert {f.article_id for f in folded} == {row.article_id}


def test_the_cursor_pages_through_every_row(searcher: Searcher) -> None:
    group = searcher.group("g-bridge")
    assert group is not None
    seen: list[str] = []
    offset, pages = 0, 0
    while True:
        page = convert.statement(group, Catalog(searcher), schemas.MAX_VARIANTS, offset)
        seen.extend(v.quote_id for v in page.variants)
        pages += 1
        if page.next_variants_cursor is None:
            break
        offset = decode_cursor(page.next_variants_cursor)
    assert pages == ARTICLES // schemas.MAX_VARIANTS
    assert len(seen) == len(set(seen)) == ARTICLES
