"""Cues: the reporting verb, noun of saying or *according to* a quotation hangs from.

Rules 1-4 of :mod:`index.analyse.attribute` live here as functions over the spaCy parse of
one paragraph (:class:`Context`): the verb after the quote, the verb governing it, the nearest
reporting verb of its sentence, and *according to X*. Each returns the cue token (or
:data:`NOBODY` for a passive reporting verb with no agent), and :func:`speaker_token` the
subject that speaks through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.analyse.extract import Paragraph
from index.analyse.mentions import ArticleEntities
from index.models import Article, Quote
from index.text.lexicon import (
    RELATIVE_PRONOUNS,
    SPEECH_NOUNS,
    SPEECH_ONLY_ALONE,
    SPEECH_VERBS,
)

if TYPE_CHECKING:
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


@dataclass
class Context:
    """One paragraph of an article: its parse, which tokens are quoted, the entities so far."""

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


def sentence_window(ctx: Context, first: int, last: int) -> tuple[int, int]:
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


def closes_sentence(quote: Span) -> bool:
    """Whether the quoted words end with a full stop, which also ends the reporter's sentence."""
    return quote.text.rstrip().endswith(".")


def after_cue(ctx: Context, quote: Span, end: int) -> Token | None:
    """Rule 1: ``"…," he said`` / ``"…," said Mr Xi``."""
    doc = ctx.doc
    i = quote.end
    while i < end and doc[i].is_punct and doc[i].text not in SENTENCE_END:
        i += 1
    if i >= end or ctx.inside(doc[i]) or doc[i].text in SENTENCE_END:
        return None
    first = doc[i]
    if closes_sentence(quote) and first.text[:1].isupper():
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


def governing_cue(ctx: Context, quote: Span) -> Token | NoSpeaker | None:
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


def nearest_cue(ctx: Context, quote: Span, start: int, end: int) -> Token | None:
    """Rule 3: the nearest reporting verb of the sentence, outside quotations, before first."""
    doc = ctx.doc
    before = [t for t in doc[start : quote.start] if is_speech_verb(t) and not ctx.inside(t)]
    if before:
        return before[-1]
    after = [t for t in doc[quote.end : end] if is_speech_verb(t) and not ctx.inside(t)]
    return after[0] if after else None


def according_to(ctx: Context, start: int, end: int) -> Token | None:
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


def quote_span(doc: Doc, paragraph: Paragraph, quote: Quote) -> Span | None:
    """The tokens of a quotation in its paragraph's parse (None when they do not align)."""
    return doc.char_span(
        quote.start - paragraph.start, quote.end - paragraph.start, alignment_mode="expand"
    )
