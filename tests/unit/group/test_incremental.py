"""Incremental grouping against a full regroup: random (seeded) adds and deletes of the seed
and held-out articles, the statements compared after every step."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from index.group.group import group_variants
from index.group.incremental import IncrementalGrouping
from index.models import Article, Corpus, Group, Quote
from tests.fakes import HashEmbedder

STEPS = 40


@pytest.fixture(scope="module")
def corpus(repo_root: Path) -> Corpus:
    from index.analyse.pipeline import analyse
    from index.articles import load_articles

    articles = load_articles(repo_root / "seeds")
    articles += load_articles(repo_root / "tests" / "data" / "heldout" / "articles")
    return analyse(articles)


def vectors_of(quotes: Sequence[Quote]) -> NDArray[np.float32]:
    return HashEmbedder(dimension=256).encode([quote.text for quote in quotes])


def statements(groups: Iterable[Group]) -> set[frozenset[str]]:
    return {frozenset(v.quote_id for v in group.variants) for group in groups}


def pairs(groups: Iterable[Group]) -> set[tuple[str, str]]:
    return {
        pair
        for group in groups
        for pair in combinations(sorted(v.quote_id for v in group.variants), 2)
    }


def pairwise_f1(left: Iterable[Group], right: Iterable[Group]) -> float:
    """The pairwise F1 of two groupings (1.0 when neither joins any two quotes)."""
    a, b = pairs(left), pairs(right)
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


def full(held: Sequence[Article], corpus: Corpus) -> tuple[Group, ...]:
    ids = {article.id for article in held}
    order = {article.id: place for place, article in enumerate(held)}
    quotes = sorted(
        (q for q in corpus.quotes if q.article_id in ids),
        key=lambda q: (order[q.article_id], corpus.quotes.index(q)),
    )
    return group_variants(held, quotes, vectors_of(quotes))


def quotes_of(article: Article, corpus: Corpus) -> list[Quote]:
    return [quote for quote in corpus.quotes if quote.article_id == article.id]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_adds_and_deletes_group_as_a_full_regroup(corpus: Corpus, seed: int) -> None:
    rng = random.Random(seed)
    grouping = IncrementalGrouping()
    held: list[Article] = []
    joined = 0
    for _ in range(STEPS):
        absent = [a for a in corpus.articles if a not in held]
        if absent and (not held or rng.random() < 0.65):
            article = rng.choice(absent)
            quotes = quotes_of(article, corpus)
            grouping.add([article], quotes, vectors_of(quotes))
            held.append(article)
        else:
            article = rng.choice(held)
            grouping.delete([article.id])
            held.remove(article)
        expected = full(held, corpus)
        got = grouping.groups()
        # Every difference would have to come from rarity drift or a candidate missed; on
        # these corpora neither happens, so the two groupings are the same statements.
        assert statements(got) == statements(expected)
        assert got == expected  # same ids, speakers, canonical texts, variants and order
        assert pairwise_f1(got, expected) == 1.0
        joined = max(joined, len(pairs(got)))
    assert joined > 0  # the sequence did put quotes of several outlets together


def test_a_change_reports_only_the_statements_it_touched(corpus: Corpus) -> None:
    grouping = IncrementalGrouping()
    for article in corpus.articles:
        quotes = quotes_of(article, corpus)
        grouping.add([article], quotes, vectors_of(quotes))
    before = {group.id: group for group in grouping.groups()}
    last = corpus.articles[-1]
    change = grouping.delete([last.id])
    after = {group.id: group for group in grouping.groups()}
    assert change.removed == {
        gid for gid in before if gid not in after or before[gid] != after[gid]
    }
    assert {group.id for group in change.added} <= after.keys()
    assert len(change.added) < len(after)
    assert not any(
        variant.article_id == last.id for group in grouping.groups() for variant in group.variants
    )
