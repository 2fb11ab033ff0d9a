"""A live index's snapshot (one published state), and which journal rows it holds."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from index.search.browse import LoadedIndex
from index.search.searcher import Searcher


@dataclasses.dataclass(frozen=True, slots=True)
class Snapshot:
    """One consistent state of the index: never changed once published."""

    seq: int  # every journal row up to this one is applied (later ones may be too)
    view: LoadedIndex  # the searcher (base folder and delta) and its browse views
    hashes: Mapping[str, str]  # content hash -> article id

    @property
    def searcher(self) -> Searcher:
        return self.view.searcher


def applied_seq(base: Snapshot, seq: int, rows: int) -> int:
    """The snapshot's ``seq`` after a write that recorded ``rows`` rows ending at ``seq``: every
    row up to it is applied only if no other writer's rows came between (else the base's, so
    the next catch-up reads theirs, and skips these, which it holds already)."""
    return seq if seq - rows == base.seq else base.seq
