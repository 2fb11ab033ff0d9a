"""Bounded variant lists: fragments folded under the full variant they are part of, then a
page of at most ``max_variants`` rows with a cursor for the rest.

A statement printed by hundreds of outlets, or quoted in one-word scare-quote fragments, once
made a single lookup answer hundreds of kilobytes. Here a fragment (a variant covering only
part of the canonical wording) whose words a full variant contains, in the same article first,
becomes an entry of that variant's ``fragments`` rather than a row of its own; the rows are
then paged in the group's order.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence

from index import InvalidCursorError, models

_PREFIX = "v:"
_WORD = re.compile(r"\w+")


def _words(text: str) -> str:
    """A text's words, case-folded, space-separated and padded (for whole-word containment)."""
    return " " + " ".join(_WORD.findall(text.casefold())) + " "


def fold(
    variants: Sequence[models.Variant],
) -> list[tuple[models.Variant, list[models.Variant]]]:
    """The rows: each full (or unplaced) variant with the fragments folded under it."""
    full = [v for v in variants if not v.fragment]
    texts = {v.quote_id: _words(v.text) for v in full}
    parent_of: dict[str, str] = {}
    for fragment in (v for v in variants if v.fragment):
        words = _words(fragment.text)
        hosts = [v for v in full if words in texts[v.quote_id]]
        same = [v for v in hosts if v.article_id == fragment.article_id]
        if same or hosts:
            parent_of[fragment.quote_id] = (same or hosts)[0].quote_id
    rows: dict[str, list[models.Variant]] = {}
    order: list[models.Variant] = []
    for variant in variants:
        if variant.quote_id in parent_of:
            continue
        rows[variant.quote_id] = []
        order.append(variant)
    for variant in variants:
        parent = parent_of.get(variant.quote_id)
        if parent is not None:
            rows[parent].append(variant)
    return [(variant, rows[variant.quote_id]) for variant in order]


def encode_cursor(offset: int) -> str:
    raw = f"{_PREFIX}{offset}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The row offset a variants cursor names (0 without one); a bad cursor is a 400."""
    if cursor is None:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        offset = int(text.removeprefix(_PREFIX))
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidCursorError() from exc
    if offset < 0:
        raise InvalidCursorError()
    return offset


def page(
    variants: Sequence[models.Variant], limit: int, offset: int = 0
) -> tuple[list[tuple[models.Variant, list[models.Variant]]], str | None]:
    """Rows ``offset`` to ``offset + limit`` of the folded variants, and the next cursor."""
    rows = fold(variants)
    end = offset + limit
    return rows[offset:end], encode_cursor(end) if end < len(rows) else None
