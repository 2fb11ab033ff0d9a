"""Referents: the entity a cue's subject, a continued quotation or a repeated quote names.

:func:`entity_of` resolves a subject token (a name, a pronoun, a title, a role description, an
issuer such as "a statement from X") to an article-local :class:`~index.analyse.mentions.Entity`;
the other functions carry a speaker to quotations that have no cue of their own (rules 5 and 6
of :mod:`index.analyse.attribute`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from index.analyse.cues import Context, NoSpeaker, is_speech_verb, quote_span, speaker_token
from index.analyse.extract import Paragraph
from index.analyse.mentions import ORG_LABELS, Entity, name_words, noun_phrase
from index.models import Quote
from index.text.lexicon import (
    BODY_NOUNS,
    BUSINESS_NOUNS,
    DOCUMENT_NOUNS,
    PERSON_ROLES,
    PERSONAL_PRONOUNS,
    UNNAMED_GROUPS,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


def entity_of(ctx: Context, token: Token, previous: Entity | None) -> Entity | None:
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
        return entities.by_name(name_words(ent), offset)
    start, end = noun_phrase(token)
    phrase = token.doc[start:end]
    words = name_words(phrase)
    if ent is not None and ent.label_ in ORG_LABELS:
        org_words = [w for w in name_words(ent) if w.casefold() != "the"]
        known = entities.by_name(org_words, offset) or entities.by_organisation(org_words, offset)
        return known or entities.description_entity(" ".join(org_words) or ent.text, "organisation")
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
    if not _may_speak(token, phrase):
        return None
    return entities.description_entity(phrase.text.strip(" ,"), lower)


def _may_speak(token: Token, phrase: Span) -> bool:
    """Whether a description can be a source: people, a body, a document or a named thing.

    "The decision", "a fact" and "her plan" cannot: their quotes get no speaker.
    """
    lemma = token.lemma_.casefold()
    if any(t.text[:1].isupper() for t in phrase if t.i != phrase.start or t.i == token.i):
        return True
    words = {token.lower_, lemma}
    return bool(
        words & (PERSON_ROLES | UNNAMED_GROUPS | BUSINESS_NOUNS | BODY_NOUNS | DOCUMENT_NOUNS)
    )


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


def _cataphor(ctx: Context, possessive: Token) -> Entity | None:
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


def fold_words(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    for mark in "\u2019\u2018\u00b4`":
        text = text.replace(mark, "'")
    return " ".join("".join(c if c.isalnum() or c == "'" else " " for c in text).split())


def same_words(
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


def reported_speaker(ctx: Context, quote: Quote) -> Entity | None:
    """A quotation that opens "<Name> <reporting verb> …" reports that person's statement."""
    span = quote_span(ctx.doc, ctx.paragraph, quote)
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


def name_before(ctx: Context, verb: Token, start: int) -> Token | None:
    """When the parse gives a reporting verb no subject: the nearest person named before it."""
    names = [
        e.root
        for e in ctx.doc.ents
        if e.label_ == "PERSON" and start <= e.start and e.end <= verb.i and not ctx.inside(e.root)
    ]
    return names[-1] if names else None


def lead_in_speaker(ctx: Context) -> Entity | None:
    """The speaker of a paragraph's last sentence when it reports speech ("X said:")."""
    doc = ctx.doc
    last = list(doc.sents)[-1] if len(doc) else None
    verbs = [t for t in last or () if is_speech_verb(t) and not ctx.inside(t)]
    if not verbs:
        return None
    subject = speaker_token(verbs[-1])
    if subject is None or isinstance(subject, NoSpeaker):
        return None
    return entity_of(ctx, subject, None)


def continued_speaker(
    quote: Quote, paragraph: Paragraph, quotes: Sequence[Quote], speakers: dict[str, Entity | None]
) -> Entity | None:
    """Rule 5 across paragraphs: an opening quotation continues the previous paragraph's speaker."""
    earlier = [q for q in quotes if q.paragraph == paragraph.index - 1 and not q.headline]
    if not earlier:
        return None
    return speakers.get(earlier[-1].id)
