"""Speaker candidates of one quotation, each described by features for the ranker.

The rules of :mod:`index.analyse.attribute` propose one speaker per quotation; here they are
one voice among several. Every quotation gets as candidates:

- the rules' pick, marked with the rule that made it (verb after the quote, governing verb,
  nearest verb, *according to*, continuation, colon lead-in, same words, headline colon);
- the speakers of the two previous quotations (continuation, and turns in an interview),
  the previous paragraph's colon lead-in, and the person last named as a clause subject;
- every person or organisation mentioned in the quotation's paragraph or the one before, with
  where the mention is (same sentence, before or after the quote, previous paragraph), how
  far, and whether it is a clause subject;
- the subjects of reporting verbs nearby, and the subject of the verb the quote hangs from
  ("X slammed the 'rigged' system"), with the form of the mention (name, pronoun, description);
- *nobody* (``entity=None``), described by the quotation: short, a title, no cue anywhere.

Features are general news conventions, named strings with float values; :mod:`index.analyse.ranker`
weighs them. Pure functions over the spaCy parse, no I/O.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from index.analyse.cues import (
    Context,
    NoSpeaker,
    is_speech_verb,
    quote_span,
    sentence_window,
    speaker_token,
)
from index.analyse.genders import genders, pronoun_gender
from index.analyse.mentions import Entity, Occurrence
from index.models import Quote
from index.text.lexicon import PERSONAL_PRONOUNS

if TYPE_CHECKING:
    from spacy.tokens import Token

# The rules' names as the proposal records them (``rule_<name>`` features).
RULES = (
    "after",
    "governing",
    "nearest",
    "according",
    "continuation",
    "opening",
    "headline",
    "same_words",
)
# Features copied with an ``uncued_`` prefix when no rule found a cue for the quotation.
UNCUED = (
    "previous",
    "previous_2",
    "lead_in",
    "last_subject",
    "mention_sentence_before",
    "mention_sentence_after",
    "mention_paragraph_before",
    "mention_paragraph_after",
    "mention_previous_paragraph",
    "speech_subject_paragraph",
    "speech_subject_previous_paragraph",
    "verb_subject",
)


@dataclass(frozen=True)
class Proposal:
    """What the rules said about one quotation, and the speakers around it."""

    entity: Entity | None
    rule: str | None
    # How the rules' cue names the speaker: "pronoun", "name" or "description".
    form: str | None = None
    # The cue's mention as written ("she", "Ms Park").
    mention: str | None = None
    passive: bool = False
    title: bool = False
    previous: Entity | None = None
    previous_2: Entity | None = None
    lead_in: Entity | None = None
    # The previous quotation has no closing mark: this one goes on with it.
    continued: bool = False


@dataclass
class Candidate:
    """A possible speaker of one quotation (``None``: nobody) and its features."""

    entity: Entity | None
    features: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str, value: float = 1.0) -> None:
        self.features[name] = max(self.features.get(name, value), value)


Resolve = Callable[[Context, "Token"], Entity | None]


@dataclass
class ArticleView:
    """Per-article state the features share: mention counts and each paragraph's speech
    subjects (computed once per paragraph)."""

    counts: Counter[int]
    top_person: Entity | None
    resolve: Resolve
    # Each person's grammatical gender as the article shows it ("he"/"she"), where it does.
    genders: dict[int, str] = field(default_factory=dict)
    _subjects: dict[int, list[tuple[int, Entity, str]]] = field(default_factory=dict)

    def speech_subjects(self, ctx: Context) -> list[tuple[int, Entity, str]]:
        """(token index of the verb, entity, mention form) of the paragraph's reporting verbs."""
        key = ctx.paragraph.index
        if key not in self._subjects:
            found = []
            for token in ctx.doc:
                if not is_speech_verb(token) or ctx.inside(token):
                    continue
                subject = speaker_token(token)
                if subject is None or isinstance(subject, NoSpeaker) or ctx.inside(subject):
                    continue
                entity = self.resolve(ctx, subject)
                if entity is not None:
                    found.append((token.i, entity, mention_form(subject)))
            self._subjects[key] = found
        return self._subjects[key]


def article_view(
    timeline: Sequence[Occurrence], resolve: Resolve, contexts: Sequence[Context] = ()
) -> ArticleView:
    """Counts of each entity's mentions over the article, its most mentioned person, and the
    genders the article gives its people."""
    counts: Counter[int] = Counter(id(o.entity) for o in timeline)
    people = [o.entity for o in timeline if o.entity.kind == "person"]
    top = max(people, key=lambda e: counts[id(e)], default=None)
    return ArticleView(
        counts=counts, top_person=top, resolve=resolve, genders=genders(timeline, contexts)
    )


def mention_form(token: Token) -> str:
    """How a mention names its entity: ``pronoun``, ``name`` or ``description``."""
    if token.lower_ in PERSONAL_PRONOUNS or token.pos_ == "PRON":
        return "pronoun"
    if token.ent_type_ in {"PERSON", "ORG"} or token.pos_ == "PROPN":
        return "name"
    return "description"


def _distance(chars: int) -> float:
    """A distance in characters on a log scale (about one unit per doubling of words)."""
    return math.log1p(max(chars, 0) / 6.0)


def governing_subject(ctx: Context, first: int, last: int) -> Token | None:
    """The subject of the nearest verb outside the quotation that the quotation hangs from."""
    doc = ctx.doc
    for token in doc[first:last]:
        node = token.head
        if first <= node.i < last:
            continue
        for _ in range(6):
            if node.pos_ in {"VERB", "AUX"} and not ctx.inside(node):
                subject = next((c for c in node.children if c.dep_ == "nsubj"), None)
                return subject if subject is not None and not ctx.inside(subject) else None
            if node.head is node:
                break
            node = node.head
    return None


def quote_candidates(
    ctx: Context,
    before: Context | None,
    quote: Quote,
    proposal: Proposal,
    view: ArticleView,
    timeline: Sequence[Occurrence],
) -> list[Candidate]:
    """Every candidate speaker of ``quote`` (nobody last), with its features."""
    by_entity: dict[int, Candidate] = {}

    def candidate(entity: Entity) -> Candidate:
        if id(entity) not in by_entity:
            by_entity[id(entity)] = Candidate(entity)
        return by_entity[id(entity)]

    if proposal.entity is not None:
        candidate(proposal.entity).mark(f"rule_{proposal.rule or 'other'}")
        if proposal.form is not None:
            candidate(proposal.entity).mark(f"rule_form_{proposal.form}")
    for name in ("previous", "previous_2", "lead_in"):
        entity = getattr(proposal, name)
        if entity is not None:
            candidate(entity).mark(name)

    span = quote_span(ctx.doc, ctx.paragraph, quote)
    base = ctx.paragraph.start
    cue_in_sentence = False
    if span is not None:
        start, end = sentence_window(ctx, span.start, max(span.start, span.end - 1))
        lo = base + ctx.doc[start].idx if start < len(ctx.doc) else quote.start
        hi = base + (ctx.doc[end - 1].idx + len(ctx.doc[end - 1]) if end > start else quote.end)
        low_para = before.paragraph.start if before is not None else ctx.paragraph.start
        for occurrence in timeline:
            offset, entity = occurrence.offset, occurrence.entity
            if offset < low_para or offset > ctx.paragraph.end:
                continue
            found = candidate(entity)
            if offset < ctx.paragraph.start:
                found.mark("mention_previous_paragraph")
                where = quote.start - offset
            else:
                scope = "sentence" if lo <= offset < hi else "paragraph"
                side = "before" if offset < quote.start else "after"
                found.mark(f"mention_{scope}_{side}")
                where = quote.start - offset if side == "before" else offset - quote.end
            found.mark("closeness", 1.0 / (1.0 + _distance(where)))
            if occurrence.subject:
                found.mark("mention_subject")
        for verb, entity, form in view.speech_subjects(ctx):
            found = candidate(entity)
            if start <= verb < end:
                cue_in_sentence = True
                found.mark("speech_subject_sentence")
            else:
                found.mark("speech_subject_paragraph")
            found.mark(f"form_{form}")
        if before is not None:
            for _, entity, _form in view.speech_subjects(before):
                candidate(entity).mark("speech_subject_previous_paragraph")
        subject = governing_subject(ctx, span.start, span.end)
        if subject is not None:
            entity = view.resolve(ctx, subject)
            if entity is not None:
                candidate(entity).mark("verb_subject")
                candidate(entity).mark(f"form_{mention_form(subject)}")

    opening = quote.start - ctx.paragraph.start <= 2
    _nearest(by_entity)
    said_by = pronoun_gender(proposal.mention) if proposal.form == "pronoun" else None
    if said_by is not None:
        _antecedents(by_entity, timeline, quote.start, said_by, view.genders)
    for found in by_entity.values():
        entity = found.entity
        assert entity is not None
        found.mark(f"kind_{entity.kind}")
        if not entity.name[:1].isupper():
            found.mark("lowercase_name")  # a description: "a statement", "the minister"
        if proposal.entity is entity:
            found.mark(f"rule_pick_{entity.kind}")
            found.mark(f"rule_pick_on_{quote.kind}")
        if entity.kind == "person" and len(entity.name.split()) >= 2:
            found.mark("full_name")
        found.mark("log_mentions", math.log1p(view.counts[id(entity)]))
        if entity is view.top_person:
            found.mark("top_person")
        if proposal.rule is None:
            for name in UNCUED:
                if name in found.features:
                    found.mark(f"uncued_{name}", found.features[name])
        if opening and "mention_previous_paragraph" in found.features:
            found.mark("opening_previous_paragraph")
        if quote.headline:
            found.mark("headline")
        if proposal.continued and "previous" in found.features:
            found.mark("previous_continued")
        gender = view.genders.get(id(entity))
        if said_by is not None and entity.kind == "person" and gender is not None:
            found.mark("pronoun_agrees" if gender == said_by else "pronoun_clashes")
        elif said_by is not None and entity.kind != "person":
            found.mark("pronoun_clashes")
    words = quote.text.split()
    nobody = Candidate(None, {"null": 1.0})
    nobody.mark("null_log_words", math.log1p(len(words)))
    nobody.mark("null_short", float(len(words) <= 3))
    nobody.mark("null_capitalised", float(bool(words) and all(w[:1].isupper() for w in words)))
    nobody.mark("null_rule_none", float(proposal.entity is None))
    nobody.mark("null_passive", float(proposal.passive))
    nobody.mark("null_title", float(proposal.title))
    nobody.mark("null_headline", float(quote.headline))
    nobody.mark("null_no_cue", float(not cue_in_sentence and proposal.rule is None))
    nobody.mark("null_no_candidates", float(not by_entity))
    nobody.mark(f"null_kind_{quote.kind}")
    nobody.mark("null_opening", float(opening))
    nobody.mark("null_continued", float(proposal.continued))
    return [*by_entity.values(), nobody]


def _nearest(by_entity: dict[int, Candidate]) -> None:
    """Mark the closest mentioned candidate, and the closest one named as a clause subject."""
    ranked = sorted(by_entity.values(), key=lambda c: -c.features.get("closeness", 0.0))
    if ranked and "closeness" in ranked[0].features:
        ranked[0].mark("nearest")
    subjects = [c for c in ranked if "mention_subject" in c.features]
    if subjects:
        subjects[0].mark("nearest_subject")


def form_of(mention: str | None) -> str | None:
    """The form of a mention as written (see :func:`mention_form`), from its text."""
    if not mention:
        return None
    if mention.casefold() in PERSONAL_PRONOUNS | {"they", "it", "we", "i", "you"}:
        return "pronoun"
    return "name" if mention[:1].isupper() else "description"


def _antecedents(
    by_entity: dict[int, Candidate],
    timeline: Sequence[Occurrence],
    before: int,
    gender: str,
    genders: dict[int, str],
) -> None:
    """For a cue that is "he" or "she": the people named before the quote, most recent first
    (``antecedent_1``, ``antecedent_2``), and the most recent subject whose gender agrees."""
    seen: list[int] = []
    agreeing_subject = False
    for occurrence in reversed(timeline):
        key = id(occurrence.entity)
        if occurrence.offset >= before or occurrence.entity.kind != "person":
            continue
        if key not in seen and len(seen) < 2:
            seen.append(key)
            if key in by_entity:
                by_entity[key].mark(f"antecedent_{len(seen)}")
        agrees = genders.get(key, gender) == gender
        if occurrence.subject and agrees and not agreeing_subject and key in by_entity:
            by_entity[key].mark("antecedent_subject_agrees")
            agreeing_subject = True
        if len(seen) >= 2 and agreeing_subject:
            break
