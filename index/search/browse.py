"""Browse views over a loaded index: records by id, lists with counts, filtered pages.

Records by id come from the searcher; the lists, counts and filters are built here once
(linear in the corpus, right after the index is ready), so every request after that is a dict
lookup or a bisect. Statements keep the corpus's order, which pagination cursors rely on.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from index.errors import InvalidCursorError, UnknownIdError
from index.models import Article, Group, Quote, Speaker

if TYPE_CHECKING:
    from index.search.searcher import Searcher


@dataclass(frozen=True, slots=True)
class SpeakerCounts:
    speaker: Speaker
    statements: int
    quotes: int


@dataclass(frozen=True, slots=True)
class OutletCounts:
    name: str
    articles: int
    quotes: int
    statements: int


@dataclass(frozen=True, slots=True)
class _Views:
    position: dict[str, int]  # statement id -> its place in the corpus's order
    by_speaker: dict[str, list[int]]
    by_outlet: dict[str, list[int]]  # casefolded outlet -> statement places
    speakers: tuple[SpeakerCounts, ...]
    speaker_counts: dict[str, SpeakerCounts]
    outlets: tuple[OutletCounts, ...]


def published_in(published: str | None, start: str | None, end: str | None) -> bool:
    """Whether a date (ISO, any precision) falls in [start, end], compared at their precision;
    an undated article is in no range."""
    if start is None and end is None:
        return True
    if not published:
        return False
    if start is not None and published[: len(start)] < start:
        return False
    return end is None or published[: len(end)] <= end


def select_articles(
    articles: Sequence[Article], outlet: str | None, start: str | None, end: str | None
) -> list[Article]:
    """The articles of one outlet (case-insensitive; None for all) published in a range."""
    wanted = None if outlet is None else outlet.casefold()
    return [
        article
        for article in articles
        if (wanted is None or article.outlet.casefold() == wanted)
        and published_in(article.published, start, end)
    ]


def outlets_of(group: Group) -> tuple[str, ...]:
    """The outlets that printed a statement, in the order of its variants, each once."""
    return tuple(dict.fromkeys(variant.outlet for variant in group.variants))


class Catalog:
    """Everything the browse routes need, indexed for direct access.

    The indexes are built on first use (:meth:`warm` builds them ahead), not when the index
    loads: at a million quotes they take seconds, and lookups, which readiness promises, do
    not need them.
    """

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher

    @cached_property
    def statements(self) -> tuple[Group, ...]:
        return self._searcher.corpus.groups

    def warm(self) -> None:
        """Build the browse indexes now (the service does, right after it is ready)."""
        _ = self._views
        self._searcher.warm()

    @property
    def speakers(self) -> tuple[SpeakerCounts, ...]:
        return self._views.speakers

    @property
    def outlets(self) -> tuple[OutletCounts, ...]:
        return self._views.outlets

    @cached_property
    def _views(self) -> _Views:
        corpus = self._searcher.corpus
        position = {group.id: n for n, group in enumerate(corpus.groups)}
        by_speaker: dict[str, list[int]] = defaultdict(list)
        by_outlet: dict[str, list[int]] = defaultdict(list)
        for n, group in enumerate(corpus.groups):
            if group.speaker is not None:
                by_speaker[group.speaker].append(n)
            for outlet in dict.fromkeys(o.casefold() for o in outlets_of(group)):
                by_outlet[outlet].append(n)

        quotes_per_speaker = Counter(q.speaker for q in corpus.quotes if q.speaker is not None)
        speakers = tuple(
            sorted(
                (
                    SpeakerCounts(
                        speaker=speaker,
                        statements=len(by_speaker.get(speaker.id, ())),
                        quotes=quotes_per_speaker[speaker.id],
                    )
                    for speaker in corpus.speakers
                ),
                key=lambda row: (-row.statements, -row.quotes, row.speaker.name),
            )
        )
        outlet_of_article = {article.id: article.outlet for article in corpus.articles}
        articles_per_outlet = Counter(outlet_of_article.values())
        quotes_per_outlet = Counter(outlet_of_article.get(q.article_id) for q in corpus.quotes)
        outlets = tuple(
            OutletCounts(
                name=name,
                articles=articles_per_outlet[name],
                quotes=quotes_per_outlet[name],
                statements=len(by_outlet.get(name.casefold(), ())),
            )
            for name in sorted(set(articles_per_outlet))
        )
        return _Views(
            position=position,
            by_speaker=by_speaker,
            by_outlet=by_outlet,
            speakers=speakers,
            speaker_counts={row.speaker.id: row for row in speakers},
            outlets=outlets,
        )

    # -- by id ------------------------------------------------------------------------------

    def statement(self, statement_id: str) -> Group:
        group = self._searcher.group(statement_id)
        if group is None:
            raise UnknownIdError("statement", statement_id)
        return group

    def speaker(self, speaker_id: str) -> SpeakerCounts:
        row = self._views.speaker_counts.get(speaker_id)
        if row is None:
            raise UnknownIdError("speaker", speaker_id)
        return row

    def article(self, article_id: str) -> Article:
        article = self._searcher.article(article_id)
        if article is None:
            raise UnknownIdError("article", article_id)
        return article

    def speaker_or_none(self, speaker_id: str | None) -> Speaker | None:
        return None if speaker_id is None else self._searcher.speaker(speaker_id)

    def quotes_of(self, article_id: str) -> tuple[Quote, ...]:
        """The quotes of an article in reading order."""
        quotes = self._searcher.quotes_of(article_id)
        return tuple(sorted(quotes, key=lambda q: (q.start, q.end)))

    def statement_of(self, quote_id: str) -> str | None:
        group = self._searcher.group_of(quote_id)
        return None if group is None else group.id

    def statements_of(self, speaker_id: str) -> tuple[Group, ...]:
        return tuple(self.statements[n] for n in self._views.by_speaker.get(speaker_id, ()))

    # -- pages ------------------------------------------------------------------------------

    def page(
        self,
        *,
        speaker: str | None = None,
        outlet: str | None = None,
        after: str | None = None,
        limit: int,
    ) -> tuple[tuple[Group, ...], str | None]:
        """Up to ``limit`` statements after the one with id ``after``, filtered by speaker id
        and outlet name (case-insensitive, as lookups match outlets); and the id to continue
        after, or None on the last page."""
        candidates: Sequence[int] = range(len(self.statements))
        if speaker is not None:
            candidates = self._views.by_speaker.get(speaker, [])
        if outlet is not None:
            in_outlet = self._views.by_outlet.get(outlet.casefold(), [])
            if speaker is None:
                candidates = in_outlet
            else:
                wanted = set(in_outlet)
                candidates = [n for n in candidates if n in wanted]
        start = 0
        if after is not None:
            position = self._views.position.get(after)
            if position is None:
                raise InvalidCursorError()
            start = bisect.bisect_right(candidates, position)
        chosen = candidates[start : start + limit]
        items = tuple(self.statements[n] for n in chosen)
        more = start + limit < len(candidates)
        return items, (items[-1].id if more and items else None)


class LoadedIndex:
    """The searcher and the browse views over its corpus: what one snapshot serves.

    A plain class, not a dataclass: litestar validates dependency values by their type, and
    an opaque class is checked with ``isinstance`` only.
    """

    __slots__ = ("catalog", "searcher")

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.catalog = Catalog(searcher)

    def warm(self) -> None:
        """Build what browsing needs now (seconds at a million quotes), off the request path."""
        self.catalog.warm()
