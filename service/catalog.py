"""Browse views over a loaded index: records by id, lists with counts, filtered pages.

Records by id come from the searcher; the lists, counts and filters are built here once when
the index loads (linear in the corpus), so every request after that is a dict lookup or a
bisect. Statements keep the corpus's order, which pagination cursors rely on.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.models import Article, Group, Quote, Speaker
from service.errors import InvalidCursorError, UnknownIdError

if TYPE_CHECKING:
    from index.search import Searcher


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


def outlets_of(group: Group) -> tuple[str, ...]:
    """The outlets that printed a statement, in the order of its variants, each once."""
    return tuple(dict.fromkeys(variant.outlet for variant in group.variants))


class Catalog:
    """Everything the browse routes need, indexed for direct access."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher
        corpus = searcher.corpus
        self.statements: tuple[Group, ...] = corpus.groups
        self._position = {group.id: n for n, group in enumerate(corpus.groups)}
        self._by_speaker: dict[str, list[int]] = defaultdict(list)
        self._by_outlet: dict[str, list[int]] = defaultdict(list)
        for n, group in enumerate(corpus.groups):
            if group.speaker is not None:
                self._by_speaker[group.speaker].append(n)
            for outlet in dict.fromkeys(o.casefold() for o in outlets_of(group)):
                self._by_outlet[outlet].append(n)

        quotes_per_speaker = Counter(q.speaker for q in corpus.quotes if q.speaker is not None)
        self.speakers = tuple(
            sorted(
                (
                    SpeakerCounts(
                        speaker=speaker,
                        statements=len(self._by_speaker.get(speaker.id, ())),
                        quotes=quotes_per_speaker[speaker.id],
                    )
                    for speaker in corpus.speakers
                ),
                key=lambda row: (-row.statements, -row.quotes, row.speaker.name),
            )
        )
        self._speaker_counts = {row.speaker.id: row for row in self.speakers}

        outlet_of_article = {article.id: article.outlet for article in corpus.articles}
        articles_per_outlet = Counter(outlet_of_article.values())
        quotes_per_outlet = Counter(outlet_of_article.get(q.article_id) for q in corpus.quotes)
        names = sorted(set(articles_per_outlet))
        self.outlets = tuple(
            OutletCounts(
                name=name,
                articles=articles_per_outlet[name],
                quotes=quotes_per_outlet[name],
                statements=len(self._by_outlet.get(name.casefold(), ())),
            )
            for name in names
        )

    # -- by id ------------------------------------------------------------------------------

    def statement(self, statement_id: str) -> Group:
        group = self._searcher.group(statement_id)
        if group is None:
            raise UnknownIdError("statement", statement_id)
        return group

    def speaker(self, speaker_id: str) -> SpeakerCounts:
        row = self._speaker_counts.get(speaker_id)
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
        return tuple(self.statements[n] for n in self._by_speaker.get(speaker_id, ()))

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
            candidates = self._by_speaker.get(speaker, [])
        if outlet is not None:
            in_outlet = self._by_outlet.get(outlet.casefold(), [])
            if speaker is None:
                candidates = in_outlet
            else:
                wanted = set(in_outlet)
                candidates = [n for n in candidates if n in wanted]
        start = 0
        if after is not None:
            position = self._position.get(after)
            if position is None:
                raise InvalidCursorError()
            start = bisect.bisect_right(candidates, position)
        chosen = candidates[start : start + limit]
        items = tuple(self.statements[n] for n in chosen)
        more = start + limit < len(candidates)
        return items, (items[-1].id if more and items else None)
