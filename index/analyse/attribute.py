"""Attribute each quotation to the mention that speaks it.

The cue of a quotation is found by these rules, first match wins:

1. **After the quote**: a reporting verb whose subject starts right after the closing mark
   (``"…," he said``, ``"…," Mr Xi told reporters``) or that follows it inverted
   (``"…," said Mr Xi``).
2. **Governing verb**: the reporting verb the quotation hangs from in the parse
   (``Ruiz said the city would give "full support"``, ``praised the "partnership"``,
   ``went on to say, "…"``), or a noun of saying with a possessor (``his attacks on the
   'fake news'``). A passive reporting verb without an agent (``was described as "…"``) means
   nobody is named, and the quote gets no speaker.
3. **Nearest reporting verb** of the same sentence, outside quotations, before the quote first.
4. **According to X** (``"…", according to the report``).
5. **Continuation**: a quotation in a sentence with no cue takes the speaker of the previous
   quotation in its paragraph; a paragraph that opens with a quotation and has no cue continues
   the previous paragraph's last quotation, or its colon lead-in (``X said:``).
6. **Same words**: a headline's or a lede's quoted words that the body quotes with a speaker
   take that speaker. Headlines speak in metonyms (``China assures…``), so for a headline the
   body's speaker wins over a headline cue that is not a person.

Anything else gets no speaker rather than a guess.

The rules no longer decide: their pick is one candidate among those of
:mod:`index.analyse.candidates`, marked with the rule that made it, and the learned ranker
(:mod:`index.analyse.ranker`) chooses the speaker and gives its probability.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec

from index.analyse.candidates import (
    Candidate,
    Proposal,
    article_view,
    form_of,
    quote_candidates,
)
from index.analyse.cues import (
    Context,
    NoSpeaker,
    according_to,
    after_cue,
    closes_sentence,
    governing_cue,
    is_speech_verb,
    mask_dateline,
    nearest_cue,
    quote_span,
    sentence_window,
    speaker_token,
)
from index.analyse.extract import Paragraph, is_display_line, split_paragraphs
from index.analyse.mentions import ArticleEntities, Entity, missed_names, noun_phrase
from index.analyse.ranker import Weights, choose, load_weights
from index.analyse.referents import (
    continued_speaker,
    entity_of,
    fold_words,
    lead_in_speaker,
    name_before,
    reported_speaker,
    same_words,
)
from index.models import Article, Quote

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Token


@dataclass(frozen=True)
class Attribution:
    """Quotes with their cue filled in, and the article-local entity each one belongs to."""

    quotes: list[Quote]
    speakers: dict[str, Entity | None]
    entities: list[Entity]
    # Quotes whose words open by reporting someone else's speech ("X stated that …").
    reported: dict[str, Entity]
    # The ranker's probability for each quote's speaker (for nobody: that nobody speaks).
    confidence: dict[str, float]
    # Each quote's candidates with their features (what the ranker chose from).
    candidates: dict[str, list[Candidate]]


def attribute_speakers(
    article: Article, quotes: Sequence[Quote], nlp: Language, weights: Weights | None = None
) -> Attribution:
    """Find the cue and the speaking entity of every quotation of one article.

    ``weights`` is the ranker's model (the packaged one by default).
    """
    paragraphs = split_paragraphs(article.text)
    docs = list(nlp.pipe(mask_dateline(p.text) for p in paragraphs))
    by_paragraph: dict[int, list[Quote]] = {}
    for quote in quotes:
        by_paragraph.setdefault(quote.paragraph, []).append(quote)

    def inside_of(paragraph: Paragraph) -> Callable[[Token], bool]:
        # Quotes of a paragraph never overlap but for nesting, so the outermost spans, sorted,
        # answer "is this token inside a quotation?" by bisection.
        outer: list[tuple[int, int]] = []
        for quote in sorted(by_paragraph.get(paragraph.index, []), key=lambda q: q.start):
            if outer and quote.start - 1 < outer[-1][1]:
                outer[-1] = (outer[-1][0], max(outer[-1][1], quote.end + 1))
            else:
                outer.append((quote.start - 1, quote.end + 1))
        starts = [lo for lo, _ in outer]

        def inside(token: Token) -> bool:
            at = paragraph.start + token.idx
            k = bisect.bisect_right(starts, at) - 1
            return k >= 0 and at < outer[k][1]

        return inside

    entities = ArticleEntities()
    insides = [inside_of(p) for p in paragraphs]
    entities.add_names(
        [
            (p.start, ent)
            for p, doc, inside in zip(paragraphs, docs, insides, strict=True)
            for ent in (*doc.ents, *missed_names(doc))
            if not inside(ent.root)
        ]
    )
    speakers: dict[str, Entity | None] = {}
    cues: dict[str, tuple[str | None, str | None]] = {}
    pending: list[Quote] = []
    # The speaker of the previous paragraph's closing "X said:" or of its indirect speech
    # ("X said the plan had failed."), for a quotation that opens the next paragraph uncued.
    lead_in: Entity | None = None
    reported: dict[str, Entity] = {}
    proposals: dict[str, Proposal] = {}
    contexts: list[Context] = []
    # The speakers of the article's last two quotations (rules), for continuation and turns.
    last: list[Entity | None] = [None, None]
    continues = False
    for paragraph, doc, inside in zip(paragraphs, docs, insides, strict=True):
        ctx = Context(article, paragraph, doc, inside, entities)
        contexts.append(ctx)
        previous: Entity | None = None
        for quote in by_paragraph.get(paragraph.index, []):
            base = Proposal(
                entity=None,
                rule=None,
                previous=last[0],
                previous_2=last[1],
                lead_in=lead_in,
                continued=continues,
            )
            continues = quote.continues
            if not quote.headline and is_title(quote, paragraph):
                speakers[quote.id], cues[quote.id] = None, (None, "title")
                proposals[quote.id] = dataclasses.replace(base, title=True)
                continue
            source = reported_speaker(ctx, quote)
            if source is not None:
                reported[quote.id] = source
            entity, mention, cue, rule = _cue(ctx, quote, previous)
            if cue == PASSIVE:
                speakers[quote.id], cues[quote.id] = None, (None, cue)
                proposals[quote.id] = dataclasses.replace(base, passive=True)
                continue
            if entity is None and quote.headline:
                entity = headline_lead_in(ctx, quote)
                cue = "headline colon" if entity is not None else cue
                rule = "headline" if entity is not None else rule
            if entity is None and not quote.headline:
                opening = opens_paragraph(quote, paragraph)
                entity = previous or (
                    (lead_in or continued_speaker(quote, paragraph, quotes, speakers))
                    if opening
                    else None
                )
                cue = cue or ("continuation" if entity is not None else None)
                if entity is not None:
                    rule = "continuation" if previous is not None else "opening"
            proposals[quote.id] = dataclasses.replace(
                base,
                entity=entity,
                rule=rule if entity else None,
                form=form_of(mention),
                mention=mention,
            )
            if not quote.headline and entity is not None and entity is not last[0]:
                last = [entity, last[0]]
            if entity is None or (quote.headline and entity.kind != "person"):
                pending.append(quote)
            speakers[quote.id] = entity
            cues[quote.id] = (mention, cue)
            previous = entity or previous
        cued = paragraph.text.rstrip().endswith(":") or not by_paragraph.get(paragraph.index)
        lead_in = lead_in_speaker(ctx) if cued and not is_display_line(paragraph.text) else None
    folded = {quote.id: f" {fold_words(quote.text)} " for quote in quotes} if pending else {}
    for quote in pending:
        body = same_words(quote, quotes, speakers, folded)
        if body is not None:
            speakers[quote.id] = body
            cues[quote.id] = (None, "same words")
            proposals[quote.id] = dataclasses.replace(
                proposals[quote.id], entity=body, rule="same_words"
            )
    weights = weights or load_weights()
    view = article_view(entities.timeline, lambda c, token: entity_of(c, token, None), contexts)
    candidates: dict[str, list[Candidate]] = {}
    confidence: dict[str, float] = {}
    for quote in quotes:
        k = quote.paragraph
        before = contexts[k - 1] if k > 0 else None
        found = quote_candidates(
            contexts[k], before, quote, proposals[quote.id], view, list(entities.timeline)
        )
        candidates[quote.id] = found
        choice = choose(weights, found)
        speakers[quote.id], confidence[quote.id] = choice.entity, choice.probability
    attributed = [
        msgspec.structs.replace(quote, mention=cues[quote.id][0], cue=cues[quote.id][1])
        for quote in quotes
    ]
    return Attribution(attributed, speakers, entities.entities, reported, confidence, candidates)


PASSIVE = "passive, no agent"


def _cue(
    ctx: Context, quote: Quote, previous: Entity | None
) -> tuple[Entity | None, str | None, str | None, str | None]:
    """Rules 1–4 for one quotation: (entity, mention as written, cue word, rule name)."""
    span = quote_span(ctx.doc, ctx.paragraph, quote)
    if span is None:
        return None, None, None, None
    start, end = sentence_window(ctx, span.start, span.end - 1)
    after = span.end + 1  # past the closing mark
    if closes_sentence(span) and after < end and ctx.doc[after].text[:1].isupper():
        end = after
    rule = "after"
    found: Token | NoSpeaker | None = after_cue(ctx, span, end)
    if found is None:
        found, rule = governing_cue(ctx, span), "governing"
    if found is None:
        found, rule = nearest_cue(ctx, span, start, end), "nearest"
    if isinstance(found, NoSpeaker):
        return None, None, PASSIVE, None
    subject: Token | NoSpeaker | None = None
    cue: str | None = None
    if found is not None:
        subject = speaker_token(found) if is_speech_verb(found) else found
        subject = subject or name_before(ctx, found, start)
        cue = found.text
    if subject is None:
        subject = according_to(ctx, start, end)
        cue = "according to" if subject is not None else cue
        rule = "according"
    if isinstance(subject, NoSpeaker):
        return None, None, PASSIVE, None
    if subject is None:
        return None, None, cue, None
    lo, hi = noun_phrase(subject)
    return entity_of(ctx, subject, previous), ctx.doc[lo:hi].text, cue, rule


HEADLINE_LEAD_IN = re.compile(r"^\s*((?:[A-Z][\w.'’-]*\s+){0,4}[A-Z][\w.'’-]*)\s*:\s*[\"'“‘«]?$")


def headline_lead_in(ctx: Context, quote: Quote) -> Entity | None:
    """The name a headline puts before a colon and the quote (``Name: ‘…’``), if known."""
    before = ctx.paragraph.text[: quote.start - ctx.paragraph.start]
    found = HEADLINE_LEAD_IN.match(before)
    if found is None:
        return None
    return ctx.entities.by_name(found.group(1).split(), quote.start)


MINOR_WORDS = frozenset("a an the of and or in on at to for with by from as vs".split())
TITLE_BEFORE = re.compile(
    r"(?:\b(?:of|on|show|program|programme|book|film|movie|series|called|titled|"
    r"entitled|hosts?|anchor|episode|segment))\s*[\"'“‘«]+$",
    re.IGNORECASE,
)


def is_title(quote: Quote, paragraph: Paragraph) -> bool:
    """A title in quotation marks (``on "Morning Joe"``, ``a book called "Women Who Work"``):
    short, every word capitalised, after "on", "of" or a word that names a work. Not after a
    possessive: ``Trump's "Crooked Hillary"`` is the possessor's words."""
    words = re.findall(r"[^\W_]+(?:['’][^\W_]+)?", quote.text)
    if not words or len(words) > 7:
        return False
    if not all(w[:1].isupper() or w[:1].isdigit() or w in MINOR_WORDS for w in words):
        return False
    before = paragraph.text[: quote.start - paragraph.start]
    return TITLE_BEFORE.search(before) is not None


def opens_paragraph(quote: Quote, paragraph: Paragraph) -> bool:
    return quote.start - paragraph.start <= 1 + len(paragraph.text) - len(paragraph.text.lstrip())
