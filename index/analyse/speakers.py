"""Merge article-local entities into speakers across articles.

Entities with the same canonical name (case-folded) are one speaker with all their aliases. A
person known in some article only by one name ("Mr Xi", never given in full) joins the one
full-named speaker that contains that name, when exactly one does. A person whose full name
differs from another's by a single letter in one part, with a shared role title, is taken for
a misspelling of the same person ("Lin Xiang" for "Lin Qiang", both "premier"); the more common
spelling wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence

from index.analyse.mentions import Entity
from index.models import Speaker
from index.text.lexicon import GENERIC_ROLES, PERSON_ROLES

SLUG = re.compile(r"[^a-z0-9]+")


def speaker_id(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return SLUG.sub("-", ascii_name.casefold()).strip("-") or "speaker"


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _one_letter_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and len(a) >= 3 and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _misspelt(a: str, b: str, titles_a: set[str], titles_b: set[str]) -> bool:
    """Same person, one name part misspelt by a letter, sharing a specific role title."""
    parts_a, parts_b = a.casefold().split(), b.casefold().split()
    if len(parts_a) != len(parts_b) or len(parts_a) < 2:
        return False
    differing = [(x, y) for x, y in zip(parts_a, parts_b, strict=True) if x != y]
    roles = (titles_a & titles_b) & (PERSON_ROLES - GENERIC_ROLES)
    return len(differing) == 1 and _one_letter_apart(*differing[0]) and bool(roles)


def _proper(name: str) -> bool:
    """A name rather than a description: "Northern Highway Authority", not "the authority"."""
    first = name.split()[0] if name.split() else ""
    return first[:1].isupper() and first.casefold() not in {"the", "a", "an"}


def resolve_speakers(
    entities: Sequence[Entity], uses: Mapping[int, int] | None = None
) -> tuple[list[Speaker], dict[int, str]]:
    """Speakers for article-local entities, and each entity's speaker id (keyed by ``id(entity)``).

    ``uses`` counts how many quotes each entity speaks (keyed by ``id(entity)``); it decides
    which spelling of a misspelt name becomes canonical.
    """
    uses = uses or {}
    groups: dict[str, list[Entity]] = {}
    for entity in entities:
        groups.setdefault(_key(entity.name), []).append(entity)

    def titles(key: str) -> set[str]:
        return set().union(*(e.titles for e in groups[key]))

    def weight(key: str) -> int:
        return sum(uses.get(id(e), 0) for e in groups[key]) + len(groups[key])

    persons = [k for k, es in groups.items() if es[0].kind == "person"]
    full = [k for k in persons if len(k.split()) >= 2]
    # A misspelt full name joins the more common spelling.
    for key in sorted(full, key=weight):
        others = sorted((k for k in full if k != key and k in groups), key=weight, reverse=True)
        for other in others:
            if _misspelt(key, other, titles(key), titles(other)) and weight(other) >= weight(key):
                groups[other].extend(groups.pop(key))
                break
    # An organisation named in part ("Coast Guard", "the coastguard") joins the one fuller
    # organisation name that contains it.
    organisations = [k for k, es in groups.items() if es[0].kind == "organisation"]
    for key in sorted(organisations, key=len):
        if key not in groups:
            continue
        words, joined = set(key.split()) - {"the"}, "".join(key.split()).removeprefix("the")
        owners = [
            k
            for k in organisations
            if k != key
            and k in groups
            and len(k) > len(key)
            and (words <= set(k.split()) or "".join(k.split()).endswith(joined))
        ]
        if len(owners) == 1 and words:
            groups[owners[0]].extend(groups.pop(key))
    # A lone name joins the one full name that contains it.
    for key in [k for k in persons if len(k.split()) == 1 and k in groups]:
        owners = [k for k in groups if k != key and len(k.split()) >= 2 and key in k.split()]
        owners = [k for k in owners if groups[k][0].kind == "person"]
        if len(owners) == 1:
            groups[owners[0]].extend(groups.pop(key))

    speakers: list[Speaker] = []
    assignment: dict[int, str] = {}
    taken: Counter[str] = Counter()
    for members in groups.values():
        names = Counter(e.name for e in members if len(e.name.split()) >= 2) or Counter(
            e.name for e in members
        )
        name = max(names, key=lambda n: (_proper(n), names[n], len(n.split()), n))
        ident = speaker_id(name)
        taken[ident] += 1
        if taken[ident] > 1:
            ident = f"{ident}-{taken[ident]}"
        kinds = Counter(e.kind for e in members)
        aliases = sorted(set().union(*(e.aliases for e in members)) - {name})
        speakers.append(
            Speaker(id=ident, name=name, kind=kinds.most_common(1)[0][0], aliases=tuple(aliases))
        )
        for entity in members:
            assignment[id(entity)] = ident
    return speakers, assignment


def merge_speakers(
    existing: Sequence[Speaker], new: Sequence[Speaker]
) -> tuple[tuple[Speaker, ...], dict[str, str]]:
    """The speakers of an index with those of newly added articles merged in, and the id each
    new speaker has in the result (keyed by its id from :func:`resolve_speakers`).

    A new speaker joins an existing one with the same canonical name (case-folded), or, for a
    person named by one word only, the one existing person whose full name contains it (as
    :func:`resolve_speakers` does within a batch); it brings its aliases along. Any other new
    speaker is added under its own id, suffixed when an existing speaker already has it.
    Existing speakers keep their ids, so their statements and quotes need no rewriting.
    """
    merged = {speaker.id: speaker for speaker in existing}
    by_name = {_key(speaker.name): speaker.id for speaker in existing}
    persons = [s for s in existing if s.kind == "person" and len(s.name.split()) >= 2]
    renamed: dict[str, str] = {}
    for speaker in new:
        key = _key(speaker.name)
        target = by_name.get(key)
        if target is None and speaker.kind == "person" and len(key.split()) == 1:
            owners = [s.id for s in persons if key in _key(s.name).split()]
            target = owners[0] if len(owners) == 1 else None
        if target is not None:
            current = merged[target]
            aliases = set(current.aliases) | set(speaker.aliases)
            if speaker.name != current.name:
                aliases.add(speaker.name)
            aliases.discard(current.name)
            merged[target] = Speaker(
                id=current.id, name=current.name, kind=current.kind, aliases=tuple(sorted(aliases))
            )
            renamed[speaker.id] = target
            continue
        ident, suffix = speaker.id, 1
        while ident in merged:
            suffix += 1
            ident = f"{speaker.id}-{suffix}"
        merged[ident] = Speaker(
            id=ident, name=speaker.name, kind=speaker.kind, aliases=speaker.aliases
        )
        by_name[key] = ident
        if speaker.kind == "person" and len(key.split()) >= 2:
            persons.append(merged[ident])
        renamed[speaker.id] = ident
    return tuple(merged.values()), renamed
