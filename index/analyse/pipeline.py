"""The text stages of the pipeline in order: extract → attribute → resolve speakers.

Grouping, diffs and embeddings need vectors and happen in ``index.build``.

:func:`refusal` says whether an article would cost the text stages far more than any news
article does, before they run: attribution looks at the paragraph around each quotation, so
its work grows with quotations × paragraph length, and spaCy's tokenizer slows down
quadratically on one very long run of characters without a space. A service that takes
articles from outside refuses those (the limits are far above real news).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import msgspec

from index.analyse.attribute import Attribution, attribute_speakers
from index.analyse.extract import extract_quotes, split_paragraphs
from index.analyse.language import load_language
from index.analyse.mentions import Entity
from index.analyse.speakers import resolve_speakers
from index.models import Article, Corpus, Quote

if TYPE_CHECKING:
    from spacy.language import Language


# Most quotations one article may have (a long news article has a few dozen).
MAX_QUOTES = 1000
# Longest run of characters without a space (a long URL is a few hundred).
MAX_WORD_CHARS = 500
# Most attribution work for one article: the sum over its paragraphs of quotations ×
# characters (a dense news paragraph: 10 quotations in 1,500 characters, 15,000). About three
# seconds of work at the limit.
MAX_ATTRIBUTION_WORK = 2_000_000

_LONG_WORD = re.compile(rf"\S{{{MAX_WORD_CHARS + 1},}}")


def refusal(article: Article) -> str | None:
    """Why the text stages should not take ``article`` on (None when they should)."""
    if _LONG_WORD.search(article.text):
        return f"it has a run of more than {MAX_WORD_CHARS} characters without a space"
    quotes = extract_quotes(article)
    if len(quotes) > MAX_QUOTES:
        return f"it has {len(quotes)} quotations; at most {MAX_QUOTES} are taken"
    per_paragraph = Counter(quote.paragraph for quote in quotes)
    work = sum(
        per_paragraph[paragraph.index] * len(paragraph.text)
        for paragraph in split_paragraphs(article.text)
    )
    if work > MAX_ATTRIBUTION_WORK:
        return (
            "its paragraphs hold too many quotations for their length "
            f"(quotations × characters: {work}; at most {MAX_ATTRIBUTION_WORK})"
        )
    return None


def analyse_article(article: Article, nlp: Language) -> Attribution:
    """The text stages of one article: its quotations with cues and article-local speakers.

    The unit of work a build distributes (one spaCy pipeline per worker); what it returns is
    plain data that :func:`resolve_corpus` joins across articles.
    """
    return attribute_speakers(article, extract_quotes(article), nlp)


def resolve_corpus(articles: Sequence[Article], attributions: Iterable[Attribution]) -> Corpus:
    """The corpus of ``articles`` from their attributions (in article order): article-local
    entities merged into speakers across the whole corpus; ``Corpus.groups`` is left empty."""
    quotes: list[Quote] = []
    entities: list[Entity] = []
    speaker_of: dict[str, Entity | None] = {}
    reported: dict[str, Entity] = {}
    confidence: dict[str, float] = {}
    for attribution in attributions:
        quotes.extend(attribution.quotes)
        entities.extend(attribution.entities)
        speaker_of.update(attribution.speakers)
        reported.update(attribution.reported)
        confidence.update(attribution.confidence)
    uses = Counter(id(e) for e in speaker_of.values() if e is not None)
    speakers, assignment = resolve_speakers(entities, uses)
    used = {assignment[id(e)] for e in speaker_of.values() if e is not None}
    resolved = [
        msgspec.structs.replace(
            quote,
            speaker=assignment[id(entity)] if (entity := speaker_of.get(quote.id)) else None,
            speaker_confidence=round(confidence[quote.id], 3) if entity else None,
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


def analyse(
    articles: Sequence[Article], nlp: Language | None = None, *, progress: bool = False
) -> Corpus:
    """Quotes with speakers for every article; ``Corpus.groups`` is left empty.

    With ``progress``, a bar shows articles analysed, their rate and the time left.
    """
    from tqdm import tqdm

    language = nlp or load_language()
    bar = tqdm(articles, desc="analyse", unit="article", leave=False, disable=not progress)
    return resolve_corpus(articles, (analyse_article(article, language) for article in bar))
