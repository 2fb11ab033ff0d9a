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
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec

from index.extract import Paragraph, is_display_line, split_paragraphs
from index.lexicon import (
    DOCUMENT_NOUNS,
    PERSON_ROLES,
    PERSONAL_PRONOUNS,
    RELATIVE_PRONOUNS,
    SPEECH_NOUNS,
    SPEECH_ONLY_ALONE,
    SPEECH_VERBS,
    UNNAMED_GROUPS,
)
from index.mentions import ORG_LABELS, ArticleEntities, Entity, noun_phrase
from index.models import Article, Quote

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

SENTENCE_END = frozenset({".", "!", "?", "…"})
# How far a quotation's sentence may reach, in tokens, on either side (a long news sentence
# has about 60; a reporting cue is never further away).
WINDOW_TOKENS = 80
NP_POS = frozenset({"PROPN", "PRON", "NOUN", "DET", "ADJ", "ADV", "PUNCT", "NUM", "PART", "CCONJ"})
CLIMB_DEPS = frozenset({"advcl", "xcomp", "conj", "ccomp", "pcomp", "relcl", "prep", "pobj"})


class NoSpeaker:
    """A cue that names nobody on purpose: a passive reporting verb with no agent."""


NOBODY = NoSpeaker()


@dataclass(frozen=True)
class Attribution:
    """Quotes with their cue filled in, and the article-local entity each one belongs to."""

    quotes: list[Quote]
    speakers: dict[str, Entity | None]
    entities: list[Entity]
    # Quotes whose words open by reporting someone else's speech ("X stated that …").
    reported: dict[str, Entity]


@dataclass
class _Context:
    article: Article
    paragraph: Paragraph
    doc: Doc
    inside: Callable[[Token], bool]
    entities: ArticleEntities


# "LONDON, May 3 (Reuters) - ", "WASHINGTON (AP) — ": a wire dateline before the first sentence.
DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]+"  # the place, in capitals
    r"(?:,\s*[A-Z][A-Za-z.]*(?:\s+[A-Z][A-Za-z.]*)*)?"  # its country or state
    r"(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"  # the date
    r"(?:\s*\([A-Za-z .&-]+\))?\s*[-–—]+\s+"
)


def mask_dateline(paragraph: str) -> str:
    """Blank out a leading dateline (keeping offsets) so it does not parse as a subject."""
    match = DATELINE.match(paragraph)
    return " " * match.end() + paragraph[match.end() :] if match else paragraph


def is_speech_verb(token: Token) -> bool:
    """A verb of saying; verbs that also mean something else count only when used alone
    ("he continued", not "would continue to provide"; "maintained that", not "maintain support")."""
    lemma = token.lemma_.casefold()
    if token.pos_ not in {"VERB", "AUX"} or lemma not in SPEECH_VERBS:
        return False
    if lemma in SPEECH_ONLY_ALONE:
        return not any(c.dep_ in {"dobj", "xcomp", "prep", "prt", "attr"} for c in token.children)
    return True


def speaker_token(verb: Token) -> Token | NoSpeaker | None:
    """The token naming who performs a reporting verb, climbing through subjectless clauses."""
    for _ in range(8):
        subject = next((c for c in verb.children if c.dep_ in {"nsubj", "csubj"}), None)
        if subject is not None:
            if subject.lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                return verb.head
            return subject
        if any(c.dep_ in {"nsubjpass", "auxpass"} for c in verb.children):
            agent = next((c for c in verb.children if c.dep_ == "agent"), None)
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent else None
            return pobj if pobj is not None else NOBODY
        if verb.dep_ == "acl" and verb.head.pos_ in {"NOUN", "PROPN"}:
            return verb.head  # "a document calling for …"
        if verb.dep_ not in CLIMB_DEPS or verb.head is verb:
            return None
        if (
            verb.dep_ == "advcl"
            and verb.tag_ == "VBG"
            and verb.head.dep_ == "ccomp"
            and is_speech_verb(verb.head.head)
        ):
            # "X says A will do B, assuring C": the participle belongs to the reporting clause.
            verb = verb.head.head
            continue
        if verb.head.lemma_ in {"quote", "cite"}:  # "quoted X as saying", "X was quoted as saying"
            obj = next((c for c in verb.head.children if c.dep_ in {"dobj", "nsubjpass"}), None)
            if obj is not None:
                return obj
        verb = verb.head
    return None


def _window(ctx: _Context, first: int, last: int) -> tuple[int, int]:
    """Token range of the sentence around tokens [first, last], ignoring stops inside quotes.

    A sentence reaches at most :data:`WINDOW_TOKENS` tokens either side of the quotation, so a
    paragraph of thousands of marks costs linear time, not quadratic.
    """
    doc = ctx.doc
    start = first
    while start > max(0, first - WINDOW_TOKENS):
        previous = doc[start - 1]
        if previous.text in SENTENCE_END and not ctx.inside(previous):
            break
        start -= 1
    end = last + 1
    while end < min(len(doc), last + WINDOW_TOKENS):
        token = doc[end]
        end += 1
        if token.text in SENTENCE_END and not ctx.inside(token):
            break
    return start, end


def _closes_sentence(quote: Span) -> bool:
    """Whether the quoted words end with a full stop, which also ends the reporter's sentence."""
    return quote.text.rstrip().endswith(".")


def _after_cue(ctx: _Context, quote: Span, end: int) -> Token | None:
    """Rule 1: ``"…," he said`` / ``"…," said Mr Xi``."""
    doc = ctx.doc
    i = quote.end
    while i < end and doc[i].is_punct and doc[i].text not in SENTENCE_END:
        i += 1
    if i >= end or ctx.inside(doc[i]) or doc[i].text in SENTENCE_END:
        return None
    first = doc[i]
    if _closes_sentence(quote) and first.text[:1].isupper():
        return None  # "… the authorities.” Its chief executive said …": a new sentence
    for token in doc[i : min(end, i + 14)]:
        if ctx.inside(token):
            return None
        if not is_speech_verb(token):
            continue
        subject = speaker_token(token)
        if isinstance(subject, NoSpeaker) or subject is None:
            if all(t.pos_ in NP_POS for t in doc[first.i : token.i]) and token.i > first.i:
                return token
            return None
        if subject.left_edge.i == first.i or subject.i == first.i:
            return token
        if token.i == first.i and subject.i > token.i:
            return token
        return None
    return None


def _governing_cue(ctx: _Context, quote: Span) -> Token | NoSpeaker | None:
    """Rule 2: a reporting verb or a possessed noun of saying that the quotation hangs from."""
    attachments = [t for t in quote if not (quote.start <= t.head.i < quote.end) and not t.is_punct]
    for token in attachments:
        node = token.head
        for _ in range(12):
            if not ctx.inside(node):
                if is_speech_verb(node):
                    return node
                if node.lower_ in SPEECH_NOUNS:
                    possessor = next((c for c in node.children if c.dep_ == "poss"), None)
                    if possessor is not None:
                        return possessor
            if node.head is node:
                break
            node = node.head
    # The quotation is the main clause and the reporting verb hangs from it.
    for token in quote:
        for child in token.children:
            outside = not (quote.start <= child.i < quote.end) and not ctx.inside(child)
            if outside and is_speech_verb(child):
                return child
    return None


def _nearest_cue(ctx: _Context, quote: Span, start: int, end: int) -> Token | None:
    """Rule 3: the nearest reporting verb of the sentence, outside quotations, before first."""
    doc = ctx.doc
    before = [t for t in doc[start : quote.start] if is_speech_verb(t) and not ctx.inside(t)]
    if before:
        return before[-1]
    after = [t for t in doc[quote.end : end] if is_speech_verb(t) and not ctx.inside(t)]
    return after[0] if after else None


def _according_to(ctx: _Context, start: int, end: int) -> Token | None:
    """Rule 4: the object of "according to" in the sentence."""
    doc = ctx.doc
    for token in doc[start:end]:
        if (
            token.lower_ == "according"
            and token.i + 1 < len(doc)
            and doc[token.i + 1].lower_ == "to"
        ):
            pobj = next((c for c in doc[token.i + 1].children if c.dep_ == "pobj"), None)
            if pobj is not None and not ctx.inside(pobj):
                return pobj
    return None


def _entity_of(ctx: _Context, token: Token, previous: Entity | None) -> Entity | None:
    """The entity a cue's subject token refers to."""
    offset = ctx.paragraph.start + token.idx
    entities = ctx.entities
    lower = token.lower_
    if lower in PERSONAL_PRONOUNS or lower in {"his", "hers"}:
        entity = _cataphor(ctx, token) if token.dep_ == "poss" else None
        entity = entity or entities.last_subject_person(offset)
        if entity is not None:
            entities.note(offset, entity, subject=token.dep_ in {"nsubj", "nsubjpass"})
        return entity
    if token.pos_ == "PRON":
        if lower in {"they", "it"} and previous is not None and previous.kind != "person":
            return previous
        return None
    token = _issuer(_named_apposition(token))
    ent = _ent_of(token)
    if ent is not None and ent.label_ == "PERSON":
        return entities.by_name([t.text for t in ent if not t.is_punct], offset)
    start, end = noun_phrase(token)
    phrase = token.doc[start:end]
    words = [t.text for t in phrase if not t.is_punct]
    if ent is not None and ent.label_ in ORG_LABELS:
        name_words = [t.text for t in ent if t.lower_ != "the" and not t.is_punct]
        known = entities.by_name(name_words, offset) or entities.by_organisation(name_words, offset)
        return known or entities.description_entity(
            " ".join(name_words) or ent.text, "organisation"
        )
    if token.text[:1].isupper():  # a name the tagger missed may still be a known one
        known = entities.by_name(words, offset)
        if known is not None:
            return known
    if lower in PERSON_ROLES or token.lemma_.casefold() in PERSON_ROLES:
        known = entities.by_description(words, offset)
        if known is not None:
            entities.note(offset, known, subject=token.dep_ in {"nsubj", "nsubjpass"})
            return known
    if token.pos_ == "PROPN":
        return entities.description_entity(" ".join(words), "person")
    if token.pos_ not in {"NOUN", "PROPN"} and lower not in UNNAMED_GROUPS:
        return None
    organisation = entities.by_organisation(words, offset)
    if organisation is not None:
        return organisation
    if lower in PERSON_ROLES or token.lemma_.casefold() in PERSON_ROLES:
        # "a spokesperson for the ministry", "a fellow at the institute": keep who they serve
        for child in token.rights:
            if child.dep_ == "prep" and child.lower_ in {"for", "of", "at", "with"}:
                pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if pobj is not None:
                    phrase = token.doc[start : noun_phrase(pobj)[1]]
                break
    return entities.description_entity(phrase.text.strip(" ,"), lower)


def _ent_of(token: Token) -> Span | None:
    return next((e for e in token.doc.ents if e.start <= token.i < e.end), None)


def _named_apposition(token: Token) -> Token:
    """ "The union's general secretary, Jo Bloggs, said", "The operator, Acme Lines, said": the
    name in apposition to a description speaks."""
    if _ent_of(token) is not None:
        return token
    named = [
        c
        for c in token.children
        if c.dep_ == "appos" and c.ent_type_ in {"PERSON", "ORG"} and c.i > token.i
    ]
    return named[0] if named else token


def _issuer(token: Token) -> Token:
    """ "A statement from Acme", "a report by the agency": the document speaks for its issuer."""
    if token.lemma_.casefold() not in DOCUMENT_NOUNS:
        return token
    for child in token.rights:
        if child.dep_ == "prep" and child.lower_ in {"from", "by", "of"}:
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None and (pobj.ent_type_ in {"PERSON", "ORG"} or pobj.pos_ == "PROPN"):
                return pobj
    return token


def _cataphor(ctx: _Context, possessive: Token) -> Entity | None:
    """``Despite his attacks …, Trump remains …``: the later subject a fronted "his" means."""
    node = possessive
    while node.head is not node and node.pos_ not in {"VERB", "AUX"}:
        node = node.head
    subject = next((c for c in node.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.i < possessive.i:
        return None
    ent = next((e for e in subject.doc.ents if e.start <= subject.i < e.end), None)
    if ent is None or ent.label_ != "PERSON":
        return None
    return ctx.entities.by_name([t.text for t in ent], ctx.paragraph.start + subject.idx)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    for mark in "\u2019\u2018\u00b4`":
        text = text.replace(mark, "'")
    return " ".join("".join(c if c.isalnum() or c == "'" else " " for c in text).split())


def _same_words(
    quote: Quote,
    quotes: Sequence[Quote],
    speakers: dict[str, Entity | None],
    folded: dict[str, str],
) -> Entity | None:
    """Rule 6: the speaker of a body quotation that contains this quotation's words.

    ``folded`` holds every quote's folded text padded with spaces, computed once per article.
    """
    words = folded[quote.id]
    if not words.strip():
        return None
    containing = [
        other
        for other in quotes
        if other.id != quote.id and speakers.get(other.id) is not None and words in folded[other.id]
    ]
    containing.sort(key=lambda other: (other.headline, -len(other.text)))
    return speakers[containing[0].id] if containing else None


def _quote_span(doc: Doc, paragraph: Paragraph, quote: Quote) -> Span | None:
    return doc.char_span(
        quote.start - paragraph.start, quote.end - paragraph.start, alignment_mode="expand"
    )


def attribute_speakers(article: Article, quotes: Sequence[Quote], nlp: Language) -> Attribution:
    """Find the cue and the speaking entity of every quotation of one article."""
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
            for ent in doc.ents
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
    for paragraph, doc, inside in zip(paragraphs, docs, insides, strict=True):
        ctx = _Context(article, paragraph, doc, inside, entities)
        previous: Entity | None = None
        for quote in by_paragraph.get(paragraph.index, []):
            source = _reported_speaker(ctx, quote)
            if source is not None:
                reported[quote.id] = source
            entity, mention, cue = _cue(ctx, quote, previous)
            if cue == PASSIVE:
                speakers[quote.id], cues[quote.id] = None, (None, cue)
                continue
            if entity is None and not quote.headline:
                opening = _opens_paragraph(quote, paragraph)
                entity = previous or (
                    (lead_in or _continued_speaker(quote, paragraph, quotes, speakers))
                    if opening
                    else None
                )
                cue = cue or ("continuation" if entity is not None else None)
            if entity is None or (quote.headline and entity.kind != "person"):
                pending.append(quote)
            speakers[quote.id] = entity
            cues[quote.id] = (mention, cue)
            previous = entity or previous
        cued = paragraph.text.rstrip().endswith(":") or not by_paragraph.get(paragraph.index)
        lead_in = _lead_in(ctx) if cued and not is_display_line(paragraph.text) else None
    folded = {quote.id: f" {_fold(quote.text)} " for quote in quotes} if pending else {}
    for quote in pending:
        body = _same_words(quote, quotes, speakers, folded)
        if body is not None:
            speakers[quote.id] = body
            cues[quote.id] = (None, "same words")
    attributed = [
        msgspec.structs.replace(quote, mention=cues[quote.id][0], cue=cues[quote.id][1])
        for quote in quotes
    ]
    return Attribution(attributed, speakers, entities.entities, reported)


PASSIVE = "passive, no agent"


def _cue(
    ctx: _Context, quote: Quote, previous: Entity | None
) -> tuple[Entity | None, str | None, str | None]:
    """Rules 1–4 for one quotation: (entity, mention as written, cue word)."""
    span = _quote_span(ctx.doc, ctx.paragraph, quote)
    if span is None:
        return None, None, None
    start, end = _window(ctx, span.start, span.end - 1)
    after = span.end + 1  # past the closing mark
    if _closes_sentence(span) and after < end and ctx.doc[after].text[:1].isupper():
        end = after
    found = _after_cue(ctx, span, end) or _governing_cue(ctx, span)
    found = found or _nearest_cue(ctx, span, start, end)
    if isinstance(found, NoSpeaker):
        return None, None, PASSIVE
    subject: Token | NoSpeaker | None = None
    cue: str | None = None
    if found is not None:
        subject = speaker_token(found) if is_speech_verb(found) else found
        subject = subject or _name_before(ctx, found, start)
        cue = found.text
    if subject is None:
        subject = _according_to(ctx, start, end)
        cue = "according to" if subject is not None else cue
    if isinstance(subject, NoSpeaker):
        return None, None, PASSIVE
    if subject is None:
        return None, None, cue
    lo, hi = noun_phrase(subject)
    return _entity_of(ctx, subject, previous), ctx.doc[lo:hi].text, cue


def _reported_speaker(ctx: _Context, quote: Quote) -> Entity | None:
    """A quotation that opens "<Name> <reporting verb> …" reports that person's statement."""
    span = _quote_span(ctx.doc, ctx.paragraph, quote)
    if span is None:
        return None
    words = [t for t in span if not t.is_punct]
    if len(words) < 4 or words[0].ent_type_ != "PERSON":
        return None
    ent = next(e for e in ctx.doc.ents if e.start <= words[0].i < e.end)
    after = ctx.doc[ent.end] if ent.end < len(ctx.doc) else None
    if after is None or not is_speech_verb(after) or ent.root.dep_ != "nsubj":
        return None
    return ctx.entities.by_name([t.text for t in ent], ctx.paragraph.start + ent.start_char)


def _name_before(ctx: _Context, verb: Token, start: int) -> Token | None:
    """When the parse gives a reporting verb no subject: the nearest person named before it."""
    names = [
        e.root
        for e in ctx.doc.ents
        if e.label_ == "PERSON" and start <= e.start and e.end <= verb.i and not ctx.inside(e.root)
    ]
    return names[-1] if names else None


def _lead_in(ctx: _Context) -> Entity | None:
    """The speaker of a paragraph's last sentence when it reports speech ("X said:")."""
    doc = ctx.doc
    last = list(doc.sents)[-1] if len(doc) else None
    verbs = [t for t in last or () if is_speech_verb(t) and not ctx.inside(t)]
    if not verbs:
        return None
    subject = speaker_token(verbs[-1])
    if subject is None or isinstance(subject, NoSpeaker):
        return None
    return _entity_of(ctx, subject, None)


def _opens_paragraph(quote: Quote, paragraph: Paragraph) -> bool:
    return quote.start - paragraph.start <= 1 + len(paragraph.text) - len(paragraph.text.lstrip())


def _continued_speaker(
    quote: Quote, paragraph: Paragraph, quotes: Sequence[Quote], speakers: dict[str, Entity | None]
) -> Entity | None:
    """Rule 5 across paragraphs: an opening quotation continues the previous paragraph's speaker."""
    earlier = [q for q in quotes if q.paragraph == paragraph.index - 1 and not q.headline]
    if not earlier:
        return None
    return speakers.get(earlier[-1].id)
