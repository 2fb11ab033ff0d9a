"""A live index's segments (base folder + delta) answer as one index over the same quotes.

The base is an index of some seed articles; the live index then adds the other seeds and the
held-out articles and deletes one base article and one added one. Its lookups on every gold
query are compared with those of an index rebuilt from the same corpus, before and after the
delta is merged into a new base.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from index.build import index_corpus
from index.group.group import group_variants
from index.live.live import LiveIndex
from index.live.segments import SegmentedSearcher
from index.models import Article, Corpus
from index.search.query import prepare_query
from index.search.searcher import Searcher
from index.store.folder import load_index
from tests.fakes import HashEmbedder
from tests.unit.group.test_incremental import pairwise_f1, statements


@pytest.fixture(scope="module")
def articles(repo_root: Path) -> list[Article]:
    from index.articles import load_articles

    found = load_articles(repo_root / "seeds")
    return found + load_articles(repo_root / "tests" / "data" / "heldout" / "articles")


@pytest.fixture(scope="module")
def queries(repo_root: Path) -> list[str]:
    gold = msgspec.json.decode((repo_root / "tests" / "data" / "seeds-gold.json").read_bytes())
    return [query["q"] for query in gold["queries"]]


def base_index(articles: list[Article], folder: Path) -> None:
    from index.analyse.pipeline import analyse

    corpus = analyse(articles)
    vectors = HashEmbedder().encode([quote.text for quote in corpus.quotes])
    groups = group_variants(articles, corpus.quotes, vectors)
    index_corpus(msgspec.structs.replace(corpus, groups=groups), folder, HashEmbedder())


def rebuilt(corpus: Corpus, folder: Path) -> Searcher:
    index_corpus(corpus, folder, HashEmbedder())
    return Searcher(load_index(folder), HashEmbedder())


def same_ranking(segmented: Searcher, one: Searcher, text: str) -> bool:
    """Whether the segments rank what one index ranks, alike: each segment proposes its own
    nearest units and rarest-term statements, so the segments' candidates are a superset of
    one index's, and a statement that only a segment proposed may come after them."""
    got, expected = ranked(segmented, text), ranked(one, text)
    return got[: len(expected)] == expected or (
        set(expected) <= set(got)
        and all(score <= expected[-1][1] for _, score, _ in got[len(expected) :])
    )


def ranked(searcher: Searcher, text: str) -> list[tuple[str, float, str]]:
    query = prepare_query(text)
    vectors = searcher.embedder.encode(query.texts)
    return [
        (c.group_id, round(c.score, 6), searcher.ranker.units[c.unit].text)
        for c in searcher.ranker.rank(query, vectors, limit=5)
    ]


def test_segments_answer_as_one_index_over_the_same_quotes(
    articles: list[Article], queries: list[str], tmp_path: Path
) -> None:
    base, later = articles[:3], articles[3:]
    base_index(base, tmp_path / "index")
    live = LiveIndex.open(
        tmp_path / "index", journal=tmp_path / "journal.jsonl", embedder=HashEmbedder()
    )
    try:
        for article in later:
            live.ingest([article])
        live.delete(base[1].id)
        live.delete(later[-1].id)
        segmented = live.current.searcher
        assert isinstance(segmented, SegmentedSearcher)
        assert segmented.delta.rows > 0 and segmented.gone
        corpus = segmented.corpus
        one = rebuilt(corpus, tmp_path / "rebuilt")
        # The term statistics are kept up to date write by write: the same as a rebuild's.
        assert segmented.ranker.terms == one.data.terms
        assert segmented.manifest.counts == one.manifest.counts
        for query in queries:
            assert same_ranking(segmented, one, query), query
            got = segmented.lookup(query, min_score=0.2)
            assert got == one.lookup(query, min_score=0.2), query
        # The incremental statements are a full regroup's (or within the pairwise F1 bound).
        vectors = HashEmbedder().encode([quote.text for quote in corpus.quotes])
        full = group_variants(corpus.articles, corpus.quotes, vectors)
        assert pairwise_f1(corpus.groups, full) >= 0.99
        assert statements(corpus.groups) == statements(full)

        # The merge folds the delta into a new base; the no-match threshold is recalibrated
        # there, so it is then the rebuild's too.
        assert live.checkpoint()
        merged = live.current.searcher
        assert isinstance(merged, SegmentedSearcher) and merged.delta.rows == 0
        assert merged.manifest.calibration == one.manifest.calibration
        for query in queries:
            assert ranked(merged, query) == ranked(one, query), query  # one segment now
            assert merged.lookup(query) == one.lookup(query), query
    finally:
        live.close()


def test_writes_during_a_merge_stay_in_the_delta(articles: list[Article], tmp_path: Path) -> None:
    base_index(articles[:3], tmp_path / "index")
    live = LiveIndex.open(
        tmp_path / "index", journal=tmp_path / "journal.jsonl", embedder=HashEmbedder()
    )
    try:
        live.ingest([articles[3]])
        snapshot = live.snapshot
        data = live._merged(snapshot)  # a merge that has read its snapshot ...
        live.ingest([articles[4]])  # ... while a write goes on
        from index.store.folder import write_index

        write_index(live.folder, data)
        live._writes.rebase(Searcher(load_index(live.folder), HashEmbedder()), snapshot.seq)
        live._publish(live.seq)
        searcher = live.current.searcher
        assert isinstance(searcher, SegmentedSearcher)
        assert searcher.article(articles[3].id) is not None
        assert searcher.article(articles[4].id) is not None
        assert set(searcher.delta.groups) <= {g.id for g in searcher.corpus.groups}
        assert all(q.article_id == articles[4].id for q in searcher._added_quotes.values())
        one = rebuilt(searcher.corpus, tmp_path / "rebuilt")
        assert searcher.manifest.counts == one.manifest.counts
        assert searcher.ranker.terms == one.data.terms
    finally:
        live.close()
