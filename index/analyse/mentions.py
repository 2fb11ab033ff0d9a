"""Who is mentioned where in one article, and which mentions are the same entity.

Names come from spaCy's named entities outside quotations. A full name ("Irish Foreign
Minister Aoife Byrne") founds an entity whose canonical name drops the titles ("Aoife Byrne")
and keeps them as aliases and title words. A short name ("Byrne", "Ms Byrne") joins the
nearest full name before it that contains it (or, in a headline, the first one after it).
A role description ("the Irish foreign minister") joins the most recently
mentioned person whose titles it fits. A personal pronoun joins the person most recently
mentioned as the subject of a clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from index.text.lexicon import (
    BUSINESS_NOUNS,
    GENERIC_ROLES,
    HONORIFICS,
    PERSON_ROLES,
    SPEECH_VERBS,
    UNNAMED_GROUPS,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

EntityKind = Literal["person", "organisation", "unnamed"]
NP_LEFT_DEPS = frozenset({"compound", "amod", "det", "poss", "nmod", "nummod", "case", "punct"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
ORG_LABELS = frozenset({"ORG", "GPE", "NORP", "FAC", "LOC"})
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})
POSSESSIVE_SUFFIX = re.compile(r"(?:['’´]s|['’´])$")


def _fold(text: str) -> str:
    return POSSESSIVE_SUFFIX.sub("", text).casefold()


HYPHENS = frozenset({"-", "‐", "‑"})


def name_words(tokens: Span) -> list[str]:
    """A name's words as the article spells them: punctuation dropped but for hyphens inside a
    word ("Lee Min-ho" stays "Min-ho", not "Min ho")."""
    words: list[str] = []
    glue = False
    for i, token in enumerate(tokens):
        inside = 0 < i < len(tokens) - 1 and not tokens[i - 1].whitespace_
        if token.text in HYPHENS and inside and not token.whitespace_ and words:
            glue = True
            continue
        if token.is_punct:
            glue = False
            continue
        if glue:
            words[-1] += "-" + token.text
        else:
            words.append(token.text)
        glue = False
    return words


# Entity labels a tagger gives to people's names it does not know ("Ivanka" as a PRODUCT).
_MISTAKEN_LABELS = frozenset({"", "PRODUCT", "WORK_OF_ART"})


def missed_names(doc: Doc) -> list[Span]:
    """Two or more capitalised proper nouns in a row, the subject of a verb, that the tagger
    left out of its people and organisations: in news, such a subject is a person's name."""
    from spacy.tokens import Span

    found = []
    for token in doc:
        if token.dep_ not in SUBJECT_DEPS or token.pos_ != "PROPN" or token.head.pos_ != "VERB":
            continue
        start = token.i
        while start > 0 and doc[start - 1].dep_ == "compound" and doc[start - 1].pos_ == "PROPN":
            start -= 1
        words = doc[start : token.i + 1]
        if len(words) < 2 or not all(t.text[:1].isupper() and t.is_alpha for t in words):
            continue
        if all(t.ent_type_ in _MISTAKEN_LABELS for t in words):
            found.append(Span(doc, start, token.i + 1, label="PERSON"))
    return found


def _headline_verb(word: str) -> bool:
    """A capitalised present-tense reporting verb a headline glues to a name ("Obama Says").

    Only the present tense of headlines: a surname such as "Said" is never taken for one.
    """
    lower = word.casefold()
    if not word[:1].isupper() or not lower.endswith("s"):
        return False
    stems = {lower[:-1], lower[:-2] if lower.endswith("es") else lower[:-1]}
    return bool(stems & SPEECH_VERBS)


def strip_headline_verb(words: list[str]) -> list[str]:
    """A name's words without a headline's reporting verb after them."""
    return words[:-1] if len(words) >= 2 and _headline_verb(words[-1]) else words


def strip_honorifics(words: Sequence[str]) -> list[str]:
    """Drop leading honorifics and titles: ["Mr", "Xi"] → ["Xi"]."""
    index = 0
    while index < len(words) - 1 and words[index].casefold() in HONORIFICS:
        index += 1
    stripped = (POSSESSIVE_SUFFIX.sub("", word) for word in words[index:])
    return [word for word in stripped if word]


@dataclass(eq=False)
class Entity:
    """An article-local person or organisation, with every form the article uses for it."""

    name: str
    kind: EntityKind
    aliases: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)

    @property
    def tokens(self) -> set[str]:
        return {_fold(word) for word in self.name.split()}


@dataclass(frozen=True)
class Occurrence:
    offset: int
    entity: Entity
    subject: bool


def noun_phrase(token: Token) -> tuple[int, int]:
    """Token range [start, end) of the noun phrase headed by ``token`` (left modifiers only)."""
    start = token.i
    for child in reversed(list(token.lefts)):  # nearest first
        if child.dep_ not in NP_LEFT_DEPS or child.right_edge.i != start - 1:
            break
        start = child.left_edge.i
    end = token.i + 1
    for child in token.rights:
        if child.dep_ in {"compound", "flat"} and child.i == end:
            end = child.i + 1
        else:
            break
    return start, end


def _entity_span(token: Token) -> Span | None:
    doc = token.doc
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def title_words(tokens: Iterable[Token]) -> set[str]:
    return {
        _fold(t.text)
        for t in tokens
        if t.is_alpha and t.lower_ not in DETERMINERS and t.dep_ != "poss" and not t.is_stop
    }


def _by_surname(entities: list[Entity], word: str) -> list[Entity]:
    """Those whose last name is ``word``, if any (a lone name is a surname); else all."""
    folded = _fold(word)
    last = [e for e in entities if e.name.split() and _fold(e.name.split()[-1]) == folded]
    return last or entities


def _most_named(mentions: list[Entity]) -> Entity:
    """Of mentions in text order, the entity named most often; the latest among equals."""
    counts: dict[int, int] = {}
    for entity in mentions:
        counts[id(entity)] = counts.get(id(entity), 0) + 1
    best = max(counts.values())
    return next(e for e in reversed(mentions) if counts[id(e)] == best)


class ArticleEntities:
    """The entity registry of one article: names first, then descriptions and pronouns."""

    def __init__(self) -> None:
        self.entities: list[Entity] = []
        self.timeline: list[Occurrence] = []
        self._by_name: dict[str, Entity] = {}

    # -- names ---------------------------------------------------------------------------

    def add_names(self, spans: Sequence[tuple[int, Span]]) -> None:
        """Register person and organisation names: ``(article offset of the doc, entity span)``."""
        full: list[tuple[int, Entity]] = []
        short: list[tuple[int, Span, list[str]]] = []
        for base, ent in spans:
            words = strip_headline_verb(strip_honorifics(name_words(ent)))
            if not words:
                continue
            if ent.label_ == "PERSON" and len(words) >= 2:
                entity = self._entity(" ".join(words), "person")
                full.append((base + ent.start_char, entity))
                self._note(base, ent, entity)
            elif ent.label_ == "PERSON":
                short.append((base + ent.start_char, ent, words))
            elif ent.label_ in {"ORG"} and len(words) == 1 and words[0][:1].isupper():
                # A lone capitalised word tagged as an organisation may be a surname.
                short.append((base + ent.start_char, ent, words))
            elif ent.label_ in {"ORG"}:
                name = " ".join(w for w in words if w.casefold() != "the") or " ".join(words)
                known = self.by_organisation(name.split(), base + ent.start_char)
                self._note(base, ent, known or self._entity(name, "organisation"))
        for offset, ent, words in short:
            base = offset - ent.start_char
            found = self._nearest_full_name(words[-1], offset, full)
            if found is not None:
                self._note(base, ent, found)
            elif ent.label_ == "PERSON":
                self._note(base, ent, self._entity(" ".join(words), "person"))
            else:
                self._note(base, ent, self._entity(words[0], "organisation"))
        self.timeline.sort(key=lambda occurrence: occurrence.offset)

    def _entity(self, name: str, kind: EntityKind) -> Entity:
        key = _fold(name)
        entity = self._by_name.get(key)
        if entity is None:
            entity = Entity(name=name, kind=kind, aliases={name})
            self._by_name[key] = entity
            self.entities.append(entity)
        return entity

    def _note(self, base: int, ent: Span, entity: Entity) -> None:
        start, end = noun_phrase(ent.root)
        start = min(start, ent.start)
        end = max(end, ent.end)
        phrase = ent.doc[start:end]
        entity.aliases.add(POSSESSIVE_SUFFIX.sub("", ent.text.strip()).strip())
        entity.aliases.add(POSSESSIVE_SUFFIX.sub("", phrase.text.strip()).strip())
        entity.titles |= title_words(t for t in phrase if t.i < ent.start) - entity.tokens
        for child in ent.root.children:
            if child.dep_ == "appos" and child.lower_ in PERSON_ROLES:
                entity.titles |= title_words(child.subtree) - entity.tokens
        subject = ent.root.dep_ in SUBJECT_DEPS
        self.timeline.append(Occurrence(base + ent.start_char, entity, subject))

    def _nearest_full_name(
        self, word: str, offset: int, full: Sequence[tuple[int, Entity]]
    ) -> Entity | None:
        folded = _fold(word)
        before = _by_surname([e for at, e in full if at <= offset and folded in e.tokens], word)
        if before:
            return _most_named(before)
        after = _by_surname([e for at, e in full if at > offset and folded in e.tokens], word)
        return after[0] if after else None

    # -- lookups at attribution time -----------------------------------------------------

    def by_name(self, words: Sequence[str], offset: int) -> Entity | None:
        """The entity a name (possibly with honorifics) refers to at ``offset``."""
        words = strip_honorifics(words)
        if not words:
            return None
        entity = self._by_name.get(_fold(" ".join(words)))
        if entity is not None:
            return entity
        folded = _fold(words[-1])
        candidates = [o for o in self.timeline if folded in o.entity.tokens]
        named = _by_surname([o.entity for o in candidates], words[-1])
        candidates = [o for o in candidates if o.entity in named]
        before = [o.entity for o in candidates if o.offset <= offset]
        if before:
            return _most_named(before)
        return candidates[0].entity if candidates else None

    def last_subject_person(self, offset: int) -> Entity | None:
        """The person most recently mentioned as a clause subject before ``offset``."""
        people = [o for o in self.timeline if o.offset < offset and o.entity.kind == "person"]
        subjects = [o for o in people if o.subject]
        chosen = subjects or people
        return chosen[-1].entity if chosen else None

    def by_description(self, words: Sequence[str], offset: int) -> Entity | None:
        """The person a role description ("the Chinese president") refers to, if one fits."""
        content = [_fold(w) for w in words if w.isalpha() and w.casefold() not in DETERMINERS]
        if not content or content[-1] not in PERSON_ROLES:
            return None
        wanted = set(content[:-1]) if content[-1] in GENERIC_ROLES else set(content)
        fits = [
            o
            for o in self.timeline
            if o.entity.kind == "person" and wanted <= o.entity.titles | o.entity.tokens
        ]
        if not fits:
            return None
        before = [o for o in fits if o.offset <= offset]
        subjects = [o for o in before if o.subject]
        if subjects or before:
            return (subjects or before)[-1].entity
        return fits[0].entity

    def note(self, offset: int, entity: Entity, *, subject: bool) -> None:
        """Record a resolved mention (a pronoun or description) so later pronouns see it."""
        self.timeline.append(Occurrence(offset, entity, subject))
        self.timeline.sort(key=lambda occurrence: occurrence.offset)

    def by_organisation(self, words: Sequence[str], offset: int) -> Entity | None:
        """The organisation a description refers to: "the coast guard" for "Hellenic Coast
        Guard", "the union" for "Union of …", "the company" for the last business named."""
        content = [_fold(w) for w in words if w.isalpha() and w.casefold() not in DETERMINERS]
        if not content:
            return None
        joined = "".join(content)
        organisations = [
            o for o in self.timeline if o.entity.kind == "organisation" and o.offset <= offset
        ]
        for occurrence in reversed(organisations):
            whole = "".join(_fold(occurrence.entity.name).split())
            if set(content) <= occurrence.entity.tokens or whole.endswith(joined):
                return occurrence.entity
        if len(content) == 1 and content[0] in BUSINESS_NOUNS and organisations:
            subjects = [o for o in organisations if o.subject]
            return (subjects or organisations)[-1].entity
        return None

    def description_entity(self, text: str, head: str) -> Entity:
        """An entity for a description that names no one ("analysts", "the report")."""
        kind: EntityKind = (
            "unnamed"
            if head.casefold() in UNNAMED_GROUPS or head.casefold() in PERSON_ROLES
            else "organisation"
        )
        return self._entity(text, kind)
