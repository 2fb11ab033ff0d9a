"""Word-level differences between a statement's canonical text and one outlet's wording.

:func:`diff_words` aligns the two texts word by word with :class:`difflib.SequenceMatcher`
and types every difference as an :class:`~index.models.Edit`:

- ``spelling``: the same word spelt another way: British against American forms
  (``characterised``/``characterized``, ``colour``/``color``, ``centre``/``center``,
  ``catalogue``/``catalog``, ``travelled``/``traveled``) or hyphenation
  (``co-operation``/``cooperation``, ``large-scale``/``large scale``);
- ``case``: only the case of letters differs (``Sanctions``/``sanctions``);
- ``punctuation``: only punctuation or the style of quotes and apostrophes differ;
- ``reordering``: the same words at another place (a moved phrase is one reordering, not an
  omission here and an insertion there);
- ``omission``: canonical words the variant leaves out (a truncation, an ellipsis);
- ``insertion``: words only the variant has;
- ``substitution``: different words (``illegitimate sanctions`` for ``sensational pressure``).

A fragment that covers only part of the canonical text gets one omission for the uncovered
part at each end, not a list of single words.

Words are compared by :func:`index.text.spelling.spelling_key`: NFKC, quotes and apostrophes
folded, case-folded, hyphens dropped, and British forms mapped to American ones, first by the
word list that the ``breame`` package ships and then by general suffix rules.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from index.group.words import Token, tokenize
from index.models import Edit, EditOp
from index.text.normalise import fold
from index.text.terms import STOP_WORDS

_EDGE = re.compile(r"^[^\w]+|[^\w]+$")
_HYPHENS = re.compile(r"[-\u2010\u2011]")

Opcode = tuple[str, int, int, int, int]


def _letters(text: str) -> str:
    """The letters and digits of a text, folded."""
    return "".join(char for char in fold(text) if char.isalnum())


def _core(text: str) -> str:
    """A span's words without the punctuation at its edges, folded."""
    return _EDGE.sub("", fold(text))


def _pair_op(canonical: str, variant: str) -> EditOp:
    """The type of a difference between two spans whose word keys agree."""
    left, right = _core(canonical), _core(variant)
    if left == right:
        raw_left, raw_right = _EDGE.sub("", canonical), _EDGE.sub("", variant)
        if raw_left != raw_right and raw_left.casefold() == raw_right.casefold():
            return "case"
        return "punctuation"  # quote style or the marks around the words
    if "".join(_HYPHENS.sub("", left).split()) == "".join(_HYPHENS.sub("", right).split()):
        return "spelling"  # hyphenation: co-operation, large-scale / large scale
    if _letters(left) == _letters(right):
        return "punctuation"  # marks inside the words: U.S. / US
    return "spelling"  # British and American forms


class _Aligner:
    """Builds the edits of one variant against one canonical text."""

    def __init__(self, canonical: str, variant: str) -> None:
        self.canonical, self.variant = canonical, variant
        self.a, self.b = tokenize(canonical), tokenize(variant)
        self.edits: list[Edit] = []

    def _span(self, side: tuple[Token, ...], i: int, j: int, text: str) -> tuple[int, int, str]:
        """Offsets and text of tokens [i, j) of one side; an empty range sits before token i."""
        if i < j:
            return side[i].start, side[j - 1].end, text[side[i].start : side[j - 1].end]
        at = side[i].start if i < len(side) else (side[-1].end if side else 0)
        return at, at, ""

    def add(self, op: EditOp, i1: int, i2: int, j1: int, j2: int) -> None:
        a_start, a_end, a_text = self._span(self.a, i1, i2, self.canonical)
        b_start, b_end, b_text = self._span(self.b, j1, j2, self.variant)
        previous = self.edits[-1] if self.edits else None
        if (
            previous is not None
            and previous.op == op
            and op in ("spelling", "punctuation")
            and previous.canonical_end <= a_start
            and not self.canonical[previous.canonical_end : a_start].strip()
            and not self.variant[previous.variant_end : b_start].strip()
        ):
            # Adjacent differences of the same kind read as one: "Co-operation Organisation".
            a_start, b_start = previous.canonical_start, previous.variant_start
            a_text = self.canonical[a_start:a_end]
            b_text = self.variant[b_start:b_end]
            self.edits.pop()
        self.edits.append(
            Edit(
                op=op,
                canonical=a_text,
                variant=b_text,
                canonical_start=a_start,
                canonical_end=a_end,
                variant_start=b_start,
                variant_end=b_end,
            )
        )

    def equal(self, i1: int, i2: int, j1: int) -> None:
        for offset in range(i2 - i1):
            left, right = self.a[i1 + offset], self.b[j1 + offset]
            if left.text != right.text:
                op = _pair_op(left.text, right.text) if left.word else "punctuation"
                self.add(op, i1 + offset, i1 + offset + 1, j1 + offset, j1 + offset + 1)

    def changed(self, i1: int, i2: int, j1: int, j2: int) -> None:
        """A replaced, deleted or inserted run: typed by what its two sides hold."""
        left, right = self.a[i1:i2], self.b[j1:j2]
        left_words = [token for token in left if token.word]
        right_words = [token for token in right if token.word]
        if not left_words and not right_words:
            self.add("punctuation", i1, i2, j1, j2)
        elif not right_words:
            # Words left out, perhaps marked by an ellipsis: an omission either way.
            self.add("omission", i1, i2, j1, j2)
        elif not left_words:
            self.add("insertion", i1, i2, j1, j2)
        elif "".join(t.key for t in left_words) == "".join(t.key for t in right_words):
            _, _, a_text = self._span(self.a, i1, i2, self.canonical)
            _, _, b_text = self._span(self.b, j1, j2, self.variant)
            self.add(_pair_op(a_text, b_text), i1, i2, j1, j2)
        else:
            self.add("substitution", i1, i2, j1, j2)

    def edge(self, i1: int, i2: int, j1: int, j2: int, *, leading: bool) -> None:
        """A replaced run at an end of both texts: the part of the canonical text the variant
        does not reach is one omission, the words next to the aligned part a substitution."""
        spare = _words(self.a[i1:i2]) - _words(self.b[j1:j2])
        if spare <= 0 or not _words(self.b[j1:j2]):
            self.changed(i1, i2, j1, j2)
            return
        # The cut falls after the spare-th word from the far end of the canonical run.
        positions = [k for k in range(i1, i2) if self.a[k].word]
        if leading:
            cut = positions[spare - 1] + 1
            self.add("omission", i1, cut, j1, j1)
            self.changed(cut, i2, j1, j2)
        else:
            cut = positions[-spare]
            self.changed(i1, cut, j1, j2)
            self.add("omission", cut, i2, j2, j2)

    def run(self) -> tuple[Edit, ...]:
        a_keys = [token.key for token in self.a]
        b_keys = [token.key for token in self.b]
        opcodes = _opcodes(a_keys, b_keys)
        last = len(opcodes) - 1
        for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
            if tag == "equal":
                self.equal(i1, i2, j1)
            elif tag == "replace" and index in (0, last) and last > 0:
                self.edge(i1, i2, j1, j2, leading=index == 0)
            else:
                self.changed(i1, i2, j1, j2)
        return tuple(_reorderings(self.edits))


def _keys(text: str) -> tuple[str, ...]:
    return tuple(token.key for token in tokenize(text) if token.word)


def _reorderings(edits: list[Edit]) -> list[Edit]:
    """An omission and an insertion of the same words (two or more) as one reordering, at
    the omission's place in the canonical text and the insertion's in the variant."""
    result = list(edits)
    for omission in [e for e in edits if e.op == "omission"]:
        words = _keys(omission.canonical)
        if len(words) < 2:
            continue
        moved = next((e for e in result if e.op == "insertion" and _keys(e.variant) == words), None)
        if moved is None:
            continue
        result.remove(moved)
        result[result.index(omission)] = Edit(
            op="reordering",
            canonical=omission.canonical,
            variant=moved.variant,
            canonical_start=omission.canonical_start,
            canonical_end=omission.canonical_end,
            variant_start=moved.variant_start,
            variant_end=moved.variant_end,
        )
    return result


def _words(tokens: tuple[Token, ...]) -> int:
    return sum(token.word for token in tokens)


def _opcodes(a: list[str], b: list[str]) -> list[Opcode]:
    """SequenceMatcher opcodes, aligned in two passes.

    First, function words and punctuation cannot anchor a match on their own (they only
    extend one), so a fragment does not latch onto a stray "the" far from the words it
    shares; when nothing else matches, they may anchor after all. Then each replaced run
    inside the texts is aligned again with every word allowed, so "scene and the" against
    "arena and the pattern" keeps "and the" in common.

    Last, changes that read as one rewording are joined (:func:`_merge`).
    """

    matcher = SequenceMatcher(_junk, a, b, autojunk=False)
    if len(matcher.get_matching_blocks()) == 1 and set(a) & set(b):
        matcher = SequenceMatcher(None, a, b, autojunk=False)
    first = matcher.get_opcodes()
    refined: list[Opcode] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(first):
        if tag != "replace" or index in (0, len(first) - 1):
            refined.append((tag, i1, i2, j1, j2))
            continue
        inner = SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False).get_opcodes()
        refined.extend((t, i1 + x1, i1 + x2, j1 + y1, j1 + y2) for t, x1, x2, y1, y2 in inner)
    return _merge(refined, a)


def _junk(key: str) -> bool:
    """Function words and punctuation: they extend a match but do not anchor one."""
    return key in STOP_WORDS or not key[:1].isalnum()


def _merge(opcodes: list[Opcode], a: list[str]) -> list[Opcode]:
    """Join changes that read as one rewording:

    - a single matched word between an omission and an insertion is a word that moved
      ("pattern of sensational pressure" against "pressure of illegitimate sanctions");
    - one or two function words between two replaced runs are part of one rephrased phrase
      ("threat of harsh tariffs" against "burden of unfair levies").
    """
    merged: list[Opcode] = []
    for opcode in opcodes:
        merged.append(opcode)
        if len(merged) < 3:
            continue
        left, middle, right = merged[-3:]
        tags = (left[0], middle[0], right[0])
        size = middle[2] - middle[1]
        moved = size == 1 and tags in (("delete", "equal", "insert"), ("insert", "equal", "delete"))
        bridged = (
            tags == ("replace", "equal", "replace")
            and size <= 2
            and all(_junk(key) for key in a[middle[1] : middle[2]])
        )
        if moved or bridged:
            del merged[-3:]
            merged.append(("replace", left[1], right[2], left[3], right[4]))
    return merged


def diff_words(canonical: str, variant: str) -> tuple[Edit, ...]:
    """Typed word-level edits that turn ``canonical`` into ``variant``; () when they are equal."""
    if canonical == variant:
        return ()
    return _Aligner(canonical, variant).run()
