"""A query as the ranker sees it: the text asked, its statement without a reporting frame
("Putin said …"), and the statement's words, figures and polarity."""

from __future__ import annotations

import msgspec

from index.search.frame import split_frame
from index.text import normalise
from index.text import terms as lexical


class Query(msgspec.Struct, frozen=True, kw_only=True):
    """A query text, its statement without the reporting frame, and the statement's words."""

    text: str
    body: str
    claimed: str | None
    words: tuple[str, ...]
    cased: tuple[str, ...]
    numbers: frozenset[str]
    negated: bool

    @property
    def texts(self) -> tuple[str, ...]:
        """The texts to embed: the query as asked, and its body when the frame was removed."""
        return (self.text,) if self.body == self.text else (self.text, self.body)


def prepare_query(text: str) -> Query:
    frame = split_frame(text)
    return statement_query(frame.body, text=text.strip(), claimed=frame.speaker)


def statement_query(body: str, *, text: str | None = None, claimed: str | None = None) -> Query:
    """A query for ``body`` as it stands (a quote asked as a query has no frame to remove)."""
    tokens = normalise.words(body)
    return Query(
        text=body if text is None else text,
        body=body,
        claimed=claimed,
        words=tokens,
        cased=normalise.cased_words(body),
        numbers=lexical.numbers(tokens),
        negated=lexical.negated(tokens),
    )
