"""Merging the speakers of new articles into an index's speakers."""

from __future__ import annotations

import pytest

from index.analyse.speakers import merge_speakers
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
