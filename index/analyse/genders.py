"""The grammatical gender an article gives each person it names, for pronoun agreement.

Evidence is the article's own: an honorific before the name ("Mr", "Ms") and the pronouns of
the sentences where that person is the only one named, as a subject ("Ruiz said she would …").
No list of first names: a name says nothing here that the article does not.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence

from index.analyse.cues import Context
from index.analyse.mentions import Occurrence

MALE = frozenset({"he", "him", "his", "himself", "mr", "mr."})
FEMALE = frozenset({"she", "her", "hers", "herself", "mrs", "mrs.", "ms", "ms.", "miss"})


def pronoun_gender(word: str | None) -> str | None:
    lower = (word or "").casefold()
    return "he" if lower in MALE else "she" if lower in FEMALE else None


def genders(timeline: Sequence[Occurrence], contexts: Sequence[Context]) -> dict[int, str]:
    """Each person's gender (``"he"`` or ``"she"``) by ``id(entity)``, where the evidence is
    clear (one side, or three to one)."""
    votes: dict[int, Counter[str]] = {}
    for occurrence in timeline:
        for alias in occurrence.entity.aliases if occurrence.entity.kind == "person" else ():
            gender = pronoun_gender(alias.split()[0]) if alias.split() else None
            if gender is not None:
                votes.setdefault(id(occurrence.entity), Counter())[gender] += 2
    people = [o for o in timeline if o.entity.kind == "person"]
    offsets = [o.offset for o in people]
    for ctx in contexts:
        base = ctx.paragraph.start
        for sentence in ctx.doc.sents:
            lo, hi = base + sentence.start_char, base + sentence.end_char
            named = [people[k] for k in _between(offsets, lo, hi)]
            inside = {id(o.entity): o.entity for o in named}
            if len(inside) != 1 or not any(o.subject for o in named):
                continue
            (key,) = inside
            for token in sentence:
                gender = pronoun_gender(token.lower_) if token.pos_ == "PRON" else None
                if gender is not None and not ctx.inside(token):
                    votes.setdefault(key, Counter())[gender] += 1
    return {
        key: count.most_common(1)[0][0]
        for key, count in votes.items()
        if len(count) == 1 or count.most_common(2)[0][1] >= 3 * count.most_common(2)[1][1]
    }


def _between(offsets: Sequence[int], lo: int, hi: int) -> range:
    return range(bisect.bisect_left(offsets, lo), bisect.bisect_left(offsets, hi))
