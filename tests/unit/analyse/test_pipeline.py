"""Refusing articles that would cost the text stages far more than any news article."""

from __future__ import annotations

import pytest

from index.analyse.pipeline import MAX_WORD_CHARS, refusal
from index.models import Article

NEWS = 'The mayor said: "We will open the bridge in May." She added: "It is safe."'


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (NEWS, None),
        ("\n".join([NEWS] * 200), None),  # a long article of ordinary paragraphs
        ("x" * MAX_WORD_CHARS, None),
        ("x" * (MAX_WORD_CHARS + 1), "without a space"),
        ('"' * 5000, "without a space"),  # 5,000 quotation marks in a row
        (" ".join(['"'] * 5000), None),  # 5,000 marks that quote nothing
        (" ".join(['"a"'] * 2500), "2500 quotations"),
        ("\n".join(['He said "no."'] * 1001), "1001 quotations"),
        (" ".join(['He said "we will win this war" today.'] * 300), "too many quotations"),
        ('He said "this never ends. And “so it goes. ‘what” he said', None),  # unbalanced
    ],
    ids=lambda value: str(value)[:30],
)
def test_refusal(text: str, reason: str | None) -> None:
    found = refusal(Article(id="a", outlet="o", text=text))
    if reason is None:
        assert found is None
    else:
        assert found is not None and reason in found
