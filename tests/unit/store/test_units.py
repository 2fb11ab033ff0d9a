"""Search units: every quote, plus each sentence of a quote of several sentences."""

from __future__ import annotations

import pytest

from index.models import Quote
from index.store.units import quote_units, sentence_spans


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One sentence only", ["One sentence only"]),
        ("First one here. Second one there.", ["First one here.", "Second one there."]),
        ("Is it? Yes! Sure.", ["Is it?", "Yes!", "Sure."]),
        ("He paid $1.5 billion. Then left.", ["He paid $1.5 billion.", "Then left."]),
        ("It grew 40%. “Good,” he said.", ["It grew 40%.", "“Good,” he said."]),
        ("  spaced out.  ", ["spaced out."]),
    ],
)
def test_sentence_spans(text: str, sentences: list[str]) -> None:
    assert [text[start:end] for start, end in sentence_spans(text)] == sentences


def quote(quote_id: str, text: str) -> Quote:
    return Quote(
        id=quote_id, article_id="a", start=0, end=len(text), text=text, kind="full", paragraph=0
    )


def test_quote_units() -> None:
    quotes = [
        quote("q1", "The strike will continue. Workers deserve better pay."),
        quote("q2", "Short one. Too short."),  # pieces under three words stay whole
        quote("q3", "No group for this one. None at all here."),
    ]
    units = quote_units(quotes, {"q1": "g1", "q2": "g2"})
    assert [(u.quote_id, u.group_id, u.kind, u.text) for u in units] == [
        ("q1", "g1", "quote", "The strike will continue. Workers deserve better pay."),
        ("q1", "g1", "sentence", "The strike will continue."),
        ("q1", "g1", "sentence", "Workers deserve better pay."),
        ("q2", "g2", "quote", "Short one. Too short."),
    ]
    texts = {q.id: q.text for q in quotes}
    assert all(texts[u.quote_id][u.start : u.end] == u.text for u in units)
