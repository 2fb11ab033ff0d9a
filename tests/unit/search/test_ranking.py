"""Ranking statements: the scores and contradictions of a table of queries, the precomputed
tables behind them, and those tables saved and loaded again."""

from __future__ import annotations

import gc
import random
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from index.errors import IndexFormatError
from index.models import Quote
from index.search import ranking
from index.search.query import prepare_query
from index.search.ranking import LEXICAL_CANDIDATES, Candidate, Ranker
from index.store.tables import FILES, GROUP_ROWS, POSTINGS, UNIT_GROUP, VOCABULARY, RankTables
from index.store.units import Unit, quote_units
from index.text import terms as lexical
from tests.fakes import HashEmbedder

# (group, quote text): invented statements with figures, a negation, names, a compound, two
# sentences (so sentence units), a second wording of one statement, and one text said twice.
STATEMENTS = (
    (
        "g-rates",
        "The central bank will raise interest rates by 2% next year. "
        "Inflation must come down before wages can recover.",
    ),
    ("g-talks", "Talks between Russia and China will resume in Geneva next week."),
    ("g-aid", "We will not cut aid to the farmers this winter."),
    ("g-rates", "The central bank will raise interest rates by 2% next year."),
    ("g-drought", "We have had ten months of drought and the harvest is ruined."),
    ("g-port", "The port will reopen once the strike is over."),
    ("g-nurses", "Our hospitals need more nurses now."),
    ("g-summit", "The Shanghai Co-operation Organisation will meet in June."),
    ("g-nurses-again", "Our hospitals need more nurses now."),
)


class ExactSearch:
    """The FAISS call the ranker makes, exact, over the given vectors (or none at all)."""

    def __init__(self, vectors: NDArray[np.float32], *, blind: bool = False) -> None:
        self.vectors = vectors
        self.blind = blind

    def search(
        self, queries: NDArray[np.float32], k: int
    ) -> tuple[NDArray[np.float32], NDArray[np.intp]]:
        scores = queries @ self.vectors.T
        rows = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        if self.blind:
            rows = np.full_like(rows, -1)
        return np.take_along_axis(scores, np.maximum(rows, 0), axis=1), rows


def make_units(statements: Sequence[tuple[str, str]]) -> tuple[Unit, ...]:
    quotes = [
        Quote(
            id=f"q{n}", article_id="a", start=0, end=len(text), text=text, kind="full", paragraph=0
        )
        for n, (_, text) in enumerate(statements)
    ]
    group_of = {f"q{n}": group for n, (group, _) in enumerate(statements)}
    return quote_units(quotes, group_of)


def make_ranker(
    units: Sequence[Unit], *, tables: RankTables | None = None, blind: bool = False
) -> Ranker:
    vectors = HashEmbedder().encode([unit.text for unit in units])
    terms = lexical.TermStats.of(lexical.document_terms(unit.text) for unit in units)
    return Ranker(units, vectors, ExactSearch(vectors, blind=blind), terms, tables=tables)


def ask(
    ranker: Ranker,
    text: str,
    *,
    limit: int = 3,
    allowed: NDArray[np.bool_] | None = None,
    exclude: str | None = None,
) -> list[Candidate]:
    query = prepare_query(text)
    vectors = HashEmbedder().encode(query.texts)
    return ranker.rank(query, vectors, limit=limit, allowed=allowed, exclude_group=exclude)


@pytest.fixture(scope="module")
def ranker() -> Ranker:
    return make_ranker(make_units(STATEMENTS))


# The expected rows were recorded from the ranker before its tables existed (it tokenised
# every unit at start-up and walked Python postings); the tables must not change any of them.
# Only the best, untied rows are listed; ``absent`` are statements a contradiction removes.
# (query, allowed groups, excluded group, [(group, unit row, contained, score, coverage)], absent)
RANKED = [
    pytest.param(
        "Talks between Russia and China will resume in Geneva next week.",
        None,
        None,
        [("g-talks", 3, True, 1.0, 1.0), ("g-rates", 0, False, 0.143, 0.073)],
        set(),
        id="exact",
    ),
    pytest.param(
        "raise interest rates by 2%",
        None,
        None,
        [("g-rates", 1, True, 0.863, 1.0)],
        set(),
        id="fragment-of-a-sentence",
    ),
    pytest.param(
        "raise interest rates by 3% next year",
        None,
        None,
        [],
        {"g-rates", "g-talks", "g-port"},
        id="other-figure-contradicts",
    ),
    pytest.param(
        "We will cut aid to the farmers this winter.",
        None,
        None,
        [],
        {"g-aid"},
        id="other-polarity-contradicts",
    ),
    pytest.param(
        "Talks between Russia and India will resume in Geneva next week.",
        None,
        None,
        [("g-rates", 0, False, 0.142, 0.067)],
        {"g-talks"},
        id="swapped-name-contradicts",
    ),
    pytest.param(
        "We have had five months of drought and the harvest is ruined.",
        None,
        None,
        [],
        {"g-drought"},
        id="other-count-contradicts",
    ),
    pytest.param(
        "The minister said the port will reopen once the strike is over",
        None,
        None,
        [("g-port", 7, True, 1.0, 1.0)],
        set(),
        id="reporting-frame",
    ),
    pytest.param(
        "cooperation organisation meets",
        None,
        None,
        [("g-summit", 9, False, 0.439, 1.0)],
        set(),
        id="compound-as-one-word",
    ),
    pytest.param(
        "Our hospitals need more nurses now.",
        None,
        None,
        # Equal in every score: the statement seen first comes first (the old ranker left
        # this to the order of a set of strings).
        [("g-nurses", 8, True, 1.0, 1.0), ("g-nurses-again", 10, True, 1.0, 1.0)],
        set(),
        id="equal-statements-keep-unit-order",
    ),
    pytest.param(
        "Our hospitals need more nurses now.",
        {"g-nurses-again", "g-port"},
        None,
        [("g-nurses-again", 10, True, 1.0, 1.0), ("g-port", 7, False, 0.0, 0.0)],
        {"g-nurses"},
        id="allowed-rows",
    ),
    pytest.param(
        "Talks between Russia and China will resume in Geneva next week.",
        None,
        "g-talks",
        [("g-rates", 0, False, 0.143, 0.073)],
        {"g-talks"},
        id="excluded-group",
    ),
]


@pytest.mark.parametrize(("text", "allowed_groups", "exclude", "expected", "absent"), RANKED)
def test_rank(
    ranker: Ranker,
    text: str,
    allowed_groups: set[str] | None,
    exclude: str | None,
    expected: list[tuple[str, int, bool, float, float]],
    absent: set[str],
) -> None:
    allowed = None
    if allowed_groups is not None:
        allowed = np.array([unit.group_id in allowed_groups for unit in ranker.units])
    found = ask(ranker, text, limit=len(ranker.units), allowed=allowed, exclude=exclude)
    got = [(c.group_id, c.unit, c.contained, c.score, c.coverage) for c in found]
    assert [row[:3] for row in got[: len(expected)]] == [row[:3] for row in expected]
    assert [row[3:] for row in got[: len(expected)]] == [
        pytest.approx(row[3:], abs=1e-3) for row in expected
    ]
    assert not absent & {c.group_id for c in found}
    assert len({c.group_id for c in found}) == len(found)


def test_filtered_lookup_compares_in_slices(
    ranker: Ranker, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowed = np.arange(len(ranker.units)) % 2 == 0
    text = "The central bank will raise interest rates"
    whole = ask(ranker, text, limit=5, allowed=allowed)
    monkeypatch.setattr(ranking, "SCAN_ROWS", 2)
    assert ask(ranker, text, limit=5, allowed=allowed) == whole
    assert whole and all(allowed[c.unit] for c in whole)


def test_a_replaced_ranker_is_freed_at_once() -> None:
    """Its caches hold no reference back to it, so a live index's old rankers do not pile up
    until the cycle collector runs."""
    ranker = make_ranker(make_units(STATEMENTS))
    assert ask(ranker, "raise interest rates by 2%")
    gone = weakref.ref(ranker)
    paused = gc.isenabled()
    gc.disable()
    try:
        del ranker
        assert gone() is None
    finally:
        if paused:
            gc.enable()


def test_rank_nothing() -> None:
    empty = make_ranker(())
    assert ask(empty, "anything at all") == []
    assert empty.tables.n_groups == 0


def test_ranker_refuses_tables_of_other_units() -> None:
    units = make_units(STATEMENTS)
    with pytest.raises(ValueError, match="cover"):
        make_ranker(units, tables=RankTables.build(units[:-1]))


# ---------------------------------------------------------------- the tables, and the terms

WORDS = (
    "harbour trade budget strike wages nurses drought harvest summit border election court "
    "vaccine export pension railway bridge storm tariff reform minister council treaty island"
).split()


def word_units(rng: random.Random, statements: int) -> tuple[Unit, ...]:
    """Statements of random words, some said twice and some in two wordings."""
    made: list[tuple[str, str]] = []
    for n in range(statements):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))
        made.append((f"g{n}", text))
        if n % 5 == 0:
            made.append((f"g{n}", text + " " + rng.choice(WORDS)))
        if n % 7 == 0:
            made.append((f"again{n}", text))
    return make_units(made)


def test_tables_describe_the_units() -> None:
    units = word_units(random.Random(1), 80)
    tables = RankTables.build(units)
    ids = list(dict.fromkeys(unit.group_id for unit in units))
    assert tables.n_units == len(units)
    assert tables.n_groups == len(ids)
    for group, name in enumerate(ids):
        rows = [row for row, unit in enumerate(units) if unit.group_id == name]
        assert tables.rows(group).tolist() == rows
        assert tables.unit_group[rows].tolist() == [group] * len(rows)
    offered = [{t for row in tables.rows(g) for t in terms_of(units[row])} for g in range(len(ids))]
    for term in {t for unit in units for t in terms_of(unit)} | {"unheard"}:
        expected = [group for group, found in enumerate(offered) if term in found]
        assert tables.groups_with(term).tolist() == expected


def terms_of(unit: Unit) -> tuple[str, ...]:
    return lexical.document_terms(unit.text)


@pytest.mark.parametrize("floor_sample", [4096, 40, 1])
@pytest.mark.parametrize("seed", range(4))
def test_term_candidates_are_the_heaviest_statements(
    seed: int, floor_sample: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With FAISS finding nothing, the statements ranked are the :data:`LEXICAL_CANDIDATES`
    with the most IDF weight of the query's terms (ties to the statement seen first), however
    few groups set the floor under the cut."""
    monkeypatch.setattr(ranking, "FLOOR_SAMPLE", floor_sample)
    rng = random.Random(seed)
    units = word_units(rng, 150)
    ranker = make_ranker(units, blind=True)
    text = " ".join(rng.sample(WORDS, 3))
    query = prepare_query(text)
    weights = lexical.term_weights(
        lexical.query_terms(query.body, ranker.terms.frequencies), ranker.terms
    )
    offered: dict[str, set[str]] = {}
    for unit in units:
        offered.setdefault(unit.group_id, set()).update(terms_of(unit))
    shared: dict[str, float] = {}
    for name, found in offered.items():
        total = 0.0
        for term, weight in weights.items():
            if term in found:
                total += weight
        if total:
            shared[name] = total
    order = list(offered)
    expected = sorted(shared, key=lambda name: (-shared[name], order.index(name)))
    ranked = ask(ranker, text, limit=len(units))
    assert {c.group_id for c in ranked} == set(expected[:LEXICAL_CANDIDATES])
    for candidate in ranked:
        assert candidate.coverage == pytest.approx(
            shared[candidate.group_id] / sum(weights.values())
        )


# ---------------------------------------------------------------- on disk


def test_tables_round_trip(tmp_path: Path) -> None:
    units = make_units(STATEMENTS)
    built = make_ranker(units)
    built.tables.save(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(FILES)
    loaded = RankTables.load(tmp_path, n_units=len(units))
    for name in ("unit_group", "group_start", "group_rows", "term_start", "postings"):
        assert np.array_equal(getattr(loaded, name), getattr(built.tables, name)), name
    assert loaded.vocabulary == built.tables.vocabulary
    reloaded = make_ranker(units, tables=loaded)
    for param in RANKED:
        text = param.values[0]
        assert isinstance(text, str)
        assert ask(reloaded, text, limit=5) == ask(built, text, limit=5)


def test_empty_tables_round_trip(tmp_path: Path) -> None:
    RankTables.build(()).save(tmp_path)
    assert RankTables.load(tmp_path, n_units=0).n_groups == 0


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-4])


def _swap_two_rows(path: Path) -> None:
    rows = np.load(path)
    rows[[0, -1]] = rows[[-1, 0]]
    np.save(path, rows)


def _retype(path: Path) -> None:
    np.save(path, np.load(path).astype(np.int64))


def _out_of_range(path: Path) -> None:
    values = np.load(path)
    values[-1] = 10**6
    np.save(path, values)


BROKEN = [
    *(pytest.param(name, Path.unlink, "missing", id=f"missing-{name}") for name in FILES),
    pytest.param(POSTINGS, _truncate, "cannot read", id="truncated-array"),
    pytest.param(VOCABULARY, _truncate, "cannot read", id="truncated-vocabulary"),
    pytest.param(UNIT_GROUP, _retype, "int64", id="other-type"),
    pytest.param(POSTINGS, _out_of_range, "outside", id="group-out-of-range"),
    pytest.param(GROUP_ROWS, _swap_two_rows, "does not match", id="rows-out-of-order"),
]


@pytest.mark.parametrize(("name", "damage", "message"), BROKEN)
def test_load_refuses_a_damaged_folder(
    tmp_path: Path, name: str, damage: object, message: str
) -> None:
    units = make_units(STATEMENTS)
    RankTables.build(units).save(tmp_path)
    assert callable(damage)
    damage(tmp_path / name)
    with pytest.raises(IndexFormatError, match=message):
        RankTables.load(tmp_path, n_units=len(units))


def test_load_refuses_tables_of_another_index(tmp_path: Path) -> None:
    units = make_units(STATEMENTS)
    RankTables.build(units).save(tmp_path)
    with pytest.raises(IndexFormatError, match="another index"):
        RankTables.load(tmp_path, n_units=len(units) + 1)


def test_load_refuses_another_version(tmp_path: Path) -> None:
    RankTables.build(make_units(STATEMENTS)).save(tmp_path)
    path = tmp_path / VOCABULARY
    path.write_bytes(path.read_bytes().replace(b'"version":1', b'"version":99'))
    with pytest.raises(IndexFormatError, match="version 99"):
        RankTables.load(tmp_path, n_units=len(make_units(STATEMENTS)))
