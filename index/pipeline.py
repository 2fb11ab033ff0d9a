"""The text stages of the pipeline in order: extract → attribute → resolve speakers.

Grouping, diffs and embeddings need vectors and happen in ``index.build``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import msgspec

from index.attribute import attribute_speakers
from index.extract import extract_quotes
from index.language import load_language
from index.mentions import Entity
from index.models import Article, Corpus, Quote
from index.speakers import resolve_speakers

if TYPE_CHECKING:
    from spacy.language import Language


def analyse(articles: Sequence[Article], nlp: Language | None = None) -> Corpus:
    """Quotes with speakers for every article; ``Corpus.groups`` is left empty."""
    nlp = nlp or load_language()
    quotes: list[Quote] = []
    entities: list[Entity] = []
    speaker_of: dict[str, Entity | None] = {}
    reported: dict[str, Entity] = {}
    for article in articles:
        attribution = attribute_speakers(article, extract_quotes(article), nlp)
        quotes.extend(attribution.quotes)
        entities.extend(attribution.entities)
        speaker_of.update(attribution.speakers)
        reported.update(attribution.reported)
    uses = Counter(id(e) for e in speaker_of.values() if e is not None)
    speakers, assignment = resolve_speakers(entities, uses)
    used = {assignment[id(e)] for e in speaker_of.values() if e is not None}
    resolved = [
        msgspec.structs.replace(
            quote,
            speaker=assignment[id(entity)] if (entity := speaker_of.get(quote.id)) else None,
            reported_speaker=assignment[id(source)] if (source := reported.get(quote.id)) else None,
        )
        for quote in quotes
    ]
    used |= {assignment[id(e)] for e in reported.values()}
    return Corpus(
        articles=tuple(articles),
        quotes=tuple(resolved),
        speakers=tuple(s for s in speakers if s.id in used),
    )
