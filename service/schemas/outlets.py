"""Outlets: the publications the corpus holds, with counts."""

from __future__ import annotations

import msgspec


class OutletSummary(msgspec.Struct, frozen=True, kw_only=True):
    """An outlet and how much of the corpus it printed."""

    name: str
    article_count: int
    quote_count: int
    statement_count: int


class OutletList(msgspec.Struct, frozen=True, kw_only=True):
    items: tuple[OutletSummary, ...]
