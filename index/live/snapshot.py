"""A live index's snapshot (one published state) and the small rules for building the next."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

import msgspec

from index.models import Quote
from index.search.browse import LoadedIndex
from index.search.searcher import Searcher

if TYPE_CHECKING:
    from spacy.language import Language


@dataclasses.dataclass(frozen=True, slots=True)
class Snapshot:
    """One consistent state of the index: never changed once published."""

    seq: int  # the last journal row it holds
    view: LoadedIndex  # the searcher (its ranker holds units, vectors, FAISS, terms) and views
    hashes: Mapping[str, str]  # content hash -> article id

    @property
    def searcher(self) -> Searcher:
        return self.view.searcher


def language() -> Language:
    from index.analyse.language import load_language

    return load_language()


def applied_seq(base: Snapshot, seq: int, rows: int) -> int:
    """The snapshot's ``seq`` after a write that recorded ``rows`` rows ending at ``seq``: every
    row up to it is applied only if no other writer's rows came between (else the base's, so
    the next catch-up reads theirs, and skips these, which it holds already)."""
    return seq if seq - rows == base.seq else base.seq


def renamed_quote(quote: Quote, renamed: Mapping[str, str]) -> Quote:
    speaker = renamed.get(quote.speaker) if quote.speaker else None
    reported = renamed.get(quote.reported_speaker) if quote.reported_speaker else None
    return msgspec.structs.replace(quote, speaker=speaker, reported_speaker=reported)
