"""Merge article-local entities into speakers across articles.

Entities with the same canonical name (case-folded) are one speaker with all their aliases. A
person known in some article only by one name ("Mr Xi", never given in full) joins the one
full-named speaker that contains that name, when exactly one does. A person whose full name
differs from another's by a single letter in one part, with a shared role title, is taken for
a misspelling of the same person ("Lin Xiang" for "Lin Qiang", both "premier"); the more common
spelling wins.

A name is compared only with the candidates an index gives it (names one letter apart share a
key of :func:`_spellings`; organisations are found by word and by the suffixes of their
letters; lone names by word), never with every other name, so the work grows with the number
of names rather than with their pairs; the result is the one comparing all pairs gives.
"""

from __future__ import annotations

import itertools
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
    """A name's canonical form: case-folded, one space between words."""
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


def _holds(owner: str, key: str) -> bool:
    """Whether organisation name ``owner`` is a fuller name of ``key``: longer, and with all its
    words but "the", or ending with its letters ("united states coast guard" holds "the
    coastguard")."""
    words, joined = set(key.split()) - {"the"}, "".join(key.split()).removeprefix("the")
    return len(owner) > len(key) and (
        words <= set(owner.split()) or "".join(owner.split()).endswith(joined)
    )


def _spellings(key: str) -> list[tuple[int, int, tuple[str, ...], str, tuple[str, ...]]]:
    """The blocking keys of a full name for misspellings: for each letter of a part of three or
    more letters, the name without it (with the part's and the letter's position). Two names
    one substituted letter apart (as :func:`_misspelt` sees them) share exactly one key."""
    parts = key.casefold().split()
    return [
        (i, j, tuple(parts[:i]), part[:j] + part[j + 1 :], tuple(parts[i + 1 :]))
        for i, part in enumerate(parts)
        if len(part) >= 3
        for j in range(len(part))
    ]


def _join_misspelt(
    groups: dict[str, list[Entity]], full: list[str], uses: Mapping[int, int]
) -> None:
    """Moves each misspelt full name's entities into the more common spelling's group.

    Names go in ascending weight (quotes spoken plus entities); each joins the heaviest name it
    is misspelt from, at least as heavy, the earlier in ``full`` on a tie. Only names that share
    a key of :func:`_spellings` are compared.
    """
    weights = {k: sum(uses.get(id(e), 0) for e in groups[k]) + len(groups[k]) for k in full}
    titles = {k: set().union(*(e.titles for e in groups[k])) for k in full}
    position = {k: n for n, k in enumerate(full)}
    blocks: dict[tuple[int, int, tuple[str, ...], str, tuple[str, ...]], list[str]] = {}
    for k in full:
        for block in _spellings(k):
            blocks.setdefault(block, []).append(k)
    for key in sorted(full, key=weights.__getitem__):
        near = {k for block in _spellings(key) for k in blocks[block] if k != key and k in groups}
        for other in sorted(near, key=lambda k: (-weights[k], position[k])):
            if _misspelt(key, other, titles[key], titles[other]) and weights[other] >= weights[key]:
                groups[other].extend(groups.pop(key))
                weights[other] += weights.pop(key)
                titles[other] |= titles.pop(key)
                break


def _join_organisations(groups: dict[str, list[Entity]], organisations: list[str]) -> None:
    """Moves each organisation named in part into the one fuller name that :func:`_holds` it.

    Shorter names go first. Candidates come from an index by word (the rarest of the name's
    words) and by the letters' suffixes; the search stops at a second owner.
    """
    by_word: dict[str, set[str]] = {}
    by_suffix: dict[str, set[str]] = {}

    def entries(k: str) -> list[set[str]]:
        letters = "".join(k.split())
        return [by_word.setdefault(w, set()) for w in set(k.split())] + [
            by_suffix.setdefault(letters[s:], set()) for s in range(len(letters))
        ]

    for k in organisations:
        for entry in entries(k):
            entry.add(k)
    for key in sorted(organisations, key=len):
        words, joined = set(key.split()) - {"the"}, "".join(key.split()).removeprefix("the")
        if not words:
            continue
        rarest = min((by_word[w] for w in words), key=len)
        # An empty remainder ("th e") ends every name: all are candidates, as they always were.
        ending = by_suffix.get(joined, set()) if joined else set(organisations)
        owners: list[str] = []
        for k in itertools.chain(ending, rarest):
            if k not in owners and k != key and k in groups and _holds(k, key):
                owners.append(k)
                if len(owners) > 1:
                    break
        if len(owners) == 1:
            groups[owners[0]].extend(groups.pop(key))
            for entry in entries(key):
                entry.discard(key)


def _join_lone_names(groups: dict[str, list[Entity]], persons: list[str]) -> None:
    """Moves each person known by one name only into the one full person name with that word."""
    holders: dict[str, list[str]] = {}
    for k, members in groups.items():
        if len(k.split()) >= 2 and members[0].kind == "person":
            for word in dict.fromkeys(k.split()):
                holders.setdefault(word, []).append(k)
    for key in [k for k in persons if len(k.split()) == 1]:
        owners = holders.get(key, [])
        if len(owners) == 1:
            groups[owners[0]].extend(groups.pop(key))


def resolve_speakers(
    entities: Sequence[Entity], uses: Mapping[int, int] | None = None
) -> tuple[list[Speaker], dict[int, str]]:
    """Speakers for article-local entities, and each entity's speaker id (keyed by ``id(entity)``).

    ``uses`` counts how many quotes each entity speaks (keyed by ``id(entity)``); it decides
    which spelling of a misspelt name becomes canonical.
    """
    groups: dict[str, list[Entity]] = {}
    for entity in entities:
        groups.setdefault(_key(entity.name), []).append(entity)
    persons = [k for k, es in groups.items() if es[0].kind == "person"]
    # A misspelt full name joins the more common spelling.
    _join_misspelt(groups, [k for k in persons if len(k.split()) >= 2], uses or {})
    # An organisation named in part ("Coast Guard", "the coastguard") joins the one fuller
    # organisation name that contains it.
    _join_organisations(groups, [k for k, es in groups.items() if es[0].kind == "organisation"])
    # A lone name joins the one full name that contains it.
    _join_lone_names(groups, persons)

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
    holders: dict[str, list[str]] = {}  # a word -> the full-named persons with it

    def hold(person: Speaker) -> None:
        for word in dict.fromkeys(_key(person.name).split()):
            holders.setdefault(word, []).append(person.id)

    for speaker in existing:
        if speaker.kind == "person" and len(speaker.name.split()) >= 2:
            hold(speaker)
    renamed: dict[str, str] = {}
    for speaker in new:
        key = _key(speaker.name)
        target = by_name.get(key)
        if target is None and speaker.kind == "person" and len(key.split()) == 1:
            owners = holders.get(key, [])
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
            hold(merged[ident])
        renamed[speaker.id] = ident
    return tuple(merged.values()), renamed
