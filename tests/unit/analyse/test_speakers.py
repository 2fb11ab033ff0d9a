"""Resolving article-local entities into speakers, and merging the speakers of new articles
into an index's speakers."""

from __future__ import annotations

import random
import string
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.analyse import speakers
from index.analyse.mentions import Entity, EntityKind
from index.analyse.speakers import _key, _proper, merge_speakers, resolve_speakers, speaker_id
from index.models import Speaker

XI = Speaker(id="xi-jinping", name="Xi Jinping", kind="person", aliases=("Xi",))
XINHUA = Speaker(id="xinhua", name="Xinhua", kind="organisation")
LI = Speaker(id="li-qiang", name="Li Qiang", kind="person")


def person(ident: str, name: str, *aliases: str) -> Speaker:
    return Speaker(id=ident, name=name, kind="person", aliases=aliases)


@pytest.mark.parametrize(
    ("new", "target", "aliases"),
    [
        # the same canonical name, whatever its case and spacing
        (person("xi-jinping", "Xi Jinping", "President Xi"), "xi-jinping", ("President Xi", "Xi")),
        (person("x", "xi  JINPING"), "xi-jinping", ("Xi", "xi  JINPING")),
        # one word of exactly one held full name
        (person("xi", "Xi"), "xi-jinping", ("Xi",)),
        (Speaker(id="xinhua", name="Xinhua", kind="organisation"), "xinhua", ()),
        # someone new keeps their id
        (person("mishustin", "Mikhail Mishustin"), "mishustin", ()),
        # a new person whose id is taken by another name gets a suffix
        (person("li-qiang", "Li  Qiang Jr"), "li-qiang-2", ()),
    ],
)
def test_merge_speakers(new: Speaker, target: str, aliases: tuple[str, ...]) -> None:
    merged, renamed = merge_speakers([XI, XINHUA, LI], [new])
    assert renamed == {new.id: target}
    by_id = {speaker.id: speaker for speaker in merged}
    assert by_id[target].aliases == aliases
    assert [s.id for s in merged[:3]] == ["xi-jinping", "xinhua", "li-qiang"]


def test_a_lone_name_two_held_people_share_stays_apart() -> None:
    held = [person("li-qiang", "Li Qiang"), person("li-hui", "Li Hui")]
    merged, renamed = merge_speakers(held, [person("li", "Li")])
    assert renamed == {"li": "li"}
    assert len(merged) == 3


def test_new_speakers_meet_each_other_too() -> None:
    merged, renamed = merge_speakers([], [person("a", "Ana Lopez"), person("b", "ana lopez")])
    assert renamed == {"a": "a", "b": "a"}
    assert [s.id for s in merged] == ["a"]


# ---------------------------------------------------------------- resolve_speakers, blocked
#
# The all-pairs resolution as it was before candidate blocking (issue 18), kept as the
# reference the blocked one must agree with. It calls the module's ``_misspelt`` so that the
# check counts below can count its checks too.


def all_pairs_resolution(
    entities: Sequence[Entity], uses: Mapping[int, int] | None = None
) -> tuple[list[Speaker], dict[int, str]]:
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
    for key in sorted(full, key=weight):
        others = sorted((k for k in full if k != key and k in groups), key=weight, reverse=True)
        for other in others:
            if speakers._misspelt(key, other, titles(key), titles(other)) and weight(
                other
            ) >= weight(key):
                groups[other].extend(groups.pop(key))
                break
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
    for key in [k for k in persons if len(k.split()) == 1 and k in groups]:
        owners = [k for k in groups if k != key and len(k.split()) >= 2 and key in k.split()]
        owners = [k for k in owners if groups[k][0].kind == "person"]
        if len(owners) == 1:
            groups[owners[0]].extend(groups.pop(key))

    found: list[Speaker] = []
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
        found.append(
            Speaker(id=ident, name=name, kind=kinds.most_common(1)[0][0], aliases=tuple(aliases))
        )
        for entity in members:
            assignment[id(entity)] = ident
    return found, assignment


# Small pools, so that equal names, chains of one-letter misspellings ("Qiang", "Xiang",
# "Xiant", "Qiant"; "Lin", "Lim", "Lia"), shared words and organisations holding one another
# ("coast guard", "US Coast Guard", "the coastguard"; "th e", whose letters after "the" are
# none) come up often.
GIVEN_NAMES = ["Lin", "Lim", "Lia", "Li"]
SURNAMES = ["Qiang", "Xiang", "Xiant", "Qiant", "Lin"]
ORGANISATION_WORDS = ["the", "Coast", "Guard", "coastguard", "US", "Northern", "th", "e", "Guarb"]
TITLES = ["premier", "premier", "minister", "official"]
KINDS: list[EntityKind] = ["person", "person", "person", "organisation", "unnamed"]


@st.composite
def entity_lists(draw: st.DrawFn) -> tuple[list[Entity], dict[int, int]]:
    found: list[Entity] = []
    for _ in range(draw(st.integers(0, 20))):
        kind = draw(st.sampled_from(KINDS))
        if kind == "organisation":
            words = draw(st.lists(st.sampled_from(ORGANISATION_WORDS), min_size=1, max_size=4))
        else:
            shape = draw(st.sampled_from(["full", "full", "full", "lone", "long"]))
            words = {
                "full": [draw(st.sampled_from(GIVEN_NAMES)), draw(st.sampled_from(SURNAMES))],
                "lone": [draw(st.sampled_from(GIVEN_NAMES + SURNAMES))],
                "long": draw(st.lists(st.sampled_from(GIVEN_NAMES + SURNAMES), max_size=3)),
            }[shape] or ["Lin"]
        name = draw(st.sampled_from([" ", "  "])).join(words)
        if draw(st.integers(0, 4)) == 0:
            name = name.upper()
        titles = set(draw(st.lists(st.sampled_from(TITLES), min_size=0, max_size=2)))
        aliases = set(draw(st.lists(st.sampled_from(words), max_size=2)))
        found.append(Entity(name=name, kind=kind, titles=titles, aliases=aliases))
        # The same entity twice in a list counts twice, as it always has.
        if draw(st.integers(0, 9)) == 0:
            found.append(found[-1])
    uses = {id(e): draw(st.integers(0, 3)) for e in found if draw(st.booleans())}
    return found, uses


@settings(max_examples=300, deadline=None)
@given(entity_lists())
def test_blocked_resolution_agrees_with_all_pairs(
    case: tuple[list[Entity], dict[int, int]],
) -> None:
    entities, uses = case
    assert resolve_speakers(entities, uses) == all_pairs_resolution(entities, uses)


def person_entity(name: str, *titles: str) -> Entity:
    return Entity(name=name, kind="person", titles=set(titles))


def organisation(name: str) -> Entity:
    return Entity(name=name, kind="organisation")


@pytest.mark.parametrize(
    ("entities", "names"),
    [
        # a misspelling joins the more common spelling, with a shared specific title
        (
            [person_entity("Lin Qiang", "premier")] * 2 + [person_entity("Lin Xiang", "premier")],
            ["Lin Qiang"],
        ),
        # a generic title is not enough
        (
            [person_entity("Lin Qiang", "official"), person_entity("Lin Xiang", "official")],
            ["Lin Qiang", "Lin Xiang"],
        ),
        # two letters apart are two people
        (
            [person_entity("Lin Qiang", "premier"), person_entity("Lin Xiant", "premier")],
            ["Lin Qiang", "Lin Xiant"],
        ),
        # a name misspelt two ways joins the heavier, which absorbed the first already
        (
            [person_entity("Ana Lopez", "mayor")] * 3
            + [person_entity("Ana Lopes", "mayor")] * 2
            + [person_entity("Ana Lopex", "mayor")],
            ["Ana Lopez"],
        ),
        # a title gained by a merge counts for later names: "Lin Qiang" shares "minister"
        # with "Lin Xiang" only once "Lia Xiang" has joined it
        (
            [person_entity("Lin Xiang", "premier")] * 5
            + [person_entity("Lia Xiang", "premier", "minister")]
            + [person_entity("Lin Qiang", "minister")] * 2,
            ["Lin Xiang"],
        ),
        # a merge adds weight: "Lin Xiang" (2 with "Lia Xiang") no longer joins the lighter
        # "Lin Qiang", which joins it instead, so the speaker is listed first
        (
            [
                person_entity("Lia Xiang", "premier"),
                person_entity("Lin Xiang", "premier"),
                organisation("Coast Guard"),
                person_entity("Lin Qiang", "premier"),
            ],
            ["Lin Xiang", "Coast Guard"],
        ),
        # never into a lighter name: "Lin Xiang" (4, with "Lia Xiang") and "Lin Qiang" (1)
        # share "minister" only after that merge, and stay apart
        (
            [
                person_entity("Lin Qiang", "minister"),
                person_entity("Lia Xiang", "premier", "minister"),
                person_entity("Lia Xiang", "premier", "minister"),
                person_entity("Lin Xiang", "premier"),
                person_entity("Lin Xiang", "premier"),
            ],
            ["Lin Qiang", "Lin Xiang"],
        ),
        # organisations: by words, by letters, and not when two fuller names hold one
        (
            [organisation("United States Coast Guard"), organisation("the coastguard")],
            ["United States Coast Guard"],
        ),
        (
            [organisation("Coast Guard"), organisation("Northern Coast Guard")],
            ["Northern Coast Guard"],
        ),
        (
            [organisation("Guard"), organisation("Coast Guard"), organisation("US Guard")],
            ["Guard", "Coast Guard", "US Guard"],
        ),
        # "th e" has no letters after "the": every longer name ends with none of them
        ([organisation("th e"), organisation("Coast Guard")], ["Coast Guard"]),
        # a lone name joins the one full name holding it, not one of two
        ([person_entity("Xi"), person_entity("Xi Jinping")], ["Xi Jinping"]),
        (
            [person_entity("Li"), person_entity("Li Qiang"), person_entity("Li Hui")],
            ["Li", "Li Qiang", "Li Hui"],
        ),
    ],
    ids=lambda value: str(value)[:40],
)
def test_resolve_speakers(entities: list[Entity], names: list[str]) -> None:
    found, _ = resolve_speakers(entities)
    assert [s.name for s in found] == names
    assert (found, _) == all_pairs_resolution(entities)


def distinct_names(count: int, seed: int = 5) -> list[Entity]:
    """About ``count`` distinct names: full names (a tenth misspelt), lone surnames and
    organisations holding one another."""
    rng = random.Random(seed)

    def word() -> str:
        letters = rng.choices(string.ascii_lowercase, k=rng.randint(4, 8))
        return "".join(letters).capitalize()

    given = [word() for _ in range(40)]
    surnames = [word() for _ in range(count // 4)]
    found: list[Entity] = []
    names: set[str] = set()
    while len(names) < count:
        roll = rng.random()
        if roll < 0.6:
            name = f"{rng.choice(given)} {rng.choice(surnames)}"
            if rng.random() < 0.1:
                at = rng.randrange(len(name))
                name = name[:at] + ("x" if name[at] != " " else " ") + name[at + 1 :]
            entity = person_entity(name, rng.choice(TITLES))
        elif roll < 0.7:
            entity = person_entity(rng.choice(surnames))
        else:
            places = rng.sample(["Northern", "Coast", "Harbour", "River"], rng.randint(0, 2))
            body = rng.choice(["Guard", "Authority", "Council"])
            entity = organisation(" ".join([rng.choice(surnames), *places, body]))
        names.add(_key(entity.name))
        found.append(entity)
    return found


def checks_for(
    monkeypatch: pytest.MonkeyPatch,
    resolve: Callable[[Sequence[Entity]], object],
    entities: Sequence[Entity],
) -> int:
    """How many name checks (``_misspelt`` and ``_holds``) resolving ``entities`` makes."""
    counted = Counter[str]()
    for name in ("_misspelt", "_holds"):
        check = getattr(speakers, name)

        def counting(*args: Any, _check: Any = check, _name: str = name) -> bool:
            counted[_name] += 1
            return bool(_check(*args))

        monkeypatch.setattr(speakers, name, counting)
    resolve(entities)
    monkeypatch.undo()
    return sum(counted.values())


def test_resolution_checks_grow_linearly(monkeypatch: pytest.MonkeyPatch) -> None:
    small = checks_for(monkeypatch, resolve_speakers, distinct_names(2000))
    large = checks_for(monkeypatch, resolve_speakers, distinct_names(4000))
    assert small <= 2 * 2000 and large <= 2 * 4000
    assert large <= 2.5 * small
    # The all-pairs resolution fails the same bounds (at smaller sizes, to stay quick).
    before_small = checks_for(monkeypatch, all_pairs_resolution, distinct_names(300))
    before_large = checks_for(monkeypatch, all_pairs_resolution, distinct_names(600))
    assert before_small > 2 * 300 and before_large > 3 * before_small


def scanning_merge(
    existing: Sequence[Speaker], new: Sequence[Speaker]
) -> tuple[tuple[Speaker, ...], dict[str, str]]:
    """merge_speakers as it was before its word index: each lone name scans every person."""
    merged = {speaker.id: speaker for speaker in existing}
    by_name = {_key(speaker.name): speaker.id for speaker in existing}
    persons = [s for s in existing if s.kind == "person" and len(s.name.split()) >= 2]
    renamed: dict[str, str] = {}
    for speaker in new:
        key = _key(speaker.name)
        target = by_name.get(key)
        if target is None and speaker.kind == "person" and len(key.split()) == 1:
            owners = [s.id for s in persons if key in speakers._key(s.name).split()]
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


@st.composite
def speaker_lists(draw: st.DrawFn) -> list[Speaker]:
    found: dict[str, Speaker] = {}
    for _ in range(draw(st.integers(0, 10))):
        words = draw(st.lists(st.sampled_from(GIVEN_NAMES + SURNAMES), min_size=1, max_size=3))
        name = " ".join(words)
        kind = draw(st.sampled_from(KINDS))
        found.setdefault(speaker_id(name), Speaker(id=speaker_id(name), name=name, kind=kind))
    return list(found.values())


@settings(max_examples=300, deadline=None)
@given(speaker_lists(), speaker_lists())
def test_indexed_merge_agrees_with_scanning(existing: list[Speaker], new: list[Speaker]) -> None:
    assert merge_speakers(existing, new) == scanning_merge(existing, new)


def keys_for(
    monkeypatch: pytest.MonkeyPatch,
    merge: Callable[
        [Sequence[Speaker], Sequence[Speaker]], tuple[tuple[Speaker, ...], dict[str, str]]
    ],
    size: int,
) -> int:
    """How many names merging ``size`` lone names into ``size`` full-named people folds."""
    held = [person(f"p{n}", f"Given{n} Surname{n}") for n in range(size)]
    lone = [person(f"l{n}", f"Surname{n}") for n in range(size)]
    folded = Counter[str]()

    def counting(name: str) -> str:
        folded[name] += 1
        return _key(name)

    monkeypatch.setattr(speakers, "_key", counting)
    _, renamed = merge(held, lone)
    monkeypatch.undo()
    assert renamed == {f"l{n}": f"p{n}" for n in range(size)}
    return sum(folded.values())


def test_merge_work_grows_linearly(monkeypatch: pytest.MonkeyPatch) -> None:
    assert keys_for(monkeypatch, merge_speakers, 2000) <= 3 * 2 * 2000
    assert keys_for(monkeypatch, scanning_merge, 300) > 3 * 2 * 300
